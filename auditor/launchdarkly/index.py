"""Reach over an inventory: which destinations a statement targets, found through an index.

The index groups destinations by (project, environment) and keeps them by key at every
level, so a reach costs what it matches, not the inventory: a literal destination id,
project or environment is a dictionary lookup; a project glob is matched once per distinct
project key for the whole run (many globs together, see `globsets`); a project or
environment segment is matched once per distinct key it meets; and only a destination
segment that depends on the id is matched per destination, within the groups already found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor.launchdarkly.globs import Coverage, glob_match, universal
from auditor.launchdarkly.globsets import match_many
from auditor.launchdarkly.resources import (
    UNKNOWN,
    ConcreteKey,
    Facts,
    KnownFacts,
    PropertyFacts,
    segment_match,
)
from auditor.launchdarkly.specifiers import Segment, Specifier, try_parse
from auditor.launchdarkly.statements import PolicyLike, action_applies
from auditor.models import Destination

__all__ = ["DestinationIndex", "Reach", "index_destinations", "reach"]

_GroupKey = tuple[str | None, str | None]


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


EMPTY_REACH = Reach((), (), 0, 0)


class DestinationIndex:
    """Destinations grouped by (project, environment) and kept by key; build once, reuse.

    Answers that do not depend on facts (tags, properties, views) are remembered for the
    index's life: which project keys a glob names, and each segment's answer for a key.
    """

    def __init__(self, destinations: Iterable[Destination]) -> None:
        self.destinations = tuple(destinations)
        grouped: dict[_GroupKey, list[int]] = {}
        self.by_id: dict[str, list[int]] = {}
        for position, d in enumerate(self.destinations):
            grouped.setdefault((d.project or None, d.environment or None), []).append(position)
            self.by_id.setdefault(d.id, []).append(position)
        self.keys: tuple[_GroupKey, ...] = tuple(grouped)
        self.members: tuple[tuple[int, ...], ...] = tuple(tuple(m) for m in grouped.values())
        self.by_project: dict[str | None, list[int]] = {}
        self.by_environment: dict[str | None, list[int]] = {}
        for number, (project, environment) in enumerate(self.keys):
            self.by_project.setdefault(project, []).append(number)
            self.by_environment.setdefault(environment, []).append(number)
        self._project_keys = [key for key in self.by_project if key is not None]
        self._named: dict[str, list[str]] = {}
        self._answers: dict[tuple[Segment, str, ConcreteKey], Coverage] = {}
        self.key_tests = 0
        """Globs matched against keys so far: work that should grow with what matches."""

    @property
    def groups(self) -> tuple[tuple[_GroupKey, tuple[Destination, ...]], ...]:
        """(project, environment) and the destinations of each group, in first-seen order."""
        every = self.destinations
        return tuple(
            (key, tuple(every[p] for p in members))
            for key, members in zip(self.keys, self.members, strict=True)
        )

    @property
    def size(self) -> int:
        return len(self.destinations)

    def _count(self, tests: int) -> None:
        self.key_tests += tests

    def named_projects(self, globs: Iterable[str]) -> dict[str, list[str]]:
        """The known project keys each glob names, matched once per glob for the index's life."""
        wanted = list(dict.fromkeys(globs))
        missing = [g for g in wanted if g not in self._named]
        if missing:
            self._named.update(match_many(missing, self._project_keys, self._count))
        return {g: self._named[g] for g in wanted}

    def _answer(
        self, segment: Segment, type_: str, key: ConcreteKey, prefix: str | None, facts: Facts3
    ) -> Coverage:
        if facts is not None:
            return segment_match(segment, type_, key, prefix, facts)
        memo = (segment, type_, key)
        found = self._answers.get(memo)
        if found is None:
            found = self._answers[memo] = segment_match(segment, type_, key, prefix, _NO_FACTS)
        return found

    def head(
        self, project: str | None, environment: str | None, spec: Specifier, facts: Facts3
    ) -> Coverage:
        """How the spec's project and environment segments name this (project, environment)."""
        first, second, _ = spec.segments
        prefix = f"proj/{project}" if project is not None else None
        answer = self._answer(first, "proj", UNKNOWN if project is None else project, prefix, facts)
        if answer is Coverage.NO:
            return answer
        if prefix is not None and environment is not None:
            prefix = f"{prefix}:env/{environment}"
        else:
            prefix = None
        env_key = UNKNOWN if environment is None else environment
        return min(answer, self._answer(second, "env", env_key, prefix, facts))

    def candidate_groups(self, spec: Specifier) -> Iterable[int]:
        """Every group the spec's project and environment segments could name (a superset)."""
        first, second, _ = spec.segments
        unknown = self.by_project.get(None, [])
        if first.literal_key:
            return [*self.by_project.get(first.key, ()), *unknown]
        if second.literal_key:
            return [*self.by_environment.get(second.key, ()), *self.by_environment.get(None, ())]
        if first.key is None:
            return ()  # a key-less project segment names no project
        if universal(first.key):
            return range(len(self.keys))
        named = self.named_projects([first.key])[first.key]
        return [*(n for key in named for n in self.by_project[key]), *unknown]

    def cover(self, specs: Sequence[Specifier], facts: Facts3) -> dict[int, Coverage]:
        """Per position, the best answer any of `specs` gives; positions none names are absent."""
        best: dict[int, Coverage] = {}
        globbed = [s.segments[0].key for s in specs if _project_glob(s)]
        if len(globbed) > 1:
            self.named_projects(k for k in globbed if k is not None)  # together, at once
        heads: dict[int, dict[Segment, Coverage]] = {}
        for spec in specs:
            if not _names_destinations(spec):
                continue
            last = spec.segments[2]
            if last.literal_key and last.key is not None:
                self._by_id(spec, last.key, facts, best)
                continue
            for number in self.candidate_groups(spec):
                project, environment = self.keys[number]
                head = self.head(project, environment, spec, facts)
                if head is not Coverage.NO:
                    lasts = heads.setdefault(number, {})
                    lasts[last] = max(head, lasts.get(last, Coverage.NO))
        for number, lasts in heads.items():
            self._members(number, lasts, facts, best)
        return best

    def _by_id(self, spec: Specifier, key: str, facts: Facts3, best: dict[int, Coverage]) -> None:
        last = spec.segments[2]
        for position in self.by_id.get(key, ()):
            d = self.destinations[position]
            project, environment = d.project or None, d.environment or None
            head = self.head(project, environment, spec, facts)
            if head is Coverage.NO:
                continue
            answer = min(head, segment_match(last, "destination", d.id, _here(d), _known(facts)))
            if answer > best.get(position, Coverage.NO):
                best[position] = answer

    def _members(
        self, number: int, lasts: dict[Segment, Coverage], facts: Facts3, best: dict[int, Coverage]
    ) -> None:
        """Match the destination segments met in one group against its members."""
        members = self.members[number]
        every = self.destinations
        by_id: dict[str, list[int]] = {}
        for position in members:
            by_id.setdefault(every[position].id, []).append(position)
        keyed: list[Segment] = []
        for last, head in lasts.items():
            if facts is None and last.key is not None and universal(last.key):
                # The same answer for every id: one match stands for the group.
                answer = min(
                    head, self._answer(last, "destination", every[members[0]].id, None, None)
                )
                if answer is not Coverage.NO:
                    for position in members:
                        if answer > best.get(position, Coverage.NO):
                            best[position] = answer
            elif last.key is not None:
                keyed.append(last)
        if not keyed:
            return
        named = match_many([s.key for s in keyed if s.key is not None], list(by_id), self._count)
        for last in keyed:
            head = lasts[last]
            for ident in named[last.key or ""]:
                for position in by_id[ident]:
                    d = every[position]
                    answer = segment_match(last, "destination", ident, _here(d), _known(facts))
                    answer = min(head, answer)
                    if answer > best.get(position, Coverage.NO):
                        best[position] = answer

    def summarise(self, include: dict[int, Coverage] | None, exclude: dict[int, Coverage]) -> Reach:
        """The reach of resources (`include`; None: every destination) less notResources."""
        every = self.destinations
        positions: Iterable[int] = range(len(every)) if include is None else sorted(include)
        reached: list[str] = []
        uncertain: list[str] = []
        seen: set[str] = set()
        projects: set[str] = set()
        environments: set[tuple[str, str]] = set()
        for position in positions:
            answer = Coverage.YES if include is None else include[position]
            excluded = exclude.get(position)
            if excluded is not None:
                answer = min(answer, excluded.negate())
                if answer is Coverage.NO:
                    continue
            d = every[position]
            if d.id in seen:
                continue
            seen.add(d.id)
            reached.append(d.id)
            if answer is Coverage.MAYBE:
                uncertain.append(d.id)
            if d.project:
                projects.add(d.project)
                if d.environment:
                    environments.add((d.project, d.environment))
        return Reach(tuple(reached), tuple(uncertain), len(projects), len(environments))


Facts3 = KnownFacts | None
"""Facts the caller gave, or None when it gave none (then answers are remembered)."""
_NO_FACTS = KnownFacts(None, None, None)


def _known(facts: Facts3) -> KnownFacts:
    return _NO_FACTS if facts is None else facts


def _here(d: Destination) -> str | None:
    if d.project and d.environment:
        return f"proj/{d.project}:env/{d.environment}:destination/{d.id}"
    return None


_LEVELS = ("proj", "env", "destination")


def _names_destinations(spec: Specifier) -> bool:
    """Whether every segment's type can name its level (`flag/*` in last place cannot)."""
    return all(
        s.type == t or glob_match(s.type, t) is not Coverage.NO
        for s, t in zip(spec.segments, _LEVELS, strict=True)
    )


def _project_glob(spec: Specifier) -> bool:
    first, second, last = spec.segments
    return (
        not last.literal_key
        and not first.literal_key
        and not second.literal_key
        and first.key is not None
        and not universal(first.key)
    )


def index_destinations(destinations: Iterable[Destination]) -> DestinationIndex:
    """Group destinations by (project, environment) and id, so a statement looks up its keys."""
    return DestinationIndex(destinations)


def _prepare(texts: tuple[str, ...]) -> list[Specifier] | None:
    """The resource specifiers that can name a destination; None when the list is empty."""
    if not texts:
        return None
    parsed = (try_parse(t) for t in texts)
    return [p for p in parsed if p is not None and len(p.segments) == 3]


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
    reports the uncertain part separately. A destination whose project or environment is
    unknown is reached for sure only by a `*` key in that position, and MAYBE by any other key.
    """
    if action is not None and not action_applies(statement, action):
        return EMPTY_REACH
    if not statement.resources and not statement.not_resources:
        return EMPTY_REACH
    index = (
        destinations
        if isinstance(destinations, DestinationIndex)
        else DestinationIndex(destinations)
    )
    given = tags is not None or properties is not None or views is not None
    facts = KnownFacts(tags, properties, views) if given else None
    including = _prepare(statement.resources)
    excluding = _prepare(statement.not_resources)
    include = None if including is None else index.cover(including, facts)
    exclude = index.cover(excluding, facts) if excluding else {}
    return index.summarise(include, exclude)
