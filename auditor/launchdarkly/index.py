"""Reach over an inventory: which destinations a statement targets, found through an index."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from auditor.launchdarkly.globs import Coverage, glob_match, universal
from auditor.launchdarkly.resources import (
    UNKNOWN,
    ConcreteKey,
    Facts,
    KnownFacts,
    PropertyFacts,
    segment_match,
)
from auditor.launchdarkly.specifiers import Segment, Specifier, has_glob, try_parse
from auditor.launchdarkly.statements import PolicyLike, action_applies, combine
from auditor.models import Destination

__all__ = ["DestinationIndex", "Reach", "index_destinations", "reach"]

_GroupKey = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class DestinationIndex:
    """Destinations grouped by (project, environment), in first-seen order; build once, reuse."""

    groups: tuple[tuple[_GroupKey, tuple[Destination, ...]], ...]
    positions: tuple[tuple[int, ...], ...] = ()
    """Inventory position of each grouped destination (parallel to `groups`)."""
    by_project: Mapping[str | None, tuple[int, ...]] = field(default_factory=dict)
    """Group numbers per project key (None: destinations whose project is unknown)."""
    by_id: tuple[Mapping[str, tuple[int, ...]], ...] = ()
    """Per group, the offsets of its members by destination id."""

    @property
    def size(self) -> int:
        return sum(len(members) for _, members in self.groups)


def index_destinations(destinations: Iterable[Destination]) -> DestinationIndex:
    """Group destinations by (project, environment) and id, so a statement looks up its keys."""
    groups: dict[_GroupKey, list[Destination]] = {}
    positions: dict[_GroupKey, list[int]] = {}
    for position, destination in enumerate(destinations):
        key = (destination.project or None, destination.environment or None)
        groups.setdefault(key, []).append(destination)
        positions.setdefault(key, []).append(position)
    by_project: dict[str | None, list[int]] = {}
    by_id: list[dict[str, tuple[int, ...]]] = []
    for number, (key, members) in enumerate(groups.items()):
        by_project.setdefault(key[0], []).append(number)
        ids: dict[str, list[int]] = {}
        for offset, destination in enumerate(members):
            ids.setdefault(destination.id, []).append(offset)
        by_id.append({k: tuple(v) for k, v in ids.items()})
    return DestinationIndex(
        tuple((key, tuple(members)) for key, members in groups.items()),
        tuple(tuple(positions[key]) for key in groups),
        {k: tuple(v) for k, v in by_project.items()},
        tuple(by_id),
    )


@dataclass(frozen=True, slots=True)
class Reach:
    """The destinations a statement could target, and how many projects/environments they span."""

    destination_ids: tuple[str, ...]
    """Every destination the statement could target (YES or MAYBE), in inventory order."""
    uncertain_ids: tuple[str, ...]
    """The subset reached only under the "could cover" reading (unknown tags/properties/roles)."""
    projects: int
    """Distinct known project keys among `destination_ids`."""
    environments: int
    """Distinct known (project, environment) pairs among `destination_ids`."""

    @property
    def count(self) -> int:
        return len(self.destination_ids)


_EMPTY_REACH = Reach((), (), 0, 0)
_Part = tuple[Coverage, Coverage | None, Segment]


def _last_static(segment: Segment) -> Coverage | None:
    """The destination segment's answer when it is the same for every destination id."""
    if segment.type != "destination" and glob_match(segment.type, "destination") is Coverage.NO:
        return Coverage.NO
    if segment.key is None:
        return Coverage.NO
    if universal(segment.key) and not segment.qualified:
        return Coverage.YES
    return None


def _literal_projects(including: list[Specifier] | None) -> set[str] | None:
    """The project keys every resource names literally, or None when any may name others."""
    if including is None:
        return None
    keys: set[str] = set()
    for spec in including:
        first = spec.segments[0]
        if has_glob(first.type) or not first.literal_key or first.key is None:
            return None
        keys.add(first.key)
    return keys


def _literal_ids(including: list[Specifier] | None) -> set[str] | None:
    """The destination ids every resource names literally, or None when any may name others."""
    if including is None:
        return None
    ids: set[str] = set()
    for spec in including:
        last = spec.segments[-1]
        if not last.literal_key or last.key is None:
            return None
        ids.add(last.key)
    return ids


def reach(
    statement: PolicyLike,
    destinations: Sequence[Destination] | DestinationIndex,
    action: str | None = None,
    *,
    tags: Facts | None = None,
    properties: PropertyFacts | None = None,
    views: Facts | None = None,
) -> Reach:
    """Which destinations `statement` targets, over `proj/<p>:env/<e>:destination/<_id>`.

    With `action`, only if the statement targets that action (actions/notActions); without, the
    statement's resource footprint regardless of its actions. Uses the "could cover" reading and
    reports the uncertain part separately. Resources that name projects or destination ids
    literally are looked up in the index; each (project, environment) group is matched once per
    resource pattern, and only patterns whose destination segment depends on the id or on facts
    are matched per destination. A destination whose project or environment is unknown is
    reached for sure only by a `*` key in that position, and MAYBE by any other key.
    """
    if action is not None and not action_applies(statement, action):
        return _EMPTY_REACH
    if not statement.resources and not statement.not_resources:
        return _EMPTY_REACH
    index = (
        destinations
        if isinstance(destinations, DestinationIndex)
        else index_destinations(destinations)
    )
    facts = KnownFacts(tags, properties, views)

    def prepare(texts: tuple[str, ...]) -> list[Specifier] | None:
        if not texts:
            return None
        parsed = (try_parse(t) for t in texts)
        return [p for p in parsed if p is not None and len(p.segments) == 3]

    including = prepare(statement.resources)
    excluding = prepare(statement.not_resources)
    projects = _literal_projects(including)
    ids = _literal_ids(including)
    if projects is None:
        numbers: Iterable[int] = range(len(index.groups))
    else:
        chosen = {n for key in (*projects, None) for n in index.by_project.get(key, ())}
        numbers = sorted(chosen)
    hits: list[tuple[int, Destination, Coverage]] = []
    for number in numbers:
        (project, environment), members = index.groups[number]
        uniform, evaluate = _group_evaluator(project, environment, including, excluding, facts)
        if uniform is Coverage.NO:
            continue
        places = index.positions[number] if number < len(index.positions) else ()
        offsets: Iterable[int] = range(len(members))
        if uniform is None and ids is not None and number < len(index.by_id):
            offsets = sorted(o for i in ids for o in index.by_id[number].get(i, ()))
        for offset in offsets:
            destination = members[offset]
            coverage = uniform if uniform is not None else evaluate(destination.id)
            if coverage is not Coverage.NO:
                place = places[offset] if offset < len(places) else offset
                hits.append((place, destination, coverage))
    return _summarise(hits)


def _summarise(hits: list[tuple[int, Destination, Coverage]]) -> Reach:
    reached: list[str] = []
    uncertain: list[str] = []
    seen: set[str] = set()
    projects: set[str] = set()
    environments: set[tuple[str, str]] = set()
    for _, destination, coverage in sorted(hits, key=lambda hit: hit[0]):
        if destination.id in seen:
            continue
        seen.add(destination.id)
        reached.append(destination.id)
        if coverage is Coverage.MAYBE:
            uncertain.append(destination.id)
        if destination.project:
            projects.add(destination.project)
            if destination.environment:
                environments.add((destination.project, destination.environment))
    return Reach(tuple(reached), tuple(uncertain), len(projects), len(environments))


def _group_evaluator(
    project: str | None,
    environment: str | None,
    including: list[Specifier] | None,
    excluding: list[Specifier] | None,
    facts: KnownFacts,
) -> tuple[Coverage | None, Callable[[str], Coverage]]:
    """Match every pattern's project/env segments once: (uniform answer or None, per-id test)."""
    project_key: ConcreteKey = project if project is not None else UNKNOWN
    env_key: ConcreteKey = environment if environment is not None else UNKNOWN
    project_prefix = f"proj/{project}" if project is not None else None
    env_prefix = (
        f"{project_prefix}:env/{environment}"
        if project_prefix is not None and environment is not None
        else None
    )

    def prefix(spec: Specifier) -> _Part:
        first, second, last = spec.segments
        head = segment_match(first, "proj", project_key, project_prefix, facts)
        if head is not Coverage.NO:
            head = min(head, segment_match(second, "env", env_key, env_prefix, facts))
        static = Coverage.NO if head is Coverage.NO else _last_static(last)
        return head, static, last

    inc = None if including is None else [prefix(s) for s in including]
    exc = None if excluding is None else [prefix(s) for s in excluding]

    def each(parts: list[_Part] | None, dest_id: str) -> list[Coverage] | None:
        if parts is None:
            return None
        out: list[Coverage] = []
        for head, static, last in parts:
            if static is not None:
                out.append(min(head, static))
                continue
            here = None if env_prefix is None else f"{env_prefix}:destination/{dest_id}"
            out.append(min(head, segment_match(last, "destination", dest_id, here, facts)))
        return out

    def evaluate(dest_id: str) -> Coverage:
        return combine(each(inc, dest_id), each(exc, dest_id))

    if all(static is not None for _, static, _ in (inc or []) + (exc or [])):
        return evaluate(""), evaluate
    return None, evaluate
