"""`auditor evidence verify --reaudit`: run a pack's audit again and compare the findings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from auditor.audit import AuditOptions, run_audit
from auditor.io.limits import DEFAULT_MAX_INPUT_SIZE
from auditor.io.sources import read_source
from auditor.periodic.reaudit import differences, read_pack, summary


def reaudit(root: Path) -> tuple[str, list[str]]:
    """(a one-line summary, the differences) of re-auditing the pack in `root`.

    Only the pack is used: its redacted input, its rule files (never the installed
    built-in rules, which may have changed since), its waivers and baseline files, and the
    settings evidence.json records, at the time of the original run.
    """
    run = read_pack(root)
    options = AuditOptions(
        rule_paths=(str(run.rules_dir),),
        builtin_rules=False,
        select=run.ran,
        framework=run.framework,
        fail_on=run.fail_on,
        now=datetime.fromisoformat(run.now),
        params=run.params,
        severity=run.severity,
        waivers=str(run.waivers) if run.waivers else None,
        baseline=str(run.baseline) if run.baseline else None,
    )
    try:
        size = run.input.stat().st_size
    except OSError:
        size = 0  # read_source says what is wrong with it
    source = read_source(str(run.input), max(DEFAULT_MAX_INPUT_SIZE, size))
    problems = differences(run, run_audit(source, options))
    return summary(run, problems), problems
