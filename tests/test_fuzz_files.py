"""Fuzzing the files users write: rules, config, waivers, baselines and change files.

Each is drawn as a valid file with fields deleted, retyped, made huge, deep or hostile, then
perhaps damaged as text (cut short, a stray YAML indicator, a tab, a billion-laughs prefix).
Whatever comes in, the command exits 0, 1 or 2 (3 only for the export, which stays valid
here), with one-line errors and no traceback, and outputs are whole or absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from conftest import EXAMPLE, FIXED_NOW, ROOT
from fuzzing import (
    HOSTILE_TEXT,
    assert_clean,
    assert_outputs_whole,
    fuzz,
    invoke,
    json_bytes,
    json_values,
    mutated,
    sandbox,
    yaml_text,
)
from hypothesis import event, given
from hypothesis import strategies as st

STARTER_RULE = ROOT / "starter" / "rules" / "destination-name-unconventional.yaml"
RULE_BASES = [
    yaml.safe_load(STARTER_RULE.read_text(encoding="utf-8")),
    yaml.safe_load((ROOT / "rules" / "broad-destructive-grant.yaml").read_text(encoding="utf-8")),
]
CONFIG_BASE = {
    **yaml.safe_load((ROOT / "examples" / "auditor.yaml").read_text(encoding="utf-8")),
    "rules": ["rules"],
    "params": {"destination-name-unconventional": {"pattern": "(a+)+$"}},
    "hard_fail_on": ["wildcard-*"],
}
WAIVERS_BASE = yaml.safe_load((ROOT / "examples" / "waivers.yaml").read_text(encoding="utf-8"))
CHANGE_BASE = yaml.safe_load((ROOT / "examples" / "change.yaml").read_text(encoding="utf-8"))
REPORT = {"out.json": "json"}
ALL_CODES = frozenset({0, 1, 2})
YAML_HUGE = (5_000, 40_000)
"""A broken YAML file is parsed again by PyYAML's pure-Python parser to word the error, at
about 100 kB a second: big enough to matter, small enough to keep the suite quick."""
PATTERNS = ["(a+)+$", "(x+x+)+y", "(?<=a)b", r"(a)\1", "[", "a{2000}", "\ud800", ".*" * 50]
"""Regular expressions a rule might hold: catastrophic for a backtracking engine, or invalid."""


def _baseline_base() -> Any:
    with sandbox() as box:
        out = box.path("baseline.json")
        invoke("check", str(EXAMPLE), "--now", FIXED_NOW, "-f", f"json:{out}")
        return json.loads(out.read_text(encoding="utf-8"))


BASELINE_BASE = _baseline_base()


def _check(*args: str, box: Any) -> int:
    code, _, err = invoke(*args, "-f", f"json:{box.path('out.json')}")
    assert_clean(code, err, ALL_CODES)
    assert_outputs_whole(box, REPORT)
    event(f"exit {code}")
    return code


rule_files = st.sampled_from(RULE_BASES).flatmap(
    lambda base: (
        mutated(base, huge=YAML_HUGE).flatmap(yaml_text).map(lambda text: (base["id"], text))
    )
)
"""(file stem, text): the file keeps its base's name, whatever the mutation did to the id."""


@fuzz(150)
@given(rule_files, st.sampled_from(PATTERNS))
def test_rule_files(named: tuple[str, str], pattern: str) -> None:
    stem, text = named
    with sandbox() as box:
        box.path("rules").mkdir()
        box.write(f"rules/{stem}.yaml", text.replace("(a+)+$", pattern, 1))
        common = ("--no-builtin-rules", "--rules", str(box.path("rules")))
        _check("check", str(EXAMPLE), *common, box=box)
        for args in (("rules", "list", *common), ("rules", "test", *common)):
            code, _, err = invoke(*args)
            assert_clean(code, err, ALL_CODES)


@fuzz(120)
@given(mutated(CONFIG_BASE, huge=YAML_HUGE).flatmap(yaml_text))
def test_config_files(text: str) -> None:
    with sandbox() as box:
        box.path("rules").mkdir()
        box.write("rules/destination-name-unconventional.yaml", STARTER_RULE.read_text())
        config = str(box.write("auditor.yaml", text))
        _check("--config", config, "check", str(EXAMPLE), box=box)
        code, _, err = invoke("--config", config, "config", "show")
        assert_clean(code, err, ALL_CODES)


@fuzz(120)
@given(mutated(WAIVERS_BASE, huge=YAML_HUGE).flatmap(yaml_text))
def test_waiver_files(text: str) -> None:
    with sandbox() as box:
        waivers = str(box.write("waivers.yaml", text))
        _check("check", str(EXAMPLE), "--now", FIXED_NOW, "--waivers", waivers, box=box)


@fuzz(100)
@given(st.one_of(mutated(BASELINE_BASE).flatmap(json_bytes), json_values.flatmap(json_bytes)))
def test_baseline_files(data: bytes) -> None:
    with sandbox() as box:
        baseline = str(box.write("baseline.json", data))
        _check("check", str(EXAMPLE), "--now", FIXED_NOW, "--baseline", baseline, box=box)


@fuzz(150)
@given(
    st.one_of(
        mutated(CHANGE_BASE, huge=YAML_HUGE)
        .flatmap(yaml_text)
        .map(lambda t: ("change.yaml", t.encode())),
        mutated(CHANGE_BASE).flatmap(json_bytes).map(lambda b: ("change.json", b)),
    )
)
def test_change_files(named: tuple[str, bytes]) -> None:
    name, data = named
    with sandbox() as box:
        change = str(box.write(name, data))
        code, _, err = invoke(
            "review", "--change", change, str(EXAMPLE), "-f", f"json:{box.path('out.json')}"
        )
        assert_clean(code, err, ALL_CODES)
        assert_outputs_whole(box, REPORT)
        event(f"exit {code}")


def test_hostile_text_is_planted_somewhere() -> None:
    """The hostile strings reach the files: a surrogate survives YAML and JSON dumping."""
    assert "\ud800" in HOSTILE_TEXT
    assert "\\uD800" in yaml.safe_dump({"k": "\ud800"})
    assert Path(STARTER_RULE).exists()
