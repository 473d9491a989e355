"""Re-auditing an evidence pack: what to run it with, and whether it found the same.

`evidence.json` records the effective settings of the original run (each rule's severity
and params, the gate, the --framework, the time); the pack holds the redacted input, the
rule files that ran, the waivers and baseline files. Running those again must give the
findings of `reports/report.json`: the same fingerprints, rules, severities, statuses,
pointers and messages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import UsageError
from auditor.models import AuditResult

REPORT = "reports/report.json"
COMPARED = ("rule_id", "severity", "status", "pointer", "message")


@dataclass(frozen=True, kw_only=True, slots=True)
class PackRun:
    """What a pack says to run: its input, rules, files and settings."""

    input: Path
    rules_dir: Path
    ran: tuple[str, ...]
    """The rules of the pack's files that ran (the others were deselected or outside)."""
    framework: str | None
    severity: Mapping[str, str]
    params: Mapping[str, Mapping[str, Any]]
    fail_on: str
    now: str
    waivers: Path | None = None
    waivers_original: str | None = None
    """The waivers file's path in the original run (a waiver-expired message names it)."""
    baseline: Path | None = None
    expected: tuple[Mapping[str, Any], ...] = field(default=())
    """The findings of the pack's JSON report."""


def read_pack(root: Path) -> PackRun:
    """The run a pack describes; a pack without what a re-audit needs is a UsageError."""
    meta = _json(root / "evidence.json")
    settings = meta.get("settings")
    snapshot = meta.get("source", {}).get("snapshot")
    if not isinstance(settings, dict) or not snapshot:
        raise UsageError(
            f"{root}: this pack cannot be re-audited: it records no settings or no input "
            "(packs written before auditor recorded them, or of an input that was not JSON)"
        )
    rules = [r for r in meta["rules"] if r.get("file") and r.get("ran", True)]
    extras = {key: meta.get(key) for key in ("waivers", "baseline")}
    return PackRun(
        input=root / snapshot,
        rules_dir=root / "rules",
        ran=tuple(r["id"] for r in rules),
        framework=settings.get("framework"),
        severity={r["id"]: r["severity"] for r in rules},
        params={r["id"]: r["params"] for r in rules if r["params"]},
        fail_on=settings["fail_on"],
        now=settings["now"],
        waivers=root / extras["waivers"]["file"] if extras["waivers"] else None,
        waivers_original=extras["waivers"]["path"] if extras["waivers"] else None,
        baseline=root / extras["baseline"]["file"] if extras["baseline"] else None,
        expected=tuple(_json(root / REPORT)["findings"]),
    )


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read it for the re-audit: {exc}") from None


def differences(run: PackRun, result: AuditResult) -> list[str]:
    """Each way the re-audit's findings differ from the pack's report; empty when identical."""
    expected = {f["fingerprint"]: f for f in run.expected}
    actual = {f.fingerprint: _fields(f, run) for f in result.findings}
    problems = []
    for fingerprint, was in expected.items():
        now = actual.get(fingerprint)
        if now is None:
            problems.append(f"{fingerprint}: {_what(was)}: in the report, not found again")
            continue
        for key in COMPARED:
            if was.get(key) != now[key]:
                problems.append(
                    f"{fingerprint}: {_what(was)}: {key} {was.get(key)!r} -> {now[key]!r}"
                )
    for fingerprint, now in actual.items():
        if fingerprint not in expected:
            problems.append(f"{fingerprint}: {_what(now)}: found again, not in the report")
    return problems


def _fields(finding: Any, run: PackRun) -> dict[str, Any]:
    message = finding.message
    if run.waivers is not None and run.waivers_original is not None:
        message = message.replace(str(run.waivers), run.waivers_original)
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.label,
        "status": finding.status,
        "pointer": finding.pointer,
        "message": message,
        "destination": {"name": finding.destination.name},
    }


def _what(finding: Mapping[str, Any]) -> str:
    return f"{finding.get('rule_id')} on {finding.get('destination', {}).get('name')}"


def summary(run: PackRun, problems: Sequence[str]) -> str:
    if problems:
        return f"re-audit differs from {REPORT} in {len(problems)} way(s)"
    n = len(run.expected)
    what = "fingerprints, rules, severities, statuses, messages"
    return f"re-audit: {n} finding{'s' if n != 1 else ''}, identical to {REPORT} ({what})"
