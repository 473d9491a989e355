"""Operators on where exports go and come from: approved targets per kind, destinations that
share a target or an environment, and which environments are production."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from auditor.language import operands
from auditor.language.vocabulary import (
    MISSING,
    NOT_APPLICABLE,
    NOT_CONFIGURED,
    ConditionError,
    Test,
    destination_and_inventory,
    note,
    operator,
    unchecked,
)
from auditor.launchdarkly.environments import is_production, production_basis
from auditor.launchdarkly.targets import TARGET_KINDS, target_of
from auditor.models import Destination

Where = tuple[str | int, ...]


@operator("approved_in", notes=True, skips=True)
def _approved_in(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    operands.need(isinstance(operand, Mapping), where, "a mapping of kind to approved target ids")
    approved: dict[str, frozenset[str]] = {}
    for kind, ids in operand.items():
        if kind not in TARGET_KINDS:
            kinds = ", ".join(TARGET_KINDS)
            raise ConditionError(
                (*where, kind), f"kind {kind!r} has no target auditor can name ({kinds} do)"
            )
        operands.need(
            isinstance(ids, list) and all(isinstance(i, str) for i in ids),
            (*where, kind),
            f"a list of target ids (for {kind}: {TARGET_KINDS[kind]})",
        )
        approved[kind] = frozenset(ids)

    def test(value: Any, ctx: Any) -> bool:
        if value is MISSING:
            return False
        if value is None:  # a kind without a nameable target: nothing to approve
            unchecked(ctx, NOT_APPLICABLE, "the kind names no target auditor can read")
            return True
        if not isinstance(value, Mapping) or not isinstance(value.get("kind"), str):
            return False
        kind, target_id = value["kind"], value.get("id")
        if kind not in approved:
            note(ctx, f"no approved targets are configured for {kind}; not checked")
            unchecked(ctx, NOT_CONFIGURED, f"no approved targets for {kind}")
            return True
        listed = ", ".join(sorted(approved[kind])) or "none"
        if target_id is None:
            note(ctx, f"{TARGET_KINDS[kind]} cannot be read from the config")
            return False
        ok = target_id in approved[kind]
        verdict = "is" if ok else "is not"
        note(ctx, f"{kind} target {target_id} {verdict} an approved {kind} target ({listed})")
        return ok

    return test


@operator("duplicates", notes=True)
def _duplicates(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    compare = operands.measure(operand, where, allow_all=False)

    def test(value: Any, ctx: Any) -> bool:
        subject = destination_and_inventory(value, ctx)
        if subject is None:
            return False
        destination, inventory = subject
        others = inventory.same_target(destination)
        _name_peers(ctx, others, lambda other: _exports_to(other, "the same target"))
        return compare(len(others), 0)

    return test


@operator("production", notes=True)
def _production(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    globs = operands.globs(operand, where)

    def test(value: Any, ctx: Any) -> bool:
        if not isinstance(value, Mapping):
            return False
        project, environment = value.get("project"), value.get("environment")
        if not isinstance(environment, str):
            return False
        facts = getattr(getattr(ctx, "inventory", None), "environment_facts", None)
        project_key = project if isinstance(project, str) else None
        found, why = production_basis(project_key, environment, globs=globs, facts=facts)
        place = f"{project}/{environment}" if project_key else environment
        note(ctx, lambda: f"environment {place} is {'' if found else 'not '}production: {why}")
        return found

    return test


_PAIRS = ("all", "into-production", "not-into-production")


@operator("shares_target", notes=True)
def _shares_target(operand: Any, params: Mapping[str, Any], where: Where) -> Test:
    shape = (
        "{environments: same|other, count: {equals|gte|...: n}, pairs: all|into-production|"
        "not-into-production, production_environments: [globs]}"
    )
    spec = operands.fields(
        operand,
        where,
        required=("environments", "count"),
        optional=("pairs", "production_environments"),
        shape=shape,
    )
    same = operands.choice(spec["environments"], (*where, "environments"), ("same", "other"))
    compare = operands.measure(spec["count"], (*where, "count"), allow_all=False)
    pairs = operands.choice(spec.get("pairs", "all"), (*where, "pairs"), _PAIRS)
    globs: tuple[str, ...] = ()
    if pairs != "all":
        operands.need(
            "production_environments" in spec,
            where,
            f"production_environments with pairs: {pairs}",
        )
        at = (*where, "production_environments")
        globs = operands.globs(operands.param(spec["production_environments"], params, at), at)

    def counted(destination: Destination, other: Destination, facts: Any) -> bool:
        place = (other.project, other.environment)
        if (place == (destination.project, destination.environment)) != (same == "same"):
            return False
        if pairs == "all":
            return True
        mine = _in_production(destination.project, destination.environment, globs, facts)
        theirs = _in_production(other.project, other.environment, globs, facts)
        into = not mine and theirs
        return into if pairs == "into-production" else not into

    def test(value: Any, ctx: Any) -> bool:
        subject = destination_and_inventory(value, ctx)
        if subject is None:
            return False
        destination, inventory = subject
        facts = inventory.environment_facts
        group = inventory.target_group(destination)
        if not group:
            return compare(0, 0)
        if same == "other" and pairs == "all":
            mine = (destination.project, destination.environment)
            others = [o for o in group if (o.project, o.environment) != mine]
        else:
            peers = (o for o in group if o.index != destination.index)
            others = [o for o in peers if counted(destination, o, facts)]
        if others and getattr(ctx, "trail", None) is not None:
            target = target_of(destination.kind, destination.config)
            sink = "the same target" if target is None else target.describe()
            _name_peers(ctx, others, lambda other: _exports_to(other, sink))
        return compare(len(others), 0)

    return test


@operator("environment_peers", notes=True)
def _environment_peers(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    compare = operands.measure(operand, where, allow_all=False)

    def test(value: Any, ctx: Any) -> bool:
        subject = destination_and_inventory(value, ctx)
        if subject is None:
            return False
        destination, inventory = subject
        group = inventory.environment_group(destination)
        if not group or getattr(ctx, "trail", None) is None:
            return compare(max(len(group) - 1, 0), 0)
        others = inventory.environment_peers(destination)
        _name_peers(
            ctx,
            others,
            lambda other: (
                f"destination {other.name} ({other.kind}, "
                f"{'on' if other.on else 'off'}, {other.id}) is also in "
                f"{other.project}/{other.environment} ({other.pointer})"
            ),
        )
        return compare(len(others), 0)

    return test


def _in_production(
    project: str | None, environment: str | None, globs: tuple[str, ...], facts: Any
) -> bool:
    if facts:
        return is_production(project, environment, globs=globs, facts=facts)
    return _production_by_key(project, environment, globs)


@functools.lru_cache(maxsize=4096)
def _production_by_key(
    project: str | None, environment: str | None, globs: tuple[str, ...]
) -> bool:
    """Every member of a large group asks about the same environments: match each once."""
    return is_production(project, environment, globs=globs)


_SHOWN = 5
"""Peers an explanation names; a large group is summed up, so explanations stay linear."""


def _name_peers(
    ctx: Any, others: Sequence[Destination], line: Callable[[Destination], str]
) -> None:
    """Note the first `_SHOWN` peers, one `line` each, and how many more there are."""
    for other in others[:_SHOWN]:
        note(ctx, line(other))
    if len(others) > _SHOWN:
        note(ctx, f"and {len(others) - _SHOWN} more destinations")


def _exports_to(other: Destination, sink: str) -> str:
    return (
        f"enabled destination {other.name} ({other.id}) in {other.project}/"
        f"{other.environment} exports to {sink} ({other.pointer})"
    )
