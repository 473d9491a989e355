"""The output registry: one module per format, each `render(result, options) -> str`.

The CLI's `--format` choices come from `FORMATS`, so help and code cannot disagree. Modules
are imported only when their format is used, to keep start-up fast. Renderers read results
(`models`, `engine`, `changes`, `gate`, `launchdarkly`, `io`) and never fetch or print.
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
    """Markdown lists at most this many findings and counts the rest (None: all)."""
    full_reports: tuple[str, ...] = ()
    """Files of this run that list every finding (html, json, csv), for Markdown to point to."""
    template: str | None = None
    """The user's Jinja2 template file, for the `template` format."""
    width: int | None = None
    """The text report wraps to this many columns (a terminal's width); None: no wrapping."""
    quiet: bool = False
    """The text report is only its summary line."""
    compact: bool = False
    """The text report lists one line per finding."""
    new_only: bool = False
    """The text report lists only new findings (against the baseline or the history)."""
    show_suppressed: bool = False
    """The text report lists waived and baselined findings in full (else only counts them)."""


MARKDOWN_MAX_FINDINGS = 200
"""Findings `check` lists in the Markdown report unless --max-findings says otherwise: about
250 KB for the longest rows, so a step summary (1 MiB) holds it with room to spare."""

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
        Format(
            name="html", module="auditor.outputs.html", description="self-contained HTML report"
        ),
        Format(
            name="markdown",
            module="auditor.outputs.markdown",
            description="PR comment / CI step summary",
        ),
        Format(name="csv", module="auditor.outputs.csv", description="one row per finding"),
    )
}
"""The formats `-f NAME[:PATH]` offers: each renders from the result alone."""

TEMPLATE = Format(
    name="template",
    module="auditor.outputs.template",
    description="the user's Jinja2 template (`--template PATH`), sandboxed",
)
"""Not a `-f` choice: it needs `RenderOptions.template`, which `--template` gives."""


def render(name: str, result: AuditResult, options: RenderOptions | None = None) -> str:
    fmt = TEMPLATE if name == TEMPLATE.name else FORMATS[name]
    return fmt.renderer()(result, options or RenderOptions())
