"""Deterministic generator of realistic LaunchDarkly destinations exports for benchmarks.

    python benchmarks/generate.py --items 10000 --seed 1 -o /tmp/export.json
    python benchmarks/generate.py --items 10000 --shape per-destination-roles -o /tmp/export.json

Every kind with plausible config (secrets obfuscated as the API does), about 10% of
destinations disabled, wildcard and scoped grants, notActions/notResources, tag filters,
and 8 `_access` entries per destination. Two shapes of account:

- `shared-roles`: a few roles whose statements many destinations share (account-wide
  wildcards, per-project tag filters), mixed with statements scoped to one destination.
- `per-destination-roles`: one set of roles per destination, as Terraform modules that
  create a role per destination produce: every statement names its destination by id, under
  `proj/*`, `proj/web-*`, `env/*;beta` and `env/prod*` keys, over a number of projects that
  grows with the account.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from typing import Any

KINDS = [
    "kinesis",
    "google-pubsub",
    "mparticle",
    "segment",
    "azure-event-hubs",
    "snowflake-v2",
    "databricks",
    "bigquery",
    "redshift",
]
ACTIONS = [
    "createDestination",
    "deleteDestination",
    "updateConfiguration",
    "updateName",
    "updateOn",
    "viewProject",
    "updateTags",
    "updateIntegrationConfiguration",
]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]


def obfuscated(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choices(alphabet, k=3)) + "*" * 8 + "".join(rng.choices(alphabet, k=3))


def config_for(kind: str, n: int, rng: random.Random) -> Any:
    account = f"{rng.randrange(10**11, 10**12):012d}"
    configs: dict[str, Any] = {
        "kinesis": {
            "region": rng.choice(REGIONS),
            "roleArn": f"arn:aws:iam::{account}:role/ld-export-{n}",
            "streamName": f"ld-events-{n}",
        },
        "google-pubsub": {"project": f"acme-{n % 97}", "topic": f"ld-events-{n}"},
        "mparticle": {
            "apiKey": obfuscated(rng),
            "secret": obfuscated(rng),
            "environment": rng.choice(["production", "development"]),
            "userIdentities": [{"ldContextKind": "user", "mparticleUserIdentity": "customer_id"}],
        },
        "segment": {
            "writeKey": obfuscated(rng),
            "userIDContextKind": "user",
            "anonymousIDContextKind": "anonymousUser",
        },
        "azure-event-hubs": {
            "namespace": f"acme-ns-{n % 53}",
            "name": f"ld-events-{n}",
            "policyName": "ld-send",
            "policyKey": obfuscated(rng),
        },
        "snowflake-v2": {
            "publicKey": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + f"{n:08d}",
            "snowflakeHostAddress": f"acme-{n % 31}.snowflakecomputing.com",
        },
        "databricks": {"workspaceUrl": f"https://acme-{n % 13}.cloud.databricks.com"},
        "bigquery": {"project": f"acme-bq-{n % 17}", "dataset": "ld_events"},
        "redshift": {"cluster": f"acme-rs-{n % 7}", "database": "events"},
    }
    config = configs[kind]
    if rng.random() < 0.05:  # a few sent as a JSON string, as the spec's example does
        return json.dumps(config, separators=(",", ":"))
    return config


def statement(project: str, env: str, ident: str, rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    role = rng.choice(["platform-admin", "data-team", "payments-admins", "oncall", "reader"])
    if roll < 0.15:  # wildcard grant
        return {
            "effect": "allow",
            "resources": ["proj/*:env/*:destination/*"],
            "actions": ["*"],
            "role_name": role,
        }
    if roll < 0.25:  # tag-filtered, prod-wide
        return {
            "effect": "allow",
            "resources": [f"proj/{project};regulated:env/prod-*:destination/*"],
            "actions": ["update*"],
            "role_name": role,
        }
    if roll < 0.32:  # inverted
        return {
            "effect": "allow",
            "resources": [f"proj/{project}:env/{env}:destination/{ident}"],
            "notActions": ["deleteDestination"],
            "role_name": role,
        }
    if roll < 0.36:
        return {
            "effect": "allow",
            "notResources": [f"proj/{project}:env/production:destination/*"],
            "actions": ["updateName"],
            "role_name": role,
        }
    if roll < 0.45:  # explicit deny
        return {
            "effect": "deny",
            "resources": [f"proj/{project}:env/{env}:destination/*"],
            "actions": ["deleteDestination", "updateOn"],
            "role_name": role,
        }
    return {  # scoped, named
        "effect": "allow",
        "resources": [f"proj/{project}:env/{env}:destination/{ident}"],
        "actions": ["updateConfiguration", "updateName"],
        "role_name": role,
    }


SHAPES = ("shared-roles", "per-destination-roles")
TEAMS = ["web", "api", "data", "mobile", "billing"]


def own_statement(project: str, env: str, ident: str, n: int, rng: random.Random) -> dict[str, Any]:
    """A statement of a role made for this one destination, naming it by id."""
    roll = rng.random()
    if roll < 0.25:  # the operator role: every project's copy of this id, in its environment
        return {
            "effect": "allow",
            "resources": [f"proj/*:env/{env}:destination/{ident}"],
            "actions": ["updateOn", "updateName", "updateConfiguration"],
            "role_name": f"export-{n}-operator",
        }
    if roll < 0.45:  # the web teams' admin role, production environments only
        return {
            "effect": "allow",
            "resources": [f"proj/web-*:env/prod*:destination/{ident}"],
            "actions": ["*"],
            "role_name": f"export-{n}-admin",
        }
    if roll < 0.65:  # beta environments of the project, by tag
        return {
            "effect": "allow",
            "resources": [f"proj/{project}:env/*;beta:destination/{ident}"],
            "notActions": ["deleteDestination"],
            "role_name": f"export-{n}-beta",
        }
    if roll < 0.80:  # a guard against deletion in production
        return {
            "effect": "deny",
            "resources": [f"proj/{project}:env/prod*:destination/{ident}"],
            "actions": ["deleteDestination", "updateOn"],
            "role_name": f"export-{n}-guard",
        }
    return {  # the owner, scoped to the destination itself
        "effect": "allow",
        "resources": [f"proj/{project}:env/{env}:destination/{ident}"],
        "actions": ["updateConfiguration", "updateName"],
        "role_name": f"export-{n}-owner",
    }


def destination(
    n: int, rng: random.Random, shape: str = "shared-roles", projects: int = 40
) -> dict[str, Any]:
    ident = f"{0x6523F1C0A9E7B2D4C8000000 + n:024x}"
    if shape == "per-destination-roles":
        project = f"{rng.choice(TEAMS)}-{rng.randrange(projects)}"
    else:
        project = f"project-{rng.randrange(projects)}"
    env = rng.choice(["production", "staging", "prod-eu", "qa", "development"])
    kind = KINDS[n % len(KINDS)]
    item: dict[str, Any] = {
        "_id": ident,
        "_links": {
            "parent": {"href": "/api/v2/destinations", "type": "application/json"},
            "self": {
                "href": f"/api/v2/destinations/{project}/{env}/{ident}",
                "type": "application/json",
            },
        },
        "name": f"{kind}-{project}-{env}-{n}",
        "kind": kind,
        "version": rng.randrange(1, 9),
        "config": config_for(kind, n, rng),
        "on": rng.random() >= 0.10,
    }
    if shape == "per-destination-roles":
        statements = [own_statement(project, env, ident, n, rng) for _ in range(3)]
    else:
        statements = [statement(project, env, ident, rng) for _ in range(3)]
    allowed, denied = [], []
    for action in ACTIONS:
        reason = rng.choice(statements)
        (denied if reason["effect"] == "deny" else allowed).append(
            {"action": action, "reason": reason}
        )
    item["_access"] = {"allowed": allowed, "denied": denied}
    return item


def generate(
    items: int, seed: int, *, later: bool = False, shape: str = "shared-roles"
) -> dict[str, Any]:
    """The export; `later` gives the same account a while later (for `diff` benchmarks).

    A later export has about 1% of destinations switched, 1% renamed, 0.5% deleted and
    0.5% new, and its items in another order.
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}: one of {', '.join(SHAPES)}")
    rng = random.Random(seed)
    # One project per 25 destinations when each destination has its own roles (a project
    # count that grows with the account); 40 projects for the shared roles, as always.
    projects = max(8, items // 25) if shape == "per-destination-roles" else 40
    document = {
        "_links": {"self": {"href": "/api/v2/destinations", "type": "application/json"}},
        "items": [destination(n, rng, shape, projects) for n in range(items)],
    }
    if later:
        change = random.Random(seed + 1)
        kept = []
        for item in document["items"]:
            roll = change.random()
            if roll < 0.005:
                continue
            if roll < 0.015:
                item["on"] = not item["on"]
            elif roll < 0.025:
                item["name"] += "-renamed"
            kept.append(item)
        kept += [destination(items + n, change, shape, projects) for n in range(items // 200)]
        change.shuffle(kept)
        document["items"] = kept
    return document


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", default="-")
    parser.add_argument("--later", action="store_true", help="the same account a while later")
    parser.add_argument("--shape", choices=SHAPES, default="shared-roles")
    args = parser.parse_args(argv)
    document = generate(args.items, args.seed, later=args.later, shape=args.shape)
    text = json.dumps(document, separators=(",", ":"))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
