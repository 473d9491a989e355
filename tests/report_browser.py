"""Headless Chromium for the report tests: Playwright driving Debian's /usr/bin/chromium.

No browser is downloaded: `playwright install` is never needed. Run as a script to redo the
README screenshot: `python tests/report_browser.py` writes docs/report-screenshot.png.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM = os.environ.get("AUDITOR_CHROMIUM", "/usr/bin/chromium")
# The profile directory (--user-data-dir) is a fresh one, given to launch_persistent_context.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parent.parent


REQUIRE = "AUDITOR_REQUIRE_BROWSER"
"""Set to 1 (as `.ci/run` does) to make a missing Chromium fail the browser tests."""
HOW_TO_ENABLE = (
    f"needs Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
    f"(or point AUDITOR_CHROMIUM at one); CI sets {REQUIRE}=1, which makes its absence a failure"
)


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file()


def browser_required() -> bool:
    return os.environ.get(REQUIRE, "") not in ("", "0")


class ChromiumMissing(AssertionError):
    """Chromium is not installed where it is required: a failure, not a skip."""


@contextmanager
def chromium(profile: Path, **options: Any) -> Iterator[BrowserContext]:
    """A headless Chromium context with a fresh profile in `profile`, offline."""
    if not chromium_available():
        raise ChromiumMissing(f"{CHROMIUM} not found; install it: apt-get install chromium")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            offline=True,
            **options,
        )
        try:
            yield context
        finally:
            context.close()


def print_to_pdf(html: Path, pdf: Path, profile: Path) -> None:
    """Print `html` to `pdf` as a user's browser would: Chromium's own `--print-to-pdf`."""
    if not chromium_available():
        raise ChromiumMissing(f"{CHROMIUM} not found; install it: apt-get install chromium")
    subprocess.run(
        [
            CHROMIUM,
            *ARGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def pdf_pages(pdf: Path) -> int:
    """The number of pages of a PDF Chromium wrote: its page objects (`/Type /Page`)."""
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    assert not counts or max(counts) == pages, "page objects and the page tree disagree"
    return pages


def screenshot(html: Path, png: Path, *, width: int = 1280, height: int | None = None) -> None:
    """A screenshot of the report in `html`: the whole page, or its top `height` pixels."""
    with (
        tempfile.TemporaryDirectory() as profile,
        chromium(Path(profile), viewport={"width": width, "height": height or 900}) as context,
    ):
        page = context.new_page()
        page.goto(html.as_uri())
        page.screenshot(path=str(png), full_page=height is None)


def main() -> None:
    """Redo docs/report-screenshot.png from examples/destinations.json."""
    sys.path.insert(0, str(ROOT))
    from reporting_helpers import NOW

    from auditor.audit import AuditOptions, run_audit
    from auditor.io.sources import read_source
    from auditor.outputs import render

    os.chdir(ROOT)
    result = run_audit(read_source("examples/destinations.json"), AuditOptions(now=NOW))
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        html.write_text(render("html", result), encoding="utf-8")
        screenshot(html, ROOT / "docs" / "report-screenshot.png", width=1280, height=1500)


if __name__ == "__main__":
    main()
