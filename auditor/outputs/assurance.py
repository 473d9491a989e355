"""What an audit assures: each rule's verdict, each control's verdict, the waiver register.

A rule passes only where it was evaluated. One that did not run (deselected), ran on nothing
(no applicable destination, `_access` not reported) or could not decide (an opt-in rule
without its params) is "not evaluated", with the reason, in every output; a control is
"passed" only when every rule testing it passed on everything it was meant to check.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from auditor.models import (
    COVERAGE_NO_ACCESS,
    COVERAGE_NOT_CONFIGURED,
    AuditResult,
    Framework,
    NotEvaluatedReason,
    Rule,
    RuleCoverage,
    RuleStatus,
    WaiverState,
)

REASON_LABELS: dict[str, str] = {
    "not_configured": "not configured",
    "deselected": "deselected",
    "no_applicable_destination": "no applicable destination",
    "access_not_reported": "_access not reported",
    "account_not_audited": "account not audited",
}
ControlVerdict = str
"""`passed`, `failed`, `partial` (some of it not evaluated) or `not_evaluated`."""
_MAX_DETAILS = 5


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleVerdict:
    """One rule's outcome in this audit."""

    rule: Rule
    status: RuleStatus
    reason: NotEvaluatedReason | None
    """Why it was not evaluated (None when it was)."""
    detail: str
    """The reason in words, or the gaps of an evaluated rule; empty when there is none."""
    open: int
    waived: int
    baselined: int
    evaluated: int | None
    """Destinations it was evaluated on; None for rules made in code (waiver-expired)."""
    gaps: dict[str, int]
    """Destinations an evaluated rule could not check, by reason (not_configured, ...)."""

    @property
    def findings(self) -> int:
        return self.open + self.waived + self.baselined


def rule_verdicts(result: AuditResult) -> list[RuleVerdict]:
    """The verdict of every rule that ran, then of every deselected rule, in result order."""
    counts: Counter[tuple[str, str]] = Counter((f.rule_id, f.status) for f in result.findings)
    total = len(result.destinations)
    out = []
    for rule in result.rules:
        found = {s: counts[(rule.id, s)] for s in ("open", "waived", "baselined")}
        coverage = result.coverage.get(rule.id)
        out.append(_verdict(rule, coverage, total, **found))
    for rule in result.deselected:
        out.append(
            RuleVerdict(
                rule=rule,
                status="not_evaluated",
                reason="deselected",
                detail="deselected: left out by --select/--ignore, so it did not run",
                open=0,
                waived=0,
                baselined=0,
                evaluated=0,
                gaps={},
            )
        )
    return out


def _verdict(
    rule: Rule, coverage: RuleCoverage | None, total: int, *, open: int, waived: int, baselined: int
) -> RuleVerdict:
    evaluated = None if coverage is None else coverage.evaluated
    gaps = {} if coverage is None else _gaps(coverage)
    reason: NotEvaluatedReason | None = None
    status: RuleStatus = "failed" if open else "passed"
    if not open and not waived + baselined and evaluated == 0:
        status = "not_evaluated"
        reason = _reason(rule, coverage, total)
        gaps = {}
    return RuleVerdict(
        rule=rule,
        status=status,
        reason=reason,
        detail=_detail(reason, coverage, total, gaps),
        open=open,
        waived=waived,
        baselined=baselined,
        evaluated=evaluated,
        gaps=gaps,
    )


def _gaps(coverage: RuleCoverage) -> dict[str, int]:
    counted = {
        "not_configured": coverage.count(COVERAGE_NOT_CONFIGURED),
        "access_not_reported": coverage.count(COVERAGE_NO_ACCESS),
    }
    return {reason: n for reason, n in counted.items() if n}


def _reason(rule: Rule, coverage: RuleCoverage | None, total: int) -> NotEvaluatedReason:
    if rule.scope == "grants":  # evaluated whenever the whole account was read
        return "account_not_audited"
    if coverage is not None and coverage.count(COVERAGE_NOT_CONFIGURED):
        return "not_configured"
    if coverage is not None and total and coverage.count(COVERAGE_NO_ACCESS) == total:
        return "access_not_reported"
    return "no_applicable_destination"


def _detail(
    reason: str | None, coverage: RuleCoverage | None, total: int, gaps: dict[str, int]
) -> str:
    said = list(coverage.details[:_MAX_DETAILS]) if coverage is not None else []
    extra = len(coverage.details) - _MAX_DETAILS if coverage is not None else 0
    more = f" (and {extra} more)" if extra > 0 else ""
    dests = f"{total} destination{'s' if total != 1 else ''}"
    if reason == "not_configured":
        why = f" ({'; '.join(said)}{more})" if said else ""
        return f"not configured{why}: set the rule's params to enable it"
    if reason == "access_not_reported":
        return f"_access not reported: none of the {dests} has `_access`, so no grant was checked"
    if reason == "account_not_audited":
        return (
            "account not audited: only the caller's access was read; fetch with --account to"
            " audit every member, team and token"
        )
    if reason == "no_applicable_destination":
        if not total:
            return "no applicable destination: the export has no destination"
        return f"no applicable destination: the rule applies to none of the {dests}"
    parts = []
    if gaps.get("not_configured"):
        n = gaps["not_configured"]
        parts.append(f"{n} destination{'s' if n != 1 else ''} not evaluated (not configured)")
    if gaps.get("access_not_reported"):
        n = gaps["access_not_reported"]
        parts.append(f"{n} destination{'s' if n != 1 else ''} not evaluated (_access not reported)")
    return "; ".join(parts)


def verdict_label(verdict: RuleVerdict) -> str:
    """`passed`, `passed, 1 accepted`, `failed: 3 open findings`, `not evaluated: deselected`."""
    accepted = verdict.waived + verdict.baselined
    more = f", {accepted} accepted" if accepted else ""
    if verdict.status == "failed":
        return f"failed: {verdict.open} open finding{'s' if verdict.open != 1 else ''}{more}"
    if verdict.status == "not_evaluated":
        return f"not evaluated: {REASON_LABELS[verdict.reason or 'deselected']}"
    if verdict.gaps:
        return f"passed where evaluated{more}"
    return f"passed{more}"


def rule_status_dict(verdict: RuleVerdict) -> dict[str, Any]:
    """The JSON report's status fields of one rule (see schemas/report.schema.json)."""
    return {
        "status": verdict.status,
        "reason": verdict.reason,
        "detail": verdict.detail or None,
        "findings": {
            "open": verdict.open,
            "waived": verdict.waived,
            "baselined": verdict.baselined,
        },
        "destinations_evaluated": verdict.evaluated,
        "not_evaluated_destinations": dict(verdict.gaps),
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class ControlRow:
    """One control of one framework: its title, the rules testing it, and their verdict."""

    framework: Framework
    id: str
    title: str
    verdict: ControlVerdict
    rules: tuple[RuleVerdict, ...]
    open: int
    """Open findings of its rules."""


def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that orders `A.8.2` before `A.8.15`."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p)


def control_rows(result: AuditResult, verdicts: list[RuleVerdict]) -> list[list[ControlRow]]:
    """Per framework shown (`result.frameworks`), its controls in natural order."""
    tables = []
    for framework in result.frameworks:
        rows = []
        for control_id in sorted(framework.controls, key=natural):
            mine = tuple(
                v for v in verdicts if control_id in v.rule.compliance.get(framework.key, ())
            )
            rows.append(
                ControlRow(
                    framework=framework,
                    id=control_id,
                    title=framework.controls[control_id].title,
                    verdict=control_verdict(mine),
                    rules=mine,
                    open=sum(v.open for v in mine),
                )
            )
        tables.append(rows)
    return tables


def control_verdict(verdicts: tuple[RuleVerdict, ...]) -> ControlVerdict:
    if any(v.status == "failed" for v in verdicts):
        return "failed"
    evaluated = [v for v in verdicts if v.status != "not_evaluated"]
    if not evaluated:
        return "not_evaluated"
    if len(evaluated) < len(verdicts) or any(v.gaps for v in evaluated):
        return "partial"
    return "passed"


CONTROL_LABELS = {
    "passed": "passed",
    "failed": "failed",
    "partial": "partly evaluated",
    "not_evaluated": "not evaluated",
}


def compliance_dict(result: AuditResult, verdicts: list[RuleVerdict]) -> list[dict[str, Any]]:
    """The JSON report's `compliance`: per framework, each control's verdict and findings."""
    by_rule: dict[str, list[str]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding.fingerprint)
    out = []
    for framework, rows in zip(result.frameworks, control_rows(result, verdicts), strict=True):
        out.append(
            {
                "framework": framework.key,
                "name": framework.name,
                "source": framework.source or None,
                "controls": [
                    {
                        "id": row.id,
                        "title": row.title or None,
                        "verdict": row.verdict,
                        "rules": [
                            {"id": v.rule.id, "status": v.status, "reason": v.reason}
                            for v in row.rules
                        ],
                        "open": row.open,
                        "findings": [fp for v in row.rules for fp in by_rule.get(v.rule.id, [])],
                    }
                    for row in rows
                ],
            }
        )
    return out


def controls_of(rule: Rule, frameworks: tuple[Framework, ...]) -> list[str]:
    """`SOC 2 CC6.1`-like labels of the controls `rule` tests, in the frameworks shown."""
    return [
        f"{framework.name} {control}"
        for framework in frameworks
        for control in sorted(rule.compliance.get(framework.key, ()), key=natural)
    ]


def waiver_days_left(state: WaiverState) -> str:
    days = state.days_left
    if days < 0:
        return f"expired {-days} day{'s' if days != -1 else ''} ago"
    return f"{days} day{'s' if days != 1 else ''}"
