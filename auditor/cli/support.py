"""What every click command shares: error translation, common options, the configuration."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from auditor.cli.globals import setting
from auditor.errors import EXIT_INPUT, EXIT_USAGE, AuditorError
from auditor.models import FAIL_ON_CHOICES, FRAMEWORK_KEYS
from auditor.outputs import FORMATS

if TYPE_CHECKING:
    from auditor.config import Config

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, hint: str | None, code: int) -> None:
    """Print the error on one line (a name from a file may hold a newline), then exit."""
    from auditor.outputs.text import clean

    click.echo(f"Error: {clean(message)}", err=True)
    if hint:
        click.echo(f"Hint: {clean(hint)}", err=True)
    sys.exit(code)


def guarded(fn: F) -> F:
    """Translate errors once: a one-line message and the documented exit code.

    --debug adds the traceback before the message; the exit code stays the same. A closed
    stdout (`auditor ... | head`) ends the run quietly (see `main.exit_quietly`).
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:
            raise StdoutClosed() from None
        except AuditorError as exc:
            _traceback()
            _fail(exc.message, exc.hint, exc.exit_code)
        except RecursionError:
            _traceback()
            _fail("input is nested too deeply to process", None, EXIT_INPUT)
        except (click.ClickException, click.exceptions.Exit, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            _traceback()
            _fail(
                f"internal error ({type(exc).__name__}); rerun with --debug to see the traceback",
                None,
                EXIT_USAGE,
            )
        return None

    return wrapper  # type: ignore[return-value]


class StdoutClosed(BaseException):
    """The reader of stdout went away: not an error of ours, and not one to report."""


def _traceback() -> None:
    if setting("debug"):
        import traceback

        traceback.print_exc(file=sys.stderr)


def rule_loading_options(fn: F) -> F:
    """--rules and --no-builtin-rules: which rule files are loaded."""
    fn = click.option("--no-builtin-rules", is_flag=True, help="Do not load the built-in rules.")(
        fn
    )
    return click.option(
        "--rules",
        "rule_paths",
        multiple=True,
        metavar="PATH",
        help="Extra rule file or directory, repeatable; added to the config file's `rules`.",
    )(fn)


def check_options(fn: F) -> F:
    """--format, --fail-on, --select, --ignore and --framework: what `check` runs and reports."""
    fn = click.option(
        "--framework",
        type=click.Choice(FRAMEWORK_KEYS),
        default=None,
        help="Focus on one compliance framework: run only the rules mapped to it, and show "
        "only its controls in every output [default: the config file's framework, else all].",
    )(fn)
    fn = click.option(
        "--ignore", multiple=True, metavar="RULE", help="Skip these rules (ids or globs)."
    )(fn)
    fn = click.option(
        "--select", multiple=True, metavar="RULE", help="Run only these rules (ids or globs)."
    )(fn)
    fn = click.option(
        "--fail-on",
        type=click.Choice(FAIL_ON_CHOICES),
        default=None,
        help="Fail (exit 1) on open findings at or above this severity "
        "[default: the config file's fail_on, else medium].",
    )(fn)
    return click.option(
        "-f",
        "--format",
        "formats",
        multiple=True,
        metavar="NAME[:PATH]",
        help="Output format, repeatable; to stdout without PATH "
        f"[default: the config file's outputs, else text]. Formats: {', '.join(FORMATS)}.",
    )(fn)


def gate_options(fn: F) -> F:
    """--hard-fail-on, --soft-fail-on, --severity, --waivers and --baseline: what fails `check`."""
    options = [
        click.option(
            "--hard-fail-on",
            multiple=True,
            metavar="RULE",
            help="Always fail on open findings of these rules (ids or globs), whatever "
            "--fail-on says.",
        ),
        click.option(
            "--soft-fail-on",
            multiple=True,
            metavar="RULE",
            help="Never fail on these rules (ids or globs); --hard-fail-on wins when both match.",
        ),
        click.option(
            "--severity",
            multiple=True,
            metavar="RULE=SEVERITY",
            help="Give a rule another severity, e.g. destination-disabled=low; repeatable.",
        ),
        click.option(
            "--waivers", metavar="FILE", help="Waivers file (YAML): owner, reason, expiry."
        ),
        click.option(
            "--waiver-warning-days",
            type=click.IntRange(min=0),
            metavar="DAYS",
            help="Warn about waivers expiring within DAYS [default: 14].",
        ),
        click.option(
            "--baseline",
            metavar="FILE",
            help="JSON report of an earlier run (-f json:FILE): its findings do not fail.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def effective_config(**flags: Any) -> Config:
    """The configuration: --config (or the auditor.yaml found), then these flags."""
    from auditor.config import CommandLine, resolve_config

    command_line = CommandLine(
        rules=tuple(flags.get("rule_paths", ())),
        no_builtin_rules=bool(flags.get("no_builtin_rules")),
        select=tuple(flags.get("select", ())) or None,
        ignore=tuple(flags.get("ignore", ())) or None,
        fail_on=flags.get("fail_on"),
        outputs=tuple(flags.get("formats", ())) or None,
        severity=tuple(flags.get("severity", ())),
        hard_fail_on=tuple(flags.get("hard_fail_on", ())) or None,
        soft_fail_on=tuple(flags.get("soft_fail_on", ())) or None,
        waivers=flags.get("waivers"),
        baseline=flags.get("baseline"),
        waiver_warning_days=flags.get("waiver_warning_days"),
        history=flags.get("history"),
        framework=flags.get("framework"),
    )
    config = resolve_config(setting("config_path"), command_line, Path())
    if setting("verbose"):
        from auditor.outputs.text import clean

        where = f"config file {clean(config.path)}" if config.path else "no config file"
        click.echo(f"auditor: {where}", err=True)
    return config


def api_options(fn: F) -> F:
    """Options that say which LaunchDarkly API to read, how patiently, and how much of it."""
    options = [
        click.option(
            "--base-url",
            metavar="URL",
            help="API base URL (default: LD_BASE_URL, else the --instance's).",
        ),
        click.option(
            "--instance",
            type=click.Choice(["commercial", "federal", "eu"]),
            help="LaunchDarkly instance whose base URL to use (default commercial).",
        ),
        click.option(
            "--api-key-env",
            default="LD_API_KEY",
            show_default=True,
            metavar="NAME",
            help="Environment variable holding the API access token.",
        ),
        click.option(
            "--max-retries",
            type=click.IntRange(min=0),
            default=5,
            show_default=True,
            help="Retries on rate limits, server errors and network faults.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=120.0,
            show_default=True,
            help="Total seconds to spend on the API, retries included.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return input_limit_option(fn)


def _size(_ctx: click.Context, param: click.Parameter, value: str) -> int:
    """A size in bytes, written `200MB`, `1.5GB`, `512KiB` or `1000`."""
    from auditor.io.limits import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param=param) from None


def input_limit_option(fn: F) -> F:
    """--max-input-size: the largest export (file, stdin or API response) a command reads."""
    from auditor.io.limits import DEFAULT_MAX_INPUT_SIZE, format_size

    return click.option(
        "--max-input-size",
        default=format_size(DEFAULT_MAX_INPUT_SIZE).replace(" ", ""),
        callback=_size,
        metavar="SIZE",
        help="Refuse an export (file, stdin or API response) larger than SIZE, e.g. 50MB or "
        "1GB [default: 50MB].",
    )(fn)


def account_options(fn: F) -> F:
    """--account and --anonymise-members: audit every member, team and token, not the caller."""
    fn = click.option(
        "--anonymise-members",
        is_flag=True,
        help="Show members by a stable hash of their email, never the email, in every output.",
    )(fn)
    return click.option(
        "--account",
        is_flag=True,
        help="Also read the account's roles, teams, members, tokens and environments, and audit"
        " who in the whole account can change each export (needs a token that may read them).",
    )(fn)


def fetch_live(
    api: dict[str, Any], *, account: bool = False, anonymise: bool = False, quiet: bool = False
) -> Any:
    """The live API's destinations (and with `account` the account), with a progress display
    on a terminal's stderr."""
    from auditor.cli.progress import progress
    from auditor.io.client import fetch_destinations, resolve_config

    config = resolve_config(
        base_url=api["base_url"],
        instance=api["instance"],
        api_key_env=api["api_key_env"],
        environ=os.environ,
        max_retries=api["max_retries"],
        timeout=api["timeout"],
        max_body=api["max_input_size"],
    )
    if account:
        from auditor.io.account import fetch_account

        return fetch_account(config, anonymise=anonymise)
    with progress("fetching destinations", None, quiet=quiet) as shown:
        return fetch_destinations(config, on_page=shown.pages)


def pop_api_args(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take the API options out of a command's keyword arguments."""
    keys = ("base_url", "instance", "api_key_env", "max_retries", "timeout", "max_input_size")
    return {key: kwargs.pop(key) for key in keys}


def parse_now(value: str | None) -> datetime | None:
    """The `--now` option: an ISO 8601 timestamp, or None for the real clock."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise click.BadParameter(
            f"{value!r} is not an ISO timestamp (e.g. 2026-01-31T12:00:00Z)", param_hint="--now"
        ) from None
    if not 1000 <= moment.year <= 9999:
        raise click.BadParameter(
            f"{value!r}: the year must have four digits (1000 to 9999)", param_hint="--now"
        )
    return moment
