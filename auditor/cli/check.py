"""`auditor check`: every output location checked, the audit, the outputs as a set, history last.

The order is the contract: before any work, every output (reports, the template's, the
snapshot, the evidence pack, the history database) is checked and none may overwrite an
input; then the audit; then the reports, written as one set; then the evidence pack; and
last, once, the run is recorded, only when everything before it was written, so a retry
never records a run twice.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from typing import Any

import click

from auditor.cli.exitcodes import EXIT_CODES_HELP
from auditor.cli.globals import use_color
from auditor.cli.history import periodic_options
from auditor.cli.outputs import Stdout, precheck_check, with_template, write
from auditor.cli.support import (
    account_options,
    api_options,
    check_options,
    effective_config,
    fetch_live,
    gate_options,
    guarded,
    parse_now,
    pop_api_args,
    rule_loading_options,
)
from auditor.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_PIPE, UsageError
from auditor.outputs import MARKDOWN_MAX_FINDINGS, RenderOptions

FULL_FORMATS = ("html", "json", "csv")
"""Outputs that list every finding: the markdown report points to them when it cuts."""


def report_options(fn: Any) -> Any:
    """How the text report reads: -o, -q, --compact, --new-only, --show-suppressed."""
    options = [
        click.option(
            "-o",
            "--output",
            "text_output",
            metavar="PATH",
            help="Write the text report to PATH: the same as -f text:PATH.",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="Text report: only the summary line; on stderr only errors.",
        ),
        click.option(
            "--compact",
            is_flag=True,
            help="Text report: one line per finding (severity, rule, destination, message).",
        ),
        click.option(
            "--new-only",
            is_flag=True,
            help="Text report: only the findings marked NEW (new since the --baseline, or "
            "since the last --history run).",
        ),
        click.option(
            "--show-suppressed",
            is_flag=True,
            help="Text report: also list waived and baselined findings in full (they are "
            "always counted).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@click.command("check", epilog=EXIT_CODES_HELP)
@click.argument("input_path", metavar="[INPUT]", required=False)
@click.option("--api", is_flag=True, help="Audit the live API instead of INPUT (see `fetch`).")
@click.option("--save", metavar="PATH", help="With --api: keep the snapshot that was audited.")
@api_options
@account_options
@check_options
@report_options
@gate_options
@rule_loading_options
@click.option(
    "--now",
    metavar="TIMESTAMP",
    help="The audit's time (ISO 8601), for reproducible output; waivers expire against it.",
)
@click.option(
    "--max-findings",
    type=click.IntRange(min=0),
    default=MARKDOWN_MAX_FINDINGS,
    show_default=True,
    metavar="N",
    help="List at most N findings in the markdown report; the rest are counted, not listed "
    "(it also stays under the 1 MiB of a GitHub step summary, whatever N).",
)
@click.option(
    "--template",
    "template_path",
    metavar="PATH",
    help="Also render PATH, your own Jinja2 template, in a sandbox with the report context.",
)
@click.option(
    "--template-output",
    metavar="OUT",
    help="Write the --template output to OUT [default: stdout, instead of the text report].",
)
@periodic_options
@guarded
def check_command(
    input_path: str | None,
    api: bool,
    save: str | None,
    now: str | None,
    max_findings: int | None,
    template_path: str | None,
    template_output: str | None,
    text_output: str | None,
    quiet: bool,
    compact: bool,
    new_only: bool,
    show_suppressed: bool,
    account: bool,
    anonymise_members: bool,
    **flags: Any,
) -> None:
    """Audit INPUT (an export file, or - for stdin), or the live API with --api.

    Access findings describe the caller whose token read the export, unless the account was
    read too (--api --account, or an INPUT saved by `fetch --account`): then every member,
    team and API token is audited.

    \b
    Gate precedence for each open finding (waived and baselined ones never fail):
      1. a rule matched by --hard-fail-on fails;
      2. a rule matched by --soft-fail-on does not;
      3. otherwise it fails at or above --fail-on (after --severity overrides).
    --baseline implies fail-on-new-only: findings in the baseline never fail.
    """
    from auditor.audit import run_audit
    from auditor.cli.history import finish, periodic_request
    from auditor.cli.progress import progress
    from auditor.gate.waivers import warnings
    from auditor.outputs.text import clean

    api_args = pop_api_args(flags)
    if api and input_path is not None:
        raise UsageError("give INPUT or --api, not both")
    if not api and input_path is None:
        raise UsageError("give INPUT (an export file, or - for stdin) or --api")
    if save and not api:
        raise UsageError("--save keeps the snapshot read with --api; it needs --api")
    if account and not api:
        raise UsageError(
            "--account reads the account from the API; it needs --api (a file saved by"
            " `fetch --account` already holds the account)"
        )
    if text_output is not None:
        flags["formats"] = (*flags.get("formats", ()), f"text:{text_output}")
    evidence = flags.pop("evidence")
    config = effective_config(**flags)
    if new_only and not (config.baseline or config.history):
        raise UsageError("--new-only needs --baseline or --history: new since what?")
    outputs = with_template(config, template_path, template_output)
    precheck_check(config, outputs, input_path, save, template_path, evidence)
    options = replace(config.audit_options(parse_now(now)), anonymise_members=anonymise_members)
    periodic = periodic_request(config, options, evidence, api_args["api_key_env"])
    render = RenderOptions(
        max_findings=max_findings,
        full_reports=tuple(p for n, p in outputs if n in FULL_FORMATS and p != "-"),
        template=template_path,
        quiet=quiet,
        compact=compact,
        new_only=new_only,
        show_suppressed=show_suppressed,
    )
    with progress("auditor check", 3, quiet=quiet) as shown:
        with config.located():
            source = _source(
                input_path,
                api_args,
                save,
                quiet=quiet,
                account=account,
                anonymise=anonymise_members,
            )
            shown.step(f"auditing {len(source.data) / 1e6:.1f} MB")
            result = run_audit(source, options)
        shown.step(f"writing {len(outputs)} output(s)")
        result, history_error, stdout = _write(result, periodic, outputs, render)
        shown.step("recording")
    if not quiet:
        for line in warnings(result.waivers):
            click.echo(f"Warning: {clean(line)}", err=True)
    finish(result, source, periodic, history_error, quiet=quiet)
    if stdout.closed:
        sys.exit(EXIT_PIPE)
    if result.problems:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_OK if result.passed else EXIT_FINDINGS)


def _write(
    result: Any, periodic: Any, outputs: list[tuple[str, str]], render: RenderOptions
) -> tuple[Any, str | None, Stdout]:
    """The history view attached, then every output written as one set."""
    from auditor.periodic.workflow import with_history

    result, history_error = with_history(result, periodic)
    stdout = Stdout()
    write_outputs(result, outputs, render, stdout)
    return result, history_error, stdout


def _source(
    input_path: str | None,
    api_args: dict[str, Any],
    save: str | None,
    *,
    quiet: bool,
    account: bool = False,
    anonymise: bool = False,
) -> Any:
    """The input: a file or stdin, or the live API (saved first when asked)."""
    from auditor.io.sources import read_source
    from auditor.models import Source

    if input_path is not None:
        return read_source(input_path, api_args["max_input_size"])
    fetched = fetch_live(api_args, quiet=quiet, account=account, anonymise=anonymise)
    located: str | None = None
    if save:
        from auditor.io.snapshot import write_snapshot

        sidecar = write_snapshot(save, fetched)
        located = save if sidecar is not None else None
    limit = api_args["max_input_size"]
    return Source(
        path=fetched.url, sha256=fetched.sha256, data=fetched.body, file=located, max_size=limit
    )


def write_outputs(
    result: Any,
    outputs: list[tuple[str, str]],
    options: RenderOptions | None = None,
    stdout: Stdout | None = None,
) -> None:
    """Render every output first, then write them as one set: none if a render fails."""
    from dataclasses import replace

    from auditor.io.targets import is_stdout
    from auditor.outputs import render_bytes

    base = options or RenderOptions()
    rendered = []
    for name, path in outputs:
        on_stdout = is_stdout(path)
        color = on_stdout and use_color(sys.stdout.isatty())
        width = _width() if on_stdout and sys.stdout.isatty() else None
        chosen = replace(base, color=color, width=width)
        rendered.append((path, render_bytes(name, result, chosen)))
    write(rendered, stdout or Stdout())


def _width() -> int:
    return max(40, shutil.get_terminal_size().columns)
