"""A Jinja2 sandbox that bounds what a template can build: numbers, strings, padding, output.

Jinja2's sandbox stops escapes (no `__class__`, no mutation), not work: `9 ** 9999999` or
`(1, 2) * 100000000` run for minutes, and `"%999999999s" % 1`, `"{:>999999999}".format(1)`
or `"x"|center(999999999)` each allocate a gigabyte. Rule messages and user templates both
run here: the arithmetic operators are intercepted (`intercepted_binops`), and each refuses,
before computing it, a result past the caps below; so do string formatting and the filters
that pad or repeat.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import filters as builtin_filters
from jinja2 import pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_INT_BITS = 4096
"""Bits of an integer arithmetic may make (about 1,200 digits): any count or size fits."""
MAX_LENGTH = 1_000_000
"""Characters or items one operation may build."""
MAX_WIDTH = 1000
"""Widths and precisions a format may pad to."""
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class LimitError(SecurityError):
    """A template operation refused because its result would pass a cap."""


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse `left <operator> right` when its result would pass a cap (before computing it)."""
    if operator == "**" and _is_int(left) and _is_int(right) and right > 0:
        if max(abs(left).bit_length(), 1) * right > MAX_INT_BITS and abs(left) > 1:
            raise LimitError(f"a power of more than {MAX_INT_BITS} bits")
    elif operator == "*":
        if _is_int(left) and _is_int(right):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise LimitError(f"a product of more than {MAX_INT_BITS} bits")
            return
        size, times = (_length(left), right)
        if size is None:
            size, times = _length(right), left
        if size is not None and _is_int(times) and size * times > MAX_LENGTH:
            raise LimitError(f"a repetition longer than {MAX_LENGTH:,}")
    elif operator == "+":
        a, b = _length(left), _length(right)
        if a is not None and b is not None and a + b > MAX_LENGTH:
            raise LimitError(f"a concatenation longer than {MAX_LENGTH:,}")
    elif operator == "%" and isinstance(left, str):
        check_percent_format(left)


def check_percent_format(text: str) -> None:
    """Refuse a %-format that pads wider than MAX_WIDTH, or takes its width from an argument."""
    for match in _PERCENT.finditer(text):
        for number in match.groups():
            if number == "*" or (number is not None and int(number) > MAX_WIDTH):
                raise LimitError(f"a format wider than {MAX_WIDTH}")


def check_format_string(text: str) -> None:
    """The same for a `str.format` template: no width past MAX_WIDTH, none nested (`{:{w}}`)."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format will raise the same error itself
    for _, _, spec, _ in fields:
        if not spec:
            continue
        if "{" in spec or any(int(n) > MAX_WIDTH for n in re.findall(r"\d+", spec)):
            raise LimitError(f"a format wider than {MAX_WIDTH}")


def _bounded(fn: Callable[..., Any], position: int, keyword: str) -> Callable[..., Any]:
    """`fn` (a built-in filter) refusing a width-like argument past MAX_WIDTH."""

    @functools.wraps(fn)  # keeps Jinja's pass_environment / pass_eval_context marker
    def bounded(*args: Any, **kwargs: Any) -> Any:
        value = args[position] if position < len(args) else kwargs.get(keyword)
        if isinstance(value, int) and value > MAX_WIDTH:
            raise LimitError(f"{keyword} past {MAX_WIDTH}")
        return fn(*args, **kwargs)

    return bounded


@pass_eval_context
def _replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> Any:
    text, old_text, new_text = str(s), str(old), str(new)
    hits = len(text) + 1 if not old_text else text.count(old_text)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    if len(text) + hits * max(len(new_text) - len(old_text), 0) > MAX_LENGTH:
        raise LimitError(f"a replacement longer than {MAX_LENGTH:,}")
    return builtin_filters.do_replace(eval_ctx, s, old, new, count)


@pass_eval_context
def _join(eval_ctx: Any, value: Iterable[Any], d: Any = "", attribute: Any = None) -> Any:
    items = value if isinstance(value, (list, tuple)) else list(value)
    size = sum(len(str(item)) for item in items) + len(str(d)) * max(len(items) - 1, 0)
    if size > MAX_LENGTH:
        raise LimitError(f"a join longer than {MAX_LENGTH:,}")
    return builtin_filters.do_join(eval_ctx, items, d, attribute)


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    check_percent_format(str(value))
    return builtin_filters.do_format(value, *args, **kwargs)


BOUNDED_FILTERS: dict[str, Callable[..., Any]] = {
    "center": _bounded(builtin_filters.do_center, 1, "width"),
    "indent": _bounded(builtin_filters.do_indent, 1, "width"),
    "wordwrap": _bounded(builtin_filters.do_wordwrap, 2, "width"),
    "batch": _bounded(builtin_filters.do_batch, 1, "linecount"),
    "slice": _bounded(builtin_filters.do_slice, 1, "slices"),
    "tojson": _bounded(builtin_filters.do_tojson, 2, "indent"),
    "format": _format,
    "replace": _replace,
    "join": _join,
}
"""Replacements for the built-in filters that pad or repeat, with their sizes bounded."""


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with arithmetic, formatting and padding kept within the caps."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.update(BOUNDED_FILTERS)
        self.globals.pop("lipsum", None)  # `lipsum(1000000)` writes a gigabyte of Latin

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            check_format_string(str(value.__self__))
        return wrapped


def render_bounded(template: Any, context: dict[str, Any], limit: int) -> tuple[str, bool]:
    """(the output, cut) with at most `limit` characters: rendering stops past the limit."""
    parts: list[str] = []
    size = 0
    for part in template.generate(context):
        parts.append(part)
        size += len(part)
        if size > limit:
            return "".join(parts)[:limit], True
    return "".join(parts), False
