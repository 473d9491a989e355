"""The output registry: one module per format, each `render(result, options) -> str`.

The CLI's `--format` choices come from `FORMATS`, so help and code cannot disagree. Modules
are imported only when their format is used, to keep start-up fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from auditor.models import AuditResult


@dataclass(frozen=True, kw_only=True, slots=True)
class RenderOptions:
    """How to render: presentation choices that are not part of the result."""

    color: bool = False
    max_findings: int | None = None


Renderer = Callable[[AuditResult, RenderOptions], str]


@dataclass(frozen=True, kw_only=True, slots=True)
class Format:
    name: str
    module: str
    description: str

    def renderer(self) -> Renderer:
        render: Renderer = importlib.import_module(self.module).render
        return render


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(name="text", module="auditor.outputs.text", description="terminal report"),
        Format(
            name="json", module="auditor.outputs.report_json", description="machine-readable report"
        ),
        Format(name="sarif", module="auditor.outputs.sarif", description="SARIF 2.1.0 log"),
        Format(name="junit", module="auditor.outputs.junit", description="JUnit XML"),
        Format(
            name="github",
            module="auditor.outputs.github",
            description="GitHub Actions workflow commands",
        ),
    )
}


def render(name: str, result: AuditResult, options: RenderOptions | None = None) -> str:
    return FORMATS[name].renderer()(result, options or RenderOptions())
