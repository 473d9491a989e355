"""The HTML report in real headless Chromium: the compliance tables, the waiver register and
the remediation toggle on screen; and on paper (Chromium's own --print-to-pdf) at most six
pages for the bundled example, the verdicts first, no finding split across pages.

Without Chromium these tests are skipped, saying how to enable them; CI requires them
(AUDITOR_REQUIRE_BROWSER=1 in .ci/run), so there a missing Chromium is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page
from report_browser import chromium, pdf_pages, print_to_pdf
from reporting_helpers import (  # noqa: F401 - the fixture is used by name
    ARTIFACTS,
    NOW,
    ROOT,
    loopback_only_network_fixture,
)

from auditor.audit import AuditOptions, run_audit
from auditor.io.sources import read_source
from auditor.outputs import render

pytestmark = [pytest.mark.usefixtures("loopback_only_network"), pytest.mark.browser]

EXAMPLE = ROOT / "examples" / "destinations.json"
WAIVERS = ROOT / "examples" / "waivers.yaml"
MAX_PAGES = 6
A4_PRINTABLE_HEIGHT = (297 - 2 * 11) / 25.4 * 96
"""CSS pixels of one A4 page inside the print stylesheet's 11 mm margins."""


def example_report(tmp_path: Path, *, waivers: bool) -> Path:
    options = AuditOptions(now=NOW, waivers=str(WAIVERS) if waivers else None)
    result = run_audit(read_source(str(EXAMPLE)), options)
    path = tmp_path / ("example-waivers.html" if waivers else "example.html")
    path.write_text(render("html", result), encoding="utf-8")
    return path


@pytest.fixture(name="report")
def report_fixture(tmp_path: Path) -> Path:
    return example_report(tmp_path, waivers=True)


@pytest.fixture(name="browser")
def browser_fixture(tmp_path: Path) -> Iterator[BrowserContext]:
    with chromium(tmp_path / "profile", viewport={"width": 1280, "height": 900}) as context:
        yield context


@pytest.mark.parametrize("waivers", [False, True], ids=["example", "example-with-waivers"])
def test_the_example_prints_on_at_most_six_pages(tmp_path: Path, waivers: bool) -> None:
    html = example_report(tmp_path, waivers=waivers)
    pdf = tmp_path / "report.pdf"
    print_to_pdf(html, pdf, tmp_path / "profile")
    pages = pdf_pages(pdf)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / pdf.name.replace(".pdf", f"-{'waivers' if waivers else 'plain'}.pdf")).write_bytes(
        pdf.read_bytes()
    )
    assert 1 <= pages <= MAX_PAGES, f"{pages} pages"


def printed(browser: BrowserContext, report: Path) -> Page:
    """The report laid out for paper: the print stylesheet, an A4 page's width."""
    page = browser.new_page()
    page.set_viewport_size({"width": round((210 - 2 * 10) / 25.4 * 96), "height": 1000})
    page.goto(report.as_uri())
    page.emulate_media(media="print")
    return page


def top_of(page: Page, selector: str) -> float:
    return float(
        page.evaluate(
            f"document.querySelector('{selector}').getBoundingClientRect().top + window.scrollY"
        )
    )


def bottom_of(page: Page, selector: str) -> float:
    return float(
        page.evaluate(
            f"document.querySelector('{selector}').getBoundingClientRect().bottom + window.scrollY"
        )
    )


def test_the_first_page_holds_the_verdict_the_summary_and_every_control_verdict(
    browser: BrowserContext, report: Path
) -> None:
    page = printed(browser, report)
    for selector in ("#verdict", "#summary .cards", "#not-evaluated", "#control-verdicts"):
        assert bottom_of(page, selector) < A4_PRINTABLE_HEIGHT, selector
    chips = page.locator("#control-verdicts li").all_inner_texts()
    assert len(chips) == page.locator("table.controls tbody tr").count() > 10
    assert any(text.startswith("CC6.7 not evaluated") for text in chips)


def test_paper_hides_filters_navigation_and_toggles(browser: BrowserContext, report: Path) -> None:
    page = printed(browser, report)
    for selector in ("nav.toc", "#filters", ".charts", "details.fix"):
        hidden = page.evaluate(
            f"[...document.querySelectorAll('{selector}')].every(e => getComputedStyle(e).display === 'none')"
        )
        assert hidden, selector


def test_no_finding_is_split_across_pages(browser: BrowserContext, report: Path) -> None:
    page = printed(browser, report)
    styles = page.evaluate(
        "[...document.querySelectorAll('tr[data-finding], .rule, .card')]"
        ".map(e => getComputedStyle(e).breakInside)"
    )
    assert styles and set(styles) == {"avoid"}


def test_screen_shows_a_table_per_framework(browser: BrowserContext, report: Path) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    tables = page.locator("#compliance .framework")
    assert tables.count() == 3
    names = [tables.nth(i).locator("h3").inner_text().split(" ·")[0] for i in range(3)]
    assert names == ["SOC 2", "ISO/IEC 27001:2022", "GDPR"]
    row = page.locator('#framework-iso27001 tr[data-control="A.5.15"]')
    assert row.is_visible()
    assert "Access control" in row.inner_text() and "failed" in row.inner_text()
    gdpr = page.locator('#framework-gdpr tr[data-control="Art. 28"]').inner_text()
    assert "Processor" in gdpr and "not evaluated" in gdpr
    link = row.locator("td.links a").first
    target = link.get_attribute("href")
    link.click()
    assert page.evaluate("location.hash") == target
    assert page.locator(f"tr{target}").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-compliance.png"), full_page=True)


def test_screen_shows_the_waiver_register(browser: BrowserContext, report: Path) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    rows = page.locator("#waiver-register tbody tr")
    assert rows.count() == 4
    first = rows.nth(0).inner_text()
    for text in (
        "destination-disabled",
        "web-platform@acme.example",
        "WEB-412",
        "2027-01-31",
        "365 days",
        "active",
        "web-segment",
    ):
        assert text in first, text


def test_the_remediation_opens_on_click(browser: BrowserContext, report: Path) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    fix = page.locator("#open-findings details.fix").first
    body = fix.locator("p")
    assert fix.is_visible() and not body.is_visible()
    fix.locator("summary").click()
    assert body.is_visible()
    assert len(body.inner_text()) > 20
