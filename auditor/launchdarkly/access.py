"""Access recorded by LaunchDarkly in `_access`: who can change an export, per action."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from auditor.models import Destination

__all__ = [
    "DESTINATION_ACTIONS",
    "AccessDecision",
    "AccessReason",
    "statement_content",
    "who_can_change",
]

DESTINATION_ACTIONS: tuple[str, ...] = (
    "deleteDestination",
    "updateOn",
    "updateConfiguration",
    "updateName",
)
"""The actions on an existing Data Export destination that change or remove it."""


@dataclass(frozen=True, slots=True)
class AccessReason:
    """The policy statement LaunchDarkly cites for a decision (AccessAllowedReason/DeniedReason)."""

    effect: str | None
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    role_name: str | None = None

    def cites(self, statement: Any) -> bool:
        """Whether this reason is `statement` (same effect, role and lists, in any order)."""
        return statement_content(self) == statement_content(statement)


def statement_content(statement: Any) -> tuple[Any, ...]:
    """Effect, role and the four lists (sorted) of any statement-like object."""
    try:
        return _content_cached(statement)
    except TypeError:  # not hashable: compute it afresh
        return _content(statement)


@functools.lru_cache(maxsize=65536)
def _content_cached(statement: Any) -> tuple[Any, ...]:
    return _content(statement)


def _content(statement: Any) -> tuple[Any, ...]:
    lists = (
        getattr(statement, name, ())
        for name in ("resources", "not_resources", "actions", "not_actions")
    )
    return (
        getattr(statement, "effect", None),
        getattr(statement, "role_name", None),
        *(tuple(sorted(part)) for part in lists),
    )


@dataclass(frozen=True, slots=True)
class AccessDecision:
    """What `_access` says about one action: allowed, denied, or unknown (never guessed)."""

    action: str
    decision: Literal["allowed", "denied", "unknown"]
    reason: AccessReason | None = None
    pointer: str | None = None
    """JSON pointer of the deciding `_access` entry, under the destination's own pointer."""
    conflicting: bool = False
    """The action is listed as both allowed and denied; deny wins, as in LaunchDarkly's policies."""

    @property
    def role_name(self) -> str | None:
        return None if self.reason is None else self.reason.role_name


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _reason(value: object) -> AccessReason | None:
    if not isinstance(value, Mapping):
        return None
    effect = value.get("effect")
    role = value.get("role_name")
    return AccessReason(
        effect=effect if isinstance(effect, str) else None,
        resources=_strings(value.get("resources")),
        not_resources=_strings(value.get("notResources")),
        actions=_strings(value.get("actions")),
        not_actions=_strings(value.get("notActions")),
        role_name=role if isinstance(role, str) else None,
    )


def _first_entry(
    access: Mapping[str, Any], list_name: str, action: str
) -> tuple[int, AccessReason | None] | None:
    entries = access.get(list_name)
    if not isinstance(entries, list):
        return None
    for position, entry in enumerate(entries):
        if isinstance(entry, Mapping) and entry.get("action") == action:
            return position, _reason(entry.get("reason"))
    return None


def who_can_change(
    destination: Destination, actions: Sequence[str] = DESTINATION_ACTIONS
) -> dict[str, AccessDecision]:
    """Per action, what `destination.raw["_access"]` records: allowed/denied with its reason.

    The list an action appears in decides (the cited reason is reported as given). An action
    missing from both lists, or a missing or malformed `_access`, is "unknown" — never "denied".
    `_access` describes the caller whose token read the export, not every member.
    """
    raw = destination.raw if isinstance(destination.raw, Mapping) else {}
    access = raw.get("_access")
    base = f"{destination.pointer}/_access"
    decisions: dict[str, AccessDecision] = {}
    for action in actions:
        if not isinstance(access, Mapping):
            decisions[action] = AccessDecision(action, "unknown")
            continue
        denied = _first_entry(access, "denied", action)
        allowed = _first_entry(access, "allowed", action)
        if denied is not None:
            decisions[action] = AccessDecision(
                action,
                "denied",
                denied[1],
                f"{base}/denied/{denied[0]}",
                conflicting=allowed is not None,
            )
        elif allowed is not None:
            decisions[action] = AccessDecision(
                action, "allowed", allowed[1], f"{base}/allowed/{allowed[0]}"
            )
        else:
            decisions[action] = AccessDecision(action, "unknown")
    return decisions
