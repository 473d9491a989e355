"""A YAML document as auditor holds it: the data, and where each node was, for errors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.errors import AuditorError, RuleError

Where = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """A loaded YAML document and the (line, column) of every node, 1-based, by key path."""

    path: str
    data: Any
    marks: dict[Where, tuple[int, int]]

    def locate(self, where: Sequence[str | int]) -> tuple[int, int]:
        """The position of the deepest node of `where` that exists."""
        key = tuple(where)
        while key not in self.marks and key:
            key = key[:-1]
        return self.marks.get(key, (1, 1))

    def error(
        self,
        where: Sequence[str | int],
        message: str,
        *,
        at: Sequence[str | int] | None = None,
        error: type[AuditorError] = RuleError,
    ) -> AuditorError:
        """`file:line:col: field.path: message`, located at `at` (default: `where` itself)."""
        line, column = self.locate(where if at is None else at)
        field = dotted(where)
        prefix = f"{self.path}:{line}:{column}: "
        return error(prefix + (f"{field}: {message}" if field else message))


def dotted(where: Iterable[str | int]) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


MAX_DEPTH = 200
"""Deepest nesting of collections a YAML file may have; auditor's own files need about 10."""
MAX_NODES = 10_000
"""Nodes that aliases may add beyond the text's size: refuses a "billion laughs" file."""
