"""The nightly recipe: `check --api --history --evidence` against a fake API on 127.0.0.1."""

from __future__ import annotations

import json
import sys

import pytest
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FakeLaunchDarkly,
    destination,
    destinations,
    fake_ld_fixture,
    ok,
)

TOKEN = "api-NIGHTLY-SENTINEL-77c1"


@pytest.fixture
def api_env(fake_ld: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch) -> FakeLaunchDarkly:
    monkeypatch.setenv("LD_API_KEY", TOKEN)
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    return fake_ld


def test_two_nights_against_the_api(run, api_env, tmp_path, monkeypatch):
    db = tmp_path / "history.db"
    first = destinations(
        destination(), destination("610addeadbeefaa86ec9a7d5", name="off", on=False)
    )
    second = destinations(
        destination(), destination("610addeadbeefaa86ec9a7d5", name="off", on=True)
    )
    for night, doc in ((1, first), (2, second)):
        api_env.script(DESTINATIONS, ok(doc))
        pack = tmp_path / f"evidence-{night}"
        argv = ["auditor", "check", "--api", "--history", str(db), "--evidence", str(pack)]
        monkeypatch.setattr(sys, "argv", argv)
        result = run(*argv[1:], "--now", f"2026-01-0{night}T02:30:00Z", "-f", "json")
        assert result.exit_code in (0, 1), result.stderr
        assert run("evidence", "verify", str(pack)).exit_code == 0
        meta = json.loads((pack / "evidence.json").read_text())
        assert meta["source"]["path"] == f"{api_env.base_url}/api/v2/destinations"
        assert meta["source"]["sha256"] == result.json["source"]["sha256"]
        snapshot = json.loads((pack / "input" / "destinations.json").read_text())
        assert [i["_id"] for i in snapshot["items"]] == [i["_id"] for i in doc["items"]]
        assert meta["command_line"] == argv
        for path in pack.rglob("*"):
            assert not path.is_file() or TOKEN.encode() not in path.read_bytes()
        assert TOKEN not in result.stdout + result.stderr
    history = result.json["history"]
    assert [r["rule_id"] for r in history["resolved"]] == ["destination-disabled"]
    assert TOKEN.encode() not in db.read_bytes()
