"""LaunchDarkly's semantics, one minimal export per judgement: the verdict and how it was reached.

Each test audits a small export as a user would (`auditor check -f json`) and asserts the
exact findings of the rules concerned: rule, severity, message, and the reasoning `explain`
prints. The sources: https://launchdarkly.com/docs/home/account/role-resources (resources),
role-policies (deny wins inside a role, allow across roles), tags, environment (`critical`),
and each kind's Data Export page (one destination per environment).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import destination, export

from auditor.launchdarkly import match_resource, parse_specifier, try_parse
from auditor.launchdarkly.environments import (
    DEFAULT_PRODUCTION_ENVIRONMENTS,
    EnvironmentFacts,
    is_production,
)
from auditor.launchdarkly.globs import Coverage
from auditor.rulebook.ruleset import load_rules

ALL_DESTINATIONS = "proj/*:env/*:destination/*"
DESTRUCTIVE = ["deleteDestination", "updateOn"]


def grant(
    resources: list[str], actions: list[str], role: str | None, **more: Any
) -> dict[str, Any]:
    reason: dict[str, Any] = {"effect": "allow", "resources": resources, "actions": actions}
    if role is not None:
        reason["role_name"] = role
    return {**reason, **more}


def access(allowed: dict[str, Any] | None = None, denied: dict[str, Any] | None = None) -> dict:
    """`_access` citing `allowed` for deleteDestination and updateOn, and `denied` likewise."""
    return {
        "allowed": [{"action": a, "reason": allowed} for a in DESTRUCTIVE] if allowed else [],
        "denied": [{"action": a, "reason": denied} for a in DESTRUCTIVE] if denied else [],
    }


def audit(run: Any, tmp_path: Path, *items: dict[str, Any], rules: tuple[str, ...]) -> list:
    """(rule, severity, message, explanation) of each finding of `rules` on `items`."""
    path = tmp_path / "export.json"
    path.write_text(__import__("json").dumps(export(*items)), encoding="utf-8")
    selected = [arg for rule in rules for arg in ("--select", rule)]
    result = run("check", str(path), "-f", "json", "--fail-on", "never", *selected)
    assert result.exit_code == 0, result.stderr
    return [
        (f["rule_id"], f["severity"], f["destination"]["id"], f["message"], f["explanation"])
        for f in result.json["findings"]
    ]


# --------------------------------------------------------------------------------------------------
# 1. Breadth is judged on destination resources only


def test_a_flag_wildcard_beside_a_named_destination_scope_is_not_broad(run, tmp_path):
    release = grant(["proj/*:env/*:flag/*", "proj/payments:env/production:destination/*"], ["*"],
                    "release-managers")  # fmt: skip
    by_id = grant(["proj/*:env/*:destination/6523f1c0a9e7b2d4c8f01a12"], DESTRUCTIVE, "oncall")
    items = (
        destination("6523f1c0a9e7b2d4c8f01a11", access=access(release)),
        destination(
            "6523f1c0a9e7b2d4c8f01a12", project="mobile", environment="staging",
            access=access(by_id),
        ),
    )  # fmt: skip
    assert audit(run, tmp_path, *items, rules=("broad-destructive-grant",)) == []


def test_a_broad_destination_resource_is_named_alone_and_explain_agrees(run, tmp_path):
    admin = grant(["proj/*:env/*:flag/*", ALL_DESTINATIONS], ["*"], "platform-admin")
    findings = audit(
        run, tmp_path, destination("6523f1c0a9e7b2d4c8f01a11", access=access(admin)),
        rules=("broad-destructive-grant",),
    )  # fmt: skip
    assert findings == [
        (
            "broad-destructive-grant",
            "critical",
            "6523f1c0a9e7b2d4c8f01a11",
            "platform-admin can delete, turn off or repoint destinations in every project or "
            "environment (proj/*:env/*:destination/*)",
            [
                "`_access` records deleteDestination as allowed (/items/0/_access/allowed/0) by "
                "role `platform-admin`: allow * on proj/*:env/*:flag/*, proj/*:env/*:destination/*",
                "auditor's reading agrees: resource `proj/*:env/*:destination/*` covers "
                "proj/payments:env/production:destination/6523f1c0a9e7b2d4c8f01a11: proj/* covers "
                "proj/payments, env/* covers env/production, destination/* covers "
                "destination/6523f1c0a9e7b2d4c8f01a11",
                "This statement lets role `platform-admin` delete 1 of 1 destination in 1 project "
                "(1 environment) of this export",
                "`proj/*:env/*:destination/*` reaches destinations in every project or environment "
                "its glob names, not one destination by id",
            ],
        )
    ]


# --------------------------------------------------------------------------------------------------
# 2. Deny wins inside one role; across roles the more permissive decision wins

ADMIN = grant([ALL_DESTINATIONS], DESTRUCTIVE, "platform-admin")


def guardrail(role: str) -> dict[str, Any]:
    return {
        "effect": "deny",
        "resources": ["proj/*:env/production:destination/*"],
        "actions": DESTRUCTIVE,
        "role_name": role,
    }


def two_environments(deny_role: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        destination("6523f1c0a9e7b2d4c8f01a11", access=access(ADMIN, guardrail(deny_role))),
        destination("6523f1c0a9e7b2d4c8f01a12", environment="staging", access=access(ADMIN)),
    )


def test_a_deny_in_another_role_does_not_take_the_grant_away(run, tmp_path):
    findings = audit(
        run, tmp_path, *two_environments("prod-guardrail"),
        rules=("production-export-can-be-disabled",),
    )  # fmt: skip
    assert findings == [
        (
            "production-export-can-be-disabled",
            "high",
            "6523f1c0a9e7b2d4c8f01a11",
            "platform-admin can turn off or delete events in payments/production through "
            "proj/*:env/*:destination/*, which is not scoped to project payments",
            [
                "environment payments/production is production: its key matches `production`",
                "`_access` records updateOn as allowed (/items/0/_access/allowed/1) by role "
                "`platform-admin`: allow deleteDestination, updateOn on proj/*:env/*:destination/*",
                "`_access` also lists updateOn as denied, but by another role or a statement "
                "without a role name: across roles the more permissive decision applies",
                "auditor's reading agrees: resource `proj/*:env/*:destination/*` covers "
                "proj/payments:env/production:destination/6523f1c0a9e7b2d4c8f01a11: proj/* covers "
                "proj/payments, env/* covers env/production, destination/* covers "
                "destination/6523f1c0a9e7b2d4c8f01a11",
                "This statement lets role `platform-admin` turn off 2 of 2 destinations in 1 "
                "project (2 environments) of this export",
                "resource `proj/*:env/*:destination/*` is not scoped to project `payments`: "
                "`proj/*` is not `proj/payments`",
            ],
        )
    ]


def test_a_deny_in_the_same_role_wins_and_narrows_the_reach(run, tmp_path):
    items = two_environments("platform-admin")
    assert audit(run, tmp_path, *items, rules=("production-export-can-be-disabled",)) == []
    (broad,) = audit(run, tmp_path, *items, rules=("broad-destructive-grant",))
    assert broad[:3] == ("broad-destructive-grant", "critical", "6523f1c0a9e7b2d4c8f01a12")
    assert broad[4][2] == (
        "This statement lets role `platform-admin` delete 1 of 2 destinations in 1 project "
        "(1 environment) of this export"
    )


def test_remediations_ask_for_a_deny_in_the_same_role():
    rules = {r.id: r for r in load_rules()}
    for rule_id in (
        "broad-destructive-grant",
        "inverted-grant",
        "production-export-can-be-disabled",
    ):
        assert "same role" in rules[rule_id].remediation, rule_id
        assert (
            "https://launchdarkly.com/docs/home/account/role-policies" in rules[rule_id].references
        )


# --------------------------------------------------------------------------------------------------
# 3. Production: LaunchDarkly's `critical` flag when known, else safer key globs

PRODUCTION = [
    "production",
    "prod",
    "PROD",
    "prd",
    "live",
    "prod-eu",
    "payments-prd",
    "eu-production",
]
NOT_PRODUCTION = ["product-sandbox", "preprod", "staging", "prodigy", "livestock", "production2"]


@pytest.mark.parametrize("key", PRODUCTION)
def test_production_keys(key: str) -> None:
    assert is_production("payments", key)


@pytest.mark.parametrize("key", NOT_PRODUCTION)
def test_keys_that_are_not_production(key: str) -> None:
    assert not is_production("payments", key)


def test_a_critical_environment_is_production_whatever_its_key() -> None:
    facts = {
        ("payments", "sandbox"): EnvironmentFacts(critical=True),
        # Unticked on an environment named production: still production (never hides a risk).
        ("payments", "production"): EnvironmentFacts(critical=False),
        ("payments", "staging"): EnvironmentFacts(critical=False),
        ("payments", "prd"): EnvironmentFacts(critical=None),  # not read: the key decides
    }
    assert is_production("payments", "sandbox", facts=facts)
    assert is_production("payments", "production", facts=facts)
    assert not is_production("payments", "staging", facts=facts)
    assert is_production("payments", "prd", facts=facts)
    assert not is_production("checkout", "sandbox", facts=facts)


def test_the_rules_default_to_the_documented_globs():
    for rule in load_rules():
        if "production_environments" in rule.params:
            assert tuple(rule.params["production_environments"]) == DEFAULT_PRODUCTION_ENVIRONMENTS


def test_prd_is_production_and_product_sandbox_is_not(run, tmp_path):
    items = (
        destination("6523f1c0a9e7b2d4c8f01a11", environment="prd", access=access(ADMIN)),
        destination(
            "6523f1c0a9e7b2d4c8f01a12", environment="product-sandbox", access=access(ADMIN)
        ),
    )
    findings = audit(run, tmp_path, *items, rules=("production-export-can-be-disabled",))
    assert [f[:4] for f in findings] == [
        (
            "production-export-can-be-disabled",
            "high",
            "6523f1c0a9e7b2d4c8f01a11",
            "platform-admin can turn off or delete events in payments/prd through "
            "proj/*:env/*:destination/*, which is not scoped to project payments",
        )
    ]
    assert findings[0][4][0] == "environment payments/prd is production: its key matches `prd`"


# --------------------------------------------------------------------------------------------------
# 4. One Data Export destination per environment


def kinesis(dest_id: str, environment: str, stream: str, *, project: str = "payments") -> dict:
    config = {
        "region": "us-east-1",
        "roleArn": f"arn:aws:iam::123456789012:role/ld-{environment}",
        "streamName": stream,
    }
    return destination(
        dest_id, name=f"{project}-{environment}", kind="kinesis", project=project,
        environment=environment, config=config,
    )  # fmt: skip


TARGET_RULES = (
    "duplicate-destination",
    "non-production-events-in-production-target",
    "several-destinations-in-environment",
)


def test_staging_writing_into_the_production_stream(run, tmp_path):
    items = (
        kinesis("6523f1c0a9e7b2d4c8f01a11", "production", "ld-payments"),
        kinesis("6523f1c0a9e7b2d4c8f01a12", "staging", "ld-payments"),
    )
    sink = "kinesis target (account 123456789012, region us-east-1, streamName ld-payments)"
    assert audit(run, tmp_path, *items, rules=TARGET_RULES) == [
        (
            "non-production-events-in-production-target",
            "high",
            "6523f1c0a9e7b2d4c8f01a12",
            "payments-staging exports non-production payments/staging into the kinesis target of "
            "a production destination, so its test events mix with production events",
            [
                "enabled destination payments-production (6523f1c0a9e7b2d4c8f01a11) in "
                f"payments/production exports to {sink} (/items/0)"
            ],
        ),
        (
            "duplicate-destination",
            "medium",
            "6523f1c0a9e7b2d4c8f01a11",
            "payments-production exports payments/production to a kinesis target that another "
            "environment's enabled destination also writes to, so their events mix",
            [
                "enabled destination payments-staging (6523f1c0a9e7b2d4c8f01a12) in "
                f"payments/staging exports to {sink} (/items/1)"
            ],
        ),
    ]


def test_two_production_environments_sharing_a_stream_are_a_duplicate(run, tmp_path):
    items = (
        kinesis("6523f1c0a9e7b2d4c8f01a11", "production", "ld-payments"),
        kinesis("6523f1c0a9e7b2d4c8f01a12", "prod-eu", "ld-payments"),
        kinesis("6523f1c0a9e7b2d4c8f01a13", "staging", "ld-payments-staging"),
    )
    findings = audit(run, tmp_path, *items, rules=TARGET_RULES)
    assert [(f[0], f[1], f[2]) for f in findings] == [
        ("duplicate-destination", "medium", "6523f1c0a9e7b2d4c8f01a12"),  # prod-eu sorts first
        ("duplicate-destination", "medium", "6523f1c0a9e7b2d4c8f01a11"),
    ]


def test_two_destinations_in_one_environment_are_not_an_api_export(run, tmp_path):
    items = (
        kinesis("6523f1c0a9e7b2d4c8f01a11", "production", "ld-payments"),
        destination("6523f1c0a9e7b2d4c8f01a12", name="payments-pubsub", on=False),
    )
    message = (
        "{} shares payments/production with another destination, but LaunchDarkly allows one "
        "per environment: this export is not what the API returns"
    )
    assert audit(run, tmp_path, *items, rules=TARGET_RULES) == [
        (
            "several-destinations-in-environment",
            "medium",
            "6523f1c0a9e7b2d4c8f01a11",
            message.format("payments-production"),
            [
                "destination payments-pubsub (google-pubsub, off, 6523f1c0a9e7b2d4c8f01a12) is "
                "also in payments/production (/items/1)"
            ],
        ),
        (
            "several-destinations-in-environment",
            "medium",
            "6523f1c0a9e7b2d4c8f01a12",
            message.format("payments-pubsub"),
            [
                "destination payments-production (kinesis, on, 6523f1c0a9e7b2d4c8f01a11) is also "
                "in payments/production (/items/0)"
            ],
        ),
    ]


def test_warehouses_share_an_account_but_not_a_schema_by_default(run, tmp_path):
    def snowflake(dest_id: str, environment: str, **config: str) -> dict[str, Any]:
        config = {
            "publicKey": "MIIB",
            "snowflakeHostAddress": "acme.snowflakecomputing.com",
            **config,
        }
        return destination(dest_id, kind="snowflake-v2", environment=environment, config=config)

    default = (snowflake("6523f1c0a9e7b2d4c8f01a11", "production"),
               snowflake("6523f1c0a9e7b2d4c8f01a12", "staging"))  # fmt: skip
    assert audit(run, tmp_path, *default, rules=TARGET_RULES) == []
    named = (snowflake("6523f1c0a9e7b2d4c8f01a11", "production", schemaName="LD"),
             snowflake("6523f1c0a9e7b2d4c8f01a12", "staging", schemaName="LD"))  # fmt: skip
    findings = audit(run, tmp_path, *named, rules=TARGET_RULES)
    assert [(f[0], f[2]) for f in findings] == [
        ("non-production-events-in-production-target", "6523f1c0a9e7b2d4c8f01a12"),
        ("duplicate-destination", "6523f1c0a9e7b2d4c8f01a11"),
    ]


# --------------------------------------------------------------------------------------------------
# 5. Kinds and required fields

OPENAPI_MPARTICLE = {
    "apiKey": "mpa********a1f",
    "secret": "mps********9c2",
    "userIdentity": "customer_id",
    "anonymousUserIdentity": "device_id",
}
CONFIG_RULES = ("destination-config-missing", "destination-config-incomplete")


def test_mparticle_with_the_api_references_fields_is_not_missing_config(run, tmp_path):
    item = destination("6523f1c0a9e7b2d4c8f01a11", kind="mparticle", config=OPENAPI_MPARTICLE)
    assert [f[:4] for f in audit(run, tmp_path, item, rules=CONFIG_RULES)] == [
        (
            "destination-config-incomplete",
            "low",
            "6523f1c0a9e7b2d4c8f01a11",
            "events (mparticle) lacks environment, which the Terraform provider requires and the "
            "API reference does not",
        )
    ]


def test_mparticle_without_its_secret_is_missing_config(run, tmp_path):
    config = {"apiKey": "mpa********a1f", "environment": "production", "userIdentities": []}
    item = destination("6523f1c0a9e7b2d4c8f01a11", kind="mparticle", config=config)
    assert [f[:4] for f in audit(run, tmp_path, item, rules=CONFIG_RULES)] == [
        (
            "destination-config-missing",
            "high",
            "6523f1c0a9e7b2d4c8f01a11",
            "events (mparticle) is on but its config is empty or lacks a field its kind requires",
        ),
        (
            "destination-config-incomplete",
            "low",
            "6523f1c0a9e7b2d4c8f01a11",
            "events (mparticle) lacks userIdentity or userIdentities, which the API reference "
            "requires and the Terraform provider does not; anonymousUserIdentity, which the API "
            "reference requires and the Terraform provider does not",
        ),
    ]


def test_clickhouse_is_a_known_kind_whose_password_is_a_secret(run, tmp_path):
    config = {"endpoint": "https://acme.clickhouse.cloud:8443", "clickHousePassword": "hunter2-x"}
    item = destination("6523f1c0a9e7b2d4c8f01a11", kind="clickhouse", config=config)
    rules = ("unknown-destination-kind", "unmasked-secret", "destination-config-missing")
    findings = audit(run, tmp_path, item, rules=rules)
    assert [f[:4] for f in findings] == [
        (
            "unmasked-secret",
            "critical",
            "6523f1c0a9e7b2d4c8f01a11",
            "events (clickhouse) holds clickHousePassword in clear text instead of the API's "
            "masked form; the value is not shown",
        )
    ]
    assert "hunter2" not in repr(findings)


def test_approved_targets_read_the_warehouse_targets(run, tmp_path):
    redshift = {"clusterAwsAccountId": "210987654321", "clusterRegion": "eu-west-1"}
    clickhouse = {"endpoint": "https://acme.clickhouse.cloud:8443"}
    items = (
        destination("6523f1c0a9e7b2d4c8f01a11", kind="redshift", config=redshift),
        destination("6523f1c0a9e7b2d4c8f01a12", kind="clickhouse", environment="staging",
                    config=clickhouse),
    )  # fmt: skip
    config = tmp_path / "auditor.yaml"
    config.write_text(
        "params:\n  destination-target-not-approved:\n    approved_targets:\n"
        "      redshift: ['123456789012']\n      clickhouse: [acme.clickhouse.cloud]\n"
    )
    path = tmp_path / "export.json"
    path.write_text(__import__("json").dumps(export(*items)), encoding="utf-8")
    result = run(
        "--config", str(config), "check", str(path), "-f", "json",
        "--select", "destination-target-not-approved",
    )  # fmt: skip
    assert [(f["severity"], f["message"]) for f in result.json["findings"]] == [
        (
            "high",
            "events exports to redshift target 210987654321, which is not in "
            "approved_targets.redshift",
        )
    ]


# --------------------------------------------------------------------------------------------------
# 6. What LaunchDarkly rejects, and case-insensitive tags


def test_a_bare_star_is_rejected_as_launchdarkly_rejects_it(run, tmp_path):
    everything = grant(["*"], ["*"], "everything")
    item = destination("6523f1c0a9e7b2d4c8f01a11", access=access(everything))
    assert try_parse("*") is None and try_parse("proj/*") is not None
    assert [f[:4] for f in audit(run, tmp_path, item, rules=("unparseable-specifier",))] == [
        (
            "unparseable-specifier",
            "low",
            "6523f1c0a9e7b2d4c8f01a11",
            "everything has a resource specifier auditor cannot parse: * (a bare glob names no "
            "resource type; LaunchDarkly rejects it at 0)",
        )
    ]


@pytest.mark.parametrize(
    ("fields", "combination"),
    [
        ({"resources": [ALL_DESTINATIONS], "notResources": ["proj/sandbox:env/*:destination/*"],
          "actions": DESTRUCTIVE}, "notResources with resources"),
        ({"notResources": ["proj/sandbox:env/*:destination/*"], "notActions": ["updateName"]},
         "notResources with notActions"),
        ({"resources": [ALL_DESTINATIONS], "actions": DESTRUCTIVE, "notActions": ["updateName"]},
         "notActions with actions"),
    ],
)  # fmt: skip
def test_field_combinations_launchdarkly_rejects(run, tmp_path, fields, combination):
    statement = {"effect": "allow", "role_name": "ops", **fields}
    item = destination("6523f1c0a9e7b2d4c8f01a11", access=access(statement))
    assert [f[:4] for f in audit(run, tmp_path, item, rules=("conflicting-statement-fields",))] == [
        (
            "conflicting-statement-fields",
            "low",
            "6523f1c0a9e7b2d4c8f01a11",
            f"ops has a statement LaunchDarkly would reject: it combines {combination}",
        )
    ]


def test_tags_match_case_insensitively() -> None:
    resource = "proj/payments:env/production:destination/d1"
    tags = {"proj/payments:env/production": {"Regulated"}}
    for written in ("regulated", "REGULATED", "Regul*"):
        spec = f"proj/payments:env/production;{written}:destination/*"
        assert match_resource(spec, resource, tags=tags) is Coverage.YES, written
    other = "proj/payments:env/production;pci:destination/*"
    assert match_resource(other, resource, tags=tags) is Coverage.NO
    # the same tag in another case is the same narrowing
    from auditor.launchdarkly import pattern_covers

    wide = parse_specifier("proj/payments:env/production;PCI:destination/*")
    narrow = parse_specifier("proj/payments:env/production;pci:destination/*")
    assert pattern_covers(wide, narrow) is Coverage.YES


# --------------------------------------------------------------------------------------------------
# 7. Grants without a role name, and LaunchDarkly's implicit deny


def test_a_grant_without_a_role_name_is_not_called_roleless(run, tmp_path):
    base = grant(["proj/payments:env/production:destination/6523f1c0a9e7b2d4c8f01a11"],
                 ["*"], None)  # fmt: skip
    item = destination(
        "6523f1c0a9e7b2d4c8f01a11",
        access={
            "allowed": [{"action": "updateName", "reason": base}],
            "denied": [{"action": a, "reason": {"effect": "deny"}} for a in DESTRUCTIVE],
        },
    )
    statement_rules = tuple(r.id for r in load_rules() if r.scope == "statements")
    findings = audit(run, tmp_path, item, rules=statement_rules)
    assert [f[:4] for f in findings] == [
        (
            "wildcard-action-grant",
            "high",
            "6523f1c0a9e7b2d4c8f01a11",
            "a statement without a role name grants wildcard actions * on "
            "proj/payments:env/production:destination/6523f1c0a9e7b2d4c8f01a11",
        ),
        (
            "grant-without-role",
            "low",
            "6523f1c0a9e7b2d4c8f01a11",
            "a statement without a role name (an inline policy, a base role or a deleted role) "
            "grants updateName on proj/payments:env/production:destination/6523f1c0a9e7b2d4c8f01a11",
        ),
    ]  # the implicit denies make no finding of any statement rule


def test_the_implicit_deny_is_explained_as_no_grant() -> None:
    from auditor.engine import Context, destination_subject
    from auditor.language.conditions import compile_condition
    from auditor.launchdarkly.document import build_document
    from auditor.launchdarkly.inventory import Inventory

    item = destination(
        "6523f1c0a9e7b2d4c8f01a11",
        access={"allowed": [], "denied": [{"action": "updateOn", "reason": {"effect": "deny"}}]},
    )
    (dest,) = build_document(export(item)).destinations
    trail: list[str] = []
    ctx = Context(Inventory([dest]), dest, trail=trail)
    denied = compile_condition({"can": {"action": "updateOn", "allowed": False}}, {})
    assert denied.holds(destination_subject(dest), ctx)
    assert trail == [
        "`_access` records updateOn as denied (/items/0/_access/denied/0): no statement allows it"
    ]


def test_the_production_operator_reads_environment_facts_first() -> None:
    from auditor.engine import Context, destination_subject
    from auditor.language.conditions import compile_condition
    from auditor.launchdarkly.document import build_document
    from auditor.launchdarkly.inventory import Inventory

    items = export(
        destination("6523f1c0a9e7b2d4c8f01a11", environment="sandbox"),
        destination("6523f1c0a9e7b2d4c8f01a12", environment="production"),
    )
    destinations = build_document(items).destinations
    facts = {
        ("payments", "sandbox"): EnvironmentFacts(critical=True),
        ("payments", "production"): EnvironmentFacts(critical=False),
    }
    inventory = Inventory(destinations, environments=facts)
    production = compile_condition({"production": list(DEFAULT_PRODUCTION_ENVIRONMENTS)}, {})
    verdicts = []
    for dest in destinations:
        trail: list[str] = []
        held = production.holds(destination_subject(dest), Context(inventory, dest, trail=trail))
        verdicts.append((held, trail))
    assert verdicts == [
        (True, ["environment payments/sandbox is production: LaunchDarkly marks it critical"]),
        (
            True,
            ["environment payments/production is production: its key matches `production` "
             "(LaunchDarkly does not mark it critical; read as production, which never hides a "
             "risk)"],
        ),
    ]  # fmt: skip
