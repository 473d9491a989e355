"""Click commands: parse options, call one pipeline function, write outputs, exit."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import click

from auditor import __version__
from auditor.cli.authoring import config_group, init_command, rules_group
from auditor.cli.changes import diff_command, review_command
from auditor.cli.history import evidence_group, history_group, periodic_options
from auditor.cli.support import (
    EXIT_CODES_HELP,
    account_options,
    api_options,
    check_options,
    effective_config,
    fetch_live,
    gate_options,
    guarded,
    input_limit_option,
    parse_now,
    pop_api_args,
    rule_loading_options,
)
from auditor.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, UsageError
from auditor.io.paths import CONFIG_NAME
from auditor.outputs import RenderOptions


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditor")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help=f"Config file to use instead of ./{CONFIG_NAME} (see `auditor config show`).",
)
def cli(debug: bool, config_path: str | None) -> None:
    """Audit LaunchDarkly Data Export destinations against compliance rules.

    Settings come from the defaults, then the config file (./auditor.yaml, or --config PATH),
    then the command line: a flag overrides the file's value for its key, and --rules adds
    to the file's rule paths.
    """


@cli.command(epilog=EXIT_CODES_HELP)
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="PATH",
    help="Write the snapshot here (and PATH.meta.json beside it); stdout by default.",
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
    from auditor.io.snapshot import write_snapshot
    from auditor.io.sources import check_writable

    if output != "-":
        check_writable(output)
    if anonymise_members and not account:
        raise UsageError("--anonymise-members applies to the account read with --account")
    result = fetch_live(pop_api_args(kwargs), account=account, anonymise=anonymise_members)
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
@api_options
@account_options
@check_options
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
    metavar="N",
    help="List at most N findings in the markdown report; the rest are counted, not listed.",
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
def check(
    input_path: str | None,
    api: bool,
    save: str | None,
    now: str | None,
    max_findings: int | None,
    template_path: str | None,
    template_output: str | None,
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
    from auditor.gate.waivers import warnings
    from auditor.outputs.text import clean
    from auditor.periodic.workflow import with_history

    api_args = pop_api_args(flags)
    if api == (input_path is not None):
        raise UsageError("give either INPUT (a file, or - for stdin) or --api, not both")
    if save and not api:
        raise UsageError("--save keeps the snapshot read with --api; it needs --api")
    if account and not api:
        raise UsageError(
            "--account reads the account from the API; it needs --api (a file saved by"
            " `fetch --account` already holds the account)"
        )
    config = effective_config(**flags)
    outputs = _with_template(config, template_path, template_output)
    _precheck_outputs([*outputs, *([("snapshot", save)] if save else [])])
    options = replace(config.audit_options(parse_now(now)), anonymise_members=anonymise_members)
    periodic = periodic_request(config, options, flags.pop("evidence"), api_args["api_key_env"])
    with config.located():
        source = _source(input_path, api_args, save, account, anonymise_members)
        result = run_audit(source, options)
    for line in warnings(result.waivers):
        click.echo(f"Warning: {clean(line)}", err=True)
    result, history_error = with_history(result, periodic)
    write_outputs(result, outputs, RenderOptions(max_findings=max_findings, template=template_path))
    finish(result, source, periodic, history_error)
    if result.problems:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_OK if result.passed else EXIT_FINDINGS)


def _source(
    input_path: str | None,
    api_args: dict[str, Any],
    save: str | None,
    account: bool = False,
    anonymise: bool = False,
) -> Any:
    """The input: a file or stdin, or the live API (saved first when asked)."""
    from auditor.io.sources import read_source
    from auditor.models import Source

    if input_path is not None:
        return read_source(input_path, api_args["max_input_size"])
    fetched = fetch_live(api_args, account=account, anonymise=anonymise)
    if save:
        from auditor.io.snapshot import write_snapshot

        write_snapshot(save, fetched)
    return Source(path=fetched.url, sha256=fetched.sha256, data=fetched.body)


def _with_template(
    config: Any, template_path: str | None, template_output: str | None
) -> list[tuple[str, str]]:
    """The outputs, plus the user's template (checked now, before any work) when given.

    Its output goes to --template-output, or to stdout in place of the default text report
    (beside the outputs chosen with -f or in the config file).
    """
    from auditor.config import DEFAULT
    from auditor.outputs import TEMPLATE
    from auditor.outputs.templating import load_user_template

    outputs = list(config.outputs)
    if template_path is None:
        if template_output is not None:
            raise UsageError("--template-output needs --template PATH, the template to render")
        return outputs
    load_user_template(template_path)
    if template_output is None and config.origin("outputs") == DEFAULT:
        outputs = []
    return [*outputs, (TEMPLATE.name, template_output or "-")]


def _precheck_outputs(outputs: Sequence[tuple[str, str]]) -> None:
    from auditor.io.sources import check_writable

    for _, path in outputs:
        if path != "-":
            check_writable(path)


def write_outputs(
    result: Any, outputs: Sequence[tuple[str, str]], options: RenderOptions | None = None
) -> None:
    """Render every output first, then write them: nothing is written if a render fails."""
    from dataclasses import replace

    from auditor.io.sources import atomic_write
    from auditor.outputs import render

    base = options or RenderOptions()
    rendered = []
    for name, path in outputs:
        color = path == "-" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        rendered.append((path, render(name, result, replace(base, color=color))))
    for path, text in rendered:
        if path == "-":
            click.echo(text, nl=False)
        else:
            atomic_write(path, text)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("fingerprint")
@click.argument("input_path", metavar="INPUT")
@click.option(
    "--rules", "rule_paths", multiple=True, metavar="PATH", help="Extra rule file or directory."
)
@click.option("--no-builtin-rules", is_flag=True, help="Do not load the built-in rules.")
@input_limit_option
@guarded
def explain(
    fingerprint: str,
    input_path: str,
    rule_paths: Sequence[str],
    no_builtin_rules: bool,
    max_input_size: int,
) -> None:
    """Explain the finding of INPUT with FINGERPRINT (or a unique prefix of it).

    Prints the rule and why it matters, the destination, the statement, the chain of reasoning
    that decided the finding, and the remediation.
    """
    from auditor.audit import AuditOptions, run_audit
    from auditor.cli.explain import find_finding, render_explanation
    from auditor.io.sources import read_source

    options = AuditOptions(
        rule_paths=rule_paths, builtin_rules=not no_builtin_rules, fail_on="never"
    )
    result = run_audit(read_source(input_path, max_input_size), options)
    click.echo(render_explanation(find_finding(result, fingerprint)), nl=False)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("input_path", metavar="INPUT")
@input_limit_option
@guarded
def validate(input_path: str, max_input_size: int) -> None:
    """Check INPUT against the destinations schema only; list every problem."""
    from auditor.io.sources import read_source
    from auditor.launchdarkly.document import load_document
    from auditor.outputs.text import clean

    source = read_source(input_path, max_input_size)
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


cli.add_command(config_group)
cli.add_command(evidence_group)
cli.add_command(history_group)
cli.add_command(init_command)
cli.add_command(rules_group)
cli.add_command(diff_command)
cli.add_command(review_command)


def main() -> None:
    """The `auditor` program: run one command, then leave without tearing down the heap.

    A run is short and its big allocation is the parsed export, which has no reference cycles:
    the cyclic collector would only walk it again and again, and the interpreter's teardown
    would free it object by object. Both are skipped; files are closed by then and the
    standard streams are flushed here.
    """
    gc.disable()
    try:
        cli(prog_name="auditor")
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `auditor check x | head`: the reader left; not an error of ours
        pass
    os._exit(code)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
