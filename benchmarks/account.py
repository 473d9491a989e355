"""Account-wide access review at size: `check` of an account export against a plain `check`.

    python benchmarks/account.py [--members 5000 --roles 300 --destinations 2000] [--repeat 3]

Generates one deterministic account (projects of ten environments, one destination each; the
production one `critical`): an owner, 4 admins, 10 writers, 5 platform admins, 500 members
holding a project-exporter role with their own `projectKey` attribute, the rest editing flags
(about 1% owning a project's exports directly, 5% in a project team), one team per project
role plus an all-staff team, 3 service tokens with the writer role and 47 personal tokens with
inline policies. It writes the same destinations twice, with and without the
`_account` block that `fetch --account` saves, and times `auditor check -f json:...` on both,
side by side in this run (median of --repeat after a warm-up). Prints a Markdown table;
`--write README.md` puts it between the `account` markers there.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import auditor, run_once, write_between_markers  # noqa: E402

ENVIRONMENTS = (
    "production",
    "staging",
    "dev",
    "qa",
    "perf",
    "demo",
    "sandbox",
    "canary",
    "uat",
    "preview",
)
EXPORT_ACTIONS = ["updateOn", "updateConfiguration", "updateName"]


def _destination(n: int, project: str, env: str) -> dict[str, Any]:
    ident = f"65b{n:021d}"
    caller = {
        "effect": "allow",
        "resources": ["proj/*:env/*:destination/*"],
        "actions": ["*"],
        "role_name": "Admin",
    }
    return {
        "_id": ident,
        "_links": {"self": {"href": f"/api/v2/destinations/{project}/{env}/{ident}"}},
        "name": f"{project}-{env}-events",
        "kind": "kinesis",
        "version": 1,
        "config": {
            "region": "us-east-1",
            "roleArn": f"arn:aws:iam::123456789012:role/ld-{n}",
            "streamName": f"ld-{project}-{env}",
        },
        "on": n % 10 != 0,
        "_access": {
            "allowed": [
                {"action": a, "reason": caller}
                for a in ("deleteDestination", "updateOn", "updateConfiguration", "updateName")
            ],
            "denied": [],
        },
    }


def generate(
    members: int, roles: int, destinations: int, seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(plain export, account export) of one account."""
    rng = random.Random(seed)
    projects = [f"p{i:03d}" for i in range(max(destinations // len(ENVIRONMENTS), 1))]
    items = []
    for n in range(destinations):
        project, env = (
            projects[n // len(ENVIRONMENTS) % len(projects)],
            ENVIRONMENTS[n % len(ENVIRONMENTS)],
        )
        items.append(_destination(n, project, env))
    role_items: list[dict[str, Any]] = [
        {
            "_id": "r-platform",
            "key": "platform-admin",
            "name": "platform-admin",
            "policy": [
                {"effect": "allow", "resources": ["proj/*:env/*:destination/*"], "actions": ["*"]},
                {
                    "effect": "deny",
                    "resources": ["proj/*:env/production:destination/*"],
                    "actions": ["updateOn"],
                },
            ],
        },
        {
            "_id": "r-exporter",
            "key": "project-exporter",
            "name": "project-exporter",
            "policy": [
                {
                    "effect": "allow",
                    "resources": ["proj/${roleAttribute/projectKey}:env/*:destination/*"],
                    "actions": EXPORT_ACTIONS,
                }
            ],
        },
        {
            "_id": "r-viewers",
            "key": "viewers",
            "name": "viewers",
            "basePermissions": "reader",
            "policy": [
                {
                    "effect": "allow",
                    "resources": ["proj/*:env/*:flag/*"],
                    "actions": ["updateTargets"],
                }
            ],
        },
    ]
    for project in projects:  # one role per project, Terraform-style
        if len(role_items) >= roles:
            break
        role_items.append(
            {
                "_id": f"r-{project}",
                "key": f"{project}-owners",
                "name": f"{project}-owners",
                "policy": [
                    {
                        "effect": "allow",
                        "resources": [f"proj/{project}:env/*:destination/*"],
                        "actions": ["*"],
                    },
                    {
                        "effect": "deny",
                        "resources": [f"proj/{project}:env/production:destination/*"],
                        "actions": ["deleteDestination"],
                    },
                    {
                        "effect": "allow",
                        "resources": [f"proj/{project}:env/*:flag/*"],
                        "actions": ["*"],
                    },
                ],
            }
        )
    while len(role_items) < roles:  # flag-only roles: reach no destination
        k = len(role_items)
        role_items.append(
            {
                "_id": f"r-flags-{k}",
                "key": f"flags-{k}",
                "name": f"flags-{k}",
                "policy": [
                    {
                        "effect": "allow",
                        "resources": [f"proj/{rng.choice(projects)}:env/*:flag/*"],
                        "actions": ["updateOn"],
                    }
                ],
            }
        )
    owner_roles = [r for r in role_items if r["key"].endswith("-owners")]
    team_items = [{"key": "everyone", "name": "everyone", "roles": {"items": [{"key": "viewers"}]}}]
    for role in owner_roles:
        team_items.append(
            {"key": role["key"], "name": role["key"], "roles": {"items": [{"key": role["key"]}]}}
        )
    member_items = []
    now_ms = 1769860800000
    for m in range(members):
        teams = [{"key": "everyone"}]
        item: dict[str, Any] = {
            "_id": f"m{m:05d}",
            "email": f"user{m}@example.com",
            "role": "reader",
            "customRoles": [],
        }
        if m == 0:
            item["role"] = "owner"
        elif m < 5:
            item["role"] = "admin"
        elif m < 15:
            item["role"] = "writer"
        elif m < 20:
            item["customRoles"] = ["r-platform"]
        elif m < 520:  # a role attribute each: their own project
            item["customRoles"] = ["r-exporter"]
            item["roleAttributes"] = {"projectKey": [rng.choice(projects)]}
        else:  # most people edit flags; a few own their project's exports directly
            flag_roles = [r for r in role_items if r["key"].startswith("flags-")] or role_items
            chosen = (
                rng.choice(owner_roles)
                if owner_roles and rng.random() < 0.02
                else rng.choice(flag_roles)
            )
            item["customRoles"] = [chosen["_id"]] if rng.random() < 0.5 else []
            if owner_roles and rng.random() < 0.05:
                teams.append({"key": rng.choice(owner_roles)["key"]})
        item["teams"] = teams
        item["_lastSeen"] = (
            now_ms - rng.randrange(0, 400) * 86_400_000 if rng.random() < 0.95 else 0
        )
        member_items.append(item)
    token_items = [
        {
            "_id": f"t{t}",
            "name": f"token-{t}",
            "serviceToken": t < 3,
            "memberId": f"m{t:05d}",
            **(
                {"role": "writer"}
                if t < 3
                else {
                    "inlineRole": [
                        {
                            "effect": "allow",
                            "resources": [f"proj/{rng.choice(projects)}:env/*:destination/*"],
                            "actions": ["updateOn"],
                        }
                    ]
                }
            ),
        }
        for t in range(50)
    ]
    project_items = [
        {
            "key": p,
            "name": p,
            "environments": {
                "items": [
                    {"key": e, "name": e, "critical": e == "production", "tags": []}
                    for e in ENVIRONMENTS
                ]
            },
        }
        for p in projects
    ]
    plain = {"_links": {"self": {"href": "/api/v2/destinations"}}, "items": items}
    account = {
        **plain,
        "_account": {
            "caller": {"tokenName": "auditor", "serviceToken": True},
            "roles": role_items,
            "teams": team_items,
            "members": member_items,
            "tokens": token_items,
            "projects": project_items,
            "not_audited": [],
        },
    }
    return plain, account


def measure(cmd: list[str], repeat: int) -> float:
    run_once(cmd)
    return statistics.median(run_once(cmd)[0] for _ in range(repeat))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--roles", type=int, default=300)
    parser.add_argument("--destinations", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--write", metavar="README", help="put the table between the account markers"
    )
    args = parser.parse_args(argv)
    plain, account = generate(args.members, args.roles, args.destinations, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths = {}
        for name, doc in (("plain", plain), ("account", account)):
            paths[name] = work / f"{name}.json"
            paths[name].write_text(json.dumps(doc), encoding="utf-8")
        times = {}
        for name in ("plain", "account"):
            cmd = auditor(
                "check", str(paths[name]), "--fail-on", "never", "-f", f"json:{work / 'out.json'}"
            )
            times[name] = measure(cmd, args.repeat)
            report = json.loads((work / "out.json").read_text())
            if name == "account":
                grants = sum(
                    len(h)
                    for row in report["access"]["by_destination"]
                    for h in row["actions"].values()
                )
                findings = sum(1 for f in report["findings"] if "grant" in f)
    ratio = times["account"] / times["plain"]
    sizes = f"--members {args.members} --roles {args.roles} --destinations {args.destinations}"
    plain_row = f"plain `check` of {args.destinations:,} destinations, JSON out"
    account_row = (
        f"`check` of the same destinations with the account ({args.members:,} members,"
        f" {args.roles} roles; {grants:,} grants, {findings:,} grant findings)"
    )
    table = "\n".join(
        [
            f"Measured with `benchmarks/account.py {sizes}` (median of {args.repeat} after a"
            " warm-up, both runs side by side):",
            "",
            "| work | wall | ratio |",
            "| --- | --- | --- |",
            f"| {plain_row} | {times['plain']:.2f} s | 1.00x |",
            f"| {account_row} | {times['account']:.2f} s | {ratio:.2f}x |",
            "",
            f"Target: under 3x. {'Met' if ratio < 3 else 'NOT met'}.",
        ]
    )
    print(table)
    if args.write:
        write_between_markers(Path(args.write), table, "account", "Account-wide access review")


if __name__ == "__main__":
    main()
