"""The closed operator vocabulary of rule conditions, compiled once to plain Python callables.

A condition is a mapping. Each key is a combinator (`and`, `or`, `not`), an operator applied
to the current value (`equals: x`), or a dotted path into the current value whose own
mapping is then a condition on what the path reaches. All keys must hold. A missing path is
never an error: `exists: false` holds there and every other operator fails.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor import launchdarkly
from auditor.io.yamlfile import did_you_mean
from auditor.io.yamlschema import kind_of

# Imported for their side effect: each registers its operators in the vocabulary.
from auditor.language import (  # noqa: F401
    access_operators,
    grant_operators,
    operands,
    policy_operators,
    schema_operator,
    target_operators,
)
from auditor.language.regex import compile_search
from auditor.language.vocabulary import (
    MISSING,
    OPERATORS,
    ConditionError,
    Test,
    hiding,
    note,
    operator,
    quoted,
)
from auditor.launchdarkly.kinds import shown_fields
from auditor.models import STATEMENT_ATTRIBUTES


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled top-level condition, able to say which of its keys failed."""

    parts: tuple[tuple[str, str | None, Test], ...]
    """(key, path or None for operators/combinators, test) per key of the mapping."""
    test: Test
    """All parts in one callable: what `holds` runs."""

    def holds(self, subject: Any, ctx: Any = None) -> bool:
        return self.test(subject, ctx)

    def failing_path(self, subject: Any, ctx: Any = None) -> str | None:
        """The first path key that does not hold, for messages; None when not a path."""
        for _, path, test in self.parts:
            if not test(subject, ctx):
                return path
        return None


def resolve(value: Any, path: str) -> Any:
    """Follow a dotted path through mappings (and list indexes); MISSING when it leads nowhere."""
    return _follow(value, path.split("."))


def _follow(value: Any, parts: Sequence[str]) -> Any:
    for part in parts:
        if isinstance(value, Mapping):
            value = value.get(part, MISSING)
        elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def _all_of(tests: Sequence[Test]) -> Test:
    """One callable for a conjunction, without a generator per call for the common sizes."""
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda value, ctx: first(value, ctx) and second(value, ctx)
    return lambda value, ctx: all(test(value, ctx) for test in tests)


def compile_condition(
    spec: Any, params: Mapping[str, Any], where: Sequence[str | int] = ()
) -> Compiled:
    """Compile a rule's `when` or `assert` mapping."""
    mapping = _expect_mapping(spec, where)
    parts = []
    for key, sub in mapping.items():
        test = _compile_key(key, sub, params, (*where, key))
        is_path = key not in OPERATORS and key not in _COMBINATORS
        parts.append((key, key if is_path else None, test))
    return Compiled(tuple(parts), _all_of([test for _, _, test in parts]))


def _compile(spec: Any, params: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    return _all_of(
        [
            _compile_key(key, sub, params, (*where, key))
            for key, sub in _expect_mapping(spec, where).items()
        ]
    )


def _compile_key(
    key: Any, sub: Any, params: Mapping[str, Any], where: tuple[str | int, ...]
) -> Test:
    if not isinstance(key, str) or not key:
        raise ConditionError(where, "condition keys must be non-empty strings")
    if key in _COMBINATORS:
        return _COMBINATORS[key](sub, params, where)
    if key in OPERATORS:
        operand = _operand(sub, params, where)
        return OPERATORS[key](operand, params, where)
    if not isinstance(sub, Mapping) or set(sub) == {"param"}:  # an operand: not a path
        hint = did_you_mean(key, [*OPERATORS, *_COMBINATORS])
        raise ConditionError(where[:-1], f"unknown operator {key!r}{hint}", at=where)
    inner = _hidden_where_secret(_compile(sub, params, where), where)
    if "." not in key:
        # One step, the common case: a plain dict lookup, no loop.
        def at_key(value: Any, ctx: Any) -> bool:
            if type(value) is dict:
                return inner(value.get(key, MISSING), ctx)
            return inner(_follow(value, (key,)), ctx)

        return at_key
    parts = tuple(key.split("."))

    def at_path(value: Any, ctx: Any) -> bool:
        return inner(_follow(value, parts), ctx)

    return at_path


def _subject_path(where: Sequence[str | int]) -> tuple[str, ...]:
    """The fields of the subject a condition at `where` (inside `when` or `assert`) reads;
    `[]` stands for an item of a list (under `any`, `all`, `none` or `count`)."""
    out: list[str] = []
    for part in where[1:] if where[:1] in (("when",), ("assert",)) else where:
        if isinstance(part, int) or part in _COMBINATORS or part == "where":
            continue
        if part in OPERATORS:
            if part in ("any", "all", "none", "count"):
                out.append("[]")
            continue
        out.extend(part.split("."))
    return tuple(out)


def _hidden_where_secret(test: Test, where: Sequence[str | int]) -> Test:
    """`test`, explained without quoting values when it reads inside a destination's config.

    Only the fields a kind documents as not secret may be quoted; the value of a secret, of
    the whole config, or of any config field of an unknown kind is named by its path.
    """
    path = _subject_path(where)
    start = 1 if path[:1] == ("config",) else 2 if path[:2] == ("destination", "config") else 0
    if not start:
        return test
    field = ".".join(path).replace(".[]", "[]")
    key = path[start] if len(path) > start else None

    def explained(value: Any, ctx: Any) -> bool:
        if getattr(ctx, "trail", None) is None:
            return test(value, ctx)
        kind = getattr(getattr(ctx, "destination", None), "kind", None)
        shown = key is not None and isinstance(kind, str) and key in shown_fields(kind)
        with hiding(None if shown else field):
            return test(value, ctx)

    return explained


def _expect_mapping(spec: Any, where: Sequence[str | int]) -> Mapping[str, Any]:
    if not isinstance(spec, Mapping) or not spec:
        raise ConditionError(
            where, "expected a non-empty mapping of paths, operators or and/or/not"
        )
    return spec


def _operand(sub: Any, params: Mapping[str, Any], where: tuple[str | int, ...]) -> Any:
    return operands.param(sub, params, where)


# --- combinators -------------------------------------------------------------------------


def _and(sub: Any, params: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    tests = [_compile(s, params, (*where, i)) for i, s in enumerate(_expect_list(sub, where))]
    return lambda value, ctx: all(t(value, ctx) for t in tests)


def _or(sub: Any, params: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    tests = [_compile(s, params, (*where, i)) for i, s in enumerate(_expect_list(sub, where))]
    return lambda value, ctx: any(t(value, ctx) for t in tests)


def _not(sub: Any, params: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    test = _compile(sub, params, where)
    return lambda value, ctx: not test(value, ctx)


_COMBINATORS: dict[str, Callable[[Any, Mapping[str, Any], tuple[str | int, ...]], Test]] = {
    "and": _and,
    "or": _or,
    "not": _not,
}


def _expect_list(sub: Any, where: Sequence[str | int]) -> list[Any]:
    if not isinstance(sub, list) or not sub:
        raise ConditionError(where, "expected a non-empty list of conditions")
    return sub


# --- operators ---------------------------------------------------------------------------


def uses_any(spec: Any, names: set[str]) -> bool:
    """Whether a condition (as written in the rule) uses any of the operators `names`."""
    if isinstance(spec, Mapping):
        return any(key in names or uses_any(sub, names) for key, sub in spec.items())
    if isinstance(spec, list):
        return any(uses_any(item, names) for item in spec)
    return False


VALUE_ONLY = frozenset(
    (
        *("equals", "not_equals", "in", "not_in", "exists", "empty", "matches", "glob"),
        *("contains", "gt", "gte", "lt", "lte", "type", "length", "any", "all", "none"),
        *("count", "resource_wildcard", "action_wildcard", "valid_specifier"),
        *("wildcard_destinations", "resource_covers", "action_covers", "reach"),
    )
)
"""Operators whose verdict depends on the value alone (and, for `reach`, on the inventory of
the run): never on the destination being audited, so a statement's verdict can be shared."""


def statement_reads(spec: Any) -> tuple[str, ...] | None:
    """The `Statement` attributes a statement condition (as written) reads, sorted; None when
    its verdict may depend on more than the statement: a `destination` path, or an operator
    not in VALUE_ONLY. An operator on the statement itself reads all of it."""
    fields: set[str] = set()
    if spec is not None and not _statement_fields(spec, fields):
        return None
    return tuple(sorted(fields))


def _statement_fields(spec: Any, fields: set[str]) -> bool:
    """Add the top-level fields `spec` reads to `fields`; False when it may read more."""
    if isinstance(spec, list):
        return all(_statement_fields(item, fields) for item in spec)
    if not isinstance(spec, Mapping):
        return True
    for key, sub in spec.items():
        if key in _COMBINATORS:
            if not _statement_fields(sub, fields):
                return False
        elif key in OPERATORS:
            if key not in VALUE_ONLY or not _value_only(sub):
                return False
            fields.update(STATEMENT_ATTRIBUTES.values())  # the statement as a whole
        else:
            attribute = STATEMENT_ATTRIBUTES.get(str(key).split(".", 1)[0])
            if attribute is None or not _value_only(sub):
                return False
            fields.add(attribute)
    return True


def _value_only(spec: Any) -> bool:
    """Whether a condition on a value (a field of the statement) uses VALUE_ONLY operators only."""
    if isinstance(spec, Mapping):
        return all(
            (key not in OPERATORS or key in VALUE_ONLY) and _value_only(sub)
            for key, sub in spec.items()
        )
    if isinstance(spec, list):
        return all(_value_only(item) for item in spec)
    return True


def same(a: Any, b: Any) -> bool:
    """JSON equality: true is not 1, and 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b) and not (_is_number(a) and _is_number(b)):
        return False
    return bool(a == b)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _need(cond: bool, where: Sequence[str | int], what: str) -> None:
    if not cond:
        raise ConditionError(where, f"expected {what}")


@operator("equals")
def _equals(operand: Any, _p: Mapping[str, Any], _w: tuple[str | int, ...]) -> Test:
    return lambda value, ctx: value is not MISSING and same(value, operand)


@operator("not_equals")
def _not_equals(operand: Any, _p: Mapping[str, Any], _w: tuple[str | int, ...]) -> Test:
    return lambda value, ctx: value is not MISSING and not same(value, operand)


@operator("in")
def _in(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    _need(isinstance(operand, list), where, "a list")
    return lambda value, ctx: value is not MISSING and any(same(value, o) for o in operand)


@operator("not_in")
def _not_in(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    _need(isinstance(operand, list), where, "a list")
    return lambda value, ctx: value is not MISSING and not any(same(value, o) for o in operand)


@operator("exists")
def _exists(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    _need(isinstance(operand, bool), where, "true or false")
    return lambda value, ctx: (value is not MISSING) == operand


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, Mapping)) and len(value) == 0)


@operator("empty")
def _empty(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    _need(isinstance(operand, bool), where, "true or false")
    return lambda value, ctx: value is not MISSING and _is_empty(value) == operand


@operator("matches")
def _matches(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    _need(isinstance(operand, str), where, "a regular expression string")
    try:
        search = compile_search(operand)
    except ValueError as exc:
        raise ConditionError(where, f"invalid regular expression: {exc}") from None
    return lambda value, ctx: isinstance(value, str) and search(value)


@operator("glob")
def _glob(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    # One pattern: a list here was a rule that flagged everything unnoticed (issue 15).
    _need(
        isinstance(operand, str),
        where,
        f"one glob pattern string, got {kind_of(operand)} (for several patterns, "
        "use or: [{glob: a}, {glob: b}])",
    )
    return lambda value, ctx: isinstance(value, str) and fnmatch.fnmatchcase(value, operand)


@operator("contains")
def _contains(operand: Any, _p: Mapping[str, Any], _w: tuple[str | int, ...]) -> Test:
    def test(value: Any, ctx: Any) -> bool:
        if isinstance(value, str):
            return isinstance(operand, str) and operand in value
        if isinstance(value, (list, tuple)):
            return any(same(item, operand) for item in value)
        if isinstance(value, Mapping):
            return isinstance(operand, str) and operand in value
        return False

    return test


def _comparison(name: str, compare: Callable[[Any, Any], bool]) -> None:
    def compile_cmp(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
        _need(_is_number(operand), where, "a number")
        return lambda value, ctx: _is_number(value) and compare(value, operand)

    OPERATORS[name] = compile_cmp


_comparison("gt", lambda a, b: a > b)
_comparison("gte", lambda a, b: a >= b)
_comparison("lt", lambda a, b: a < b)
_comparison("lte", lambda a, b: a <= b)

_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": lambda v: _is_number(v) and float(v).is_integer(),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, (list, tuple)),
    "object": lambda v: isinstance(v, Mapping),
    "null": lambda v: v is None,
}


@operator("type")
def _type(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    names = [operand] if isinstance(operand, str) else operand
    _need(
        isinstance(names, list) and bool(names) and all(n in _TYPE_CHECKS for n in names),
        where,
        "one of " + ", ".join(_TYPE_CHECKS) + " (or a list of them)",
    )
    checks = [_TYPE_CHECKS[n] for n in names]
    return lambda value, ctx: value is not MISSING and any(check(value) for check in checks)


@operator("length")
def _length(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    _need(
        isinstance(operand, Mapping)
        and bool(operand)
        and set(operand) <= {"min", "max"}
        and all(isinstance(v, int) and not isinstance(v, bool) for v in operand.values()),
        where,
        "{min: n, max: n} with whole numbers",
    )
    low, high = operand.get("min", 0), operand.get("max")

    def test(value: Any, ctx: Any) -> bool:
        if not isinstance(value, (str, list, tuple, Mapping)):
            return False
        return low <= len(value) and (high is None or len(value) <= high)

    return test


def _quantifier(name: str, combine: Callable[[Any], bool], negate: bool) -> None:
    def compile_q(operand: Any, params: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
        inner = _compile(operand, params, where)

        def test(value: Any, ctx: Any) -> bool:
            if not isinstance(value, (list, tuple)):
                return False
            result = combine(inner(item, ctx) for item in value)
            return not result if negate else result

        return test

    OPERATORS[name] = compile_q


_quantifier("any", any, negate=False)
_quantifier("all", all, negate=False)
_quantifier("none", any, negate=True)

_COUNT_CMP: dict[str, Callable[[int, int], bool]] = {
    "equals": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


@operator("count")
def _count(operand: Any, params: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    allowed = {"where", *_COUNT_CMP}
    _need(
        isinstance(operand, Mapping)
        and set(operand) <= allowed
        and bool(set(operand) & set(_COUNT_CMP))
        and all(_is_number(operand[k]) for k in operand if k != "where"),
        where,
        "{where: <condition>, gte|gt|lte|lt|equals: n}",
    )
    inner = _compile(operand["where"], params, (*where, "where")) if "where" in operand else None
    bounds = [(_COUNT_CMP[k], operand[k]) for k in operand if k != "where"]

    def test(value: Any, ctx: Any) -> bool:
        if not isinstance(value, (list, tuple)):
            return False
        n = len(value) if inner is None else sum(1 for item in value if inner(item, ctx))
        return all(cmp(n, bound) for cmp, bound in bounds)

    return test


@operator("resource_wildcard")
def _resource_wildcard(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    if isinstance(operand, list):
        _need(
            bool(operand) and all(isinstance(t, str) and t for t in operand),
            where,
            "true, false or a non-empty list of segment types such as [proj, env]",
        )
        types = frozenset(operand)
        shown = "/".join(operand)

        def test(value: Any, ctx: Any) -> bool:
            found = isinstance(value, str) and launchdarkly.resource_wildcard(value, types)
            if found:
                note(ctx, lambda: f"{quoted(value)} has a wildcard {shown} key", redacted=True)
            return found

        return test
    _need(isinstance(operand, bool), where, "true, false or a list of segment types")
    return lambda value, ctx: (
        isinstance(value, str) and launchdarkly.resource_wildcard(value) == operand
    )


@operator("action_wildcard")
def _action_wildcard(operand: Any, _p: Mapping[str, Any], where: tuple[str | int, ...]) -> Test:
    _need(isinstance(operand, bool), where, "true or false")
    return lambda value, ctx: (
        isinstance(value, str) and launchdarkly.action_wildcard(value) == operand
    )
