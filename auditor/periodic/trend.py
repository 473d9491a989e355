"""What history says about one audit: first-seen dates, new and resolved findings, the trend."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

from auditor.models import (
    SEVERITY_NAMES,
    AuditResult,
    HistoryView,
    PastState,
    RecordedFinding,
    TrendPoint,
)

TREND_RUNS = 12
"""Runs the trend shows, this one included."""


def empty_state(database: str) -> PastState:
    """The state of a database that does not exist yet: no runs."""
    return PastState(
        database=database, earlier_runs=0, recent=(), previous_findings=(), first_seen={}
    )


def compare(state: PastState, result: AuditResult) -> HistoryView:
    """The history view of `result`, from what the database held before it (pure)."""
    now = result.generated_at
    first_seen = {
        f.fingerprint: min(state.first_seen.get(f.fingerprint, now), now) for f in result.findings
    }
    previous = state.recent[-1] if state.recent else None
    before = {f.fingerprint for f in state.previous_findings}
    current = {f.fingerprint for f in result.findings}
    ran = {r.id for r in result.rules}
    resolved = [
        f for f in state.previous_findings if f.fingerprint not in current and f.rule_id in ran
    ]
    resolved.sort(key=recorded_order)
    points = [
        TrendPoint(
            run_id=r.id,
            generated_at=r.generated_at,
            passed=r.passed,
            open_by_severity=r.open_by_severity,
        )
        for r in state.recent[-(TREND_RUNS - 1) :]
    ]
    points.append(
        TrendPoint(
            run_id=None,
            generated_at=now,
            passed=result.passed,
            open_by_severity=MappingProxyType(result.counts_by_severity("open")),
        )
    )
    return HistoryView(
        database=state.database,
        earlier_runs=state.earlier_runs,
        previous=previous,
        first_seen=MappingProxyType(first_seen),
        age_days=MappingProxyType({fp: _days(seen, now) for fp, seen in first_seen.items()}),
        new=tuple(fp for fp in first_seen if fp not in before),
        resolved=tuple(resolved),
        trend=tuple(points),
    )


def recorded_order(f: RecordedFinding) -> tuple[int, str, str, str, str, str]:
    """Report order for recorded findings: severity (highest first), rule, destination."""
    rank = SEVERITY_NAMES.index(f.severity) if f.severity in SEVERITY_NAMES else len(SEVERITY_NAMES)
    d = f.destination
    return (rank, f.rule_id, d.project or "", d.environment or "", d.name, d.id)


def _days(since: str, until: str) -> int:
    delta = datetime.fromisoformat(until) - datetime.fromisoformat(since)
    return max(0, delta.days)
