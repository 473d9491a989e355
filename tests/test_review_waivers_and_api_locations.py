"""`review` says which waivers it applied (everyday use 13); `--api` locations (item 14)."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import EXAMPLE, FIXED_NOW
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FakeLaunchDarkly,
    destination,
    destinations,
    fake_ld_fixture,
    ok,
)

CHANGE = EXAMPLE.parent / "change.yaml"
NOW = ("--now", FIXED_NOW)
WAIVER = (
    "waivers:\n  - {rule: destination-disabled, name: payments-load-test-stream, reason: paused,"
    " owner: data-team, expires: 2099-01-01}\n"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    shutil.copy(EXAMPLE, tmp_path / "destinations.json")
    shutil.copy(CHANGE, tmp_path / "change.yaml")
    (tmp_path / "w.yaml").write_text(WAIVER)
    (tmp_path / "auditor.yaml").write_text("waivers: w.yaml\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _review(run, *extra):
    return run("review", "destinations.json", "--change", "change.yaml", *NOW, *extra)


def test_review_says_which_waivers_of_the_config_applied_and_marks_them(run, project):
    text = _review(run).stdout
    assert "  Waivers w.yaml: 1 active" in text
    assert "    applied: destination-disabled (data-team, until 2099-01-01) to 1 finding(s)" in text
    line = next(x for x in text.splitlines() if "payments-load-test-stream:" in x and "+ " in x)
    assert "destination-disabled [waived by data-team until 2099-01-01]" in line


def test_review_no_waivers_and_waivers(run, project):
    bare = _review(run, "--no-waivers").stdout
    assert "Waivers" not in bare and "[waived" not in bare
    (project / "other.yaml").write_text(WAIVER.replace("data-team", "platform"))
    other = _review(run, "--waivers", "other.yaml").stdout
    assert "Waivers other.yaml: 1 active" in other and "[waived by platform" in other
    both = _review(run, "--waivers", "other.yaml", "--no-waivers")
    assert both.exit_code == 2 and "not both" in both.stderr


# 14. With --api: SARIF and GitHub locations point at the saved snapshot, or at nothing


@pytest.fixture
def live(fake_ld: FakeLaunchDarkly, monkeypatch):
    monkeypatch.setenv("LD_API_KEY", "api-locations")
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    fake_ld.script(DESTINATIONS, ok(destinations(destination(on=False))))
    return fake_ld


def test_api_without_save_has_logical_locations_only(run, live, tmp_path):
    sarif_path = tmp_path / "r.sarif"
    result = run("check", "--api", "-f", f"sarif:{sarif_path}", "-f", "github", *NOW)
    sarif = json.loads(sarif_path.read_text())
    (finding,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "destination-disabled"]
    (location,) = finding["locations"]
    assert "physicalLocation" not in location
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "/items/0"
    assert "artifacts" not in sarif["runs"][0]
    assert "http" not in json.dumps(finding["locations"])
    annotation = next(x for x in result.stdout.splitlines() if "destination-disabled" in x)
    assert "file=" not in annotation


def test_api_with_save_points_at_the_saved_snapshot(run, live, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(
        "check", "--api", "--save", "snap.json", "-f", "sarif:r.sarif", "-f", "github", *NOW
    )
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    (finding,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "destination-disabled"]
    physical = finding["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "snap.json",
        "uriBaseId": "%SRCROOT%",
        "index": 0,
    }
    line = physical["region"]["startLine"]
    snapshot = (tmp_path / "snap.json").read_text().splitlines()
    assert '"on"' in "".join(snapshot) and line >= 1
    annotation = next(x for x in result.stdout.splitlines() if "destination-disabled" in x)
    assert re.search(rf"file=snap\.json,line={line}\b", annotation)
