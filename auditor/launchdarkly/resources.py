"""Resource matching: does a specifier name a concrete resource, or every resource of a pattern?"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from auditor.launchdarkly.globs import (
    Coverage,
    glob_match,
    glob_overlaps,
    glob_subsumes,
    universal,
)
from auditor.launchdarkly.specifiers import (
    Segment,
    Specifier,
    SpecifierError,
    parse_specifier,
    try_parse,
)
from auditor.models import Destination

Facts = Mapping[str, AbstractSet[str]]
PropertyFacts = Mapping[str, Mapping[str, object]]


class _Unknown(enum.Enum):
    """A key the export does not tell (a destination without a self link)."""

    KEY = "unknown"


UNKNOWN = _Unknown.KEY
ConcreteKey = str | None | _Unknown


@dataclass(frozen=True, slots=True)
class KnownFacts:
    """Tags, properties and views the caller knows, keyed by resource prefix; None: unknown."""

    tags: Facts | None
    properties: PropertyFacts | None
    views: Facts | None


NO_FACTS = KnownFacts(None, None, None)


def _set_match(
    patterns: tuple[str, ...], known: AbstractSet[str] | None, *, fold: bool = False
) -> Coverage:
    if not patterns:
        return Coverage.YES
    if known is None:
        return Coverage.MAYBE
    if fold:
        patterns = tuple(p.lower() for p in patterns)
        known = {value.lower() for value in known}
    result = Coverage.YES
    for pattern in patterns:
        best = max((glob_match(pattern, value) for value in known), default=Coverage.NO)
        result = min(result, best)
    return result


def _property_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _qualifiers(segment: Segment, prefix: str | None, facts: KnownFacts) -> Coverage:
    if not segment.qualified:
        return Coverage.YES

    def lookup(table: Mapping[str, Any] | None) -> Any:
        return None if table is None or prefix is None else table.get(prefix)

    # Tags are not case-sensitive in LaunchDarkly (https://launchdarkly.com/docs/home/account/tags).
    result = min(
        _set_match(segment.tags, lookup(facts.tags), fold=True),
        _set_match(segment.views, lookup(facts.views)),
    )
    known_properties = lookup(facts.properties)
    for name, value in segment.properties:
        if known_properties is None or name not in known_properties:
            result = min(result, Coverage.MAYBE)
        elif _property_text(known_properties[name]) != value:
            return Coverage.NO
    return result


def segment_match(
    segment: Segment, type_: str, key: ConcreteKey, prefix: str | None, facts: KnownFacts
) -> Coverage:
    if segment.type != type_ and glob_match(segment.type, type_) is Coverage.NO:
        return Coverage.NO
    if segment.key is None or key is None:
        key_match = Coverage.YES if segment.key is None and key is None else Coverage.NO
    elif key is UNKNOWN:
        key_match = Coverage.YES if universal(segment.key) else Coverage.MAYBE
    else:
        key_match = glob_match(segment.key, key)
    if key_match is Coverage.NO:
        return Coverage.NO
    return min(key_match, _qualifiers(segment, prefix, facts))


@functools.lru_cache(maxsize=8192)
def concrete_segments(resource: str) -> tuple[tuple[str, str | None, str], ...]:
    """(type, key, prefix text) per segment of a concrete resource; SpecifierError otherwise."""
    parsed = parse_specifier(resource)
    out: list[tuple[str, str | None, str]] = []
    for index, segment in enumerate(parsed.segments):
        if segment.qualified or segment.placeholders or segment.wildcard:
            raise SpecifierError(
                resource, 0, "a concrete resource has no globs, placeholders or qualifiers"
            )
        out.append((segment.type, segment.key, str(Specifier(parsed.segments[: index + 1]))))
    return tuple(out)


def match_parsed(specifier: Specifier, resource: str, facts: KnownFacts) -> Coverage:
    concrete = concrete_segments(resource)
    if len(specifier.segments) != len(concrete):
        return Coverage.NO
    result = Coverage.YES
    for segment, (type_, key, prefix) in zip(specifier.segments, concrete, strict=True):
        result = min(result, segment_match(segment, type_, key, prefix, facts))
        if result is Coverage.NO:
            break
    return result


def match_resource(
    specifier: str | Specifier,
    resource: str,
    *,
    tags: Facts | None = None,
    properties: PropertyFacts | None = None,
    views: Facts | None = None,
) -> Coverage:
    """Tri-state: does `specifier` name the concrete `resource`?

    Segment counts must be equal: `proj/*` names projects, not their environments or flags, and
    `proj/*:env/*` names environments, not the destinations inside them (LaunchDarkly: limiting
    resources to `proj/*:env/*;qa_*` manages the environment itself; flags need `...:flag/*`).
    Types are literal unless they contain a glob character. Keys are case-sensitive globs.

    Facts are keyed by the concrete resource's prefix ending at the qualified segment, e.g.
    `tags={"proj/payments:env/production": {"qa_eu"}}`, `properties={"proj/p:env/e":
    {"critical": True}}`, `views={"proj/p:env/e:flag/f": {"frontend"}}`. A tag, property or view
    qualifier whose facts are not given yields MAYBE; a `${roleAttribute/x}` placeholder matches
    whatever its surrounding literal text allows and yields MAYBE (its value is set per member or
    team at assignment time and is not in the export). An unparseable specifier yields NO (it
    names nothing we can know; detect it with `parse_specifier`). An invalid or non-concrete
    `resource` raises SpecifierError.
    """
    parsed = specifier if isinstance(specifier, Specifier) else try_parse(specifier)
    if parsed is None:
        concrete_segments(resource)
        return Coverage.NO
    return match_parsed(parsed, resource, KnownFacts(tags, properties, views))


def covers(
    specifier: str | Specifier,
    resource: str,
    *,
    tags: Facts | None = None,
    properties: PropertyFacts | None = None,
    views: Facts | None = None,
    unknown: bool = True,
) -> bool:
    """`match_resource` as a bool; MAYBE becomes `unknown`.

    The default `unknown=True` is the auditor's conservative "could cover" reading: a statement
    whose tags, property selectors, views or role attributes cannot be checked against the export
    is counted as reaching the resource (an upper bound). Pass `unknown=False` for a lower bound.
    """
    coverage = match_resource(specifier, resource, tags=tags, properties=properties, views=views)
    return coverage is Coverage.YES or (coverage is Coverage.MAYBE and unknown)


def destination_resource(destination: Destination) -> str | None:
    """`proj/<project>:env/<environment>:destination/<_id>`, or None if project/env are unknown."""
    if not destination.project or not destination.environment:
        return None
    return f"proj/{destination.project}:env/{destination.environment}:destination/{destination.id}"


def _qualifiers_within(segment: Segment, other: Segment) -> Coverage:
    """Whether `segment`'s tags/properties/views hold wherever `other`'s do (known: same text)."""
    if not segment.qualified:
        return Coverage.YES
    same = (
        {t.lower() for t in segment.tags} <= {t.lower() for t in other.tags}
        and set(segment.properties) <= set(other.properties)
        and set(segment.views) <= set(other.views)
    )
    return Coverage.YES if same else Coverage.MAYBE


def _pattern_segment(segment: Segment, other: Segment, *, subsume: bool) -> Coverage:
    if segment.type != other.type and glob_match(segment.type, other.type) is Coverage.NO:
        return Coverage.NO
    if segment.key is None or other.key is None:
        return Coverage.YES if segment.key is None and other.key is None else Coverage.NO
    relate = glob_subsumes if subsume else glob_overlaps
    keys = relate(segment.key, other.key)
    if keys is Coverage.NO:
        return Coverage.NO
    if subsume:
        return min(keys, _qualifiers_within(segment, other))
    return min(keys, Coverage.MAYBE if segment.qualified else Coverage.YES)


def pattern_covers(specifier: Specifier, pattern: Specifier) -> Coverage:
    """Tri-state: does `specifier` name every resource `pattern` names (same segment count)?"""
    if len(specifier.segments) != len(pattern.segments):
        return Coverage.NO
    pairs = zip(specifier.segments, pattern.segments, strict=True)
    return min((_pattern_segment(s, p, subsume=True) for s, p in pairs), default=Coverage.NO)


def pattern_overlaps(specifier: Specifier, pattern: Specifier) -> Coverage:
    """Tri-state: does `specifier` name at least one resource `pattern` names?"""
    if len(specifier.segments) != len(pattern.segments):
        return Coverage.NO
    pairs = zip(specifier.segments, pattern.segments, strict=True)
    return min((_pattern_segment(s, p, subsume=False) for s, p in pairs), default=Coverage.NO)


def is_concrete(specifier: Specifier) -> bool:
    """True when every segment names one resource by key (or is key-less) with no qualifier."""
    return all(
        not s.qualified and not s.placeholders and not s.wildcard for s in specifier.segments
    )


def match_steps(specifier: Specifier, target: Specifier) -> tuple[tuple[str, str, Coverage], ...]:
    """Per segment, (pattern segment, target segment, answer), up to the first NO: for people.

    Qualifiers of a concrete target are unknown facts (MAYBE); a pattern target is compared as
    `pattern_covers` does.
    """
    if len(specifier.segments) != len(target.segments):
        return ((str(specifier), str(target), Coverage.NO),)
    steps: list[tuple[str, str, Coverage]] = []
    concrete = is_concrete(target)
    for mine, theirs in zip(specifier.segments, target.segments, strict=True):
        if concrete:
            key = theirs.key
            answer = segment_match(mine, theirs.type, key, None, NO_FACTS)
        else:
            answer = _pattern_segment(mine, theirs, subsume=True)
        steps.append((str(mine), str(theirs), answer))
        if answer is Coverage.NO:
            break
    return tuple(steps)
