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
from dataclasses import dataclass, field

from auditor.launchdarkly.access import DESTINATION_ACTIONS
from auditor.launchdarkly.account import Account, Attributes, Member, Role, base_role
from auditor.launchdarkly.inventory import Inventory
from auditor.launchdarkly.specifiers import PLACEHOLDER
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
    account: Mapping[str, object] | None, inventory: Inventory, *, anonymise: bool = False
) -> AccessReview:
    """Whose access this audit covers: the whole account when `_account` is there, else the
    caller's alone (`_access` describes only the token that fetched the export)."""
    from auditor.launchdarkly.account import parse_account

    if account is None:
        return AccessReview(scope="caller", caller=None)
    parsed = parse_account(account, anonymise=anonymise)
    return AccessModel(parsed, inventory).review(describe_caller(parsed.caller))


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
    expanded = Policy(
        effect=policy.effect,
        resources=each(policy.resources),
        not_resources=each(policy.not_resources),
        actions=policy.actions,
        not_actions=policy.not_actions,
        role_name=policy.role_name,
    )
    return expanded, tuple(dict.fromkeys(used))


@dataclass
class AccessModel:
    """Computes grants once per distinct (role, attribute values), over one inventory."""

    account: Account
    inventory: Inventory
    actions: tuple[str, ...] = DESTINATION_ACTIONS
    _cache: dict[tuple[object, ...], dict[str, _Reached]] = field(default_factory=dict)
    _unresolved: set[str] = field(default_factory=set)

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
        policy = [expand(s, attributes)[0] for s in role.policy]
        if role.base_permissions:
            policy += list(base_role(role.base_permissions).policy)
        result: dict[str, _Reached] = {}
        for action in self.actions:
            denied: set[str] = set()
            for stmt in policy:
                if stmt.effect.lower() == "deny":
                    found = self.inventory.reach(stmt, action)
                    # A deny that only could cover a destination does not take an allow away.
                    denied.update(set(found.destination_ids) - set(found.uncertain_ids))
            reached: _Reached = {}
            for stmt in policy:
                if stmt.effect.lower() != "allow":
                    continue
                found = self.inventory.reach(stmt, action)
                unsure = set(found.uncertain_ids)
                for dest_id in found.destination_ids:
                    if dest_id in denied:
                        continue
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
        by_id: dict[str, list[Destination]] = {}
        for dest in self.inventory:
            by_id.setdefault(dest.id, []).append(dest)
        team_members: dict[str, list[Member]] = {}
        for member in account.members:
            for key in member.teams:
                team_members.setdefault(key, []).append(member)
        grants: list[GrantGroup] = []
        principals: list[Principal] = []
        own: dict[str, dict[tuple[str, str], list[GrantPath]]] = {}
        for member in account.members:
            principal = Principal(
                kind="member",
                id=member.id,
                label=member.email,
                pointer=member.pointer,
                last_seen=member.last_seen,
            )
            principals.append(principal)
            own[member.id] = held = self._holdings(self.member_assignments(member))
            grants += _groups(principal, held, by_id)
        team_held: dict[str, dict[tuple[str, str], list[GrantPath]]] = {}
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
            team_held[team.key] = held = self._holdings(assignments)
            grants += _groups(principal, held, by_id)
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
            held = self._holdings(assignments)
            owner = members.get(token.member_id or "") if not token.service else None
            if owner is not None:  # a personal token never does more than its member
                bound = set(own.get(owner.id, {}))
                for key in owner.teams:
                    bound.update(team_held.get(key, {}))
                held = {k: v for k, v in held.items() if k in bound}
            grants += _groups(principal, held, by_id)
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

    def _holdings(self, assignments: list[Assignment]) -> dict[tuple[str, str], list[GrantPath]]:
        """(destination id, action) -> every path through which the assignments allow it."""
        held: dict[tuple[str, str], list[GrantPath]] = {}
        for assignment in assignments:
            role = assignment.role
            used = _used(role, assignment.attributes)
            for action, reached in self.role_access(assignment).items():
                paths: dict[tuple[int, bool], GrantPath] = {}
                for dest_id, (stmt, sure) in reached.items():
                    path = paths.get((id(stmt), sure))
                    if path is None:
                        path = paths[(id(stmt), sure)] = GrantPath(
                            role=role.key,
                            role_name=role.name,
                            team=assignment.team,
                            attributes=used,
                            statement=_statement(stmt, action, role.pointer),
                            certain=sure,
                        )
                    found = held.get((dest_id, action))
                    if found is None:
                        held[(dest_id, action)] = [path]
                    else:
                        found.append(path)
        return held


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


def _groups(
    principal: Principal,
    held: Mapping[tuple[str, str], list[GrantPath]],
    by_id: Mapping[str, list[Destination]],
) -> list[GrantGroup]:
    """The principal's grants grouped by action and paths (paths are shared objects)."""
    groups: dict[tuple[object, ...], tuple[str, list[GrantPath], list[Destination]]] = {}
    for (dest_id, action), paths in held.items():
        key = (action, *map(id, paths))
        found = groups.get(key)
        if found is None:
            found = groups[key] = (action, paths, [])
        found[2].extend(by_id.get(dest_id, ()))
    return [
        GrantGroup(principal=principal, action=action, paths=tuple(paths), destinations=tuple(d))
        for action, paths, d in groups.values()
        if d
    ]
