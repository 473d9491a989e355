"""docs/cli.md documents every command, every option and every argument the CLI has."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from docs_helpers import DOCS, headings

from auditor.cli.globals import GLOBAL_OPTION_NAMES
from auditor.cli.main import cli

PAGE = (DOCS / "cli.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    """Every command by its path (`rules test`); a group too when it has options of its own."""
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            if own_params(command):
                yield path, command
            yield from commands(command, f"{path} ")
        else:
            yield path, command


def own_params(command: click.Command) -> list[click.Parameter]:
    """Its parameters but --help and the global options (documented once, for all)."""
    return [
        p
        for p in command.params
        if p.name != "help"
        and not (isinstance(p, click.Option) and max(p.opts, key=len) in GLOBAL_OPTION_NAMES)
    ]


def section(heading: str) -> str:
    """The text under `### heading`, up to the next heading of level 2 or 3."""
    text = PAGE.split(f"\n### {heading}\n", 1)[1]
    return re.split(r"^#{2,3} ", text, maxsplit=1, flags=re.M)[0]


COMMANDS = dict(commands(cli))


def test_there_are_commands_to_document() -> None:
    assert {"check", "validate", "fetch", "review", "rules test", "history prune"} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_has_its_section(path: str) -> None:
    assert path in headings(PAGE)
    assert f"`auditor {path}" in section(path)


@pytest.mark.parametrize("path", COMMANDS)
def test_every_option_and_argument_is_documented(path: str) -> None:
    text = section(path)
    for param in own_params(COMMANDS[path]):
        if isinstance(param, click.Option):
            name = max(param.opts, key=len)
            assert re.search(rf"`[^`]*{re.escape(name)}\b", text), f"{path}: {name}"
        else:
            assert param.human_readable_name in text, f"{path}: {param.human_readable_name}"


def test_the_global_options_are_documented() -> None:
    text = PAGE.split("\n## Global options\n", 1)[1].split("\n## ", 1)[0]
    for param in cli.params:
        if isinstance(param, click.Option):
            assert f"`{max(param.opts, key=len)}" in text or f", {param.opts[-1]}`" in text


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_takes_the_global_options_after_it(path: str) -> None:
    names = {max(p.opts, key=len) for p in COMMANDS[path].params if isinstance(p, click.Option)}
    assert set(GLOBAL_OPTION_NAMES) <= names


def help_text(path: str) -> str:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    return result.output


def help_exit_codes(path: str) -> set[str]:
    """The codes the command's --help lists, one per line under `Exit codes:`."""
    text = help_text(path)
    assert "Exit codes:" in text, f"auditor {path} --help lists no exit codes"
    listed = text.split("Exit codes:", 1)[1]
    return set(re.findall(r"^ {2,4}(\d+)  ", listed, flags=re.M))


def doc_exit_codes(path: str) -> set[str]:
    """The codes the command's section lists: `Exit codes: `0` ...; `2` ...`."""
    text = section(path)
    found = re.search(
        r"^Exit codes(?: of `[^`]+` and its subcommands)?: (.*?)(?:\n\n|\Z)", text, re.M | re.S
    )
    assert found, f"docs/cli.md: no exit codes under {path}"
    same = re.fullmatch(r"as for `([^`]+)`\.", found.group(1).strip())
    if same:
        return doc_exit_codes(same.group(1))
    return set(re.findall(r"`(\d+)`", found.group(1)))


@pytest.mark.parametrize(
    "path", [p for p, c in COMMANDS.items() if not isinstance(c, click.Group) or p == "history"]
)
def test_each_commands_help_lists_its_own_exit_codes_as_the_docs_do(path: str) -> None:
    assert help_exit_codes(path) == doc_exit_codes(path)


@pytest.mark.parametrize("path", COMMANDS)
def test_the_docs_claim_no_option_the_command_lacks(path: str) -> None:
    """Every `--option` in the first column of the section's table is one `--help` lists."""
    text = help_text(path)
    for row in re.findall(r"^\| ([^|]*(?:\\\|[^|]*)*) \|", section(path), flags=re.M):
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])\b", row):
            assert re.search(rf"(?<![\w-]){re.escape(option)}\b", text), f"{path}: {option}"


def test_general_exit_codes_are_in_the_main_help() -> None:
    codes = set(re.findall(r"^ {2,4}(\d+)  ", help_text("").split("Exit codes:", 1)[1], re.M))
    assert {"0", "1", "2", "3", "4", "130", "141"} <= codes
    table = PAGE.split("\n## Exit codes\n", 1)[1]
    assert "| 130 |" in table and "| 141 |" in table
