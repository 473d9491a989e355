"""Terraform plans in the JSON form `terraform show -json PLANFILE` prints, for the plan tests.

Shapes from Terraform's "Internals: JSON Output Format"
(https://developer.hashicorp.com/terraform/internals/json-format): a resource change has
`address`, `mode`, `type`, `name`, `provider_name` and a `change` with `actions`, `before`,
`after`, `after_unknown`, `before_sensitive` and `after_sensitive`; the sensitivity and
unknown masks mirror the value, with `true` at each hidden leaf and empty collections
elsewhere. Attributes from the provider's docs/resources/*.md
(launchdarkly/terraform-provider-launchdarkly). The whole document also carries
`variables`, `planned_values`, `prior_state` and `configuration`, as Terraform writes them:
they may hold sensitive values in clear, which is why the sentinel tests plant them there.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

PROVIDER = "registry.terraform.io/launchdarkly/launchdarkly"
DATA = Path(__file__).resolve().parent / "data" / "plans"
SENTINEL = "SENTINEL-tfsens-7c1d"
"""A value Terraform marks sensitive: it must never appear in any output."""


def destination(
    project: str = "pay",
    env: str = "production",
    *,
    name: str = "pay-prod-kinesis",
    kind: str = "kinesis",
    config: dict[str, Any] | None = None,
    on: Any = True,
    ident: str | None = None,
    tags: list[str] | None = None,
) -> dict[str, Any]:
    """A `launchdarkly_destination`'s attribute values (the provider's snake_case keys)."""
    return {
        "config": config
        if config is not None
        else {
            "region": "us-east-1",
            "role_arn": "arn:aws:iam::123456789012:role/ld-export",
            "stream_name": "pay-events",
        },
        "env_key": env,
        "id": None if ident is None else f"{project}/{env}/{ident}",
        "kind": kind,
        "name": name,
        "on": on,
        "project_key": project,
        "tags": tags or ["terraform"],
    }


def statement(
    effect: str = "allow",
    *,
    resources: list[str] | None = None,
    actions: list[str] | None = None,
    not_resources: list[str] | None = None,
    not_actions: list[str] | None = None,
) -> dict[str, Any]:
    """One `policy_statements` / `inline_roles` block."""
    return {
        "actions": actions,
        "effect": effect,
        "not_actions": not_actions,
        "not_resources": not_resources,
        "resources": resources,
    }


def custom_role(key: str, statements: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "base_permissions": "no_access",
        "description": "",
        "id": key,
        "key": key,
        "name": key,
        "policy": [],
        "policy_statements": statements,
        "timeouts": None,
        **extra,
    }


def team(key: str, *, roles: list[str], members: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "custom_role_keys": roles,
        "description": "",
        "id": key,
        "key": key,
        "maintainers": [],
        "member_ids": members,
        "name": key,
        "role_attributes": [],
        **extra,
    }


def team_member(ident: str | None, email: str, **extra: Any) -> dict[str, Any]:
    return {
        "custom_roles": [],
        "email": email,
        "first_name": None,
        "id": ident,
        "last_name": None,
        "role": "reader",
        "role_attributes": [],
        **extra,
    }


def access_token(ident: str | None, name: str, token: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "custom_roles": [],
        "default_api_version": 20240415,
        "expire": None,
        "id": ident,
        "inline_roles": [],
        "name": name,
        "policy_statements": [],
        "role": None,
        "service_token": True,
        "token": token,
        **extra,
    }


def _skeleton(value: Any) -> Any:
    """The mask of a value with nothing marked: empty collections where the value has them."""
    if isinstance(value, dict):
        return {k: s for k, v in value.items() if (s := _skeleton(v)) is not None}
    if isinstance(value, list):
        return [_skeleton(v) if isinstance(v, (dict, list)) else False for v in value]
    return None


def _mark(mask: Any, path: tuple[Any, ...]) -> None:
    node = mask
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = True


def _masked(value: Any, paths: list[tuple[Any, ...]]) -> Any:
    mask = _skeleton(value) if value is not None else {}
    for path in paths:
        _mark(mask, path)
    return mask if mask is not None else {}


def change(
    address: str,
    actions: list[str],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    unknown: list[tuple[Any, ...]] = (),  # type: ignore[assignment]
    sensitive_before: list[tuple[Any, ...]] = (),  # type: ignore[assignment]
    sensitive_after: list[tuple[Any, ...]] = (),  # type: ignore[assignment]
    action_reason: str | None = None,
    replace_paths: list[list[str]] | None = None,
    mode: str = "managed",
    provider: str = PROVIDER,
) -> dict[str, Any]:
    """One `resource_changes` entry. Unknown paths are dropped from `after` (Terraform writes
    null or leaves them out) and marked `true` in `after_unknown`."""
    *_, kind, name = address.split("[", 1)[0].split(".")
    after_value = copy.deepcopy(after)
    if after_value is not None:
        for path in unknown:
            node = after_value
            for step in path[:-1]:
                node = node[step]
            if isinstance(node, dict):
                node[path[-1]] = None
    entry: dict[str, Any] = {
        "address": address,
        "mode": mode,
        "type": kind,
        "name": name,
        "provider_name": provider,
        "change": {
            "actions": actions,
            "before": before,
            "after": after_value,
            "after_unknown": _masked(after, list(unknown)) if after is not None else {},
            "before_sensitive": _masked(before, list(sensitive_before))
            if before is not None
            else False,
            "after_sensitive": _masked(after, list(sensitive_after))
            if after is not None
            else False,
        },
    }
    if action_reason:
        entry["action_reason"] = action_reason
    if replace_paths:
        entry["change"]["replace_paths"] = replace_paths
    return entry


def plan(
    changes: list[dict[str, Any]],
    *,
    variables: dict[str, Any] | None = None,
    format_version: str = "1.2",
    complete: bool = True,
) -> dict[str, Any]:
    """A whole plan document around `changes`, with the parts Terraform adds around them."""
    planned = []
    prior = []
    config = []
    for entry in changes:
        c = entry["change"]
        common = {k: entry[k] for k in ("address", "mode", "type", "name", "provider_name")}
        if c["after"] is not None:
            sensitive = c["after_sensitive"] or {}
            planned.append(
                {**common, "schema_version": 0, "values": c["after"], "sensitive_values": sensitive}
            )
        if c["before"] is not None:
            sensitive = c["before_sensitive"] or {}
            prior.append(
                {
                    **common,
                    "schema_version": 0,
                    "values": c["before"],
                    "sensitive_values": sensitive,
                }
            )
        values = c["after"] or c["before"] or {}
        config.append(
            {
                "address": entry["address"],
                "mode": entry["mode"],
                "type": entry["type"],
                "name": entry["name"],
                "provider_config_key": entry["type"].split("_")[0],
                "expressions": {
                    k: {"constant_value": v}
                    for k, v in values.items()
                    if k not in ("id", "token") and v is not None
                },
                "schema_version": 0,
            }
        )
    variables = variables or {}
    return {
        "format_version": format_version,
        "terraform_version": "1.9.5",
        "variables": {k: {"value": v} for k, v in variables.items()},
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "prior_state": {
            "format_version": "1.0",
            "terraform_version": "1.9.5",
            "values": {"root_module": {"resources": prior}},
        },
        "configuration": {
            "provider_config": {
                "launchdarkly": {
                    "name": "launchdarkly",
                    "full_name": PROVIDER,
                    "version_constraint": "~> 2.25",
                }
            },
            "root_module": {
                "resources": config,
                "variables": {k: {"sensitive": True} for k in variables},
            },
        },
        "relevant_attributes": [],
        "timestamp": "2026-01-30T09:12:44Z",
        "applyable": True,
        "complete": complete,
        "errored": False,
    }


def write_plan(tmp_path: Path, document: dict[str, Any], name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# The account the plans are reviewed against


RECENT = 1769040000000  # 2026-01-22, a week before the tests' --now
OLD = 1600000000000  # 2020-09-13
D_PAY_PROD = "65b000000000000000000001"
D_WEB_PROD = "65b000000000000000000002"
D_OPS_PROD = "65b000000000000000000003"
D_PAY_STAGING = "65b000000000000000000004"
DATA_ENG = [f"m{n:02d}" for n in range(1, 15)]


def _item(ident: str, name: str, kind: str, project: str, env: str, config: dict[str, Any],
          on: bool = True) -> dict[str, Any]:  # fmt: skip
    return {
        "_id": ident,
        "_links": {
            "parent": {"href": "/api/v2/destinations", "type": "application/json"},
            "self": {
                "href": f"/api/v2/destinations/{project}/{env}/{ident}",
                "type": "application/json",
            },
        },
        "name": name,
        "kind": kind,
        "version": 1,
        "config": config,
        "on": on,
        "_access": {"allowed": [], "denied": []},
    }


def account_snapshot() -> dict[str, Any]:
    """Four destinations (three in critical environments) and an account around them.

    Team data-eng has 14 members and holds `data-export-viewer`, which reaches no export;
    `export-admins` reaches every export but nobody holds it; the service token
    legacy-deploy (writer) can change every export.
    """
    items = [
        _item(D_PAY_PROD, "pay-prod-kinesis", "kinesis", "pay", "production",
              {"region": "us-east-1", "roleArn": "arn:aws:iam::123456789012:role/ld-export",
               "streamName": "pay-events"}),
        _item(D_WEB_PROD, "web-prod-pubsub", "google-pubsub", "web", "production",
              {"project": "acme-web", "topic": "ld-events"}),
        _item(D_OPS_PROD, "ops-prod-segment", "segment", "ops", "production",
              {"writeKey": "seg********a1f", "userIDContextKind": "user"}),
        _item(D_PAY_STAGING, "pay-staging-pubsub", "google-pubsub", "pay", "staging",
              {"project": "acme-pay", "topic": "ld-staging"}, on=False),
    ]  # fmt: skip

    def member(ident: str, email: str, role: str = "reader", teams: tuple[str, ...] = (),
               seen: int = RECENT) -> dict[str, Any]:  # fmt: skip
        return {
            "_id": ident,
            "email": email,
            "role": role,
            "customRoles": [],
            "_lastSeen": seen,
            "_pendingInvite": False,
            "teams": [{"key": t, "name": t} for t in teams],
        }

    members = [member(m, f"{m}@example.com", teams=("data-eng",)) for m in DATA_ENG]
    members += [
        member("m15", "owner@example.com", role="admin"),
        member("m16", "ops-lead@example.com", teams=("platform",)),
        member("m17", "stale@example.com", seen=OLD),
    ]
    account = {
        "caller": {"accountId": "acct1", "authKind": "token", "tokenId": "t1",
                   "tokenName": "auditor-ci", "tokenKind": "service", "serviceToken": True},
        "roles": [
            {"_id": "r10", "key": "data-export-viewer", "name": "data-export-viewer",
             "basePermissions": "no_access",
             "policy": [{"effect": "allow", "resources": ["proj/*"], "actions": ["viewProject"]}]},
            {"_id": "r11", "key": "export-admins", "name": "export-admins",
             "basePermissions": "no_access",
             "policy": [{"effect": "allow", "resources": ["proj/*:env/*:destination/*"],
                         "actions": ["*"]}]},
        ],
        "teams": [
            {"key": "data-eng", "name": "Data engineering",
             "roles": {"items": [{"key": "data-export-viewer"}], "totalCount": 1}},
            {"key": "platform", "name": "Platform", "roles": {"items": [], "totalCount": 0}},
        ],
        "members": members,
        "tokens": [
            {"_id": "t1", "name": "auditor-ci", "role": "reader", "customRoleIds": [],
             "serviceToken": True, "inlineRole": []},
            {"_id": "t2", "name": "legacy-deploy", "role": "writer", "customRoleIds": [],
             "serviceToken": True, "inlineRole": []},
        ],
        "projects": [
            {"key": "pay", "environments": [{"key": "production", "critical": True},
                                            {"key": "staging", "critical": False},
                                            {"key": "sandbox", "critical": False}]},
            {"key": "web", "environments": [{"key": "production", "critical": True}]},
            {"key": "ops", "environments": [{"key": "production", "critical": True}]},
        ],
        "not_audited": [],
    }  # fmt: skip
    return {
        "_links": {"self": {"href": "/api/v2/destinations", "type": "application/json"}},
        "items": items,
        "_account": account,
    }


# --------------------------------------------------------------------------------------------
# Plans against account_snapshot()

SEGMENT_KEY = "SENTINEL-segkey-41aa"
"""A write key set from a sensitive variable (`sensitive = true`): never in any output."""


def lifecycle_plan() -> dict[str, Any]:
    """Every action on destinations: update, delete, replace, create, no-op; a sensitive
    config value and one known only after apply; and resources of other types."""
    kinesis = {"region": "us-east-1", "role_arn": "arn:aws:iam::123456789012:role/ld-export",
               "stream_name": "pay-events"}  # fmt: skip
    pay_prod = destination(name="pay-prod-kinesis", config=kinesis, ident=D_PAY_PROD)
    pay_staging = destination(env="staging", name="pay-staging-pubsub", kind="google-pubsub",
                              config={"project": "acme-pay", "topic": "ld-staging"}, on=False,
                              ident=D_PAY_STAGING)  # fmt: skip
    web_before = destination("web", name="web-prod-pubsub", kind="google-pubsub",
                             config={"project": "acme-web", "topic": "ld-events"},
                             ident=D_WEB_PROD)  # fmt: skip
    web_after = destination("web", name="web-prod-kinesis", kind="kinesis",
                            config={"region": "eu-west-1", "role_arn": None,
                                    "stream_name": "web-events"})  # fmt: skip
    sandbox = destination(
        env="sandbox",
        name="pay-sandbox-segment",
        kind="segment",
        config={"write_key": SEGMENT_KEY, "user_id_context_kind": "user"},
    )
    ops = destination("ops", name="ops-prod-segment", kind="segment",
                      config={"write_key": SENTINEL, "user_id_context_kind": "user"},
                      ident=D_OPS_PROD)  # fmt: skip
    role = {"arn": None, "assume_role_policy": "{}", "id": None, "name": "ld-web-export",
            "tags": None}  # fmt: skip
    return plan(
        [
            change("aws_iam_role.web_export", ["create"], None, role,
                   unknown=[("arn",), ("id",)], provider="registry.terraform.io/hashicorp/aws"),
            change("data.aws_caller_identity.current", ["read"], None,
                   {"account_id": None, "id": None}, mode="data",
                   unknown=[("account_id",), ("id",)],
                   provider="registry.terraform.io/hashicorp/aws"),
            change("launchdarkly_destination.ops_prod", ["no-op"], ops, ops,
                   sensitive_before=[("config", "write_key")],
                   sensitive_after=[("config", "write_key")]),
            change("launchdarkly_destination.pay_prod", ["update"], pay_prod,
                   {**pay_prod, "on": False}),
            change("launchdarkly_destination.pay_sandbox", ["create"], None, sandbox,
                   unknown=[("id",)], sensitive_after=[("config", "write_key")]),
            change("launchdarkly_destination.pay_staging", ["delete"], pay_staging, None,
                   action_reason="delete_because_no_resource_config"),
            change("launchdarkly_destination.web_prod", ["delete", "create"], web_before,
                   web_after, unknown=[("id",), ("config", "role_arn")],
                   action_reason="replace_because_cannot_update", replace_paths=[["kind"]]),
            change("random_id.suffix", ["no-op"], {"byte_length": 4, "hex": "a1b2c3d4"},
                   {"byte_length": 4, "hex": "a1b2c3d4"},
                   provider="registry.terraform.io/hashicorp/random"),
        ],
        variables={"segment_write_key": SEGMENT_KEY, "ops_write_key": SENTINEL},
    )  # fmt: skip


VIEWER = [statement(resources=["proj/*"], actions=["viewProject"])]
TURN_OFF_PRODUCTION = statement(resources=["proj/*:env/production:destination/*"],
                                actions=["updateOn"])  # fmt: skip


def role_widening_plan() -> dict[str, Any]:
    """`data-export-viewer`, held by team data-eng, gains updateOn on production exports."""
    return plan(
        [
            change(
                "launchdarkly_custom_role.data_export_viewer",
                ["update"],
                custom_role("data-export-viewer", VIEWER),
                custom_role("data-export-viewer", [*VIEWER, TURN_OFF_PRODUCTION]),
            )
        ]
    )
