"""Click commands: parse options, call one pipeline function, write outputs, exit."""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import click

from auditor import __version__
from auditor.cli.authoring import config_group, init_command, rules_group
from auditor.cli.changes import diff_command, review_command
from auditor.cli.check import check_command
from auditor.cli.exitcodes import (
    EXPLAIN_EXIT_CODES,
    FETCH_EXIT_CODES,
    GENERAL_EXIT_CODES,
    VALIDATE_EXIT_CODES,
)
from auditor.cli.globals import add_global_options
from auditor.cli.history import evidence_group, history_group
from auditor.cli.support import (
    StdoutClosed,
    account_options,
    api_options,
    effective_config,
    fetch_live,
    guarded,
    input_limit_option,
    pop_api_args,
    rule_loading_options,
)
from auditor.errors import EXIT_INPUT, EXIT_PIPE, EXIT_USAGE, UsageError


@click.group(epilog=GENERAL_EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditor")
def cli() -> None:
    """Audit LaunchDarkly Data Export destinations against compliance rules.

    Settings come from the defaults, then the config file (auditor.yaml or auditor.yml in
    this folder or a parent, up to the repository root; or --config PATH), then the command
    line: a flag overrides the file's value for its key, and --rules adds to the file's rule
    paths. The global options (--config, --color, --verbose, --debug) go before or after
    the command.
    """


@cli.command(epilog=FETCH_EXIT_CODES)
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="PATH",
    help="Write the snapshot here (and PATH.meta.json beside a regular file); stdout by default.",
)
@api_options
@account_options
@guarded
def fetch(output: str, account: bool, anonymise_members: bool, **kwargs: Any) -> None:
    """Read all Data Export destinations from the LaunchDarkly API and save them as received.

    With --account, also the account's roles, teams, members, tokens and environments (no SDK
    key, token value or member name is kept), in an `_account` block of the same file.
    The token comes from the environment (LD_API_KEY), never from the command line.
    """
    from auditor.cli.outputs import Stdout
    from auditor.io.snapshot import write_snapshot
    from auditor.io.targets import is_stdout, target

    if not is_stdout(output):
        target(output)
    if anonymise_members and not account:
        raise UsageError("--anonymise-members applies to the account read with --account")
    result = fetch_live(pop_api_args(kwargs), account=account, anonymise=anonymise_members)
    if is_stdout(output):
        stdout = Stdout()
        stdout.write(result.body)
        if stdout.closed:
            sys.exit(EXIT_PIPE)
        return
    write_snapshot(output, result)
    click.echo(
        f"saved {len(result.body)} bytes to {output} (sha256 {result.sha256[:12]})", err=True
    )


@cli.command(epilog=EXPLAIN_EXIT_CODES)
@click.argument("arguments", nargs=-1, metavar="[FINGERPRINT] INPUT")
@click.option("--rule", "rule_id", metavar="ID", help="Only findings of this rule.")
@click.option(
    "--destination",
    metavar="NAME-OR-ID",
    help="Only findings on the destination with this name or id.",
)
@rule_loading_options
@input_limit_option
@guarded
def explain(
    arguments: Sequence[str],
    rule_id: str | None,
    destination: str | None,
    max_input_size: int,
    **flags: Any,
) -> None:
    """Explain one finding of INPUT: give its FINGERPRINT (the 10 characters the reports
    show, or any unique prefix), or pick it with --rule and --destination.

    Prints the rule and why it matters, the destination, the statement, the chain of reasoning
    that decided the finding, and the remediation. When several findings match, lists them
    (exit 2) so you can pick one. Rules, severities, params and waivers come from the config
    file, as for `check`.
    """
    from auditor.audit import run_audit
    from auditor.cli.explain import Ambiguous, find_finding, render_explanation
    from auditor.io.sources import read_source
    from auditor.outputs.text import clean

    if len(arguments) == 2:
        fingerprint, input_path = arguments
    elif len(arguments) == 1 and (rule_id or destination):
        fingerprint, input_path = None, arguments[0]
    elif len(arguments) == 1:
        raise UsageError("give a FINGERPRINT before INPUT, or pick with --rule and --destination")
    else:
        raise UsageError("expected [FINGERPRINT] INPUT")
    config = effective_config(**flags)
    with config.located():
        options = replace(config.audit_options(), fail_on="never")
        result = run_audit(read_source(input_path, max_input_size), options)
    try:
        chosen = find_finding(result, fingerprint, rule_id=rule_id, destination=destination)
    except Ambiguous as exc:
        click.echo(f"Error: {clean(exc.message)}", err=True)
        for line in exc.candidates:
            click.echo(f"  {clean(line)}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(render_explanation(chosen), nl=False)


@cli.command(epilog=VALIDATE_EXIT_CODES)
@click.argument("input_path", metavar="INPUT")
@input_limit_option
@guarded
def validate(input_path: str, max_input_size: int) -> None:
    """Check INPUT against the destinations schema only; list every problem."""
    from auditor.io.sources import read_source
    from auditor.launchdarkly.document import load_document
    from auditor.outputs.text import clean

    source = read_source(input_path, max_input_size)
    document = load_document(source.data, max_size=source.max_size)
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


cli.add_command(check_command)
cli.add_command(config_group)
cli.add_command(evidence_group)
cli.add_command(history_group)
cli.add_command(init_command)
cli.add_command(rules_group)
cli.add_command(diff_command)
cli.add_command(review_command)
add_global_options(cli)


def main() -> None:
    """The `auditor` program: run one command, then leave without tearing down the heap.

    A run is short and its big allocation is the parsed export, which has no reference cycles:
    the cyclic collector would only walk it again and again, and the interpreter's teardown
    would free it object by object. Both are skipped; files are closed by then and the
    standard streams are flushed here.

    SIGINT exits 130 and SIGTERM 143 (128 + the signal, as a shell reports them), after
    removing any temporary file; a closed stdout exits 141 without a word, as a program
    stopped by SIGPIPE would (the Python `signal` docs' advice: no traceback, no message).
    """
    gc.disable()
    _catch_signals()
    try:
        cli(prog_name="auditor")
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except Interrupted as exc:
        remove_pending()
        _say(f"Error: interrupted ({exc.name}); no output was left half-written")
        code = exc.code
    except StdoutClosed:
        code = EXIT_PIPE
    remove_pending()
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # `auditor check x | head`: the reader left
        code = code or EXIT_PIPE
    _say("")
    os._exit(code)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: unwind (removing temporary files), then exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.code = 128 + signum
        self.name = signal.Signals(signum).name


def _catch_signals() -> None:
    def handler(signum: int, _frame: object) -> None:
        for number in (signal.SIGINT, signal.SIGTERM):  # a second one: leave at once
            signal.signal(number, _leave_now)
        raise Interrupted(signum)

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, handler)


def _leave_now(signum: int, _frame: object) -> None:
    remove_pending()
    os._exit(128 + signum)


def remove_pending() -> None:
    """Remove the temporary files of outputs not yet in place (none unless one was written)."""
    writing = sys.modules.get("auditor.io.writing")
    if writing is not None:
        writing.remove_pending()


def _say(text: str) -> None:
    """Write to stderr, which may be gone too."""
    try:
        if text:
            print(text, file=sys.stderr)
        sys.stderr.flush()
    except (BrokenPipeError, ValueError, OSError):
        pass


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
