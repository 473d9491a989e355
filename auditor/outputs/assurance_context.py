"""The template context's assurance views: per-framework control tables, the waiver register.

Both hold the context's finding views (the same objects), so a template links each control
and each waiver to the findings it concerns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.models import AuditResult, short_fingerprint
from auditor.outputs.assurance import (
    CONTROL_LABELS,
    RuleVerdict,
    control_rows,
    verdict_label,
    waiver_days_left,
)


def frameworks_context(
    result: AuditResult, verdicts: list[RuleVerdict], by_rule: Mapping[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """One table per framework shown: each control, its title, verdict, rules and findings."""
    tables = []
    for framework, rows in zip(result.frameworks, control_rows(result, verdicts), strict=True):
        controls = []
        for row in rows:
            findings = [view for v in row.rules for view in by_rule.get(v.rule.id, [])]
            controls.append(
                {
                    "framework": framework.key,
                    "framework_name": framework.name,
                    "control": row.id,
                    "title": row.title,
                    "verdict": row.verdict,
                    "verdict_label": _control_label(row.verdict, row.open),
                    "rules": [v.rule.id for v in row.rules],
                    "rule_verdicts": [
                        {
                            "id": v.rule.id,
                            "title": v.rule.title,
                            "status": v.status,
                            "reason": v.reason,
                            "label": verdict_label(v),
                            "detail": v.detail,
                        }
                        for v in row.rules
                    ],
                    "findings": findings,
                    "open": row.open,
                }
            )
        counts = {k: sum(c["verdict"] == k for c in controls) for k in CONTROL_LABELS}
        tables.append(
            {
                "key": framework.key,
                "name": framework.name,
                "source": framework.source,
                "controls": controls,
                "counts": counts,
            }
        )
    return tables


def _control_label(verdict: str, open_findings: int) -> str:
    if verdict == "failed":
        return f"failed: {open_findings} open finding{'s' if open_findings != 1 else ''}"
    return CONTROL_LABELS[verdict]


def waiver_register(result: AuditResult, views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every waiver of the waivers file, in file order, with what it matched in this audit."""
    by_fingerprint = {v["fingerprint"]: v for v in views}
    register = []
    for state in result.waivers:
        w = state.waiver
        matched = [by_fingerprint[fp] for fp in state.matched_fingerprints if fp in by_fingerprint]
        register.append(
            {
                "file": w.path,
                "line": w.line,
                "rule": w.rule,
                "match": w.matchers(),
                "owner": w.owner,
                "reason": w.reason,
                "ticket": w.ticket,
                "expires": w.expires.isoformat(),
                "days_left": state.days_left,
                "days_label": waiver_days_left(state),
                "state": state.state,
                "matched": state.matched,
                "findings": matched,
                "fingerprints": [short_fingerprint(fp) for fp in state.matched_fingerprints],
            }
        )
    return register
