"""Click commands `diff` and `review`: two audits compared, outputs written, an exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import click

from auditor.cli.support import (
    account_options,
    api_options,
    effective_config,
    fetch_live,
    guarded,
    input_limit_option,
    parse_now,
    pop_api_args,
    rule_loading_options,
)
from auditor.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_PIPE, UsageError
from auditor.models import FAIL_ON_CHOICES
from auditor.outputs.diff import DIFF_FORMATS

EXIT_CODES_HELP = """\b
Exit codes:
  0  no introduced finding at or above --fail-on
  1  an introduced finding at or above --fail-on
  2  usage error, a bad config or rule file, or (review) a change or plan that cannot apply
  3  an input is not JSON, or fails the destinations schema
  4  (review --api) the API could not be read
"""

F = TypeVar("F", bound=Callable[..., Any])


def diff_options(fn: F) -> F:
    """-f (the diff formats), --fail-on, --select, --ignore and --now."""
    options = [
        click.option(
            "-f",
            "--format",
            "diff_formats",
            multiple=True,
            metavar="NAME[:PATH]",
            help=f"Output format, repeatable; to stdout without PATH [default: text]. "
            f"Formats: {', '.join(DIFF_FORMATS)}.",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(FAIL_ON_CHOICES),
            default=None,
            help="Fail (exit 1) when an introduced finding is at or above this severity "
            "[default: the config file's fail_on, else medium].",
        ),
        click.option("--select", multiple=True, metavar="RULE", help="Run only these rules."),
        click.option("--ignore", multiple=True, metavar="RULE", help="Skip these rules."),
        click.option("--now", metavar="TIMESTAMP", help="The audits' time (ISO 8601)."),
        click.option(
            "--waivers",
            metavar="FILE",
            help="Waivers file (YAML) to apply to both audits [default: the config file's].",
        ),
        click.option(
            "--no-waivers", is_flag=True, help="Apply no waivers, not even the config file's."
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return rule_loading_options(fn)


@click.command("diff", epilog=EXIT_CODES_HELP)
@click.argument("before_path", metavar="BEFORE")
@click.argument("after_path", metavar="AFTER")
@diff_options
@input_limit_option
@guarded
def diff_command(before_path: str, after_path: str, max_input_size: int, **flags: Any) -> None:
    """Compare two snapshots: destinations, grants and findings added, removed or changed."""
    from auditor.changes.diff import run_diff
    from auditor.io.sources import read_source

    specs = flags.pop("diff_formats")
    now = parse_now(flags.pop("now"))
    config = _config(flags)
    outputs = _outputs(specs, config, inputs=[(before_path, "BEFORE"), (after_path, "AFTER")])
    with config.located():
        before = read_source(before_path, max_input_size)
        after = read_source(after_path, max_input_size)
        result = run_diff(before, after, config.audit_options(now))
    _finish(result, outputs)


@click.command("review", epilog=EXIT_CODES_HELP)
@click.argument("snapshot_path", metavar="[SNAPSHOT]", required=False)
@click.option(
    "--change",
    "change_path",
    metavar="CHANGE",
    help="YAML or JSON list of the API calls to review (method, path, body).",
)
@click.option(
    "--plan",
    "plan_path",
    metavar="PLAN",
    help="A Terraform plan as JSON (terraform show -json PLANFILE), or - for stdin.",
)
@click.option("--api", is_flag=True, help="Review against the live API instead of SNAPSHOT.")
@account_options
@api_options
@diff_options
@guarded
def review_command(
    snapshot_path: str | None,
    change_path: str | None,
    plan_path: str | None,
    api: bool,
    account: bool,
    anonymise_members: bool,
    **flags: Any,
) -> None:
    """Review proposed API calls or a Terraform plan: apply CHANGE or PLAN to SNAPSHOT (or
    --api) in memory and compare the audits before and after.

    The snapshot is never modified. Exits 2 naming the call or resource when one cannot apply.
    """
    api_args = pop_api_args(flags)
    if (change_path is None) == (plan_path is None):
        raise UsageError("give either --change CHANGE or --plan PLAN")
    if api and snapshot_path is not None:
        raise UsageError("give SNAPSHOT or --api, not both")
    if not api and snapshot_path is None:
        raise UsageError("give SNAPSHOT (a file, or - for stdin) or --api")
    if snapshot_path == "-" and plan_path == "-":
        raise UsageError("only one of PLAN and SNAPSHOT can be read from stdin")
    if account and not api:
        raise UsageError(
            "--account reads the account from the API; it needs --api (a file saved by"
            " `fetch --account` already holds the account)"
        )
    specs = flags.pop("diff_formats")
    now = parse_now(flags.pop("now"))
    config = _config(flags)
    what = "plan" if plan_path is not None else "change file"
    inputs = [(change_path or plan_path or "", what), (snapshot_path or "", "SNAPSHOT")]
    outputs = _outputs(specs, config, inputs=inputs)
    options = replace(config.audit_options(now), anonymise_members=anonymise_members)
    if plan_path is not None:
        from auditor.changes.plan import load_plan
        from auditor.changes.terraform import run_plan_review

        plan = load_plan(plan_path, api_args["max_input_size"])  # fails before the API is read
        with config.located():
            source = _snapshot(snapshot_path, api_args, account, anonymise_members)
            result = run_plan_review(source, plan, options)
        _warn_not_reviewed(result)
    else:
        from auditor.changes.changefile import load_change_file
        from auditor.changes.review import run_review

        change = load_change_file(change_path or "")  # a bad change file fails before the API
        with config.located():
            source = _snapshot(snapshot_path, api_args, account, anonymise_members)
            result = run_review(source, change, options)
    _finish(result, outputs)


def _warn_not_reviewed(result: Any) -> None:
    """Account resources a plain export cannot show the effect of are said on stderr too."""
    left = result.plan.not_reviewed if result.plan is not None else ()
    if left:
        click.echo(
            f"Warning: {len(left)} account resource change(s) of the plan were not reviewed: "
            "the snapshot has no _account block (take one with auditor fetch --account)",
            err=True,
        )


def _config(flags: dict[str, Any]) -> Any:
    """The configuration, without waivers when --no-waivers says so."""
    no_waivers = flags.pop("no_waivers")
    if no_waivers and flags.get("waivers"):
        raise UsageError("give --waivers FILE or --no-waivers, not both")
    config = effective_config(**flags)
    return replace(config, waivers=None) if no_waivers else config


def _snapshot(
    path: str | None, api_args: dict[str, Any], account: bool = False, anonymise: bool = False
) -> Any:
    from auditor.io.sources import read_source
    from auditor.models import Source

    if path is not None:
        return read_source(path, api_args["max_input_size"])
    fetched = fetch_live(api_args, account=account, anonymise=anonymise)
    limit = api_args["max_input_size"]
    return Source(path=fetched.url, sha256=fetched.sha256, data=fetched.body, max_size=limit)


def _outputs(
    specs: Sequence[str], config: Any, *, inputs: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The outputs asked for (text to stdout by default): checked, none over an input."""
    from auditor.cli.outputs import precheck, role, rule_inputs
    from auditor.io.targets import Named, is_stdout
    from auditor.outputs.diff import parse_diff_output

    outputs = []
    for spec in specs or ("text",):
        try:
            name, path = parse_diff_output(spec)
        except ValueError as exc:
            raise UsageError(f"--format: {exc}") from None
        outputs.append((name, "-" if is_stdout(path) else path))
    read = [
        *(Named(path=path, role=what) for path, what in inputs),
        Named(path=config.path or "", role="config file"),
        Named(path=config.waivers or "", role="waivers file"),
        *rule_inputs(config.rule_paths, config.builtin_rules),
    ]
    precheck([Named(path=path, role=role(name, path)) for name, path in outputs], read)
    return outputs


def _finish(result: Any, outputs: Sequence[tuple[str, str]]) -> None:
    """Render every output, then write them as one set, then exit with the verdict's code."""
    from auditor.cli.outputs import Stdout, write
    from auditor.outputs.diff import render_diff

    stdout = Stdout()
    write([(path, render_diff(name, result)) for name, path in outputs], stdout)
    if stdout.closed:
        sys.exit(EXIT_PIPE)
    if result.before.problems or result.after.problems:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_OK if result.passed else EXIT_FINDINGS)
