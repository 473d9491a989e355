"""`auditor review --api`: the proposed calls reviewed against the live document (fake API)."""

from __future__ import annotations

import pytest
from changes_helpers import SECRET, ids, off_patch, write_change
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FORBIDDEN,
    FakeLaunchDarkly,
    destination,
    destinations,
    fake_ld_fixture,
    ok,
)

TOKEN = "api-REVIEW-SENTINEL-77a1"
LIVE = "610addeadbeefaa86ec9a7d4"


@pytest.fixture
def api_env(fake_ld: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch) -> FakeLaunchDarkly:
    monkeypatch.setenv("LD_API_KEY", TOKEN)
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    return fake_ld


def test_review_api_applies_the_change_to_the_live_document(run, api_env, tmp_path):
    api_env.script(DESTINATIONS, ok(destinations(destination(LIVE))))
    change = write_change(tmp_path, [off_patch(LIVE, "my-project", "my-environment")])
    result = run("review", "--change", str(change), "--api", "-f", "json")
    assert result.exit_code == 1, result.stderr
    report = result.json
    assert report["before"]["source"]["path"] == f"{api_env.base_url}{DESTINATIONS}"
    assert ids(report, "introduced") == ["destination-disabled"]
    assert "destination-disabled" not in ids(report, "unchanged")
    assert [r.path for r in api_env.requests] == [DESTINATIONS]  # read only: nothing is sent
    assert TOKEN not in result.stdout + result.stderr


def test_review_api_reports_an_unreadable_api_as_exit_4(run, api_env, tmp_path):
    api_env.script(DESTINATIONS, FORBIDDEN)
    change = write_change(tmp_path, [off_patch(LIVE, "my-project", "my-environment")])
    result = run("review", "--change", str(change), "--api")
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: ")
    assert TOKEN not in result.stdout + result.stderr


def test_a_bad_change_file_fails_before_the_api_is_read(run, api_env, tmp_path):
    api_env.script(DESTINATIONS, ok(destinations(destination(LIVE))))
    change = tmp_path / "change.yaml"
    change.write_text(f"- method: GET\n  path: /api/v2/destinations\n  body: {SECRET}\n")
    result = run("review", "--change", str(change), "--api")
    assert result.exit_code == 2
    assert "method: expected one of PATCH, POST, DELETE, got 'GET'" in result.stderr
    assert SECRET not in result.stderr
    assert api_env.requests == []
