"""The HTML report: one self-contained, offline, printable file from reports/report.html."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from auditor.models import AuditResult
from auditor.outputs import RenderOptions
from auditor.outputs.context import build_context
from auditor.outputs.templating import builtin_environment, html_code_spans

TEMPLATE = "report.html"
SCRIPT = "partials/filters.js"
MAX_FINDINGS = 5_000
"""Findings the page lists at most, open ones first; a browser slows to a crawl past that.
The counts and charts still cover every finding, and the JSON report lists them all."""


def render(result: AuditResult, options: RenderOptions) -> str:
    env = builtin_environment(html=True, filters=(("code_spans", html_code_spans),))
    context = build_context(result)
    _mark_listed(context, MAX_FINDINGS)
    # The page's Content-Security-Policy allows exactly this inline script and nothing else.
    script = env.get_template(SCRIPT).render()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    context["script_csp"] = f"sha256-{digest}"
    return env.get_template(TEMPLATE).render(context)


def _mark_listed(context: dict[str, Any], limit: int) -> None:
    """Mark the first `limit` findings (open first, in report order) as listed on the page.

    Every view holds the same finding objects, so each list shows only its listed ones and
    says how many it leaves out; `unlisted` counts them all.
    """
    listed = [*context["open_findings"], *context["suppressed_findings"]][:limit]
    keep = {id(view) for view in listed}
    for view in context["findings"]:
        view["listed"] = id(view) in keep
    context["unlisted"] = len(context["findings"]) - len(listed)
    context["max_listed"] = limit
