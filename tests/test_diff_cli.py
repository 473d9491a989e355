"""`auditor diff BEFORE AFTER`: destinations, grants and findings compared; exit codes."""

from __future__ import annotations

import copy

from changes_helpers import AUDIT_STREAM, ids, two_destinations
from conftest import destination, export

STAGING = "6523f1c0a9e7b2d4c8f01a14"


def diff(run, write_json, before, after, *args):
    return run(
        "diff",
        str(write_json(before, "before.json")),
        str(write_json(after, "after.json")),
        "-f",
        "json",
        *args,
    )


def test_identical_snapshots_have_no_differences(run, write_json):
    result = diff(run, write_json, two_destinations(), two_destinations())
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["destinations"] == [] and report["grants"] == []
    assert report["summary"]["findings"] == {"introduced": 0, "resolved": 0, "unchanged": 0}
    assert report["change"] is None


def test_added_removed_and_changed_destinations_are_matched_by_id(run, write_json):
    before = two_destinations()
    after = export(
        destination(AUDIT_STREAM, name="renamed", on=False),  # reordered, renamed, off
        destination(
            "6523f1c0a9e7b2d4c8f01aaa",
            name="brand-new",
            kind="kinesis",
            config={},
            environment="qa",
        ),
    )
    result = diff(run, write_json, before, after)
    assert result.exit_code == 1
    report = result.json
    assert [(c["change"], c["destination"]["name"]) for c in report["destinations"]] == [
        ("added", "brand-new"),
        ("removed", "web-staging"),
        ("changed", "renamed"),
    ]
    fields = report["destinations"][2]["fields"]
    assert [(f["field"], f["before"], f["after"]) for f in fields] == [
        ("name", "payments-events", "renamed"),
        ("on", True, False),
    ]
    assert sorted(ids(report, "introduced")) == [
        "destination-config-missing",
        "destination-disabled",
    ]


def test_findings_are_matched_by_fingerprint_not_position(run, write_json):
    staging = destination(STAGING, on=False, environment="staging")
    before = export(destination(AUDIT_STREAM, on=False), staging)
    after = export(staging, destination(AUDIT_STREAM, on=False))
    report = diff(run, write_json, before, after).json
    assert report["summary"]["findings"] == {"introduced": 0, "resolved": 0, "unchanged": 2}


def grant(action, effect="allow", resources=("proj/*:env/*:destination/*",), actions=("*",)):
    return {
        "action": action,
        "reason": {
            "effect": effect,
            "resources": list(resources),
            "actions": list(actions),
            "role_name": "ops",
        },
    }


def test_grants_widened_and_narrowed(run, write_json):
    scoped = f"proj/payments:env/production:destination/{AUDIT_STREAM}"
    before_access = {
        "allowed": [grant("updateName", resources=[scoped], actions=["updateName"])],
        "denied": [grant("updateOn", "deny", [scoped], ["updateOn"])],
    }
    after_access = {
        "allowed": [
            grant("updateName", resources=[scoped], actions=["updateName"]),
            grant("updateOn"),
        ],
        "denied": [],
    }
    before = export(destination(AUDIT_STREAM, access=before_access))
    after = export(destination(AUDIT_STREAM, access=after_access))
    result = diff(run, write_json, before, after, "--select", "wildcard-*")
    assert result.exit_code == 1  # the wildcard grant is a new high finding
    report = result.json
    (change,) = report["grants"]
    assert [
        (s["change"], s["direction"], s["statement"]["effect"]) for s in change["statements"]
    ] == [
        ("added", "widened", "allow"),
        ("removed", "widened", "deny"),
    ]
    assert change["flips"] == [
        {"action": "updateOn", "before": "denied", "after": "allowed", "direction": "widened"}
    ]
    assert report["summary"]["grants"] == {"widened": 3, "narrowed": 0}
    assert sorted(ids(report, "introduced")) == ["wildcard-action-grant", "wildcard-resource-grant"]
    back = diff(run, write_json, after, before, "--select", "wildcard-*").json
    assert back["summary"]["grants"] == {"widened": 0, "narrowed": 3}
    assert sorted(ids(back, "resolved")) == ["wildcard-action-grant", "wildcard-resource-grant"]


def test_rule_options_apply_to_both_audits(run, write_json):
    before = two_destinations()
    after = copy.deepcopy(before)
    after["items"][0]["on"] = False
    assert diff(run, write_json, before, after).exit_code == 1
    ignored = diff(run, write_json, before, after, "--ignore", "destination-disabled")
    assert ignored.exit_code == 0 and ignored.json["findings"]["introduced"] == []
    assert diff(run, write_json, before, after, "--select", "inverted-grant").exit_code == 0
    assert diff(run, write_json, before, after, "--no-builtin-rules").exit_code == 0
    assert diff(run, write_json, before, after, "--fail-on", "never").exit_code == 0
    unknown = diff(run, write_json, before, after, "--select", "no-such-rule")
    assert unknown.exit_code == 2


def test_the_config_file_applies_but_not_its_check_outputs(run, write_json, tmp_path, monkeypatch):
    (tmp_path / "auditor.yaml").write_text("fail_on: high\noutputs: [csv]\n")
    monkeypatch.chdir(tmp_path)
    before = two_destinations()
    after = copy.deepcopy(before)
    after["items"][0]["on"] = False
    result = run("diff", str(write_json(before, "b.json")), str(write_json(after, "a.json")))
    assert result.exit_code == 0  # medium finding, gate at high
    assert result.stdout.startswith("auditor ")  # the text diff, not a CSV report


def test_an_input_that_fails_the_schema_is_exit_3_with_outputs(run, write_json):
    broken = two_destinations()
    broken["items"][1]["on"] = "yes"
    result = diff(run, write_json, two_destinations(), broken)
    assert result.exit_code == 3
    assert result.json["after"]["schema_errors"] == [
        {"pointer": "/items/1/on", "message": 'expected boolean, got "yes"'}
    ]
    assert result.json["verdict"]["passed"] is False


def test_an_input_that_is_not_json_is_exit_3(run, write_json, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[")
    result = run("diff", str(write_json(two_destinations())), str(bad))
    assert result.exit_code == 3
    assert result.stdout == ""


def test_usage_errors_are_exit_2(run, write_json):
    path = str(write_json(two_destinations()))
    assert run("diff", path).exit_code == 2
    unknown = run("diff", path, path, "-f", "csv")
    assert unknown.exit_code == 2
    assert "unknown format 'csv'" in unknown.stderr
    assert run("diff", path, path, "--now", "yesterday").exit_code == 2


def test_outputs_go_to_files(run, write_json, tmp_path):
    path = str(write_json(two_destinations()))
    out = tmp_path / "diff.md"
    result = run("diff", path, path, "-f", f"markdown:{out}", "-f", "text")
    assert result.exit_code == 0
    assert out.read_text().startswith("### ✅ Data Export diff passed")
    assert result.stdout.startswith("auditor ")


def test_the_config_files_gate_and_waivers_apply(run, write_json, tmp_path, monkeypatch):
    before = two_destinations()
    after = copy.deepcopy(before)
    after["items"][0]["on"] = False
    write_json(before, "b.json"), write_json(after, "a.json")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "auditor.yaml").write_text(
        "fail_on: critical\nhard_fail_on: [destination-disabled]\n"
    )
    assert run("diff", "b.json", "a.json").exit_code == 1
    (tmp_path / "auditor.yaml").write_text("soft_fail_on: [destination-disabled]\n")
    assert run("diff", "b.json", "a.json").exit_code == 0
