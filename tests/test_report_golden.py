"""The HTML, Markdown and CSV reports of a fixed audit match their golden files byte for byte."""

from __future__ import annotations

import pytest
from reporting_helpers import check_golden, fixture_result, rendered

from auditor.outputs import FORMATS

GOLDEN_FILES = {"html": "report.html", "markdown": "report.md", "csv": "findings.csv"}


@pytest.mark.parametrize("fmt", list(GOLDEN_FILES))
def test_report_matches_golden_file(fmt: str) -> None:
    check_golden(GOLDEN_FILES[fmt], rendered(fmt, fixture_result()))


@pytest.mark.parametrize("fmt", list(GOLDEN_FILES))
def test_report_is_deterministic(fmt: str) -> None:
    assert rendered(fmt, fixture_result()) == rendered(fmt, fixture_result())


@pytest.mark.parametrize("fmt", ["html", "markdown", "csv", "template"])
def test_report_formats_are_registered(fmt: str) -> None:
    assert fmt in FORMATS
    assert FORMATS[fmt].module == f"auditor.outputs.{'template' if fmt == 'template' else fmt}"
