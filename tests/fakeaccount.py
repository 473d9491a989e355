"""A whole LaunchDarkly account served by the fake API: paginated lists, planted sentinels.

Shapes follow LaunchDarkly's OpenAPI (CustomRoles, Teams with `expand`, Members, Tokens,
Projects with expanded Environments, CallerIdentityRep). Every secret and every piece of
personal data auditor must not keep holds SENTINEL: SDK keys (`apiKey`, `mobileKey`), token
values (`token`) and members' names.
"""

from __future__ import annotations

from typing import Any

from fakeapi import DESTINATIONS, FakeLaunchDarkly, destination, destinations, ok

SENTINEL = "SENTINEL7f3c"
ROLES = "/api/v2/roles?limit=50"
TEAMS = "/api/v2/teams?expand=roles,members,roleAttributes&limit=100"
MEMBERS = "/api/v2/members?expand=customRoles,roleAttributes&limit=100"
TOKENS = "/api/v2/tokens?showAll=true&limit=100"
PROJECTS = "/api/v2/projects?expand=environments&limit=100"
CALLER = "/api/v2/caller-identity"
NOW = "2026-01-31T12:00:00Z"
RECENT = 1769700000000  # 2026-01-29
OLD = 1600000000000  # 2020-09-13

D_PAY_PROD = "65a000000000000000000001"
D_PAY_STAGING = "65a000000000000000000002"
D_WEB_PROD = "65a000000000000000000003"


def _allow(resources: list[str], actions: list[str]) -> dict[str, Any]:
    return {"effect": "allow", "resources": resources, "actions": actions}


def _deny(resources: list[str], actions: list[str]) -> dict[str, Any]:
    return {"effect": "deny", "resources": resources, "actions": actions}


def role(ident: str, key: str, policy: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "_id": ident,
        "_links": {"self": {"href": f"/api/v2/roles/{key}", "type": "application/json"}},
        "key": key,
        "name": key,
        "description": "",
        "policy": policy,
        "basePermissions": "no_access",
        "resourceCategory": "any",
    }


ALL_DESTINATIONS = ["proj/*:env/*:destination/*"]
PRODUCTION = ["proj/*:env/production:destination/*"]
ROLE_ITEMS = [
    # Inside one role a deny wins: platform-admin may not turn production exports off.
    role(
        "r1", "platform-admin", [_allow(ALL_DESTINATIONS, ["*"]), _deny(PRODUCTION, ["updateOn"])]
    ),
    # A deny in another role takes nothing away: bob holds both.
    role("r2", "prod-guardrail", [_deny(PRODUCTION, ["*"])]),
    role(
        "r3",
        "project-exporter",
        [
            _allow(
                ["proj/${roleAttribute/projectKey}:env/*:destination/*"],
                ["updateOn", "deleteDestination"],
            )
        ],
    ),
    role("r4", "viewers", [_allow(["proj/*"], ["viewProject"])]),
]


def member(
    ident: str,
    email: str,
    base: str,
    *,
    custom: list[str] | None = None,
    teams: list[tuple[str, list[str]]] | None = None,
    attributes: dict[str, list[str]] | None = None,
    last_seen: int | None = RECENT,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "_links": {"self": {"href": f"/api/v2/members/{ident}", "type": "application/json"}},
        "_id": ident,
        "firstName": f"First{SENTINEL}",
        "lastName": f"Last{SENTINEL}",
        "role": base,
        "email": email,
        "_pendingInvite": False,
        "_verified": True,
        "customRoles": custom or [],
        "mfa": "enabled",
        "_lastSeen": last_seen if last_seen is not None else 0,
        "creationDate": 1600000000000,
        "teams": [
            {"key": key, "name": key, "customRoleKeys": roles} for key, roles in (teams or [])
        ],
    }
    if attributes is not None:
        item["roleAttributes"] = attributes
    return item


MEMBER_ITEMS = [
    member("m1", "alice@example.com", "admin", teams=[("everyone", ["viewers"])]),
    member(
        "m2",
        "bob@example.com",
        "reader",
        custom=["r1", "r2"],
        teams=[("everyone", ["viewers"])],
    ),
    member(
        "m3",
        "carol@example.com",
        "reader",
        teams=[("payments", ["project-exporter"]), ("everyone", ["viewers"])],
    ),
    member("m4", "dave@example.com", "writer", teams=[("everyone", ["viewers"])], last_seen=None),
    member(
        "m5",
        "erin@example.com",
        "no_access",
        custom=["r3"],
        attributes={"projectKey": ["web"]},
        teams=[("everyone", ["viewers"])],
        last_seen=OLD,
    ),
]

TEAM_ITEMS = [
    {
        "key": "payments",
        "name": "Payments",
        "roleAttributes": {"projectKey": ["pay"]},
        "roles": {
            "items": [{"key": "project-exporter", "name": "project-exporter"}],
            "totalCount": 1,
        },
        "members": {"totalCount": 1},
    },
    {
        "key": "everyone",
        "name": "Everyone",
        "roles": {"items": [{"key": "viewers", "name": "viewers"}], "totalCount": 1},
        "members": {"totalCount": 5},
    },
]


def token(ident: str, name: str, **fields: Any) -> dict[str, Any]:
    return {
        "_id": ident,
        "_links": {"self": {"href": f"/api/v2/tokens/{ident}", "type": "application/json"}},
        "ownerId": "owner0",
        "memberId": fields.pop("memberId", "m1"),
        "creationDate": 1600000000000,
        "lastModified": 1600000000000,
        "name": name,
        "token": f"api-{SENTINEL}-{ident}",
        "defaultApiVersion": 20240415,
        **fields,
    }


TOKEN_ITEMS = [
    token("t1", "terraform", role="writer", serviceToken=True, customRoleIds=[], inlineRole=[]),
    token(
        "t2",
        "bob-cli",
        serviceToken=False,
        memberId="m2",
        inlineRole=[_allow(["proj/pay:env/*:destination/*"], ["deleteDestination"])],
    ),
    token("t3", "reader-ci", role="reader", serviceToken=True),
]


def environment(key: str, critical: bool) -> dict[str, Any]:
    return {
        "_links": {"self": {"href": f"/api/v2/projects/p/environments/{key}"}},
        "_id": f"env-{key}",
        "key": key,
        "name": key,
        "apiKey": f"sdk-{SENTINEL}-{key}",
        "mobileKey": f"mob-{SENTINEL}-{key}",
        "color": "F5A623",
        "defaultTtl": 0,
        "secureMode": False,
        "defaultTrackEvents": False,
        "requireComments": False,
        "confirmChanges": False,
        "tags": [],
        "critical": critical,
    }


PROJECT_ITEMS = [
    {
        "_links": {"self": {"href": "/api/v2/projects/pay"}},
        "_id": "p1",
        "key": "pay",
        "name": "Payments",
        "includeInSnippetByDefault": False,
        "tags": [],
        "environments": {
            "items": [environment("production", True), environment("staging", False)],
            "totalCount": 2,
        },
    },
    {
        "_links": {"self": {"href": "/api/v2/projects/web"}},
        "_id": "p2",
        "key": "web",
        "name": "Web",
        "includeInSnippetByDefault": False,
        "tags": [],
        "environments": {"items": [environment("production", True)], "totalCount": 1},
    },
]


def _pages(path: str, items: list[dict[str, Any]], size: int) -> list[tuple[str, dict[str, Any]]]:
    """The list as LaunchDarkly pages it: `limit`/`offset` and `_links.next`, `totalCount`."""
    base = path.split("?")[0]
    pages = []
    for start in range(0, len(items), size):
        here = path if start == 0 else f"{path}&offset={start}"
        links: dict[str, Any] = {"self": {"href": here, "type": "application/json"}}
        if start + size < len(items):
            links["next"] = {"href": f"{path}&offset={start + size}", "type": "application/json"}
        pages.append(
            (
                here,
                {"_links": links, "items": items[start : start + size], "totalCount": len(items)},
            )
        )
    assert base
    return pages


def serve_account(fake: FakeLaunchDarkly, *, forbidden: tuple[str, ...] = ()) -> None:
    """Script the whole account on `fake`; paths in `forbidden` answer 403."""
    from fakeapi import FORBIDDEN

    first = destination(
        D_PAY_PROD, name="pay-prod-kinesis", kind="kinesis", project="pay", environment="production"
    )
    second = destination(
        D_PAY_STAGING,
        name="pay-staging-kinesis",
        kind="kinesis",
        project="pay",
        environment="staging",
    )
    third = destination(D_WEB_PROD, name="web-prod-pubsub", project="web", environment="production")
    fake.script(DESTINATIONS, ok(destinations(first, second, next_href=f"{DESTINATIONS}?offset=2")))
    fake.script(f"{DESTINATIONS}?offset=2", ok(destinations(third)))
    fake.script(
        CALLER,
        ok(
            {
                "accountId": "acct1",
                "authKind": "token",
                "tokenId": "t9",
                "tokenName": "auditor",
                "tokenKind": "personal",
                "serviceToken": False,
                "memberId": "m1",
            }
        ),
    )
    for path, items, size in (
        (ROLES, ROLE_ITEMS, 2),
        (TEAMS, TEAM_ITEMS, 1),
        (MEMBERS, MEMBER_ITEMS, 2),
        (TOKENS, TOKEN_ITEMS, 2),
        (PROJECTS, PROJECT_ITEMS, 1),
    ):
        for here, page in _pages(path, items, size):
            fake.script(here, FORBIDDEN if path in forbidden else ok(page))
