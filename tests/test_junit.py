"""JUnit XML output: parsed back with ElementTree, its counts match the JSON report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import CORE_ONLY

from auditor.cli.main import cli

DATA = Path(__file__).resolve().parent / "data"
EXPORT = DATA / "gate-export.json"
NOW = "2026-06-01T00:00:00Z"
COUNTS = ("tests", "failures", "errors", "skipped")


def check(export: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["check", *CORE_ONLY, str(export), "--now", NOW, *args], catch_exceptions=False
    )


def outputs(export: Path, tmp_path: Path, *args: str) -> tuple[ET.Element, dict[str, Any]]:
    xml, report = tmp_path / "results.xml", tmp_path / "report.json"
    check(export, "-f", f"junit:{xml}", "-f", f"json:{report}", *args)
    return ET.parse(xml).getroot(), json.loads(report.read_text())


def counts(element: ET.Element) -> dict[str, int]:
    return {key: int(element.attrib[key]) for key in COUNTS}


def pairs(report: dict[str, Any], *statuses: str) -> set[tuple[str, str]]:
    return {
        (f["rule_id"], f["destination"]["id"])
        for f in report["findings"]
        if f["status"] in statuses
    }


def test_structure_is_what_ci_consumers_read(tmp_path: Path):
    root, report = outputs(EXPORT, tmp_path)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.attrib["name"] for s in suites] == [r["id"] for r in report["rules"]]
    deselected = {r["id"] for r in report["rules"] if r["reason"] == "deselected"}
    assert deselected, "CORE_ONLY leaves rules out"
    for suite in suites:
        assert set(COUNTS) | {"name", "time", "timestamp"} <= set(suite.attrib)
        assert suite.attrib["timestamp"] == "2026-06-01T00:00:00"
        cases = suite.findall("testcase")
        if suite.attrib["name"] in deselected:  # one skipped testcase for the whole rule
            assert [c.attrib["name"] for c in cases] == ["(all destinations)"]
            assert suite.attrib["skipped"] == "1"
            continue
        assert int(suite.attrib["tests"]) == len(cases) == report["summary"]["destinations"]
        for case in cases:
            assert case.attrib["classname"] == suite.attrib["name"]
            assert case.attrib["name"]
            for failure in case.findall("failure"):
                assert set(failure.attrib) == {"message", "type"}
    total = {k: sum(counts(s)[k] for s in suites) for k in COUNTS}
    assert counts(root) == total


def test_counts_match_the_json_report(tmp_path: Path):
    root, report = outputs(EXPORT, tmp_path)
    ran = [r for r in report["rules"] if r["reason"] != "deselected"]
    deselected = len(report["rules"]) - len(ran)
    destinations = report["summary"]["destinations"]
    # a testcase passes only where its rule was evaluated; elsewhere it is skipped
    not_evaluated = sum(destinations - r["destinations_evaluated"] for r in ran)
    assert counts(root) == {
        "tests": len(ran) * destinations + deselected,
        "failures": len(pairs(report, "open")),
        "errors": 0,
        "skipped": not_evaluated + deselected,
    }
    failed = {
        (s.attrib["name"], c.attrib["name"].rsplit("(", 1)[1].rstrip(")"))
        for s in root.findall("testsuite")
        for c in s.findall("testcase")
        if c.find("failure") is not None
    }
    assert failed == pairs(report, "open")


def test_failure_carries_message_and_severity(tmp_path: Path):
    root, _ = outputs(EXPORT, tmp_path)
    case = root.find("testsuite[@name='destination-disabled']/testcase/failure/..")
    assert case is not None
    assert case.attrib["name"] == "web/production/web-segment (64a0c0ffee00000000000002)"
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib == {
        "message": "web-segment (segment) is turned off, so its events are not exported",
        "type": "medium",
    }
    assert "/items/1" in (failure.text or "")


def test_waived_and_baselined_testcases_are_skipped_with_the_reason(tmp_path: Path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - {rule: wildcard-*, name: mobile-kinesis, reason: break-glass role,"
        " owner: platform, expires: 2026-12-31, ticket: SEC-9}\n",
        encoding="utf-8",
    )
    root, report = outputs(EXPORT, tmp_path, "--waivers", str(waivers))
    skipped = root.findall("testsuite/testcase/skipped")
    accepted = [s for s in skipped if not s.attrib["message"].startswith("not evaluated: ")]
    assert len(accepted) == len(pairs(report, "waived")) == 2
    assert {s.attrib["message"] for s in accepted} == {
        "waived by platform until 2026-12-31, ticket SEC-9: break-glass role"
    }
    assert int(root.attrib["failures"]) == len(pairs(report, "open"))
    suite = root.find("testsuite[@name='waiver-expired']")
    assert suite is not None and suite.attrib["failures"] == "0"

    baseline = tmp_path / "baseline.json"
    check(EXPORT, "-f", f"json:{baseline}")
    root, report = outputs(EXPORT, tmp_path, "--baseline", str(baseline))
    messages = [s.attrib["message"] for s in root.findall("testsuite/testcase/skipped")]
    accepted = [m for m in messages if not m.startswith("not evaluated: ")]
    assert len(accepted) == len(pairs(report, "baselined")) == 4
    assert counts(root)["failures"] == 0
    assert set(accepted) == {f"baselined in {baseline}"}


def test_schema_problems_are_errors(tmp_path: Path):
    export = json.loads(EXPORT.read_text())
    del export["items"][0]["name"]
    export["items"][2]["kind"] = 7
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    root, report = outputs(path, tmp_path)
    suite = root.find("testsuite[@name='schema-error']")
    assert suite is not None
    assert counts(suite) == {"tests": 2, "failures": 0, "errors": 2, "skipped": 0}
    assert counts(root)["errors"] == report["summary"]["schema_errors"] == 2
    errors = suite.findall("testcase/error")
    assert [e.attrib["type"] for e in errors] == ["schema-error", "schema-error"]


@pytest.mark.parametrize(
    "name", ["<img src=x onerror=alert(1)>", 'a"b&c]]>', "bell\x07esc\x1b[31m", "tab\tnl\n"]
)
def test_hostile_names_still_give_well_formed_xml(tmp_path: Path, name: str):
    export = json.loads(EXPORT.read_text())
    export["items"][1]["name"] = name
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    xml = tmp_path / "results.xml"
    check(path, "-f", f"junit:{xml}")
    root = ET.parse(xml).getroot()
    names = {c.attrib["name"] for c in root.iter("testcase")}
    assert any(n.startswith("web/production/") for n in names)
    assert "<img" not in xml.read_text()
