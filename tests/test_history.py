"""`check --history`: first seen, new, resolved and the trend over nights of real audits."""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import ROOT
from jsonschema import Draft202012Validator
from periodic_helpers import DAY1, DAY2, DAY5, KINESIS, SWITCHED, UNKNOWN, by_rule, night

from auditor.periodic.history_schema import VERSION

REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
DISABLED = ("destination-disabled", SWITCHED)
UNKNOWN_KIND = ("unknown-destination-kind", UNKNOWN)
MISSING = ("destination-config-missing", KINESIS)


@pytest.fixture
def nightly(run, write_json, tmp_path):
    """Audit night N at time NOW into tmp_path/history.db; the JSON report."""

    def audit(number: int, now: str, *extra: str) -> dict:
        path = write_json(night(number), f"night{number}.json")
        result = run(
            "check",
            str(path),
            "--history",
            str(tmp_path / "history.db"),
            "--now",
            now,
            "-f",
            "json",
            *extra,
        )
        assert result.exit_code == 1, result.stderr
        report = result.json
        assert list(Draft202012Validator(REPORT_SCHEMA).iter_errors(report)) == []
        return report

    return audit


def test_three_nights_give_first_seen_new_resolved_and_trend(nightly):
    first = nightly(1, DAY1)
    assert set(by_rule(first)) == {DISABLED, UNKNOWN_KIND}
    assert all(f["first_seen"] == DAY1 for f in first["findings"])
    history = first["history"]
    assert history["earlier_runs"] == 0 and history["previous_run"] is None
    assert sorted(history["new"]) == sorted(f["fingerprint"] for f in first["findings"])
    assert history["resolved"] == []
    assert [p["run_id"] for p in history["trend"]] == [None]

    second = nightly(2, DAY2)
    found = by_rule(second)
    assert set(found) == {UNKNOWN_KIND, MISSING}
    assert found[UNKNOWN_KIND]["first_seen"] == DAY1
    assert found[MISSING]["first_seen"] == DAY2
    history = second["history"]
    assert history["previous_run"] == {"id": 1, "generated_at": DAY1, "passed": False}
    assert history["new"] == [found[MISSING]["fingerprint"]]
    (resolved,) = history["resolved"]
    assert (resolved["rule_id"], resolved["destination"]["id"]) == DISABLED
    assert resolved["status"] == "open" and resolved["destination"]["name"] == "switched"

    third = nightly(3, DAY5)
    found = by_rule(third)
    assert set(found) == {DISABLED, UNKNOWN_KIND}
    # A finding that comes back is new again, but keeps the time it was first seen.
    assert found[DISABLED]["first_seen"] == DAY1
    history = third["history"]
    assert history["earlier_runs"] == 2
    assert history["new"] == [found[DISABLED]["fingerprint"]]
    assert [(r["rule_id"], r["destination"]["id"]) for r in history["resolved"]] == [MISSING]
    trend = history["trend"]
    assert [(p["run_id"], p["generated_at"]) for p in trend] == [(1, DAY1), (2, DAY2), (None, DAY5)]
    assert [p["open_by_severity"] for p in trend] == [
        {"critical": 0, "high": 0, "medium": 1, "low": 1, "info": 0},
        {"critical": 0, "high": 1, "medium": 0, "low": 1, "info": 0},
        {"critical": 0, "high": 0, "medium": 1, "low": 1, "info": 0},
    ]
    assert [p["open"] for p in trend] == [2, 2, 2]


def test_the_database_records_every_run_and_finding(nightly, run, tmp_path):
    for number, now in ((1, DAY1), (2, DAY2), (3, DAY5)):
        nightly(number, now)
    db = str(tmp_path / "history.db")
    runs = run("history", "--db", db, "--format", "json")
    assert runs.exit_code == 0
    assert [(r["id"], r["generated_at"], r["verdict"], r["findings"]) for r in runs.json] == [
        (1, DAY1, "failed", 2),
        (2, DAY2, "failed", 2),
        (3, DAY5, "failed", 2),
    ]
    first = runs.json[0]
    assert first["tool_version"] and len(first["ruleset_sha256"]) == 64
    assert first["fail_on"] == "medium" and first["destinations"] == 3
    shown = run("history", "show", "2", "--db", db, "--format", "json").json
    assert shown["run"]["id"] == 2
    assert {(f["rule_id"], f["destination"]["id"]) for f in shown["findings"]} == {
        UNKNOWN_KIND,
        MISSING,
    }
    missing = next(f for f in shown["findings"] if f["rule_id"] == MISSING[0])
    assert missing["destination"] == {
        "id": KINESIS,
        "name": "orders-kinesis",
        "kind": "kinesis",
        "project": "payments",
        "environment": "orders",
    }
    assert missing["severity"] == "high" and missing["status"] == "open"
    assert missing["first_seen"] == DAY2 and "orders-kinesis" in missing["message"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA user_version").fetchone() == (VERSION,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_history_text_table_and_show(nightly, run, tmp_path):
    nightly(1, DAY1)
    nightly(2, DAY2)
    db = str(tmp_path / "history.db")
    table = run("history", "--db", db)
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == [
        "RUN",
        "GENERATED_AT",
        "VERDICT",
        "FAIL_ON",
        "CRIT",
        "HIGH",
        "MED",
        "LOW",
        "INFO",
        "FINDINGS",
        "SOURCE",
    ]
    assert lines[1].split()[:10] == ["1", DAY1, "failed", "medium", "0", "0", "1", "1", "0", "2"]
    assert lines[2].split()[:10] == ["2", DAY2, "failed", "medium", "0", "1", "0", "1", "0", "2"]
    shown = run("history", "--db", db, "show", "latest")
    assert shown.exit_code == 0
    assert shown.stdout.startswith(f"run 2: {DAY2}, failed at --fail-on medium\n")
    assert f"HIGH      open    {DAY2}  destination-config-missing" in shown.stdout


@pytest.mark.parametrize("run_id", ["99", "0"])
def test_unknown_run_is_exit_2_in_one_line(nightly, run, tmp_path, run_id):
    nightly(1, DAY1)
    result = run("history", "show", run_id, "--db", str(tmp_path / "history.db"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'history.db'}: no run {run_id}\n"


def test_run_must_be_a_number_or_latest(nightly, run, tmp_path):
    nightly(1, DAY1)
    result = run("history", "show", "first", "--db", str(tmp_path / "history.db"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: RUN: expected a run number or `latest`")


def test_history_needs_a_database(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("history")
    assert result.exit_code == 2
    assert "no history database: give --db PATH" in result.stderr
    missing = run("history", "--db", "nowhere.db")
    assert missing.exit_code == 2
    assert missing.stderr == "Error: nowhere.db: no such history database\n"
    assert not (tmp_path / "nowhere.db").exists()  # reading never creates a database


def test_config_history_is_relative_to_the_config_file(run, write_json, tmp_path, monkeypatch):
    config_dir = tmp_path / "conf"
    config_dir.mkdir()
    (config_dir / "auditor.yaml").write_text("history: audits/history.db\n")
    (config_dir / "audits").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    export_path = write_json(night(1))
    config = str(config_dir / "auditor.yaml")
    result = run("--config", config, "check", str(export_path), "--now", DAY1, "-f", "json")
    assert result.exit_code == 1
    assert (config_dir / "audits" / "history.db").is_file()
    assert result.json["history"]["database"] == str(config_dir / "audits" / "history.db")
    listed = run("--config", config, "history", "--format", "json")
    assert [r["id"] for r in listed.json] == [1]
    shown = run("--config", config, "config", "show")
    assert "audits/history.db" in shown.stdout
    # --history on the command line wins over the file's.
    other = tmp_path / "other.db"
    run("--config", config, "check", str(export_path), "--history", str(other), "-f", "json")
    assert other.is_file()
    assert len(run("--config", config, "history", "--format", "json").json) == 1


def test_prune_keeps_the_latest_runs_and_first_seen(nightly, run, tmp_path):
    nightly(1, DAY1)
    nightly(2, DAY2)
    nightly(3, DAY5)
    db = str(tmp_path / "history.db")
    pruned = run("history", "prune", "--keep", "1", "--db", db)
    assert pruned.exit_code == 0
    assert pruned.stdout == f"deleted 2 run(s) from {db}; 1 kept\n"
    assert [r["id"] for r in run("history", "--db", db, "--format", "json").json] == [3]
    fourth = nightly(1, "2026-01-06T02:30:00Z")
    assert by_rule(fourth)[UNKNOWN_KIND]["first_seen"] == DAY1  # older than any run kept
    assert fourth["history"]["previous_run"]["id"] == 3
    assert run("history", "show", "1", "--db", db).exit_code == 2
    assert run("history", "prune", "--keep", "0", "--db", db).exit_code == 2


def test_rules_that_did_not_run_resolve_nothing(nightly):
    nightly(1, DAY1)
    report = nightly(1, DAY2, "--select", "unknown-destination-kind", "--fail-on", "low")
    assert report["history"]["resolved"] == []
    assert report["history"]["new"] == []


def test_without_history_first_seen_and_history_are_null(run, write_json):
    report = run("check", str(write_json(night(1))), "-f", "json").json
    assert report["history"] is None
    assert all(f["first_seen"] is None for f in report["findings"])


def test_a_returning_finding_is_new_and_among_the_oldest(nightly, tmp_path):
    nightly(1, DAY1)
    nightly(2, DAY2)
    markdown = tmp_path / "night3.md"
    nightly(3, DAY5, "-f", f"markdown:{markdown}")
    text = markdown.read_text()
    new = text.split("<summary>🆕 New since run 2 (1)</summary>", 1)[1].split("</details>", 1)[0]
    assert "| 🟠 medium | destination-disabled | switched |" in new
    oldest = text.split("<summary>⏳ Oldest open findings (2)</summary>", 1)[1]
    assert f"| {DAY1} | 4 days | 🟠 medium | destination-disabled | switched |" in oldest
