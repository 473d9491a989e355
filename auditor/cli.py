"""Click commands: parse options, call one pipeline function, write outputs, exit."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import click

from auditor import __version__
from auditor.errors import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    AuditorError,
    UsageError,
)
from auditor.models import FAIL_ON_CHOICES
from auditor.outputs import FORMATS

EXIT_CODES_HELP = """\b
Exit codes:
  0  audit ran; no open finding at or above --fail-on (or of a --hard-fail-on rule)
  1  audit ran; open findings at or above --fail-on (or of a --hard-fail-on rule)
  2  usage error, or a bad config, rule, waiver, baseline or template file
  3  the input is not JSON, or fails the destinations schema
  4  the API could not be read: network, auth, rate limit after retries
"""

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, hint: str | None, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    if hint:
        click.echo(f"Hint: {hint}", err=True)
    sys.exit(code)


def guarded(fn: F) -> F:
    """Translate errors once: a one-line message and the documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            return fn(*args, **kwargs)
        except AuditorError as exc:
            if debug:
                raise
            _fail(exc.message, exc.hint, exc.exit_code)
        except RecursionError:
            if debug:
                raise
            _fail("input is nested too deeply to process", None, EXIT_INPUT)
        except (click.ClickException, click.exceptions.Exit, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if debug:
                raise
            _fail(
                f"internal error ({type(exc).__name__}); rerun with --debug to see the traceback",
                None,
                EXIT_USAGE,
            )
        return None

    return wrapper  # type: ignore[return-value]


def _parse_format(value: str) -> tuple[str, str]:
    name, _, path = value.partition(":")
    if name not in FORMATS:
        choices = ", ".join(FORMATS)
        raise click.BadParameter(f"unknown format {name!r}; choose from {choices}")
    return name, path or "-"


def _formats_option(fn: F) -> F:
    return click.option(
        "-f",
        "--format",
        "formats",
        multiple=True,
        metavar="NAME[:PATH]",
        help=f"Output format, repeatable; to stdout without PATH. Formats: {', '.join(FORMATS)}.",
    )(fn)


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO timestamp (e.g. 2026-01-31T12:00:00Z)", param_hint="--now"
        ) from None


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditor")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Audit LaunchDarkly Data Export destinations against compliance rules."""


def _api_options(fn: F) -> F:
    """Options that say which LaunchDarkly API to read and how patiently."""
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
    return fn


def _fetch(api: dict[str, Any]) -> Any:
    from auditor.client import fetch_destinations, resolve_config

    config = resolve_config(
        base_url=api["base_url"],
        instance=api["instance"],
        api_key_env=api["api_key_env"],
        environ=os.environ,
        max_retries=api["max_retries"],
        timeout=api["timeout"],
    )
    return fetch_destinations(config)


def _api_args(kwargs: dict[str, Any]) -> dict[str, Any]:
    keys = ("base_url", "instance", "api_key_env", "max_retries", "timeout")
    return {key: kwargs.pop(key) for key in keys}


@cli.command(epilog=EXIT_CODES_HELP)
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="PATH",
    help="Write the snapshot here (and PATH.meta.json beside it); stdout by default.",
)
@_api_options
@guarded
def fetch(output: str, **kwargs: Any) -> None:
    """Read all Data Export destinations from the LaunchDarkly API and save them as received.

    The token comes from the environment (LD_API_KEY), never from the command line.
    """
    from auditor.snapshot import write_snapshot
    from auditor.sources import check_writable

    if output != "-":
        check_writable(output)
    result = _fetch(_api_args(kwargs))
    if output == "-":
        sys.stdout.buffer.write(result.body)
        sys.stdout.flush()
        return
    write_snapshot(output, result)
    click.echo(
        f"saved {len(result.body)} bytes to {output} (sha256 {result.sha256[:12]})", err=True
    )


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("input_path", metavar="[INPUT]", required=False)
@click.option("--api", is_flag=True, help="Audit the live API instead of INPUT (see `fetch`).")
@click.option("--save", metavar="PATH", help="With --api: keep the snapshot that was audited.")
@_api_options
@_formats_option
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_CHOICES),
    default="medium",
    show_default=True,
    help="Fail (exit 1) on open findings at or above this severity.",
)
@click.option(
    "--select", multiple=True, metavar="RULE", help="Run only these rules (ids or globs)."
)
@click.option("--ignore", multiple=True, metavar="RULE", help="Skip these rules (ids or globs).")
@click.option(
    "--rules", "rule_paths", multiple=True, metavar="PATH", help="Extra rule file or directory."
)
@click.option("--no-builtin-rules", is_flag=True, help="Do not load the built-in rules.")
@click.option(
    "--now",
    metavar="TIMESTAMP",
    help="The audit's time (ISO 8601), for reproducible output; waivers expire against it.",
)
@click.option(
    "--hard-fail-on",
    multiple=True,
    metavar="RULE",
    help="Always fail on open findings of these rules (ids or globs), whatever --fail-on says.",
)
@click.option(
    "--soft-fail-on",
    multiple=True,
    metavar="RULE",
    help="Never fail on these rules (ids or globs); --hard-fail-on wins when both match.",
)
@click.option(
    "--severity",
    "severity",
    multiple=True,
    metavar="RULE=SEVERITY",
    help="Override a rule's severity, e.g. destination-disabled=low (repeatable).",
)
@click.option("--waivers", "waivers_path", metavar="FILE", help="YAML file of waivers.")
@click.option(
    "--waiver-warning-days",
    type=click.IntRange(min=0),
    metavar="DAYS",
    default=14,
    show_default=True,
    help="Warn about waivers expiring within this many days.",
)
@click.option(
    "--baseline",
    "baseline_path",
    metavar="FILE",
    help="JSON report of an earlier run (-f json:FILE); only new findings fail.",
)
@guarded
def check(
    input_path: str | None,
    api: bool,
    save: str | None,
    formats: Sequence[str],
    fail_on: str,
    select: Sequence[str],
    ignore: Sequence[str],
    rule_paths: Sequence[str],
    no_builtin_rules: bool,
    now: str | None,
    hard_fail_on: Sequence[str],
    soft_fail_on: Sequence[str],
    severity: Sequence[str],
    waivers_path: str | None,
    waiver_warning_days: int,
    baseline_path: str | None,
    **kwargs: Any,
) -> None:
    """Audit INPUT (an export file, or - for stdin), or the live API with --api.

    \b
    Gate precedence for each open finding (waived and baselined ones never fail):
      1. a rule matched by --hard-fail-on fails;
      2. a rule matched by --soft-fail-on does not;
      3. otherwise it fails at or above --fail-on (after --severity overrides).
    --baseline implies fail-on-new-only: findings in the baseline never fail.
    """
    from auditor.audit import AuditOptions, run_audit
    from auditor.outputs.text import clean
    from auditor.waivers import warnings

    api_args = _api_args(kwargs)
    if api == (input_path is not None):
        raise UsageError("give either INPUT (a file, or - for stdin) or --api, not both")
    if save and not api:
        raise UsageError("--save keeps the snapshot read with --api; it needs --api")
    outputs = [_parse_format(f) for f in formats] or [("text", "-")]
    _precheck_outputs([*outputs, *([("snapshot", save)] if save else [])])
    options = AuditOptions(
        rule_paths=rule_paths,
        builtin_rules=not no_builtin_rules,
        select=select,
        ignore=ignore,
        fail_on=fail_on,
        now=_parse_now(now),
        hard_fail_on=hard_fail_on,
        soft_fail_on=soft_fail_on,
        severity=severity,
        waivers_path=waivers_path,
        waiver_warning_days=waiver_warning_days,
        baseline_path=baseline_path,
    )
    result = run_audit(_source(input_path, api_args, save), options)
    for line in warnings(result.waivers):
        click.echo(f"Warning: {clean(line)}", err=True)
    write_outputs(result, outputs)
    if result.problems:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_OK if result.passed else EXIT_FINDINGS)


def _source(input_path: str | None, api_args: dict[str, Any], save: str | None) -> Any:
    """The input: a file or stdin, or the live API (saved first when asked)."""
    from auditor.models import Source
    from auditor.sources import read_source

    if input_path is not None:
        return read_source(input_path)
    fetched = _fetch(api_args)
    if save:
        from auditor.snapshot import write_snapshot

        write_snapshot(save, fetched)
    return Source(path=fetched.url, sha256=fetched.sha256, data=fetched.body)


def _precheck_outputs(outputs: Sequence[tuple[str, str]]) -> None:
    from auditor.sources import check_writable

    for _, path in outputs:
        if path != "-":
            check_writable(path)


def write_outputs(result: Any, outputs: Sequence[tuple[str, str]]) -> None:
    """Render every output first, then write them: nothing is written if a render fails."""
    from auditor.outputs import RenderOptions, render
    from auditor.sources import atomic_write

    rendered = []
    for name, path in outputs:
        color = path == "-" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        rendered.append((path, render(name, result, RenderOptions(color=color))))
    for path, text in rendered:
        if path == "-":
            click.echo(text, nl=False)
        else:
            atomic_write(path, text)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("input_path", metavar="INPUT")
@guarded
def validate(input_path: str) -> None:
    """Check INPUT against the destinations schema only; list every problem."""
    from auditor.document import load_document
    from auditor.outputs.text import clean
    from auditor.sources import read_source

    source = read_source(input_path)
    document = load_document(source.data)
    for problem in document.problems:
        click.echo(f"{clean(source.path)}: {problem.pointer}: {clean(problem.message)}")
    if document.problems:
        click.echo(
            f"{len(document.problems)} schema problems in {document.item_count} items; "
            f"{len(document.destinations)} items valid",
            err=True,
        )
        sys.exit(EXIT_INPUT)
    click.echo(f"{clean(source.path)}: valid, {len(document.destinations)} destinations")


def main() -> None:
    cli(prog_name="auditor")
