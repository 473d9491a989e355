"""Decode JSON from outside: no NaN or Infinity, and no lone surrogate in any string.

`json.loads` accepts both, but neither is data: `NaN` is not JSON, and a string holding a
lone surrogate escape (`"\\ud800"`) is not Unicode text, so no UTF-8 report, database or
terminal could hold it. Refusing them here keeps every later stage free of the question.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonValueError(ValueError):
    """Valid JSON syntax holding a value auditor refuses; the message says which and where."""


def loads(text: str | bytes) -> Any:
    """`json.loads`, refusing NaN, Infinity and lone surrogates with a JsonValueError.

    A document nested deeper than the parser's recursion limit raises RecursionError, and
    bad syntax json.JSONDecodeError, as `json.loads` does.
    """
    value = json.loads(text, parse_constant=_reject_constant)
    if _may_escape_a_surrogate(text):
        where = lone_surrogate(value)
        if where is not None:
            raise JsonValueError(f"a lone surrogate escape is not Unicode text (at {where})")
    return value


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
