"""A rule that did not run, ran on nothing or could not decide never counts as a pass.

The opt-in `destination-target-not-approved` without `approved_targets` used to show as
"no exceptions" in HTML, "no findings", and 12 passing JUnit testcases. Now every output
says "not evaluated" with the reason: not configured, deselected, no applicable
destination, `_access` not reported.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from conftest import EXAMPLE, ROOT, destination, export
from jsonschema import Draft202012Validator, FormatChecker
from test_sarif import assert_valid

from auditor.audit import AuditOptions, run_audit
from auditor.io.sources import read_source
from auditor.outputs import render
from auditor.outputs.assurance import rule_verdicts
from auditor.rulebook.ruleset import load_rules

OPT_IN = "destination-target-not-approved"
GRANT_RULES = sorted(r.id for r in load_rules() if r.scope == "grants")
"""Rules over the whole account: on a plain export (only the caller's access) not evaluated."""
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())


def example(**options: Any):
    return run_audit(read_source(str(EXAMPLE)), AuditOptions(**options))


def verdict_of(result, rule_id: str):
    return next(v for v in rule_verdicts(result) if v.rule.id == rule_id)


def rule_entry(report: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in report["rules"] if r["id"] == rule_id)


@pytest.fixture(scope="module")
def unconfigured():
    return example()


# --- one verdict, the same everywhere -------------------------------------------------------


def test_an_unconfigured_opt_in_rule_is_not_evaluated(unconfigured):
    verdict = verdict_of(unconfigured, OPT_IN)
    assert verdict.status == "not_evaluated"
    assert verdict.reason == "not_configured"
    assert "no approved targets for kinesis" in verdict.detail
    assert verdict.evaluated == 0


def test_json_says_not_evaluated_and_validates(unconfigured):
    report = json.loads(render("json", unconfigured))
    errors = list(
        Draft202012Validator(REPORT_SCHEMA, format_checker=FormatChecker()).iter_errors(report)
    )
    assert errors == []
    entry = rule_entry(report, OPT_IN)
    assert entry["status"] == "not_evaluated" and entry["reason"] == "not_configured"
    assert entry["destinations_evaluated"] == 0
    assert rule_entry(report, "unmasked-secret")["status"] == "failed"
    by_control = {
        (fw["framework"], c["id"]): c for fw in report["compliance"] for c in fw["controls"]
    }
    assert by_control[("soc2", "CC6.7")]["verdict"] == "not_evaluated"
    assert by_control[("gdpr", "Art. 28")]["verdict"] == "not_evaluated"
    assert by_control[("iso27001", "A.5.14")]["verdict"] == "not_evaluated"


def test_html_never_shows_it_as_passed(unconfigured):
    html = render("html", unconfigured)
    card = html[html.index(f'id="rule-{OPT_IN}"') :]
    header = card[: card.index("</header>")]
    assert '<span class="pill na">not evaluated: not configured</span>' in header
    assert "pill ok" not in header and "passed" not in header
    assert "no exceptions" not in html
    banner = html[html.index('id="not-evaluated"') :]
    assert OPT_IN in banner[: banner.index("</div>")]
    cc67 = html[html.index('data-control="CC6.7"') :]
    assert "not evaluated" in cc67[: cc67.index("</tr>")]


def test_markdown_lists_it_as_not_evaluated(unconfigured):
    md = render("markdown", unconfigured)
    note = md[md.index("> [!NOTE]") :]
    assert f"<code>{OPT_IN}</code>: not configured" in note
    assert "| CC6.7 |" in md
    row = next(line for line in md.splitlines() if line.startswith("| CC6.7 |"))
    assert "not evaluated" in row and "passed" not in row


def test_junit_skips_it_with_the_reason(unconfigured):
    root = ET.fromstring(render("junit", unconfigured))
    suite = next(s for s in root.iter("testsuite") if s.get("name") == OPT_IN)
    cases = suite.findall("testcase")
    assert len(cases) == len(unconfigured.destinations)
    assert suite.get("skipped") == str(len(cases)) and suite.get("failures") == "0"
    reasons = {c.find("skipped").get("message") for c in cases}
    assert (
        "not evaluated: not configured for kinesis destinations; set the rule's params to enable it"
        in reasons
    )
    assert all(r.startswith("not evaluated: ") for r in reasons)


def test_sarif_marks_it_not_evaluated_not_passed(unconfigured):
    log = json.loads(render("sarif", unconfigured))
    assert_valid(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    index = next(i for i, r in enumerate(rules) if r["id"] == OPT_IN)
    assert rules[index]["properties"]["status"] == "not_evaluated"
    assert rules[index]["properties"]["notEvaluatedReason"] == "not_configured"
    notes = run["invocations"][0]["toolConfigurationNotifications"]
    assert {"id": OPT_IN, "index": index} in [n["associatedRule"] for n in notes]
    assert sorted(run["properties"]["rules_not_evaluated"]) == sorted([OPT_IN, *GRANT_RULES])
    assert not [r for r in run["results"] if r["ruleId"] == OPT_IN]


# --- configured, partly or fully --------------------------------------------------------------


def test_configured_for_one_kind_it_is_evaluated_there_and_says_where_not():
    result = example(params={OPT_IN: {"approved_targets": {"kinesis": ["123456789012"]}}})
    verdict = verdict_of(result, OPT_IN)
    assert verdict.status == "failed"  # the staging stream's account is not approved
    assert verdict.gaps == {"not_configured": 3}  # pub/sub, event hubs, snowflake
    report = json.loads(render("json", result))
    assert rule_entry(report, OPT_IN)["not_evaluated_destinations"] == {"not_configured": 3}
    junit = ET.fromstring(render("junit", result))
    suite = next(s for s in junit.iter("testsuite") if s.get("name") == OPT_IN)
    assert suite.get("failures") == "1"
    passing = [c for c in suite.findall("testcase") if not list(c)]
    assert len(passing) == 2  # the two kinesis streams of the approved account


def test_a_passing_partly_configured_rule_makes_its_controls_partial(tmp_path):
    items = [
        destination(
            "6523f1c0a9e7b2d4c8f01f01",
            kind="kinesis",
            config={
                "region": "us-east-1",
                "roleArn": "arn:aws:iam::123456789012:role/x",
                "streamName": "s",
            },
        ),
        destination("6523f1c0a9e7b2d4c8f01f02", kind="google-pubsub"),
    ]
    path = tmp_path / "e.json"
    path.write_text(json.dumps(export(*items)))
    params = {OPT_IN: {"approved_targets": {"kinesis": ["123456789012"]}}}
    result = run_audit(read_source(str(path)), AuditOptions(select=[OPT_IN], params=params))
    verdict = verdict_of(result, OPT_IN)
    assert verdict.status == "passed" and verdict.gaps == {"not_configured": 1}
    report = json.loads(render("json", result))
    verdicts = {c["id"]: c["verdict"] for fw in report["compliance"] for c in fw["controls"]}
    assert verdicts["CC6.7"] == "partial"
    assert "passed where evaluated" in render("html", result)


# --- the other reasons ---------------------------------------------------------------------


def test_a_deselected_rule_is_reported_as_not_evaluated_not_dropped():
    result = example(ignore=["unmasked-secret"])
    assert [r.id for r in result.deselected] == ["unmasked-secret"]
    verdict = verdict_of(result, "unmasked-secret")
    assert (verdict.status, verdict.reason) == ("not_evaluated", "deselected")
    report = json.loads(render("json", result))
    assert rule_entry(report, "unmasked-secret")["reason"] == "deselected"
    junit = ET.fromstring(render("junit", result))
    suite = next(s for s in junit.iter("testsuite") if s.get("name") == "unmasked-secret")
    [case] = suite.findall("testcase")
    assert case.get("name") == "(all destinations)"
    assert "deselected" in case.find("skipped").get("message")
    log = json.loads(render("sarif", result))
    assert_valid(log)
    invocation = log["runs"][0]["invocations"][0]
    [override] = invocation["ruleConfigurationOverrides"]
    assert override["descriptor"]["id"] == "unmasked-secret"
    assert override["configuration"] == {"enabled": False}
    html = render("html", result)
    assert 'id="deselected-rules"' in html and "<code>unmasked-secret</code>" in html
    # C1.1 is tested by unmasked-secret (deselected) and the unconfigured opt-in rule
    verdicts = {c["id"]: c["verdict"] for fw in report["compliance"] for c in fw["controls"]}
    assert verdicts["C1.1"] == "not_evaluated"


def test_a_rule_whose_conditions_hold_nowhere_has_no_applicable_destination(tmp_path):
    path = tmp_path / "e.json"
    path.write_text(json.dumps(export(destination(environment="staging"))))
    result = run_audit(read_source(str(path)), AuditOptions())
    verdict = verdict_of(result, "production-export-can-be-disabled")
    assert (verdict.status, verdict.reason) == ("not_evaluated", "no_applicable_destination")
    assert "applies to none of the 1 destination" in verdict.detail


def test_statement_rules_without_any_access_are_not_evaluated(tmp_path):
    item = destination()
    del item["_access"]
    path = tmp_path / "e.json"
    path.write_text(json.dumps(export(item)))
    result = run_audit(read_source(str(path)), AuditOptions())
    verdict = verdict_of(result, "wildcard-resource-grant")
    assert (verdict.status, verdict.reason) == ("not_evaluated", "access_not_reported")
    junit = ET.fromstring(render("junit", result))
    suite = next(s for s in junit.iter("testsuite") if s.get("name") == "wildcard-resource-grant")
    assert "_access not reported" in suite.find("testcase/skipped").get("message")


def test_a_destination_without_access_is_a_gap_of_an_evaluated_statement_rule(unconfigured):
    verdict = verdict_of(unconfigured, "wildcard-action-grant")
    assert verdict.status == "failed"
    assert verdict.gaps == {"access_not_reported": 1}  # analytics-snowflake has no _access


def test_an_export_without_destinations_evaluates_nothing(tmp_path):
    path = tmp_path / "e.json"
    path.write_text(json.dumps(export()))
    result = run_audit(read_source(str(path)), AuditOptions())
    assert {v.status for v in rule_verdicts(result)} == {"not_evaluated"}
    html = render("html", result)
    counts = html[html.index('id="rule-counts"') :]
    assert "0 passed · 0 failed · " in counts[: counts.index("</div>\n    </div>")]
    junit = ET.fromstring(render("junit", result))
    assert junit.get("skipped") == junit.get("tests") != "0"


def test_the_example_report_without_findings_does_not_claim_every_rule_passed(tmp_path):
    path = tmp_path / "e.json"
    path.write_text(json.dumps(export(destination())))
    result = run_audit(read_source(str(path)), AuditOptions())
    html = render("html", result)
    assert "every rule passed" not in html
    assert "not evaluated" in html
    md = render("markdown", result)
    assert "every rule that was evaluated passed" in md and "not evaluated" in md


def test_the_text_report_names_rules_that_checked_nothing(unconfigured):
    lines = render("text", unconfigured).splitlines()
    assert (
        f"Not evaluated, so not passed: {len(GRANT_RULES)} rules (account not audited);"
        " destination-target-not-approved (not configured)"
    ) in lines


def test_the_text_report_counts_many_deselected_rules_in_one_line():
    result = example(select=["wildcard-*"])
    deselected = len(result.deselected)
    assert deselected > 3
    text = render("text", result)
    assert f"Not evaluated, so not passed: {deselected} rules (deselected)" in text
    assert "destination-target-not-approved" not in text


def test_a_configured_run_of_every_rule_has_no_such_line():
    result = example(
        params={OPT_IN: {"approved_targets": {"kinesis": ["*"]}}},
    )
    left = [v for v in rule_verdicts(result) if v.status == "not_evaluated"]
    if any(v.rule.scope != "grants" for v in left):
        pytest.fail("the example should evaluate every destination rule once configured")
    # the grants rules need the whole account, which a plain export does not hold
    assert sorted(v.rule.id for v in left) == GRANT_RULES
    assert {v.reason for v in left} == {"account_not_audited"}
    account = run_audit(read_source(str(ROOT / "examples" / "account.json")), AuditOptions())
    assert all(verdict_of(account, rule).status != "not_evaluated" for rule in GRANT_RULES)
