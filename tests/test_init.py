"""`auditor init`: a working starter project, and never a clobbered file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from auditor.cli.main import cli
from auditor.scaffold import STARTER

EXPORT = Path(__file__).resolve().parents[1] / "examples" / "destinations.json"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_init_writes_the_starter_files(tmp_path: Path) -> None:
    result = invoke("init", str(tmp_path / "project"))
    assert result.exit_code == 0
    assert result.stdout == "".join(
        f"created {tmp_path / 'project' / target}\n" for target in STARTER
    )
    for target in STARTER:
        assert (tmp_path / "project" / target).is_file()


def test_the_starter_project_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init").exit_code == 0
    tested = invoke("rules", "test", "--strict")
    assert tested.exit_code == 0, tested.stdout
    assert "PASS  destination-name-unconventional (2 examples)" in tested.stdout
    assert "PASS  rules/destination-name-unconventional.test.yaml" in tested.stdout
    checked = invoke("check", str(EXPORT))
    assert checked.exit_code == 1
    report = json.loads((tmp_path / "auditor-report.json").read_text())
    assert "destination-name-unconventional" in {r["id"] for r in report["rules"]}


def test_the_workflow_runs_the_rule_tests_and_the_audit(tmp_path: Path) -> None:
    invoke("init", str(tmp_path))
    workflow = yaml.safe_load((tmp_path / ".github/workflows/auditor.yml").read_text())
    commands = [step.get("run", "") for step in workflow["jobs"]["audit"]["steps"]]
    assert "auditor rules test --strict" in commands
    audits = [c for c in commands if c.startswith("auditor check")]
    assert [a.split()[2] for a in audits] == ["--api", "destinations.json"]
    assert all("-f json:auditor-report.json" in a for a in audits)  # the report it uploads


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    existing = tmp_path / "rules" / "destination-name-unconventional.yaml"
    existing.parent.mkdir()
    existing.write_text("mine\n")
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {existing}: already exists; nothing was written\n")
    assert existing.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "destination-name-unconventional.yaml",
        "rules",
    ]


def test_init_into_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("")
    result = invoke("init", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {target}: not a directory\n"
