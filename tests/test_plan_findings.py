"""Every finding a Terraform plan can introduce or resolve, one plan each, from the provider's
schema: destination rules through `launchdarkly_destination`, grant rules through roles,
teams, members and tokens against an account snapshot."""

from __future__ import annotations

import pytest
from conftest import FIXED_NOW
from plan_helpers import (
    D_PAY_PROD,
    D_PAY_STAGING,
    D_WEB_PROD,
    DATA_ENG,
    access_token,
    account_snapshot,
    change,
    destination,
    plan,
    statement,
    team,
    team_member,
    write_plan,
)

KINESIS = {"region": "us-east-1", "role_arn": "arn:aws:iam::123456789012:role/ld-export",
           "stream_name": "pay-events"}  # fmt: skip
PAY_PROD = destination(config=KINESIS, ident=D_PAY_PROD)
PAY_STAGING = destination(env="staging", name="pay-staging-pubsub", kind="google-pubsub",
                          config={"project": "acme-pay", "topic": "ld-staging"}, on=False,
                          ident=D_PAY_STAGING)  # fmt: skip
WEB_PROD = destination(
    "web",
    name="web-prod-pubsub",
    kind="google-pubsub",
    config={"project": "acme-web", "topic": "ld-events"},
    ident=D_WEB_PROD,
)
EVERYTHING = [statement(resources=["proj/*:env/*:destination/*"], actions=["*"])]
STALE = team_member("m17", "stale@example.com")
EVERYONE = [*DATA_ENG, "m15", "m16", "m17"]


def update(address, before, after, **kw):
    return change(address, ["update"], before, after, **kw)


def create(address, after, **kw):
    return change(address, ["create"], None, after, unknown=[("id",)], **kw)


def delete(address, before, **kw):
    return change(address, ["delete"], before, None, **kw)


def legacy_deploy():
    return access_token("t2", "legacy-deploy", "tok-legacy", role="writer")


def with_s3(snapshot):
    """An export of a kind auditor does not know, in pay/sandbox."""
    item = dict(snapshot["items"][0])
    item.update({"_id": "65b0000000000000000000s3", "name": "pay-archive", "kind": "s3",
                 "config": {"bucket": "archive"},
                 "_links": {"self": {"href": "/api/v2/destinations/pay/sandbox/65b0000000000000000000s3"}}})  # fmt: skip
    snapshot["items"].append(item)
    return snapshot


def wildcard_access(snapshot):
    """pay-staging's `_access`: the caller holds every action on every destination."""
    reason = {"effect": "allow", "resources": ["proj/*:env/*:destination/*"], "actions": ["*"],
              "role_name": "Admin"}  # fmt: skip
    snapshot["items"][3]["_access"] = {
        "allowed": [{"action": "updateOn", "reason": reason}], "denied": []
    }  # fmt: skip
    return snapshot


# (rule, "introduced" or "resolved", the plan's changes, snapshot transform, expected ids)
CASES = {
    "destination-disabled introduced by on = false": (
        "destination-disabled", "introduced",
        [update("launchdarkly_destination.pay_prod", PAY_PROD, {**PAY_PROD, "on": False})],
        None, [D_PAY_PROD],
    ),
    "destination-disabled resolved by on = true": (
        "destination-disabled", "resolved",
        [update("launchdarkly_destination.pay_staging", PAY_STAGING, {**PAY_STAGING, "on": True})],
        None, [D_PAY_STAGING],
    ),
    "destination-disabled resolved by a delete": (
        "destination-disabled", "resolved",
        [delete("launchdarkly_destination.pay_staging", PAY_STAGING)], None, [D_PAY_STAGING],
    ),
    "destination-config-missing introduced by a config without a required key": (
        "destination-config-missing", "introduced",
        [update("launchdarkly_destination.pay_prod", PAY_PROD,
                {**PAY_PROD, "config": {"region": "us-east-1", "stream_name": "pay-events"}})],
        None, [D_PAY_PROD],
    ),
    # LaunchDarkly allows one Data Export destination per environment: a second one in the
    # same environment is what the plan cannot do, a staging one into the same topic is what
    # mixes test events into production.
    "several-destinations-in-environment introduced by a second export there": (
        "several-destinations-in-environment", "introduced",
        [create("launchdarkly_destination.web_copy",
                destination("web", name="web-copy", kind="google-pubsub",
                            config={"project": "acme-web", "topic": "ld-events"}))],
        None, [D_WEB_PROD, "launchdarkly_destination.web_copy"],
    ),
    "non-production-events-in-production-target introduced by staging into the prod topic": (
        "non-production-events-in-production-target", "introduced",
        [create("launchdarkly_destination.web_staging",
                destination("web", "staging", name="web-staging", kind="google-pubsub",
                            config={"project": "acme-web", "topic": "ld-events"}))],
        None, ["launchdarkly_destination.web_staging"],
    ),
    "duplicate-destination introduced on the production export a staging one joins": (
        "duplicate-destination", "introduced",
        [create("launchdarkly_destination.web_staging",
                destination("web", "staging", name="web-staging", kind="google-pubsub",
                            config={"project": "acme-web", "topic": "ld-events"}))],
        None, [D_WEB_PROD],
    ),
    "access-not-reported introduced by a created destination": (
        "access-not-reported", "introduced",
        [create("launchdarkly_destination.sandbox",
                destination(env="sandbox", name="pay-sandbox", kind="google-pubsub",
                            config={"project": "acme-pay", "topic": "ld-sandbox"}))],
        None, ["launchdarkly_destination.sandbox"],
    ),
    "unknown-destination-kind resolved by deleting the export": (
        "unknown-destination-kind", "resolved",
        [delete("launchdarkly_destination.archive",
                destination(env="sandbox", name="pay-archive", kind="s3",
                            config={"bucket": "archive"}, ident="65b0000000000000000000s3"))],
        with_s3, ["65b0000000000000000000s3"],
    ),
    "wildcard-resource-grant resolved by deleting the destination that carries it": (
        "wildcard-resource-grant", "resolved",
        [delete("launchdarkly_destination.pay_staging", PAY_STAGING)], wildcard_access,
        [D_PAY_STAGING],
    ),
    "critical-export-control-unapproved introduced by a member's new base role": (
        "critical-export-control-unapproved", "introduced",
        [update("launchdarkly_team_member.ops_lead", team_member("m16", "ops-lead@example.com"),
                team_member("m16", "ops-lead@example.com", role="writer"))],
        None, ["member:m16"],
    ),
    "critical-export-control-unapproved introduced by a team's new custom role": (
        "critical-export-control-unapproved", "introduced",
        [update("launchdarkly_team.platform", team("platform", roles=[], members=["m16"]),
                team("platform", roles=["export-admins"], members=["m16"]))],
        None, ["team:platform"],
    ),
    "critical-export-control-unapproved resolved by deleting a token": (
        "critical-export-control-unapproved", "resolved",
        [delete("launchdarkly_access_token.legacy", legacy_deploy(),
                sensitive_before=[("token",)])],
        None, ["token:t2"],
    ),
    "service-token-export-control introduced by a new service token": (
        "service-token-export-control", "introduced",
        [create("launchdarkly_access_token.deploy",
                access_token(None, "deploy", None, custom_roles=["export-admins"]),
                sensitive_after=[("token",)])],
        None, ["token:launchdarkly_access_token.deploy"],
    ),
    "service-token-export-control resolved by narrowing a token's role": (
        "service-token-export-control", "resolved",
        [update("launchdarkly_access_token.legacy", legacy_deploy(),
                {**legacy_deploy(), "role": "reader"}, sensitive_before=[("token",)],
                sensitive_after=[("token",)])],
        None, ["token:t2"],
    ),
    "inactive-member-export-control introduced by a role for a member not seen for years": (
        "inactive-member-export-control", "introduced",
        [update("launchdarkly_team_member.stale", STALE,
                {**STALE, "custom_roles": ["export-admins"]})],
        None, ["member:m17"],
    ),
    "inactive-member-export-control introduced by inviting a member with export access": (
        "inactive-member-export-control", "introduced",
        [create("launchdarkly_team_member.new_hire",
                team_member(None, "new-hire@example.com", custom_roles=["export-admins"]))],
        None, ["member:launchdarkly_team_member.new_hire"],
    ),
    "everyone-team-export-control introduced by a team of every member": (
        "everyone-team-export-control", "introduced",
        [create("launchdarkly_team.everyone",
                team("everyone", roles=["export-admins"], members=EVERYONE))],
        None, ["team:everyone"],
    ),
}  # fmt: skip


def subject(finding):
    grant = finding.get("grant")
    if grant is None:
        return finding["destination"]["id"]
    return f"{grant['principal']['kind']}:{grant['principal']['id']}"


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_plan_introduces_or_resolves(run, tmp_path, write_json, case):
    rule, status, changes, transform, expected = CASES[case]
    snapshot = account_snapshot()
    if transform is not None:
        snapshot = transform(snapshot)
    result = run(
        "review", "--plan", str(write_plan(tmp_path, plan(changes))),
        str(write_json(snapshot, "account.json")), "--now", FIXED_NOW, "-f", "json",
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.stderr
    report = result.json
    found = [f for f in report["findings"][status] if f["rule_id"] == rule]
    assert sorted({subject(f) for f in found}) == sorted(expected)
    other = "resolved" if status == "introduced" else "introduced"
    assert not [f for f in report["findings"][other] if f["rule_id"] == rule]


def test_a_clear_secret_in_a_plan_never_makes_unmasked_secret(run, tmp_path, write_json):
    """The provider sends the write key; the API returns it masked, and so does the review."""
    segment = destination("ops", name="ops-prod-segment", kind="segment",
                          config={"write_key": "clear-write-key-4242",
                                  "user_id_context_kind": "user"},
                          ident="65b000000000000000000003")  # fmt: skip
    rotated = {**segment, "config": {**segment["config"], "write_key": "clear-write-key-4343"}}
    document = plan([update("launchdarkly_destination.ops_prod", segment, rotated)])
    result = run("review", "--plan", str(write_plan(tmp_path, document)),
                 str(write_json(account_snapshot(), "account.json")), "--now", FIXED_NOW,
                 "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["findings"]["introduced"] == []
    (changed,) = report["destinations"]
    assert changed["fields"] == [
        {"field": "config.writeKey", "change": "changed", "shown": False, "before": None,
         "after": None}
    ]  # fmt: skip
    assert "clear-write-key" not in result.stdout
