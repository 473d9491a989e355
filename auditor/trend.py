"""What history says about one audit: first-seen dates, new and resolved findings, the trend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from auditor.models import SEVERITY_NAMES, FindingDestination

if TYPE_CHECKING:
    from auditor.models import AuditResult

TREND_RUNS = 12
"""Runs the trend shows, this one included."""


@dataclass(frozen=True, kw_only=True, slots=True)
class RunRecord:
    """One run as the history database holds it."""

    id: int
    generated_at: str
    source_path: str
    source_sha256: str
    tool_version: str
    ruleset_sha256: str | None
    """None for runs recorded by a schema that did not keep it."""
    fail_on: str
    passed: bool
    destinations: int | None
    schema_errors: int | None
    findings: int
    open_by_severity: Mapping[str, int]

    @property
    def verdict(self) -> str:
        return "passed" if self.passed else "failed"


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordedFinding:
    """One finding of a recorded run (what the database keeps: never a config value)."""

    fingerprint: str
    rule_id: str
    severity: str
    status: str
    message: str
    destination: FindingDestination


@dataclass(frozen=True, kw_only=True, slots=True)
class PastState:
    """What the database held before this run: recent runs, the last run's findings."""

    database: str
    earlier_runs: int
    recent: tuple[RunRecord, ...]
    """The latest runs, oldest first; the last one is the previous run."""
    previous_findings: tuple[RecordedFinding, ...]
    first_seen: Mapping[str, str]
    """Earliest run time by fingerprint, over every run ever recorded (pruned ones too)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class TrendPoint:
    """Open findings by severity in one run; `run_id` is None for this, unrecorded, run."""

    run_id: int | None
    generated_at: str
    passed: bool
    open_by_severity: Mapping[str, int]

    @property
    def open(self) -> int:
        return sum(self.open_by_severity.values())


@dataclass(frozen=True, kw_only=True, slots=True)
class HistoryView:
    """This audit against its history; attached to `AuditResult.history`."""

    database: str
    earlier_runs: int
    previous: RunRecord | None
    first_seen: Mapping[str, str]
    """When each finding of this run was first seen, by fingerprint (this run's time if new)."""
    age_days: Mapping[str, int]
    """Whole days from first seen to this run, by fingerprint."""
    new: tuple[str, ...]
    """Fingerprints of this run's findings that the previous run did not have (all, if none)."""
    resolved: tuple[RecordedFinding, ...]
    """Findings of the previous run that this run no longer makes, of rules that ran."""
    trend: tuple[TrendPoint, ...]
    """The last runs, oldest first, ending with this one."""


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
