"""docs/cli.md documents every command, every option and every argument the CLI has."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from docs_helpers import DOCS, headings

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
    return [p for p in command.params if p.name != "help"]


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
