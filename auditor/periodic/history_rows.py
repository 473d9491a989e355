"""Rows of the history database read back as records, each value checked for its type.

The database is a file anyone can edit: a text value in a numeric column or a BLOB
timestamp must be a one-line error (the reports are written all the same), never a
TypeError deep inside a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from auditor.models import SEVERITY_NAMES, FindingDestination, RecordedFinding, RunRecord
from auditor.periodic.history_schema import SEVERITY_COLUMNS

RUN_COLUMNS = (
    "id, generated_at, source_path, source_sha256, tool_version, ruleset_sha256, fail_on,"
    f" passed, destinations, schema_errors, findings, {', '.join(SEVERITY_COLUMNS)}"
)
FINDING_COLUMNS = (
    "fingerprint, rule_id, severity, status, message,"
    " destination_id, destination_name, destination_kind, project, environment"
)


class Damaged(Exception):
    """A value of the wrong type in the database (written by something other than auditor)."""


TEXT, _INT, _OPTIONAL_TEXT, _OPTIONAL_INT = (str,), (int,), (str, type(None)), (int, type(None))
STAMP: tuple[type, ...] = (str,)
"""Text that must also read as an ISO 8601 time (ages are computed from it)."""
_RUN_TYPES = (_INT, STAMP, TEXT, TEXT, TEXT, _OPTIONAL_TEXT, TEXT, _INT, _OPTIONAL_INT,
              _OPTIONAL_INT, _INT, *(_INT,) * len(SEVERITY_COLUMNS))  # fmt: skip
_FINDING_TYPES = (*(TEXT,) * 7, *(_OPTIONAL_TEXT,) * 3)
_SQL_TYPES = {str: "text", int: "an integer", float: "a real number", bytes: "a BLOB"}


def checked(row: Any, types: Sequence[tuple[type, ...]], columns: str, what: str) -> Any:
    """`row`, if each value has its column's type; else Damaged naming the row and column."""
    for value, allowed, name in zip(row, types, columns.split(","), strict=True):
        if type(value) not in allowed:
            kind = "NULL" if value is None else _SQL_TYPES.get(type(value), type(value).__name__)
            raise Damaged(f"{what}: column {name.strip()} holds {kind}")
        if allowed is STAMP and not _is_time(value):
            raise Damaged(f"{what}: column {name.strip()} holds text that is not a time")
    return row


def _is_time(text: str) -> bool:
    from datetime import datetime

    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def run_record(row: Any) -> RunRecord:
    checked(row, _RUN_TYPES, RUN_COLUMNS, f"run {row[0]!r}")
    (run_id, generated_at, path, sha256, version, ruleset, fail_on, passed) = row[:8]
    return RunRecord(
        id=run_id,
        generated_at=generated_at,
        source_path=path,
        source_sha256=sha256,
        tool_version=version,
        ruleset_sha256=ruleset,
        fail_on=fail_on,
        passed=bool(passed),
        destinations=row[8],
        schema_errors=row[9],
        findings=row[10],
        open_by_severity=MappingProxyType(dict(zip(SEVERITY_NAMES, row[11:], strict=True))),
    )


def recorded_finding(row: Any) -> RecordedFinding:
    checked(row, _FINDING_TYPES, FINDING_COLUMNS, "a finding")
    fingerprint, rule_id, severity, status, message, dest_id, name, kind, project, env = row
    return RecordedFinding(
        fingerprint=fingerprint,
        rule_id=rule_id,
        severity=severity,
        status=status,
        message=message,
        destination=FindingDestination(
            id=dest_id, name=name, kind=kind or "", project=project, environment=env
        ),
    )
