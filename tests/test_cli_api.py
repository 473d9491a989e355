"""`auditor fetch` and `auditor check --api` against a fake LaunchDarkly API on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FORBIDDEN,
    FakeLaunchDarkly,
    destination,
    destinations,
    fake_ld_fixture,
    ok,
    truncated,
)

TOKEN = "api-CLI-SENTINEL-5d1e"
DOC = destinations(destination(), destination("610addeadbeefaa86ec9a7d5", name="off", on=False))


@pytest.fixture
def api_env(fake_ld: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch) -> FakeLaunchDarkly:
    monkeypatch.setenv("LD_API_KEY", TOKEN)
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    return fake_ld


def test_fetch_writes_the_body_as_received_with_a_sidecar(run, api_env, tmp_path):
    api_env.script(DESTINATIONS, ok(DOC))
    out = tmp_path / "snapshot.json"
    result = run("fetch", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    body = out.read_bytes()
    assert json.loads(body) == DOC
    meta = json.loads((tmp_path / "snapshot.json.meta.json").read_text())
    assert meta["sha256"] == hashlib.sha256(body).hexdigest()
    assert meta["base_url"] == api_env.base_url and meta["status"] == 200
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert api_env.requests[0].headers["Authorization"] == TOKEN
    assert (
        TOKEN
        not in result.stdout + result.stderr + (tmp_path / "snapshot.json.meta.json").read_text()
    )


def test_check_api_audits_the_live_document_and_saves_it(run, api_env, tmp_path):
    api_env.script(DESTINATIONS, ok(DOC))
    saved = tmp_path / "audited.json"
    result = run("check", "--api", "--save", str(saved), "-f", "json")
    assert result.exit_code == 1
    report = result.json
    assert report["source"]["path"] == f"{api_env.base_url}/api/v2/destinations"
    assert report["source"]["sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()
    disabled = [
        f["destination"]["name"]
        for f in report["findings"]
        if f["rule_id"] == "destination-disabled"
    ]
    assert disabled == ["off"]  # the fake's admin grants show up as wildcard findings too
    assert report["summary"]["destinations"] == 2
    assert TOKEN not in result.stdout + result.stderr


def test_auth_failure_is_exit_4_with_a_hint_and_no_retry(run_process, api_env, tmp_path):
    api_env.script(DESTINATIONS, FORBIDDEN)
    env_before = os.environ.copy()
    result = run_process("check", "--api")
    assert os.environ == env_before
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: ")
    assert "Hint: " in result.stderr
    assert len(api_env.requests) == 1
    assert TOKEN not in result.stdout + result.stderr


def test_truncated_body_keeps_the_previous_snapshot(run, api_env, tmp_path):
    api_env.script(DESTINATIONS, truncated(DOC))
    out = tmp_path / "snapshot.json"
    out.write_text("last good snapshot")
    result = run("fetch", "-o", str(out), "--max-retries", "0")
    assert result.exit_code == 4
    assert out.read_text() == "last good snapshot"
    assert {p.name for p in tmp_path.iterdir()} == {"snapshot.json"}
    error, hint = result.stderr.strip().splitlines()
    assert error.startswith("Error: ") and "cut off mid-body" in error
    assert hint.startswith("Hint: ")


def test_fetch_refuses_plain_http_to_a_remote_host(run, monkeypatch):
    monkeypatch.setenv("LD_API_KEY", TOKEN)
    result = run("fetch", "--base-url", "http://app.launchdarkly.com")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: refusing to send the API token over plain http to app.launchdarkly.com\n"
    )


def test_fetch_refuses_to_run_without_a_token(run, monkeypatch):
    monkeypatch.delenv("LD_API_KEY", raising=False)
    result = run("fetch")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no API token: set LD_API_KEY (or name another variable with --api-key-env)\n"
    )


def test_api_key_env_names_another_variable(run, fake_ld, monkeypatch):
    monkeypatch.delenv("LD_API_KEY", raising=False)
    monkeypatch.setenv("MY_LD_TOKEN", TOKEN)
    fake_ld.script(DESTINATIONS, ok(DOC))
    result = run("fetch", "--base-url", fake_ld.base_url, "--api-key-env", "MY_LD_TOKEN")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == DOC


def test_check_needs_input_or_api_but_not_both(run, tmp_path):
    neither = run("check")
    assert neither.exit_code == 2
    assert neither.stderr == "Error: give INPUT (an export file, or - for stdin) or --api\n"
    both = run("check", "x.json", "--api")
    assert both.exit_code == 2
    assert both.stderr == "Error: give INPUT or --api, not both\n"
    save_alone = run("check", "x.json", "--save", str(tmp_path / "s.json"))
    assert save_alone.exit_code == 2
    assert "--save" in save_alone.stderr
