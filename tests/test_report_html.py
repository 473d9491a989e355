"""The HTML report as text: escaped, self-contained, every view present, empty states."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from reporting_helpers import audit, destination, export, fixture_result, rendered

from auditor.outputs.templating import builtin_environment

RULE_WITH_BAD_REFERENCE = """\
id: bad-reference
title: Rule whose reference is a script URL
severity: low
summary: Test rule.
rationale: Test rule.
remediation: Test rule.
references: ["javascript:alert(1)", "https://example.com/ok"]
scope: destinations
assert:
  name: {equals: never-matches}
message: "{{ destination.name }}"
"""


def html() -> str:
    return rendered("html", fixture_result())


def test_autoescape_is_on_whatever_the_template_is_called() -> None:
    env = builtin_environment(html=True)
    assert env.autoescape is True
    template = env.from_string("{{ x }}")
    template.name = "report.html.j2"
    assert template.render(x="<b>&") == "&lt;b&gt;&amp;"


def test_data_is_escaped() -> None:
    page = html()
    assert "mobile &lt;b&gt;events&lt;/b&gt; | `prod` &amp; co" in page
    assert "<b>events</b>" not in page
    assert "ops|`admins` &lt;i&gt;" in page


def test_self_contained_with_a_script_only_csp() -> None:
    page = html()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1)
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp.group(1)
    assert not re.search(r"<(link|img|iframe|object|embed)\b|\bsrc=|@import|url\(", page)
    external = re.findall(r'href="([^"#][^"]*)"', page)
    # rule references: LaunchDarkly's docs, and its own repositories where a fact lives there
    sources = ("https://launchdarkly.com/", "https://github.com/launchdarkly/")
    assert external and all(h.startswith(sources) for h in external)


def test_header_has_verdict_source_time_version_and_ruleset() -> None:
    result = fixture_result()
    page = rendered("html", result)
    assert '<div class="verdict failed" id="verdict">' in page
    assert "The input has 2 schema problem(s)" in page
    assert result.source_sha256 in page and result.ruleset_sha256 in page
    assert "2026-01-31T12:00:00Z" in page and "auditor 0.1.0" in page
    assert "<code>tests/data/report-export.json</code>" in page


def test_every_view_is_present() -> None:
    page = html()
    for section in (
        "summary",
        "findings",
        "suppressed",
        "destinations",
        "rules",
        "compliance",
        "problems",
    ):
        assert f'<section id="{section}">' in page
    assert page.count('<svg class="chart"') == 2
    assert '<span class="pill off">off</span>' in page and '<span class="pill on">on</span>' in page
    assert "<h4>Why it matters</h4>" in page and "<h4>How to fix</h4>" in page
    assert "<td><strong>CC6.1</strong></td>" in page
    assert "Segment export paused during vendor migration | see &lt;CHG-42&gt;" in page
    assert "(no reason recorded)" in page
    assert '<td class="mono">/items/5/on</td><td>expected boolean, got &#34;yes&#34;</td>' in page
    assert "<dt>Role</dt><dd>ops|`admins` &lt;i&gt;</dd>" in page
    assert '<div class="filters" id="filters" role="search" hidden>' in page


def test_empty_states() -> None:
    page = rendered("html", audit(export()))
    assert "<strong>No destinations in this export.</strong>" in page
    assert '<div class="verdict passed"' in page
    clean = export(
        destination(
            "ok", "google-pubsub", index=1, config={"project": "p", "topic": "t"}, allowed=[]
        )
    )
    page = rendered("html", audit(clean))
    # never "every rule passed": the statement rules had no statement to check, and the
    # rules the tests --ignore did not run
    assert (
        "<strong>No findings.</strong>1 destination audited: 4 rules passed, "
        "18 not evaluated (see above)." in page
    )
    assert '<svg class="chart"' not in page and 'id="filters"' not in page


def test_only_web_references_become_links(tmp_path: Path) -> None:
    rule = tmp_path / "bad-reference.yaml"
    rule.write_text(RULE_WITH_BAD_REFERENCE, encoding="utf-8")
    page = rendered("html", audit(export(), rule_paths=[str(rule)]))
    assert "<li>javascript:alert(1)</li>" in page
    assert 'href="javascript' not in page
    assert '<a href="https://example.com/ok" rel="noopener noreferrer">' in page
