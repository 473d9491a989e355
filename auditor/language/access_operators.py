"""Operators on effective access: what `_access` records (`can`) and how far a grant reaches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.language import operands, phrasing
from auditor.language.vocabulary import Test, destination_and_inventory, note, operator
from auditor.launchdarkly import (
    AccessDecision,
    Coverage,
    Policy,
    destination_resource,
    is_concrete,
    policy_of,
    statement_applies,
    try_parse,
)
from auditor.launchdarkly.inventory import Inventory
from auditor.models import Destination

Where = tuple[str | int, ...]
_DECISIONS = {True: "allowed", False: "denied", "unknown": "unknown"}


@operator("can", notes=True)
def _can(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    shape = "{action: <action or list>, allowed: true|false|unknown, by: statement}"
    spec = operands.fields(
        operand, where, required=("action", "allowed"), optional=("by",), shape=shape
    )
    wanted = operands.actions(spec["action"], (*where, "action"), globs=False)
    allowed = operands.choice(spec["allowed"], (*where, "allowed"), (True, False, "unknown"))
    by_statement = "by" in spec
    if by_statement:
        operands.choice(spec["by"], (*where, "by"), ("statement",))
        operands.need(allowed != "unknown", (*where, "allowed"), "true or false with by: statement")
    decision = _DECISIONS[allowed]

    def test(value: Any, ctx: Any) -> bool:
        subject = destination_and_inventory(value, ctx)
        if subject is None:
            return False
        destination, inventory = subject
        policy = policy_of(value) if by_statement else None
        if by_statement and policy is None:
            return False
        decisions = inventory.access(destination, wanted)
        for action in wanted:
            found = decisions[action]
            if found.decision != decision:
                continue
            if policy is not None and not inventory.cites(found, policy):
                continue
            _explain(ctx, destination, found, policy)
            return True
        note(ctx, lambda: _absent(wanted, decisions, decision, policy))
        return False

    return test


def _explain(ctx: Any, destination: Destination, found: AccessDecision, policy: Any) -> None:
    if getattr(ctx, "trail", None) is None:
        return
    reason, pointer = found.reason, found.pointer
    for candidate, at in found.deciding:
        if policy is not None and candidate is not None and candidate.cites(policy):
            reason, pointer = candidate, at
            break
    where = f" ({pointer})" if pointer else ""
    if reason is None:
        why = "; `_access` is missing or silent" if found.decision == "unknown" else ""
        note(ctx, f"`_access` records {found.action} as {found.decision}{where}{why}")
        return
    cited = Policy.of(reason, effect=reason.effect or "?")
    if phrasing.is_default_deny(cited):
        note(ctx, f"`_access` records {found.action} as denied{where}: no statement allows it")
        return
    note(
        ctx,
        f"`_access` records {found.action} as {found.decision}{where} by {phrasing.who(cited)}: "
        f"{phrasing.statement(cited)}",
    )
    if found.conflicting:
        note(ctx, phrasing.conflict(found))
    resource = destination_resource(destination)
    target = None if resource is None else try_parse(resource)
    if (
        resource is not None
        and target is not None
        and is_concrete(target)
        and (cited.resources or cited.not_resources)
    ):
        answer = statement_applies(cited, found.action, resource)
        agrees = "agrees" if answer is not Coverage.NO else "does not find the match"
        note(ctx, f"auditor's reading {agrees}: {phrasing.resource_part(cited, target)}")
    if found.decision == "allowed" and found.action in phrasing.VERBS:
        inventory: Inventory = ctx.inventory
        found_reach = inventory.reach(cited, found.action)
        note(ctx, phrasing.reach_sentence(cited, found.action, found_reach, inventory.totals))


def _absent(
    wanted: tuple[str, ...],
    decisions: Mapping[str, AccessDecision],
    decision: str,
    policy: Policy | None,
) -> str:
    shown = ", ".join(f"{a} {decisions[a].decision}" for a in wanted)
    by = " by this statement" if policy is not None else ""
    return f"`_access` records no action of {', '.join(wanted)} as {decision}{by} ({shown})"


_MEASURES = ("destinations", "projects", "environments")


@operator("reach", notes=True)
def _reach(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    shape = "{destinations|projects|environments: {gte: n} or all, action: <action>}"
    spec = operands.fields(
        operand, where, required=(), optional=(*_MEASURES, "action"), shape=shape
    )
    operands.need(any(m in spec for m in _MEASURES), where, shape)
    action = None
    if "action" in spec:
        operands.need(isinstance(spec["action"], str), (*where, "action"), "one action")
        (action,) = operands.actions(spec["action"], (*where, "action"), globs=False)
    checks = [
        (name, operands.measure(spec[name], (*where, name), allow_all=True))
        for name in _MEASURES
        if name in spec
    ]

    def test(value: Any, ctx: Any) -> bool:
        policy = policy_of(value)
        inventory = getattr(ctx, "inventory", None)
        if policy is None or not isinstance(inventory, Inventory):
            return False
        found = inventory.reach(policy, action)
        totals = inventory.totals
        measured = {
            "destinations": (found.count, totals.destinations),
            "projects": (found.projects, totals.projects),
            "environments": (found.environments, totals.environments),
        }
        holds = all(check(*measured[name]) for name, check in checks)
        note(ctx, lambda: phrasing.reach_sentence(policy, action, found, totals))
        return holds

    return test
