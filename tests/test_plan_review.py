"""`auditor review --plan`: a Terraform plan applied to a snapshot, reviewed like a change file."""

from __future__ import annotations

import json

import pytest
from conftest import FIXED_NOW
from plan_helpers import (
    D_OPS_PROD,
    D_PAY_PROD,
    D_PAY_STAGING,
    D_WEB_PROD,
    DATA_ENG,
    TURN_OFF_PRODUCTION,
    VIEWER,
    access_token,
    account_snapshot,
    change,
    custom_role,
    lifecycle_plan,
    plan,
    role_widening_plan,
    statement,
    team,
    team_member,
    write_plan,
)


@pytest.fixture
def snapshot(write_json):
    return write_json(account_snapshot(), "account.json")


def review(run, plan_path, snapshot_path, *args):
    return run("review", "--plan", str(plan_path), str(snapshot_path), "--now", FIXED_NOW, *args)


def report_of(run, tmp_path, snapshot_path, document, *args):
    result = review(run, write_plan(tmp_path, document), snapshot_path, "-f", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, result.json


def introduced(report, rule=None):
    found = report["findings"]["introduced"]
    return [f for f in found if rule is None or f["rule_id"] == rule]


def resolved(report, rule=None):
    found = report["findings"]["resolved"]
    return [f for f in found if rule is None or f["rule_id"] == rule]


def test_a_role_change_that_lets_a_team_turn_off_production_exports_is_named(
    run, tmp_path, snapshot
):
    code, report = report_of(run, tmp_path, snapshot, role_widening_plan())
    assert code == 1
    (widened,) = report["access"]["changes"]
    assert (
        widened["text"] == "this plan lets team data-eng (14 members) turn off 3 production exports"
    )
    assert widened["principal"] == {
        "kind": "team", "id": "data-eng", "label": "data-eng", "members": 14
    }  # fmt: skip
    assert {d["id"] for d in widened["destinations"]} == {D_PAY_PROD, D_WEB_PROD, D_OPS_PROD}
    found = introduced(report, "critical-export-control-unapproved")
    assert {f["destination"]["id"] for f in found} == {D_PAY_PROD, D_WEB_PROD, D_OPS_PROD}
    assert all(f["grant"]["principal"]["id"] == "data-eng" for f in found)
    assert all(f["grant"]["action"] == "updateOn" for f in found)
    assert report["verdict"]["gating"] == 3
    (resource,) = report["plan"]["resources"]
    assert resource == {
        "address": "launchdarkly_custom_role.data_export_viewer",
        "type": "launchdarkly_custom_role",
        "action": "update",
        "target": "custom role data-export-viewer",
        "reviewed": True,
        "sensitive": [],
        "unknown": [],
        "notes": [],
    }


def test_the_sentence_is_in_every_human_format(run, tmp_path, snapshot):
    path = write_plan(tmp_path, role_widening_plan())
    sentence = "this plan lets team data-eng (14 members) turn off 3 production exports"
    for fmt in ("text", "markdown", "html", "github"):
        result = review(run, path, snapshot, "-f", fmt)
        assert result.exit_code == 1, result.stderr
        assert sentence in result.stdout.replace("This plan", "this plan"), fmt
    github = review(run, path, snapshot, "-f", "github").stdout
    assert f"::warning title=auditor%3A access widened (updateOn)::{sentence}" in github
    assert github.count("::error title=critical-export-control-unapproved") == 3


def test_narrowing_the_role_again_resolves_what_widening_introduced(run, tmp_path, write_json):
    widened = account_snapshot()
    widened["_account"]["roles"][0]["policy"].append(
        {"effect": "allow", "resources": ["proj/*:env/production:destination/*"],
         "actions": ["updateOn"]}
    )  # fmt: skip
    snapshot = write_json(widened, "widened.json")
    narrow = plan(
        [
            change(
                "launchdarkly_custom_role.data_export_viewer",
                ["update"],
                custom_role("data-export-viewer", [*VIEWER, TURN_OFF_PRODUCTION]),
                custom_role("data-export-viewer", VIEWER),
            )
        ]
    )
    code, report = report_of(run, tmp_path, snapshot, narrow)
    assert code == 0
    assert introduced(report) == []
    assert len(resolved(report, "critical-export-control-unapproved")) == 3
    (narrowed,) = report["access"]["changes"]
    assert narrowed["direction"] == "narrowed"
    assert narrowed["text"] == (
        "this plan stops team data-eng (14 members) from being able to turn off 3 production"
        " exports"
    )


def test_every_destination_action_of_a_plan(run, tmp_path, snapshot):
    """update, delete, replace (delete then create), create and no-op, as the provider does."""
    code, report = report_of(run, tmp_path, snapshot, lifecycle_plan())
    assert code == 1
    changes = {(c["change"], c["destination"]["id"]) for c in report["destinations"]}
    assert changes == {
        ("added", "launchdarkly_destination.pay_sandbox"),
        ("added", "launchdarkly_destination.web_prod"),
        ("removed", D_PAY_STAGING),
        ("removed", D_WEB_PROD),
        ("changed", D_PAY_PROD),
    }
    (pay_prod,) = [c for c in report["destinations"] if c["change"] == "changed"]
    assert pay_prod["fields"] == [
        {"field": "on", "change": "changed", "shown": True, "before": True, "after": False}
    ]
    actions = {r["address"]: r["action"] for r in report["plan"]["resources"]}
    assert actions == {
        "launchdarkly_destination.ops_prod": "no-op",
        "launchdarkly_destination.pay_prod": "update",
        "launchdarkly_destination.pay_sandbox": "create",
        "launchdarkly_destination.pay_staging": "delete",
        "launchdarkly_destination.web_prod": "replace",
    }
    assert report["plan"]["actions"] == {
        "create": 1, "update": 1, "replace": 1, "delete": 1, "no-op": 1
    }  # fmt: skip
    assert report["plan"]["ignored"] == [
        {"type": "aws_caller_identity", "changes": 1},
        {"type": "aws_iam_role", "changes": 1},
    ]
    assert [f["destination"]["id"] for f in introduced(report, "destination-disabled")] == [
        D_PAY_PROD
    ]
    assert [f["destination"]["id"] for f in resolved(report, "destination-disabled")] == [
        D_PAY_STAGING
    ]


def test_a_created_destination_is_mapped_to_the_api_field_names(run, tmp_path, snapshot):
    _code, report = report_of(run, tmp_path, snapshot, lifecycle_plan())
    added = {
        c["destination"]["id"]: c["destination"]
        for c in report["destinations"]
        if c["change"] == "added"
    }
    web = added["launchdarkly_destination.web_prod"]
    assert (web["project"], web["environment"], web["kind"], web["on"]) == (
        "web", "production", "kinesis", True
    )  # fmt: skip
    resources = {r["address"]: r for r in report["plan"]["resources"]}
    assert resources["launchdarkly_destination.web_prod"]["unknown"] == ["config.role_arn"]
    assert resources["launchdarkly_destination.pay_sandbox"]["sensitive"] == ["config.write_key"]
    # snake_case config keys became the API's camelCase ones: the kinesis config is complete
    assert not introduced(report, "destination-config-missing")


def test_review_a_plan_from_stdin(run, tmp_path, snapshot):
    text = json.dumps(role_widening_plan())
    result = run("review", "--plan", "-", str(snapshot), "--now", FIXED_NOW, "-f", "json",
                 stdin=text)  # fmt: skip
    assert result.exit_code == 1, result.stderr
    assert result.json["change"] == {"path": "<stdin>"}


def test_a_no_op_plan_changes_nothing(run, tmp_path, snapshot):
    viewer = custom_role("data-export-viewer", VIEWER)
    noop = plan([change("launchdarkly_custom_role.data_export_viewer", ["no-op"], viewer, viewer)])
    code, report = report_of(run, tmp_path, snapshot, noop)
    assert code == 0
    assert report["destinations"] == [] and report["access"]["changes"] == []
    assert report["summary"]["findings"] == {"introduced": 0, "resolved": 0, "unchanged": 10}
    # nothing applied: the document after is the snapshot, byte for byte
    assert report["before"]["source"]["sha256"] == report["after"]["source"]["sha256"]


def test_an_account_resource_against_a_plain_export_is_listed_as_not_reviewed(
    run, tmp_path, write_json
):
    plain = account_snapshot()
    del plain["_account"]
    result = review(run, write_plan(tmp_path, role_widening_plan()),
                    write_json(plain, "plain.json"), "-f", "json")  # fmt: skip
    assert result.exit_code == 0
    assert "1 account resource change(s) of the plan were not reviewed" in result.stderr
    assert "auditor fetch --account" in result.stderr
    report = result.json
    assert report["plan"]["not_reviewed"] == 1
    assert report["plan"]["resources"][0]["reviewed"] is False
    assert report["access"]["compared"] is False


def test_a_destination_the_snapshot_does_not_hold_is_exit_2(run, tmp_path, snapshot):
    from plan_helpers import destination

    ghost = destination(ident="65b0000000000000000000ff")
    document = plan([change("launchdarkly_destination.ghost", ["update"], ghost,
                            {**ghost, "on": False})])  # fmt: skip
    result = review(run, write_plan(tmp_path, document), snapshot)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {tmp_path / 'plan.json'}: launchdarkly_destination.ghost (update): destination "
        "65b0000000000000000000ff (pay/production) is not in the snapshot; review against a "
        "fresh one (auditor fetch)"
    ]


def test_a_role_the_snapshot_does_not_hold_is_exit_2(run, tmp_path, snapshot):
    role = custom_role("nobody-has-this", VIEWER)
    document = plan([change("launchdarkly_custom_role.x", ["delete"], role, None)])
    result = review(run, write_plan(tmp_path, document), snapshot)
    assert result.exit_code == 2
    assert "launchdarkly_custom_role.x (delete): custom role nobody-has-this is not in the " in (
        result.stderr
    )


def test_a_deleted_role_still_assigned_is_kept(run, tmp_path, write_json):
    held = account_snapshot()
    held["_account"]["teams"][1]["roles"]["items"] = [{"key": "export-admins"}]
    snapshot = write_json(held, "held.json")
    role = custom_role("export-admins", [statement(resources=["proj/*:env/*:destination/*"],
                                                   actions=["*"])])  # fmt: skip
    document = plan([change("launchdarkly_custom_role.export_admins", ["delete"], role, None)])
    _code, report = report_of(run, tmp_path, snapshot, document)
    assert report["access"]["changes"] == [] and resolved(report) == []
    (resource,) = report["plan"]["resources"]
    assert resource["notes"] == [
        "still assigned to team platform: LaunchDarkly refuses to delete an assigned role, so "
        "it is reviewed as kept"
    ]


def test_replacing_a_role_under_a_new_key_moves_its_holders_access(run, tmp_path, write_json):
    """A key change forces a new role (delete, then create); the team still names the old key."""
    held = account_snapshot()
    held["_account"]["teams"][1]["roles"]["items"] = [{"key": "export-admins"}]
    snapshot = write_json(held, "held.json")
    everything = [statement(resources=["proj/*:env/*:destination/*"], actions=["*"])]
    document = plan(
        [
            change("launchdarkly_custom_role.export_admins", ["delete", "create"],
                   custom_role("export-admins", everything),
                   custom_role("exports-admins", everything), replace_paths=[["key"]]),
            change("launchdarkly_team.platform", ["update"],
                   team("platform", roles=["export-admins"], members=["m16"]),
                   team("platform", roles=["exports-admins"], members=["m16"])),
        ]
    )  # fmt: skip
    _code, report = report_of(run, tmp_path, snapshot, document)
    assert report["access"]["changes"] == []  # same statements, same holders
    assert [r["action"] for r in report["plan"]["resources"]] == ["replace", "update"]


def test_unknown_policy_statements_are_read_as_could_cover_every_export(run, tmp_path, snapshot):
    before = custom_role("data-export-viewer", VIEWER)
    after = custom_role("data-export-viewer",
                        [*VIEWER, statement(resources=None, actions=["updateOn"])])  # fmt: skip
    document = plan([change("launchdarkly_custom_role.data_export_viewer", ["update"], before,
                            after, unknown=[("policy_statements", 1, "resources")])])  # fmt: skip
    _code, report = report_of(run, tmp_path, snapshot, document)
    texts = [c["text"] for c in report["access"]["changes"]]
    assert "this plan lets team data-eng (14 members) turn off 4 exports (3 in production)" in texts
    (resource,) = report["plan"]["resources"]
    assert resource["unknown"] == ["policy_statements[1].resources"]
    assert resource["notes"] == [
        "statement 2 is not known before apply: read as an allow that could cover every export"
    ]


def test_an_unknown_deny_takes_nothing_away(run, tmp_path, write_json):
    held = account_snapshot()
    held["_account"]["teams"][1]["roles"]["items"] = [{"key": "export-admins"}]
    snapshot = write_json(held, "held.json")
    everything = statement(resources=["proj/*:env/*:destination/*"], actions=["*"])
    document = plan([change(
        "launchdarkly_custom_role.export_admins", ["update"],
        custom_role("export-admins", [everything]),
        custom_role("export-admins", [everything, statement("deny", resources=None,
                                                            actions=["*"])]),
        unknown=[("policy_statements", 1, "resources")],
    )])  # fmt: skip
    _code, report = report_of(run, tmp_path, snapshot, document)
    assert report["access"]["changes"] == [] and resolved(report) == []
    assert report["plan"]["resources"][0]["notes"] == [
        "statement 2 is not known before apply: a deny that cannot be read takes nothing away"
    ]


def test_a_plan_only_of_other_providers_reviews_nothing(run, tmp_path, snapshot):
    other = change("aws_s3_bucket.logs", ["create"], None, {"bucket": "logs", "id": None},
                   unknown=[("id",)], provider="registry.terraform.io/hashicorp/aws")  # fmt: skip
    code, report = report_of(run, tmp_path, snapshot, plan([other]))
    assert code == 0
    assert report["plan"]["resources"] == []
    assert report["plan"]["ignored"] == [{"type": "aws_s3_bucket", "changes": 1}]


def test_a_personal_token_created_by_the_plan_is_not_bounded_by_a_member(run, tmp_path, snapshot):
    token = access_token(None, "deploy-cli", None, role="writer", service_token=False)
    document = plan(
        [
            change(
                "launchdarkly_access_token.deploy",
                ["create"],
                None,
                token,
                unknown=[("id",), ("token",)],
                sensitive_after=[("token",)],
            )
        ]
    )
    _code, report = report_of(run, tmp_path, snapshot, document)
    found = introduced(report, "critical-export-control-unapproved")
    assert {f["grant"]["principal"]["label"] for f in found} == {"deploy-cli"}
    assert "not bounded by a member's" in report["plan"]["resources"][0]["notes"][0]


def test_team_members_follow_member_ids(run, tmp_path, snapshot):
    """A team's member count comes from `member_ids` after the plan."""
    add = plan([
        change("launchdarkly_team.data_eng", ["update"],
               team("data-eng", roles=["data-export-viewer"], members=DATA_ENG),
               team("data-eng", roles=["data-export-viewer", "export-admins"],
                    members=[*DATA_ENG, "m16"])),
    ])  # fmt: skip
    _code, report = report_of(run, tmp_path, snapshot, add)
    texts = {c["text"] for c in report["access"]["changes"]}
    assert texts == {
        f"this plan lets team data-eng (15 members) {verb} 4 exports (3 in production)"
        for verb in ("turn off", "delete", "repoint", "rename")
    }
    assert {f["grant"]["principal"]["id"] for f in introduced(report)} == {"data-eng"}


def test_member_role_attributes_from_a_plan_scope_a_shared_role(run, tmp_path, write_json):
    snap = account_snapshot()
    snap["_account"]["roles"].append(
        {"_id": "r12", "key": "project-exporter", "name": "project-exporter",
         "basePermissions": "no_access",
         "policy": [{"effect": "allow", "actions": ["updateOn"],
                     "resources": ["proj/${roleAttribute/projectKey}:env/*:destination/*"]}]}
    )  # fmt: skip
    snapshot = write_json(snap, "attrs.json")
    member = team_member("m16", "ops-lead@example.com")
    after = {**member, "custom_roles": ["project-exporter"],
             "role_attributes": [{"key": "projectKey", "values": ["ops"]}]}  # fmt: skip
    document = plan([change("launchdarkly_team_member.ops_lead", ["update"], member, after)])
    _code, report = report_of(run, tmp_path, snapshot, document)
    (widened,) = report["access"]["changes"]
    assert (
        widened["text"] == "this plan lets member ops-lead@example.com turn off 1 production export"
    )
    assert [d["id"] for d in widened["destinations"]] == [D_OPS_PROD]


def test_team_role_mapping_sets_a_teams_roles(run, tmp_path, snapshot):
    mapping = {"custom_role_keys": ["export-admins"], "id": "platform",
               "role_attributes": None, "team_key": "platform"}  # fmt: skip
    document = plan([change("launchdarkly_team_role_mapping.platform", ["create"], None,
                            mapping, unknown=[("id",)])])  # fmt: skip
    _code, report = report_of(run, tmp_path, snapshot, document)
    texts = {c["text"] for c in report["access"]["changes"]}
    assert "this plan lets team platform (1 member) delete 4 exports (3 in production)" in texts
    removal = plan([change("launchdarkly_team_role_mapping.platform", ["delete"], mapping, None)])
    held = json.loads(snapshot.read_text())
    held["_account"]["teams"][1]["roles"]["items"] = [{"key": "export-admins"}]
    snapshot.write_text(json.dumps(held))
    _code, report = report_of(run, tmp_path, snapshot, removal)
    assert {c["direction"] for c in report["access"]["changes"]} == {"narrowed"}


def test_markdown_review_of_the_bundled_plan_matches_golden(run, golden, monkeypatch):
    from conftest import ROOT

    monkeypatch.chdir(ROOT)  # paths in the output as the docs show them
    result = run("review", "--plan", "examples/plan.json", "examples/account.json",
                 "--now", FIXED_NOW, "-f", "markdown")  # fmt: skip
    assert result.exit_code == 1, result.stderr
    golden("review-plan.md", result.stdout)


def test_an_incomplete_plan_is_reviewed_and_said_to_be_incomplete(run, tmp_path, snapshot):
    document = {**role_widening_plan(), "complete": False}
    result = review(run, write_plan(tmp_path, document), snapshot)
    assert result.exit_code == 1, result.stderr
    assert "this plan is incomplete (complete: false): what it leaves out is not seen" in (
        result.stdout
    )


def test_forget_leaves_the_destination_in_launchdarkly(run, tmp_path, snapshot):
    from plan_helpers import destination

    kept = destination(ident=D_PAY_PROD)
    document = plan([change("launchdarkly_destination.pay_prod", ["forget"], kept, None)])
    _code, report = report_of(run, tmp_path, snapshot, document)
    assert report["destinations"] == []
    (resource,) = report["plan"]["resources"]
    assert (resource["action"], resource["notes"]) == (
        "forget", ["Terraform stops managing it; LaunchDarkly keeps it as it is"]
    )  # fmt: skip


def test_a_plan_that_leaves_a_destination_invalid_is_exit_2(run, tmp_path, snapshot):
    from plan_helpers import destination

    before = destination(ident=D_PAY_PROD)
    after = {k: v for k, v in before.items() if k != "kind"}
    document = plan([change("launchdarkly_destination.pay_prod", ["update"], before, after)])
    result = review(run, write_plan(tmp_path, document), snapshot)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {tmp_path / 'plan.json'}: launchdarkly_destination.pay_prod (update): leaves "
        "the destination invalid: /kind: expected string, got null"
    ]
