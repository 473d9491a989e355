"""GitHub workflow commands, and the files that run auditor in CI (workflow, action, hook)."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import CORE_ONLY

from auditor.cli.main import cli
from auditor.outputs.github import command, escape_data, escape_property

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "tests" / "data" / "gate-export.json"
EXAMPLE_EXPORT = ROOT / "examples" / "destinations.json"
NOW = "2026-06-01T00:00:00Z"


def check(export: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["check", *CORE_ONLY, str(export), "--now", NOW, "-f", "github", *args],
        catch_exceptions=False,
    )


def annotations(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """(command, properties, message) of each annotation line, unescaped."""
    found = []
    for line in stdout.splitlines():
        match = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", line)
        if match:
            props = dict(p.split("=", 1) for p in match.group(2).split(","))
            found.append((match.group(1), props, match.group(3)))
    return found


def test_escaping_follows_githubs_rules():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert command("error", "x\ny", file="a,b.json", line=3, col=None) == (
        "::error file=a%2Cb.json,line=3::x%0Ay"
    )
    assert command("notice", "50%") == "::notice::50%25"
    assert escape_data("red\x1b[31m") == "red\\x1b[31m"  # no terminal escapes in the log


def test_one_annotation_per_open_finding_by_severity():
    result = check(EXPORT)
    assert result.exit_code == 1
    found = annotations(result.stdout)
    kinds = sorted((props["title"].split(" ")[0], kind) for kind, props, _ in found)
    assert kinds == [
        ("access-not-reported", "notice"),
        ("destination-disabled", "warning"),
        ("wildcard-action-grant", "error"),
        ("wildcard-resource-grant", "error"),
    ]
    for _, props, _ in found:
        assert props["file"] == str(EXPORT)
        assert int(props["line"]) > 1 and int(props["col"]) >= 1
    [(_, props, message)] = [a for a in found if a[0] == "warning"]
    assert (
        props["title"] == "destination-disabled (medium)%3A Data Export destination is turned off"
    )
    assert message.startswith("web-segment (segment) is turned off")
    assert result.stdout.splitlines()[-1].startswith("auditor: 4 destinations audited")


def test_line_points_at_the_destination():
    found = annotations(check(EXPORT).stdout)
    [(_, props, _)] = [a for a in found if a[0] == "warning"]
    line = EXPORT.read_text().splitlines()[int(props["line"]) - 1]
    assert line.strip() == "{"
    following = EXPORT.read_text().splitlines()[int(props["line"])]
    assert '"_id": "64a0c0ffee00000000000002"' in following


def test_waived_findings_are_listed_in_a_group_not_annotated(tmp_path: Path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - {rule: destination-disabled, name: web-*, reason: paused, owner: web,"
        " expires: 2026-06-05}\n  - {rule: access-not-reported, kind: s3, reason: r, owner: o,"
        " expires: 2026-12-31}\n",
        encoding="utf-8",
    )
    stdout = check(EXPORT, "--waivers", str(waivers)).stdout
    lines = stdout.splitlines()
    assert "::group::Waived and baselined findings (1)" in lines
    start = lines.index("::group::Waived and baselined findings (1)")
    assert lines[start + 1].startswith("  destination-disabled on web-segment")
    assert "waived by web until 2026-06-05: paused" in lines[start + 1]
    assert lines[start + 2] == "::endgroup::"
    titles = [props["title"] for _, props, _ in annotations(stdout)]
    assert not any(t.startswith("destination-disabled") for t in titles)
    warnings = [(props, msg) for kind, props, msg in annotations(stdout) if kind == "warning"]
    waiver_notes = [(p["file"], p["line"], p["title"]) for p, _ in warnings if "file" in p]
    assert (str(waivers), "2", "waiver expiring") in waiver_notes
    assert (str(waivers), "3", "waiver stale") in waiver_notes


@pytest.mark.parametrize(
    "name",
    [
        "evil\n::add-mask::secret",
        "evil\r\n::set-output name=x::y",
        "100%0A::error::injected",
        "a,b:c",
    ],
)
def test_no_text_from_the_export_can_start_a_command(tmp_path: Path, name: str):
    export = json.loads(EXPORT.read_text())
    export["items"][1]["name"] = name
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    stdout = check(path).stdout
    for line in stdout.splitlines():
        assert not line.startswith(("::add-mask", "::set-output", "::error::injected")), line
    assert "::add-mask::" not in stdout.replace("%0A::add-mask::", "")
    found = annotations(stdout)
    assert len(found) == 4


def test_schema_problem_is_an_error_annotation(tmp_path: Path):
    export: dict[str, Any] = json.loads(EXPORT.read_text())
    export["items"][0]["on"] = "maybe"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, indent=2))
    result = check(path)
    assert result.exit_code == 3
    errors = [a for a in annotations(result.stdout) if a[1]["title"] == "schema-error"]
    [(kind, props, message)] = errors
    assert kind == "error"
    assert message == '/items/0/on: expected boolean, got "maybe"'
    assert props["line"] != "1"


def test_stdin_annotations_have_no_file():
    result = CliRunner().invoke(
        cli,
        ["check", *CORE_ONLY, "-", "-f", "github"],
        input=EXPORT.read_text(),
        catch_exceptions=False,
    )
    found = annotations(result.stdout)
    assert len(found) == 4
    assert all(set(props) == {"title"} for _, props, _ in found)


def test_example_workflow_runs_every_ci_format():
    workflow = yaml.safe_load((ROOT / "examples" / "github-workflow.yml").read_text())
    steps = workflow["jobs"]["audit"]["steps"]
    [audit] = [s for s in steps if s.get("name") == "Audit"]
    command_line = audit["run"]
    for part in ("-f github", "-f sarif:results.sarif", '-f "markdown:$GITHUB_STEP_SUMMARY"'):
        assert part in command_line
    uploads = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload")]
    assert uploads[0]["with"]["sarif_file"] == "results.sarif"
    assert workflow["permissions"]["security-events"] == "write"


def test_example_workflow_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    workflow = yaml.safe_load((ROOT / "examples" / "github-workflow.yml").read_text())
    [audit] = [s for s in workflow["jobs"]["audit"]["steps"] if s.get("name") == "Audit"]
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    command_line = os.path.expandvars(audit["run"])
    command_line = command_line.replace("exports/destinations.json", str(EXAMPLE_EXPORT))
    command_line = command_line.replace("exports/waivers.yaml", str(ROOT / "examples/waivers.yaml"))
    program, *args = shlex.split(command_line)
    assert program == "auditor"
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*args, "--now", "2026-12-01"], catch_exceptions=False)
    assert result.exit_code == 1  # the example has open high findings
    assert result.stdout.startswith("::error file=")
    assert json.loads((tmp_path / "results.sarif").read_text())["version"] == "2.1.0"
    assert summary.read_text().strip()


def test_composite_action_inputs_and_steps():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"export", "api-key", "rules", "waivers", "fail-on", "baseline"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    assert any("pip install" in s.get("run", "") for s in steps)
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    for step in steps:  # inputs reach scripts through env, never spliced into the script
        assert "${{ inputs." not in step.get("run", "")


def test_pre_commit_hook():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "auditor-check"
    assert hook["entry"] == "auditor check"
    pattern = re.compile(hook["files"])
    assert pattern.search("exports/destinations.json")
    assert pattern.search("destinations-prod.json")
    assert pattern.search("exports/waivers.yaml")
    assert not pattern.search("package.json")
