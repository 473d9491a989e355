"""The built-in rules' cache: written where XDG_CACHE_HOME points, read instead of parsing the
rule files again, and never trusted or needed: a missing, corrupt, foreign or unwritable cache
gives the same audit, silently."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE, Run

from auditor.io.paths import rules_dir
from auditor.rulebook import ruleset
from auditor.rulebook.ruleset import load_rules

NOW = "2026-01-31T12:00:00Z"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("AUDITOR_NO_CACHE", raising=False)
    return home


def _cache_file(home: Path) -> Path:
    return home / "auditor" / "builtin-rules.json"


def _fresh() -> list[object]:
    """The built-in rules loaded from their files, with the cache turned off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDITOR_NO_CACHE", "1")
        return list(load_rules())


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a rule file was parsed")

    monkeypatch.setattr(ruleset, "load_yaml", refuse)


def test_the_first_load_writes_the_cache_and_the_next_one_parses_nothing(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_rules()
    fresh = _fresh()
    cache = _cache_file(cache_home)
    assert cache.is_file()
    assert cache.stat().st_mode & 0o077 == 0  # the user's own
    _no_parsing(monkeypatch)
    assert load_rules() == first == fresh


def test_the_cache_is_off_with_auditor_no_cache(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_NO_CACHE", "1")
    load_rules()
    assert not cache_home.exists()


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda text: text[: len(text) // 2], id="cut-short"),
        pytest.param(lambda text: "[1, 2, 3]", id="not-an-object"),
        pytest.param(lambda text: text.replace('"key": "', '"key": "0', 1), id="other-key"),
        pytest.param(lambda text: text.replace('"title": ', '"titel": '), id="no-title"),
        pytest.param(
            lambda text: text.replace('"marks": [', '"marks": [[["id"], 0, 1], ', 1), id="bad-mark"
        ),
        pytest.param(
            lambda text: text.replace('"uses_value": false', '"uses_value": 0', 1), id="bad-flag"
        ),
        pytest.param(
            lambda text: text.replace('"marks": [', '"marks": [[[["id"]], 1, 1], ', 1),
            id="unhashable-mark",
        ),
        pytest.param(lambda text: "\ud800", id="not-text"),
    ],
)
def test_a_spoilt_cache_is_ignored_and_rewritten(
    cache_home: Path, spoil: Callable[[str], str]
) -> None:
    expected = load_rules()
    cache = _cache_file(cache_home)
    good = cache.read_text(encoding="utf-8")
    cache.write_bytes(spoil(good).encode("utf-8", "surrogatepass"))
    assert load_rules() == expected
    assert json.loads(cache.read_text(encoding="utf-8")) == json.loads(good)


def test_a_cache_others_may_write_is_not_read(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoever can write the cache decides what the rules check: only the user's own counts."""
    load_rules()
    cache = _cache_file(cache_home)
    stored = json.loads(cache.read_text(encoding="utf-8"))
    stored["files"][0]["data"]["title"] = "planted"
    cache.write_text(json.dumps(stored), encoding="utf-8")
    os.chmod(cache, 0o666)
    assert load_rules()[0].title != "planted"
    os.chmod(cache, 0o600)
    os.chmod(cache.parent, 0o777)
    assert load_rules()[0].title != "planted"


def test_a_planted_fifo_does_not_stall_the_load(cache_home: Path) -> None:
    (cache_home / "auditor").mkdir(parents=True, mode=0o700)
    os.mkfifo(_cache_file(cache_home))
    assert load_rules() == _fresh()


def test_an_unwritable_cache_changes_nothing(
    cache_home: Path, run: Callable[..., Run], tmp_path: Path
) -> None:
    cache_home.write_text("a file where the cache directory would be\n")  # root writes anywhere
    args = ("check", str(EXAMPLE), "--now", NOW, "--fail-on", "never", "-f", "json")
    with_cache = run(*args)
    assert with_cache.stderr == ""
    assert cache_home.read_text() == "a file where the cache directory would be\n"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDITOR_NO_CACHE", "1")
        assert run(*args) == with_cache


def test_the_audit_is_the_same_cold_warm_and_uncached(
    cache_home: Path, run_process: Callable[..., Run]
) -> None:
    args = ("check", str(EXAMPLE), "--now", NOW, "--fail-on", "never", "-f", "json")
    cold = run_process(*args)
    assert _cache_file(cache_home).is_file()
    warm = run_process(*args)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDITOR_NO_CACHE", "1")
        uncached = run_process(*args)
    assert cold == warm == uncached
    assert cold.exit_code == 0 and cold.stderr == ""


def test_a_user_rule_error_reads_the_same_with_a_warm_cache(
    cache_home: Path, run: Callable[..., Run], tmp_path: Path
) -> None:
    bad = tmp_path / "wildcard-resource-grant.yaml"  # an id the built-ins already use
    bad.write_text((rules_dir() / "wildcard-resource-grant.yaml").read_text(encoding="utf-8"))
    load_rules()
    result = run("check", str(EXAMPLE), "--rules", str(bad))
    assert result.exit_code == 2
    assert "is already defined in" in result.stderr
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDITOR_NO_CACHE", "1")
        assert run("check", str(EXAMPLE), "--rules", str(bad)) == result


def test_the_controls_catalogue_is_cached_and_a_spoilt_copy_ignored(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.rulebook import controls

    monkeypatch.setattr(controls, "catalogue", controls.catalogue.__wrapped__)
    expected = controls.catalogue()
    cached = cache_home / "auditor" / "controls.json"
    assert cached.is_file()
    assert controls.catalogue() == expected
    stored = json.loads(cached.read_text(encoding="utf-8"))
    stored["data"] = {"frameworks": [{"key": "soc2"}]}  # the right key, not a catalogue
    cached.write_text(json.dumps(stored), encoding="utf-8")
    assert controls.catalogue() == expected
    cached.write_text("{", encoding="utf-8")
    assert controls.catalogue() == expected
    assert json.loads(cached.read_text(encoding="utf-8"))["data"]["frameworks"]
