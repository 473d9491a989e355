"""The built-in rules' prebuilt data (auditor/rulebook/prebuilt/): up to date with the rule
files, read instead of parsing them, and never needed: a missing, stale or spoilt copy gives
the same rules and the same audit, silently."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE, Run

from auditor.io.paths import reports_dir, rules_dir
from auditor.rulebook import controls, docgen, rulecache, ruleset
from auditor.rulebook.ruleset import load_rules

NOW = "2026-01-31T12:00:00Z"
SHIPPED = rulecache.PREBUILT


@pytest.fixture
def prebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped prebuilt data that this test may spoil, read in its place."""
    copy = tmp_path / "prebuilt"
    copy.mkdir()
    for name in (rulecache.RULES, "controls.json"):
        (copy / name).write_bytes((SHIPPED / name).read_bytes())
    monkeypatch.setattr(rulecache, "PREBUILT", copy)
    return copy


def _fresh() -> list[object]:
    """The built-in rules parsed from their files, without the prebuilt data."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rulecache, "PREBUILT", Path("/nonexistent-prebuilt"))
        return list(load_rules())


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a rule file was parsed")

    monkeypatch.setattr(ruleset, "load_yaml", refuse)


def test_the_shipped_data_matches_the_rule_files() -> None:
    """`docgen --check` fails until the data is written again after a rule file changes."""
    for path, fresh in docgen.prebuilt().items():
        assert path.parent == SHIPPED
        assert path.read_text(encoding="utf-8") == fresh, (
            f"{path.name} is out of date: run `python -m auditor.rulebook.docgen`"
        )


def test_a_load_parses_no_built_in_rule_file(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = _fresh()
    _no_parsing(monkeypatch)
    assert load_rules() == fresh


def test_an_edited_rule_file_is_parsed_not_read_from_stale_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data is keyed by every built-in file's exact bytes: one changed byte misses."""
    rules = tmp_path / "rules"
    rules.mkdir()
    for source in rules_dir().glob("*.yaml"):
        (rules / source.name).write_bytes(source.read_bytes())
    edited = rules / "destination-disabled.yaml"
    text = edited.read_text(encoding="utf-8")
    assert "\nseverity: medium\n" in text
    edited.write_text(text.replace("\nseverity: medium\n", "\nseverity: low\n"), encoding="utf-8")
    monkeypatch.setattr(ruleset, "rules_dir", lambda: rules)
    loaded = {r.id: r for r in load_rules()}
    assert loaded["destination-disabled"].severity.label == "low"
    assert loaded["destination-disabled"].source == "builtin:destination-disabled.yaml"


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda text: "", id="empty"),
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
def test_spoilt_data_is_ignored(prebuilt: Path, spoil: Callable[[str], str]) -> None:
    expected = _fresh()
    data = prebuilt / rulecache.RULES
    data.write_bytes(spoil(data.read_text(encoding="utf-8")).encode("utf-8", "surrogatepass"))
    assert load_rules() == expected


def test_missing_data_is_no_error(prebuilt: Path) -> None:
    (prebuilt / rulecache.RULES).unlink()
    (prebuilt / "controls.json").unlink()
    assert load_rules() == _fresh()
    assert controls.catalogue.__wrapped__() == controls.catalogue()


def test_the_audit_is_the_same_with_and_without_the_data(
    prebuilt: Path, run: Callable[..., Run]
) -> None:
    args = ("check", str(EXAMPLE), "--now", NOW, "--fail-on", "never", "-f", "json")
    read = run(*args)
    (prebuilt / rulecache.RULES).write_text("{", encoding="utf-8")
    (prebuilt / "controls.json").write_text("{", encoding="utf-8")
    assert run(*args) == read
    assert read.exit_code == 0 and read.stderr == ""


def test_a_user_rule_error_reads_the_same_with_and_without_the_data(
    prebuilt: Path, run: Callable[..., Run], tmp_path: Path
) -> None:
    bad = tmp_path / "wildcard-resource-grant.yaml"  # an id the built-ins already use
    bad.write_text((rules_dir() / "wildcard-resource-grant.yaml").read_text(encoding="utf-8"))
    result = run("check", str(EXAMPLE), "--rules", str(bad))
    assert result.exit_code == 2
    assert f"defined in {rules_dir() / 'wildcard-resource-grant.yaml'}:1:1" in result.stderr
    assert "is already defined in" in result.stderr
    (prebuilt / rulecache.RULES).unlink()
    assert run("check", str(EXAMPLE), "--rules", str(bad)) == result


def test_the_controls_catalogue_comes_from_its_data_and_a_spoilt_copy_is_ignored(
    prebuilt: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(controls, "catalogue", controls.catalogue.__wrapped__)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rulecache, "PREBUILT", Path("/nonexistent-prebuilt"))
        expected = controls.catalogue()
    stored = json.loads((prebuilt / "controls.json").read_text(encoding="utf-8"))
    assert stored["data"]["frameworks"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rulecache, "load_yaml", lambda *a, **k: pytest.fail("controls parsed"))
        assert controls.catalogue() == expected
    stored["data"] = {"frameworks": [{"key": "soc2"}]}  # the right key, not a catalogue
    (prebuilt / "controls.json").write_text(json.dumps(stored), encoding="utf-8")
    assert controls.catalogue() == expected
    (prebuilt / "controls.json").write_text("{", encoding="utf-8")
    assert controls.catalogue() == expected
    assert (reports_dir() / "controls.yaml").is_file()
