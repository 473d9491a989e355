"""The diff as plain data: the JSON output, and with display text added, the templates' context.

Config values appear only where `changes.config_changes` took them from `redact.shown_config`;
a secret, or any field of a kind auditor does not know, is only said to have changed.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.changes.access_diff import AccessChange, describe
from auditor.changes.diff import DestinationRef, DiffResult, FieldChange, GrantChange, ref
from auditor.changes.workspace import PlanReview
from auditor.models import AuditResult
from auditor.outputs.report_json import finding_dict, statement_dict

SCHEMA_VERSION = 1


def diff_dict(result: DiffResult) -> dict[str, Any]:
    """Everything the diff says, as JSON-ready data; lists in report order."""
    from auditor import __name__ as tool_name

    grants = [_grant(g) for g in result.grants]
    subject = "this plan" if result.plan else "this change" if result.change_path else None
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": tool_name, "version": result.after.tool_version},
        "generated_at": result.after.generated_at,
        "ruleset_sha256": result.after.ruleset_sha256,
        "change": None if result.change_path is None else {"path": result.change_path},
        "plan": None if result.plan is None else plan_dict(result.plan),
        "before": _side(result.before),
        "after": _side(result.after),
        "verdict": verdict(result),
        "summary": {
            "destinations": {
                change: sum(c.change == change for c in result.destinations)
                for change in ("added", "removed", "changed")
            },
            "grants": {
                direction: sum(
                    item["direction"] == direction
                    for g in grants
                    for item in (*g["statements"], *g["flips"])
                )
                for direction in ("widened", "narrowed")
            },
            "findings": {
                "introduced": len(result.introduced),
                "resolved": len(result.resolved),
                "unchanged": len(result.unchanged),
            },
        },
        "destinations": [
            {
                "change": c.change,
                "destination": destination_dict(c.destination),
                "fields": [_field(f) for f in c.fields],
            }
            for c in result.destinations
        ],
        "grants": grants,
        "access": {
            "compared": "account" in (result.before.access.scope, result.after.access.scope),
            "widened": sum(c.direction == "widened" for c in result.access),
            "narrowed": sum(c.direction == "narrowed" for c in result.access),
            "changes": [access_dict(c, subject) for c in result.access],
        },
        "findings": {
            "introduced": [finding_dict(f) for f in result.introduced],
            "resolved": [finding_dict(f) for f in result.resolved],
            "unchanged": [finding_dict(f) for f in result.unchanged],
        },
    }


def build_diff_context(result: DiffResult) -> dict[str, Any]:
    """The templates' context: `diff_dict` plus a display text for every changed field."""
    context = diff_dict(result)
    for change in context["destinations"]:
        for field in change["fields"]:
            field["text"] = field_text(field)
    return context


def plan_dict(plan: PlanReview) -> dict[str, Any]:
    """The Terraform plan as reviewed: names of hidden attributes only, never their values."""
    order = ("create", "update", "replace", "delete", "forget", "no-op", "read")
    actions = {a: n for a in order if (n := sum(r.action == a for r in plan.resources))}
    return {
        "path": plan.path,
        "format_version": plan.format_version,
        "terraform_version": plan.terraform_version,
        "complete": plan.complete,
        "deferred": plan.deferred,
        "actions": actions,
        "not_reviewed": len(plan.not_reviewed),
        "resources": [
            {
                "address": r.address,
                "type": r.type,
                "action": r.action,
                "target": r.target,
                "reviewed": r.reviewed,
                "sensitive": list(r.sensitive),
                "unknown": list(r.unknown),
                "notes": list(r.notes),
            }
            for r in plan.resources
        ],
        "ignored": [{"type": name, "changes": n} for name, n in plan.ignored],
    }


def access_dict(change: AccessChange, subject: str | None) -> dict[str, Any]:
    p = change.principal
    return {
        "direction": change.direction,
        "action": change.action,
        "principal": {"kind": p.kind, "id": p.id, "label": p.label, "members": p.members},
        "destinations": [destination_dict(ref(d)) for d in change.destinations],
        "production": change.production,
        "text": describe(change, subject=subject),
    }


def verdict(result: DiffResult) -> dict[str, Any]:
    problems = len(result.before.problems) + len(result.after.problems)
    if problems:
        reason = f"the inputs have {problems} schema problem(s)"
    elif result.fail_on == "never":
        reason = "the gate is off (--fail-on never)"
    elif result.gating:
        reason = f"{result.gating} introduced finding(s) at or above {result.fail_on}"
    else:
        reason = f"no introduced finding at or above {result.fail_on}"
    return {
        "passed": result.passed,
        "label": "passed" if result.passed else "failed",
        "fail_on": result.fail_on,
        "gating": result.gating,
        "reason": reason,
    }


def _side(audit: AuditResult) -> dict[str, Any]:
    return {
        "source": {"path": audit.source_path, "sha256": audit.source_sha256},
        "destinations": len(audit.destinations),
        "items": audit.item_count,
        "findings": len(audit.findings),
        "by_severity": audit.counts_by_severity("open"),
        "schema_errors": [{"pointer": p.pointer, "message": p.message} for p in audit.problems],
    }


def destination_dict(d: DestinationRef) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": d.name,
        "kind": d.kind,
        "on": d.on,
        "project": d.project,
        "environment": d.environment,
    }


def _field(f: FieldChange) -> dict[str, Any]:
    return {
        "field": f.field,
        "change": f.change,
        "shown": f.shown,
        "before": f.before,
        "after": f.after,
    }


def _grant(g: GrantChange) -> dict[str, Any]:
    return {
        "destination": destination_dict(g.destination),
        "statements": [
            {"change": s.change, "direction": s.direction, "statement": statement_dict(s.statement)}
            for s in g.statements
        ],
        "flips": [
            {"action": f.action, "before": f.before, "after": f.after, "direction": f.direction}
            for f in g.flips
        ],
    }


def shown_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def field_text(field: dict[str, Any]) -> str:
    """`true → false`, `added: us-east-1`, or only `changed` when the values are not shown."""
    if not field["shown"]:
        return str(field["change"])
    if field["change"] == "added":
        return f"added: {shown_value(field['after'])}"
    if field["change"] == "removed":
        return f"removed (was {shown_value(field['before'])})"
    return f"{shown_value(field['before'])} → {shown_value(field['after'])}"
