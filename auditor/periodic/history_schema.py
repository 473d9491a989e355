"""The history database's schema: its versions (`PRAGMA user_version`) and the migrations between.

A fresh database runs every migration in order, so the path an old database takes to the
current schema is the one every database has taken. Migrations only add: no column or row
recorded by an earlier version is dropped.
"""

from __future__ import annotations

import sqlite3

from auditor.errors import OutputError

SEVERITY_COLUMNS = ("open_critical", "open_high", "open_medium", "open_low", "open_info")

_V1 = (
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        generated_at TEXT NOT NULL,
        source_path TEXT NOT NULL,
        source_sha256 TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        fail_on TEXT NOT NULL,
        passed INTEGER NOT NULL
    )""",
    """CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs (id),
        fingerprint TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        destination_id TEXT NOT NULL,
        destination_name TEXT NOT NULL,
        message TEXT NOT NULL,
        PRIMARY KEY (run_id, fingerprint)
    )""",
)
"""Version 1: runs and their findings."""

_V2 = (
    "ALTER TABLE runs ADD COLUMN ruleset_sha256 TEXT",
    "ALTER TABLE runs ADD COLUMN destinations INTEGER",
    "ALTER TABLE runs ADD COLUMN schema_errors INTEGER",
    "ALTER TABLE runs ADD COLUMN findings INTEGER NOT NULL DEFAULT 0",
    *(f"ALTER TABLE runs ADD COLUMN {c} INTEGER NOT NULL DEFAULT 0" for c in SEVERITY_COLUMNS),
    "UPDATE runs SET findings = (SELECT count(*) FROM findings WHERE run_id = runs.id)",
    *(
        f"UPDATE runs SET {c} = (SELECT count(*) FROM findings WHERE run_id = runs.id"
        f" AND status = 'open' AND severity = '{c.removeprefix('open_')}')"
        for c in SEVERITY_COLUMNS
    ),
    "ALTER TABLE findings ADD COLUMN destination_kind TEXT",
    "ALTER TABLE findings ADD COLUMN project TEXT",
    "ALTER TABLE findings ADD COLUMN environment TEXT",
    """CREATE TABLE first_seen (
        fingerprint TEXT PRIMARY KEY,
        generated_at TEXT NOT NULL
    ) WITHOUT ROWID""",
    """INSERT INTO first_seen (fingerprint, generated_at)
        SELECT f.fingerprint, min(r.generated_at)
        FROM findings f JOIN runs r ON r.id = f.run_id
        GROUP BY f.fingerprint""",
    "CREATE INDEX runs_by_time ON runs (generated_at, id)",
)
"""Version 2: ruleset hash, destination and open-by-severity counts, destination kind,
project and environment of findings, and first-seen times that survive pruning."""

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2)
VERSION = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, path: str) -> None:
    """Bring the database to `VERSION`, in one IMMEDIATE transaction; a no-op when current.

    The version is read again under the write lock, so concurrent first runs migrate once.
    """
    if _checked(version(conn), path) == VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for target in range(_checked(version(conn), path), VERSION):
            for statement in MIGRATIONS[target]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target + 1}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _checked(found: int, path: str) -> int:
    if found > VERSION:
        raise OutputError(
            f"{path}: history schema version {found} is newer than this auditor's ({VERSION})",
            hint="upgrade auditor to read this database",
        )
    return found
