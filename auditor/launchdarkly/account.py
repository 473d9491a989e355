"""The account model: custom roles, teams, members, API access tokens and environments.

Read from the `_account` block that `auditor fetch --account` saves beside the destinations
(field names as LaunchDarkly's API sends them; see docs/access-review.md). Only what an access
review needs is kept: no SDK key, no token value, no member name.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.io.pseudonyms import pseudonym
from auditor.launchdarkly.environments import EnvironmentFacts, EnvironmentKey
from auditor.launchdarkly.statements import Policy
from auditor.models import NotAudited

BASE_ROLES_FILE = Path(__file__).with_name("base-roles.yaml")
Attributes = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Role:
    """A role as a policy: a custom role, a base role (`base:admin`) or a token's inline policy."""

    key: str
    name: str
    policy: tuple[Policy, ...]
    pointer: str
    id: str | None = None
    base_permissions: str | None = None
    """A custom role's `basePermissions` (reader or no_access): a base role held inside it."""


@dataclass(frozen=True, slots=True)
class Team:
    key: str
    name: str
    role_keys: tuple[str, ...]
    attributes: Attributes
    pointer: str


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    email: str
    base_role: str | None
    custom_roles: tuple[str, ...]
    """Custom role ids as the API lists them (`customRoles`); keys are accepted too."""
    teams: tuple[str, ...]
    attributes: Attributes
    last_seen: int | None
    pointer: str


@dataclass(frozen=True, slots=True)
class Token:
    id: str
    name: str
    base_role: str | None
    custom_roles: tuple[str, ...]
    inline: tuple[Policy, ...]
    service: bool
    member_id: str | None
    last_used: int | None
    pointer: str


@dataclass(frozen=True, slots=True)
class Environment:
    project: str
    key: str
    critical: bool | None
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Account:
    """Everything `_account` holds, parsed; `not_audited` lists the endpoints that were refused."""

    caller: Mapping[str, Any]
    roles: tuple[Role, ...]
    teams: tuple[Team, ...]
    members: tuple[Member, ...]
    tokens: tuple[Token, ...]
    environments: tuple[Environment, ...]
    not_audited: tuple[NotAudited, ...]
    _roles: dict[str, Role] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for role in self.roles:
            self._roles.setdefault(role.key, role)
            if role.id:
                self._roles.setdefault(role.id, role)

    def role(self, ref: str) -> Role | None:
        """The custom role with this id or key (members list ids, teams list keys)."""
        return self._roles.get(ref)

    def audited(self, endpoint: str) -> bool:
        return not any(gap.endpoint == endpoint for gap in self.not_audited)

    def critical(self, project: str | None, environment: str | None) -> bool | None:
        """LaunchDarkly's `critical` flag of the environment; None when it is not known."""
        for env in self.environments:
            if env.project == project and env.key == environment:
                return env.critical
        return None


def environment_facts(account: Account) -> dict[EnvironmentKey, EnvironmentFacts]:
    """What the account says about each environment it lists: LaunchDarkly's `critical` flag.

    This is the fact source of production detection (`environments.production_basis`): with
    the account's environments read, a `critical: true` environment is production whatever its
    key (https://launchdarkly.com/docs/home/account/environment/critical). An environment the
    account does not list, or lists without the flag, is left to the key globs.
    """
    return {
        (env.project, env.key): EnvironmentFacts(critical=env.critical)
        for env in account.environments
        if env.project and env.key
    }


def role_statements(account: Account) -> dict[str, tuple[Policy, ...]]:
    """Each role's statements by the role name its statements carry: custom roles, the base
    roles, and the tokens' inline policies (what the inventory needs for deny-wins-in-a-role)."""
    found: dict[str, list[Policy]] = {}
    roles = (*account.roles, *base_roles().values())
    for role in roles:
        for stmt in role.policy:
            found.setdefault(stmt.role_name or role.name, []).append(stmt)
    for token in account.tokens:
        for stmt in token.inline:
            found.setdefault(stmt.role_name or token.name, []).append(stmt)
    return {name: tuple(dict.fromkeys(stmts)) for name, stmts in found.items()}


# --------------------------------------------------------------------------------------------
# Base roles


@functools.cache
def base_roles() -> dict[str, Role]:
    """The base roles as policies, from base-roles.yaml (each entry cites its LaunchDarkly page)."""
    import yaml

    data = yaml.safe_load(BASE_ROLES_FILE.read_text(encoding="utf-8"))
    return {
        name: Role(
            key=f"base:{name}",
            name=f"{name} (base role)",
            policy=tuple(_policy(s, f"{name} (base role)") for s in entry["policy"]),
            pointer="",
        )
        for name, entry in data["roles"].items()
    }


def base_role(name: str | None) -> Role:
    """A base role by name; an unknown name is read as the most powerful (never hides a risk)."""
    known = base_roles()
    if name in known:
        return known[name]
    admin = known["admin"]
    shown = name or "missing"
    return Role(
        key=f"base:{shown}", name=f"{shown} (unknown base role)", policy=admin.policy, pointer=""
    )


# --------------------------------------------------------------------------------------------
# Parsing


def parse_account(raw: Mapping[str, Any], *, anonymise: bool = False) -> Account:
    """The account of an `_account` block; emails hashed when `anonymise` (see `pseudonym`)."""
    roles = tuple(_role(r, f"/_account/roles/{i}") for i, r in enumerate(_list(raw, "roles")))
    teams = tuple(_team(t, f"/_account/teams/{i}") for i, t in enumerate(_list(raw, "teams")))
    members = tuple(
        _member(m, f"/_account/members/{i}", anonymise) for i, m in enumerate(_list(raw, "members"))
    )
    tokens = tuple(_token(t, f"/_account/tokens/{i}") for i, t in enumerate(_list(raw, "tokens")))
    environments = tuple(
        Environment(
            project=str(project.get("key", "")),
            key=str(env.get("key", "")),
            critical=env.get("critical") if isinstance(env.get("critical"), bool) else None,
            tags=_strings(env.get("tags")),
        )
        for project in _list(raw, "projects")
        for env in _environments(project)
    )
    gaps = tuple(
        NotAudited(
            endpoint=str(gap.get("endpoint", "?")),
            status=gap.get("status") if isinstance(gap.get("status"), int) else None,
            reason=str(gap.get("reason", "")),
        )
        for gap in _list(raw, "not_audited")
    )
    caller = raw.get("caller")
    return Account(
        caller=caller if isinstance(caller, Mapping) else {},
        roles=roles,
        teams=teams,
        members=members,
        tokens=tokens,
        environments=environments,
        not_audited=gaps,
    )


def _list(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = raw.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _environments(project: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    envs = project.get("environments")
    if isinstance(envs, Mapping):  # the API's expanded, paginated shape
        envs = envs.get("items")
    return [e for e in envs if isinstance(e, Mapping)] if isinstance(envs, list) else []


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def _attributes(value: Any) -> Attributes:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): _strings(v) for k, v in value.items()}


def _millis(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _policy(statement: Mapping[str, Any], role_name: str) -> Policy:
    return Policy(
        effect=str(statement.get("effect", "")),
        resources=_strings(statement.get("resources")),
        not_resources=_strings(statement.get("notResources")),
        actions=_strings(statement.get("actions")),
        not_actions=_strings(statement.get("notActions")),
        role_name=role_name,
    )


def _policies(statements: Sequence[Any], role_name: str) -> tuple[Policy, ...]:
    return tuple(_policy(s, role_name) for s in statements if isinstance(s, Mapping))


def _role(raw: Mapping[str, Any], pointer: str) -> Role:
    key = str(raw.get("key", raw.get("_id", "?")))
    name = str(raw.get("name") or key)
    # A preset role's read-only statements are part of its policy too.
    statements = [*(raw.get("policy") or []), *(raw.get("_presetStatements") or [])]
    base = raw.get("basePermissions")
    return Role(
        key=key,
        name=name,
        policy=tuple(dict.fromkeys(_policies(statements, name))),
        pointer=pointer,
        id=str(raw["_id"]) if isinstance(raw.get("_id"), str) else None,
        base_permissions=base if isinstance(base, str) else None,
    )


def _team(raw: Mapping[str, Any], pointer: str) -> Team:
    roles = raw.get("roles")
    items = roles.get("items") if isinstance(roles, Mapping) else roles
    keys = tuple(
        str(item["key"]) if isinstance(item, Mapping) else str(item)
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, str) or (isinstance(item, Mapping) and "key" in item)
    )
    key = str(raw.get("key", "?"))
    return Team(
        key=key,
        name=str(raw.get("name") or key),
        role_keys=keys,
        attributes=_attributes(raw.get("roleAttributes")),
        pointer=pointer,
    )


def _member(raw: Mapping[str, Any], pointer: str, anonymise: bool) -> Member:
    email = str(raw.get("email", ""))
    teams = raw.get("teams")
    team_keys = tuple(
        str(t["key"])
        for t in (teams if isinstance(teams, list) else [])
        if isinstance(t, Mapping) and "key" in t
    )
    role = raw.get("role")
    return Member(
        id=str(raw.get("_id", "?")),
        email=pseudonym(email) if anonymise else email,
        base_role=role if isinstance(role, str) else None,
        custom_roles=_strings(raw.get("customRoles")),
        teams=team_keys,
        attributes=_attributes(raw.get("roleAttributes")),
        last_seen=_millis(raw.get("_lastSeen")),
        pointer=pointer,
    )


def _token(raw: Mapping[str, Any], pointer: str) -> Token:
    role = raw.get("role")
    member = raw.get("memberId")
    name = str(raw.get("name") or raw.get("_id", "?"))
    return Token(
        id=str(raw.get("_id", "?")),
        name=name,
        base_role=role if isinstance(role, str) else None,
        custom_roles=_strings(raw.get("customRoleIds")),
        inline=_policies(raw.get("inlineRole") or [], f"inline policy of token {name}"),
        service=raw.get("serviceToken") is True,
        member_id=member if isinstance(member, str) else None,
        last_used=_millis(raw.get("lastUsed")),
        pointer=pointer,
    )
