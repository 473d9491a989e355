"""What an external auditor needs in the reports: the remediation where the finding is, the
waiver register and its governance, an honest history, a Markdown report that fits where it
goes, and cells and links that cannot be turned against the reader."""

from __future__ import annotations

import csv
import html as html_module
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLE, FIXED_NOW, ROOT, destination, export

from auditor.outputs.csv import COLUMNS, neutralise
from auditor.outputs.markdown import MAX_REPORT_BYTES, escape_markdown
from auditor.outputs.sarif import rule_descriptor
from auditor.rulebook.ruleset import load_rules

WAIVERS = ROOT / "examples" / "waivers.yaml"


def rules_by_id():
    return {r.id: r for r in load_rules()}


# --- 3: remediation, controls, waiver and first-seen where the finding is ---------------------


def test_each_html_finding_has_its_remediation_collapsed_and_a_short_fingerprint(run, tmp_path):
    out = tmp_path / "r.json"
    html = run("check", str(EXAMPLE), "--now", FIXED_NOW, "-f", "html", "-f", f"json:{out}").stdout
    report = json.loads(out.read_text())
    rules = rules_by_id()
    for finding in report["findings"]:
        row = html[html.index(f'id="finding-{finding["fingerprint"]}"') :]
        row = row[: row.index("</tr>")]
        fix = row[row.index('<details class="fix">') :]
        assert "<summary>How to fix</summary>" in fix  # collapsed: no `open` attribute
        text = html_module.unescape(re.sub("<[^>]+>", "", fix))
        assert rules[finding["rule_id"]].remediation.replace("`", "")[:60] in text
        assert f">{finding['fingerprint'][:10]}</span>" in row


def test_markdown_shows_the_remediation_and_short_fingerprints(run, tmp_path):
    out = tmp_path / "r.json"
    md = run(
        "check",
        str(EXAMPLE),
        "--now",
        FIXED_NOW,
        "--waivers",
        str(WAIVERS),
        "-f",
        "markdown",
        "-f",
        f"json:{out}",
    ).stdout
    report = json.loads(out.read_text())
    for finding in report["findings"]:
        assert f"| {finding['fingerprint'][:10]} |" in md
    assert md.count("**How to fix:**") == len(
        {f["rule_id"] for f in report["findings"] if f["status"] == "open"}
    )
    accepted = md[md.index("Waived and baselined") :]
    for rule_id in {f["rule_id"] for f in report["findings"] if f["status"] != "open"}:
        assert f"- {rule_id}: " in accepted  # the fix of each accepted finding's rule


def test_csv_carries_controls_remediation_waiver_first_seen_and_the_fingerprint(run, tmp_path):
    db = tmp_path / "h.db"
    result = run(
        "check",
        str(EXAMPLE),
        "--now",
        FIXED_NOW,
        "--waivers",
        str(WAIVERS),
        "--history",
        str(db),
        "-f",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(COLUMNS)
    for column in (
        "controls",
        "remediation",
        "waiver_owner",
        "waiver_reason",
        "waiver_expires",
        "waiver_ticket",
        "first_seen",
        "fingerprint",
    ):
        assert column in COLUMNS
    rules = rules_by_id()
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{32}", row["fingerprint"])
        assert row["first_seen"] == FIXED_NOW
        if row["rule_id"] in rules:
            assert row["remediation"] == rules[row["rule_id"]].remediation
            assert "SOC 2 " in row["controls"] or "ISO/IEC" in row["controls"]
    waived = next(
        r for r in rows if r["status"] == "waived" and r["rule_id"] == "destination-disabled"
    )
    assert waived["waiver_owner"] == "web-platform@acme.example"
    assert waived["waiver_ticket"] == "WEB-412" and waived["waiver_expires"] == "2027-01-31"
    assert waived["waiver_reason"].startswith("Paused during the migration")
    without = run("check", str(EXAMPLE), "--now", FIXED_NOW, "-f", "csv")
    assert {r["first_seen"] for r in csv.DictReader(io.StringIO(without.stdout))} == {""}


# --- 4: the waiver register and waiver governance ------------------------------------------


def stale_waivers(tmp_path: Path) -> Path:
    data = yaml.safe_load(WAIVERS.read_text())
    data["waivers"].append(
        {
            "rule": "inverted-grant",
            "name": "no-such-destination",
            "reason": "old",
            "owner": "x",
            "expires": "2026-06-30",
        }
    )
    path = tmp_path / "waivers.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_html_and_markdown_list_every_waiver_and_what_it_matched(run, tmp_path):
    waivers = stale_waivers(tmp_path)
    html = run(
        "check", str(EXAMPLE), "--now", FIXED_NOW, "--waivers", str(waivers), "-f", "html"
    ).stdout
    register = html[html.index('<section id="waivers">') :]
    register = register[: register.index("</section>")]
    assert register.count('<tr class="waiver ') == 5
    for text in (
        "web-platform@acme.example",
        "WEB-412",
        "2027-01-31",
        "365 days",
        "platform-security",
        "no ticket",
        "matched nothing",
        "stale",
        "150 days",
    ):
        assert text in register, text
    assert 'href="#finding-' in register
    md = run(
        "check", str(EXAMPLE), "--now", FIXED_NOW, "--waivers", str(waivers), "-f", "markdown"
    ).stdout
    section = md[md.index("Waiver register") :]
    assert "(5: 4 active, 0 expiring, 0 expired, 1 stale)" in section
    assert "matched nothing" in section and "| 150 days | stale |" in section
    json_report = run(
        "check", str(EXAMPLE), "--now", FIXED_NOW, "--waivers", str(waivers), "-f", "json"
    ).json
    matched = {w["rule"]: w["matched_findings"] for w in json_report["waivers"]}
    fingerprints = {f["fingerprint"] for f in json_report["findings"]}
    assert matched["inverted-grant"] == [] and set(matched["destination-disabled"]) <= fingerprints
    assert len(matched["destination-disabled"]) == 1


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("{max_days: 90}", "2027-01-31 is 365 days away, more than the 90 days the config allows"),
        ("{require_ticket: true}", "needs a `ticket`"),
    ],
)
def test_waiver_governance_in_the_config_is_an_error_naming_the_waiver(
    run, tmp_path, policy, message
):
    config = tmp_path / "auditor.yaml"
    config.write_text(f"waivers: {policy}\n")
    result = run(
        "--config",
        str(config),
        "check",
        str(EXAMPLE),
        "--now",
        FIXED_NOW,
        "--waivers",
        str(WAIVERS),
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert re.search(rf"{re.escape(str(WAIVERS))}:\d+:\d+: waivers\[\d\]", result.stderr)


def test_waiver_governance_lets_a_compliant_file_through_and_config_show_says_so(run, tmp_path):
    (tmp_path / "waivers.yaml").write_bytes(WAIVERS.read_bytes())
    config = tmp_path / "auditor.yaml"
    config.write_text("waivers: {file: waivers.yaml, max_days: 500}\n")
    result = run("--config", str(config), "check", str(EXAMPLE), "--now", FIXED_NOW, "-f", "json")
    assert result.exit_code == 1 and len(result.json["waivers"]) == 4
    shown = run("--config", str(config), "config", "show").stdout
    assert re.search(r"waivers\.max_days\s+500\s+# " + re.escape(str(config)), shown)
    assert re.search(r"waivers\.require_ticket\s+false", shown)


def test_a_bad_waiver_policy_is_a_config_error(run, tmp_path):
    config = tmp_path / "auditor.yaml"
    config.write_text("waivers: {max_days: many}\n")
    result = run("--config", str(config), "check", str(EXAMPLE))
    assert result.exit_code == 2 and f"{config}:1" in result.stderr


# --- 6: history with runs sharing a timestamp -----------------------------------------------


def test_two_runs_at_the_same_time_still_list_the_open_findings(run, tmp_path):
    db = tmp_path / "h.db"
    first = run("check", str(EXAMPLE), "--now", FIXED_NOW, "--history", str(db), "-f", "json")
    opened = sum(f["status"] == "open" for f in first.json["findings"])
    html = run("check", str(EXAMPLE), "--now", FIXED_NOW, "--history", str(db), "-f", "html").stdout
    section = html[html.index('id="oldest-open"') :]
    section = section[: section.index("</section>")]
    assert "No finding is open" not in section
    assert section.count('<td class="mono">') == min(opened, 10)


def test_the_previous_run_is_the_one_recorded_last_not_the_latest_dated(run, tmp_path):
    db = tmp_path / "h.db"
    assert (
        run("check", str(EXAMPLE), "--now", "2026-03-01T00:00:00Z", "--history", str(db)).exit_code
        == 1
    )
    assert (
        run("check", str(EXAMPLE), "--now", "2026-02-01T00:00:00Z", "--history", str(db)).exit_code
        == 1
    )
    third = run(
        "check", str(EXAMPLE), "--now", "2026-02-15T00:00:00Z", "--history", str(db), "-f", "json"
    )
    with sqlite3.connect(db) as conn:
        second = conn.execute("SELECT max(id) FROM runs").fetchone()[0] - 1
    assert third.json["history"]["previous_run"]["id"] == second
    assert third.json["history"]["previous_run"]["generated_at"] == "2026-02-01T00:00:00Z"
    listed = run("history", "--db", str(db), "--format", "json").json
    assert [r["generated_at"][:10] for r in listed] == ["2026-03-01", "2026-02-01", "2026-02-15"]


# --- 7: a Markdown report that fits a step summary --------------------------------------------


def many(count: int, name_length: int = 20) -> dict:
    items = [
        destination(f"{n:024x}", name=f"d{n}-" + "x" * name_length, on=False, environment="staging")
        for n in range(count)
    ]
    return export(*items)


def test_markdown_lists_200_findings_by_default_and_counts_the_rest(run, write_json, tmp_path):
    source = write_json(many(1000))
    json_out = tmp_path / "full.json"
    result = run(
        "check", str(source), "--fail-on", "never", "-f", "markdown", "-f", f"json:{json_out}"
    )
    md = result.stdout
    total = len(json.loads(json_out.read_text())["findings"])
    assert total >= 1000
    assert len(md.encode()) < MAX_REPORT_BYTES
    listed = len(re.findall(r"^\| d\d+-", md, flags=re.M))
    assert listed == 200
    assert f"_{total - 200} more findings not listed (`--max-findings 200`)" in md
    # a pointer to the full report of this run (escaped as every value is)
    assert f"<code>{escape_markdown(str(json_out))}</code>" in md


def test_markdown_stays_under_the_step_summary_limit_whatever_the_limit(run, write_json):
    source = write_json(many(400, name_length=3000))
    md = run(
        "check", str(source), "--fail-on", "never", "-f", "markdown", "--max-findings", "100000"
    ).stdout
    assert len(md.encode()) <= MAX_REPORT_BYTES
    assert "more findings not listed" in md
    assert "write the full report with `-f html:PATH` or `-f json:PATH`" in md


def test_the_action_passes_max_findings():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["inputs"]["max-findings"]["default"] == "200"
    script = next(s["run"] for s in action["runs"]["steps"] if s.get("id") == "audit")
    assert '--max-findings "$MAX_FINDINGS"' in script


# --- issue 21, item 15: links and cells that cannot be turned against the reader ------------


def test_sarif_help_uri_is_only_a_web_link():
    from dataclasses import replace

    rule = next(iter(load_rules()))
    assert "helpUri" not in rule_descriptor(replace(rule, references=("javascript:alert(1)",)))
    assert "helpUri" not in rule_descriptor(
        replace(rule, references=("data:text/html,x", "file:///etc/passwd"))
    )
    mixed = replace(rule, references=("JavaScript:alert(1)", "https://example.com/doc"))
    assert rule_descriptor(mixed)["helpUri"] == "https://example.com/doc"
    assert (
        rule_descriptor(replace(rule, references=("HTTP://example.com",)))["helpUri"]
        == "HTTP://example.com"
    )


@pytest.mark.parametrize(
    "cell", [" =1+1", "\n=1+1", "\r\n+1", "  @SUM(A1)", "\t-2", "\u00a0=1", " \n -1"]
)
def test_csv_neutralises_formulas_behind_blanks_and_line_breaks(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["a =1", "name", "x-1", "", " plain"])
def test_csv_leaves_plain_cells_alone(cell):
    assert neutralise(cell) == cell


def test_a_hostile_name_is_neutralised_in_the_csv_output(run, write_json):
    source = write_json(export(destination(name=' =HYPERLINK("http://x")', on=False)))
    rows = list(csv.reader(io.StringIO(run("check", str(source), "-f", "csv").stdout)))
    names = [row[COLUMNS.index("destination_name")] for row in rows[1:]]
    assert names and all(n.startswith("' =") for n in names)


def test_a_control_links_at_most_20_findings_and_counts_the_rest(run, write_json):
    source = write_json(many(30))
    html = run("check", str(source), "--fail-on", "never", "-f", "html").stdout
    row = html[html.index('data-control="A1.2"') :]
    row = row[: row.index("</tr>")]
    assert row.count('href="#finding-') == 20
    assert "… and 10 more</p>" in row


def test_the_waivers_file_of_the_mapping_stays_inside_the_config_folder(run, tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    config = folder / "auditor.yaml"
    config.write_text("waivers: {file: ../waivers.yaml, max_days: 500}\n")
    (tmp_path / "waivers.yaml").write_bytes(WAIVERS.read_bytes())
    result = run("--config", str(config), "check", str(EXAMPLE))
    assert result.exit_code == 2
    assert "--waivers" in result.stderr and "waivers.file" in result.stderr
