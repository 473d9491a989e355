"""No value Terraform marks sensitive appears in any output of `review --plan`.

Sensitive values sit in every place Terraform puts them: `variables`, `prior_state`,
`planned_values` and `configuration` (in clear), and `resource_changes` with
`before_sensitive`/`after_sensitive` marks, on every attribute a report could show: a
destination's name, a shown config field, a secret config field, a role's statements, a
member's email, a team's role attributes, a token's value.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import FIXED_NOW
from plan_helpers import (
    D_PAY_PROD,
    SENTINEL,
    VIEWER,
    access_token,
    account_snapshot,
    change,
    custom_role,
    destination,
    plan,
    statement,
    team,
    team_member,
    write_plan,
)

from auditor.outputs.diff import DIFF_FORMATS

S = {name: f"{SENTINEL}-{name}" for name in
     ("name", "arn", "key", "resource", "email", "attr", "token", "var", "gone")}  # fmt: skip


def sensitive_plan() -> dict:
    kinesis = {"region": "us-east-1", "role_arn": "arn:aws:iam::123456789012:role/ld-export",
               "stream_name": "pay-events"}  # fmt: skip
    pay_prod = destination(config=kinesis, ident=D_PAY_PROD)
    repointed = {**pay_prod, "config": {**kinesis, "role_arn": S["arn"]}}
    created = destination(
        env="sandbox",
        name=S["name"],
        kind="segment",
        config={"write_key": S["key"], "user_id_context_kind": "user"},
    )
    gone = destination("web", name="web-prod-pubsub", kind="google-pubsub",
                       config={"project": "acme-web", "topic": S["gone"]},
                       ident="65b000000000000000000002")  # fmt: skip
    secret_statement = statement(resources=[S["resource"]], actions=["updateOn"])
    role_before = custom_role("data-export-viewer", VIEWER)
    role_after = custom_role("data-export-viewer", [*VIEWER, secret_statement])
    member = team_member(None, S["email"], role="writer")
    scoped = team(
        "platform",
        roles=[],
        members=["m16"],
        role_attributes=[{"key": "projectKey", "values": [S["attr"]]}],
    )
    token = access_token("t2", "legacy-deploy", S["token"], role="writer")
    return plan(
        [
            change("launchdarkly_destination.pay_prod", ["update"], pay_prod, repointed,
                   sensitive_after=[("config", "role_arn")]),
            change("launchdarkly_destination.sandbox", ["create"], None, created,
                   unknown=[("id",)], sensitive_after=[("name",), ("config", "write_key")]),
            change("launchdarkly_destination.web_prod", ["delete"], gone, None,
                   sensitive_before=[("config", "topic")]),
            change("launchdarkly_custom_role.data_export_viewer", ["update"], role_before,
                   role_after, sensitive_after=[("policy_statements", 1, "resources")]),
            change("launchdarkly_team_member.hire", ["create"], None, member,
                   unknown=[("id",)], sensitive_after=[("email",)]),
            change("launchdarkly_team.platform", ["update"],
                   team("platform", roles=[], members=["m16"]), scoped,
                   sensitive_after=[("role_attributes", 0, "values")]),
            change("launchdarkly_access_token.legacy", ["update"], token,
                   {**token, "role": "reader"}, sensitive_before=[("token",)],
                   sensitive_after=[("token",)]),
        ],
        variables={"segment_write_key": S["key"], "ops": S["var"]},
    )  # fmt: skip


def digests() -> list[str]:
    """The in-memory digests of the hidden values: never shown either."""
    return [hashlib.sha256(json.dumps(v).encode()).hexdigest() for v in S.values()]


@pytest.mark.parametrize("fmt", list(DIFF_FORMATS))
def test_no_sensitive_value_in_any_format(run, tmp_path, write_json, fmt):
    document = sensitive_plan()
    assert SENTINEL in json.dumps(document["variables"]) + json.dumps(document["prior_state"])
    snapshot = write_json(account_snapshot(), "account.json")
    out = tmp_path / f"review.{fmt}"
    result = run(
        "review", "--plan", str(write_plan(tmp_path, document)), str(snapshot),
        "--now", FIXED_NOW, "-f", f"{fmt}:{out}", "-f", fmt,
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.stderr
    text = out.read_text() + result.stdout + result.stderr
    assert SENTINEL not in text
    for digest in digests():
        assert digest[:12] not in text
    if fmt == "json":  # the review still says what it could not show, by attribute name
        resources = {r["address"]: r for r in result.json["plan"]["resources"]}
        assert resources["launchdarkly_destination.sandbox"]["sensitive"] == [
            "config.write_key", "name"
        ]  # fmt: skip
        assert resources["launchdarkly_access_token.legacy"]["sensitive"] == ["token"]
        names = {c["destination"]["name"] for c in result.json["destinations"]}
        assert "(sensitive value)" in names


def test_a_hidden_value_that_did_not_change_keeps_the_snapshots(run, tmp_path, write_json):
    """A sensitive config field the plan leaves as it is stays unchanged, not `(sensitive)`."""
    kinesis = {"region": "us-east-1", "role_arn": "arn:aws:iam::123456789012:role/ld-export",
               "stream_name": "pay-events"}  # fmt: skip
    before = destination(config=kinesis, ident=D_PAY_PROD)
    after = {**before, "name": "pay-prod-kinesis-v2"}
    document = plan([change("launchdarkly_destination.pay_prod", ["update"], before, after,
                            sensitive_before=[("config", "role_arn")],
                            sensitive_after=[("config", "role_arn")])])  # fmt: skip
    snapshot = write_json(account_snapshot(), "account.json")
    result = run("review", "--plan", str(write_plan(tmp_path, document)), str(snapshot),
                 "--now", FIXED_NOW, "-f", "json")  # fmt: skip
    (changed,) = result.json["destinations"]
    assert [f["field"] for f in changed["fields"]] == ["name"]


def test_a_field_the_plan_marks_sensitive_shows_no_value_even_the_snapshots(
    run, tmp_path, write_json
):
    """The snapshot's roleArn is the value a sensitive variable held: the change line of the
    review shows neither side of it."""
    arn = "arn:aws:iam::123456789012:role/ld-export"
    kinesis = {"region": "us-east-1", "role_arn": arn, "stream_name": "pay-events"}
    before = destination(config=kinesis, ident=D_PAY_PROD)
    after = {**before, "config": {**kinesis, "role_arn": S["arn"]}}
    document = plan([change("launchdarkly_destination.pay_prod", ["update"], before, after,
                            sensitive_before=[("config", "role_arn")],
                            sensitive_after=[("config", "role_arn")])])  # fmt: skip
    snapshot = write_json(account_snapshot(), "account.json")
    result = run("review", "--plan", str(write_plan(tmp_path, document)), str(snapshot),
                 "--now", FIXED_NOW, "-f", "json")  # fmt: skip
    (changed,) = result.json["destinations"]
    assert changed["fields"] == [
        {"field": "config.roleArn", "change": "changed", "shown": False, "before": None,
         "after": None}
    ]  # fmt: skip
    text = run("review", "--plan", str(write_plan(tmp_path, document)), str(snapshot),
               "--now", FIXED_NOW).stdout  # fmt: skip
    assert "config.roleArn: changed" in text and arn not in text.split("Findings:")[0]
