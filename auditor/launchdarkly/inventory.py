"""Every destination of one audit, with the indexes operators share, each built once and lazily."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from auditor.launchdarkly import (
    AccessDecision,
    DestinationIndex,
    PolicyLike,
    Reach,
    index_destinations,
    reach,
    who_can_change,
)
from auditor.launchdarkly.access import DESTINATION_ACTIONS
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
    statement cited by every destination is matched against the index once.
    """

    def __init__(self, destinations: Iterable[Destination]) -> None:
        self._items = tuple(destinations)
        self._index: DestinationIndex | None = None
        self._totals: Totals | None = None
        self._reach: dict[tuple[tuple[str, ...], tuple[str, ...]], Reach] = {}
        self._reach_by_content: dict[tuple[tuple[str, ...], tuple[str, ...]], Reach] = {}
        self._access: dict[int, Mapping[str, AccessDecision]] = {}
        self._targets: dict[tuple[Any, ...], tuple[Destination, ...]] | None = None

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
        certain = {i for other in others for i in other.destination_ids} - {
            i for other in others for i in other.uncertain_ids
        }
        doubtful = {i for other in others for i in other.uncertain_ids} | set(found.uncertain_ids)
        left = tuple(i for i in found.destination_ids if i not in certain)
        index = self.destination_index
        projects: set[str] = set()
        environments: set[tuple[str, str]] = set()
        for ident in left:
            d = self._items[index.by_id[ident][0]]
            if d.project:
                projects.add(d.project)
                if d.environment:
                    environments.add((d.project, d.environment))
        uncertain = tuple(i for i in left if i in doubtful)
        return Reach(left, uncertain, len(projects), len(environments))

    def access(
        self, destination: Destination, actions: Sequence[str] = DESTINATION_ACTIONS
    ) -> Mapping[str, AccessDecision]:
        """What `_access` records for `destination`, per action (see `who_can_change`).

        Read once per destination for every action asked so far, whichever rule asks.
        """
        known = self._access.get(destination.index)
        if known is None or any(action not in known for action in actions):
            wanted = (*(known or DESTINATION_ACTIONS), *actions)
            known = who_can_change(destination, tuple(dict.fromkeys(wanted)))
            self._access[destination.index] = known
        return {action: known[action] for action in actions}

    def same_target(self, destination: Destination) -> tuple[Destination, ...]:
        """Other enabled destinations of the same project and environment with the same target."""
        if self._targets is None:
            groups: dict[tuple[Any, ...], list[Destination]] = {}
            for item in self._items:
                key = _target_key(item)
                if key is not None:
                    groups.setdefault(key, []).append(item)
            self._targets = {k: tuple(v) for k, v in groups.items() if len(v) > 1}
        key = _target_key(destination)
        if key is None:
            return ()
        members = self._targets.get(key, ())
        return tuple(d for d in members if d.index != destination.index)


def _target_key(destination: Destination) -> tuple[Any, ...] | None:
    if not destination.on or not destination.project or not destination.environment:
        return None
    target = target_of(destination.kind, destination.config)
    identity = None if target is None else target.identity
    if identity is None:
        return None
    return (destination.project, destination.environment, *identity)
