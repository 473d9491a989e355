"""The JSON report: its schema, golden output, determinism and stable fingerprints."""

from __future__ import annotations

import json
import random

from conftest import EXAMPLE, FIXED_NOW, ROOT
from jsonschema import Draft202012Validator, FormatChecker

REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())


def test_report_validates_against_its_schema(run):
    report = run("check", str(EXAMPLE), "-f", "json").json
    Draft202012Validator.check_schema(REPORT_SCHEMA)
    errors = list(
        Draft202012Validator(REPORT_SCHEMA, format_checker=FormatChecker()).iter_errors(report)
    )
    assert errors == []


def test_report_with_schema_errors_validates_too(run, write_json):
    doc = json.loads(EXAMPLE.read_text())
    doc["items"][0]["on"] = "true"
    report = run("check", str(write_json(doc)), "-f", "json").json
    assert report["schema_errors"]
    assert list(Draft202012Validator(REPORT_SCHEMA).iter_errors(report)) == []


def test_json_golden(run, golden, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("check", "examples/destinations.json", "--now", FIXED_NOW, "-f", "json")
    golden("example.json", result.stdout)


def test_text_golden(run, golden, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("check", "examples/destinations.json", "--now", FIXED_NOW)
    golden("example.txt", result.stdout)


def test_reordering_items_and_access_changes_no_fingerprint(run, write_json):
    doc = json.loads(EXAMPLE.read_text())
    rng = random.Random(7)
    rng.shuffle(doc["items"])
    for item in doc["items"]:
        for entries in item.get("_access", {}).values():
            rng.shuffle(entries)
            for entry in entries:
                for key in ("resources", "actions", "notActions", "notResources"):
                    if key in entry["reason"]:
                        rng.shuffle(entry["reason"][key])
    before = run("check", str(EXAMPLE), "-f", "json", "--now", FIXED_NOW).json
    after = run("check", str(write_json(doc)), "-f", "json", "--now", FIXED_NOW).json

    def prints(report):
        return sorted(
            (f["rule_id"], f["destination"]["id"], f["fingerprint"]) for f in report["findings"]
        )

    assert prints(before) == prints(after)
    # the order of findings does not depend on the order of the input either
    assert [f["fingerprint"] for f in before["findings"]] == [
        f["fingerprint"] for f in after["findings"]
    ]


def test_fingerprints_are_unique_per_finding(run):
    report = run("check", str(EXAMPLE), "-f", "json").json
    fingerprints = [f["fingerprint"] for f in report["findings"]]
    assert len(fingerprints) == len(set(fingerprints))


def test_findings_sorted_by_severity_first(run):
    report = run("check", str(EXAMPLE), "-f", "json").json
    order = ["critical", "high", "medium", "low", "info"]
    ranks = [order.index(f["severity"]) for f in report["findings"]]
    assert ranks == sorted(ranks)
