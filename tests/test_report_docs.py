"""docs/reports.md stays true: its excerpt, its context table, its example template."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from reporting_helpers import NOW, ROOT, audit, fixture_result, rendered

from auditor.outputs.context import build_context

DOC = ROOT / "docs" / "reports.md"
EXAMPLE = ROOT / "examples" / "destinations.json"


def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_markdown_excerpt_is_the_real_output_of_the_example() -> None:
    match = re.search(
        r"<!-- markdown-excerpt:start -->\n````markdown\n(.*?)````\n<!-- markdown-excerpt:end -->",
        doc(),
        flags=re.S,
    )
    assert match is not None
    result = audit(EXAMPLE.read_bytes(), path="examples/destinations.json", ignore=())
    assert result.generated_at == NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert match.group(1) == rendered("markdown", result, max_findings=3)


def test_context_table_lists_exactly_the_context_keys() -> None:
    section = doc().split("\n## The template context\n", 1)[1]
    table = re.split(r"^#{2,3} ", section, maxsplit=1, flags=re.M)[0]
    documented = re.findall(r"^\| `([a-z0-9_]+)` \|", table, flags=re.M)
    assert sorted(documented) == sorted(build_context(fixture_result()))


def test_example_template_renders(tmp_path: Path) -> None:
    match = re.search(r"```jinja\n(.*?)```", doc(), flags=re.S)
    assert match is not None
    template = tmp_path / "controls.md.j2"
    template.write_text(match.group(1), encoding="utf-8")
    from auditor.cli.main import cli

    result = CliRunner().invoke(
        cli, ["check", str(EXAMPLE), "--template", str(template)], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output
    report = CliRunner().invoke(cli, ["check", str(EXAMPLE), "-f", "json"]).stdout
    open_count = sum(json.loads(report)["summary"]["by_severity"].values())
    assert result.stdout.startswith(f"FAILED: {open_count} open findings in ")
    assert (
        "- soc2 CC6.1: 9 open (broad-destructive-grant, conflicting-statement-fields,"
        " critical-export-control-unapproved," in result.stdout
    )


def test_screenshot_is_a_png() -> None:
    png = ROOT / "docs" / "report-screenshot.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
