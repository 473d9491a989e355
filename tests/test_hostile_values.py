"""Extreme values where auditor used to end in an internal error: years, run numbers, huge
numbers, infinities, NaN. Each is now a one-line error with the documented exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLE, destination, export

ID = "610addeadbeefaa86ec9a7d4"
CALL = f"/api/v2/destinations/payments/production/{ID}"


@pytest.mark.parametrize(
    "moment", ["0999-06-01T00:00:00Z", "0001-01-01T00:00:00Z", "1000-01-01T00:30:00+01:00"]
)
def test_now_accepts_only_four_digit_years(run, tmp_path: Path, moment: str) -> None:
    db = tmp_path / "history.db"
    out = tmp_path / "r.json"
    result = run("check", str(EXAMPLE), "--now", moment, "--history", str(db), "-f", f"json:{out}")
    assert result.exit_code == 2
    assert "the year must have four digits (1000 to 9999)" in result.stderr
    assert "internal error" not in result.stderr
    assert not out.exists() and not db.exists()


def test_now_at_the_edge_of_the_calendar_still_runs(run, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    out = tmp_path / "r.json"
    waivers = Path(EXAMPLE).parent / "waivers.yaml"
    args = ("--history", str(db), "--waivers", str(waivers), "-f", f"json:{out}")
    result = run("check", str(EXAMPLE), "--now", "9999-12-31T23:59:59Z", *args)
    assert result.exit_code == 1, result.stderr
    assert json.loads(out.read_text())["generated_at"] == "9999-12-31T23:59:59Z"


@pytest.mark.parametrize("number", ["99999999999999999999999", str(2**63)])
def test_history_show_of_a_run_number_past_sqlite_integers(
    run, tmp_path: Path, number: str
) -> None:
    db = tmp_path / "history.db"
    assert run("check", str(EXAMPLE), "--history", str(db), "-f", "json").exit_code == 1
    result = run("history", "show", number, "--db", str(db))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {db}: no run {number}\n"


def test_a_change_file_with_a_5000_digit_number(run, tmp_path: Path) -> None:
    change = tmp_path / "change.json"
    body = '[{"op": "replace", "path": "/name", "value": ' + "9" * 5000 + "}]"
    change.write_text(f'[{{"method": "PATCH", "path": "{CALL}", "body": {body}}}]')
    result = run("review", "--change", str(change), str(EXAMPLE), "-f", "json")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {change}: invalid JSON: a number with more than 4300 digits is not accepted\n"
    )


@pytest.mark.parametrize("number", ["1e999", "-1e999", "1.5e400"])
def test_a_number_past_the_float_range_in_an_export_is_invalid_json(
    run, tmp_path: Path, number: str
) -> None:
    text = json.dumps(export(destination())).replace('"version": 1', f'"version": {number}')
    path = tmp_path / "export.json"
    path.write_text(text)
    pack = tmp_path / "pack"
    result = run("check", str(path), "--evidence", str(pack), "-f", "json")
    assert result.exit_code == 3
    assert result.stderr == (
        "Error: input is not valid JSON: a number too large for JSON (it reads as infinity)"
        " is not accepted\n"
    )
    assert not pack.exists()


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN"])
def test_nan_or_infinity_in_a_yaml_change_file_blames_the_change_file(
    run, tmp_path: Path, value: str
) -> None:
    change = tmp_path / "change.yaml"
    change.write_text(
        f"- method: PATCH\n  path: {CALL}\n  body:\n"
        f"    - {{op: add, path: /config/extra, value: {value}}}\n"
    )
    result = run("review", "--change", str(change), str(EXAMPLE), "-f", "json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {change}:4:")
    assert "body[0].value: not a JSON number (.nan and .inf have none); quote it" in result.stderr
