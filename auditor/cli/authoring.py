"""Click commands for rule authors: `rules list|show|test`, `config show` and `init`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from auditor.cli.support import (
    effective_config,
    guarded,
    rule_loading_options,
)
from auditor.errors import EXIT_FINDINGS, EXIT_OK
from auditor.models import FAIL_ON_CHOICES, FRAMEWORK_KEYS
from auditor.rulebook.ruleinfo import LIST_FORMATS

EXIT_CODES_HELP = """\b
Exit codes:
  0  done
  2  usage error, or a bad config or rule file
"""
TEST_EXIT_CODES_HELP = """\b
Exit codes:
  0  every example and test passed (a rule lacking an example is only warned about)
  1  an example or a test failed; with --strict, also a rule lacking an example
  2  usage error, or a bad config, rule or test file
"""


@click.group("rules")
def rules_group() -> None:
    """List, document and test the rules (built-in, --rules and the config file's)."""


@rules_group.command("list", epilog=EXIT_CODES_HELP)
@rule_loading_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(LIST_FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@guarded
def rules_list(fmt: str, **flags: Any) -> None:
    """List every loaded rule: id, severity (as configured), scope, title and source."""
    from auditor.config import load_configured_rules
    from auditor.rulebook.ruleinfo import list_rules

    _, rules = load_configured_rules(effective_config(**flags))
    click.echo(list_rules(rules, fmt), nl=False)


@rules_group.command("show", epilog=EXIT_CODES_HELP)
@click.argument("rule_id", metavar="ID")
@rule_loading_options
@guarded
def rules_show(rule_id: str, **flags: Any) -> None:
    """Show everything about rule ID: documentation, logic, message and examples."""
    from auditor.config import load_configured_rules
    from auditor.errors import UsageError
    from auditor.io.yamlfile import did_you_mean
    from auditor.rulebook.ruleinfo import show_rule

    config = effective_config(**flags)
    written, configured = load_configured_rules(config)
    ids = [r.id for r in configured]
    if rule_id not in ids:
        raise UsageError(f"unknown rule {rule_id!r}{did_you_mean(rule_id, ids)}")
    index = ids.index(rule_id)
    click.echo(show_rule(configured[index], written[index], config.origins), nl=False)


@rules_group.command("test", epilog=TEST_EXIT_CODES_HELP)
@click.argument("test_paths", nargs=-1, metavar="[PATH]...")
@rule_loading_options
@click.option("--strict", is_flag=True, help="Fail when a rule lacks a pass or a fail example.")
@guarded
def rules_test(test_paths: Sequence[str], strict: bool, **flags: Any) -> None:
    """Run every rule's examples, and the test files (*.test.yaml) in PATHs.

    Without PATH, the test files beside the rule files run. A PATH that is a rule file, or a
    folder holding rule files, also loads those rules (as --rules PATH would). Examples run
    with the rule's own params; test files with the configured severities and params. Exits
    1 when an example or a test fails (with --strict, also when a rule lacks a pass or a fail
    example).
    """
    from auditor.config import load_configured_rules
    from auditor.rulebook.ruletests import holds_rules, is_rule_file, render_text, run_rule_tests

    found = [p for p in test_paths if holds_rules(p)]
    flags["rule_paths"] = (*flags.get("rule_paths", ()), *found)
    test_paths = [p for p in test_paths if not is_rule_file(p)]
    config = effective_config(**flags)
    written, configured = load_configured_rules(config)
    with config.located():
        report = run_rule_tests(
            written,
            configured,
            rule_paths=config.rule_paths,
            builtin=config.builtin_rules,
            test_paths=test_paths,
        )
    click.echo(render_text(report, strict=strict), nl=False)
    sys.exit(EXIT_FINDINGS if report.failed(strict=strict) else EXIT_OK)


@click.group("config")
def config_group() -> None:
    """Inspect the configuration (auditor.yaml and the command line)."""


def config_options(fn: Any) -> Any:
    """The flags of `check` that change a setting, so `config show` can show their effect."""
    options = [
        click.option("--select", multiple=True, metavar="RULE", help="As for `check`."),
        click.option("--ignore", multiple=True, metavar="RULE", help="As for `check`."),
        click.option(
            "--framework", type=click.Choice(FRAMEWORK_KEYS), default=None, help="As for `check`."
        ),
        click.option(
            "--fail-on", type=click.Choice(FAIL_ON_CHOICES), default=None, help="As for `check`."
        ),
        click.option("--hard-fail-on", multiple=True, metavar="RULE", help="As for `check`."),
        click.option("--soft-fail-on", multiple=True, metavar="RULE", help="As for `check`."),
        click.option("--severity", multiple=True, metavar="RULE=SEVERITY", help="As for `check`."),
        click.option("--waivers", metavar="FILE", help="As for `check`."),
        click.option(
            "--waiver-warning-days",
            type=click.IntRange(min=0),
            metavar="DAYS",
            help="As for `check`.",
        ),
        click.option("--baseline", metavar="FILE", help="As for `check`."),
        click.option("--history", metavar="PATH", help="As for `check`."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return rule_loading_options(fn)


@config_group.command("show", epilog=EXIT_CODES_HELP)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--json", "as_json", is_flag=True, hidden=True, help="The same as --format json.")
@config_options
@guarded
def config_show(fmt: str, as_json: bool, **flags: Any) -> None:
    """Print the effective configuration and where each value came from.

    Takes the flags of `check` that change a setting (not its outputs), to show what they
    change: each value is marked `default`, `FILE:LINE` or `command line`. The first row
    names the config file used, if any.
    """
    from auditor.cli.configshow import render_config

    config = effective_config(**flags)
    click.echo(render_config(config, as_json=as_json or fmt == "json"), nl=False)


@click.command("init", epilog=EXIT_CODES_HELP)
@click.argument("directory", default=".", metavar="[DIR]")
@guarded
def init_command(directory: str) -> None:
    """Start a project in DIR (default .): auditor.yaml, an example rule and its test, and a
    GitHub workflow. Refuses (exit 2) if any of these files exists; then nothing is written.
    """
    from auditor.scaffold import write_starter

    for path in write_starter(directory):
        click.echo(f"created {path}")
