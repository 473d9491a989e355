"""Who in the account may change each export: principals x destinations x actions, with paths.

LaunchDarkly's semantics, each from its docs:
- Inside one role's policy a matching deny wins, whatever the order; across roles "the more
  permissive level of access is applied" and "permissions are cumulative across roles"
  (https://launchdarkly.com/docs/home/account/roles/role-policies). So a principal's access is
  the union, role by role, of what each role allows after its own denies.
- A member's custom roles take precedence over (replace) its base role; team roles always add
  on top, whatever the member's own roles
  (https://launchdarkly.com/docs/home/account/roles/manage-role-assignments,
  https://launchdarkly.com/docs/home/account/roles/manage-role-team,
  https://support.launchdarkly.com/hc/en-us/articles/40618352898203-Common-misconceptions-about-Custom-Roles).
  The Owner keeps its base role (it "has absolute power"; reading chosen never to hide a risk).
- Role attributes (`${roleAttribute/key}`) take the values set when the role was assigned to
  the member or the team, one or more each (https://launchdarkly.com/docs/home/account/roles/role-scope).
  A value missing from the assignment leaves the placeholder, read as "could cover".
- An API access token has a base role, custom roles or an inline policy; a personal token "can
  never do more than you can", so it is bounded by its member's access; a service token is not
  tied to a member (https://launchdarkly.com/docs/home/account/api).

Because access is a union over roles, a member's grants through a team are the team's grants:
members are listed with their own roles, teams with theirs, and nothing is counted twice.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from auditor.launchdarkly.access import DESTINATION_ACTIONS
from auditor.launchdarkly.account import (
    Account,
    Attributes,
    Member,
    Role,
    base_role,
    environment_facts,
    parse_account,
    role_statements,
)
from auditor.launchdarkly.globs import Coverage, glob_match
from auditor.launchdarkly.inventory import Inventory
from auditor.launchdarkly.specifiers import PLACEHOLDER, try_parse
from auditor.launchdarkly.statements import Policy
from auditor.models import (
    AccessReview,
    Destination,
    GrantGroup,
    GrantPath,
    NotAudited,
    Principal,
    Statement,
)

_Reached = dict[str, tuple[Policy, bool]]
"""Destination id -> (the allow statement that reaches it, whether for sure)."""


def review_access(
    account: Mapping[str, object] | Account | None,
    inventory: Inventory,
    *,
    anonymise: bool = False,
) -> AccessReview:
    """Whose access this audit covers: the whole account when `_account` is there, else the
    caller's alone (`_access` describes only the token that fetched the export)."""
    if account is None:
        return AccessReview(scope="caller", caller=None)
    parsed = (
        account if isinstance(account, Account) else parse_account(account, anonymise=anonymise)
    )
    return AccessModel(parsed, inventory).review(describe_caller(parsed.caller))


def audit_access(
    destinations: Iterable[Destination],
    account: Mapping[str, object] | None,
    *,
    anonymise: bool = False,
) -> tuple[Inventory, AccessReview]:
    """The inventory an audit runs on, and whose access it covers.

    With the account read, the inventory knows what LaunchDarkly says about it: each
    environment's `critical` flag (production by fact, for every rule that asks) and each
    role's deny statements (for the reach of any statement of that role).
    """
    if account is None:
        inventory = Inventory(destinations)
        return inventory, review_access(None, inventory)
    parsed = parse_account(account, anonymise=anonymise)
    inventory = Inventory(
        destinations, environments=environment_facts(parsed), roles=role_statements(parsed)
    )
    return inventory, replace(review_access(parsed, inventory), anonymised=anonymise)


def describe_caller(caller: Mapping[str, object]) -> str | None:
    """`token ci-export (service token)` or `member 5f3a...`, from GET /api/v2/caller-identity."""
    name = caller.get("tokenName")
    if isinstance(name, str) and name:
        kind = "service token" if caller.get("serviceToken") is True else "personal token"
        return f"{kind} {name}"
    member = caller.get("memberId")
    if isinstance(member, str) and member:
        return f"member {member}"
    return None


@dataclass(frozen=True, slots=True)
class Assignment:
    """A role held by a principal, with the role attributes of that assignment."""

    role: Role
    team: str | None
    attributes: Attributes


def expand(policy: Policy, attributes: Attributes) -> tuple[Policy, tuple[str, ...]]:
    """The statement with `${roleAttribute/name}` replaced by each value; names it used."""
    used: list[str] = []

    def each(texts: tuple[str, ...]) -> tuple[str, ...]:
        out: list[str] = []
        for text in texts:
            names = [m.group(1) for m in PLACEHOLDER.finditer(text)]
            known = [n for n in dict.fromkeys(names) if n in attributes]
            used.extend(known)
            if not known:
                out.append(text)
                continue
            for values in itertools.product(*(attributes[n] for n in known)):
                bound = text
                for name, value in zip(known, values, strict=True):
                    bound = bound.replace(f"${{roleAttribute/{name}}}", value)
                out.append(bound)
        return tuple(out)

    if "$" not in "".join((*policy.resources, *policy.not_resources)):
        return policy, ()
    expanded = replace(
        policy, resources=each(policy.resources), not_resources=each(policy.not_resources)
    )
    return expanded, tuple(dict.fromkeys(used))


@dataclass
class AccessModel:
    """Computes grants once per distinct (role, attribute values), over one inventory."""

    account: Account
    inventory: Inventory
    actions: tuple[str, ...] = DESTINATION_ACTIONS
    _cache: dict[tuple[object, ...], dict[str, _Reached]] = field(default_factory=dict)
    _paths: dict[tuple[object, ...], dict[str, list[tuple[GrantPath, tuple[Destination, ...]]]]] = (
        field(default_factory=dict)
    )
    _unresolved: set[str] = field(default_factory=set)
    _by_id: dict[str, list[Destination]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for dest in self.inventory:
            self._by_id.setdefault(dest.id, []).append(dest)

    def role_access(self, assignment: Assignment) -> dict[str, _Reached]:
        """Per action, the destinations the role allows (deny wins inside the role)."""
        role = assignment.role
        names = {m.group(1) for s in role.policy for t in s.resources + s.not_resources
                 for m in PLACEHOLDER.finditer(t)}  # fmt: skip
        bound = tuple(sorted((n, assignment.attributes.get(n, ())) for n in names))
        key = (role.key, role.policy, bound)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._evaluate(role, assignment.attributes)
        return found

    def _evaluate(self, role: Role, attributes: Attributes) -> dict[str, _Reached]:
        policy = [expand(s, attributes)[0] for s in role.policy if _may_name_destinations(s)]
        if role.base_permissions:
            policy += list(base_role(role.base_permissions).policy)
        # One role: its denies (basePermissions included) override its allows, whatever their
        # role_name says; the inventory's role_reach is the one implementation of that rule.
        denies = [stmt for stmt in policy if stmt.effect.lower() == "deny"]
        result: dict[str, _Reached] = {}
        for action in self.actions:
            reached: _Reached = {}
            for stmt in policy:
                if stmt.effect.lower() != "allow":
                    continue
                found = self.inventory.role_reach(stmt, denies, action)
                unsure = set(found.uncertain_ids)
                for dest_id in found.destination_ids:
                    sure = dest_id not in unsure
                    if dest_id not in reached or (sure and not reached[dest_id][1]):
                        reached[dest_id] = (stmt, sure)
            if reached:
                result[action] = reached
        return result

    # ---------------------------------------------------------------------------------------
    # Who holds which roles

    def resolve(self, refs: Iterable[str]) -> list[Role]:
        roles = []
        for ref in refs:
            role = self.account.role(ref)
            if role is None:
                self._unresolved.add(ref)
            else:
                roles.append(role)
        return roles

    def member_assignments(self, member: Member) -> list[Assignment]:
        custom = self.resolve(member.custom_roles)
        held = [Assignment(r, None, member.attributes) for r in custom]
        if not member.custom_roles or member.base_role == "owner":
            held.append(Assignment(base_role(member.base_role), None, member.attributes))
        return held

    def review(self, caller: str | None) -> AccessReview:
        """Every grant of every member (own roles), team and token on a destination action."""
        account = self.account
        team_members: dict[str, list[Member]] = {}
        for member in account.members:
            for key in member.teams:
                team_members.setdefault(key, []).append(member)
        grants: list[GrantGroup] = []
        principals: list[Principal] = []
        own: dict[str, list[GrantGroup]] = {}
        for member in account.members:
            principal = Principal(
                kind="member",
                id=member.id,
                label=member.email,
                pointer=member.pointer,
                last_seen=member.last_seen,
            )
            principals.append(principal)
            own[member.id] = held = self._groups(principal, self.member_assignments(member))
            grants += held
        team_held: dict[str, list[GrantGroup]] = {}
        for team in account.teams:
            people = team_members.get(team.key, [])
            # The member seen least recently; one never seen counts as the least recent.
            never = [m for m in people if m.last_seen is None]
            ordered = never or sorted(people, key=lambda m: m.last_seen or 0)
            least = ordered[0] if ordered else None
            principal = Principal(
                kind="team",
                id=team.key,
                label=team.key,
                pointer=team.pointer,
                members=len(people),
                last_seen=None if least is None else least.last_seen,
                least_recent=None if least is None else least.email,
            )
            principals.append(principal)
            assignments = [
                Assignment(r, team.key, team.attributes) for r in self.resolve(team.role_keys)
            ]
            team_held[team.key] = held = self._groups(principal, assignments)
            grants += held
        members = {m.id: m for m in account.members}
        for token in account.tokens:
            principal = Principal(
                kind="token",
                id=token.id,
                label=token.name,
                pointer=token.pointer,
                service=token.service,
                owner=None if token.service else token.member_id,
                last_seen=token.last_used,
            )
            principals.append(principal)
            assignments = [Assignment(r, None, {}) for r in self.resolve(token.custom_roles)]
            if token.inline:
                inline = Role(key="inline", name=f"inline policy of token {token.name}",
                              policy=token.inline, pointer=token.pointer)  # fmt: skip
                assignments.append(Assignment(inline, None, {}))
            if token.base_role is not None or not assignments:
                assignments.append(Assignment(base_role(token.base_role or "reader"), None, {}))
            held = self._groups(principal, assignments)
            owner = members.get(token.member_id or "") if not token.service else None
            if owner is not None:  # a personal token never does more than its member
                bound = {
                    (d.index, g.action)
                    for g in (
                        *own.get(owner.id, ()),
                        *(x for k in owner.teams for x in team_held.get(k, ())),
                    )
                    for d in g.destinations
                }
                held = [
                    replace(g, destinations=kept)
                    for g in held
                    if (kept := tuple(d for d in g.destinations if (d.index, g.action) in bound))
                ]
            grants += held
        gaps = list(account.not_audited)
        if self._unresolved:
            gaps.append(
                NotAudited(
                    endpoint="/api/v2/roles",
                    status=None,
                    reason=f"{len(self._unresolved)} assigned role(s) not found among the roles"
                    f" read: {', '.join(sorted(self._unresolved)[:5])}",
                )
            )
        environments = tuple((e.project, e.key, e.critical) for e in account.environments)
        return AccessReview(
            scope="account",
            caller=caller,
            not_audited=tuple(gaps),
            principals=tuple(principals),
            groups=tuple(grants),
            members=len(account.members),
            environments=environments,
            team_members={k: tuple(m.id for m in v) for k, v in team_members.items()},
        )

    def role_groups(
        self, assignment: Assignment
    ) -> dict[str, list[tuple[GrantPath, tuple[Destination, ...]]]]:
        """Per action, the role's paths with the destinations each reaches (shared objects)."""
        role = assignment.role
        # Keyed by what identifies a role for good (an id could be reused once it is freed).
        key = (role.key, role.pointer, assignment.team, _used(role, assignment.attributes))
        found = self._paths.get(key)
        if found is not None:
            return found
        found = self._paths[key] = {}
        for action, reached in self.role_access(assignment).items():
            parts: dict[tuple[int, bool], tuple[Policy, bool, list[Destination]]] = {}
            for dest_id, (stmt, sure) in reached.items():
                part = parts.get((id(stmt), sure))
                if part is None:
                    part = parts[(id(stmt), sure)] = (stmt, sure, [])
                part[2].extend(self._by_id.get(dest_id, ()))
            found[action] = [
                (
                    GrantPath(
                        role=role.key,
                        role_name=role.name,
                        team=assignment.team,
                        attributes=key[3],
                        statement=_statement(stmt, action, role.pointer),
                        certain=sure,
                    ),
                    tuple(dests),
                )
                for stmt, sure, dests in parts.values()
            ]
        return found

    def _groups(self, principal: Principal, assignments: list[Assignment]) -> list[GrantGroup]:
        """The principal's grants: per action, destinations grouped by the paths that allow them."""
        per_action: dict[str, list[tuple[GrantPath, tuple[Destination, ...]]]] = {}
        for assignment in assignments:
            for action, parts in self.role_groups(assignment).items():
                per_action.setdefault(action, []).extend(parts)
        groups = []
        for action, parts in per_action.items():
            if len(parts) == 1:  # one path: its destinations as they are, shared
                path, dests = parts[0]
                groups.append(
                    GrantGroup(
                        principal=principal, action=action, paths=(path,), destinations=dests
                    )
                )
                continue
            merged: dict[int, tuple[Destination, list[GrantPath]]] = {}
            for path, dests in parts:
                for dest in dests:
                    entry = merged.get(dest.index)
                    if entry is None:
                        merged[dest.index] = (dest, [path])
                    elif path not in entry[1]:
                        entry[1].append(path)
            regrouped: dict[tuple[int, ...], tuple[list[GrantPath], list[Destination]]] = {}
            for dest, paths in merged.values():
                slot = regrouped.setdefault(tuple(map(id, paths)), (paths, []))
                slot[1].append(dest)
            groups += [
                GrantGroup(
                    principal=principal,
                    action=action,
                    paths=tuple(paths),
                    destinations=tuple(dests),
                )
                for paths, dests in regrouped.values()
            ]
        return groups


def _used(role: Role, attributes: Attributes) -> tuple[tuple[str, tuple[str, ...]], ...]:
    names = {m.group(1) for s in role.policy for t in s.resources + s.not_resources
             for m in PLACEHOLDER.finditer(t)}  # fmt: skip
    return tuple(sorted((n, attributes.get(n, ())) for n in names))


_STATEMENTS: dict[tuple[Policy, str, str], Statement] = {}


def _statement(policy: Policy, action: str, pointer: str) -> Statement:
    """The statement as the rest of auditor sees one (shared across grants)."""
    key = (policy, action, pointer)
    found = _STATEMENTS.get(key)
    if found is None:
        identity = json.dumps(
            ["allowed", policy.effect, list(policy.resources), list(policy.not_resources),
             list(policy.actions), list(policy.not_actions), policy.role_name],
            separators=(",", ":"), ensure_ascii=False,
        )  # fmt: skip
        found = _STATEMENTS[key] = Statement(
            effect=policy.effect,
            resources=policy.resources,
            not_resources=policy.not_resources,
            actions=policy.actions,
            not_actions=policy.not_actions,
            role_name=policy.role_name,
            decision="allowed",
            access_actions=(action,),
            pointer=f"{pointer}/policy" if pointer else "",
            key=identity,
        )
    return found


def _may_name_destinations(stmt: Policy) -> bool:
    """False for a statement none of whose resources can name a destination (`flag/*`)."""
    if stmt.not_resources:
        return True
    for text in stmt.resources:
        parsed = try_parse(text)
        if parsed is None:
            continue
        types = parsed.types
        if len(types) == 3 and glob_match(types[-1], "destination") is not Coverage.NO:
            return True
    return False
