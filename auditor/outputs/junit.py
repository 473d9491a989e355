"""JUnit XML for CI test dashboards: a testsuite per rule, a testcase per audited destination.

A testcase passes only where the rule was evaluated (statement rules: one testcase per
destination, covering all its statements). It fails when the rule has an open finding on
the destination, and is skipped, with the reason, when all its findings are waived or
baselined, or when the rule was not evaluated there: not configured (an opt-in rule without
its params), not applicable (its guard did not hold), `_access` not reported. A rule left
out by --select/--ignore is a testsuite of one skipped testcase, "deselected". Schema
problems are testcases with an error in a `schema-error` testsuite.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from auditor.models import (
    COVERAGE_EVALUATED,
    COVERAGE_NO_ACCESS,
    COVERAGE_NOT_CONFIGURED,
    AuditResult,
    Destination,
    Finding,
    RuleCoverage,
)
from auditor.outputs import RenderOptions
from auditor.outputs.assurance import RuleVerdict, rule_verdicts

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


def _not_evaluated_here(coverage: RuleCoverage | None, at: int, dest: Destination) -> str:
    """Why the rule was not evaluated on the destination at position `at`; "" if it was."""
    if coverage is None:
        return ""
    code = coverage.codes[at]
    if code == COVERAGE_EVALUATED:
        return ""
    if code == COVERAGE_NOT_CONFIGURED:
        return (
            f"not evaluated: not configured for {dest.kind} destinations; "
            "set the rule's params to enable it"
        )
    if code == COVERAGE_NO_ACCESS:
        return "not evaluated: _access not reported, so no grant of this destination was checked"
    return "not evaluated: the rule does not apply to this destination (its conditions do not hold)"


def _case(
    result: AuditResult,
    suite: ET.Element,
    rule_id: str,
    dest: Destination,
    found: Sequence[Finding],
    not_evaluated: str = "",
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
    if not_evaluated:
        ET.SubElement(case, "skipped", message=xml_text(not_evaluated))
        return "skipped"
    return "tests"


def _whole_rule(suite: ET.Element, rule_id: str, verdict: RuleVerdict) -> None:
    """One testcase for the whole rule: deselected, or an export without destinations."""
    case = ET.SubElement(suite, "testcase", classname=rule_id, name="(all destinations)", time="0")
    if verdict.status == "not_evaluated":
        ET.SubElement(case, "skipped", message=xml_text(f"not evaluated: {verdict.detail}"))


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
    for verdict in rule_verdicts(result):
        rule = verdict.rule
        suite = _suite(root, rule.id, timestamp, result.access.summary)
        counts = dict.fromkeys(_COUNTS, 0)
        coverage = result.coverage.get(rule.id)
        if verdict.reason == "deselected" or not result.destinations:
            _whole_rule(suite, rule.id, verdict)
            counts["tests"] += 1
            if verdict.status == "not_evaluated":
                counts["skipped"] += 1
        for at, dest in enumerate(result.destinations if verdict.reason != "deselected" else ()):
            why = _not_evaluated_here(coverage, at, dest)
            mine = found.get((rule.id, dest.id), [])
            outcome = _case(result, suite, rule.id, dest, mine, why)
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
