"""Compile-time checks of the LaunchDarkly operators' operands, each failure a precise message."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from auditor.io.yamlfile import did_you_mean
from auditor.language.vocabulary import ConditionError
from auditor.launchdarkly import Specifier, SpecifierError, parse_specifier

Where = tuple[str | int, ...]
Compare = Callable[[int, int], bool]
"""(measured, total) -> holds."""

_ACTION_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_ACTION_PATTERN = re.compile(r"[A-Za-z0-9*?]+")
_BOUNDS: dict[str, Callable[[int, int], bool]] = {
    "equals": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def need(cond: bool, where: Where, what: str) -> None:
    """Raise `expected <what>` at `where` unless `cond`."""
    if not cond:
        raise ConditionError(where, f"expected {what}")


def param(value: Any, params: Mapping[str, Any], where: Where) -> Any:
    """`value`, or the rule's param it names when it is `{param: NAME}`."""
    if not (isinstance(value, Mapping) and set(value) == {"param"}):
        return value
    name = value["param"]
    if not isinstance(name, str):
        raise ConditionError(where, "expected {param: NAME} with the name of a param")
    if name not in params:
        known = ", ".join(sorted(params)) or "none"
        hint = did_you_mean(name, params) or f" (the rule declares: {known})"
        raise ConditionError(where, f"unknown param {name!r}{hint}")
    return params[name]


def globs(value: Any, where: Where) -> tuple[str, ...]:
    """A non-empty list of glob pattern strings."""
    need(
        isinstance(value, list | tuple) and bool(value) and all(isinstance(v, str) for v in value),
        where,
        "a non-empty list of glob patterns",
    )
    return tuple(value)


def fields(
    operand: Any, where: Where, *, required: Collection[str], optional: Collection[str], shape: str
) -> Mapping[str, Any]:
    """A mapping operand with exactly the known keys; unknown or missing keys are named."""
    need(isinstance(operand, Mapping) and bool(operand), where, shape)
    known = [*required, *optional]
    for key in operand:
        if key not in known:
            hint = did_you_mean(str(key), known)
            raise ConditionError(where, f"unknown key {key!r}{hint}; expected {shape}")
    for key in required:
        if key not in operand:
            raise ConditionError(where, f"missing key {key!r}; expected {shape}")
    result: Mapping[str, Any] = operand
    return result


def actions(value: Any, where: Where, *, globs: bool) -> tuple[str, ...]:
    """An action or a non-empty list of them; names only, or also globs such as `update*`."""
    items = [value] if isinstance(value, str) else value
    what = "an action such as updateOn" + (" or a glob such as update*" if globs else "")
    need(isinstance(items, list) and bool(items), where, f"{what}, or a list of them")
    grammar = _ACTION_PATTERN if globs else _ACTION_NAME
    for item in items:
        if not isinstance(item, str) or not grammar.fullmatch(item):
            raise ConditionError(where, f"{item!r} is not {what}")
    return tuple(items)


def resource(value: Any, where: Where) -> Specifier:
    """A concrete resource or a pattern naming resources by key (no tags, no role attributes)."""
    need(isinstance(value, str), where, "a resource specifier string")
    try:
        parsed = parse_specifier(value)
    except SpecifierError as exc:
        raise ConditionError(
            where, f"{value!r} is not a resource specifier: {exc.reason} at {exc.position}"
        ) from None
    for segment in parsed.segments:
        if segment.qualified:
            raise ConditionError(
                where, f"{value!r}: tags, properties and views are not in the export; use keys"
            )
        if segment.placeholders:
            raise ConditionError(where, f"{value!r}: a role attribute names no resource by itself")
        if any(ch in segment.type for ch in "*?["):
            raise ConditionError(where, f"{value!r}: resource types must be named, not globbed")
    return parsed


def measure(value: Any, where: Where, *, allow_all: bool) -> Compare:
    """`{gte|gt|lte|lt|equals: n}` (all must hold), or `all` (every one the inventory has)."""
    shape = "{gte|gt|lte|lt|equals: n}" + (" or all" if allow_all else "")
    if allow_all and value == "all":
        return lambda measured, total: total > 0 and measured == total
    need(
        isinstance(value, Mapping)
        and bool(value)
        and set(value) <= set(_BOUNDS)
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value.values()),
        where,
        f"{shape} with whole numbers",
    )
    bounds = [(_BOUNDS[k], v) for k, v in value.items()]
    return lambda measured, _total: all(cmp(measured, bound) for cmp, bound in bounds)


def choice(value: Any, where: Where, options: Collection[Any]) -> Any:
    """One of `options`, named in the message when it is not."""
    if not any(type(value) is type(option) and value == option for option in options):
        shown = ", ".join(str(o).lower() if isinstance(o, bool) else str(o) for o in options)
        raise ConditionError(where, f"expected one of {shown}, got {value!r}")
    return value
