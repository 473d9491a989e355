"""docs/configuration.md stays true: its auditor.yaml is valid and `config show` prints what it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from docs_helpers import DOCS

from auditor.cli.main import cli

PAGE = (DOCS / "configuration.md").read_text(encoding="utf-8")


def block(lang: str, after: str) -> str:
    match = re.search(rf"```{lang}\n(.*?)```", PAGE.split(after, 1)[1], flags=re.S)
    assert match is not None, f"no {lang} block after {after!r}"
    return match.group(1)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding the page's auditor.yaml and the rules directory it names."""
    (tmp_path / "auditor.yaml").write_text(block("yaml", "## Where auditor looks"))
    (tmp_path / "rules").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_config_show_prints_what_the_page_shows(project: Path) -> None:
    shown = block("console", "## `config show`")
    command, _, output = shown.partition("\n")
    assert command == "$ auditor config show --fail-on critical"
    result = CliRunner().invoke(cli, command.split()[2:], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == output


def test_the_example_config_audits_the_example(project: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "destinations.json"
    (project / "waivers.yaml").write_text("waivers: []\n")
    (project / "audits").mkdir()
    result = CliRunner().invoke(cli, ["check", str(example), "-f", "json"])
    assert result.exit_code == 1, result.output  # broad-destructive-grant always fails
    assert '"fail_on": "high"' in result.stdout
    assert (project / "audits" / "history.db").is_file()


def test_the_error_shown_is_the_real_one(project: Path) -> None:
    (project / "auditor.yaml").write_text("params:\n  inverted-grant:\n    no_such_param: 1\n")
    result = CliRunner().invoke(cli, ["rules", "list"])
    assert result.exit_code == 2
    shape = block("text", "## When the file is wrong").strip()
    assert shape.startswith("auditor.yaml:7:5: params.kinesis-region-not-approved: unknown param")
    assert result.stderr.startswith("Error: auditor.yaml:3:5: params.inverted-grant: unknown param")
