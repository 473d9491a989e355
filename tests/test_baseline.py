"""Baselines: an earlier JSON report accepts its findings; only new ones fail the gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import CORE_ONLY

from auditor.cli.main import cli

DATA = Path(__file__).resolve().parent / "data"
EXPORT = DATA / "gate-export.json"
LATER = DATA / "gate-export-later.json"
"""EXPORT a week later: items and access entries reordered, one new wildcard grant on
payments-stream, and the wildcard action of mobile-release fixed."""
NOW = "2026-06-01T00:00:00Z"


def check(export: Path, *args: str, now: str = NOW) -> Result:
    return CliRunner().invoke(
        cli, ["check", *CORE_ONLY, str(export), "--now", now, *args], catch_exceptions=False
    )


@pytest.fixture
def baseline(tmp_path: Path) -> Path:
    path = tmp_path / "baseline.json"
    result = check(EXPORT, "-f", f"json:{path}")
    assert result.exit_code == 1  # the baseline run itself fails: four open findings
    return path


def report_with(baseline: Path, export: Path = LATER, *args: str) -> tuple[int, dict[str, Any]]:
    result = check(export, "--baseline", str(baseline), "-f", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_same_export_against_its_own_baseline_passes(baseline: Path):
    code, data = report_with(baseline, EXPORT)
    assert code == 0
    assert {f["status"] for f in data["findings"]} == {"baselined"}
    assert data["baseline"] == {
        "path": str(baseline),
        "new": [],
        "unchanged": 4,
        "resolved": [],
    }


def test_reordered_export_with_one_new_wildcard_grant_fails_with_exactly_one_new(
    baseline: Path,
):
    code, data = report_with(baseline)
    assert code == 1
    opened = [f for f in data["findings"] if f["status"] == "open"]
    assert len(opened) == 1
    [new] = opened
    assert new["rule_id"] == "wildcard-resource-grant"
    assert new["destination"]["name"] == "payments-stream"
    assert "payments-breakglass" in new["message"]
    assert data["baseline"]["new"] == [new["fingerprint"]]
    assert data["baseline"]["unchanged"] == 3
    assert data["summary"]["by_status"] == {"open": 1, "waived": 0, "baselined": 3}


def test_fixed_finding_is_listed_as_resolved(baseline: Path):
    before = json.loads(baseline.read_text())
    [fixed] = [f for f in before["findings"] if f["rule_id"] == "wildcard-action-grant"]
    _, data = report_with(baseline)
    assert data["baseline"]["resolved"] == [
        {
            "fingerprint": fixed["fingerprint"],
            "rule_id": "wildcard-action-grant",
            "destination": {
                "id": "64a0c0ffee00000000000003",
                "name": "mobile-kinesis",
                "kind": "kinesis",
                "project": "mobile",
                "environment": "staging",
            },
        }
    ]


def test_baselined_findings_never_fail_the_gate(baseline: Path):
    code, _ = report_with(baseline, EXPORT, "--fail-on", "info", "--hard-fail-on", "*")
    assert code == 0


def test_new_finding_below_fail_on_passes(baseline: Path):
    code, _ = report_with(baseline, LATER, "--fail-on", "critical")
    assert code == 0


def test_text_output_mentions_the_counts(baseline: Path):
    result = check(LATER, "--baseline", str(baseline))
    assert f"Baseline {baseline}: 1 new, 3 unchanged, 1 resolved" in result.stdout
    assert "[baselined]" not in result.stdout  # counted, not listed
    assert "Not listed: 3 baselined (--show-suppressed lists them)" in result.stdout
    assert "[baselined]" in check(LATER, "--baseline", str(baseline), "--show-suppressed").stdout
    assert result.stdout.rstrip().endswith(
        "4 destinations audited, 1 open findings (1 high), 3 baselined: FAILED at --fail-on medium"
    )


def test_baseline_can_be_refreshed_in_place(baseline: Path):
    result = check(LATER, "--baseline", str(baseline), "-f", f"json:{baseline}")
    assert result.exit_code == 1
    code, data = report_with(baseline)
    assert code == 0
    assert data["baseline"]["unchanged"] == 4


def test_a_finding_waived_in_the_baseline_is_new_when_its_waiver_lapses(tmp_path: Path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - {rule: destination-disabled, name: web-segment, reason: paused,"
        " owner: web, expires: 2026-06-15}\n",
        encoding="utf-8",
    )
    path = tmp_path / "baseline.json"
    check(EXPORT, "--waivers", str(waivers), "-f", f"json:{path}")
    later = ("--waivers", str(waivers), "--baseline", str(path), "-f", "json")
    result = check(EXPORT, *later, now="2026-07-01")
    data = json.loads(result.stdout)
    opened = sorted(f["rule_id"] for f in data["findings"] if f["status"] == "open")
    assert opened == ["destination-disabled", "waiver-expired"]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"findings": [',
            "the baseline is not JSON (Expecting value: line 1 column 15 (char 14)); "
            "make one with `auditor check EXPORT -f json:baseline.json`",
        ),
        (
            "[]",
            "the baseline is not an auditor JSON report; "
            "make one with `auditor check EXPORT -f json:baseline.json`",
        ),
        (
            '{"tool": {"name": "other"}, "findings": []}',
            "the baseline is not an auditor JSON report; "
            "make one with `auditor check EXPORT -f json:baseline.json`",
        ),
        (
            '{"tool": {"name": "auditor"}, "findings": [{"fingerprint": 7}]}',
            "findings[0]: expected fingerprint, rule_id, status and destination (id, name, kind) "
            "as in an auditor JSON report",
        ),
    ],
    ids=["not-json", "not-an-object", "other-tool", "bad-finding"],
)
def test_bad_baseline_is_exit_2_with_one_line(tmp_path: Path, content: str, message: str):
    path = tmp_path / "baseline.json"
    path.write_text(content, encoding="utf-8")
    result = check(EXPORT, "--baseline", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: {message}\n"
    assert result.stdout == ""


def test_missing_baseline_is_exit_2(tmp_path: Path):
    result = check(EXPORT, "--baseline", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.json'}: no such baseline file\n"


def test_report_with_waivers_and_baseline_validates_against_the_report_schema(
    baseline: Path, tmp_path: Path
):
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads((DATA.parent.parent / "schemas" / "report.schema.json").read_text())
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - {rule: destination-disabled, name: web-*, reason: r, owner: o, expires: 2026-12-01}\n"
        "  - {rule: access-not-reported, kind: google-pubsub, reason: r, owner: o,"
        " expires: 2026-05-01, ticket: 42}\n"
        "  - {rule: wildcard-*, kind: redshift, reason: r, owner: o, expires: 2027-01-01}\n",
        encoding="utf-8",
    )
    result = check(LATER, "--baseline", str(baseline), "--waivers", str(waivers), "-f", "json")
    data = json.loads(result.stdout)
    assert {w["state"] for w in data["waivers"]} == {"active", "expired", "stale"}
    assert data["baseline"]["resolved"]
    assert {f["status"] for f in data["findings"]} == {"open", "waived", "baselined"}
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    assert [e.message for e in validator.iter_errors(data)] == []
