"""Find where JSON Pointers point in the export's text, as (line, column), for SARIF and CI.

`json` keeps no positions, so this walks the text itself: the C decoder's `raw_decode` skips
each value, and each container is indexed once, only along the paths asked for.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator, Mapping

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def positions(text: str, pointers: Iterable[str]) -> dict[str, tuple[int, int]]:
    """1-based (line, column) of each pointer's deepest existing node in valid JSON `text`."""
    index = _Index(text)
    newlines = [m.start() for m in re.finditer("\n", text)]
    found: dict[str, tuple[int, int]] = {}
    for pointer in set(pointers):
        offset = index.offset(pointer)
        line = bisect.bisect_left(newlines, offset)
        start = newlines[line - 1] + 1 if line else 0
        found[pointer] = (line + 1, offset - start + 1)
    return found


class Positions(Mapping[str, tuple[int, int]]):
    """`positions(...)` of some pointers, worked out on first use: only SARIF and GitHub ask."""

    def __init__(self, data: bytes, pointers: Iterable[str]) -> None:
        self._data = data
        self._pointers = tuple(dict.fromkeys(pointers))
        self._found: dict[str, tuple[int, int]] | None = None

    def _all(self) -> dict[str, tuple[int, int]]:
        if self._found is None:
            self._found = positions(self._data.decode("utf-8-sig"), self._pointers)
        return self._found

    def __getitem__(self, pointer: str) -> tuple[int, int]:
        return self._all()[pointer]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pointers)

    def __len__(self) -> int:
        return len(self._pointers)


def tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


class _Index:
    """Offsets of the children of each container met so far, keyed by container offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.children: dict[int, dict[str, int]] = {}

    def offset(self, pointer: str) -> int:
        here = _skip(self.text, 0)
        for token in tokens(pointer):
            if self.text[here] not in "{[":
                break
            if here not in self.children:
                self.children[here] = self._index(here)
            child = self.children[here].get(token)
            if child is None:
                break
            here = child
        return here

    def _index(self, start: int) -> dict[str, int]:
        text, out = self.text, {}
        is_object = text[start] == "{"
        at = _skip(text, start + 1)
        position = 0
        while text[at] not in "}]":
            if is_object:
                key, at = _DECODER.raw_decode(text, at)
                at = _skip(text, _skip(text, at) + 1)  # past the colon
            else:
                key, position = str(position), position + 1
            out[key] = at
            _, at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if text[at] == ",":
                at = _skip(text, at + 1)
        return out


def _skip(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at
