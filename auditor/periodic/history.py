"""The SQLite history of `check` runs: record a run and its findings, read runs back, prune.

Every connection uses WAL and a busy timeout; every write is one `BEGIN IMMEDIATE`
transaction, retried while another process holds the lock, so concurrent runs writing one
file neither corrupt it nor lose a run. The database holds what reports show, never a
destination's config.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from types import MappingProxyType
from typing import TypeVar

from auditor.errors import OutputError, UsageError
from auditor.io import fsprobe
from auditor.models import (
    SEVERITY_NAMES,
    AuditResult,
    PastState,
    RecordedFinding,
    RunRecord,
)
from auditor.periodic.history_rows import (
    FINDING_COLUMNS,
    RUN_COLUMNS,
    STAMP,
    TEXT,
    Damaged,
    checked,
    recorded_finding,
    run_record,
)
from auditor.periodic.history_schema import SEVERITY_COLUMNS, migrate
from auditor.periodic.trend import TREND_RUNS, empty_state

BUSY_TIMEOUT_MS = 30_000
ATTEMPTS = 8
T = TypeVar("T")


@contextmanager
def opened(path: str, *, create: bool) -> Iterator[sqlite3.Connection]:
    """A migrated connection to the database at `path`; errors become one-line OutputErrors."""
    if fsprobe.is_dir(path):
        raise OutputError(f"{path}: is a directory, expected a history database file")
    if not create and not fsprobe.is_file(path):
        raise UsageError(f"{path}: no such history database")
    try:
        with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
            conn.isolation_level = None  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
            _retry(lambda: migrate(conn, path))
            yield conn
    except sqlite3.Error as exc:
        raise OutputError(f"{path}: history database: {_reason(exc)}") from None
    except Damaged as exc:
        raise OutputError(
            f"{path}: history database is damaged: {exc}",
            hint="restore it from a backup, or move it aside to start a new history",
        ) from None


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    if text == "unable to open database file":
        return "cannot open or create the file (does its directory exist, is it writable?)"
    return text


def _busy(exc: sqlite3.Error) -> bool:
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF  # the primary result code
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(exc)


def _retry(action: Callable[[], T]) -> T:
    """Run `action`, again after a jittered pause while the database is busy."""
    for attempt in range(ATTEMPTS):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or attempt == ATTEMPTS - 1:
                raise
            time.sleep(min(2.0, random.uniform(0.05, 0.2) * 2**attempt))
    raise AssertionError("unreachable")


def _write(conn: sqlite3.Connection, action: Callable[[], T]) -> T:
    """`action` in one IMMEDIATE transaction, retried as a whole while busy."""

    def attempt() -> T:
        conn.execute("BEGIN IMMEDIATE")
        try:
            value = action()
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return value

    return _retry(attempt)


def record(path: str, result: AuditResult) -> int:
    """Record `result` and its findings; return the new run's id."""
    with opened(path, create=True) as conn:
        return _write(conn, lambda: _insert(conn, result))


def _insert(conn: sqlite3.Connection, result: AuditResult) -> int:
    counts = result.counts_by_severity("open")
    cursor = conn.execute(
        f"INSERT INTO runs ({RUN_COLUMNS.removeprefix('id, ')})"
        f" VALUES ({', '.join('?' * (len(SEVERITY_COLUMNS) + 10))})",
        (
            result.generated_at,
            result.source_path,
            result.source_sha256,
            result.tool_version,
            result.ruleset_sha256,
            result.fail_on,
            int(result.passed),
            len(result.destinations),
            len(result.problems),
            len(result.findings),
            *(counts[name] for name in SEVERITY_NAMES),
        ),
    )
    run_id = cursor.lastrowid
    assert run_id is not None
    conn.executemany(
        f"INSERT OR IGNORE INTO findings (run_id, {FINDING_COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                run_id,
                *(f.fingerprint, f.rule_id, f.severity.label, f.status, f.message),
                *(f.destination.id, f.destination.name, f.destination.kind),
                *(f.destination.project, f.destination.environment),
            )
            for f in result.findings
        ],
    )
    conn.executemany(
        "INSERT INTO first_seen (fingerprint, generated_at) VALUES (?, ?)"
        " ON CONFLICT (fingerprint) DO UPDATE SET generated_at = excluded.generated_at"
        " WHERE excluded.generated_at < first_seen.generated_at",
        [(f.fingerprint, result.generated_at) for f in result.findings],
    )
    return run_id


def load_state(path: str) -> PastState:
    """What the database holds before this run; an absent file is an empty history."""
    if not fsprobe.exists(path):
        return empty_state(path)
    with opened(path, create=False) as conn:
        conn.execute("BEGIN")  # one consistent snapshot for the reads below
        recent = runs(conn, limit=TREND_RUNS - 1)
        previous = run_findings(conn, recent[-1].id) if recent else ()
        seen = dict(
            checked(row, (TEXT, STAMP), "fingerprint, generated_at", "first_seen")
            for row in conn.execute("SELECT fingerprint, generated_at FROM first_seen")
        )
        count = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
        conn.execute("COMMIT")
    return PastState(
        database=path,
        earlier_runs=int(count),
        recent=recent,
        previous_findings=previous,
        first_seen=MappingProxyType(seen),
    )


def runs(conn: sqlite3.Connection, *, limit: int | None = None) -> tuple[RunRecord, ...]:
    """The runs in recording order (by id), oldest first; the latest `limit`.

    Not by time: two runs may share a timestamp (`--now`, or two runs in one second), and a
    run may be dated before an earlier one (`--now` in the past); the previous run is the
    one recorded last.
    """
    rows = conn.execute(
        f"SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?",
        (-1 if limit is None else limit,),
    ).fetchall()
    return tuple(run_record(row) for row in reversed(rows))


def find_run(conn: sqlite3.Connection, run_id: int, path: str) -> RunRecord:
    if not 0 < run_id < 2**63:  # SQLite's INTEGER is 64-bit: no run has another number
        raise UsageError(f"{path}: no run {run_id}")
    row = conn.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise UsageError(f"{path}: no run {run_id}")
    return run_record(row)


def run_findings(conn: sqlite3.Connection, run_id: int) -> tuple[RecordedFinding, ...]:
    rows = conn.execute(
        f"SELECT {FINDING_COLUMNS} FROM findings WHERE run_id = ?", (run_id,)
    ).fetchall()
    return tuple(recorded_finding(row) for row in rows)


def first_seen(conn: sqlite3.Connection, fingerprints: Sequence[str]) -> dict[str, str]:
    wanted = set(fingerprints)
    rows = conn.execute("SELECT fingerprint, generated_at FROM first_seen").fetchall()
    valid = (checked(r, (TEXT, STAMP), "fingerprint, generated_at", "first_seen") for r in rows)
    return {fp: seen for fp, seen in valid if fp in wanted}


def prune(path: str, keep: int) -> tuple[int, int]:
    """Delete all but the latest `keep` runs and their findings; (deleted, kept).

    First-seen times stay, so a finding keeps its age after the run that found it is gone.
    """
    with opened(path, create=False) as conn:

        def delete() -> tuple[int, int]:
            kept = [r.id for r in runs(conn, limit=keep)]
            marks = ", ".join("?" * len(kept)) or "NULL"
            conn.execute(f"DELETE FROM findings WHERE run_id NOT IN ({marks})", kept)
            deleted = conn.execute(f"DELETE FROM runs WHERE id NOT IN ({marks})", kept).rowcount
            return deleted, len(kept)

        result = _write(conn, delete)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return result
