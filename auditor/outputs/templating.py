"""Jinja2 environments for the built-in and user templates, and template errors as file:line."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
)
from markupsafe import Markup, escape

from auditor.errors import RuleError
from auditor.io import fsprobe
from auditor.io.paths import reports_dir
from auditor.io.sandbox import BoundedSandbox, render_bounded

_MARKUP_SUFFIXES = (".html", ".htm", ".xhtml", ".xml", ".svg")
_TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")
_TICKS = re.compile(r"`([^`\n]+)`")

Filter = Callable[[Any], Any]
USER_OUTPUT_LIMIT = 100_000_000
"""Characters a user template may write: far more than any report, far less than a runaway."""


@cache
def builtin_environment(
    *, html: bool, finalize: Filter | None = None, filters: tuple[tuple[str, Filter], ...] = ()
) -> Environment:
    """The environment of the templates in reports/: HTML ones are always autoescaped."""
    env = Environment(
        loader=FileSystemLoader(reports_dir()),
        autoescape=html,  # explicit, never by file name: `report.html.j2` would not be escaped
        finalize=finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(filters)
    return env


def html_code_spans(text: str) -> Markup:
    """Escape `text`, then show its `backticked` spans as <code> (rule docs use them)."""
    return Markup(_TICKS.sub(r"<code>\1</code>", str(escape(text))))


def is_markup(name: str) -> bool:
    """Whether a template file names an HTML/XML output, looking past a `.j2`-like suffix."""
    lowered = name.lower()
    for suffix in _TEMPLATE_SUFFIXES:
        lowered = lowered.removesuffix(suffix)
    return lowered.endswith(_MARKUP_SUFFIXES)


def load_user_template(path: str) -> Template:
    """Compile a user's template in the sandbox; a bad one is a RuleError naming file:line."""
    file = Path(path)
    if not fsprobe.is_file(file):
        raise RuleError(f"{path}: no such template file")
    # Jinja's own whitespace defaults, so a template behaves as its author knows Jinja. The
    # sandbox also bounds arithmetic, formatting and padding (see io.sandbox).
    env = BoundedSandbox(
        loader=FileSystemLoader(str(file.resolve().parent)),
        autoescape=is_markup(file.name),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    try:
        return env.get_template(file.name)
    except Exception as exc:
        raise template_error(exc, path) from None


def render_template(template: Template, context: Mapping[str, Any], label: str) -> str:
    """Render, turning any failure inside the template into a RuleError naming file:line.

    Rendering stops once the output passes USER_OUTPUT_LIMIT characters: that is an error too.
    """
    try:
        text, cut = render_bounded(template, dict(context), USER_OUTPUT_LIMIT)
    except Exception as exc:
        raise template_error(exc, label) from None
    if cut:
        raise RuleError(
            f"{label}: template error: the output passes {USER_OUTPUT_LIMIT:,} characters",
            hint="a loop that runs too often, or a value repeated too many times?",
        )
    return text


def template_error(exc: BaseException, label: str) -> RuleError:
    """A one-line error naming the template file and line where `exc` happened."""
    if isinstance(exc, TemplateSyntaxError):
        where = f"{_shown(exc.filename, label)}:{exc.lineno}"
        return RuleError(f"{where}: template syntax error: {exc.message}")
    if isinstance(exc, TemplateNotFound):
        return RuleError(f"{label}: template not found: {exc.name}")
    if isinstance(exc, UnicodeDecodeError):
        return RuleError(f"{label}: template is not valid UTF-8")
    frame = _template_frame(exc)
    where = f"{_shown(frame[0], label)}:{frame[1]}" if frame else label
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return RuleError(
        f"{where}: template error: {detail}",
        hint="see docs/readme-reports.md for the variables a template can use",
    )


def _shown(filename: str | None, label: str) -> str:
    """The file as the user named it when it is the main template, else its full path."""
    if filename is None or Path(filename) == Path(label).resolve():
        return label
    return filename


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """(file, line) of the innermost template frame (Jinja rewrites tracebacks to show them)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
