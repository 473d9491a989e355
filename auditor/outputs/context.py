"""The template context: one plain dict of an audit's views, shared by every template.

It extends the JSON report (`report_dict`) with ready-made views, so a template only loops
and prints. Every list is sorted; nothing in it reads the clock; config appears only as
`redact.shown_config` allows. The keys are documented in docs/readme-reports.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditor.engine import sort_key
from auditor.gate.policy import fails
from auditor.launchdarkly.kinds import KNOWN_KINDS, shown_fields
from auditor.launchdarkly.redact import shown_config
from auditor.models import (
    SEVERITY_NAMES,
    AuditResult,
    Destination,
    Finding,
    HistoryView,
    Rule,
)
from auditor.outputs.access import access_view
from auditor.outputs.assurance import (
    RuleVerdict,
    controls_of,
    natural,
    rule_verdicts,
    verdict_label,
)
from auditor.outputs.assurance_context import frameworks_context, waiver_register
from auditor.outputs.history_context import history_context
from auditor.outputs.report_json import finding_dict, report_dict

STATUSES: tuple[str, ...] = ("open", "waived", "baselined")


def build_context(result: AuditResult) -> dict[str, Any]:
    """Every view of `result` a report shows, as plain data."""
    findings = sorted(result.findings, key=sort_key)
    remedies = {r.id: r.remediation for r in (*result.rules, *result.deselected)}
    controls = {r.id: controls_of(r, result.frameworks) for r in result.rules}
    views = [_finding_view(f, result.history, remedies, controls) for f in findings]
    by_rule: dict[str, list[dict[str, Any]]] = {}
    by_item: dict[str, list[dict[str, Any]]] = {}
    for view in views:
        by_rule.setdefault(view["rule_id"], []).append(view)
        by_item.setdefault(_item_pointer(view["pointer"]), []).append(view)
    context = report_dict(result)
    verdicts = rule_verdicts(result)
    frameworks = frameworks_context(result, verdicts, by_rule)
    names = {f.key: f.name for f in result.frameworks}
    context.update(
        findings=views,
        open_findings=[v for v in views if v["status"] == "open"],
        suppressed_findings=[v for v in views if v["status"] != "open"],
        verdict=_verdict(result, findings),
        severities=list(SEVERITY_NAMES),
        severity_counts=_severity_counts(findings),
        destinations=_destinations(result.destinations, by_item),
        rules=_rules(verdicts[: len(result.rules)], by_rule, names),
        deselected_rules=_rules(verdicts[len(result.rules) :], by_rule, names),
        not_evaluated_rules=_rules(
            [v for v in verdicts if v.status == "not_evaluated"], by_rule, names
        ),
        rule_counts={
            status: sum(v.status == status for v in verdicts)
            for status in ("passed", "failed", "not_evaluated")
        },
        frameworks=frameworks,
        controls=[row for table in frameworks for row in table["controls"]],
        waiver_register=waiver_register(result, views),
        filters=_filters(views),
    )
    context["charts"] = _charts(context["severity_counts"], context["rules"])
    context["history"] = history_context(result.history, views)
    context["access_view"] = access_view(result.access)
    context["summary"].update({s: sum(v["status"] == s for v in views) for s in STATUSES})
    context["summary"]["destinations_off"] = sum(not d.on for d in result.destinations)
    return context


def _finding_view(
    finding: Finding,
    history: HistoryView | None,
    remedies: Mapping[str, str],
    controls: Mapping[str, list[str]],
) -> dict[str, Any]:
    view = finding_dict(finding, history)
    view["short_fingerprint"] = finding.short_fingerprint
    view["age_days"] = history.age_days.get(finding.fingerprint) if history else None
    view["remediation"] = remedies.get(finding.rule_id, "")
    view["controls"] = controls.get(finding.rule_id, [])
    waiver = finding.waiver
    if waiver is not None:
        view["waiver"] = {
            **{k: v for k, v in waiver.items() if isinstance(k, str)},
            **{key: waiver.get(key) for key in ("reason", "owner", "expires")},
        }
    return view


def _verdict(result: AuditResult, findings: list[Finding]) -> dict[str, Any]:
    gating = sum(fails(f, result.gate) for f in findings)
    if result.problems:
        reason = f"the input has {len(result.problems)} schema problem(s)"
    elif result.fail_on == "never" and not gating:
        reason = "the gate is off (--fail-on never)"
    elif gating:
        reason = f"{gating} open finding(s) at or above {result.fail_on}"
    else:
        reason = f"no open finding at or above {result.fail_on}"
    return {
        "passed": result.passed,
        "label": "passed" if result.passed else "failed",
        "fail_on": result.fail_on,
        "gating": gating,
        "reason": reason,
    }


def _severity_counts(findings: list[Finding]) -> list[dict[str, Any]]:
    rows = []
    for name in SEVERITY_NAMES:
        row: dict[str, Any] = {"severity": name}
        row.update(
            {s: sum(f.severity.label == name and f.status == s for f in findings) for s in STATUSES}
        )
        row["total"] = sum(row[s] for s in STATUSES)
        rows.append(row)
    return rows


def _item_pointer(pointer: str) -> str:
    """The export item a finding points into: `/items/7/_access/...` -> `/items/7`."""
    return "/".join(pointer.split("/")[:3])


def _config_policy(kind: str) -> str:
    """How much config of `kind` may be shown: `fields`, `opaque` or `unknown-kind`."""
    if kind not in KNOWN_KINDS:
        return "unknown-kind"
    return "fields" if shown_fields(kind) else "opaque"


def _open(views: list[dict[str, Any]]) -> int:
    return sum(v["status"] == "open" for v in views)


def _destinations(
    destinations: Iterable[Destination], by_item: Mapping[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    def key(d: Destination) -> tuple[str, ...]:
        return (d.project or "", d.environment or "", d.name, d.id, d.pointer)

    views = []
    for dest in sorted(destinations, key=key):
        mine = by_item.get(dest.pointer, [])
        views.append(
            {
                "id": dest.id,
                "name": dest.name,
                "kind": dest.kind,
                "config_policy": _config_policy(dest.kind),
                "on": dest.on,
                "project": dest.project,
                "environment": dest.environment,
                "pointer": dest.pointer,
                "config": shown_config(dest.kind, dest.config),
                "statements": len(dest.statements),
                "findings": mine,
                "open": _open(mine),
            }
        )
    return views


def _compliance(rule: Rule, names: Mapping[str, str]) -> list[dict[str, str]]:
    """The controls `rule` tests, in the frameworks shown (`names`: key -> name)."""
    return [
        {"framework": framework, "framework_name": name, "control": control}
        for framework, name in names.items()
        for control in sorted(rule.compliance.get(framework, ()), key=natural)
    ]


def _rules(
    verdicts: Iterable[RuleVerdict],
    by_rule: Mapping[str, list[dict[str, Any]]],
    names: Mapping[str, str],
) -> list[dict[str, Any]]:
    views = []
    for verdict in sorted(verdicts, key=lambda v: (-v.rule.severity, v.rule.id)):
        rule = verdict.rule
        mine = by_rule.get(rule.id, [])
        views.append(
            {
                "status": verdict.status,
                "reason": verdict.reason,
                "detail": verdict.detail,
                "label": verdict_label(verdict),
                "evaluated": verdict.evaluated,
                "id": rule.id,
                "title": rule.title,
                "severity": rule.severity.label,
                "scope": rule.scope,
                "source": rule.source,
                "summary": rule.summary,
                "rationale": rule.rationale,
                "remediation": rule.remediation,
                "references": list(rule.references),
                "compliance": _compliance(rule, names),
                "tags": list(rule.tags),
                "findings": mine,
                "open": _open(mine),
            }
        )
    return views


def _filters(views: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The values present in the findings; `projects` ends with None if one has no project."""
    projects = {v["destination"]["project"] for v in views}
    named = sorted(p for p in projects if p is not None)
    return {
        "severities": [s for s in SEVERITY_NAMES if any(v["severity"] == s for v in views)],
        "rules": sorted({v["rule_id"] for v in views}),
        "projects": named + ([None] if None in projects else []),
    }


def _bar(label: str, severity: str, total: int, open_: int) -> dict[str, Any]:
    return {
        "label": label,
        "severity": severity,
        "open": open_,
        "suppressed": total - open_,
        "total": total,
    }


def _charts(
    severity_counts: list[dict[str, Any]], rules: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Bar series (counts only, no geometry): by severity, and by rule for rules that found."""
    return {
        "by_severity": [
            _bar(row["severity"], row["severity"], row["total"], row["open"])
            for row in severity_counts
        ],
        "by_rule": [
            _bar(rule["id"], rule["severity"], len(rule["findings"]), rule["open"])
            for rule in rules
            if rule["findings"]
        ],
    }
