"""A user's own Jinja2 template (`--template PATH`), rendered in the sandbox with the context."""

from __future__ import annotations

from auditor.errors import UsageError
from auditor.models import AuditResult
from auditor.outputs import RenderOptions
from auditor.outputs.context import build_context
from auditor.outputs.templating import load_user_template, render_template


def render(result: AuditResult, options: RenderOptions) -> str:
    if options.template is None:
        raise UsageError("no template to render", hint="add --template PATH")
    template = load_user_template(options.template)
    return render_template(template, build_context(result), options.template)
