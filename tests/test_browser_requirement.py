"""Browser tests without a browser: skipped with a how-to on a fresh machine, failed in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ONE_BROWSER_TEST = "test_report_browser.py::test_without_javascript_every_finding_shows"


def run_browser_test(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """One real browser test in a child pytest, with Chromium pointed at a path that is absent."""
    environment = {k: v for k, v in os.environ.items() if k != "AUDITOR_REQUIRE_BROWSER"}
    environment.update(AUDITOR_CHROMIUM=str(tmp_path / "no-chromium-here"), **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", ONE_BROWSER_TEST],
        cwd=TESTS,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_chromium_browser_tests_are_skipped_saying_how_to_enable_them(
    tmp_path: Path,
) -> None:
    done = run_browser_test(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout
    assert "apt-get install chromium" in done.stdout
    assert "AUDITOR_REQUIRE_BROWSER=1" in done.stdout


@pytest.mark.parametrize("value", ["1", "yes"])
def test_when_required_a_missing_chromium_fails(tmp_path: Path, value: str) -> None:
    done = run_browser_test(tmp_path, AUDITOR_REQUIRE_BROWSER=value)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout
    assert "no-chromium-here not found; install it: apt-get install chromium" in done.stdout
