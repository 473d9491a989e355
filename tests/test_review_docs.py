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


def test_the_plan_excerpt_is_the_real_output_of_the_bundled_plan(run_process):
    match = re.search(
        r"<!-- plan-excerpt:start -->\n```text\n(.*?)```\n<!-- plan-excerpt:end -->",
        SECTION,
        flags=re.S,
    )
    assert match is not None
    result = run_process("review", "--plan", "examples/plan.json", "examples/account.json")
    assert result.exit_code == 1, result.stderr
    assert match.group(1) in result.stdout


def test_every_plan_error_in_the_docs_is_the_real_one(run, tmp_path, monkeypatch):
    """The table of plan errors shows the messages auditor prints (for these file names)."""
    import json
    import zipfile

    monkeypatch.chdir(tmp_path)
    with zipfile.ZipFile("tfplan", "w") as archive:
        archive.writestr("tfplan", b"\x0a\x03binary")
    inputs = {
        "tfplan": None,
        "plan.json": [
            "[]",
            json.dumps({"format_version": "1.0", "values": {}}),
            "not json",
            json.dumps({"format_version": "2.0", "planned_values": {}}),
            json.dumps({"format_version": "1.2", "planned_values": {}, "errored": True}),
        ],
    }
    snapshot = str(ROOT / "examples" / "account.json")
    shown = set(re.findall(r"^\| [^|]+ \| `((?:tfplan|plan\.json)[^`]*)` \|$", SECTION, re.M))
    printed = set()
    for name, texts in inputs.items():
        for text in texts or [None]:
            if text is not None:
                (tmp_path / name).write_text(text)
            result = run("review", "--plan", name, snapshot)
            assert result.exit_code == 2
            printed.add(result.stderr.removeprefix("Error: ").strip())
    assert shown == printed
