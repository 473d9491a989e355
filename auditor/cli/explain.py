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


def find_finding(result: AuditResult, prefix: str) -> Explained:
    """The one finding whose fingerprint starts with `prefix`; UsageError for none or several."""
    wanted = prefix.strip().lower()
    matches = [f for f in result.findings if wanted and f.fingerprint.startswith(wanted)]
    if not matches:
        raise UsageError(f"no finding of {result.source_path} has fingerprint {prefix!r}")
    if len(matches) > 1:
        raise UsageError(
            f"fingerprint prefix {prefix!r} matches {len(matches)} findings; give more characters"
        )
    (finding,) = matches
    rule = next(r for r in result.rules if r.id == finding.rule_id)
    return Explained(finding=finding, rule=rule, source_path=result.source_path)


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
