"""Waivers: matched, expiring, expired, stale and malformed, all judged against a fixed --now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import CORE_ONLY

from auditor.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "tests" / "data" / "gate-export.json"
NOW = "2026-06-01T09:30:00Z"

WAIVERS = """\
waivers:
  - rule: destination-disabled
    destination: 64a0c0ffee00000000000002
    reason: Paused while the web team migrates to the warehouse.
    owner: web-platform
    expires: 2026-12-31
    ticket: WEB-12
  - rule: wildcard-*-grant
    name: mobile-*
    kind: kinesis
    reason: Break-glass role, reviewed quarterly.
    owner: platform-security
    expires: 2026-06-10
  - rule: access-not-reported
    project: analytics
    reason: Token cannot read access details yet.
    owner: analytics-team
    expires: 2026-05-31
    ticket: IT-7
  - rule: wildcard-action-grant
    kind: redshift
    reason: Nothing uses redshift any more.
    owner: data-eng
    expires: 2027-01-01
"""


@pytest.fixture
def waivers_file(tmp_path: Path) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(WAIVERS, encoding="utf-8")
    return path


def check(*args: str, export: Path = EXPORT, now: str = NOW) -> Result:
    return CliRunner().invoke(
        cli, ["check", *CORE_ONLY, str(export), "--now", now, *args], catch_exceptions=False
    )


def report(waivers: Path, *args: str) -> tuple[Result, dict[str, Any]]:
    result = check("--waivers", str(waivers), "-f", "json", *args)
    return result, json.loads(result.stdout)


def findings_of(data: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["rule_id"] == rule_id]


def test_matched_finding_is_waived_and_keeps_the_waiver(waivers_file: Path):
    _, data = report(waivers_file)
    [disabled] = findings_of(data, "destination-disabled")
    assert disabled["status"] == "waived"
    assert disabled["waiver"] == {
        "rule": "destination-disabled",
        "reason": "Paused while the web team migrates to the warehouse.",
        "owner": "web-platform",
        "expires": "2026-12-31",
        "ticket": "WEB-12",
    }


def test_glob_rule_and_name_matchers_waive_both_grants(waivers_file: Path):
    _, data = report(waivers_file)
    grants = findings_of(data, "wildcard-resource-grant") + findings_of(
        data, "wildcard-action-grant"
    )
    assert [f["status"] for f in grants] == ["waived", "waived"]
    assert {f["waiver"]["owner"] for f in grants} == {"platform-security"}


def test_expired_waiver_reopens_the_finding_and_raises_waiver_expired(waivers_file: Path):
    result, data = report(waivers_file)
    [reopened] = findings_of(data, "access-not-reported")
    assert reopened["status"] == "open"
    assert reopened["waiver"] is None
    [expired] = findings_of(data, "waiver-expired")
    assert expired["status"] == "open"
    assert expired["severity"] == reopened["severity"] == "info"
    assert expired["destination"]["name"] == "analytics-pubsub"
    assert expired["pointer"] == reopened["pointer"]
    assert expired["fingerprint"] != reopened["fingerprint"]
    message = expired["message"]
    assert "expired on 2026-05-31" in message
    assert "owner analytics-team" in message
    assert "ticket IT-7" in message
    assert "waiver-expired" in {r["id"] for r in data["rules"]}
    assert "expired on 2026-05-31; it no longer applies" in result.stderr


def test_waiver_expired_fails_the_gate_at_the_waived_severity(waivers_file: Path):
    assert check("--waivers", str(waivers_file), "--fail-on", "low").exit_code == 0
    assert check("--waivers", str(waivers_file), "--fail-on", "info").exit_code == 1
    hard = check("--waivers", str(waivers_file), "--hard-fail-on", "waiver-expired")
    assert hard.exit_code == 1


def test_a_waiver_applies_through_its_expiry_day(waivers_file: Path):
    result = check("--waivers", str(waivers_file), "-f", "json", now="2026-05-31T23:59:59Z")
    data = json.loads(result.stdout)
    assert findings_of(data, "access-not-reported")[0]["status"] == "waived"
    assert not findings_of(data, "waiver-expired")


def test_states_in_the_report(waivers_file: Path):
    _, data = report(waivers_file)
    states = [(w["rule"], w["state"], w["matched"], w["days_left"]) for w in data["waivers"]]
    assert states == [
        ("destination-disabled", "active", 1, 213),
        ("wildcard-*-grant", "expiring", 2, 9),
        ("access-not-reported", "expired", 1, -1),
        ("wildcard-action-grant", "stale", 0, 214),
    ]
    first = data["waivers"][0]
    assert (first["file"], first["line"], first["index"]) == (str(waivers_file), 2, 0)
    assert first["match"] == {"destination": "64a0c0ffee00000000000002"}


def test_expiring_and_stale_waivers_warn_on_stderr(waivers_file: Path):
    result = check("--waivers", str(waivers_file))
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert warnings == [
        f"Warning: {waivers_file}:8: waiver of wildcard-*-grant (owner platform-security) "
        "expires on 2026-06-10, in 9 days",
        f"Warning: {waivers_file}:14: waiver of access-not-reported (owner analytics-team) "
        "expired on 2026-05-31; it no longer applies",
        f"Warning: {waivers_file}:20: waiver of wildcard-action-grant (owner data-eng) "
        "matched no finding; remove it if it is no longer needed",
    ]


def test_warning_days_is_configurable(waivers_file: Path):
    _, data = report(waivers_file, "--waiver-warning-days", "5")
    assert data["waivers"][1]["state"] == "active"
    _, data = report(waivers_file, "--waiver-warning-days", "300")
    assert data["waivers"][0]["state"] == "expiring"


def test_text_output_shows_waiver_counts_and_owners(waivers_file: Path):
    result = check("--waivers", str(waivers_file))
    assert "Waivers " in result.stdout
    assert "1 active, 1 expiring, 1 expired, 1 stale" in result.stdout
    assert "[waived by" not in result.stdout  # counted, listed only on request
    assert "Not listed: 3 waived (--show-suppressed lists them)" in result.stdout
    shown = check("--waivers", str(waivers_file), "--show-suppressed").stdout
    assert "[waived by web-platform until 2026-12-31]" in shown
    assert result.stdout.rstrip().endswith(
        "4 destinations audited, 2 open findings (2 info), 3 waived: passed at --fail-on medium"
    )


def test_first_active_waiver_wins_over_an_expired_one(tmp_path: Path):
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "waivers:\n"
        "  - {rule: destination-disabled, name: web-*, reason: old, owner: a, "
        "expires: 2026-01-01}\n"
        "  - {rule: destination-disabled, name: web-*, reason: renewed, owner: b, "
        "expires: 2026-12-01}\n",
        encoding="utf-8",
    )
    _, data = report(path)
    [disabled] = findings_of(data, "destination-disabled")
    assert disabled["status"] == "waived"
    assert disabled["waiver"]["reason"] == "renewed"
    assert not findings_of(data, "waiver-expired")


FIRST = """\
waivers:
  - rule: destination-disabled
    destination: 64a0c0ffee00000000000002
    reason: r
    owner: o
    expires: 2026-12-31
"""


def second(*lines: str) -> str:
    """The waivers file with a second entry made of `lines` (it starts on line 7)."""
    body = "".join(f"    {line}\n" for line in lines)
    return FIRST + "  - " + body[4:]


GOOD = ("rule: destination-disabled", "name: web-*", "reason: r", "owner: o")


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            second(*GOOD, "expires: 2026-02-30"),
            "11:5",
            "waivers[1].expires: expected a date (YYYY-MM-DD)",
        ),
        (
            second(*GOOD, "expires: next friday"),
            "11:5",
            "waivers[1].expires: expected a date (YYYY-MM-DD)",
        ),
        (
            second(*GOOD, "expires: 2026-03-01T10:00:00"),
            "11:5",
            "waivers[1].expires: expected a date (YYYY-MM-DD)",
        ),
        (second(*GOOD), "7:5", "waivers[1]: missing required field 'expires'"),
        (
            second("rule: destination-disabled", "reason: r", "owner: o", "expires: 2026-12-31"),
            "7:5",
            "waivers[1]: needs at least one matcher: destination, name, project, environment, kind",
        ),
        (
            second(*GOOD, "expires: 2026-12-31", "tiket: SEC-1"),
            "12:5",
            "waivers[1]: unknown field 'tiket' (did you mean 'ticket'?)",
        ),
        (
            second("rule: dest-off", *GOOD[1:], "expires: 2026-12-31"),
            "7:5",
            "waivers[1].rule: unknown rule 'dest-off'",
        ),
        (
            second("rule: destination-disabld", *GOOD[1:], "expires: 2026-12-31"),
            "7:5",
            "waivers[1].rule: unknown rule 'destination-disabld' "
            "(did you mean 'destination-disabled'?)",
        ),
        (
            second(*GOOD[:3], "owner: [o]", "expires: 2026-12-31"),
            "10:5",
            "waivers[1].owner: expected a string, got a list",
        ),
        (
            second(*GOOD[:2], 'reason: "  "', "owner: o", "expires: 2026-12-31"),
            "9:5",
            "waivers[1].reason: must not be empty",
        ),
        ("waivers:\n", "1:1", "waivers: expected a list, got null"),
        ("- rule: x\n", "1:1", "expected a mapping with a `waivers` list"),
    ],
    ids=[
        "impossible-date",
        "not-a-date",
        "timestamp",
        "missing-expires",
        "no-matcher",
        "typo-field",
        "unknown-rule",
        "rule-typo",
        "wrong-type",
        "blank-reason",
        "null-list",
        "not-a-mapping",
    ],
)
def test_malformed_waiver_file_is_exit_2_naming_file_line_and_field(
    tmp_path: Path, text: str, where: str, message: str
):
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    result = check("--waivers", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: {path}:{where}: {message}"]
    assert result.stdout == ""


def test_the_message_quoted_in_the_issue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("waivers.yaml").write_text(
        "waivers:\n"
        "  - {rule: destination-disabled, name: web-*, reason: r, owner: o, expires: 2026-12-31}\n"
        "  - rule: destination-disabled\n"
        "    kind: segment\n"
        "    reason: r\n"
        "    owner: o\n"
        "    expires: 31/12/2026\n",
        encoding="utf-8",
    )
    result = check("--waivers", "waivers.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: waivers.yaml:7:5: waivers[1].expires: expected a date (YYYY-MM-DD)\n"
    )


def test_missing_waiver_file_is_exit_2(tmp_path: Path):
    result = check("--waivers", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.yaml'}: no such file\n"


def test_the_example_waivers_file_fits_the_example_export():
    result = check(
        "--waivers",
        str(ROOT / "examples" / "waivers.yaml"),
        "-f",
        "json",
        export=ROOT / "examples" / "destinations.json",
        now="2026-12-01",
    )
    data = json.loads(result.stdout)
    assert [w["state"] for w in data["waivers"]] == ["active"] * 4
    assert data["summary"]["by_status"] == {"open": 5, "waived": 4, "baselined": 0}
    assert result.stderr == ""
