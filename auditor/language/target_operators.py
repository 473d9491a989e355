"""Operators on where exports go: approved targets per kind, and duplicate exports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.language import operands
from auditor.language.vocabulary import (
    MISSING,
    NOT_APPLICABLE,
    NOT_CONFIGURED,
    ConditionError,
    Test,
    note,
    operator,
    unchecked,
)
from auditor.launchdarkly.inventory import Inventory
from auditor.launchdarkly.targets import TARGET_KINDS

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
        destination = getattr(ctx, "destination", None)
        inventory = getattr(ctx, "inventory", None)
        if value is MISSING or destination is None or not isinstance(inventory, Inventory):
            return False
        others = inventory.same_target(destination)
        for other in others:
            note(
                ctx,
                f"enabled destination {other.name} ({other.id}) in {other.project}/"
                f"{other.environment} exports to the same target ({other.pointer})",
            )
        return compare(len(others), 0)

    return test
