"""Keep the API token out of what auditor prints or saves: whole, cut short, or in pieces.

An API that echoes the token (in an error message, or in a field of a 200 body) must not
make auditor print it or write it into a snapshot. Cutting a message short does not help
when the cut falls inside the token, and neither does replacing only the whole token when
the echo spreads it over two fields. So in what auditor prints any run of at least
FRAGMENT characters of the token is replaced, and texts are scrubbed before they are cut.
A saved body loses every whole copy of the token; its other data is kept as received.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

REDACTED = "<redacted>"
FRAGMENT = 8
"""The shortest piece of the token that is scrubbed: `api-` and four more characters."""
_ASCII_ESCAPE = re.compile(rb"\\u00([2-7][0-9a-fA-F])")


class TokenScrubber:
    """Scrubs one token out of texts (`text`) and out of JSON bodies (`body`)."""

    def __init__(self, token: str) -> None:
        self._token = token
        size = min(FRAGMENT, len(token))
        self._size = size
        self._windows = frozenset(token[i : i + size] for i in range(len(token) - size + 1))

    def text(self, text: str) -> str:
        """`text` with every run of at least FRAGMENT characters of the token replaced."""
        if not self._size:
            return text
        size, windows = self._size, self._windows
        spans: list[list[int]] = []
        for start in range(len(text) - size + 1):
            if text[start : start + size] in windows:
                if spans and start <= spans[-1][1]:
                    spans[-1][1] = start + size
                else:
                    spans.append([start, start + size])
        for start, end in reversed(spans):
            text = text[:start] + REDACTED + text[end:]
        return text

    def cut(self, text: str, limit: int) -> str:
        """Scrubbed first, then cut to `limit` characters: a cut never shows part of it."""
        return self.text(text[: limit + 2 * len(self._token)])[:limit]

    def body(self, body: bytes, document: Any) -> bytes | None:
        """The JSON body re-serialised from its decoded `document` with the token replaced in
        every string and key; None when the body does not hold the token (the usual case)."""
        token = self._token
        if not token or not self._may_hold(body, document):
            return None
        scrubbed = _map_strings(document, lambda text: text.replace(token, REDACTED))
        return json.dumps(scrubbed, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"

    def _may_hold(self, body: bytes, document: Any) -> bool:
        """Whether the body holds the token: a substring search at memchr speed; only a body
        that escapes a character the token uses (`\\u0061`) is decoded to look again."""
        probe = self._token.encode()
        if probe in body:
            return True
        escaped = {chr(int(m.group(1), 16)) for m in _ASCII_ESCAPE.finditer(body)}
        if not escaped & set(self._token):
            return False
        return probe in json.dumps(document, ensure_ascii=False).encode("utf-8")


def _map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """`value` with `change` applied to every string and key, however deep."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    if isinstance(value, dict):
        return {change(k): _map_strings(v, change) for k, v in value.items()}
    return value
