"""The history database file: migration from older schemas, and files that cannot be used."""

from __future__ import annotations

import json
import sqlite3

import pytest
from periodic_helpers import DAY1, DAY2, DISABLED_KEY, UNKNOWN_KEY, by_rule, night

from auditor.periodic.history_schema import VERSION

V1_SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    generated_at TEXT NOT NULL,
    source_path TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    fail_on TEXT NOT NULL,
    passed INTEGER NOT NULL
);
CREATE TABLE findings (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    fingerprint TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    destination_name TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, fingerprint)
);
PRAGMA user_version = 1;
"""
OLD_RUN = "2025-12-24T02:30:00Z"


def make_v1_database(path, fingerprint: str) -> None:
    """A database as version 1 wrote it, by hand: one run (id 7) with two findings."""
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_SCHEMA)
        conn.execute(
            "INSERT INTO runs VALUES (7, ?, 'old.json', ?, '0.0.9', 'high', 0)", (OLD_RUN, "a" * 64)
        )
        conn.executemany(
            "INSERT INTO findings VALUES (7, ?, ?, ?, 'open', ?, ?, ?)",
            [
                (fingerprint, "destination-disabled", "medium", "d1", "switched", "was off"),
                ("f" * 32, "destination-config-missing", "high", "d9", "gone", "no config"),
            ],
        )
    conn.close()


def test_a_version_1_database_is_migrated_and_keeps_its_data(run, write_json, tmp_path):
    export = write_json(night(1))
    fingerprint = by_rule(run("check", str(export), "-f", "json").json)[DISABLED_KEY]["fingerprint"]
    db = tmp_path / "history.db"
    make_v1_database(db, fingerprint)

    result = run("check", str(export), "--history", str(db), "--now", DAY1, "-f", "json")
    assert result.exit_code == 1, result.stderr
    found = by_rule(result.json)
    assert found[DISABLED_KEY]["first_seen"] == OLD_RUN  # carried over from the old run
    assert found[UNKNOWN_KEY]["first_seen"] == DAY1
    history = result.json["history"]
    assert history["previous_run"] == {"id": 7, "generated_at": OLD_RUN, "passed": False}
    assert [r["rule_id"] for r in history["resolved"]] == ["destination-config-missing"]
    assert history["trend"][0]["open_by_severity"] == {
        "critical": 0,
        "high": 1,
        "medium": 1,
        "low": 0,
        "info": 0,
    }

    runs = run("history", "--db", str(db), "--format", "json").json
    assert [r["id"] for r in runs] == [7, 8]  # ids continue after the old ones
    old = runs[0]
    assert (old["source"]["path"], old["tool_version"], old["fail_on"]) == (
        "old.json",
        "0.0.9",
        "high",
    )
    assert old["verdict"] == "failed" and old["findings"] == 2
    assert old["ruleset_sha256"] is None and old["destinations"] is None  # not known in v1
    shown = run("history", "show", "7", "--db", str(db), "--format", "json").json
    assert {f["message"] for f in shown["findings"]} == {"was off", "no config"}
    assert all(f["destination"]["project"] is None for f in shown["findings"])
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (VERSION,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_a_fresh_database_is_at_the_current_version(run, write_json, tmp_path):
    db = tmp_path / "new.db"
    run("check", str(write_json(night(1))), "--history", str(db), "-f", "json")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (VERSION,)
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    conn.close()
    assert {"runs", "findings", "first_seen"} <= tables


def _reports_written(tmp_path) -> dict:
    report = json.loads((tmp_path / "report.json").read_text())
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")
    return report


def _check(run, write_json, tmp_path, db):
    export = write_json(night(1))
    out = ["-f", f"json:{tmp_path / 'report.json'}", "-f", f"html:{tmp_path / 'report.html'}"]
    return run("check", str(export), "--history", str(db), "--now", DAY2, *out)


def test_a_newer_schema_is_refused_after_the_reports_are_written(run, write_json, tmp_path):
    db = tmp_path / "future.db"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {VERSION + 1}")
    conn.close()
    result = _check(run, write_json, tmp_path, db)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {db}: history schema version {VERSION + 1} is newer than this auditor's "
        f"({VERSION}) (reports written without history; run not recorded)\n"
    )
    assert _reports_written(tmp_path)["history"] is None


def test_a_file_that_is_not_a_database(run, write_json, tmp_path):
    db = tmp_path / "notes.db"
    db.write_bytes(b"these are not the records you are looking for\n" * 100)
    result = _check(run, write_json, tmp_path, db)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: {db}: history database: file is not a database")
    assert _reports_written(tmp_path)["history"] is None
    assert db.read_bytes().startswith(b"these are not")  # left alone


@pytest.mark.parametrize("where", ["missing-directory", "a-directory"])
def test_a_database_that_can_never_be_written_fails_before_the_audit(
    run, write_json, tmp_path, where
):
    """A location that can never hold the database is checked with the other outputs, before
    any work: nothing is written, and a retry after fixing it records the run once."""
    db = tmp_path / "no" / "such" / "history.db"
    if where == "a-directory":
        db = tmp_path / "dir.db"
        db.mkdir()
    result = _check(run, write_json, tmp_path, db)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"Error: {db}: ")
    assert "is a directory" in result.stderr or "does not exist" in result.stderr
    assert not (tmp_path / "report.json").exists()


def test_a_damaged_database_costs_no_report(run, write_json, tmp_path):
    """A text value in a numeric column, a BLOB time: the reports are written, then the
    database problem is reported (exit 2), as for the other database faults."""
    db = tmp_path / "h.db"
    assert _check(run, write_json, tmp_path, db).exit_code in (0, 1)
    for damage in (
        "UPDATE runs SET destinations = 'many'",
        "UPDATE runs SET generated_at = X'00ff'",
        "UPDATE first_seen SET generated_at = 'the day before'",
    ):
        damaged = tmp_path / "damaged.db"
        damaged.write_bytes(db.read_bytes())
        with sqlite3.connect(damaged) as conn:
            conn.execute(damage)
        conn.close()
        (tmp_path / "report.json").unlink()
        result = _check(run, write_json, tmp_path, damaged)
        assert result.exit_code == 2, (damage, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith(f"Error: {damaged}: history database is damaged: ")
        assert result.stderr.endswith("(reports written without history; run not recorded)\n")
        assert _reports_written(tmp_path)["history"] is None
        if "runs" in damage:  # `auditor history` lists the runs
            listed = run("history", "--db", str(damaged))
            assert listed.exit_code == 2 and "is damaged" in listed.stderr
