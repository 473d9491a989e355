"""The generated Markdown sections (schema references, rules index) never drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from auditor.io.paths import schema_path
from auditor.language.conditions import _COMBINATORS
from auditor.language.vocabulary import OPERATORS
from auditor.rulebook import docgen

ROOT = Path(__file__).resolve().parents[1]
MARKED = docgen.marked_files(ROOT)
# Each generated section lives on the docs page about its subject.
HOMES = {
    "rules-index": ROOT / "docs" / "rules.md",
    "builtin-rules": ROOT / "docs" / "rules.md",
    "rule-reference": ROOT / "docs" / "writing-rules.md",
    "rule-test-reference": ROOT / "docs" / "writing-rules.md",
    "config-reference": ROOT / "docs" / "configuration.md",
}


def test_the_docs_have_every_section() -> None:
    assert set(HOMES) == set(docgen.SECTIONS)
    for name, page in HOMES.items():
        assert page in MARKED
        assert f"<!-- BEGIN {name} -->" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", MARKED, ids=[str(p.relative_to(ROOT)) for p in MARKED])
def test_generated_sections_are_up_to_date(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert docgen.update(text, source=str(path)) == text, (
        f"{path.relative_to(ROOT)} is out of date: run `python -m auditor.rulebook.docgen`"
    )


def test_the_rules_index_lists_every_builtin_rule() -> None:
    index = docgen.rules_index()
    for rule_file in sorted((ROOT / "rules").glob("*.yaml")):
        assert f"| `{rule_file.stem}` |" in index


def test_every_builtin_rule_has_its_own_documented_heading() -> None:
    reference = docgen.builtin_rules()
    for rule_file in sorted((ROOT / "rules").glob("*.yaml")):
        rule = yaml.safe_load(rule_file.read_text(encoding="utf-8"))
        entry = reference.split(f"### `{rule['id']}`\n", 1)[1].split("\n### ", 1)[0]
        assert f"**{' '.join(rule['title'].split())}.**" in entry
        assert f"**Why it matters.** {' '.join(rule['rationale'].split())}" in entry
        assert f"**How to fix.** {' '.join(rule['remediation'].split())}" in entry
        assert f"(../rules/{rule_file.name})" in entry


def test_update_replaces_only_marked_text() -> None:
    text = "intro\n<!-- BEGIN rules-index -->\nstale\n<!-- END rules-index -->\noutro\n"
    fresh = docgen.update(text)
    assert fresh.startswith("intro\n<!-- BEGIN rules-index -->\n| Rule |")
    assert fresh.endswith("<!-- END rules-index -->\noutro\n")
    assert "stale" not in fresh


def test_sections_of_other_names_are_kept() -> None:
    text = "<!-- BEGIN cli-help -->\nkept\n<!-- END cli-help -->\n"
    assert docgen.update(text) == text
    assert not docgen.has_markers(text)


def test_an_unclosed_section_is_an_error() -> None:
    with pytest.raises(ValueError, match="section 'rules-index' has no matching END marker"):
        docgen.update("<!-- BEGIN rules-index -->\n")


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- BEGIN rules-index -->\n<!-- END rules-index -->\n")
    assert docgen.main(["--check", str(page)]) == 1
    assert docgen.main([str(page)]) == 0
    assert docgen.main(["--check", str(page)]) == 0


def test_the_schema_declares_the_whole_operator_vocabulary() -> None:
    schema = json.loads(schema_path("rule.schema.json").read_text(encoding="utf-8"))
    declared = set(schema["$defs"]["operators"]["properties"])
    assert declared == set(OPERATORS) | set(_COMBINATORS)
