"""Every destination of one audit, with the indexes operators share, each built once and lazily."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from auditor.launchdarkly import (
    AccessDecision,
    DestinationIndex,
    Policy,
    Reach,
    index_destinations,
    reach,
    who_can_change,
)
from auditor.launchdarkly.access import DESTINATION_ACTIONS
from auditor.launchdarkly.environments import EnvironmentFacts, EnvironmentKey
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

    Reach is cached by statement content (what it targets, not who holds it), so a statement
    cited by every destination is matched against the index once. `environments` holds what
    LaunchDarkly says about environments (their `critical` flag), when it was read.
    """

    def __init__(
        self,
        destinations: Iterable[Destination],
        *,
        environments: Mapping[EnvironmentKey, EnvironmentFacts] | None = None,
    ) -> None:
        self._items = tuple(destinations)
        self.environment_facts = environments
        self._index: DestinationIndex | None = None
        self._totals: Totals | None = None
        self._reach: dict[tuple[Any, ...], Reach] = {}
        self._effective: dict[tuple[Any, ...], Reach] = {}
        self._denies: dict[str, tuple[Policy, ...]] | None = None
        self._removed: dict[tuple[str, str], set[str]] = {}
        self._places: dict[str, tuple[str | None, str | None]] | None = None
        self._access: dict[tuple[int, tuple[str, ...]], Mapping[str, AccessDecision]] = {}
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

    def reach(self, policy: Policy, action: str | None = None) -> Reach:
        """The statement's reach over this inventory, for `action` or its whole footprint.

        For an allow of a named role and an action, what a deny of the same role takes away
        for sure is left out: inside one role deny wins, across roles allow wins
        (https://launchdarkly.com/docs/home/account/role-policies). Only denies the export
        cites are known, so this is an upper bound; a deny of another role, or a statement
        without a role name, takes nothing away.
        """
        found = self._content_reach(policy, action)
        role = policy.role_name
        if action is None or not role or policy.effect.lower() != "allow" or not found.count:
            return found
        key = (policy.footprint, action, role)
        effective = self._effective.get(key)
        if effective is None:
            effective = self._effective[key] = self._after_denies(found, role, action)
        return effective

    def _content_reach(self, policy: Policy, action: str | None) -> Reach:
        key = (policy.footprint, action)
        found = self._reach.get(key)
        if found is None:
            found = self._reach[key] = reach(policy, self.destination_index, action)
        return found

    def _after_denies(self, found: Reach, role: str, action: str) -> Reach:
        removed = self._removed.get((role, action))
        if removed is None:
            removed = set()
            for deny in self.role_denies().get(role, ()):
                denied = self._content_reach(deny, action)
                removed.update(set(denied.destination_ids) - set(denied.uncertain_ids))
            self._removed[(role, action)] = removed
        if not removed or removed.isdisjoint(found.destination_ids):
            return found
        places = self._where()
        kept = tuple(i for i in found.destination_ids if i not in removed)
        uncertain = tuple(i for i in found.uncertain_ids if i not in removed)
        projects = {places[i][0] for i in kept if places[i][0]}
        pairs = {places[i] for i in kept if places[i][0] and places[i][1]}
        return Reach(kept, uncertain, len(projects), len(pairs))

    def _where(self) -> dict[str, tuple[str | None, str | None]]:
        if self._places is None:
            self._places = {}
            for item in self._items:
                self._places.setdefault(item.id, (item.project, item.environment))
        return self._places

    def role_denies(self) -> Mapping[str, tuple[Policy, ...]]:
        """The deny statements the export cites, by role name (statements without one: none)."""
        if self._denies is None:
            found: dict[str, dict[Any, Policy]] = {}
            for item in self._items:
                for stmt in item.statements:
                    if stmt.effect.lower() != "deny" or not stmt.role_name:
                        continue
                    policy = Policy(
                        effect=stmt.effect,
                        resources=stmt.resources,
                        not_resources=stmt.not_resources,
                        actions=stmt.actions,
                        not_actions=stmt.not_actions,
                        role_name=stmt.role_name,
                    )
                    found.setdefault(stmt.role_name, {}).setdefault(policy.footprint, policy)
            self._denies = {role: tuple(p.values()) for role, p in found.items()}
        return self._denies

    def access(
        self, destination: Destination, actions: Sequence[str] = DESTINATION_ACTIONS
    ) -> Mapping[str, AccessDecision]:
        """What `_access` records for `destination`, per action (see `who_can_change`)."""
        key = (destination.index, tuple(actions))
        found = self._access.get(key)
        if found is None:
            found = self._access[key] = who_can_change(destination, actions)
        return found

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
