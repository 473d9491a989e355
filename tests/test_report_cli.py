"""`auditor check` with the report formats, --max-findings and --template, through click."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from reporting_helpers import ROOT, destination, export

from auditor.cli.main import cli

EXAMPLE = str(ROOT / "examples" / "destinations.json")
NOW = ["--now", "2026-01-31T12:00:00Z"]
HOSTILE = "<b>bold</b> & co"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)


@pytest.fixture(name="hostile")
def hostile_fixture(tmp_path: Path) -> str:
    path = tmp_path / "hostile.json"
    doc = export(destination(HOSTILE, "kinesis", index=1, on=False, config={}, allowed=[]))
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def test_writes_html_markdown_and_csv(tmp_path: Path) -> None:
    out = {name: tmp_path / name for name in ("r.html", "r.md", "f.csv")}
    result = run(
        EXAMPLE,
        *NOW,
        "-f", f"html:{out['r.html']}",
        "-f", f"markdown:{out['r.md']}",
        "-f", f"csv:{out['f.csv']}",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert out["r.html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert out["r.md"].read_text(encoding="utf-8").startswith("### ❌ Data Export audit failed")
    assert out["f.csv"].read_bytes().startswith(b"severity,rule_id,title,status,project")


def test_max_findings_cuts_the_markdown(tmp_path: Path) -> None:
    total = len(json.loads(run(EXAMPLE, *NOW, "-f", "json").stdout)["findings"])
    result = run(EXAMPLE, *NOW, "-f", "markdown", "--max-findings", "2")
    assert result.exit_code == 1
    assert f"_{total - 2} more findings not listed (`--max-findings 2`)" in result.stdout
    assert run(EXAMPLE, "--max-findings", "-1").exit_code == 2


def test_help_lists_the_formats_and_options() -> None:
    text = CliRunner().invoke(cli, ["check", "--help"]).output
    for word in ("html,", "markdown,", "csv.", "--max-findings", "--template", "--template-output"):
        assert word in text


def test_template_renders_to_stdout_by_default(tmp_path: Path) -> None:
    template = tmp_path / "summary.txt"
    template.write_text(
        "{{ verdict.label }} {{ summary.open }}\n"
        "{% for c in controls if c.open %}{{ c.framework }}:{{ c.control }} {% endfor %}\n",
        encoding="utf-8",
    )
    report = json.loads(run(EXAMPLE, *NOW, "-f", "json").stdout)
    open_count = sum(report["summary"]["by_severity"].values())
    result = run(EXAMPLE, *NOW, "--template", str(template))
    assert result.exit_code == 1
    # controls come framework by framework, in reports/controls.yaml's order
    assert result.stdout.startswith(f"failed {open_count}\nsoc2:A1.2 soc2:C1.1 soc2:CC6.1 ")
    assert "iso27001:A.5.15 " in result.stdout
    assert "soc2:CC6.1" in result.stdout


def test_template_output_goes_to_a_file_with_template_output(tmp_path: Path) -> None:
    template, out = tmp_path / "t.txt", tmp_path / "out.txt"
    template.write_text("{{ generated_at }}\n", encoding="utf-8")
    result = run(EXAMPLE, *NOW, "--template", str(template), "--template-output", str(out))
    assert result.exit_code == 1
    assert result.stdout.startswith("auditor 0.1.0: ")  # the default text report stays
    assert out.read_text(encoding="utf-8") == "2026-01-31T12:00:00Z\n"


def test_template_to_stdout_goes_beside_chosen_outputs(tmp_path: Path) -> None:
    template, out = tmp_path / "t.txt", tmp_path / "r.csv"
    template.write_text("custom\n", encoding="utf-8")
    result = run(EXAMPLE, "-f", f"csv:{out}", "--template", str(template))
    assert result.stdout == "custom\n"
    assert out.exists()
    both = run(EXAMPLE, "-f", "json", "--template", str(template))  # two documents, one stream
    assert both.exit_code == 2
    assert "-f json and --template would all go to stdout" in both.stderr


def test_template_output_needs_a_template(tmp_path: Path) -> None:
    result = run(EXAMPLE, "--template-output", str(tmp_path / "out.txt"))
    assert result.exit_code == 2
    assert "--template-output needs --template PATH" in result.stderr


def test_template_is_not_a_format_of_its_own() -> None:
    result = run(EXAMPLE, "-f", "template")
    assert result.exit_code == 2
    assert "unknown format 'template'" in result.stderr


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "ok\n{% for f in findings %}\n{{ f.rule_id }\n",
            ":3: template syntax error: unexpected '}'",
        ),
        ("ok\n{% if %}\n", ":2: template syntax error: "),
        ("ok\nline {{ no_such_thing.x }}\n", ":2: template error: 'no_such_thing' is undefined"),
        ("ok\n\n{{ summary.nope }}\n", ":3: template error: 'dict object' has no attribute 'nope'"),
        ("{{ ''.__class__.__mro__ }}\n", ":1: template error: access to attribute '__class__'"),
        ("{{ findings.append(1) }}\n", ":1: template error: "),
        ('{% include "missing.txt" %}\n', ": template not found: missing.txt"),
    ],
)
def test_a_bad_template_is_exit_2_naming_file_and_line(
    tmp_path: Path, text: str, error: str
) -> None:
    template, html = tmp_path / "bad.txt", tmp_path / "r.html"
    template.write_text(text, encoding="utf-8")
    result = run(EXAMPLE, "-f", f"html:{html}", "--template", str(template))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {template}")
    assert error in result.stderr.splitlines()[0]
    assert not html.exists(), "no output is written when a template fails"


def test_missing_template_is_exit_2(tmp_path: Path) -> None:
    result = run(EXAMPLE, "--template", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert "nope.txt: no such template file" in result.stderr


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("report.html", "&lt;b&gt;bold&lt;/b&gt; &amp; co"),
        ("report.html.j2", "&lt;b&gt;bold&lt;/b&gt; &amp; co"),
        ("report.XML.jinja", "&lt;b&gt;bold&lt;/b&gt; &amp; co"),
        ("report.txt", HOSTILE),
        ("report.md.j2", HOSTILE),
    ],
)
def test_user_templates_named_for_markup_are_escaped(
    tmp_path: Path, hostile: str, name: str, shown: str
) -> None:
    template = tmp_path / name
    template.write_text("{{ findings[0].destination.name }}|{{ 'x' | e }}\n", encoding="utf-8")
    result = run(hostile, "--template", str(template))
    assert result.stdout == f"{shown}|x\n"


def test_user_templates_may_include_their_siblings(tmp_path: Path) -> None:
    (tmp_path / "part.txt").write_text("{{ tool.name }}", encoding="utf-8")
    (tmp_path / "main.txt").write_text('[{% include "part.txt" %}]\n', encoding="utf-8")
    result = run(EXAMPLE, "--template", str(tmp_path / "main.txt"))
    assert result.stdout == "[auditor]\n"


def test_schema_problems_still_render_and_exit_3(tmp_path: Path) -> None:
    source = ROOT / "tests" / "data" / "report-export.json"
    out = tmp_path / "r.md"
    result = run(str(source), "-f", f"markdown:{out}")
    assert result.exit_code == 3
    assert "<summary>Schema problems (2)</summary>" in out.read_text(encoding="utf-8")
