"""One finding's reasoning for a person: find it by fingerprint (or a unique prefix), render it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from auditor.errors import UsageError
from auditor.models import AuditResult, Finding, Rule
from auditor.outputs.text import clean


@dataclass(frozen=True, kw_only=True, slots=True)
class Explained:
    """A finding with the rule that made it and where the audited input came from."""

    finding: Finding
    rule: Rule
    source_path: str


class Ambiguous(UsageError):
    """Several findings match: `candidates` lists them, one line each."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


def find_finding(
    result: AuditResult,
    prefix: str | None,
    *,
    rule_id: str | None = None,
    destination: str | None = None,
) -> Explained:
    """The one finding matching a fingerprint prefix, a rule and a destination (name or id).

    UsageError when none matches, and when several do, listing them to choose from.
    """
    wanted = (prefix or "").strip().lower()
    matches = [
        f
        for f in result.findings
        if f.fingerprint.startswith(wanted)
        and (rule_id is None or f.rule_id == rule_id)
        and (destination is None or destination in (f.destination.id, f.destination.name))
    ]
    asked = _asked(prefix, rule_id, destination)
    if not matches:
        raise UsageError(f"no finding of {result.source_path} has {asked}")
    if len(matches) > 1:
        shown = [_candidate(f) for f in matches[:MAX_CANDIDATES]]
        if len(matches) > MAX_CANDIDATES:
            shown.append(f"... and {len(matches) - MAX_CANDIDATES} more")
        raise Ambiguous(
            f"{len(matches)} findings have {asked}; give one of these fingerprints:", shown
        )
    (finding,) = matches
    rule = next(r for r in result.rules if r.id == finding.rule_id)
    return Explained(finding=finding, rule=rule, source_path=result.source_path)


MAX_CANDIDATES = 10


def _asked(prefix: str | None, rule_id: str | None, destination: str | None) -> str:
    parts = [f"fingerprint {prefix!r}"] if prefix else []
    parts += [f"rule {rule_id!r}"] if rule_id else []
    parts += [f"destination {destination!r}"] if destination else []
    return " and ".join(parts)


def _candidate(f: Finding) -> str:
    d = f.destination
    return f"{f.short_fingerprint} {f.severity.label} {f.rule_id} on {d.name} ({d.id})"


def _block(title: str, text: str) -> list[str]:
    wrapped = textwrap.wrap(clean(text), width=98, break_on_hyphens=False) or [""]
    return [f"{title}:", *(f"  {line}" for line in wrapped)]


def render_explanation(explained: Explained) -> str:
    """Rule, rationale, destination, statement, the chain that decided, remediation."""
    f, rule = explained.finding, explained.rule
    d = f.destination
    lines = [
        f"{f.severity.label.upper()} {f.rule_id}: {clean(f.message)}",
        f"fingerprint {f.fingerprint}, status {f.status}, at {clean(f.pointer)} of "
        f"{clean(explained.source_path)}",
        "",
        *_block("Rule", f"{rule.title}. {rule.summary}"),
        *_block("Why it matters", rule.rationale),
        "",
        "Destination:",
        f"  {clean(d.name)} ({clean(d.kind)}, {clean(d.id)}) in project "
        f"{clean(d.project or '-')}, environment {clean(d.environment or '-')}",
    ]
    stmt = f.statement
    if stmt is not None:
        lines += [
            "",
            "Statement:",
            f"  role: {clean(stmt.role_name or '(none)')}",
            f"  effect: {clean(stmt.effect)} ({stmt.decision} for "
            f"{clean(', '.join(stmt.access_actions))})",
        ]
        for name, values in (
            ("resources", stmt.resources),
            ("notResources", stmt.not_resources),
            ("actions", stmt.actions),
            ("notActions", stmt.not_actions),
        ):
            if values:
                lines.append(f"  {name}: {clean(', '.join(values))}")
        lines.append(f"  cited at: {clean(stmt.pointer)}")
    if f.explanation:
        lines += ["", "How it was decided:", *(f"  - {clean(line)}" for line in f.explanation)]
    lines += ["", *_block("Remediation", rule.remediation)]
    if rule.references:
        lines += ["", "References:", *(f"  {clean(ref)}" for ref in rule.references)]
    return "\n".join(lines) + "\n"
