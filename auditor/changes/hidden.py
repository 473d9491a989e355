"""Values a Terraform plan does not let auditor show: sensitive, or known only after apply.

A plan's `before_sensitive`, `after_sensitive` and `after_unknown` mirror its values with
`true` at each hidden leaf ("Internals: JSON Output Format", change representation,
https://developer.hashicorp.com/terraform/internals/json-format). `resolve` replaces every
such leaf by a `Hidden` marker as soon as the value is read, so no later stage holds it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Hidden:
    """A value the plan does not let auditor show: sensitive, or known only after apply.

    `digest` (a SHA-256 of the value, kept in memory only and never shown) lets two sensitive
    values be compared; an unknown value equals nothing, not even another unknown one.
    """

    reason: Literal["sensitive", "unknown"]
    digest: str = field(default="", repr=False)

    def __str__(self) -> str:
        return "(sensitive value)" if self.reason == "sensitive" else "(known after apply)"


UNKNOWN = Hidden("unknown")


def same(a: Any, b: Any) -> bool:
    """Whether a plan value is unchanged: a value holding an unknown part never is."""
    if _holds_unknown(a) or _holds_unknown(b):
        return False
    return _canonical(a) == _canonical(b)


def _holds_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_unknown(v) for v in value)
    return isinstance(value, Hidden) and value.reason == "unknown"


def resolve(
    value: Any, hidden: Any, unknown: Any, path: str, sensitive: list[str], unknowns: list[str]
) -> Any:
    """`value` with each leaf `hidden` (sensitive) or `unknown` marks replaced by a Hidden."""
    if unknown is True:
        unknowns.append(path or "(whole object)")
        return UNKNOWN
    if hidden is True:
        sensitive.append(path or "(whole object)")
        return Hidden("sensitive", hashlib.sha256(_canonical(value).encode()).hexdigest())
    if isinstance(value, dict) or isinstance(unknown, dict):
        value = value if isinstance(value, dict) else {}
        marks_s = hidden if isinstance(hidden, dict) else {}
        marks_u = unknown if isinstance(unknown, dict) else {}
        keys = list(value) + [k for k in marks_u if k not in value and marks_u[k] is True]
        return {
            k: resolve(
                value.get(k), marks_s.get(k), marks_u.get(k), _join(path, k), sensitive, unknowns
            )
            for k in keys
        }
    if isinstance(value, list) or isinstance(unknown, list):
        items = value if isinstance(value, list) else []
        flags_s = hidden if isinstance(hidden, list) else []
        flags_u = unknown if isinstance(unknown, list) else []
        size = max(len(items), len(flags_u))
        return [
            resolve(
                items[i] if i < len(items) else None,
                flags_s[i] if i < len(flags_s) else None,
                flags_u[i] if i < len(flags_u) else None,
                f"{path}[{i}]",
                sensitive,
                unknowns,
            )
            for i in range(size)
        ]
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=_marker)


def _marker(value: Any) -> Any:
    if isinstance(value, Hidden):
        return {"hidden": value.reason, "digest": value.digest}
    raise TypeError(type(value).__name__)
