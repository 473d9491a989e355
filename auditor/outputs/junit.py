"""JUnit XML for CI test dashboards: a testsuite per rule, a testcase per audited destination.

A rule applies to every audited destination (statement rules too: one testcase per
destination, covering all its statements), so passing testcases are listed and CI shows a
count. A testcase fails when the rule has an open finding on the destination, and is skipped
when all its findings are waived or baselined. Schema problems are testcases with an error
in a `schema-error` testsuite.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from auditor.models import AuditResult, Destination, Finding
from auditor.outputs import RenderOptions

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_COUNTS = ("tests", "failures", "errors", "skipped")


def xml_text(text: object) -> str:
    """Text XML 1.0 can hold: characters it forbids are shown as \\xNN."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def case_name(dest: Destination) -> str:
    return f"{dest.project or '-'}/{dest.environment or '-'}/{dest.name} ({dest.id})"


def _line(f: Finding) -> str:
    return f"[{f.severity.label}] {f.status}: {f.message} (at {f.pointer}, {f.fingerprint})"


def _skip_reason(result: AuditResult, f: Finding) -> str:
    if f.status == "waived" and f.waiver:
        w = f.waiver
        ticket = f", ticket {w['ticket']}" if w["ticket"] else ""
        return f"waived by {w['owner']} until {w['expires']}{ticket}: {w['reason']}"
    return f"baselined in {result.baseline.path}" if result.baseline else "baselined"


def _case(
    result: AuditResult,
    suite: ET.Element,
    rule_id: str,
    dest: Destination,
    found: Sequence[Finding],
) -> str:
    case = ET.SubElement(
        suite, "testcase", classname=rule_id, name=xml_text(case_name(dest)), time="0"
    )
    opened = [f for f in found if f.status == "open"]
    if opened:
        more = f" (and {len(opened) - 1} more)" if len(opened) > 1 else ""
        failure = ET.SubElement(
            case,
            "failure",
            message=xml_text(opened[0].message + more),
            type=opened[0].severity.label,
        )
        failure.text = xml_text("\n".join(_line(f) for f in found))
        return "failures"
    if found:
        ET.SubElement(case, "skipped", message=xml_text(_skip_reason(result, found[0])))
        return "skipped"
    return "tests"


def _suite(parent: ET.Element, name: str, timestamp: str, access: str = "") -> ET.Element:
    suite = ET.SubElement(parent, "testsuite", name=name, timestamp=timestamp)
    if access:  # whose access the audit covers: the caller's, or the whole account's
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="access", value=xml_text(access))
    return suite


def _count(element: ET.Element, counts: dict[str, int]) -> None:
    for key in _COUNTS:
        element.set(key, str(counts[key]))
    element.set("time", "0")


def junit_tree(result: AuditResult) -> ET.Element:
    """The <testsuites> element of one audit."""
    found: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        found.setdefault((f.rule_id, f.destination.id), []).append(f)
    timestamp = result.generated_at.removesuffix("Z")
    root = ET.Element("testsuites", name="auditor")
    total = dict.fromkeys(_COUNTS, 0)
    for rule in result.rules:
        suite = _suite(root, rule.id, timestamp, result.access.summary)
        counts = dict.fromkeys(_COUNTS, 0)
        for dest in result.destinations:
            outcome = _case(result, suite, rule.id, dest, found.get((rule.id, dest.id), []))
            counts["tests"] += 1
            if outcome != "tests":
                counts[outcome] += 1
        _count(suite, counts)
        total = {k: total[k] + counts[k] for k in _COUNTS}
    if result.problems:
        suite = _suite(root, "schema-error", timestamp)
        for problem in result.problems:
            case = ET.SubElement(
                suite,
                "testcase",
                classname="schema-error",
                name=xml_text(problem.pointer),
                time="0",
            )
            ET.SubElement(case, "error", message=xml_text(problem.message), type="schema-error")
        problems = len(result.problems)
        _count(suite, {"tests": problems, "failures": 0, "errors": problems, "skipped": 0})
        total["tests"] += problems
        total["errors"] += problems
    _count(root, total)
    return root


def render(result: AuditResult, options: RenderOptions) -> str:
    root = junit_tree(result)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
