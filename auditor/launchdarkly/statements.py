"""Policy statements: which actions and resources a statement targets, and what it allows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from auditor.launchdarkly.globs import Coverage, action_covers, glob_overlaps, glob_subsumes
from auditor.launchdarkly.resources import (
    Facts,
    KnownFacts,
    PropertyFacts,
    concrete_segments,
    match_parsed,
    pattern_covers,
    pattern_overlaps,
)
from auditor.launchdarkly.specifiers import Specifier, try_parse

__all__ = [
    "Policy",
    "PolicyLike",
    "action_applies",
    "combine",
    "grants",
    "policy_of",
    "statement_allows",
    "statement_applies",
    "targets_action",
    "targets_pattern",
]


class PolicyLike(Protocol):
    """What a statement is to the policy functions: models.Statement and Policy both fit."""

    @property
    def effect(self) -> str: ...
    @property
    def resources(self) -> tuple[str, ...]: ...
    @property
    def not_resources(self) -> tuple[str, ...]: ...
    @property
    def actions(self) -> tuple[str, ...]: ...
    @property
    def not_actions(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class Policy:
    """A statement's content alone, as rules see it (API names mapped to fields)."""

    effect: str
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    role_name: str | None = None

    @classmethod
    def of(cls, statement: Any, *, effect: str | None = None) -> Policy:
        """The content of any statement-shaped value (a `Statement`, an `_access` reason),
        with `effect` in place of its own when given."""
        return cls(
            effect=effect or statement.effect,
            resources=statement.resources,
            not_resources=statement.not_resources,
            actions=statement.actions,
            not_actions=statement.not_actions,
            role_name=statement.role_name,
        )

    @property
    def footprint(self) -> tuple[tuple[str, ...], ...]:
        """The content that decides what the statement targets, order-free: a cache key."""
        parts = (self.resources, self.not_resources, self.actions, self.not_actions)
        return tuple(tuple(sorted(part)) for part in parts)


def _strings(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


_last: list[Any] = [None, None]
"""The last subject policy_of read and its answer: every statement rule asks about the same
statement in turn, so one entry catches nearly all repeats. Held strongly, so `is` is safe."""


def policy_of(subject: Any) -> Policy | None:
    """The Policy of a statement-shaped mapping (`effect`, `resources`, `notActions`, ...)."""
    if subject is _last[0]:
        cached: Policy | None = _last[1]
        return cached
    policy = _policy_of(subject)
    _last[0], _last[1] = subject, policy
    return policy


def _policy_of(subject: Any) -> Policy | None:
    if not isinstance(subject, Mapping) or not isinstance(subject.get("effect"), str):
        return None
    lists = [
        _strings(subject.get(name))
        for name in ("resources", "notResources", "actions", "notActions")
    ]
    role = subject.get("role_name")
    if any(part is None for part in lists):
        return None
    resources, not_resources, actions, not_actions = (part or () for part in lists)
    return Policy(
        effect=subject["effect"],
        resources=resources,
        not_resources=not_resources,
        actions=actions,
        not_actions=not_actions,
        role_name=role if isinstance(role, str) else None,
    )


def action_applies(statement: PolicyLike, action: str) -> bool:
    """Whether the statement targets the concrete `action` (actions, or all but notActions)."""
    if statement.actions:
        applies = any(action_covers(p, action) for p in statement.actions)
    else:
        applies = bool(statement.not_actions)
    return applies and not any(action_covers(p, action) for p in statement.not_actions)


def targets_action(statement: PolicyLike, action: str) -> Coverage:
    """Tri-state: does the statement target every action `action` names (a name or a glob)?"""
    if statement.actions:
        result = max((glob_subsumes(p, action) for p in statement.actions), default=Coverage.NO)
    else:
        result = Coverage.YES if statement.not_actions else Coverage.NO
    if result is Coverage.NO:
        return result
    excluded = max((glob_overlaps(p, action) for p in statement.not_actions), default=Coverage.NO)
    return min(result, excluded.negate())


def combine(
    resources: Iterable[Coverage] | None, not_resources: Iterable[Coverage] | None
) -> Coverage:
    """resources (any) AND NOT notResources (any); a statement with neither targets nothing."""
    if resources is None and not_resources is None:
        return Coverage.NO
    result = Coverage.YES
    if resources is not None:
        result = max(resources, default=Coverage.NO)
    if not_resources is not None and result is not Coverage.NO:
        result = min(result, max(not_resources, default=Coverage.NO).negate())
    return result


def statement_applies(
    statement: PolicyLike,
    action: str,
    resource: str,
    *,
    tags: Facts | None = None,
    properties: PropertyFacts | None = None,
    views: Facts | None = None,
) -> Coverage:
    """Tri-state: does the statement target `action` on the concrete `resource`?

    `actions` names the targeted actions and `notActions` every action except those listed (both
    given: in actions and not in notActions); likewise `resources`/`notResources`. A statement
    with no actions and no notActions, or no resources and no notResources, targets nothing.
    """
    if not action_applies(statement, action):
        return Coverage.NO
    facts = KnownFacts(tags, properties, views)
    concrete_segments(resource)

    def each(texts: tuple[str, ...]) -> list[Coverage] | None:
        if not texts:
            return None
        parsed = (try_parse(text) for text in texts)
        return [Coverage.NO if p is None else match_parsed(p, resource, facts) for p in parsed]

    return combine(each(statement.resources), each(statement.not_resources))


def targets_pattern(statement: PolicyLike, pattern: Specifier) -> Coverage:
    """Tri-state: does the statement target every resource `pattern` names?

    A resource must cover the whole pattern, and no notResource may overlap it.
    """

    def each(texts: tuple[str, ...], *, inverted: bool) -> list[Coverage] | None:
        if not texts:
            return None
        relate = pattern_overlaps if inverted else pattern_covers
        parsed = (try_parse(text) for text in texts)
        return [Coverage.NO if p is None else relate(p, pattern) for p in parsed]

    return combine(
        each(statement.resources, inverted=False), each(statement.not_resources, inverted=True)
    )


def grants(statement: PolicyLike, action: str, on: Specifier | None) -> Coverage:
    """Tri-state: does an `allow` statement allow `action` on every resource `on` names?

    `on` is a concrete resource or a pattern; None skips the resource test (unknown resource).
    """
    if not isinstance(statement.effect, str) or statement.effect.lower() != "allow":
        return Coverage.NO
    result = targets_action(statement, action)
    if result is Coverage.NO:
        return result
    if on is None:
        has_resources = bool(statement.resources or statement.not_resources)
        return min(result, Coverage.MAYBE) if has_resources else Coverage.NO
    return min(result, targets_pattern(statement, on))


def statement_allows(
    statement: PolicyLike,
    action: str,
    resource: str,
    *,
    tags: Facts | None = None,
    properties: PropertyFacts | None = None,
    views: Facts | None = None,
    unknown: bool = True,
) -> bool | None:
    """True if the statement allows, False if it denies, None if it does not target the pair.

    A statement that MAYBE targets the pair counts as targeting it when `unknown` is True (the
    default, conservative "could cover"); a statement whose effect is neither allow nor deny
    gives None.
    """
    coverage = statement_applies(
        statement, action, resource, tags=tags, properties=properties, views=views
    )
    if coverage is Coverage.NO or (coverage is Coverage.MAYBE and not unknown):
        return None
    effect = statement.effect.lower() if isinstance(statement.effect, str) else ""
    return {"allow": True, "deny": False}.get(effect)
