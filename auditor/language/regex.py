"""The regular expressions of the `matches` operator, compiled for RE2's linear-time engine.

A rule file is user input and so is the export it runs on: with a backtracking engine,
`(a+)+$` against a long name would run for years. RE2 (`google-re2`) matches in time linear
in the subject, and refuses what only backtracking can do (backreferences, lookaround).
Where its wheel cannot be installed, Python's `re` is the documented fallback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

try:
    import re2
except ImportError:  # pragma: no cover - google-re2 is a dependency; this is the fallback
    re2 = None

ENGINE = "re2" if re2 is not None else "re"
"""Which engine `matches` uses: `re2` (linear time) or, without google-re2, Python's `re`."""


def compile_search(pattern: str) -> Callable[[str], bool]:
    """A test of whether `pattern` matches somewhere in a string; ValueError when invalid."""
    if re2 is None:  # pragma: no cover
        try:
            compiled: Any = re.compile(pattern)
        except re.error as exc:
            raise ValueError(str(exc)) from None
    else:
        options = re2.Options()
        options.log_errors = False  # RE2 would print its own copy of the error on stderr
        try:
            compiled = re2.compile(pattern, options)
        except re2.error as exc:
            raise ValueError(_reason(exc)) from None
        except UnicodeEncodeError:
            raise ValueError("the pattern is not valid Unicode text") from None
    return lambda text: compiled.search(text) is not None


def _reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
    if text.startswith(("invalid perl operator: (?<", "invalid perl operator: (?=")):
        text += " (lookaround is not supported: RE2 matches in linear time)"
    elif text.startswith("invalid escape sequence: \\") and text[-1:].isdigit():
        text += " (backreferences are not supported: RE2 matches in linear time)"
    return text
