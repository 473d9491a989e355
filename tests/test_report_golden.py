"""The HTML, Markdown and CSV reports of a fixed audit match their golden files byte for byte."""

from __future__ import annotations

import pytest
from reporting_helpers import check_golden, fixture_result, rendered

from auditor.outputs import FORMATS, TEMPLATE

GOLDEN_FILES = {"html": "report.html", "markdown": "report.md", "csv": "findings.csv"}


@pytest.mark.parametrize("fmt", list(GOLDEN_FILES))
def test_report_matches_golden_file(fmt: str, pytestconfig: pytest.Config) -> None:
    update = bool(pytestconfig.getoption("--update-golden", default=False))
    check_golden(GOLDEN_FILES[fmt], rendered(fmt, fixture_result()), update=update)


@pytest.mark.parametrize("fmt", list(GOLDEN_FILES))
def test_report_is_deterministic(fmt: str) -> None:
    assert rendered(fmt, fixture_result()) == rendered(fmt, fixture_result())


@pytest.mark.parametrize("fmt", ["html", "markdown", "csv"])
def test_report_formats_are_registered(fmt: str) -> None:
    assert FORMATS[fmt].module == f"auditor.outputs.{fmt}"


def test_the_user_template_is_rendered_but_not_offered_by_f() -> None:
    assert "template" not in FORMATS
    assert TEMPLATE.module == "auditor.outputs.template"
