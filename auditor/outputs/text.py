"""The terminal report: what fails the gate first, by destination; wrapped and coloured on a
terminal; one summary line."""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Iterable

from auditor.gate.policy import fails
from auditor.models import CUT_MARK, AuditResult, Finding, Severity
from auditor.outputs import RenderOptions

_COLORS = {
    Severity.CRITICAL: "\033[1;35m",
    Severity.HIGH: "\033[1;31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_RESET = "\033[0m"
_INDENT = " " * 13
"""Explanation lines sit under the severity column, past the fingerprint."""
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


Group = tuple[tuple[str, ...], list[Finding]]


def _groups(findings: Iterable[Finding]) -> list[Group]:
    """Findings by destination; the destination with the most severe finding first."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in findings:
        d = f.destination
        key = (d.project or "-", d.environment or "-", d.name, d.id, d.kind)
        groups.setdefault(key, []).append(f)
    for members in groups.values():
        members.sort(key=lambda f: (-f.severity, f.rule_id, f.pointer))
    return sorted(groups.items(), key=lambda item: (-item[1][0].severity, item[0]))


def _status(f: Finding) -> str:
    if f.status == "waived" and f.waiver:
        return f" [waived by {clean(f.waiver['owner'])} until {f.waiver['expires']}]"
    return "" if f.status == "open" else f" [{f.status}]"


def new_fingerprints(result: AuditResult) -> frozenset[str] | None:
    """The findings new since the baseline (or, without one, the history's last run); None
    when the run has neither to compare with."""
    if result.baseline is not None:
        return frozenset(result.baseline.new)
    if result.history is not None:
        return frozenset(result.history.new)
    return None


class _Writer:
    """Lines of the report, wrapped to `width` with a hanging indent when one is given."""

    def __init__(self, options: RenderOptions, new: frozenset[str] | None) -> None:
        self.options = options
        self.new = new or frozenset()
        self.lines: list[str] = []

    def add(self, text: str, indent: int = 0) -> None:
        width = self.options.width
        if width is None or len(text) <= width:
            self.lines.append(text)
            return
        self.lines += textwrap.wrap(
            text,
            width=width,
            subsequent_indent=" " * indent,
            break_on_hyphens=False,
            drop_whitespace=True,
        ) or [text]

    def finding(self, f: Finding, place: str = "") -> None:
        label = f"{f.severity.label.upper():<8}"
        new = " NEW" if f.fingerprint in self.new and f.status == "open" else ""
        where = f" {place}" if place else ""
        head = f"{f.short_fingerprint} {label} {f.rule_id}{new}{_status(f)}{where}"
        prefix = "" if self.options.compact else "  "
        first = len(self.lines)
        self.add(f"{prefix}{head}: {clean(f.message)}", indent=len(prefix) + len(label) + 12)
        if self.options.color:  # paint the label after wrapping: escapes have no width
            line = self.lines[first]
            at = len(prefix) + len(f.short_fingerprint) + 1
            painted = _paint(label, f.severity, True)
            self.lines[first] = line[:at] + painted + line[at + len(label) :]
        if not self.options.compact:
            for line in f.explanation:
                self.add(f"{_INDENT}- {clean(line)}", indent=len(_INDENT) + 2)


def _place(f: Finding) -> str:
    d = f.destination
    return f"{clean(d.project or '-')}/{clean(d.environment or '-')}/{clean(d.name)}"


def _section(out: _Writer, title: str, findings: list[Finding]) -> None:
    if not findings:
        return
    out.lines.append("")
    out.add(f"{title} ({len(findings)}):")
    if out.options.compact:
        ordered = sorted(findings, key=lambda f: (-f.severity, f.rule_id, _place(f), f.pointer))
        for f in ordered:
            out.finding(f, _place(f))
        return
    for (project, environment, name, dest_id, kind), members in _groups(findings):
        out.lines.append("")
        out.add(
            f"{clean(project)} / {clean(environment)} / {clean(name)}"
            f" ({clean(kind)}, {clean(dest_id)})",
            indent=2,
        )
        for f in members:
            out.finding(f)


def render(result: AuditResult, options: RenderOptions) -> str:
    """The report: what fails the gate first, then the other open findings, then a summary.

    Waived and baselined findings are counted; listed in full with `show_suppressed`.
    """
    if options.quiet:
        return summary(result) + "\n"
    new = new_fingerprints(result)
    out = _Writer(options, new)
    source = f"{clean(result.source_path)} (sha256 {result.source_sha256[:12]})"
    out.add(f"auditor {result.tool_version}: {source}", indent=2)
    out.add(f"Access: {clean(result.access.summary)}", indent=2)
    if result.problems:
        out.lines.append("")
        out.add(f"Schema problems ({len(result.problems)}), these items were not audited:")
        for p in result.problems:
            out.add(f"  {clean(p.pointer)}: {clean(p.message)}", indent=4)
    shown = [
        f
        for f in result.findings
        if not options.new_only or (f.fingerprint in (new or ()) and f.status == "open")
    ]
    open_findings = [f for f in shown if f.status == "open"]
    failing = [f for f in open_findings if fails(f, result.gate)]
    suppressed = [f for f in shown if f.status != "open"]
    _section(out, "Failing the gate", failing)
    _section(
        out,
        "Not failing the gate" if failing else "Open findings",
        [f for f in open_findings if not fails(f, result.gate)],
    )
    if options.show_suppressed:
        _section(out, "Waived and baselined", suppressed)
    out.lines.append("")
    if suppressed and not options.show_suppressed:
        counts = Counter(f.status for f in suppressed)
        listed = " and ".join(f"{counts[s]} {s}" for s in ("waived", "baselined") if counts[s])
        out.add(f"Not listed: {listed} (--show-suppressed lists them)")
    if options.new_only:
        hidden = len(result.findings) - len(shown)
        out.add(f"Not listed: {hidden} findings that are not new (--new-only)")
    for line in [*gate_lines(result), *not_evaluated_lines(result)]:
        out.add(line, indent=2)
    out.add(summary(result), indent=2)
    return "\n".join(out.lines) + "\n"


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


def not_evaluated_lines(result: AuditResult) -> list[str]:
    """The rules that checked nothing, grouped by why: they must not read as passed."""
    from auditor.outputs.assurance import REASON_LABELS, rule_verdicts

    by_reason: dict[str, list[str]] = {}
    for v in rule_verdicts(result):
        if v.status == "not_evaluated" and v.reason is not None:
            by_reason.setdefault(REASON_LABELS[v.reason], []).append(clean(v.rule.id))
    if not by_reason:
        return []
    parts = [
        f"{', '.join(ids)} ({reason})" if len(ids) <= 3 else f"{len(ids)} rules ({reason})"
        for reason, ids in by_reason.items()
    ]
    return [f"Not evaluated, so not passed: {'; '.join(parts)}"]


def summary(result: AuditResult) -> str:
    """The one-line verdict: destinations, open findings by severity, the rest, pass or fail."""
    counts = result.counts_by_severity("open")
    detail = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    open_count = sum(counts.values())
    statuses = result.counts_by_status()
    other = "".join(f", {statuses[s]} {s}" for s in ("waived", "baselined") if statuses[s])
    verdict = "passed" if result.passed else "FAILED"
    cut = f" ({result.shortened} long strings cut, each marked {CUT_MARK}...])"
    cut = cut if result.shortened else ""
    gate = "" if result.fail_on == "never" else f" at --fail-on {result.fail_on}"
    if result.gate.hard_fail_on:
        gate += f" {'and' if gate else 'at'} --hard-fail-on {','.join(result.gate.hard_fail_on)}"
    return (
        f"{len(result.destinations)} destinations audited, {open_count} open findings"
        + (f" ({detail})" if detail else "")
        + other
        + (f", {len(result.problems)} schema problems" if result.problems else "")
        + f": {verdict}{gate}"
        + cut
    )
