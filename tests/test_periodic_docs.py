"""docs/periodic-audits.md: its nightly recipes use options that exist."""

from __future__ import annotations

import re
import shlex

import yaml
from click.testing import CliRunner
from conftest import ROOT

from auditor.cli.main import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = (ROOT / "docs" / "periodic-audits.md").read_text(encoding="utf-8")


def block(lang: str, after: str = "") -> str:
    """The first `lang` code block of the section after the text `after`."""
    text = SECTION.split(after, 1)[-1] if after else SECTION
    match = re.search(rf"```{lang}\n(.*?)```", text, flags=re.S)
    assert match is not None, f"no {lang} block after {after!r}"
    return match.group(1)


def check_options() -> set[str]:
    text = CliRunner().invoke(cli, ["check", "--help"]).stdout
    return set(re.findall(r"(--[a-z-]+|-f)\b", text))


def test_the_page_comes_before_the_rules() -> None:
    assert SECTION.startswith("# Periodic audits\n")
    listed = README.split("\n## Documentation\n", 1)[1]  # the README's list of pages
    assert listed.index("(docs/periodic-audits.md)") < listed.index("(docs/rules.md)")
    assert "\n## A nightly audit\n" in SECTION


def test_the_cron_recipe_audits_the_api_with_history_and_evidence() -> None:
    cron = block("cron", "## A nightly audit")
    (audit,) = [line for line in cron.splitlines() if "auditor check" in line]
    words = shlex.split(audit.split("auditor check", 1)[1].split("||")[0].split("2>>")[0])
    assert {"--api", "--history", "--evidence"} <= set(words)
    assert {w for w in words if w.startswith("-")} <= check_options()


def test_the_workflow_is_a_scheduled_job_running_the_same_command() -> None:
    workflow = yaml.safe_load(block("yaml", "## A nightly audit"))
    assert workflow[True]["schedule"] == [{"cron": "30 2 * * *"}]  # YAML reads `on` as true
    steps = workflow["jobs"]["audit"]["steps"]
    (audit,) = [s["run"] for s in steps if "auditor check" in s.get("run", "")]
    words = shlex.split(audit.split("auditor check", 1)[1].replace("\\\n", " "))
    assert {"--api", "--history", "--evidence"} <= set(words)
    assert {w for w in words if w.startswith("-")} <= check_options()
    assert any(
        s.get("uses", "").startswith("actions/cache/save") and s["if"] == "always()" for s in steps
    )


def test_the_first_commands_parse() -> None:
    for line in block("sh").splitlines():
        command = shlex.split(line.split("#", 1)[0])
        assert command[0] == "auditor"
        result = CliRunner().invoke(cli, [*command[1:], "--help"])
        assert result.exit_code == 0, line
