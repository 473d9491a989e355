"""Click commands for periodic audits: `history`, `history show|prune`, `evidence verify`.

Also the `check` options `--history` and `--evidence`, and how `check` reports what
happened to them after its outputs were written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.cli.support import F, effective_config, guarded
from auditor.errors import EXIT_FINDINGS, EXIT_USAGE, UsageError
from auditor.io import fsprobe

if TYPE_CHECKING:  # the commands import what they run, so `auditor --help` stays fast
    from auditor.audit import AuditOptions
    from auditor.config import Config
    from auditor.models import AuditResult, Source
    from auditor.periodic.workflow import PeriodicOptions

SHOW_FORMATS = ("text", "json")

HISTORY_EXIT_CODES = """\b
Exit codes:
  0  done
  2  usage error: no database given or configured, no such database or run
"""
VERIFY_EXIT_CODES = """\b
Exit codes:
  0  every file matches MANIFEST.sha256, and nothing else is there
     (with --reaudit: and the re-audit found the findings of reports/report.json)
  1  a file differs, is missing, or is not listed (each is named);
     with --reaudit, or a finding differs (each is named)
  2  usage error: DIR is not a directory, or a pack that cannot be re-audited
"""


def periodic_options(fn: F) -> F:
    """`check`'s --history and --evidence."""
    fn = click.option(
        "--evidence",
        metavar="DIR",
        help="Also write an evidence pack (inputs, rules, reports, MANIFEST.sha256) to DIR, "
        "which must not exist or be empty.",
    )(fn)
    return click.option(
        "--history",
        metavar="PATH",
        help="Record the run in this SQLite database; reports show trends, new and resolved "
        "findings [default: the config file's history].",
    )(fn)


def periodic_request(
    config: Config, options: AuditOptions, evidence: str | None, api_key_env: str
) -> PeriodicOptions:
    """What `check` keeps of this run, from the configuration and the flags."""
    from auditor.periodic.evidence import EvidenceRequest
    from auditor.periodic.workflow import PeriodicOptions

    request = None
    if evidence is not None:
        request = EvidenceRequest(
            directory=evidence,
            argv=tuple(sys.argv),
            secrets=(os.environ.get(api_key_env, ""),),
            config_file=config.path,
            waivers=options.waivers,  # the files the audit applied, and only those
            baseline=options.baseline,
        )
    return PeriodicOptions(history=config.history, evidence=request)


def finish(
    result: AuditResult,
    source: Source,
    options: PeriodicOptions,
    history_error: str | None,
    *,
    quiet: bool = False,
) -> None:
    """After the outputs: write the pack, record the run; any failure exits 2, one line each."""
    from auditor.outputs.text import clean
    from auditor.periodic.workflow import after_outputs

    after = after_outputs(result, source, options, record_run=history_error is None)
    for note in after.notes if not quiet else ():
        click.echo(clean(note), err=True)
    errors = [*([history_error] if history_error else []), *after.errors]
    for error in errors:
        click.echo(f"Error: {clean(error)}", err=True)
    if errors:
        sys.exit(EXIT_USAGE)


def _database_options(fn: F) -> F:
    fn = click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(SHOW_FORMATS),
        default=None,
        help="Output format [default: text].",
    )(fn)
    return click.option(
        "--db", metavar="PATH", help="History database [default: the config file's history]."
    )(fn)


def _database(ctx: click.Context, db: str | None) -> str:
    given = db or (ctx.obj or {}).get("db")
    if given:
        return str(given)
    configured = effective_config().history
    if configured:
        return configured
    raise UsageError("no history database: give --db PATH, or set `history:` in auditor.yaml")


def _format(ctx: click.Context, fmt: str | None) -> str:
    return str(fmt or (ctx.obj or {}).get("fmt") or "text")


@click.group("history", invoke_without_command=True, epilog=HISTORY_EXIT_CODES)
@_database_options
@click.pass_context
@guarded
def history_group(ctx: click.Context, db: str | None, fmt: str | None) -> None:
    """List the runs that `check --history` recorded, in recording order."""
    from auditor.cli.historyshow import render_runs
    from auditor.periodic.history import opened, runs

    ctx.obj = {"db": db, "fmt": fmt}
    if ctx.invoked_subcommand is not None:
        return
    path = _database(ctx, db)
    with opened(path, create=False) as conn:
        click.echo(render_runs(runs(conn), _format(ctx, fmt), path), nl=False)


@history_group.command("show", epilog=HISTORY_EXIT_CODES)
@click.argument("run", metavar="RUN")
@_database_options
@click.pass_context
@guarded
def history_show(ctx: click.Context, run: str, db: str | None, fmt: str | None) -> None:
    """Show run RUN (a number from `auditor history`, or `latest`) and its findings."""
    from auditor.cli.historyshow import render_run
    from auditor.periodic.history import find_run, first_seen, opened, run_findings, runs

    path = _database(ctx, db)
    with opened(path, create=False) as conn:
        if run == "latest":
            latest = runs(conn, limit=1)
            if not latest:
                raise UsageError(f"{path}: no runs recorded")
            record = latest[0]
        elif run.isdigit():
            record = find_run(conn, int(run), path)
        else:
            raise UsageError(f"RUN: expected a run number or `latest`, got {run!r}")
        findings = run_findings(conn, record.id)
        seen = first_seen(conn, [f.fingerprint for f in findings])
    click.echo(render_run(record, findings, seen, _format(ctx, fmt)), nl=False)


@history_group.command("prune", epilog=HISTORY_EXIT_CODES)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    required=True,
    metavar="N",
    help="How many runs to keep: the latest recorded ones.",
)
@click.option("--db", metavar="PATH", help="History database [default: the config's history].")
@click.pass_context
@guarded
def history_prune(ctx: click.Context, keep: int, db: str | None) -> None:
    """Delete all but the latest N runs; first-seen times are kept."""
    from auditor.outputs.text import clean
    from auditor.periodic.history import prune

    path = _database(ctx, db)
    deleted, kept = prune(path, keep)
    click.echo(f"deleted {deleted} run(s) from {clean(path)}; {kept} kept")


@click.group("evidence")
def evidence_group() -> None:
    """Check evidence packs written by `check --evidence DIR`."""


@evidence_group.command("verify", epilog=VERIFY_EXIT_CODES)
@click.argument("directory", metavar="DIR")
@click.option(
    "--reaudit",
    is_flag=True,
    help="Also run the pack's audit again (its input, rules, waivers, baseline and settings) "
    "and check that it makes the findings of reports/report.json, fingerprints included.",
)
@guarded
def evidence_verify(directory: str, reaudit: bool, **_: Any) -> None:
    """Check every file of the pack in DIR against its MANIFEST.sha256."""
    from auditor.outputs.text import clean
    from auditor.periodic.manifest import verify

    root = Path(directory)
    if not fsprobe.is_dir(root):
        raise UsageError(f"{directory}: no such directory")
    count, problems = verify(root)
    for problem in problems:
        click.echo(f"FAILED {clean(problem)}")
    if problems:
        click.echo(f"{clean(directory)}: NOT intact, {len(problems)} problem(s)", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"{clean(directory)}: intact, {count} files match MANIFEST.sha256")
    if reaudit:
        from auditor.cli.reaudit import reaudit as run_again

        line, differences = run_again(root)
        for difference in differences:
            click.echo(f"DIFFERS {clean(difference)}")
        click.echo(clean(line), err=bool(differences))
        if differences:
            sys.exit(EXIT_FINDINGS)
