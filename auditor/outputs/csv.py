"""The CSV output: one row per finding, every cell safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from auditor.engine import sort_key
from auditor.models import AuditResult, Finding
from auditor.outputs import RenderOptions

COLUMNS: tuple[str, ...] = (
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
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """`cell`, prefixed with `'` when a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def row(finding: Finding) -> list[str]:
    d = finding.destination
    cells = (
        finding.severity.label,
        finding.rule_id,
        finding.title,
        finding.status,
        d.project,
        d.environment,
        d.id,
        d.name,
        d.kind,
        finding.message,
        finding.pointer,
        finding.fingerprint,
    )
    return [neutralise(cell or "") for cell in cells]


def render(result: AuditResult, options: RenderOptions) -> str:
    out = io.StringIO()
    # RFC 4180 line ends; with "\r\n" as terminator, a cell holding \r or \n is quoted.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(row(f) for f in sorted(result.findings, key=sort_key))
    return out.getvalue()
