"""The diff output registry: one module per format, each `render(result) -> str`.

The same pattern as `auditor.outputs.FORMATS`, for `diff` and `review`; their `-f` choices
come from `DIFF_FORMATS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.io.yamlfile import did_you_mean

if TYPE_CHECKING:
    from auditor.changes.diff import DiffResult

DiffRenderer = Callable[["DiffResult"], str]


@dataclass(frozen=True, kw_only=True, slots=True)
class DiffFormat:
    name: str
    module: str
    description: str

    def renderer(self) -> DiffRenderer:
        render: DiffRenderer = importlib.import_module(self.module).render
        return render


DIFF_FORMATS: dict[str, DiffFormat] = {
    f.name: f
    for f in (
        DiffFormat(name="text", module="auditor.outputs.diff.text", description="terminal"),
        DiffFormat(
            name="json", module="auditor.outputs.diff.report_json", description="machine-readable"
        ),
        DiffFormat(
            name="markdown", module="auditor.outputs.diff.markdown", description="PR comment"
        ),
        DiffFormat(
            name="html", module="auditor.outputs.diff.html", description="self-contained page"
        ),
        DiffFormat(
            name="github", module="auditor.outputs.diff.github", description="CI annotations"
        ),
    )
}


def parse_diff_output(spec: str) -> tuple[str, str]:
    """`NAME[:PATH]` as (name, path "-" for stdout); ValueError for an unknown NAME."""
    name, _, path = spec.partition(":")
    if name not in DIFF_FORMATS:
        choices = ", ".join(DIFF_FORMATS)
        guess = did_you_mean(name, DIFF_FORMATS)
        raise ValueError(f"unknown format {name!r}{guess}; choose {choices}")
    return name, path or "-"


def render_diff(name: str, result: DiffResult) -> str:
    return DIFF_FORMATS[name].renderer()(result)
