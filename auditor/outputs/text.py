"""The terminal report: findings grouped by destination, coloured on a TTY, one summary line."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from auditor.models import AuditResult, Finding, Severity
from auditor.outputs import RenderOptions

_COLORS = {
    Severity.CRITICAL: "\033[1;35m",
    Severity.HIGH: "\033[1;31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_RESET = "\033[0m"
_INDENT = " " * 11
"""Explanation lines sit under the rule id, past the severity column."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """Printable text on one line: control characters (terminal escapes included) shown as
    \\xNN, line separators and bidi overrides (which reorder what a terminal shows) as \\uNNNN."""
    return _CONTROL.sub(_escape, str(text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _paint(text: str, severity: Severity, color: bool) -> str:
    return f"{_COLORS[severity]}{text}{_RESET}" if color else text


def _groups(findings: Iterable[Finding]) -> dict[tuple[str, ...], list[Finding]]:
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in findings:
        d = f.destination
        key = (d.project or "-", d.environment or "-", d.name, d.id, d.kind)
        groups.setdefault(key, []).append(f)
    return dict(sorted(groups.items()))


def _status(f: Finding) -> str:
    if f.status == "waived" and f.waiver:
        return f" [waived by {clean(f.waiver['owner'])} until {f.waiver['expires']}]"
    return "" if f.status == "open" else f" [{f.status}]"


def gate_lines(result: AuditResult) -> list[str]:
    """One line each about waivers and the baseline, when they were used."""
    lines = []
    if result.waivers_path is not None:
        states = Counter(s.state for s in result.waivers)
        detail = ", ".join(f"{states[k]} {k}" for k in ("active", "expiring", "expired", "stale"))
        lines.append(f"Waivers {clean(result.waivers_path)}: {detail}")
    if result.baseline is not None:
        b = result.baseline
        lines.append(
            f"Baseline {clean(b.path)}: {len(b.new)} new, {b.unchanged} unchanged,"
            f" {len(b.resolved)} resolved"
        )
    return lines


def render(result: AuditResult, options: RenderOptions) -> str:
    source = f"{clean(result.source_path)} (sha256 {result.source_sha256[:12]})"
    lines = [f"auditor {result.tool_version}: {source}", f"Access: {clean(result.access.summary)}"]
    if result.problems:
        lines.append("")
        lines.append(f"Schema problems ({len(result.problems)}), these items were not audited:")
        lines += [f"  {clean(p.pointer)}: {clean(p.message)}" for p in result.problems]
    for (project, environment, name, dest_id, kind), findings in _groups(result.findings).items():
        lines.append("")
        lines.append(
            f"{clean(project)} / {clean(environment)} / {clean(name)}"
            f" ({clean(kind)}, {clean(dest_id)})"
        )
        for f in findings:
            label = _paint(f"{f.severity.label.upper():<8}", f.severity, options.color)
            status = _status(f)
            lines.append(f"  {label} {f.rule_id}{status}: {clean(f.message)}")
            lines += [f"{_INDENT}- {clean(line)}" for line in f.explanation]
    lines.append("")
    lines += gate_lines(result)
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def summary(result: AuditResult) -> str:
    """The one-line verdict: destinations, open findings by severity, the rest, pass or fail."""
    counts = result.counts_by_severity("open")
    detail = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    open_count = sum(counts.values())
    statuses = result.counts_by_status()
    other = "".join(f", {statuses[s]} {s}" for s in ("waived", "baselined") if statuses[s])
    verdict = "passed" if result.passed else "FAILED"
    gate = "" if result.fail_on == "never" else f" at --fail-on {result.fail_on}"
    if result.gate.hard_fail_on:
        gate += f" {'and' if gate else 'at'} --hard-fail-on {','.join(result.gate.hard_fail_on)}"
    return (
        f"{len(result.destinations)} destinations audited, {open_count} open findings"
        + (f" ({detail})" if detail else "")
        + other
        + (f", {len(result.problems)} schema problems" if result.problems else "")
        + f": {verdict}{gate}"
    )
