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
    "role_group",
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
    """The deciding statement (the first one, when several roles allow the action)."""
    pointer: str | None = None
    """JSON pointer of the deciding `_access` entry, under the destination's own pointer."""
    conflicting: bool = False
    """The action is listed both as allowed and as denied; see `who_can_change`."""
    deciding: tuple[tuple[AccessReason | None, str], ...] = ()
    """Every (statement, pointer) that decides: each allow no deny of its own role overrides,
    or, for a denied action, the denies."""

    @property
    def role_name(self) -> str | None:
        return None if self.reason is None else self.reason.role_name

    def cites(self, statement: Any) -> bool:
        """Whether `statement` is one of the statements that decide this action."""
        return any(reason is not None and reason.cites(statement) for reason, _ in self.deciding)


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


_Entry = tuple[AccessReason | None, str]


def _entries(
    access: Mapping[str, Any], list_name: str, wanted: frozenset[str], base: str
) -> dict[str, list[_Entry]]:
    """The entries of one `_access` list for the wanted actions, by action, in list order."""
    entries = access.get(list_name)
    found: dict[str, list[_Entry]] = {}
    if not isinstance(entries, list):
        return found
    for position, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            continue
        action = entry.get("action")
        if isinstance(action, str) and action in wanted:
            reason = _reason(entry.get("reason"))
            found.setdefault(action, []).append((reason, f"{base}/{list_name}/{position}"))
    return found


def role_group(reason: AccessReason | None) -> str | None:
    """The role a statement belongs to for deny-wins; None: it forms no group with others."""
    name = None if reason is None else reason.role_name
    return name if name else None


def _decide(action: str, allowed: list[_Entry], denied: list[_Entry]) -> AccessDecision:
    """Deny wins inside one role, allow wins across roles (LaunchDarkly's policy algorithm).

    https://launchdarkly.com/docs/home/account/role-policies: "If a statement within a policy
    explicitly denies access ... access is denied" whatever the order, but "If two different
    policies have conflicting permission levels, the more permissive level of access is
    applied": a deny of role B does not take away what role A allows. Statements without a
    role name (inline policies, base roles, LaunchDarkly's implicit `{"effect": "deny"}`) form
    no group, so they override nothing and nothing overrides them.
    """
    denying_roles = {role_group(reason) for reason, _ in denied} - {None}
    granting = [entry for entry in allowed if role_group(entry[0]) not in denying_roles]
    conflicting = bool(allowed and denied)
    if granting:
        reason, pointer = granting[0]
        return AccessDecision(
            action, "allowed", reason, pointer, conflicting, deciding=tuple(granting)
        )
    if denied:
        overriding = [e for e in denied if allowed and role_group(e[0]) is not None]
        reason, pointer = (overriding or denied)[0]
        return AccessDecision(
            action, "denied", reason, pointer, conflicting, deciding=tuple(denied)
        )
    return AccessDecision(action, "unknown")


def who_can_change(
    destination: Destination, actions: Sequence[str] = DESTINATION_ACTIONS
) -> dict[str, AccessDecision]:
    """Per action, what `destination.raw["_access"]` records: allowed/denied with its reason.

    The lists an action appears in decide, by role (see `_decide`); the cited reasons are
    reported as given. An action missing from both lists, or a missing or malformed
    `_access`, is "unknown" — never "denied". `_access` describes the caller whose token read
    the export, not every member.
    """
    raw = destination.raw if isinstance(destination.raw, Mapping) else {}
    access = raw.get("_access")
    base = f"{destination.pointer}/_access"
    if not isinstance(access, Mapping):
        return {action: AccessDecision(action, "unknown") for action in actions}
    wanted = frozenset(actions)
    allowed = _entries(access, "allowed", wanted, base)
    denied = _entries(access, "denied", wanted, base)
    return {
        action: _decide(action, allowed.get(action, []), denied.get(action, []))
        for action in actions
    }
