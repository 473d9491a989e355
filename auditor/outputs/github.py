"""GitHub Actions workflow commands: an annotation per open finding and schema problem.

Critical and high findings are `::error`, medium `::warning`, low and info `::notice`.
Waivers that need attention are `::warning`s on the waivers file. Waived and baselined
findings are listed in a collapsed group, not annotated, so they do not crowd out the
annotations GitHub shows (it keeps only a few per step). Every value is escaped as GitHub
asks, so no text from the export can start a workflow command of its own.
"""

from __future__ import annotations

from auditor.gate.waivers import attention
from auditor.models import AuditResult, Finding
from auditor.outputs import RenderOptions
from auditor.outputs.sarif import SCHEMA_ERROR as SCHEMA
from auditor.outputs.sarif import level
from auditor.outputs.text import clean, summary

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: object) -> str:
    """GitHub's escaping of a command's message; other control characters shown as \\xNN."""
    return clean(str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: object) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    """`::name k=v,...::message` with the properties that are not None, escaped."""
    given = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items() if v is not None)
    return f"::{name}{' ' if given else ''}{given}::{escape_data(message)}"


def _where(result: AuditResult, pointer: str) -> dict[str, object]:
    if result.source_file is None:  # stdin, or the API without --save: no file to point at
        return {}
    line, col = result.positions.get(pointer, (None, None))
    return {"file": result.source_file, "line": line, "col": col}


def _annotation(result: AuditResult, f: Finding) -> str:
    d = f.destination
    place = f"{d.project or '-'}/{d.environment or '-'} {d.name} ({d.id}), {f.pointer}"
    return command(
        COMMANDS[level(f.severity)],
        f"{f.message} [{place}]",
        **_where(result, f.pointer),
        title=f"{f.rule_id} ({f.severity.label}): {f.title}",
    )


def _accepted(f: Finding) -> str:
    if f.status == "waived" and f.waiver:
        why = f"waived by {f.waiver['owner']} until {f.waiver['expires']}: {f.waiver['reason']}"
    else:
        why = "in the baseline"
    d = f.destination
    return escape_data(f"  {f.rule_id} on {d.name} ({d.id}), {why}: {f.message}")


def render(result: AuditResult, options: RenderOptions) -> str:
    lines = [
        command("error", f"{p.pointer}: {p.message}", **_where(result, p.pointer), title=SCHEMA)
        for p in result.problems
    ]
    lines += [_annotation(result, f) for f in result.findings if f.status == "open"]
    for state in result.waivers:
        text = attention(state)
        if text:
            w = state.waiver
            title = f"waiver {state.state}"
            lines.append(command("warning", text, file=w.path, line=w.line, title=title))
    accepted = [f for f in result.findings if f.status != "open"]
    if accepted:
        lines.append(command("group", f"Waived and baselined findings ({len(accepted)})"))
        lines += [_accepted(f) for f in accepted]
        lines.append("::endgroup::")
    lines.append(escape_data(f"auditor: {summary(result)}"))
    return "\n".join(lines) + "\n"
