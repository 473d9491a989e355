"""docs/reviewing-changes.md stays true: its excerpt is real output, its example is valid."""

from __future__ import annotations

import re

from changes_helpers import EXAMPLE_CHANGE
from conftest import ROOT

from auditor.changes.changefile import load_change_file

SECTION = (ROOT / "docs" / "reviewing-changes.md").read_text(encoding="utf-8")


def test_the_excerpt_is_the_real_output_of_the_example(run_process):
    match = re.search(
        r"<!-- review-excerpt:start -->\n```text\n(.*?)```\n<!-- review-excerpt:end -->",
        SECTION,
        flags=re.S,
    )
    assert match is not None
    result = run_process("review", "--change", "examples/change.yaml", "examples/destinations.json")
    assert result.exit_code == 1, result.stderr
    assert match.group(1) in result.stdout


def test_the_example_change_file_in_the_docs_is_valid(tmp_path):
    match = re.search(r"```yaml\n(- method: PATCH.*?)```", SECTION, flags=re.S)
    assert match is not None
    change = tmp_path / "change.yaml"
    change.write_text(match.group(1), encoding="utf-8")
    calls = load_change_file(str(change)).calls
    assert [c.method for c in calls] == ["PATCH", "POST", "DELETE"]
    assert len(load_change_file(str(EXAMPLE_CHANGE)).calls) == 4


def test_the_error_shown_is_the_real_one(run, tmp_path, monkeypatch):
    shown = re.search(r"```text\n(Error: change\.yaml:.*?)\n```", SECTION)
    assert shown is not None
    monkeypatch.chdir(tmp_path)
    (tmp_path / "change.yaml").write_text(
        "- method: PATCH\n"
        "  path: /api/v2/destinations/payments/production/610addeadbeefaa86ec9a7d4\n"
        "  body:\n"
        "    - {op: test, path: /on, value: false}\n"
    )
    result = run("review", "--change", "change.yaml", str(ROOT / "examples" / "destinations.json"))
    assert result.exit_code == 2
    assert result.stderr == shown.group(1) + "\n"
