"""The Markdown diff, for a PR comment, from reports/diff.md; every value escaped.

It reuses the Markdown report's `escape_markdown` as the environment's `finalize`, so a
destination name can neither break a table nor add markup.
"""

from __future__ import annotations

from auditor.changes.diff import DiffResult
from auditor.outputs.diff.context import build_diff_context
from auditor.outputs.markdown import code_spans, escape_markdown
from auditor.outputs.templating import builtin_environment

TEMPLATE = "diff.md"


def render(result: DiffResult) -> str:
    env = builtin_environment(
        html=False, finalize=escape_markdown, filters=(("code_spans", code_spans),)
    )
    return env.get_template(TEMPLATE).render(build_diff_context(result))
