"""The Markdown report for PR comments and CI step summaries, from reports/report.md.

Every `{{ value }}` the template prints goes through `escape_markdown` (the environment's
`finalize`), so data can neither break a table nor add markup; escaping is not opt-in.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from auditor.models import AuditResult
from auditor.outputs import RenderOptions
from auditor.outputs.context import build_context
from auditor.outputs.templating import builtin_environment

TEMPLATE = "report.md"
MAX_REPORT_BYTES = 1_000_000
"""GitHub's step summary holds at most 1 MiB; keep well under it (a PR comment is 65,536
characters: use a smaller `--max-findings` there)."""

# Characters that carry meaning in GitHub Markdown or HTML, written as numeric references.
# `@` also gets a zero-width space so a name like `@org/team` cannot mention anyone.
_ENTITIES = {ch: f"&#{ord(ch)};" for ch in "&<>|`\\*_[]~"} | {"@": "&#64;&#8203;"}
# GitHub turns `scheme://...` and `www.` into links; an encoded `:` or `.` is not parsed as one.
_AUTOLINKS = re.compile(r"(?<=[A-Za-z0-9]):(?=//)|(?i:(?<=www))\.")
_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x85]")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TICKS = re.compile(r"`([^`]+)`")


def escape_markdown(value: Any) -> str:
    """`value` as inert text for a table cell or an HTML block: one line, no markup."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    text = _CONTROLS.sub(" ", _BREAKS.sub(" ", str(value)))
    text = "".join(_ENTITIES.get(ch, ch) for ch in text)
    return _AUTOLINKS.sub(lambda m: f"&#{ord(m.group())};", text)


def code_spans(value: Any) -> Markup:
    """Prose outside tables: `code` spans kept (their content is literal), the rest escaped."""
    out = []
    for index, part in enumerate(_TICKS.split(_CONTROLS.sub(" ", _BREAKS.sub(" ", str(value))))):
        is_code = index % 2 == 1
        if is_code and "|" not in part:
            out.append(f"`{part}`")
        else:
            out.append(escape_markdown(f"`{part}`" if is_code else part))
    return Markup("".join(out))


def render(result: AuditResult, options: RenderOptions) -> str:
    """The report, with at most `options.max_findings` findings listed (None: all).

    Whatever the limit, the report is cut further, by halves, until it fits in
    MAX_REPORT_BYTES (GitHub's limit for a step summary); the rest is counted.
    """
    context = build_context(result)
    env = builtin_environment(
        html=False, finalize=escape_markdown, filters=(("code_spans", code_spans),)
    )
    template = env.get_template(TEMPLATE)
    limit = options.max_findings
    while True:
        context["listing"] = listing(context, limit, options.full_reports)
        text: str = template.render(context)
        if len(text.encode("utf-8")) <= MAX_REPORT_BYTES or limit == 0:
            return text
        shown = len(context["findings"]) - context["listing"]["omitted"]
        limit = shown // 2


def listing(
    context: dict[str, Any], limit: int | None, full_reports: tuple[str, ...] = ()
) -> dict[str, Any]:
    """What the report lists under `--max-findings`: open findings per rule, then the accepted.

    Findings are taken in report order (severity, rule, destination) until `limit` is spent;
    the rest are counted in `omitted`, per group and in total.
    """
    budget = len(context["findings"]) if limit is None else limit
    groups = []
    for rule in context["rules"]:
        found = [f for f in rule["findings"] if f["status"] == "open"]
        if not found:
            continue
        shown = found[: max(budget, 0)]
        budget -= len(shown)
        if shown:
            groups.append({"rule": rule, "findings": shown, "omitted": len(found) - len(shown)})
    accepted = context["suppressed_findings"][: max(budget, 0)]
    listed = sum(len(g["findings"]) for g in groups) + len(accepted)
    remedies = {rule["id"]: rule["remediation"] for rule in context["rules"]}
    accepted_rules = dict.fromkeys(f["rule_id"] for f in accepted)
    return {
        "groups": groups,
        "suppressed": accepted,
        "suppressed_omitted": len(context["suppressed_findings"]) - len(accepted),
        "suppressed_remedies": [(r, remedies.get(r, "")) for r in accepted_rules],
        "omitted": len(context["findings"]) - listed,
        "max_findings": limit,
        "full_reports": list(full_reports),
    }
