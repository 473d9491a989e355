"""The CSV output: one row per finding, every cell safe to open in a spreadsheet.

Besides the finding itself, each row carries what an auditor files it with: the controls
its rule tests, the rule's remediation, the waiver (owner, reason, ticket, expiry),
`first_seen` (with --history) and the full fingerprint.
"""

from __future__ import annotations

import csv
import io
import re

from auditor.engine import sort_key
from auditor.models import AuditResult, Finding, Rule
from auditor.outputs import RenderOptions
from auditor.outputs.assurance import controls_of

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
    "controls",
    "remediation",
    "waiver_owner",
    "waiver_reason",
    "waiver_ticket",
    "waiver_expires",
    "first_seen",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection), also
# after leading blanks or line breaks, which it skips: " =1+1" and "\n=1+1" are formulas too.
_FORMULA = re.compile(r"[\s\x00-\x1f]*[=+\-@]|[\t\r\n]")


def neutralise(cell: str) -> str:
    """`cell`, prefixed with `'` when a spreadsheet would read it as a formula."""
    return "'" + cell if _FORMULA.match(cell) else cell


def row(
    finding: Finding,
    rule: Rule | None = None,
    controls: str = "",
    first_seen: str | None = None,
) -> list[str]:
    """The cells of one finding; `rule` gives the remediation, `controls` its rule's controls."""
    d = finding.destination
    w = finding.waiver or {}
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
        controls,
        rule.remediation if rule else None,
        w.get("owner"),
        w.get("reason"),
        w.get("ticket"),
        w.get("expires"),
        first_seen,
    )
    return [neutralise(str(cell) if cell is not None else "") for cell in cells]


def render(result: AuditResult, options: RenderOptions) -> str:
    out = io.StringIO()
    # RFC 4180 line ends; with "\r\n" as terminator, a cell holding \r or \n is quoted.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rules = {r.id: r for r in (*result.rules, *result.deselected)}
    controls = {
        rule_id: "; ".join(controls_of(r, result.frameworks)) for rule_id, r in rules.items()
    }
    first_seen = result.history.first_seen if result.history else {}
    for finding in sorted(result.findings, key=sort_key):
        rule_id, fingerprint = finding.rule_id, finding.fingerprint
        rule = rules.get(rule_id)
        writer.writerow(row(finding, rule, controls.get(rule_id, ""), first_seen.get(fingerprint)))
    return out.getvalue()
