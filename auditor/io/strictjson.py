"""Decode JSON from outside: no NaN or Infinity, no key twice, no lone surrogate in any string.

`json.loads` accepts all of these, but none is data. `NaN` and `1e999` (which Python reads
as infinity) have no JSON value; a key written twice in one object is read as its last value
by Python and as its first by other readers, so a clear secret can hide behind a masked one;
and a string holding a lone surrogate escape (`"\\ud800"`) is not Unicode text, so no UTF-8
report, database or terminal could hold it. Refusing them here keeps every later stage free
of the question.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_DIGITS = sys.get_int_max_str_digits() or 4300
"""Digits a JSON integer may have: Python's own limit on converting text to int (4300)."""


class JsonValueError(ValueError):
    """Valid JSON syntax holding a value auditor refuses; the message says which and where."""


class _Duplicate(Exception):
    pass


def loads(text: str | bytes, *, duplicates: list[str] | None = None) -> Any:
    """`json.loads`, refusing NaN, infinities, lone surrogates and repeated keys.

    Each refusal is a JsonValueError. A key repeated in one object is refused naming its
    JSON Pointer; when `duplicates` is a list, the pointers of such keys are appended to it
    instead and the last value is kept. A document nested deeper than the parser's recursion
    limit raises RecursionError, and bad syntax json.JSONDecodeError, as `json.loads` does.
    """
    try:
        value = _decode(text, _unique)
    except _Duplicate:
        found: dict[int, str] = {}
        value = _decode(text, lambda pairs: _noting(pairs, found))
        pointers = duplicate_pointers(value, found)
        if duplicates is None:
            raise JsonValueError(f"the key at {pointers[0]} appears twice in its object") from None
        duplicates.extend(pointers)
    if _may_escape_a_surrogate(text):
        where = lone_surrogate(value)
        if where is not None:
            raise JsonValueError(f"a lone surrogate escape is not Unicode text (at {where})")
    return value


def _decode(text: str | bytes, hook: Any) -> Any:
    return json.loads(
        text,
        parse_constant=_reject_constant,
        parse_float=_finite_float,
        parse_int=_bounded_int,
        object_pairs_hook=hook,
    )


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Duplicate
    return out


def _noting(pairs: list[tuple[str, Any]], found: dict[int, str]) -> dict[str, Any]:
    """The object as a dict, noting (by the dict's id) the first key it holds twice."""
    out: dict[str, Any] = {}
    for key, item in pairs:
        if key in out and id(out) not in found:
            found[id(out)] = key
        out[key] = item
    return out


def duplicate_pointers(value: Any, found: dict[int, str]) -> list[str]:
    """The JSON Pointers, in document order, of the repeated keys noted in `found`."""
    out: list[str] = []
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            if id(node) in found:
                out.append(f"{pointer}/{_escape(found[id(node)])}")
            stack.extend(reversed([(f"{pointer}/{_escape(k)}", v) for k, v in node.items()]))
        elif isinstance(node, list):
            stack.extend(reversed([(f"{pointer}/{i}", v) for i, v in enumerate(node)]))
    return out


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise JsonValueError("a number too large for JSON (it reads as infinity) is not accepted")
    return number


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise JsonValueError(f"a number with more than {MAX_DIGITS} digits is not accepted")
    return int(text)


def _may_escape_a_surrogate(text: str | bytes) -> bool:
    """Whether `text` has a `\\ud...` escape, the only way to write a surrogate in JSON.

    A plain substring search (memchr-fast) that seldom hits: only then is the decoded value
    walked to see whether a surrogate was left unpaired.
    """
    if isinstance(text, str):
        return "\\ud" in text or "\\uD" in text
    return b"\\ud" in text or b"\\uD" in text


def _reject_constant(name: str) -> Any:
    raise JsonValueError(f"{name} is not allowed in JSON")


def lone_surrogate(value: Any) -> str | None:
    """The JSON Pointer of the first string or key holding a lone surrogate, else None.

    Walked with an explicit stack, so a value of any depth the parser produced is fine.
    """
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                return pointer or "/"
        elif isinstance(node, dict):
            for key in node:
                if _SURROGATE.search(key):
                    return pointer or "/"
            children = [(f"{pointer}/{_escape(k)}", v) for k, v in node.items()]
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(reversed([(f"{pointer}/{i}", v) for i, v in enumerate(node)]))
    return None


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
