"""The README is short, its commands are real, and every former section is one click away."""

from __future__ import annotations

import re
import shlex
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docs_helpers import README, ROOT, headings, linked_pages, prose_lines

from auditor.cli.main import cli

TEXT = README.read_text(encoding="utf-8")

# The `##`, `###` and `####` headings of the README before it was split into docs/ (1,273
# lines): each section must still be a heading of the README or of a page it links to.
FORMER_SECTIONS = (
    "Quick start",
    "Usage",
    "Reading the live API",
    "Explaining a finding",
    "Exit codes",
    "What auditor reads",
    "Limits and hostile input",
    "Secrets",
    "Reports",
    "JSON",
    "HTML",
    "Markdown",
    "CSV",
    "Your own template",
    "The template context",
    "Running auditor in CI",
    "SARIF",
    "JUnit XML",
    "GitHub annotations",
    "The GitHub Action",
    "pre-commit",
    "The gate: what fails a run",
    "Waivers",
    "Baselines",
    "In the JSON report",
    "Reviewing a change before you make it",
    "Periodic audits",
    "History",
    "Evidence packs",
    "When the database or the pack cannot be written",
    "A nightly audit",
    "Rules",
    "Writing rules",
    "A first rule",
    "How a rule is evaluated",
    "Message templates",
    "Examples and test files",
    "Configuring rules",
    "When a file is wrong",
    "Reference",
    "Rule files",
    "Test files",
    "auditor.yaml",
    "Performance",
    "Development",
)


def section(title: str) -> str:
    """The README's `## title` section, up to the next `## ` heading."""
    return TEXT.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def code_block(text: str, lang: str) -> str:
    match = re.search(rf"```{lang}\n(.*?)```", text, flags=re.S)
    assert match is not None, f"no {lang} block"
    return match.group(1)


def check_options() -> set[str]:
    text = CliRunner().invoke(cli, ["check", "--help"]).stdout
    return set(re.findall(r"(--[a-z-]+|-f)\b", text))


def test_the_readme_is_short() -> None:
    assert len(TEXT.splitlines()) < 350


@pytest.mark.parametrize("title", FORMER_SECTIONS)
def test_every_former_section_is_one_click_away(title: str) -> None:
    pages = [README, *sorted(p for p in linked_pages(README) if p.is_file())]
    holders = [p for p in pages if title in headings(p.read_text(encoding="utf-8"))]
    assert holders, f"no heading {title!r} in README.md or a page it links to"


def test_the_readme_links_every_docs_page() -> None:
    linked = linked_pages(README)
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert page.resolve() in linked, f"README.md does not link {page.relative_to(ROOT)}"


def test_the_quick_start_commands_are_the_ones_ci_runs() -> None:
    commands = code_block(section("Quick start"), "sh").splitlines()
    assert commands == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install . "
        "&& auditor check examples/destinations.json",
        "pip install '.[test]' && python -m pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "/^## Quick start/" in ci  # CI runs the block above, as written


def test_the_five_commands_parse() -> None:
    lines = code_block(section("Usage"), "sh").splitlines()
    assert len(lines) == 5
    for line in lines:
        command = shlex.split(line.split("#", 1)[0])
        assert command[0] == "auditor"
        result = CliRunner().invoke(cli, [*command[1:], "--help"])
        assert result.exit_code == 0, line


def test_the_ci_example_is_the_shipped_workflow_and_uses_real_options() -> None:
    example = code_block(section("Running auditor in CI"), "yaml")
    workflow = (ROOT / "examples" / "github-workflow.yml").read_text(encoding="utf-8")
    assert example in workflow
    steps = yaml.safe_load(textwrap.dedent(example))
    (audit,) = [s["run"] for s in steps if "auditor check" in s.get("run", "")]
    words = shlex.split(audit.split("auditor check", 1)[1])
    assert {w for w in words if w.startswith("-")} <= check_options()


def test_the_exit_code_table_matches_the_cli_help() -> None:
    table = re.findall(r"^\| ([0-4]) \|", section("Exit codes"), flags=re.M)
    assert table == ["0", "1", "2", "3", "4"]
    help_text = CliRunner().invoke(cli, ["--help"]).stdout
    for code in table:
        assert re.search(rf"^\s+{code}  \S", help_text, flags=re.M)
    assert "(tests/test_error_messages.py)" in section("Exit codes")


def test_development_says_how_the_browser_tests_run() -> None:
    text = " ".join(" ".join(prose_lines(section("Development"))).split())
    assert "apt-get install chromium" in text
    assert "reported as skipped" in text
    assert "`AUDITOR_REQUIRE_BROWSER=1`" in text
    assert "(`.ci/run`)" in text


def test_the_user_pages_come_before_the_rule_reference() -> None:
    docs = section("Documentation")
    assert docs.index("(docs/ci.md)") < docs.index("(docs/rules.md)")
    assert docs.index("(docs/periodic-audits.md)") < docs.index("(docs/rules.md)")


def test_the_screenshot_is_shown() -> None:
    assert "![" in TEXT and "](docs/report-screenshot.png)" in TEXT
    assert Path(ROOT / "docs" / "report-screenshot.png").is_file()
