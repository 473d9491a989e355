"""Global options (--config, --color, --verbose, --debug): before or after the subcommand.

`auditor --config x.yaml check e.json` and `auditor check e.json --config x.yaml` mean the
same: every command (and group) takes these options, and each stores what it was given on
the root context, where `setting` reads it back. Given twice, the later one wins.
"""

from __future__ import annotations

import os
from typing import Any

import click

_KEY = "auditor.globals"
COLOR_CHOICES = ("auto", "always", "never")


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and value is not False and param.name is not None:
        ctx.find_root().meta.setdefault(_KEY, {})[param.name] = value
    return value


def _options() -> list[click.Option]:
    """Fresh option objects (click keeps per-command state in them)."""
    common: dict[str, Any] = {"expose_value": False, "callback": _store}
    return [
        click.Option(
            ["--config", "config_path"],
            metavar="PATH",
            help="Config file to use instead of the auditor.yaml (or auditor.yml) found in "
            "this folder or a parent, up to the repository root.",
            **common,
        ),
        click.Option(
            ["--color", "color"],
            type=click.Choice(COLOR_CHOICES),
            help="Colour the text report on stdout: auto (a terminal, unless NO_COLOR is set "
            "or TERM=dumb), always or never [default: auto].",
            **common,
        ),
        click.Option(
            ["-v", "--verbose", "verbose"],
            is_flag=True,
            default=None,
            help="Say on stderr which config file was used.",
            **common,
        ),
        click.Option(
            ["--debug", "debug"],
            is_flag=True,
            default=None,
            help="Also print the traceback of an error (the exit code stays the same).",
            **common,
        ),
    ]


GLOBAL_OPTION_NAMES = ("--config", "--color", "--verbose", "--debug")


def add_global_options(command: click.Command) -> None:
    """Give `command`, and every command below it, the global options."""
    command.params.extend(_options())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_global_options(sub)


def setting(name: str, default: Any = None) -> Any:
    """A global option's value as given anywhere on the command line, else `default`."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return default
    return ctx.find_root().meta.get(_KEY, {}).get(name, default)


def use_color(isatty: bool) -> bool:
    """Whether to colour: --color, else a terminal without NO_COLOR (non-empty) or TERM=dumb."""
    choice = setting("color", "auto")
    if choice != "auto":
        return bool(choice == "always")
    if os.environ.get("NO_COLOR"):  # no-color.org: set and not empty
        return False
    return isatty and os.environ.get("TERM") != "dumb"
