"""Read the whole account beside the destinations: who may hold access, and to what.

`fetch_account` reads, with the client's retries, rate limits and budgets (one deadline, one
byte budget and one retry budget for every request), the endpoints an access review needs and
keeps only the fields it uses: never an SDK key (`apiKey`, `mobileKey`), never a token value,
never a member's name. An endpoint the token may not read (403, or 404/405 where a plan has no
such feature) is listed under `not_audited`, never read as "nobody".
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from auditor.errors import ApiError
from auditor.io.client import (
    ClientConfig,
    FetchResult,
    Reader,
    _print_stderr,
    open_reader,
)
from auditor.io.pseudonyms import pseudonym

CALLER = "/api/v2/caller-identity"
ROLES = "/api/v2/roles?limit=50"
TEAMS = "/api/v2/teams?expand=roles,members,roleAttributes&limit=100"
MEMBERS = "/api/v2/members?expand=customRoles,roleAttributes&limit=100"
TOKENS = "/api/v2/tokens?showAll=true&limit=100"
PROJECTS = "/api/v2/projects?expand=environments&limit=100"
SKIPPABLE = (403, 404, 405)
"""Statuses that mean "this token (or plan) cannot read this": the part is not audited."""

_STATEMENT = ("effect", "resources", "notResources", "actions", "notActions")
_CALLER = ("accountId", "authKind", "memberId", "tokenId", "tokenName", "tokenKind", "serviceToken")
_ROLE = ("_id", "key", "name", "basePermissions", "resourceCategory")
_MEMBER = ("_id", "email", "role", "customRoles", "roleAttributes", "_lastSeen", "_pendingInvite")
_TOKEN = ("_id", "name", "role", "customRoleIds", "serviceToken", "memberId", "lastUsed")
_ENVIRONMENT = ("key", "name", "critical", "tags")


def fetch_account(
    config: ClientConfig,
    *,
    anonymise: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    notify: Callable[[str], None] = _print_stderr,
    clock: Callable[[], float] = time.monotonic,
    wall: Callable[[], float] = time.time,
) -> FetchResult:
    """The destinations document with an `_account` block; ApiError as `fetch_destinations`."""
    with open_reader(config, sleep=sleep, notify=notify, clock=clock, wall=wall) as reader:
        fetched = reader.fetch_all()
        document = json.loads(fetched.body)
        document["_account"] = read_account(reader, anonymise=anonymise)
        body = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
        body = reader._scrubbed(body, document)  # should the API echo the token anywhere
    return replace(
        fetched,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        content_type="application/json",
    )


def read_account(reader: Reader, *, anonymise: bool = False) -> dict[str, Any]:
    """The `_account` block: each part read, or listed under `not_audited` with why not."""
    gaps: list[dict[str, Any]] = []
    account: dict[str, Any] = {}

    def attempt(name: str, endpoint: str, read: Callable[[], Any]) -> None:
        try:
            account[name] = read()
        except ApiError as exc:
            if exc.status not in SKIPPABLE:
                raise
            gaps.append(
                {"endpoint": endpoint.split("?")[0], "status": exc.status, "reason": exc.message}
            )
            account[name] = [] if name != "caller" else {}

    attempt("caller", CALLER, lambda: _pick(reader.get_document(CALLER), _CALLER))
    attempt("roles", ROLES, lambda: [_role(r) for r in _list(reader, ROLES, "roles")])
    attempt("teams", TEAMS, lambda: [_team(t) for t in _list(reader, TEAMS, "teams")])
    attempt(
        "members",
        MEMBERS,
        lambda: [_member(m, anonymise) for m in _list(reader, MEMBERS, "members")],
    )
    attempt("tokens", TOKENS, lambda: [_token(t) for t in _list(reader, TOKENS, "tokens")])
    attempt(
        "projects",
        PROJECTS,
        lambda: [_project(reader, p) for p in _list(reader, PROJECTS, "projects")],
    )
    account["not_audited"] = gaps
    return account


def _list(reader: Reader, path: str, what: str) -> list[Mapping[str, Any]]:
    """Every item of a paginated list: `_links.next`, then `offset` while `totalCount` says more."""
    first, items, urls, _ = reader.collect(path, what)
    total = first.get("totalCount")
    while isinstance(total, int) and len(items) < total and len(urls) < reader.config.max_pages:
        sep = "&" if "?" in path else "?"
        _, more, seen, _ = reader.collect(f"{path}{sep}offset={len(items)}", what)
        if not more:
            break
        items.extend(more)
        urls.extend(seen)
    return [item for item in items if isinstance(item, Mapping)]


def _pick(raw: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: raw[key] for key in keys if key in raw}


def _statements(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [_pick(s, _STATEMENT) for s in value if isinstance(s, Mapping)]


def _role(raw: Mapping[str, Any]) -> dict[str, Any]:
    role = _pick(raw, _ROLE)
    role["policy"] = _statements(raw.get("policy"))
    if raw.get("_presetStatements"):
        role["_presetStatements"] = _statements(raw.get("_presetStatements"))
    return role


def _team(raw: Mapping[str, Any]) -> dict[str, Any]:
    team = _pick(raw, ("key", "name", "roleAttributes"))
    roles = raw.get("roles")
    items = roles.get("items") if isinstance(roles, Mapping) else None
    team["roles"] = {
        "items": [_pick(r, ("key", "name")) for r in items or [] if isinstance(r, Mapping)]
    }
    if isinstance(roles, Mapping) and "totalCount" in roles:
        team["roles"]["totalCount"] = roles["totalCount"]
    members = raw.get("members")
    if isinstance(members, Mapping) and "totalCount" in members:
        team["members"] = {"totalCount": members["totalCount"]}
    return team


def _member(raw: Mapping[str, Any], anonymise: bool) -> dict[str, Any]:
    member = _pick(raw, _MEMBER)
    if anonymise and isinstance(member.get("email"), str):
        member["email"] = pseudonym(member["email"])
    teams = raw.get("teams")
    member["teams"] = [
        _pick(t, ("key", "name", "customRoleKeys"))
        for t in (teams if isinstance(teams, list) else [])
        if isinstance(t, Mapping)
    ]
    return member


def _token(raw: Mapping[str, Any]) -> dict[str, Any]:
    token = _pick(raw, _TOKEN)  # never `token`: its value (or last four characters)
    token["inlineRole"] = _statements(raw.get("inlineRole"))
    return token


def _project(reader: Reader, raw: Mapping[str, Any]) -> dict[str, Any]:
    """A project's key and its environments' `critical` and tags; no SDK key is kept."""
    envs = raw.get("environments")
    items = envs.get("items") if isinstance(envs, Mapping) else envs
    items = [e for e in items or [] if isinstance(e, Mapping)]
    total = envs.get("totalCount") if isinstance(envs, Mapping) else None
    key = str(raw.get("key", ""))
    if isinstance(total, int) and total > len(items) and key:
        items = _list(
            reader, f"/api/v2/projects/{quote(key, safe='')}/environments", "environments"
        )
    return {
        "key": key,
        "name": raw.get("name"),
        "environments": [_pick(e, _ENVIRONMENT) for e in items],
    }
