"""The HTML diff: one self-contained, autoescaped page from reports/diff.html, with no script."""

from __future__ import annotations

from typing import Any

from auditor.changes.diff import DiffResult
from auditor.outputs.diff.context import build_diff_context
from auditor.outputs.html import MAX_FINDINGS
from auditor.outputs.templating import builtin_environment, html_code_spans

TEMPLATE = "diff.html"
STATUSES = ("introduced", "resolved", "unchanged")


def render(result: DiffResult) -> str:
    env = builtin_environment(html=True, filters=(("code_spans", html_code_spans),))
    context = build_diff_context(result)
    context["unlisted"] = _cap(context["findings"], MAX_FINDINGS)
    return env.get_template(TEMPLATE).render(context)


def _cap(findings: dict[str, Any], limit: int) -> dict[str, int]:
    """List at most `limit` findings (introduced, then resolved, then unchanged), as the
    report does; the count left out of each list, which the JSON diff lists in full."""
    left = limit
    unlisted = {}
    for status in STATUSES:
        shown = findings[status][: max(left, 0)]
        unlisted[status] = len(findings[status]) - len(shown)
        findings[status] = shown
        left -= len(shown)
    return unlisted
