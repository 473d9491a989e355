"""The compliance view: a table per framework, official control titles with their source,
a verdict per control, and `--framework` to focus every output on one framework."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE, FIXED_NOW, ROOT

from auditor.audit import AuditOptions, run_audit
from auditor.io.sources import read_source
from auditor.models import FRAMEWORK_KEYS
from auditor.outputs import render
from auditor.rulebook.controls import catalogue, frameworks_for
from auditor.rulebook.ruleset import load_rules

CONTROLS_FILE = ROOT / "reports" / "controls.yaml"


def test_every_control_of_a_builtin_rule_has_an_official_title():
    known = {f.key: f for f in catalogue()}
    missing = [
        f"{rule.id}: {key} {control}"
        for rule in load_rules()
        for key, controls in rule.compliance.items()
        for control in controls
        if key not in known or control not in known[key].controls
    ]
    assert missing == []


def test_the_titles_file_cites_its_sources():
    text = CONTROLS_FILE.read_text()
    for source in ("Trust Services Criteria", "ISO/IEC 27001:2022", "Regulation (EU) 2016/679"):
        assert source in text
    assert all(f.source for f in catalogue())
    titles = {f.key: {c: v.title for c, v in f.controls.items()} for f in catalogue()}
    assert titles["iso27001"]["A.5.15"] == "Access control"
    assert titles["iso27001"]["A.8.15"] == "Logging"
    assert titles["gdpr"]["Art. 28"] == "Processor"
    assert titles["soc2"]["CC6.1"].startswith("The entity implements logical access security")


def test_the_framework_choices_agree_everywhere():
    assert tuple(f.key for f in catalogue()) == FRAMEWORK_KEYS
    schema = json.loads((ROOT / "schemas" / "config.schema.json").read_text())
    assert schema["properties"]["framework"]["enum"] == list(FRAMEWORK_KEYS)


def test_frameworks_come_in_catalogue_order_and_unknown_ones_last():
    rules = load_rules()
    keys = [f.key for f in frameworks_for(rules)]
    assert keys == ["soc2", "iso27001", "gdpr"]
    from dataclasses import replace

    custom = replace(rules[0], compliance={"pci-dss": ("7.2.1",), "soc2": ("CC6.1",)})
    shown = frameworks_for([custom])
    assert [f.key for f in shown] == ["soc2", "pci-dss"]
    assert shown[1].controls["7.2.1"].title == ""  # reported, without a title


@pytest.fixture(scope="module")
def example() -> Any:
    source = read_source(str(EXAMPLE))
    return run_audit(source, AuditOptions(now=None))


def test_html_has_one_table_per_framework_with_titles_and_verdicts(example):
    html = render("html", example)
    for key, name in (("soc2", "SOC 2"), ("iso27001", "ISO/IEC 27001:2022"), ("gdpr", "GDPR")):
        start = html.index(f'id="framework-{key}"')
        block = html[start : html.index("</table>", start)]
        assert f"<h3>{name}" in block
    soc2 = html[html.index('id="framework-soc2"') : html.index('id="framework-iso27001"')]
    assert "Art. 28" not in soc2  # GDPR is not mixed into the SOC 2 list
    row = soc2[soc2.index('data-control="CC6.1"') :]
    row = row[: row.index("</tr>")]
    assert "The entity implements logical access security software" in row
    assert "failed: " in row and 'href="#finding-' in row
    # the compliance view comes right after the summary, before the findings
    assert html.index('id="compliance"') < html.index('id="findings"')


def test_markdown_and_json_carry_the_same_verdicts(example):
    report = json.loads(render("json", example))
    md = render("markdown", example)
    for fw in report["compliance"]:
        for control in fw["controls"]:
            row = next(line for line in md.splitlines() if line.startswith(f"| {control['id']} |"))
            label = {
                "passed": "passed",
                "failed": "failed",
                "partial": "partly evaluated",
                "not_evaluated": "not evaluated",
            }[control["verdict"]]
            assert label in row
            if control["title"]:
                assert control["title"][:30] in row


@pytest.mark.parametrize("framework", FRAMEWORK_KEYS)
def test_framework_focuses_every_output(run, framework, tmp_path):
    result = run(
        "check",
        str(EXAMPLE),
        "--now",
        FIXED_NOW,
        "--framework",
        framework,
        "-f",
        f"json:{tmp_path / 'r.json'}",
        "-f",
        f"sarif:{tmp_path / 'r.sarif'}",
        "-f",
        f"junit:{tmp_path / 'r.xml'}",
        "-f",
        f"csv:{tmp_path / 'r.csv'}",
        "-f",
        f"markdown:{tmp_path / 'r.md'}",
        "-f",
        f"html:{tmp_path / 'r.html'}",
    )
    assert result.exit_code in (0, 1), result.stderr
    mapped = {r.id for r in load_rules() if framework in r.compliance}
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["framework"] == framework
    assert [fw["framework"] for fw in report["compliance"]] == [framework]
    assert {r["id"] for r in report["rules"]} == mapped
    assert {f["rule_id"] for f in report["findings"]} <= mapped
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    driver_rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert driver_rules == mapped | {"schema-error"}
    suites = {
        s.get("name") for s in ET.fromstring((tmp_path / "r.xml").read_text()).iter("testsuite")
    }
    assert suites == mapped
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    assert {r["rule_id"] for r in rows} <= mapped
    others = {"soc2": "SOC 2", "iso27001": "ISO/IEC 27001", "gdpr": "GDPR"}
    names = [name for key, name in others.items() if key != framework]
    for row in rows:
        assert not any(name in row["controls"] for name in names)
    html = (tmp_path / "r.html").read_text()
    assert f'id="framework-{framework}"' in html
    assert not [k for k in FRAMEWORK_KEYS if k != framework and f'id="framework-{k}"' in html]
    md = (tmp_path / "r.md").read_text()
    assert not any(f"**{name}" in md for name in names)


def test_framework_comes_from_the_config_file_and_the_flag_wins(run, tmp_path):
    config = tmp_path / "auditor.yaml"
    config.write_text("framework: gdpr\n")
    result = run("--config", str(config), "check", str(EXAMPLE), "-f", "json")
    assert [fw["framework"] for fw in result.json["compliance"]] == ["gdpr"]
    result = run(
        "--config", str(config), "check", str(EXAMPLE), "--framework", "soc2", "-f", "json"
    )
    assert [fw["framework"] for fw in result.json["compliance"]] == ["soc2"]
    shown = run("--config", str(config), "config", "show")
    assert "framework" in shown.stdout and '"gdpr"' in shown.stdout


def test_an_unknown_framework_is_a_usage_error(run, tmp_path):
    result = run("check", str(EXAMPLE), "--framework", "hipaa")
    assert result.exit_code == 2 and "hipaa" in result.stderr
    config = tmp_path / "auditor.yaml"
    config.write_text("framework: hipaa\n")
    result = run("--config", str(config), "check", str(EXAMPLE))
    assert result.exit_code == 2
    assert f"{config}:1" in result.stderr and "framework" in result.stderr


def test_every_framework_of_the_file_has_titled_controls():
    data = yaml.safe_load(CONTROLS_FILE.read_text())
    keys = [f["key"] for f in data["frameworks"]]
    assert len(keys) == len(set(keys))
    for framework in data["frameworks"]:
        assert framework["controls"] and all(framework["controls"].values())
