"""The HTML report in a real headless Chromium: hostile names stay text, filters work, no fetch.

Without Chromium these tests are skipped, saying how to enable them; CI requires them
(AUDITOR_REQUIRE_BROWSER=1 in .ci/run), so there a missing Chromium is a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page
from report_browser import chromium
from reporting_helpers import (  # noqa: F401 - the fixture is used by name
    ARTIFACTS,
    audit,
    destination,
    export,
    loopback_only_network_fixture,
    rendered,
)

from auditor.models import AuditResult, Finding

pytestmark = [pytest.mark.usefixtures("loopback_only_network"), pytest.mark.browser]

# Each payload would change the title, set window.__pwned or fetch something if it ran.
IMG = "<img src=x onerror=\"document.title='PWNED';window.__pwned='img'\">"
SCRIPT = "</script><script>document.title='PWNED';window.__pwned='script'</script>"
JS_URL = "javascript:document.title='PWNED';window.__pwned='url'"
ATTR = '"><svg onload="window.__pwned=\'attr\'"></svg><b x="'
FETCH = (
    "<img src='http://127.0.0.1:9/beacon'><link rel=stylesheet href='https://example.com/x.css'>"
)
ROLE = "<script>window.__pwned='role'</script><a href=\"javascript:window.__pwned='link'\">x</a>"
PROJECT = "proj'><img src=x onerror=window.__pwned='project'>"
NAMES = (IMG, SCRIPT, JS_URL, ATTR, FETCH)
WILD = {
    "effect": "allow",
    "resources": ["proj/*:env/*:destination/*"],
    "actions": ["updateOn"],
    "role_name": ROLE,
}


def hostile_export() -> dict[str, Any]:
    items = [
        destination(name, "kinesis", index=i, on=i % 2 == 0, project="payments", allowed=[WILD])
        for i, name in enumerate(NAMES)
    ]
    items.append(destination("plain-pubsub", "google-pubsub", index=9, project=PROJECT))
    items.append(destination(IMG, "s3", index=10, project="web", allowed=[]))
    items.append(destination("unlinked", "segment", index=11, project=None, on=False, allowed=[]))
    return export(*items)


@pytest.fixture(name="result")
def result_fixture() -> AuditResult:
    return audit(hostile_export())


@pytest.fixture(name="report")
def report_fixture(tmp_path: Path, result: AuditResult) -> Path:
    path = tmp_path / "report.html"
    path.write_text(rendered("html", result), encoding="utf-8")
    return path


def count(result: AuditResult, keep: Callable[[Finding], bool]) -> int:
    return sum(1 for f in result.findings if keep(f))


class Watch:
    """Everything the page did that it must not: requests, dialogs, errors, CSP violations."""

    def __init__(self, page: Page, url: str) -> None:
        self.url = url
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.route(
            "**/*", lambda route: route.abort() if route.request.url != url else route.continue_()
        )
        page.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )

    def assert_quiet(self, page: Page) -> None:
        assert self.requests == [self.url], "the report made a request"
        assert self.dialogs == []
        assert self.errors == []
        assert page.evaluate("window.__csp") == [], "something tried to break out of the CSP"


@pytest.fixture(name="browser")
def browser_fixture(tmp_path: Path) -> Iterator[BrowserContext]:
    with chromium(tmp_path / "profile", viewport={"width": 1280, "height": 900}) as context:
        yield context


def visible_rows(page: Page) -> int:
    return page.locator("tr[data-finding]:visible").count()


def test_hostile_names_stay_text_and_run_nothing(browser: BrowserContext, report: Path) -> None:
    page = browser.new_page()
    watch = Watch(page, report.as_uri())
    page.goto(report.as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-hostile.png"), full_page=True)

    assert page.evaluate("window.__pwned") is None
    assert page.title().startswith("Data Export audit")
    assert "PWNED" not in page.title()
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("document.images.length") == 0
    assert page.evaluate("document.querySelectorAll('svg:not(.chart), link, iframe').length") == 0
    hrefs = page.evaluate(
        "[...document.querySelectorAll('[href]')].map(a => a.getAttribute('href'))"
    )
    assert not [h for h in hrefs if not (h.startswith("#") or h.startswith("https://"))]
    text = page.inner_text("body")
    for payload in (*NAMES, ROLE, PROJECT):
        assert payload.replace("\n", " ") in text, f"payload not shown as text: {payload!r}"
    watch.assert_quiet(page)


@pytest.mark.parametrize(
    ("markup", "marker"),
    [
        (f"<div>{IMG}</div>", "img"),
        (f'<div title="{ATTR}"></div>', "attr"),
        (f"<script>var s = '{SCRIPT}';</script>", "script"),
    ],
)
def test_the_payloads_are_live_where_not_escaped(
    browser: BrowserContext, markup: str, marker: str
) -> None:
    """Control: unescaped, each payload runs, so the test above is not passing vacuously."""
    page = browser.new_page()
    page.set_content(f"<!DOCTYPE html><body>{markup}</body>")
    page.wait_for_function("window.__pwned !== undefined")
    assert page.evaluate("window.__pwned") == marker


def test_filters_change_the_visible_rows(
    browser: BrowserContext, report: Path, result: AuditResult
) -> None:
    page = browser.new_page()
    watch = Watch(page, report.as_uri())
    page.goto(report.as_uri())
    total = len(result.findings)
    assert page.is_visible("#filters")
    assert visible_rows(page) == total > 5

    page.select_option("#filter-severity", "low")
    low = count(result, lambda f: f.severity.label == "low")
    assert 0 < visible_rows(page) == low < total
    assert page.inner_text("#filter-count") == f"{low} of {total} findings shown"

    page.select_option("#filter-severity", "")
    page.select_option("#filter-rule", "wildcard-resource-grant")
    assert visible_rows(page) == len(NAMES)

    page.select_option("#filter-rule", "")
    page.select_option("#filter-project", "web")
    assert visible_rows(page) == count(result, lambda f: f.destination.project == "web") > 0

    page.select_option("#filter-project", PROJECT)
    assert visible_rows(page) == count(result, lambda f: f.destination.project == PROJECT) > 0

    page.select_option("#filter-project", "none")
    assert visible_rows(page) == count(result, lambda f: f.destination.project is None) > 0

    page.click("#filter-reset")
    page.fill("#filter-text", "svg onload")
    assert visible_rows(page) == count(result, lambda f: f.destination.name == ATTR) > 0
    page.fill("#filter-text", "no such text anywhere")
    assert visible_rows(page) == 0
    assert page.is_visible("#filter-empty")

    page.click("#filter-reset")
    assert visible_rows(page) == total
    watch.assert_quiet(page)


def test_without_javascript_every_finding_shows(tmp_path: Path, report: Path) -> None:
    with chromium(tmp_path / "profile", java_script_enabled=False) as context:
        page = context.new_page()
        page.goto(report.as_uri())
        assert page.locator("tr[data-finding]").count() == visible_rows(page) > 5
        assert not page.is_visible("#filters")


def test_print_layout_hides_the_controls(browser: BrowserContext, report: Path) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    page.emulate_media(media="print")
    assert not page.is_visible("#filters")
    assert not page.is_visible("nav.toc")
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "report-hostile.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
