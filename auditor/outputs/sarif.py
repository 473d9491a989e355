"""SARIF 2.1.0 for code scanning: one reportingDescriptor per rule, one result per finding.

Levels: critical and high are `error`, medium `warning`, low and info `note`. Each rule's
`security-severity` (what GitHub ranks alerts by) is critical 9.5, high 8.0, medium 5.5,
low 3.0, info 0.0. Waived and baselined findings are results with an accepted external
suppression. Schema problems are results of the `schema-error` rule, so they show where
the findings show, instead of hiding in toolExecutionNotifications.

A rule with no result is a pass only if it was evaluated: a rule that was not (see
`assurance`) carries `properties.status: not_evaluated` and its reason, and gets a
toolConfigurationNotification naming it (`associatedRule`); a deselected rule is also
disabled for the run (`ruleConfigurationOverrides`, SARIF 2.1.0 §3.20.5).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from auditor.models import AuditResult, Finding, Rule, SchemaProblem, Severity
from auditor.outputs import RenderOptions
from auditor.outputs.assurance import RuleVerdict, rule_verdicts
from auditor.outputs.report_json import destination_dict

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/auditor/auditor"
FINGERPRINT_KEY = "auditorFingerprint/v1"
SCHEMA_ERROR = "schema-error"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def level(severity: Severity) -> str:
    """The SARIF level of a severity: error, warning or note."""
    return LEVELS[severity]


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    refs = "".join(f"\n- {r}" for r in rule.references)
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.summary},
        "help": {
            "text": f"{rule.rationale}\n\nRemediation: {rule.remediation}",
            "markdown": (
                f"**Why it matters**\n\n{rule.rationale}\n\n**How to fix it**\n\n"
                f"{rule.remediation}" + (f"\n\n**References**\n{refs}" if refs else "")
            ),
        },
        "defaultConfiguration": {"enabled": True, "level": level(rule.severity)},
        "properties": {
            "tags": ["security", *(t for t in rule.tags if t != "security")],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "severity": rule.severity.label,
            "scope": rule.scope,
            "compliance": {k: list(v) for k, v in rule.compliance.items()},
        },
    }
    web = [r for r in rule.references if r.lower().startswith(("https://", "http://"))]
    if web:  # a rule file's reference may be anything; only a web page is a help URI
        descriptor["helpUri"] = web[0]
    return descriptor


def _with_verdict(descriptor: dict[str, Any], verdict: RuleVerdict) -> dict[str, Any]:
    descriptor["properties"]["status"] = verdict.status
    if verdict.reason is not None:
        descriptor["properties"]["notEvaluatedReason"] = verdict.reason
    if verdict.detail:
        descriptor["properties"]["statusDetail"] = verdict.detail
    return descriptor


def _not_evaluated(verdicts: list[RuleVerdict]) -> dict[str, Any]:
    """The invocation's notifications and overrides for the rules that were not evaluated."""
    notifications = []
    overrides = []
    for index, verdict in enumerate(verdicts):
        if verdict.status != "not_evaluated":
            continue
        ref = {"id": verdict.rule.id, "index": index}
        notifications.append(
            {
                "level": "warning",
                "message": {"text": f"{verdict.rule.id} was not evaluated: {verdict.detail}"},
                "associatedRule": ref,
            }
        )
        if verdict.reason == "deselected":
            overrides.append({"descriptor": ref, "configuration": {"enabled": False}})
    out: dict[str, Any] = {}
    if notifications:
        out["toolConfigurationNotifications"] = notifications
    if overrides:
        out["ruleConfigurationOverrides"] = overrides
    return out


def _schema_rule() -> dict[str, Any]:
    return {
        "id": SCHEMA_ERROR,
        "name": "SchemaError",
        "shortDescription": {"text": "Export item does not match the destinations schema"},
        "fullDescription": {
            "text": "An item of the export does not have the shape of a LaunchDarkly Data Export "
            "destination, so it was not audited."
        },
        "help": {
            "text": "Export the destinations again from GET /api/v2/destinations, or fix the item.",
            "markdown": "Export the destinations again from `GET /api/v2/destinations`, "
            "or fix the item.",
        },
        "defaultConfiguration": {"enabled": True, "level": "error"},
        "properties": {"tags": ["security", "schema"], "security-severity": "8.0"},
    }


def _artifact(path: str) -> dict[str, Any]:
    """An artifactLocation: a relative path against %SRCROOT%, or an absolute file: URI."""
    uri = quote(path.replace("\\", "/"), safe="/:@-._~!$&'()*+,;=")
    if uri.startswith("/") or re.match(r"^[A-Za-z]:/", uri):
        return {"uri": "file://" + ("" if uri.startswith("/") else "/") + uri}
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}


def _location(result: AuditResult, pointer: str, kind: str, name: str) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [{"name": name, "fullyQualifiedName": pointer, "kind": kind}]
    }
    if result.source_file is not None:  # stdin and an unsaved API read: logical only
        physical: dict[str, Any] = {
            "artifactLocation": {**_artifact(result.source_file), "index": 0}
        }
        if pointer in result.positions:
            line, column = result.positions[pointer]
            physical["region"] = {"startLine": line, "startColumn": column}
        location["physicalLocation"] = physical
    return location


def _result(result: AuditResult, finding: Finding, index: int) -> dict[str, Any]:
    d = finding.destination
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": {"text": finding.message},
        "locations": [_location(result, finding.pointer, "object", d.name)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "severity": finding.severity.label,
            "status": finding.status,
            "destination": destination_dict(d),
        },
    }
    if finding.status == "waived" and finding.waiver:
        w = finding.waiver
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{w['reason']} (owner {w['owner']}, expires {w['expires']})",
            }
        ]
    elif finding.status == "baselined" and result.baseline:
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"present in baseline {result.baseline.path}",
            }
        ]
    if result.baseline is not None:
        out["baselineState"] = "new" if finding.status == "open" else "unchanged"
    return out


def _problem(result: AuditResult, problem: SchemaProblem, index: int) -> dict[str, Any]:
    name = problem.pointer.rsplit("/", 1)[-1]
    return {
        "ruleId": SCHEMA_ERROR,
        "ruleIndex": index,
        "level": "error",
        "message": {"text": f"{problem.pointer}: {problem.message}"},
        "locations": [_location(result, problem.pointer, "value", name)],
    }


def sarif_dict(result: AuditResult) -> dict[str, Any]:
    """The SARIF log of one audit as plain data."""
    verdicts = rule_verdicts(result)
    index = {v.rule.id: i for i, v in enumerate(verdicts)}
    schema_index = len(verdicts)
    descriptors = [_with_verdict(rule_descriptor(v.rule), v) for v in verdicts]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "auditor",
                "version": result.tool_version,
                "semanticVersion": result.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [*descriptors, _schema_rule()],
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "endTimeUtc": result.generated_at,
                **_not_evaluated(verdicts),
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": [_result(result, f, index[f.rule_id]) for f in result.findings]
        + [_problem(result, p, schema_index) for p in result.problems],
        "properties": {
            "ruleset_sha256": result.ruleset_sha256,
            "fail_on": result.fail_on,
            "passed": result.passed,
            "access_scope": result.access.scope,
            "access": result.access.summary,
            "framework": result.framework,
            "rules_not_evaluated": [v.rule.id for v in verdicts if v.status == "not_evaluated"],
        },
    }
    if result.source_file is not None:
        run["artifacts"] = [
            {
                "location": _artifact(result.source_file),
                "hashes": {"sha-256": result.source_sha256},
            }
        ]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: AuditResult, options: RenderOptions) -> str:
    return json.dumps(sarif_dict(result), indent=2, ensure_ascii=False) + "\n"
