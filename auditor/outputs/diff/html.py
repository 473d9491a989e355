"""The HTML diff: one self-contained, autoescaped page from reports/diff.html, with no script."""

from __future__ import annotations

from auditor.changes import DiffResult
from auditor.outputs.diff.context import build_diff_context
from auditor.outputs.templating import builtin_environment, html_code_spans

TEMPLATE = "diff.html"


def render(result: DiffResult) -> str:
    env = builtin_environment(html=True, filters=(("code_spans", html_code_spans),))
    return env.get_template(TEMPLATE).render(build_diff_context(result))
