"""`review --plan` at size: a Terraform plan's review against `diff` of the same snapshot.

    python benchmarks/plan.py [--members 2000 --roles 100 --destinations 1000 --changes 200]

Generates the account of `benchmarks/account.py` and a plan in the JSON form of
`terraform show -json` against it: of every `--changes` resource changes, about half update
a destination (turned off or renamed), a fifth create one, a tenth delete one, a tenth add a
statement to a project role, a tenth change a team's members; plus as many changes of other
providers' resources, which are only counted. Both `auditor review --plan plan.json
account.json` and `auditor diff account.json account.json` (the same two audits and the
comparison, with nothing to apply) are timed side by side in this run (median of --repeat
after a warm-up); the ratio is the plan's own cost. Prints a Markdown table; `--write
README.md` puts it between the `plan` markers there.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from account import generate, measure  # noqa: E402
from run import auditor, write_between_markers  # noqa: E402

PROVIDER = "registry.terraform.io/launchdarkly/launchdarkly"


def _change(address: str, actions: list[str], before: Any, after: Any) -> dict[str, Any]:
    kind, name = address.split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider_name": PROVIDER if kind.startswith("launchdarkly_") else "hashicorp/aws",
        "change": {
            "actions": actions,
            "before": before,
            "after": after,
            "after_unknown": {"id": True} if "create" in actions else {},
            "before_sensitive": {} if before is not None else False,
            "after_sensitive": {} if after is not None else False,
        },
    }


def _destination(item: dict[str, Any]) -> dict[str, Any]:
    _, _, _, _, project, env, ident = item["_links"]["self"]["href"].split("/")
    config = item["config"]
    return {
        "config": {"region": config["region"], "role_arn": config["roleArn"],
                   "stream_name": config["streamName"]},
        "env_key": env, "id": f"{project}/{env}/{ident}", "kind": "kinesis",
        "name": item["name"], "on": item["on"], "project_key": project, "tags": ["terraform"],
    }  # fmt: skip


def make_plan(account: dict[str, Any], changes: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    items = account["items"]
    roles = [r for r in account["_account"]["roles"] if r["key"].endswith("-owners")]
    teams = account["_account"]["teams"][1:]
    members = [m["_id"] for m in account["_account"]["members"]]
    picked = rng.sample(range(len(items)), min(len(items), changes))
    out = []
    for n, index in enumerate(picked):
        share = n / max(changes, 1)
        before = _destination(items[index])
        address = f"launchdarkly_destination.d{n}"
        if share < 0.5:
            after = {**before, "on": not before["on"]} if n % 2 else {**before, "name": f"x{n}"}
            out.append(_change(address, ["update"], before, after))
        elif share < 0.7:
            new = {**before, "id": None, "env_key": f"new{n}", "name": f"new-{n}"}
            out.append(_change(address, ["create"], None, new))
        elif share < 0.8:
            out.append(_change(address, ["delete"], before, None))
        elif share < 0.9 and roles:
            role = roles[n % len(roles)]
            statements = [
                {"effect": s["effect"], "resources": s.get("resources"),
                 "actions": s.get("actions"), "not_resources": None, "not_actions": None}
                for s in role["policy"]
            ]  # fmt: skip
            widened = [*statements, {"effect": "allow", "resources": ["proj/*:env/*:destination/*"],
                                     "actions": ["updateOn"], "not_resources": None,
                                     "not_actions": None}]  # fmt: skip
            common = {
                "key": role["key"],
                "name": role["key"],
                "id": role["key"],
                "base_permissions": "no_access",
                "description": "",
                "policy": [],
            }
            out.append(_change(f"launchdarkly_custom_role.r{n}", ["update"],
                               {**common, "policy_statements": statements},
                               {**common, "policy_statements": widened}))  # fmt: skip
        elif teams:
            team = teams[n % len(teams)]
            common = {
                "key": team["key"],
                "name": team["key"],
                "id": team["key"],
                "custom_role_keys": [r["key"] for r in team["roles"]["items"]],
                "maintainers": [],
                "description": "",
                "role_attributes": [],
            }
            out.append(_change(f"launchdarkly_team.t{n}", ["update"],
                               {**common, "member_ids": []},
                               {**common, "member_ids": rng.sample(members, 20)}))  # fmt: skip
    out += [_change(f"aws_s3_bucket.b{n}", ["create"], None, {"bucket": f"b{n}"})
            for n in range(changes)]  # fmt: skip
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {},
        "resource_changes": out,
        "configuration": {},
        "complete": True,
        "errored": False,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--roles", type=int, default=100)
    parser.add_argument("--destinations", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", metavar="README", help="put the table between plan markers")
    args = parser.parse_args(argv)
    _, account = generate(args.members, args.roles, args.destinations, args.seed)
    document = make_plan(account, args.changes, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        snapshot, plan_path, out = work / "account.json", work / "plan.json", work / "out.json"
        snapshot.write_text(json.dumps(account), encoding="utf-8")
        plan_path.write_text(json.dumps(document), encoding="utf-8")
        common = ["--fail-on", "never", "-f", f"json:{out}"]
        diff_t = measure(auditor("diff", str(snapshot), str(snapshot), *common), args.repeat)
        review = auditor("review", "--plan", str(plan_path), str(snapshot), *common)
        review_t = measure(review, args.repeat)
        report = json.loads(out.read_text())
    ratio = review_t / diff_t
    sizes = (f"--members {args.members} --roles {args.roles} --destinations {args.destinations}"
             f" --changes {args.changes}")  # fmt: skip
    summary = report["summary"]
    table = "\n".join(
        [
            f"Measured with `benchmarks/plan.py {sizes}` (median of {args.repeat} after a"
            " warm-up, both runs side by side):",
            "",
            "| work | wall | ratio |",
            "| --- | --- | --- |",
            f"| `diff` of the account snapshot with itself ({args.destinations:,} destinations,"
            f" {args.members:,} members): two audits and the comparison | {diff_t:.2f} s |"
            " 1.00x |",
            f"| `review --plan` of {len(document['resource_changes']):,} resource changes"
            f" ({len(report['plan']['resources'])} LaunchDarkly ones;"
            f" {summary['destinations']['changed']} destinations changed,"
            f" {len(report['access']['changes'])} access changes,"
            f" {summary['findings']['introduced']} findings introduced) | {review_t:.2f} s |"
            f" {ratio:.2f}x |",
        ]
    )
    print(table)
    if args.write:
        write_between_markers(Path(args.write), table, "plan", "Reviewing a Terraform plan")


if __name__ == "__main__":
    main()
