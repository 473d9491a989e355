"""`auditor check` and `auditor validate` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EXAMPLE, FIXED_NOW, destination, export

from auditor.rulebook.ruleset import load_rules

BUILTIN_RULES = load_rules()
BUILTIN_IDS = {r.id for r in BUILTIN_RULES}
OPT_IN_IDS = {r.id for r in BUILTIN_RULES if "opt-in" in r.tags}
ACCOUNT_IDS = {r.id for r in BUILTIN_RULES if r.scope == "grants"}


# LaunchDarkly allows one destination per environment, so an export read from the API, like
# the example, never has two in one environment: this rule is exercised on its own examples.
NOT_IN_AN_API_EXPORT = {"several-destinations-in-environment"}


def test_example_fails_with_a_finding_of_every_builtin_rule(run):
    result = run("check", str(EXAMPLE), "-f", "json")
    assert result.exit_code == 1
    found = {f["rule_id"] for f in result.json["findings"]}
    # opt-in rules make no finding until configured; they are exercised below
    assert {"destination-target-not-approved"} == OPT_IN_IDS
    # rules over the whole account need an account export: examples/account.json
    assert found == BUILTIN_IDS - OPT_IN_IDS - ACCOUNT_IDS - NOT_IN_AN_API_EXPORT
    assert result.json["summary"]["passed"] is False


def test_the_account_example_fails_every_account_rule(run):
    result = run(
        "check",
        str(EXAMPLE.with_name("account.json")),
        "--now",
        "2026-01-31T12:00:00Z",
        "-f",
        "json",
    )
    assert result.exit_code == 1
    found = {f["rule_id"] for f in result.json["findings"]}
    assert (
        found
        >= ACCOUNT_IDS
        == {
            "critical-export-control-unapproved",
            "everyone-team-export-control",
            "inactive-member-export-control",
            "service-token-export-control",
        }
    )
    assert result.json["access"]["scope"] == "account"


def test_example_fails_every_opt_in_rule_once_configured():
    from auditor.audit import AuditOptions, run_audit
    from auditor.io.sources import read_source

    params = {
        "destination-target-not-approved": {"approved_targets": {"kinesis": ["123456789012"]}}
    }
    result = run_audit(
        read_source(str(EXAMPLE)),
        AuditOptions(params=params, select=sorted(OPT_IN_IDS)),
    )
    assert {f.rule_id for f in result.findings} == OPT_IN_IDS
    (finding,) = result.findings  # only the Kinesis export to the unlisted AWS account
    assert finding.destination.name == "mobile-staging-kinesis"
    assert finding.explanation == (
        "kinesis target 210987654321 is not an approved kinesis target (123456789012)",
    )


def test_text_report_groups_by_destination_and_summarises(run):
    result = run("check", str(EXAMPLE))
    assert result.exit_code == 1
    assert "web / production / web-segment (segment, 6523f1c0a9e7b2d4c8f01a13)" in result.stdout
    assert "MEDIUM   destination-disabled:" in result.stdout
    assert result.stdout.rstrip().endswith("FAILED at --fail-on medium")
    assert "\033[" not in result.stdout  # not a TTY: no colour


def test_clean_export_passes(run, write_json):
    second = destination("6523f1c0a9e7b2d4c8f01a11", name="b", environment="staging")
    path = write_json(export(destination(), second))
    result = run("check", str(path))
    assert result.exit_code == 0, result.stdout
    assert "2 destinations audited, 0 open findings: passed at --fail-on medium" in result.stdout


def test_string_on_is_a_schema_error_naming_the_pointer(run, write_json):
    items = [destination(), destination("6523f1c0a9e7b2d4c8f01a11", on=True)]
    items[1]["on"] = "true"
    result = run("check", str(write_json(export(*items))), "-f", "json")
    assert result.exit_code == 3
    assert result.json["schema_errors"] == [
        {"pointer": "/items/1/on", "message": 'expected boolean, got "true"'}
    ]
    # the valid item is still audited, the invalid one is not
    assert result.json["summary"]["destinations"] == 1


def test_schema_errors_are_reported_all_at_once(run, write_json):
    bad = destination()
    del bad["_id"]
    bad["version"] = "one"
    other = destination("6523f1c0a9e7b2d4c8f01a11")
    other["_access"]["allowed"][0]["reason"]["effect"] = "permit"
    result = run("validate", str(write_json(export(bad, other))))
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert any(line.endswith("/items/0/_id: missing required field") for line in lines)
    assert any(line.endswith('/items/0/version: expected number, got "one"') for line in lines)
    assert any(
        '/items/1/_access/allowed/0/reason/effect: expected one of "allow", "deny", got "permit"'
        in line
        for line in lines
    )


def test_validate_accepts_the_example(run):
    result = run("validate", str(EXAMPLE))
    assert result.exit_code == 0
    assert "valid, 12 destinations" in result.stdout


def test_stdin_is_read_with_dash(run):
    result = run("check", "-", "-f", "json", stdin=EXAMPLE.read_bytes())
    assert result.exit_code == 1
    assert result.json["source"]["path"] == "<stdin>"


def test_several_outputs_at_once(run, tmp_path):
    out = tmp_path / "out.json"
    result = run("check", str(EXAMPLE), "-f", f"json:{out}", "-f", "text")
    assert result.exit_code == 1
    assert json.loads(out.read_text())["summary"]["findings"] == 18
    assert "destinations audited" in result.stdout


def test_fail_on_threshold_and_never(run):
    no_criticals = ["--ignore", "broad-destructive-grant", "--ignore", "unmasked-secret"]
    assert run("check", str(EXAMPLE), "--fail-on", "critical", *no_criticals).exit_code == 0
    assert run("check", str(EXAMPLE), "--fail-on", "critical").exit_code == 1
    assert run("check", str(EXAMPLE), "--fail-on", "high", *no_criticals).exit_code == 1
    assert run("check", str(EXAMPLE), "--fail-on", "never").exit_code == 0


def test_select_and_ignore(run):
    only = run("check", str(EXAMPLE), "-f", "json", "--select", "destination-disabled").json
    assert {f["rule_id"] for f in only["findings"]} == {"destination-disabled"}
    ran = [r["id"] for r in only["rules"] if r["reason"] != "deselected"]
    assert ran == ["destination-disabled"]
    rest = run("check", str(EXAMPLE), "-f", "json", "--ignore", "wildcard-*").json
    assert not any(f["rule_id"].startswith("wildcard-") for f in rest["findings"])
    # the rules left out are reported as not evaluated, not dropped
    deselected = {r["id"]: r["status"] for r in rest["rules"] if r["reason"] == "deselected"}
    assert deselected == {
        "wildcard-action-grant": "not_evaluated",
        "wildcard-resource-grant": "not_evaluated",
    }


def test_unknown_rule_in_select_is_a_usage_error(run):
    result = run("check", str(EXAMPLE), "--select", "destination-disabld")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: --select: unknown rule 'destination-disabld' (did you mean 'destination-disabled'?)"
    )


def test_no_builtin_rules_with_a_custom_rule(run, tmp_path):
    rule = tmp_path / "kinesis-forbidden.yaml"
    rule.write_text(
        "id: kinesis-forbidden\ntitle: Kinesis is not allowed\nseverity: low\n"
        "summary: s\nrationale: r\nremediation: m\nscope: destinations\n"
        "assert: {kind: {not_equals: kinesis}}\nmessage: '{{ destination.name }} uses Kinesis'\n"
    )
    result = run(
        "check", str(EXAMPLE), "--no-builtin-rules", "--rules", str(tmp_path), "-f", "json"
    )
    assert result.exit_code == 0  # low < medium
    messages = sorted(f["message"] for f in result.json["findings"])
    assert messages == [
        "mobile-staging-kinesis uses Kinesis",
        "payments-audit-stream uses Kinesis",
        "payments-load-test-stream uses Kinesis",
    ]


def test_bad_rule_file_is_exit_2_with_file_line_and_field(run, tmp_path):
    rule = tmp_path / "bad-rule.yaml"
    rule.write_text(
        "id: bad-rule\ntitle: t\nseverity: high\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert:\n  name: {containz: x}\nmessage: m\n"
    )
    result = run("check", str(EXAMPLE), "--rules", str(rule))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {rule}:9:10: assert.name: unknown operator 'containz' (did you mean 'contains'?)"
    )


def test_now_gives_byte_identical_output(run, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run("check", str(EXAMPLE), "--now", FIXED_NOW, "-f", f"json:{a}")
    run("check", str(EXAMPLE), "--now", FIXED_NOW, "-f", f"json:{b}")
    assert a.read_bytes() == b.read_bytes()
    assert json.loads(a.read_text())["generated_at"] == FIXED_NOW


def test_bad_now_is_a_usage_error(run):
    result = run("check", str(EXAMPLE), "--now", "yesterday")
    assert result.exit_code == 2
    assert "is not an ISO timestamp" in result.stderr


def test_unknown_format_is_a_usage_error(run):
    result = run("check", str(EXAMPLE), "-f", "yaml")
    assert result.exit_code == 2
    assert "unknown format 'yaml'" in result.stderr


def test_output_into_missing_directory_fails_before_the_audit(run, tmp_path):
    result = run("check", str(EXAMPLE), "-f", f"json:{tmp_path}/nope/out.json")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert "does not exist" in result.stderr


def test_output_that_is_a_directory_is_a_usage_error(run, tmp_path):
    result = run("check", str(EXAMPLE), "-f", f"json:{tmp_path}")
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_existing_output_survives_a_failed_run(run, tmp_path):
    out = tmp_path / "report.json"
    out.write_text("previous good report")
    bad = tmp_path / "bad.json"
    bad.write_text('{"items": [')
    result = run("check", str(bad), "-f", f"json:{out}")
    assert result.exit_code == 3
    assert out.read_text() == "previous good report"
    assert {p.name for p in tmp_path.iterdir()} == {"report.json", "bad.json"}  # no temp left


def test_existing_output_is_replaced_after_success(run, tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old")
    assert run("check", str(EXAMPLE), "-f", f"json:{out}").exit_code == 1
    assert json.loads(out.read_text())["schema_version"] == 1
    assert {p.name for p in tmp_path.iterdir()} == {"report.json"}


def test_module_help_and_exit_code_table(run_process):
    result = run_process("--help")
    assert result.exit_code == 0
    assert "Exit codes:" in result.stdout
    assert "check" in result.stdout and "validate" in result.stdout
    check_help = run_process("check", "--help")
    assert "--fail-on" in check_help.stdout and "json" in check_help.stdout


def test_real_process_check_exit_code(run_process):
    result = run_process("check", str(EXAMPLE))
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr


def test_hostile_names_cannot_drive_the_terminal(run, write_json):
    item = destination(name="evil\x1b[2J\x1b]0;pwned\x07", on=False)
    result = run("check", str(write_json(export(item))))
    assert "\x1b" not in result.stdout
    assert "evil\\x1b[2J" in result.stdout


def test_debug_shows_traceback_for_errors(run_process, tmp_path):
    missing = tmp_path / "nope.json"
    plain = run_process("check", str(missing))
    assert plain.stderr.strip() == f"Error: {missing}: no such file"
    debug = run_process("--debug", "check", str(missing))
    assert "Traceback" in debug.stderr


def test_findings_have_project_and_environment_from_the_self_link(run):
    findings = run("check", str(EXAMPLE), "-f", "json").json["findings"]
    disabled = next(f for f in findings if f["rule_id"] == "destination-disabled")
    assert disabled["destination"] == {
        "id": "6523f1c0a9e7b2d4c8f01a13",
        "name": "web-segment",
        "kind": "segment",
        "project": "web",
        "environment": "production",
    }
    assert disabled["pointer"] == "/items/3"


def test_rule_paths_that_do_not_exist(run):
    result = run("check", str(EXAMPLE), "--rules", "no/such/dir")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no/such/dir: no such rule file or directory"


def test_statement_findings_point_at_the_citing_access_entry(run):
    findings = run("check", str(EXAMPLE), "-f", "json").json["findings"]
    wildcard = next(f for f in findings if f["rule_id"] == "wildcard-resource-grant")
    assert wildcard["pointer"] == "/items/2/_access/allowed/0/reason"
    assert wildcard["statement"]["role_name"] == "platform-admin"
    assert wildcard["statement"]["access_actions"] == [
        "deleteDestination",
        "updateConfiguration",
        "updateName",
        "updateOn",
    ]


def test_input_path_in_a_different_directory(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("e.json").write_bytes(EXAMPLE.read_bytes())
    assert run("check", "e.json").exit_code == 1


def test_hostile_project_keys_cannot_break_the_access_rules(run, write_json):
    admin = {
        "effect": "allow",
        "resources": ["proj/*:env/*:destination/*"],
        "actions": ["*"],
        "role_name": "platform-admin",
    }
    access = {"allowed": [{"action": "updateOn", "reason": admin}], "denied": []}
    items = [
        destination(
            f"6523f1c0a9e7b2d4c8f01c{n:02d}",
            project=project,
            environment="production",
            access=access,
        )
        for n, project in enumerate(["p*", "a:b", "x;y", "sp ace", "${roleAttribute/p}"])
    ]
    result = run("check", str(write_json(export(*items))), "-f", "json")
    assert result.exit_code == 1, result.stderr
    rules = {f["rule_id"] for f in result.json["findings"]}
    assert {"broad-destructive-grant", "production-export-can-be-disabled"} <= rules
