"""GitHub Actions workflow commands for `diff` and `review`: what the change introduces.

One annotation per introduced open finding (critical and high `::error`, medium `::warning`,
low and info `::notice`, as `check -f github` does), one `::warning` per principal the change
lets do more to the exports and a `::notice` per one it lets do less, and a `::warning` for
plan resources that could not be reviewed. A finding on a destination a Terraform resource
manages names the resource's address. The annotations carry no file: the change is a plan
or a list of calls, not a line of the repository. Resolved findings are listed in a
collapsed group. Every value is escaped as GitHub asks (see `outputs.github`).
"""

from __future__ import annotations

from auditor.changes.access_diff import describe
from auditor.changes.diff import DiffResult
from auditor.models import Finding
from auditor.outputs.diff.context import verdict
from auditor.outputs.github import COMMANDS, command, escape_data
from auditor.outputs.sarif import level


def _annotation(result: DiffResult, f: Finding) -> str:
    d = f.destination
    where = f"{d.project or '-'}/{d.environment or '-'} {d.name} ({d.id})"
    address = result.plan.addresses.get(d.id) if result.plan is not None else None
    if address:
        where += f", {address}"
    return command(
        COMMANDS[level(f.severity)],
        f"{f.message} [{where}]",
        title=f"{f.rule_id} ({f.severity.label}): introduced by this change",
    )


def render(result: DiffResult) -> str:
    subject = "this plan" if result.plan else "this change" if result.change_path else None
    lines = [_annotation(result, f) for f in result.introduced if f.status == "open"]
    for change in result.access:
        widened = change.direction == "widened"
        lines.append(
            command(
                "warning" if widened else "notice",
                describe(change, subject=subject),
                title=f"auditor: access {change.direction} ({change.action})",
            )
        )
    if result.plan is not None and result.plan.not_reviewed:
        left = ", ".join(r.address for r in result.plan.not_reviewed)
        lines.append(
            command(
                "warning",
                f"not reviewed: {left}; the snapshot has no _account block "
                "(take one with auditor fetch --account)",
                title="auditor: plan resources not reviewed",
            )
        )
    if result.resolved:
        lines.append(command("group", f"Findings resolved ({len(result.resolved)})"))
        lines += [
            escape_data(f"  {f.rule_id} on {f.destination.name} ({f.destination.id}): {f.message}")
            for f in result.resolved
        ]
        lines.append("::endgroup::")
    v = verdict(result)
    counts = f"{len(result.introduced)} introduced, {len(result.resolved)} resolved"
    lines.append(escape_data(f"auditor: {v['label']}: {v['reason']} ({counts})"))
    return "\n".join(lines) + "\n"
