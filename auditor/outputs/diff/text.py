"""The terminal diff: destinations, grants and findings that changed, and a verdict line."""

from __future__ import annotations

from typing import Any

from auditor.changes.diff import DiffResult
from auditor.outputs.diff.context import build_diff_context
from auditor.outputs.text import clean, gate_lines

_MARKS = {"added": "+", "removed": "-", "changed": "~", "introduced": "+", "resolved": "-"}
_PLAN_MARKS = {"create": "+", "delete": "-", "update": "~", "replace": "-/+", "forget": "."}


def _place(d: dict[str, Any]) -> str:
    return " / ".join(clean(d[k] or "-") for k in ("project", "environment", "name"))


def _where(d: dict[str, Any]) -> str:
    return f"{_place(d)} ({clean(d['kind'])}, {clean(d['id'])})"


def _statement(s: dict[str, Any]) -> str:
    role = clean(s["role_name"] or "(no role)")
    actions = ", ".join(s["actions"]) or "not " + ", ".join(s["notActions"])
    resources = ", ".join(s["resources"]) or "not " + ", ".join(s["notResources"])
    return f"{role}: {s['effect']} {clean(actions)} on {clean(resources)} ({s['decision']})"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


def _header(ctx: dict[str, Any]) -> list[str]:
    before, after = ctx["before"], ctx["after"]
    lines = [
        f"auditor {ctx['tool']['version']}: {'review' if ctx['change'] else 'diff'}",
        f"  before: {clean(before['source']['path'])} (sha256 {before['source']['sha256'][:12]})",
    ]
    if ctx["change"]:
        what = "plan:  " if ctx["plan"] else "change:"
        lines.append(f"  {what} {clean(ctx['change']['path'])}")
    lines.append(
        f"  after:  {clean(after['source']['path'])} (sha256 {after['source']['sha256'][:12]})"
    )
    for side in (before, after):
        path = clean(side["source"]["path"])
        for p in side["schema_errors"]:
            lines.append(
                f"  schema problem in {path}: {clean(p['pointer'])}: {clean(p['message'])}"
            )
    return lines


def _destinations(ctx: dict[str, Any]) -> list[str]:
    lines = ["", f"Destinations: {_counts(ctx['summary']['destinations'])}"]
    for change in ctx["destinations"]:
        dest = change["destination"]
        state = "" if change["change"] == "changed" else (" on" if dest["on"] else " off")
        lines.append(f"  {_MARKS[change['change']]} {_where(dest)}{state}")
        lines += [f"      {clean(f['field'])}: {clean(f['text'])}" for f in change["fields"]]
    return lines


def _grants(ctx: dict[str, Any]) -> list[str]:
    lines = ["", f"Grants: {_counts(ctx['summary']['grants'])}"]
    for grant in ctx["grants"]:
        lines.append(f"  {_where(grant['destination'])}")
        for s in grant["statements"]:
            mark = _MARKS[s["change"]]
            lines.append(f"    {mark} {s['direction']:<8} {_statement(s['statement'])}")
        for f in grant["flips"]:
            flip = f"{clean(f['action'])}: {f['before']} → {f['after']}"
            lines.append(f"    ~ {f['direction']:<8} {flip}")
    return lines


def _plan(ctx: dict[str, Any]) -> list[str]:
    plan = ctx["plan"]
    if plan is None:
        return []
    version = f", Terraform {plan['terraform_version']}" if plan["terraform_version"] else ""
    counts = ", ".join(f"{n} {name}" for name, n in plan["actions"].items()) or "none"
    lines = ["", f"Plan (format {clean(plan['format_version'])}{clean(version)}): "
                 f"{len(plan['resources'])} LaunchDarkly resource change(s): {counts}"]  # fmt: skip
    if plan["ignored"]:
        other = ", ".join(f"{clean(i['type'])}: {i['changes']}" for i in plan["ignored"])
        lines.append(f"  other resource changes, not reviewed: {other}")
    if plan["complete"] is False:
        lines.append("  this plan is incomplete (complete: false): what it leaves out is not seen")
    for r in plan["resources"]:
        if r["action"] in ("no-op", "read"):
            continue
        mark = _PLAN_MARKS.get(r["action"], "?")
        lines.append(f"  {mark} {clean(r['address'])} ({r['action']}): {clean(r['target'])}")
        if r["sensitive"]:
            lines.append(f"      sensitive, not shown: {clean(', '.join(r['sensitive']))}")
        if r["unknown"]:
            lines.append(f"      known after apply: {clean(', '.join(r['unknown']))}")
        lines += [f"      note: {clean(n)}" for n in r["notes"]]
    return lines


def _access(ctx: dict[str, Any]) -> list[str]:
    access = ctx["access"]
    if not access["compared"]:
        return []
    lines = ["", f"Access: {access['widened']} widened, {access['narrowed']} narrowed"]
    for c in access["changes"]:
        mark = "+" if c["direction"] == "widened" else "-"
        places = ", ".join(
            f"{clean(d['project'] or '-')}/{clean(d['environment'] or '-')} {clean(d['name'])}"
            for d in c["destinations"][:5]
        )
        more = len(c["destinations"]) - 5
        places += f" and {more} more" if more > 0 else ""
        lines.append(f"  {mark} {clean(c['text'])}: {places}")
    return lines


def _status(f: dict[str, Any]) -> str:
    """The mark `check` gives a finding that does not count: waived (by whom) or baselined."""
    waiver = f.get("waiver")
    if f["status"] == "waived" and waiver:
        return f" [waived by {clean(waiver['owner'])} until {clean(waiver['expires'])}]"
    return "" if f["status"] == "open" else f" [{f['status']}]"


def _findings(ctx: dict[str, Any]) -> list[str]:
    lines = ["", f"Findings: {_counts(ctx['summary']['findings'])}"]
    for status in ("introduced", "resolved"):
        for f in ctx["findings"][status]:
            head = f"{_MARKS[status]} {f['severity'].upper():<8} {f['rule_id']}{_status(f)}"
            lines.append(f"  {head}: {_place(f['destination'])}: {clean(f['message'])}")
    return lines


def render(result: DiffResult) -> str:
    ctx = build_diff_context(result)
    before, after, v = ctx["before"], ctx["after"], ctx["verdict"]
    gate = "" if v["fail_on"] == "never" else f" at --fail-on {v['fail_on']}"
    verdict = (
        f"{before['destinations']} destinations before, {after['destinations']} after; "
        f"{sum(before['by_severity'].values())} open findings before, "
        f"{sum(after['by_severity'].values())} after: "
        f"{'passed' if v['passed'] else 'FAILED'}{gate} ({v['reason']})"
    )
    waivers = [f"  {line}" for line in gate_lines(result.after) if line.startswith("Waivers")]
    waivers += [
        f"    applied: {clean(w.waiver.rule)} ({clean(w.waiver.owner)}, until "
        f"{w.waiver.expires}) to {w.matched} finding(s) after the change"
        for w in result.after.waivers
        if w.matched
    ]
    lines = [
        *_header(ctx),
        *waivers,
        *_plan(ctx),
        *_destinations(ctx),
        *_grants(ctx),
        *_access(ctx),
        *_findings(ctx),
    ]
    lines += ["", verdict]
    return "\n".join(lines) + "\n"
