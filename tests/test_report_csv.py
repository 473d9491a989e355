"""The CSV output: one row per finding, fixed columns, no cell a spreadsheet would execute."""

from __future__ import annotations

import csv
import io

import pytest
from reporting_helpers import audit, destination, export, fixture_result, rendered

from auditor.outputs.csv import COLUMNS, neutralise

EXPECTED_COLUMNS = [
    "severity",
    "rule_id",
    "title",
    "status",
    "project",
    "environment",
    "destination_id",
    "destination_name",
    "kind",
    "message",
    "pointer",
    "fingerprint",
    "controls",
    "remediation",
    "waiver_owner",
    "waiver_reason",
    "waiver_ticket",
    "waiver_expires",
    "first_seen",
]


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_and_one_row_per_finding() -> None:
    result = fixture_result()
    text = rendered("csv", result)
    assert list(COLUMNS) == EXPECTED_COLUMNS
    assert text.splitlines()[0] == ",".join(EXPECTED_COLUMNS)
    rows = read(text)
    assert len(rows) == len(result.findings)
    assert [r["fingerprint"] for r in rows] == [f.fingerprint for f in result.findings]
    assert {r["status"] for r in rows} == {"open", "waived", "baselined"}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_are_neutralised(start: str) -> None:
    assert neutralise(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


@pytest.mark.parametrize("cell", ["plain", "", " plain", "a=b", "'quoted", "1-2"])
def test_other_cells_are_unchanged(cell: str) -> None:
    assert neutralise(cell) == cell


def test_hostile_destination_names_are_neutralised_in_every_cell() -> None:
    names = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
    doc = export(
        *(destination(n, "kinesis", index=i, on=False, allowed=[]) for i, n in enumerate(names))
    )
    rows = read(rendered("csv", audit(doc)))
    shown = sorted(r["destination_name"] for r in rows)
    assert shown == sorted(f"'{n}" for n in names)
    for row in rows:
        assert None not in row and None not in row.values()  # every row parsed whole
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_newlines_and_quotes_stay_inside_their_cell() -> None:
    doc = export(
        destination('two\nlines "quoted", comma', "kinesis", index=1, on=False, allowed=[])
    )
    (row,) = read(rendered("csv", audit(doc)))
    assert row["destination_name"] == 'two\nlines "quoted", comma'
    assert row["project"] == "payments"


def test_no_findings_is_just_the_header() -> None:
    assert rendered("csv", audit(export())) == ",".join(EXPECTED_COLUMNS) + "\r\n"
