"""`auditor history` and `history show` as text tables or JSON: runs, and one run's findings."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.models import SEVERITY_NAMES, RecordedFinding, RunRecord
from auditor.outputs.report_json import recorded_dict
from auditor.outputs.text import clean
from auditor.periodic.trend import recorded_order

_SHORT = {"critical": "CRIT", "high": "HIGH", "medium": "MED", "low": "LOW", "info": "INFO"}


def run_dict(run: RunRecord) -> dict[str, Any]:
    return {
        "id": run.id,
        "generated_at": run.generated_at,
        "source": {"path": run.source_path, "sha256": run.source_sha256},
        "tool_version": run.tool_version,
        "ruleset_sha256": run.ruleset_sha256,
        "fail_on": run.fail_on,
        "verdict": run.verdict,
        "destinations": run.destinations,
        "schema_errors": run.schema_errors,
        "findings": run.findings,
        "open_by_severity": dict(run.open_by_severity),
    }


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def render_runs(runs: Sequence[RunRecord], fmt: str, database: str) -> str:
    """Every run in recording order: time, verdict, open findings by severity, source."""
    if fmt == "json":
        return json.dumps([run_dict(r) for r in runs], indent=2) + "\n"
    if not runs:
        return f"no runs recorded in {clean(database)}\n"
    header = ["RUN", "GENERATED_AT", "VERDICT", "FAIL_ON"]
    header += [_SHORT[s] for s in SEVERITY_NAMES] + ["FINDINGS", "SOURCE"]
    rows = [
        [str(r.id), r.generated_at, r.verdict, r.fail_on]
        + [str(r.open_by_severity[s]) for s in SEVERITY_NAMES]
        + [str(r.findings), f"{clean(r.source_path)} ({r.source_sha256[:12]})"]
        for r in runs
    ]
    return _table(header, rows)


def render_run(
    run: RunRecord,
    findings: Sequence[RecordedFinding],
    first_seen: Mapping[str, str],
    fmt: str,
) -> str:
    """One run: its summary, then each finding with its status and when it was first seen."""
    ordered = sorted(findings, key=recorded_order)
    if fmt == "json":
        items = [recorded_dict(f) | {"first_seen": first_seen.get(f.fingerprint)} for f in ordered]
        return json.dumps({"run": run_dict(run), "findings": items}, indent=2) + "\n"
    gate = "" if run.fail_on == "never" else f" at --fail-on {run.fail_on}"
    lines = [
        f"run {run.id}: {run.generated_at}, {run.verdict}{gate}",
        f"source: {clean(run.source_path)} (sha256 {run.source_sha256})",
        f"auditor {clean(run.tool_version)}, ruleset {run.ruleset_sha256 or 'not recorded'}",
        f"{run.findings} findings, open: "
        + ", ".join(f"{run.open_by_severity[s]} {s}" for s in SEVERITY_NAMES),
    ]
    if not ordered:
        return "\n".join(lines) + "\n"
    rows = []
    for f in ordered:
        d = f.destination
        where = f"{d.project or '-'} / {d.environment or '-'} / {d.name}"
        seen = first_seen.get(f.fingerprint, "")
        rows.append([f.severity.upper(), f.status, seen, f.rule_id, clean(where), clean(f.message)])
    header = ["SEVERITY", "STATUS", "FIRST_SEEN", "RULE", "DESTINATION", "MESSAGE"]
    return "\n".join(lines) + "\n\n" + _table(header, rows)
