"""Baselines: an earlier JSON report whose open findings are accepted, so only new ones fail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from auditor.errors import RuleError
from auditor.io import strictjson
from auditor.models import BaselineDiff, Finding, FindingDestination, ResolvedFinding

ACCEPTED_STATUSES = ("open", "baselined")
"""A finding waived in the baseline is not accepted by it: when its waiver lapses, it is new."""

_MAKE_ONE = "make one with `auditor check EXPORT -f json:baseline.json`"


@dataclass(frozen=True, kw_only=True, slots=True)
class Baseline:
    """The findings of an earlier report, by fingerprint, and which of them it accepts."""

    path: str
    findings: dict[str, ResolvedFinding]
    accepted: frozenset[str]


def load_baseline(path: str) -> Baseline:
    """Read a JSON report written by `-f json`; anything else is a one-line RuleError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleError(f"{path}: no such baseline file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read the baseline: {exc}") from None
    try:
        report = strictjson.loads(text)
    except (ValueError, RecursionError) as exc:
        raise RuleError(f"{path}: the baseline is not JSON ({exc}); {_MAKE_ONE}") from None
    findings = report.get("findings") if isinstance(report, dict) else None
    tool = report.get("tool") if isinstance(report, dict) else None
    if (
        not isinstance(findings, list)
        or not isinstance(tool, dict)
        or tool.get("name") != "auditor"
    ):
        raise RuleError(f"{path}: the baseline is not an auditor JSON report; {_MAKE_ONE}")
    entries = [_entry(path, i, f) for i, f in enumerate(report["findings"])]
    return Baseline(
        path=path,
        findings={e.fingerprint: e for e, _ in entries},
        accepted=frozenset(e.fingerprint for e, status in entries if status in ACCEPTED_STATUSES),
    )


def _is_report(value: Any) -> bool:
    if not isinstance(value, dict) or not isinstance(value.get("findings"), list):
        return False
    tool = value.get("tool")
    return isinstance(tool, dict) and tool.get("name") == "auditor"


def _entry(path: str, index: int, finding: Any) -> tuple[ResolvedFinding, str]:
    try:
        dest = finding["destination"]
        entry = ResolvedFinding(
            fingerprint=_text(finding["fingerprint"]),
            rule_id=_text(finding["rule_id"]),
            destination=FindingDestination(
                id=_text(dest["id"]),
                name=_text(dest["name"]),
                kind=_text(dest["kind"]),
                project=_text_or_none(dest["project"]),
                environment=_text_or_none(dest["environment"]),
            ),
        )
        return entry, _text(finding["status"])
    except (KeyError, TypeError, AttributeError):
        raise RuleError(
            f"{path}: findings[{index}]: expected fingerprint, rule_id, status and destination "
            "(id, name, kind) as in an auditor JSON report"
        ) from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _text_or_none(value: Any) -> str | None:
    return None if value is None else _text(value)


def apply_baseline(
    findings: Iterable[Finding], baseline: Baseline
) -> tuple[tuple[Finding, ...], BaselineDiff]:
    """Mark open findings the baseline accepts as baselined; list new and resolved ones."""
    out = tuple(
        replace(f, status="baselined")
        if f.status == "open" and f.fingerprint in baseline.accepted
        else f
        for f in findings
    )
    present = {f.fingerprint for f in out}
    diff = BaselineDiff(
        path=baseline.path,
        new=tuple(f.fingerprint for f in out if f.status == "open"),
        unchanged=sum(1 for f in out if f.status == "baselined"),
        resolved=tuple(e for fp, e in baseline.findings.items() if fp not in present),
    )
    return out, diff
