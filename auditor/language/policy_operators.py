"""Operators on statement content: coverage of resources and actions, grants, scope, parsing."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from auditor.language import operands, phrasing
from auditor.language.vocabulary import Test, hidden_field, note, operator, quoted
from auditor.launchdarkly import (
    Coverage,
    Specifier,
    SpecifierError,
    destination_resource,
    glob_subsumes,
    grants,
    is_concrete,
    parse_specifier,
    pattern_covers,
    policy_of,
    try_parse,
)
from auditor.launchdarkly.breadth import (
    DESTINATION_TYPES,
    names_destinations,
    wildcard_destinations,
)

Where = tuple[str | int, ...]
_ANSWER = {Coverage.YES: "covers", Coverage.MAYBE: "could cover", Coverage.NO: "does not cover"}


@operator("resource_covers", notes=True)
def _resource_covers(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    target = operands.resource(operand, where)

    def test(value: Any, ctx: Any) -> bool:
        parsed = try_parse(value)
        if parsed is None:
            return False
        answer = pattern_covers(parsed, target)
        note(ctx, lambda: _covers_line(value, answer, parsed, target), redacted=True)
        return answer is not Coverage.NO

    return test


def _covers_line(value: str, answer: Coverage, parsed: Specifier, target: Specifier) -> str:
    """The coverage, with its chain only when the value may be shown (it quotes the value)."""
    head = f"{quoted(value)} {_ANSWER[answer]} {target}"
    return head if hidden_field() else f"{head}: {phrasing.chain(parsed, target)}"


@operator("action_covers", notes=True)
def _action_covers(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    operands.need(isinstance(operand, str), where, "one action, such as updateOn")
    (action,) = operands.actions(operand, where, globs=True)

    def test(value: Any, ctx: Any) -> bool:
        if not isinstance(value, str) or not value:
            return False
        answer = glob_subsumes(value, action)
        note(ctx, lambda: f"action {quoted(value)} {_ANSWER[answer]} {action}", redacted=True)
        return answer is not Coverage.NO

    return test


@operator("valid_specifier", notes=True)
def _valid_specifier(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    operands.need(isinstance(operand, bool), where, "true or false")

    def test(value: Any, ctx: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            parse_specifier(value)
        except SpecifierError as exc:
            why = "" if hidden_field() else f": {exc.reason} at {exc.position}"
            note(ctx, f"{quoted(value)} does not parse{why}", redacted=True)
            return not operand
        return bool(operand)

    return test


def specifier_error(value: object) -> str:
    """Why `value` is not a resource specifier ("empty tag at 27"), or "" when it parses."""
    try:
        parse_specifier(value)  # type: ignore[arg-type]
    except SpecifierError as exc:
        return f"{exc.reason} at {exc.position}"
    return ""


@operator("wildcard_destinations", notes=True)
def _wildcard_destinations(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    operands.need(isinstance(operand, bool), where, "true or false")

    def test(value: Any, ctx: Any) -> bool:
        if not isinstance(value, str):
            return False
        found = wildcard_destinations(value)
        if found:
            note(
                ctx,
                f"`{value}` reaches destinations in every project or environment its glob "
                "names, not one destination by id",
            )
        return found is bool(operand)

    return test


@operator("grants", notes=True)
def _grants(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    shape = "{action: <action or list>, on: <resource or pattern>} (on: this destination if absent)"
    spec = operands.fields(operand, where, required=("action",), optional=("on",), shape=shape)
    wanted = operands.actions(spec["action"], (*where, "action"), globs=True)
    fixed = operands.resource(spec["on"], (*where, "on")) if "on" in spec else None

    def test(value: Any, ctx: Any) -> bool:
        policy = policy_of(value)
        if policy is None:
            return False
        on = fixed if fixed is not None else _here(ctx)
        for action in wanted:
            answer = grants(policy, action, on)
            if answer is Coverage.NO:
                continue
            note(ctx, partial(_grant_line, policy, action, on, answer))
            if getattr(ctx, "trail", None) is not None and action in phrasing.VERBS:
                found = ctx.inventory.reach(policy, action)
                totals = ctx.inventory.totals
                note(ctx, phrasing.reach_sentence(policy, action, found, totals))
            return True
        note(ctx, partial(_grant_line, policy, wanted[0], on, Coverage.NO))
        return False

    return test


def _here(ctx: Any) -> Specifier | None:
    """The audited destination as a concrete resource; None when its keys cannot say."""
    destination = getattr(ctx, "destination", None)
    resource = None if destination is None else destination_resource(destination)
    parsed = None if resource is None else try_parse(resource)
    return parsed if parsed is not None and is_concrete(parsed) else None


def _grant_line(policy: Any, action: str, on: Specifier | None, answer: Coverage) -> str:
    verb = {Coverage.YES: "allows", Coverage.MAYBE: "could allow", Coverage.NO: "does not allow"}
    where = "this destination (its project or environment is unknown)" if on is None else str(on)
    head = f"{phrasing.who(policy)} {verb[answer]} {action} on {where}"
    if policy.effect.lower() != "allow":
        return f"{head}: its effect is {policy.effect}"
    parts = [phrasing.action_part(policy, action)]
    if on is not None:
        parts.append(phrasing.resource_part(policy, on))
    return f"{head}: {'; '.join(parts)}"


_LEVELS = ("project", "environment", "destination")


@operator("scoped_to", notes=True)
def _scoped_to(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    depth = _LEVELS.index(operands.choice(operand, where, _LEVELS)) + 1

    def test(value: Any, ctx: Any) -> bool:
        policy = policy_of(value)
        destination = getattr(ctx, "destination", None)
        if policy is None or destination is None:
            return False
        keys = (destination.project, destination.environment, destination.id)[:depth]
        name = f"{operand} `{keys[-1]}`"
        if any(key is None for key in keys):
            note(ctx, f"the destination's {operand} is unknown, so no statement is scoped to it")
            return False
        if not policy.resources:
            note(ctx, f"only notResources: the statement reaches every {operand} but those")
            return False
        for text in policy.resources:
            spec = try_parse(text)
            if spec is None or not names_destinations(spec):
                continue
            for segment, key, type_ in zip(spec.segments, keys, DESTINATION_TYPES, strict=False):
                if not segment.literal_key or segment.key != key or segment.type != type_:
                    note(
                        ctx,
                        f"resource `{text}` is not scoped to {name}: "
                        f"`{segment}` is not `{type_}/{key}`",
                    )
                    return False
        note(ctx, f"every destination resource of the statement names {name}")
        return True

    return test
