"""Every destination of one audit, with the indexes operators share, each built once and lazily."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from auditor.launchdarkly import (
    AccessDecision,
    DestinationIndex,
    Policy,
    PolicyLike,
    Reach,
    index_destinations,
    reach,
    who_can_change,
)
from auditor.launchdarkly.access import DESTINATION_ACTIONS, statement_content
from auditor.launchdarkly.environments import EnvironmentFacts, EnvironmentKey
from auditor.launchdarkly.index import EMPTY_REACH
from auditor.launchdarkly.statements import action_applies
from auditor.launchdarkly.targets import target_of
from auditor.models import Destination


@dataclass(frozen=True, slots=True)
class Totals:
    """How many destinations, known projects and known (project, environment) pairs there are."""

    destinations: int
    projects: int
    environments: int


class Inventory(Sequence[Destination]):
    """The audited destinations; reach, access and target groups are computed once per audit.

    Reach is remembered by statement content (what it targets, not who holds it), so a
    statement cited by every destination is matched against the index once. `environments`
    holds what LaunchDarkly says about environments (their `critical` flag), when it was read;
    `roles` the deny statements of each role (by name) read with the account, beside those
    the export's `_access` cites.
    """

    def __init__(
        self,
        destinations: Iterable[Destination],
        *,
        environments: Mapping[EnvironmentKey, EnvironmentFacts] | None = None,
        roles: Mapping[str, Iterable[Policy]] | None = None,
    ) -> None:
        self._items = tuple(destinations)
        self.environment_facts = environments
        self._known_roles = roles or {}
        self._index: DestinationIndex | None = None
        self._totals: Totals | None = None
        self._reach: dict[tuple[tuple[str, ...], tuple[str, ...]], Reach] = {}
        self._reach_by_content: dict[tuple[tuple[str, ...], tuple[str, ...]], Reach] = {}
        self._effective: dict[tuple[Any, ...], Reach] = {}
        self._role_denied: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}
        self._denies: dict[str, tuple[Policy, ...]] | None = None
        self._access: dict[int, Mapping[str, AccessDecision]] = {}
        self._cited: dict[int, tuple[AccessDecision, frozenset[tuple[Any, ...]]]] = {}
        """Statement contents per decision, by its id (the decision is kept, so the id is its)."""
        self._targets: dict[tuple[Any, ...], tuple[Destination, ...]] | None = None
        self._environments: dict[tuple[str, str], tuple[Destination, ...]] | None = None

    @overload
    def __getitem__(self, position: int) -> Destination: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[Destination]: ...
    def __getitem__(self, position: int | slice) -> Destination | Sequence[Destination]:
        return self._items[position]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Destination]:
        return iter(self._items)

    @property
    def destination_index(self) -> DestinationIndex:
        if self._index is None:
            self._index = index_destinations(self._items)
        return self._index

    @property
    def totals(self) -> Totals:
        if self._totals is None:
            projects = {d.project for d in self._items if d.project}
            pairs = {(d.project, d.environment) for d in self._items if d.project and d.environment}
            self._totals = Totals(len(self._items), len(projects), len(pairs))
        return self._totals

    def reach(self, policy: PolicyLike, action: str | None = None) -> Reach:
        """The statement's reach over this inventory, for `action` or its whole footprint.

        For an allow of a named role and an action, what a deny of the same role takes away
        for sure is left out: inside one role deny wins, across roles allow wins
        (https://launchdarkly.com/docs/home/account/role-policies). Only denies the export
        cites are known, so this is an upper bound; a deny of another role, or a statement
        without a role name, takes nothing away.
        """
        found = self.content_reach(policy, action)
        role = getattr(policy, "role_name", None)
        if action is None or not role or policy.effect.lower() != "allow" or not found.count:
            return found
        denies = self.role_denies().get(role, ())
        if not denies:
            return found
        key = (tuple(sorted(policy.resources)), tuple(sorted(policy.not_resources)), action, role)
        effective = self._effective.get(key)
        if effective is None:
            certain, doubtful = self._denied(role, action, denies)
            # As `role_reach`, without combining the role's denies again for every allow.
            taken = certain or doubtful
            effective = self._less(found, certain, doubtful) if taken else found
            self._effective[key] = effective
        return effective

    def _denied(
        self, role: str, action: str, denies: Sequence[Policy]
    ) -> tuple[frozenset[str], frozenset[str]]:
        """(ids the role's denies take away for sure, ids they name only uncertainly), for
        `action`: worked out once per role and action, however many allows the role has."""
        known = self._role_denied.get((role, action))
        if known is None:
            reaches = [self.content_reach(deny, action) for deny in denies]
            doubtful = frozenset(i for r in reaches for i in r.uncertain_ids)
            named = frozenset(i for r in reaches for i in r.destination_ids)
            known = self._role_denied[(role, action)] = (named - doubtful, doubtful)
        return known

    def role_reach(self, allow: PolicyLike, denies: Iterable[PolicyLike], action: str) -> Reach:
        """What an allow statement reaches for `action` once the denies of its own role are
        applied: inside one role a deny wins, whatever the order.

        LaunchDarkly's rule over reach, used by the account model (each role of each
        principal, whose grants are then the union across roles: "the more permissive level
        of access is applied", https://launchdarkly.com/docs/home/account/role-policies). A
        deny takes away only what it reaches for sure (see `subtract`). `reach` (the
        operators, the reach figures) applies the same rule, each role's denies combined once.
        """
        found = self.content_reach(allow, action)
        if not found.count:
            return found
        denied = [r for deny in denies if (r := self.content_reach(deny, action)).count]
        return self.subtract(found, *denied) if denied else found

    def content_reach(self, policy: PolicyLike, action: str | None = None) -> Reach:
        """The reach of the statement's content alone, whoever holds it.

        Remembered for the run by what the statement targets: its resources and notResources
        in any order (its actions only decide whether it targets `action`). Statements that
        differ in role, effect, actions or list order share one computation, so combining
        the reaches of several statements costs a lookup each.
        """
        if action is not None and not action_applies(policy, action):
            return EMPTY_REACH
        seen = (policy.resources, policy.not_resources)
        found = self._reach.get(seen)
        if found is None:
            content = (tuple(sorted(policy.resources)), tuple(sorted(policy.not_resources)))
            found = self._reach_by_content.get(content)
            if found is None:
                found = reach(policy, self.destination_index)
                self._reach_by_content[content] = found
            self._reach[seen] = found
        return found

    def subtract(self, found: Reach, *others: Reach) -> Reach:
        """`found` less the destinations the `others` reach for sure, recounted.

        A destination another reach names only uncertainly stays, uncertain: it may not be
        taken away. Projects and environments are those of the first destination with each
        id in the inventory.
        """
        doubtful = frozenset(i for other in others for i in other.uncertain_ids)
        named = frozenset(i for other in others for i in other.destination_ids)
        return self._less(found, named - doubtful, doubtful)

    def _less(self, found: Reach, certain: frozenset[str], doubtful: frozenset[str]) -> Reach:
        """`found` without the `certain` ids; those left that `doubtful` names stay uncertain."""
        left = tuple(i for i in found.destination_ids if i not in certain)
        own = frozenset(found.uncertain_ids)
        index = self.destination_index
        projects: set[str] = set()
        environments: set[tuple[str, str]] = set()
        for ident in left:
            d = self._items[index.by_id[ident][0]]
            if d.project:
                projects.add(d.project)
                if d.environment:
                    environments.add((d.project, d.environment))
        uncertain = tuple(i for i in left if i in doubtful or i in own)
        return Reach(left, uncertain, len(projects), len(environments))

    def access(
        self, destination: Destination, actions: Sequence[str] = DESTINATION_ACTIONS
    ) -> Mapping[str, AccessDecision]:
        """What `_access` records for `destination`, per action (see `who_can_change`).

        Read once per destination for every action asked so far, whichever rule asks; the
        mapping may hold more actions than asked.
        """
        known = self._access.get(destination.index)
        if known is None or any(action not in known for action in actions):
            wanted = (*(known or DESTINATION_ACTIONS), *actions)
            known = who_can_change(destination, tuple(dict.fromkeys(wanted)))
            self._access[destination.index] = known
        return known

    def cites(self, decision: AccessDecision, statement: Any) -> bool:
        """`decision.cites(statement)`, with the decision's statements compared as a set that
        is built once per decision (every statement of a destination asks the same ones)."""
        known = self._cited.get(id(decision))
        if known is None:
            contents = frozenset(
                statement_content(reason) for reason, _ in decision.deciding if reason is not None
            )
            known = self._cited[id(decision)] = (decision, contents)
        return statement_content(statement) in known[1]

    def role_denies(self) -> Mapping[str, tuple[Policy, ...]]:
        """The deny statements known per role name: those the export cites, and those of the
        roles read with the account (statements without a role name: none)."""
        if self._denies is None:
            found: dict[str, dict[Any, Policy]] = {}
            for role, statements in self._known_roles.items():
                for known in statements:
                    if known.effect.lower() == "deny" and role:
                        found.setdefault(role, {}).setdefault(known.footprint, known)
            for item in self._items:
                for stmt in item.statements:
                    if stmt.effect.lower() != "deny" or not stmt.role_name:
                        continue
                    policy = Policy.of(stmt)
                    found.setdefault(stmt.role_name, {}).setdefault(policy.footprint, policy)
            self._denies = {role: tuple(p.values()) for role, p in found.items()}
        return self._denies

    def target_peers(self, destination: Destination) -> tuple[Destination, ...]:
        """Other enabled destinations, of any project and environment, with the same target."""
        return _others(destination, self.target_group(destination))

    def target_group(self, destination: Destination) -> tuple[Destination, ...]:
        """Every enabled destination with the destination's target (itself included), or ()."""
        if not destination.on:
            return ()
        key = _target_key(destination)
        if key is None:
            return ()
        if self._targets is None:
            groups: dict[tuple[Any, ...], list[Destination]] = {}
            for item in self._items:
                item_key = _target_key(item) if item.on else None
                if item_key is not None:
                    groups.setdefault(item_key, []).append(item)
            self._targets = {k: tuple(v) for k, v in groups.items() if len(v) > 1}
        return self._targets.get(key, ())

    def same_target(self, destination: Destination) -> tuple[Destination, ...]:
        """Other enabled destinations of the same project and environment with the same target."""
        if not destination.project or not destination.environment:
            return ()
        return tuple(
            d
            for d in self.target_peers(destination)
            if (d.project, d.environment) == (destination.project, destination.environment)
        )

    def environment_peers(self, destination: Destination) -> tuple[Destination, ...]:
        """Other destinations (any kind, on or off) of the same project and environment."""
        return _others(destination, self.environment_group(destination))

    def environment_group(self, destination: Destination) -> tuple[Destination, ...]:
        """Every destination of the destination's project and environment when there are
        several (itself included), else ()."""
        if not destination.project or not destination.environment:
            return ()
        if self._environments is None:
            groups: dict[tuple[str, str], list[Destination]] = {}
            for item in self._items:
                if item.project and item.environment:
                    groups.setdefault((item.project, item.environment), []).append(item)
            self._environments = {k: tuple(v) for k, v in groups.items() if len(v) > 1}
        return self._environments.get((destination.project, destination.environment), ())


def _others(destination: Destination, group: tuple[Destination, ...]) -> tuple[Destination, ...]:
    return tuple(d for d in group if d.index != destination.index)


def _target_key(destination: Destination) -> tuple[Any, ...] | None:
    target = target_of(destination.kind, destination.config)
    return None if target is None else target.identity
