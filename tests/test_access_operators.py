"""The LaunchDarkly-aware operators: coverage, grants, reach, `can`, scope, targets, duplicates."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import destination, export

from auditor.engine import Context, destination_subject, statement_subject
from auditor.language.conditions import compile_condition
from auditor.language.vocabulary import ConditionError
from auditor.launchdarkly.document import build_document
from auditor.launchdarkly.inventory import Inventory
from auditor.models import Destination

ALL = "proj/*:env/*:destination/*"
PROD = "proj/*:env/production:destination/*"


def allow(
    *actions: str, resources: tuple[str, ...] = (ALL,), role: str | None = "admin", **more: Any
) -> dict[str, Any]:
    reason: dict[str, Any] = {"effect": "allow", "resources": list(resources), **more}
    if actions:
        reason["actions"] = list(actions)
    if role is not None:
        reason["role_name"] = role
    return reason


def access(
    allowed: dict[str, dict[str, Any]] | None = None,
    denied: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "allowed": [{"action": a, "reason": r} for a, r in (allowed or {}).items()],
        "denied": [{"action": a, "reason": r} for a, r in (denied or {}).items()],
    }


def inventory(*items: dict[str, Any]) -> Inventory:
    document = build_document(export(*items))
    assert not document.problems
    return Inventory(document.destinations)


def ctx_for(inv: Inventory, position: int = 0, trail: list[str] | None = None) -> Context:
    return Context(inv, inv[position], trail=trail)


def holds(spec: Any, value: Any, ctx: Any = None, params: dict[str, Any] | None = None) -> bool:
    return compile_condition(spec, params or {}).holds(value, ctx)


def statement_of(dest: Destination, number: int = 0) -> dict[str, Any]:
    return statement_subject(dest.statements[number], destination_subject(dest))


# A small account: 3 projects, 5 environments, 8 destinations.
PLACES = [
    ("payments", "production"),
    ("payments", "production"),
    ("payments", "staging"),
    ("checkout", "production"),
    ("checkout", "prod-eu"),
    ("checkout", "staging"),
    ("web", "production"),
    ("web", "production"),
]
ACCOUNT = inventory(
    *(
        destination(
            f"6523f1c0a9e7b2d4c8f01b{n:02d}",
            project=p,
            environment=e,
            access=access({"updateName": allow("updateName")}),
        )
        for n, (p, e) in enumerate(PLACES)
    )
)

# --------------------------------------------------------------------------------------------------
# resource_covers, action_covers, valid_specifier: on one value

RESOURCE_COVERS = [
    (ALL, "proj/payments:env/production:destination/d1", True),
    (ALL, PROD, True),
    (PROD, ALL, False),
    ("proj/*:env/prod*:destination/*", PROD, True),
    ("proj/payments:env/production:destination/*", PROD, False),
    ("proj/*;pci:env/*:destination/*", PROD, True),  # tags unknown: could cover
    ("proj/${roleAttribute/projectKey}:env/*:destination/*", PROD, True),  # could cover
    ("proj/*:env/*", PROD, False),  # names environments, not destinations
    ("proj/*:env/*;:destination/*", PROD, False),  # does not parse: names nothing
]


@pytest.mark.parametrize(("value", "operand", "expected"), RESOURCE_COVERS)
def test_resource_covers(value: str, operand: str, expected: bool) -> None:
    assert holds({"resource_covers": operand}, value) is expected


def test_resource_covers_on_a_statements_resources() -> None:
    stmt = {
        "resources": [
            "proj/payments:env/production:destination/*",
            "proj/*:env/staging:destination/*",
        ]
    }
    assert holds(
        {"resources": {"any": {"resource_covers": "proj/checkout:env/staging:destination/d1"}}},
        stmt,
    )
    assert not holds(
        {"resources": {"any": {"resource_covers": "proj/checkout:env/production:destination/d1"}}},
        stmt,
    )


ACTION_COVERS = [
    ("*", "updateOn", True),
    ("update*", "updateOn", True),
    ("update*", "deleteDestination", False),
    ("updateOn", "updateOn", True),
    ("updateOn", "update*", False),
    ("*", "update*", True),
    ("UpdateOn", "updateOn", False),  # case-sensitive
]


@pytest.mark.parametrize(("value", "operand", "expected"), ACTION_COVERS)
def test_action_covers(value: str, operand: str, expected: bool) -> None:
    assert holds({"action_covers": operand}, value) is expected


def test_valid_specifier() -> None:
    assert holds({"valid_specifier": True}, "proj/*:env/*;qa_*:/flag/*")
    assert holds({"valid_specifier": False}, "proj/payments:env/production;:destination/*")
    assert not holds({"valid_specifier": True}, "proj/payments:env/prod uction")
    assert not holds({"valid_specifier": True}, 42)


def test_resource_wildcard_takes_a_list_of_types() -> None:
    assert holds({"resource_wildcard": ["proj", "env"]}, "proj/payments:env/prod*:destination/d1")
    assert not holds(
        {"resource_wildcard": ["proj", "env"]}, "proj/payments:env/production:destination/*"
    )
    assert not holds(
        {"resource_wildcard": ["proj", "env"]}, "proj/payments;team-a:env/production:destination/*"
    )


# --------------------------------------------------------------------------------------------------
# grants: what a statement allows, after inversion

GRANTS = [
    ({"action": "updateOn", "on": PROD}, allow("updateOn"), True),
    ({"action": "updateOn", "on": PROD}, allow("deleteDestination"), False),
    ({"action": "updateOn", "on": PROD}, allow(role=None, notActions=["deleteDestination"]), True),
    ({"action": "deleteDestination", "on": PROD}, allow(notActions=["delete*"]), False),
    (
        {"action": "updateOn", "on": PROD},
        allow("*", resources=("proj/payments:env/production:destination/*",)),
        False,
    ),
    (
        {"action": "updateOn", "on": PROD},
        allow("*", resources=("proj/*:env/prod*:destination/*",)),
        True,
    ),
    (
        {"action": "updateOn", "on": PROD},
        {"effect": "allow", "notResources": ["proj/*:env/staging:destination/*"], "actions": ["*"]},
        True,
    ),
    (
        {"action": "updateOn", "on": PROD},
        {"effect": "allow", "notResources": ["proj/sandbox:env/*:destination/*"], "actions": ["*"]},
        False,
    ),
    (
        {"action": "updateOn", "on": PROD},
        allow("*", resources=("proj/*;pci:env/*:destination/*",)),
        True,
    ),  # could
    (
        {"action": "updateOn", "on": PROD},
        {"effect": "deny", "resources": [ALL], "actions": ["*"]},
        False,
    ),
    (
        {
            "action": ["deleteDestination", "updateOn"],
            "on": "proj/payments:env/production:destination/d1",
        },
        allow("updateOn", resources=(PROD,)),
        True,
    ),
    ({"action": "update*", "on": PROD}, allow("updateOn"), False),
    ({"action": "update*", "on": PROD}, allow("update*"), True),
]


@pytest.mark.parametrize(("operand", "stmt", "expected"), GRANTS)
def test_grants(operand: dict[str, Any], stmt: dict[str, Any], expected: bool) -> None:
    assert holds({"grants": operand}, stmt) is expected


def test_grants_without_on_asks_about_the_destination_in_context() -> None:
    inv = ACCOUNT
    payments_only = allow("updateOn", resources=("proj/payments:env/*:destination/*",))
    assert holds({"grants": {"action": "updateOn"}}, payments_only, ctx_for(inv, 2))
    assert not holds({"grants": {"action": "updateOn"}}, payments_only, ctx_for(inv, 3))


def test_grants_explains_the_chain_and_the_reach() -> None:
    trail: list[str] = []
    stmt = allow("updateOn", resources=(PROD,), role="platform-admin")
    assert holds({"grants": {"action": "updateOn"}}, stmt, ctx_for(ACCOUNT, 0, trail))
    assert trail == [
        "role `platform-admin` allows updateOn on proj/payments:env/production:destination/6523f1c0a9e7b2d4c8f01b00: "
        "actions `updateOn` covers updateOn; resource `proj/*:env/production:destination/*` covers "
        "proj/payments:env/production:destination/6523f1c0a9e7b2d4c8f01b00: proj/* covers proj/payments, "
        "env/production covers env/production, destination/* covers destination/6523f1c0a9e7b2d4c8f01b00",
        "This statement lets role `platform-admin` turn off 5 of 8 destinations in 3 projects (3 environments) of this export",
    ]


def test_grants_explains_an_exclusion() -> None:
    trail: list[str] = []
    stmt = allow(role=None, notActions=["updateOn"])
    assert not holds(
        {"grants": {"action": "updateOn", "on": PROD}}, stmt, ctx_for(ACCOUNT, 0, trail)
    )
    assert trail == [
        "a statement without a role name does not allow updateOn on proj/*:env/production:destination/*: "
        "notActions `updateOn` excludes updateOn; resource `proj/*:env/*:destination/*` covers "
        "proj/*:env/production:destination/*: proj/* covers proj/*, env/* covers env/production, "
        "destination/* covers destination/*"
    ]


# --------------------------------------------------------------------------------------------------
# reach: how far a grant reaches in this export

REACH = [
    ({"destinations": {"gte": 8}}, allow("*"), True),
    ({"destinations": "all", "projects": "all", "environments": "all"}, allow("*"), True),
    ({"destinations": {"gte": 5, "lte": 5}}, allow("*", resources=(PROD,)), True),
    ({"environments": "all"}, allow("*", resources=(PROD,)), False),
    ({"projects": {"equals": 3}}, allow("*", resources=(PROD,)), True),
    ({"projects": {"gte": 2}}, allow("*", resources=("proj/payments:env/*:destination/*",)), False),
    (
        {"environments": {"equals": 2}},
        allow("*", resources=("proj/checkout:env/prod*:destination/*",)),
        True,
    ),
    # notResources inverted: everything but production
    (
        {"destinations": {"equals": 3}},
        {"effect": "allow", "notResources": [PROD], "actions": ["*"]},
        True,
    ),
    # notActions inverted: no reach for the excluded action
    ({"destinations": {"equals": 0}, "action": "updateOn"}, allow(notActions=["update*"]), True),
    ({"destinations": "all", "action": "deleteDestination"}, allow(notActions=["update*"]), True),
    # tags are not in the export: counted as "could reach"
    (
        {"destinations": {"equals": 5}},
        allow("*", resources=("proj/*:env/production;pci:destination/*",)),
        True,
    ),
    # a statement naming destinations by id
    (
        {"destinations": {"equals": 1}},
        allow("*", resources=("proj/web:env/production:destination/6523f1c0a9e7b2d4c8f01b07",)),
        True,
    ),
]


@pytest.mark.parametrize(("operand", "stmt", "expected"), REACH)
def test_reach(operand: dict[str, Any], stmt: dict[str, Any], expected: bool) -> None:
    assert holds({"reach": operand}, stmt, ctx_for(ACCOUNT)) is expected


def test_reach_explains_in_an_auditors_words() -> None:
    trail: list[str] = []
    stmt = allow("*", resources=("proj/*:env/production;pci:destination/*",), role="admin")
    holds(
        {"reach": {"destinations": {"gte": 1}, "action": "updateOn"}},
        stmt,
        ctx_for(ACCOUNT, 0, trail),
    )
    assert trail == [
        "This statement lets role `admin` turn off 5 of 8 destinations in 3 projects (3 environments) "
        "of this export; 5 of them only if tags, role attributes or an unknown project or environment match"
    ]


def test_reach_is_computed_once_per_statement_content(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.launchdarkly.inventory as inventory_module

    calls = []
    real = inventory_module.reach

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(inventory_module, "reach", counting)
    inv = inventory(*(destination(f"6523f1c0a9e7b2d4c8f01c{n:02d}") for n in range(5)))
    spec = compile_condition({"reach": {"destinations": {"gte": 1}}}, {})
    for position in range(5):
        same_content = allow("*", role=f"role-{position}", resources=(ALL, PROD))
        same_content["resources"].reverse()  # order does not change what it targets
        assert spec.holds(same_content, ctx_for(inv, position))
    assert len(calls) == 1


# --------------------------------------------------------------------------------------------------
# can: who can change this export, from `_access`

ADMIN = allow(
    "deleteDestination", "updateOn", "updateConfiguration", "updateName", role="platform-admin"
)
READERS_DENY = {
    "effect": "deny",
    "resources": [PROD],
    "notActions": ["viewProject"],
    "role_name": "Readers",
}
CAN_INVENTORY = inventory(
    destination(
        "6523f1c0a9e7b2d4c8f01d00",
        access=access(
            {"updateOn": ADMIN, "updateName": ADMIN}, {"deleteDestination": READERS_DENY}
        ),
    ),
    destination("6523f1c0a9e7b2d4c8f01d01", access=access()),  # silent
    destination(
        "6523f1c0a9e7b2d4c8f01d02", access=access({"updateOn": ADMIN}, {"updateOn": READERS_DENY})
    ),  # both, by two roles: the more permissive decision (allow) wins across roles
)
# listed both ways by one role: deny wins inside the role
SAME_ROLE = inventory(
    destination(
        "6523f1c0a9e7b2d4c8f01d04",
        access=access(
            {"updateOn": ADMIN}, {"updateOn": {**READERS_DENY, "role_name": "platform-admin"}}
        ),
    )
)
_no_access = destination("6523f1c0a9e7b2d4c8f01d03")
del _no_access["_access"]
NO_ACCESS = inventory(_no_access)

CAN = [
    (CAN_INVENTORY, 0, {"action": "updateOn", "allowed": True}, True),
    (CAN_INVENTORY, 0, {"action": "deleteDestination", "allowed": False}, True),
    (CAN_INVENTORY, 0, {"action": "deleteDestination", "allowed": True}, False),
    (CAN_INVENTORY, 0, {"action": "updateConfiguration", "allowed": "unknown"}, True),  # not listed
    (CAN_INVENTORY, 0, {"action": ["deleteDestination", "updateOn"], "allowed": True}, True),
    (CAN_INVENTORY, 1, {"action": "updateOn", "allowed": "unknown"}, True),  # silent `_access`
    (CAN_INVENTORY, 1, {"action": "updateOn", "allowed": False}, False),  # never "denied"
    (CAN_INVENTORY, 2, {"action": "updateOn", "allowed": False}, False),
    (CAN_INVENTORY, 2, {"action": "updateOn", "allowed": True}, True),
    (SAME_ROLE, 0, {"action": "updateOn", "allowed": False}, True),
    (SAME_ROLE, 0, {"action": "updateOn", "allowed": True}, False),
    (NO_ACCESS, 0, {"action": "updateOn", "allowed": "unknown"}, True),  # missing `_access`
    (NO_ACCESS, 0, {"action": "deleteDestination", "allowed": False}, False),
]


@pytest.mark.parametrize(("inv", "position", "operand", "expected"), CAN)
def test_can(inv: Inventory, position: int, operand: dict[str, Any], expected: bool) -> None:
    ctx = ctx_for(inv, position)
    assert holds({"can": operand}, destination_subject(inv[position]), ctx) is expected


def test_can_by_statement_names_the_deciding_statement() -> None:
    dest = CAN_INVENTORY[0]
    admin, readers = statement_of(dest, 0), statement_of(dest, 1)
    assert admin["role_name"] == "platform-admin" and readers["role_name"] == "Readers"
    by = {"can": {"action": ["updateOn", "deleteDestination"], "allowed": True, "by": "statement"}}
    assert holds(by, admin, ctx_for(CAN_INVENTORY, 0))
    assert not holds(by, readers, ctx_for(CAN_INVENTORY, 0))
    denied_by = {"can": {"action": "deleteDestination", "allowed": False, "by": "statement"}}
    assert holds(denied_by, readers, ctx_for(CAN_INVENTORY, 0))
    # listed both ways by two roles: the allow decides updateOn (allow wins across roles)
    assert holds(by, statement_of(CAN_INVENTORY[2], 0), ctx_for(CAN_INVENTORY, 2))
    # listed both ways by one role: its deny wins, so the allow does not decide updateOn
    assert not holds(by, statement_of(SAME_ROLE[0], 0), ctx_for(SAME_ROLE, 0))


def test_can_explains_the_decision_and_checks_it() -> None:
    trail: list[str] = []
    holds({"can": {"action": "updateOn", "allowed": True}}, {}, ctx_for(CAN_INVENTORY, 0, trail))
    assert trail == [
        "`_access` records updateOn as allowed (/items/0/_access/allowed/0) by role `platform-admin`: "
        "allow deleteDestination, updateOn, updateConfiguration, updateName on proj/*:env/*:destination/*",
        "auditor's reading agrees: resource `proj/*:env/*:destination/*` covers "
        "proj/payments:env/production:destination/6523f1c0a9e7b2d4c8f01d00: proj/* covers proj/payments, "
        "env/* covers env/production, destination/* covers destination/6523f1c0a9e7b2d4c8f01d00",
        "This statement lets role `platform-admin` turn off 3 of 3 destinations in 1 project (1 environment) of this export",
    ]
    silent: list[str] = []
    holds({"can": {"action": "updateOn", "allowed": True}}, {}, ctx_for(NO_ACCESS, 0, silent))
    assert silent == ["`_access` records no action of updateOn as allowed (updateOn unknown)"]


# --------------------------------------------------------------------------------------------------
# scoped_to

SCOPED = [
    ("project", allow("updateOn", resources=("proj/payments:env/*:destination/*",)), True),
    (
        "project",
        allow(
            "updateOn",
            resources=("proj/payments:env/production:destination/*", "proj/payments:env/*:flag/*"),
        ),
        True,
    ),
    ("project", allow("updateOn", resources=("proj/pay*:env/production:destination/*",)), False),
    (
        "project",
        allow("updateOn", resources=("proj/checkout:env/production:destination/*",)),
        False,
    ),
    (
        "project",
        allow(
            "updateOn", resources=("proj/${roleAttribute/projectKey}:env/production:destination/*",)
        ),
        False,
    ),
    (
        "project",
        {"effect": "allow", "notResources": ["proj/sandbox:env/*:destination/*"], "actions": ["*"]},
        False,
    ),
    (
        "environment",
        allow("updateOn", resources=("proj/payments:env/production:destination/*",)),
        True,
    ),
    ("environment", allow("updateOn", resources=("proj/payments:env/*:destination/*",)), False),
    (
        "destination",
        allow(
            "updateOn",
            resources=("proj/payments:env/production:destination/6523f1c0a9e7b2d4c8f01b00",),
        ),
        True,
    ),
    (
        "destination",
        allow("updateOn", resources=("proj/payments:env/production:destination/*",)),
        False,
    ),
]


@pytest.mark.parametrize(("level", "stmt", "expected"), SCOPED)
def test_scoped_to(level: str, stmt: dict[str, Any], expected: bool) -> None:
    assert holds({"scoped_to": level}, stmt, ctx_for(ACCOUNT, 0)) is expected


def test_scoped_to_needs_a_known_project() -> None:
    item = destination("6523f1c0a9e7b2d4c8f01e00")
    del item["_links"]
    inv = inventory(item)
    stmt = allow("updateOn", resources=("proj/payments:env/*:destination/*",))
    assert not holds({"scoped_to": "project"}, stmt, ctx_for(inv))


# --------------------------------------------------------------------------------------------------
# approved_in and duplicates


def kinesis(
    _id: str,
    account: str = "123456789012",
    stream: str = "events",
    *,
    on: bool = True,
    environment: str = "production",
) -> dict[str, Any]:
    config = {
        "region": "us-east-1",
        "roleArn": f"arn:aws:iam::{account}:role/ld",
        "streamName": stream,
    }
    return destination(_id, kind="kinesis", config=config, on=on, environment=environment)


def test_approved_in() -> None:
    approved = {"approved_in": {"kinesis": ["123456789012"]}}
    inv = inventory(
        kinesis("6523f1c0a9e7b2d4c8f01f00"),
        kinesis("6523f1c0a9e7b2d4c8f01f01", account="210987654321"),
        destination(
            "6523f1c0a9e7b2d4c8f01f02", kind="segment", config={"writeKey": "seg********7d0"}
        ),
        destination("6523f1c0a9e7b2d4c8f01f03", config={"project": "anything", "topic": "t"}),
    )
    verdicts = [holds({"target": approved}, destination_subject(d)) for d in inv]
    assert verdicts == [True, False, True, True]  # segment: no target; pubsub: not configured
    assert all(holds({"target": {"approved_in": {}}}, destination_subject(d)) for d in inv)


def test_duplicates_are_grouped_by_place_kind_and_target() -> None:
    inv = inventory(
        kinesis("6523f1c0a9e7b2d4c8f01f10"),
        kinesis("6523f1c0a9e7b2d4c8f01f11"),  # same stream: duplicate
        kinesis("6523f1c0a9e7b2d4c8f01f12", stream="other"),
        kinesis("6523f1c0a9e7b2d4c8f01f13", environment="staging"),  # another environment
        kinesis("6523f1c0a9e7b2d4c8f01f14", on=False),  # turned off
        kinesis("6523f1c0a9e7b2d4c8f01f15", account="210987654321"),  # another account
    )
    counts = []
    for position in range(len(inv)):
        ctx = ctx_for(inv, position)
        counts.append(next(n for n in range(3) if holds({"duplicates": {"equals": n}}, {}, ctx)))
    assert counts == [1, 1, 0, 0, 0, 0]


def test_duplicates_name_five_peers_and_count_the_rest() -> None:
    inv = inventory(*(kinesis(f"6523f1c0a9e7b2d4c8f01f{n:02d}") for n in range(20, 28)))
    trail: list[str] = []
    assert holds({"duplicates": {"equals": 7}}, {}, ctx_for(inv, 0, trail))
    named = [line for line in trail if line.startswith("enabled destination")]
    assert len(named) == 5
    assert trail[-1] == "and 2 more destinations"


# --------------------------------------------------------------------------------------------------
# Operands are checked when the rule is compiled

COMPILE_ERRORS = [
    ({"resource_covers": 3}, ("resource_covers",), "expected a resource specifier string"),
    (
        {"resource_covers": "proj/*:env/"},
        ("resource_covers",),
        "'proj/*:env/' is not a resource specifier: empty resource key at 11",
    ),
    (
        {"resource_covers": "proj/*;pci:env/*"},
        ("resource_covers",),
        "'proj/*;pci:env/*': tags, properties and views are not in the export; use keys",
    ),
    (
        {"resource_covers": "proj/${roleAttribute/p}"},
        ("resource_covers",),
        "'proj/${roleAttribute/p}': a role attribute names no resource by itself",
    ),
    ({"action_covers": ["updateOn"]}, ("action_covers",), "expected one action, such as updateOn"),
    (
        {"action_covers": "update On"},
        ("action_covers",),
        "'update On' is not an action such as updateOn or a glob such as update*",
    ),
    ({"valid_specifier": "yes"}, ("valid_specifier",), "expected true or false"),
    (
        {"grants": {"actions": "updateOn"}},
        ("grants",),
        "unknown key 'actions' (did you mean 'action'?); expected {action: <action or list>, on: <resource or pattern>} (on: this destination if absent)",
    ),
    (
        {"grants": {"on": PROD}},
        ("grants",),
        "missing key 'action'; expected {action: <action or list>, on: <resource or pattern>} (on: this destination if absent)",
    ),
    (
        {"grants": {"action": [], "on": PROD}},
        ("grants", "action"),
        "expected an action such as updateOn or a glob such as update*, or a list of them",
    ),
    (
        {"grants": {"action": "updateOn", "on": "proj/*:env/*;"}},
        ("grants", "on"),
        "'proj/*:env/*;' is not a resource specifier: empty tag at 13",
    ),
    (
        {"reach": {}},
        ("reach",),
        "expected {destinations|projects|environments: {gte: n} or all, action: <action>}",
    ),
    (
        {"reach": {"action": "updateOn"}},
        ("reach",),
        "expected {destinations|projects|environments: {gte: n} or all, action: <action>}",
    ),
    (
        {"reach": {"projects": {"gte": -1}}},
        ("reach", "projects"),
        "expected {gte|gt|lte|lt|equals: n} or all with whole numbers",
    ),
    (
        {"reach": {"projects": "every"}},
        ("reach", "projects"),
        "expected {gte|gt|lte|lt|equals: n} or all with whole numbers",
    ),
    (
        {"reach": {"destinations": "all", "action": "update*"}},
        ("reach", "action"),
        "'update*' is not an action such as updateOn",
    ),
    (
        {"can": {"action": "updateOn"}},
        ("can",),
        "missing key 'allowed'; expected {action: <action or list>, allowed: true|false|unknown, by: statement}",
    ),
    (
        {"can": {"action": "updateOn", "allowed": "yes"}},
        ("can", "allowed"),
        "expected one of true, false, unknown, got 'yes'",
    ),
    (
        {"can": {"action": "updateOn", "allowed": 1}},
        ("can", "allowed"),
        "expected one of true, false, unknown, got 1",
    ),
    (
        {"can": {"action": "update*", "allowed": True}},
        ("can", "action"),
        "'update*' is not an action such as updateOn",
    ),
    (
        {"can": {"action": "updateOn", "allowed": True, "by": "role"}},
        ("can", "by"),
        "expected one of statement, got 'role'",
    ),
    (
        {"can": {"action": "updateOn", "allowed": "unknown", "by": "statement"}},
        ("can", "allowed"),
        "expected true or false with by: statement",
    ),
    (
        {"scoped_to": "team"},
        ("scoped_to",),
        "expected one of project, environment, destination, got 'team'",
    ),
    (
        {"approved_in": ["123"]},
        ("approved_in",),
        "expected a mapping of kind to approved target ids",
    ),
    (
        {"approved_in": {"segment": ["x"]}},
        ("approved_in", "segment"),
        "kind 'segment' has no target auditor can name (kinesis, google-pubsub, azure-event-hubs, snowflake-v2, redshift, clickhouse do)",
    ),
    (
        {"approved_in": {"kinesis": "123456789012"}},
        ("approved_in", "kinesis"),
        "expected a list of target ids (for kinesis: the AWS account id in roleArn)",
    ),
    ({"duplicates": 0}, ("duplicates",), "expected {gte|gt|lte|lt|equals: n} with whole numbers"),
    (
        {"glob": ["a", "b"]},
        ("glob",),
        "expected one glob pattern string, got a list (for several patterns, use or: [{glob: a}, {glob: b}])",
    ),
    ({"production": "prod*"}, ("production",), "expected a non-empty list of glob patterns"),
    (
        {
            "shares_target": {
                "environments": "other",
                "count": {"equals": 0},
                "pairs": "into-production",
            }
        },
        ("shares_target",),
        "expected production_environments with pairs: into-production",
    ),
    (
        {"shares_target": {"environments": "elsewhere", "count": {"equals": 0}}},
        ("shares_target", "environments"),
        "expected one of same, other, got 'elsewhere'",
    ),
    (
        {"environment_peers": 0},
        ("environment_peers",),
        "expected {gte|gt|lte|lt|equals: n} with whole numbers",
    ),
    ({"wildcard_destinations": "yes"}, ("wildcard_destinations",), "expected true or false"),
    (
        {"resource_wildcard": []},
        ("resource_wildcard",),
        "expected true, false or a non-empty list of segment types such as [proj, env]",
    ),
]


@pytest.mark.parametrize(("spec", "where", "message"), COMPILE_ERRORS)
def test_operands_are_checked_at_compile_time(
    spec: Any, where: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ConditionError) as err:
        compile_condition(spec, {})
    assert err.value.where == where
    assert err.value.message == message


def test_operands_can_be_params() -> None:
    params = {"prod": ["production", "prod*"], "approved": {"kinesis": ["123456789012"]}}
    assert holds({"glob": {"param": "pattern"}}, "prod-eu", params={"pattern": "prod*"})
    place = {"project": "payments", "environment": "prod-eu"}
    assert holds({"production": {"param": "prod"}}, place, params=params)
    shares = {"environments": "other", "pairs": "into-production", "count": {"equals": 0}}
    with pytest.raises(ConditionError, match="unknown param 'prd' \\(did you mean 'prod'\\?\\)"):
        compile_condition(
            {"shares_target": {**shares, "production_environments": {"param": "prd"}}}, params
        )
    target = {"kind": "kinesis", "id": "123456789012", "fields": {}}
    assert holds({"approved_in": {"param": "approved"}}, target, params=params)


# --------------------------------------------------------------------------------------------------
# A missing path fails every new operator, as it does the others

MISSING = [
    ("resource_covers", {"resource_covers": PROD}),
    ("action_covers", {"action_covers": "updateOn"}),
    ("valid_specifier", {"valid_specifier": True}),
    ("valid_specifier-false", {"valid_specifier": False}),
    ("grants", {"grants": {"action": "updateOn"}}),
    ("reach", {"reach": {"destinations": {"gte": 0}}}),
    ("can", {"can": {"action": "updateOn", "allowed": "unknown"}}),
    ("scoped_to", {"scoped_to": "project"}),
    ("approved_in", {"approved_in": {}}),
    ("duplicates", {"duplicates": {"equals": 0}}),
    ("glob", {"glob": "*"}),
    ("production", {"production": ["prod*"]}),
    ("shares_target", {"shares_target": {"environments": "other", "count": {"equals": 0}}}),
    ("environment_peers", {"environment_peers": {"equals": 0}}),
    ("wildcard_destinations", {"wildcard_destinations": True}),
    ("resource_wildcard-list", {"resource_wildcard": ["proj"]}),
]


@pytest.mark.parametrize("test", [m[1] for m in MISSING], ids=[m[0] for m in MISSING])
def test_a_missing_path_fails_the_new_operators(test: dict[str, Any]) -> None:
    ctx = ctx_for(ACCOUNT)
    subject = destination_subject(ACCOUNT[0])
    assert holds({"no.such.path": test}, subject, ctx) is False
    assert holds({"not": {"no.such.path": test}}, subject, ctx) is True


def test_context_free_evaluation_fails_rather_than_guesses() -> None:
    stmt = allow("*")
    assert not holds({"reach": {"destinations": {"gte": 0}}}, stmt)
    assert not holds({"can": {"action": "updateOn", "allowed": "unknown"}}, stmt)
    assert not holds({"scoped_to": "project"}, stmt)
    assert not holds({"duplicates": {"equals": 0}}, stmt)
