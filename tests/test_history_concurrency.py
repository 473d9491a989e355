"""Several processes writing one history database at once: no run lost, no corruption."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from periodic_helpers import night

PROCESSES = 8
RECORDS_EACH = 25
RECORDER = """
import hashlib, sys
from auditor.audit import AuditOptions, run_audit
from auditor.periodic.history import record
from auditor.models import Source
data = open(sys.argv[2], "rb").read()
source = Source(path=sys.argv[2], sha256=hashlib.sha256(data).hexdigest(), data=data)
result = run_audit(source, AuditOptions())
for _ in range(int(sys.argv[3])):
    record(sys.argv[1], result)
"""


def _export(tmp_path: Path) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(night(1)))
    return path


def _rows(db: Path, query: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute(query).fetchall()
    conn.close()
    return rows


def test_concurrent_cli_runs_all_land_in_one_new_database(tmp_path):
    export, db = _export(tmp_path), tmp_path / "history.db"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "auditor",
                "check",
                str(export),
                "--history",
                str(db),
                "--now",
                f"2026-01-{n + 1:02d}T02:30:00Z",
                "-f",
                f"json:{tmp_path / f'report{n}.json'}",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(PROCESSES)
    ]
    outcomes = []
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        outcomes.append((proc.returncode, err.decode()))
    assert [code for code, _ in outcomes] == [1] * PROCESSES, outcomes
    assert all("recorded run" in err and "Error" not in err for _, err in outcomes)
    runs = _rows(db, "SELECT id, generated_at, findings FROM runs ORDER BY generated_at")
    assert [r[1] for r in runs] == [f"2026-01-{n + 1:02d}T02:30:00Z" for n in range(PROCESSES)]
    assert sorted(r[0] for r in runs) == list(range(1, PROCESSES + 1))
    assert all(r[2] == 2 for r in runs)
    assert _rows(db, "SELECT count(*) FROM findings") == [(2 * PROCESSES,)]
    assert _rows(db, "SELECT count(*) FROM first_seen") == [(2,)]


def test_processes_recording_in_a_tight_loop_lose_nothing(tmp_path):
    export, db = _export(tmp_path), tmp_path / "busy.db"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RECORDER, str(db), str(export), str(RECORDS_EACH)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
    total = PROCESSES * RECORDS_EACH
    assert _rows(db, "SELECT count(*), count(DISTINCT id), max(id) FROM runs") == [
        (total, total, total)
    ]
    assert _rows(db, "SELECT count(*) FROM findings") == [(2 * total,)]
    orphans = "SELECT count(*) FROM findings WHERE run_id NOT IN (SELECT id FROM runs)"
    assert _rows(db, orphans) == [(0,)]
