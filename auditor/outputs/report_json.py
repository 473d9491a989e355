"""The JSON report (schemas/report.schema.json): the machine-readable record of one audit."""

from __future__ import annotations

import json
from typing import Any

from auditor.models import (
    AuditResult,
    BaselineDiff,
    Finding,
    FindingDestination,
    GatePolicy,
    HistoryView,
    RecordedFinding,
    Statement,
    TrendPoint,
    WaiverState,
)
from auditor.outputs.access import access_dict, grant_dict

SCHEMA_VERSION = 1


def statement_dict(stmt: Statement) -> dict[str, Any]:
    return stmt.api_fields()


def destination_dict(d: FindingDestination) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": d.name,
        "kind": d.kind,
        "project": d.project,
        "environment": d.environment,
    }


def finding_dict(finding: Finding, history: HistoryView | None = None) -> dict[str, Any]:
    found = {
        "rule_id": finding.rule_id,
        "severity": finding.severity.label,
        "title": finding.title,
        "message": finding.message,
        "status": finding.status,
        "destination": destination_dict(finding.destination),
        "pointer": finding.pointer,
        "fingerprint": finding.fingerprint,
        "statement": statement_dict(finding.statement) if finding.statement else None,
        "explanation": list(finding.explanation),
        "waiver": dict(finding.waiver) if finding.waiver else None,
        "first_seen": history.first_seen.get(finding.fingerprint) if history else None,
    }
    if finding.grant is not None:
        found["grant"] = grant_dict(finding.grant)
    return found


def recorded_dict(finding: RecordedFinding) -> dict[str, Any]:
    keys = ("fingerprint", "rule_id", "severity", "status", "message")
    return {key: getattr(finding, key) for key in keys} | {
        "destination": destination_dict(finding.destination)
    }


def _point(point: TrendPoint) -> dict[str, Any]:
    return {
        "run_id": point.run_id,
        "generated_at": point.generated_at,
        "passed": point.passed,
        "open": point.open,
        "open_by_severity": dict(point.open_by_severity),
    }


def history_dict(history: HistoryView) -> dict[str, Any]:
    """The report's `history` block: this run against the runs recorded before it."""
    previous = history.previous
    return {
        "database": history.database,
        "earlier_runs": history.earlier_runs,
        "previous_run": None
        if previous is None
        else {"id": previous.id, "generated_at": previous.generated_at, "passed": previous.passed},
        "new": list(history.new),
        "resolved": [recorded_dict(f) for f in history.resolved],
        "trend": [_point(p) for p in history.trend],
    }


def gate_dict(gate: GatePolicy) -> dict[str, Any]:
    return {
        "fail_on": gate.fail_on,
        "hard_fail_on": list(gate.hard_fail_on),
        "soft_fail_on": list(gate.soft_fail_on),
        "severity_overrides": {k: v.label for k, v in sorted(gate.severity_overrides.items())},
    }


def waiver_dict(state: WaiverState) -> dict[str, Any]:
    w = state.waiver
    return {
        "file": w.path,
        "line": w.line,
        "index": w.index,
        **w.summary(),
        "match": w.matchers(),
        "state": state.state,
        "matched": state.matched,
        "days_left": state.days_left,
        "matched_findings": list(state.matched_fingerprints),
    }


def baseline_dict(diff: BaselineDiff) -> dict[str, Any]:
    return {
        "path": diff.path,
        "new": list(diff.new),
        "unchanged": diff.unchanged,
        "resolved": [
            {
                "fingerprint": r.fingerprint,
                "rule_id": r.rule_id,
                "destination": destination_dict(r.destination),
            }
            for r in diff.resolved
        ],
    }


def report_dict(result: AuditResult, *, findings: bool = True) -> dict[str, Any]:
    from auditor import __name__ as tool_name

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": tool_name, "version": result.tool_version},
        "generated_at": result.generated_at,
        "source": {"path": result.source_path, "sha256": result.source_sha256},
        "ruleset_sha256": result.ruleset_sha256,
        "summary": {
            "destinations": len(result.destinations),
            "items": result.item_count,
            "schema_errors": len(result.problems),
            "findings": len(result.findings),
            "by_severity": result.counts_by_severity("open"),
            "by_status": result.counts_by_status(),
            "fail_on": result.fail_on,
            "passed": result.passed,
            "shortened": result.shortened,
        },
        "gate": gate_dict(result.gate),
        "waivers": [waiver_dict(s) for s in result.waivers],
        "baseline": baseline_dict(result.baseline) if result.baseline else None,
        "schema_errors": [{"pointer": p.pointer, "message": p.message} for p in result.problems],
        "findings": [finding_dict(f, result.history) for f in result.findings] if findings else [],
        "rules": rules_list(result),
        "history": history_dict(result.history) if result.history else None,
        "access": access_dict(result.access, len(result.destinations)),
        **assurance_dict(result),
    }


def rules_list(result: AuditResult) -> list[dict[str, Any]]:
    """Every rule that ran, then every deselected one, each with its status."""
    from auditor.outputs.assurance import controls_of, rule_status_dict, rule_verdicts

    return [
        {
            "id": v.rule.id,
            "title": v.rule.title,
            "severity": v.rule.severity.label,
            "scope": v.rule.scope,
            "source": v.rule.source,
            **rule_status_dict(v),
            "controls": controls_of(v.rule, result.frameworks),
        }
        for v in rule_verdicts(result)
    ]


def assurance_dict(result: AuditResult) -> dict[str, Any]:
    """The report's assurance blocks: the --framework focus, per-framework control verdicts."""
    from auditor.outputs.assurance import compliance_dict, rule_verdicts

    return {
        "framework": result.framework,
        "compliance": compliance_dict(result, rule_verdicts(result)),
    }


def render(result: AuditResult, options: object = None) -> str:
    return dumps(report_dict(result))


_FINDINGS = b'\n  "findings": []'
"""The report's empty findings list as `dumps` writes it: a top-level key (indented two
spaces, and JSON text holds no raw newline), so it occurs once."""


def render_chunks(result: AuditResult) -> tuple[bytes, ...]:
    """`render(result)` as UTF-8, in chunks: the report without findings, each finding
    written alone and indented to its place. The same bytes, without ever holding every
    finding as a dict, the whole report as bytes and again as text."""
    import orjson

    option = orjson.OPT_INDENT_2
    try:
        skeleton = orjson.dumps(report_dict(result, findings=False), option=option)
        skeleton += b"\n"
        if skeleton.count(_FINDINGS) != 1 or not result.findings:
            raise TypeError("not the expected skeleton")  # write it whole instead
        head, tail = skeleton.split(_FINDINGS)
        chunks = [head + b'\n  "findings": [\n    ']
        for position, finding in enumerate(result.findings):
            text = orjson.dumps(finding_dict(finding, result.history), option=option)
            chunks.append((b",\n    " if position else b"") + text.replace(b"\n", b"\n    "))
        chunks.append(b"\n  ]" + tail)
    except (TypeError, orjson.JSONEncodeError):
        return (render(result).encode("utf-8"),)
    return tuple(chunks)


def dumps(document: Any) -> str:
    """Indented JSON, as `json.dumps(indent=2, ensure_ascii=False)` writes it, but fast.

    orjson writes the same bytes; text it cannot encode (a lone surrogate from a hostile
    export) falls back to the standard library with every non-ASCII character escaped.
    """
    import orjson

    try:
        option = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE  # no copy to add the newline
        return orjson.dumps(document, option=option).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
