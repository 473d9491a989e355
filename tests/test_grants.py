"""LaunchDarkly's access semantics over a whole account, each from a minimal export."""

from __future__ import annotations

from typing import Any

from auditor.launchdarkly.document import build_document
from auditor.launchdarkly.inventory import Inventory
from auditor.launchdarkly.principals import review_access


def dest(ident: str, project: str, environment: str) -> dict[str, Any]:
    href = f"/api/v2/destinations/{project}/{environment}/{ident}"
    return {
        "_id": ident,
        "name": ident,
        "kind": "kinesis",
        "on": True,
        "_links": {"self": {"href": href}},
    }


ITEMS = [
    dest("pay-prod", "pay", "production"),
    dest("pay-dev", "pay", "dev"),
    dest("web-prod", "web", "production"),
]
EVERYWHERE = ["proj/*:env/*:destination/*"]
PRODUCTION = ["proj/*:env/production:destination/*"]


def role(key: str, *policy: dict[str, Any]) -> dict[str, Any]:
    return {"_id": f"id-{key}", "key": key, "name": key, "policy": list(policy)}


def allow(resources: list[str], *actions: str) -> dict[str, Any]:
    return {"effect": "allow", "resources": resources, "actions": list(actions)}


def deny(resources: list[str], *actions: str) -> dict[str, Any]:
    return {"effect": "deny", "resources": resources, "actions": list(actions)}


def who_can(account: dict[str, Any], action: str = "updateOn") -> dict[tuple[str, str], set[str]]:
    """(principal kind, label) -> the destinations it may do `action` on."""
    document = build_document({"items": ITEMS, "_account": account})
    review = review_access(document.account, Inventory(document.destinations))
    found: dict[tuple[str, str], set[str]] = {}
    for grant in review.grants:
        if grant.action == action:
            found.setdefault((grant.principal.kind, grant.principal.label), set()).add(
                grant.destination.id
            )
    return found


def test_inside_one_role_a_deny_wins_whatever_the_order():
    account = {
        "roles": [role("ops", deny(PRODUCTION, "updateOn"), allow(EVERYWHERE, "*"))],
        "members": [{"_id": "m1", "email": "a@x", "role": "reader", "customRoles": ["id-ops"]}],
    }
    assert who_can(account) == {("member", "a@x"): {"pay-dev"}}


def test_across_roles_the_most_permissive_decision_wins():
    account = {
        "roles": [role("ops", allow(EVERYWHERE, "*")), role("guardrail", deny(PRODUCTION, "*"))],
        "members": [
            {
                "_id": "m1",
                "email": "a@x",
                "role": "reader",
                "customRoles": ["id-ops", "id-guardrail"],
            }
        ],
    }
    assert who_can(account) == {("member", "a@x"): {"pay-prod", "pay-dev", "web-prod"}}


def test_a_team_role_adds_to_a_members_own_role_and_its_deny_takes_nothing_away():
    account = {
        "roles": [
            role("pay-exporters", allow(["proj/pay:env/*:destination/*"], "updateOn")),
            role(
                "web-not-pay",
                deny(["proj/pay:env/*:destination/*"], "*"),
                allow(["proj/web:env/*:destination/*"], "updateOn"),
            ),
        ],
        "teams": [{"key": "payments", "roles": {"items": [{"key": "pay-exporters"}]}}],
        "members": [
            {
                "_id": "m1",
                "email": "a@x",
                "role": "reader",
                "customRoles": ["id-web-not-pay"],
                "teams": [{"key": "payments"}],
            }
        ],
    }
    # The member's own role reaches web; its deny on pay is inside that role only, so the team's
    # role (held by the member too) still allows pay: the member can turn off all three.
    assert who_can(account) == {
        ("member", "a@x"): {"web-prod"},
        ("team", "payments"): {"pay-prod", "pay-dev"},
    }
    document = build_document({"items": ITEMS, "_account": account})
    review = review_access(document.account, Inventory(document.destinations))
    assert review.team_members == {"payments": ("m1",)}  # the member holds the team's grants


def test_a_members_custom_roles_replace_its_base_role_but_the_owner_keeps_its_own():
    account = {
        "roles": [role("viewer", allow(["proj/*"], "viewProject"))],
        "members": [
            {
                "_id": "m1",
                "email": "admin-with-role@x",
                "role": "admin",
                "customRoles": ["id-viewer"],
            },
            {"_id": "m2", "email": "owner@x", "role": "owner", "customRoles": ["id-viewer"]},
            {"_id": "m3", "email": "admin@x", "role": "admin"},
        ],
    }
    assert set(who_can(account)) == {("member", "owner@x"), ("member", "admin@x")}


def test_role_attributes_are_expanded_per_member_and_per_team():
    scoped = role(
        "exporter",
        allow(["proj/${roleAttribute/projectKey}:env/production:destination/*"], "updateOn"),
    )
    account = {
        "roles": [scoped],
        "teams": [
            {
                "key": "web-team",
                "roles": {"items": [{"key": "exporter"}]},
                "roleAttributes": {"projectKey": ["web"]},
            }
        ],
        "members": [
            {
                "_id": "m1",
                "email": "pay@x",
                "role": "reader",
                "customRoles": ["id-exporter"],
                "roleAttributes": {"projectKey": ["pay"]},
            },
            {
                "_id": "m2",
                "email": "both@x",
                "role": "reader",
                "customRoles": ["id-exporter"],
                "roleAttributes": {"projectKey": ["pay", "web"]},
            },
        ],
    }
    assert who_can(account) == {
        ("member", "pay@x"): {"pay-prod"},
        ("member", "both@x"): {"pay-prod", "web-prod"},
        ("team", "web-team"): {"web-prod"},
    }


def test_a_role_attribute_missing_from_the_assignment_could_cover_anything():
    scoped = role(
        "exporter",
        allow(["proj/${roleAttribute/projectKey}:env/production:destination/*"], "updateOn"),
    )
    account = {
        "roles": [scoped],
        "members": [
            {"_id": "m1", "email": "a@x", "role": "reader", "customRoles": ["id-exporter"]}
        ],
    }
    document = build_document({"items": ITEMS, "_account": account})
    review = review_access(document.account, Inventory(document.destinations))
    reached = {(g.destination.id, g.certain) for g in review.grants}
    assert reached == {("pay-prod", False), ("web-prod", False)}


def test_a_token_with_an_inline_policy_and_a_personal_token_bounded_by_its_member():
    inline = [allow(["proj/pay:env/*:destination/*"], "updateOn")]
    account = {
        "members": [
            {"_id": "m1", "email": "reader@x", "role": "reader"},
            {"_id": "m2", "email": "admin@x", "role": "admin"},
        ],
        "tokens": [
            {
                "_id": "t1",
                "name": "bot",
                "serviceToken": True,
                "inlineRole": inline,
                "memberId": "m1",
            },
            {
                "_id": "t2",
                "name": "readers-pat",
                "serviceToken": False,
                "inlineRole": inline,
                "memberId": "m1",
            },
            {
                "_id": "t3",
                "name": "admins-pat",
                "serviceToken": False,
                "inlineRole": inline,
                "memberId": "m2",
            },
        ],
    }
    found = who_can(account)
    assert found[("token", "bot")] == {"pay-prod", "pay-dev"}
    assert ("token", "readers-pat") not in found  # a personal token never does more than its member
    assert found[("token", "admins-pat")] == {"pay-prod", "pay-dev"}


def test_an_unknown_base_role_is_read_as_the_most_powerful_and_a_missing_role_is_not_audited():
    account = {
        "members": [
            {"_id": "m1", "email": "new@x", "role": "architect"},
            {"_id": "m2", "email": "ghost@x", "role": "reader", "customRoles": ["id-deleted"]},
        ],
    }
    document = build_document({"items": ITEMS, "_account": account})
    review = review_access(document.account, Inventory(document.destinations))
    assert {g.principal.label for g in review.grants} == {"new@x"}
    assert [(g.endpoint, g.status) for g in review.not_audited] == [("/api/v2/roles", None)]
    assert "id-deleted" in review.not_audited[0].reason


def test_a_plain_export_audits_only_the_caller():
    document = build_document({"items": ITEMS})
    review = review_access(document.account, Inventory(document.destinations))
    assert review.scope == "caller"
    assert review.summary.startswith("only the access of the caller that fetched the export")


def test_a_read_only_callers_export_says_in_every_report_that_only_the_caller_was_audited(
    run, tmp_path
):
    denied = {"effect": "deny"}  # what LaunchDarkly records for an implicit deny
    items = []
    for item in ITEMS:
        actions = ("deleteDestination", "updateOn", "updateConfiguration", "updateName")
        items.append(
            {
                **item,
                "_access": {
                    "allowed": [],
                    "denied": [{"action": a, "reason": denied} for a in actions],
                },
            }
        )
    export = tmp_path / "read-only.json"
    export.write_text(__import__("json").dumps({"items": items}), encoding="utf-8")
    formats = ("text", "json", "markdown", "html", "sarif", "junit")
    args = [arg for name in formats for arg in ("-f", f"{name}:{tmp_path / name}")]
    result = run("check", str(export), *args, "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    for name in formats:  # the caller may do nothing, and no report lets that pass for "nobody"
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "only the access of the caller that fetched the export" in text, name
        assert "fetch with --account to audit every member, team and token" in text, name


def test_who_counts_members_through_teams_and_tokens(run, tmp_path):
    account = {
        "roles": [role("exporters", allow(EVERYWHERE, "updateOn"))],
        "teams": [{"key": "data", "roles": {"items": [{"key": "exporters"}]}}],
        "members": [
            {"_id": "m1", "email": "a@x", "role": "admin", "teams": [{"key": "data"}]},
            {"_id": "m2", "email": "b@x", "role": "reader", "teams": [{"key": "data"}]},
            {"_id": "m3", "email": "c@x", "role": "reader"},
        ],
        "tokens": [{"_id": "t1", "name": "bot", "serviceToken": True, "role": "writer"}],
    }
    export = tmp_path / "account.json"
    export.write_text(
        __import__("json").dumps({"items": ITEMS[:1], "_account": account}), encoding="utf-8"
    )
    rules = tmp_path / "rules"
    rules.mkdir()
    for name, bounds in (("at-most-two", "{max: 2}"), ("at-most-three", "{max: 3}")):
        (rules / f"{name}.yaml").write_text(
            f"id: {name}\ntitle: t\nseverity: high\nsummary: s\nrationale: r\nremediation: m\n"
            f"scope: destinations\nassert: {{who: {{action: updateOn, count: {bounds}}}}}\nmessage: too many\n",
            encoding="utf-8",
        )
    report = run(
        "check", str(export), "--no-builtin-rules", "--rules", str(rules), "-f", "json"
    ).json
    # a@x and b@x (both through the team; a@x is an admin too) and the token: three, not four.
    assert [f["rule_id"] for f in report["findings"]] == ["at-most-two"]


def test_the_account_and_the_access_operators_share_one_deny_wins_in_a_role():
    """A role's deny read with the account narrows the reach of the same role's allow wherever
    it is measured: in the account's grants and in the reach figure of a statement `_access`
    cites (both go through Inventory.role_reach); a deny of another role takes nothing."""
    from auditor.launchdarkly.principals import audit_access
    from auditor.launchdarkly.statements import Policy

    account = {
        "roles": [
            role("ops", allow(EVERYWHERE, "updateOn"), deny(PRODUCTION, "updateOn")),
            role("guard", deny(EVERYWHERE, "updateOn")),
        ],
        "members": [{"_id": "m1", "email": "a@x", "role": "reader", "customRoles": ["id-ops"]}],
    }
    document = build_document({"items": ITEMS, "_account": account})
    inventory, review = audit_access(document.destinations, document.account)
    granted = {g.destination.id for g in review.grants if g.action == "updateOn"}
    ops_allow = Policy(effect="allow", resources=tuple(EVERYWHERE), not_resources=(),
                       actions=("updateOn",), not_actions=(), role_name="ops")  # fmt: skip
    guard_allow = Policy(effect="allow", resources=tuple(EVERYWHERE), not_resources=(),
                         actions=("updateOn",), not_actions=(), role_name="other")  # fmt: skip
    assert granted == {"pay-dev"}
    assert set(inventory.reach(ops_allow, "updateOn").destination_ids) == granted
    # `guard` denies everything, but only inside itself: another role's allow keeps it all.
    assert inventory.reach(guard_allow, "updateOn").count == 3
    # Without the account, nothing is known of role ops' denies.
    assert Inventory(document.destinations).reach(ops_allow, "updateOn").count == 3
