"""The HTML report: one self-contained, offline, printable file from reports/report.html."""

from __future__ import annotations

import base64
import hashlib

from auditor.models import AuditResult
from auditor.outputs import RenderOptions
from auditor.outputs.context import build_context
from auditor.outputs.templating import builtin_environment, html_code_spans

TEMPLATE = "report.html"
SCRIPT = "partials/filters.js"


def render(result: AuditResult, options: RenderOptions) -> str:
    env = builtin_environment(html=True, filters=(("code_spans", html_code_spans),))
    context = build_context(result)
    # The page's Content-Security-Policy allows exactly this inline script and nothing else.
    script = env.get_template(SCRIPT).render()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    context["script_csp"] = f"sha256-{digest}"
    return env.get_template(TEMPLATE).render(context)
