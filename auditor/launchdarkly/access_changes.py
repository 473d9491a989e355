"""How the grants on a destination changed: statements added and removed, decisions flipped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from auditor.launchdarkly.access import who_can_change
from auditor.models import Decision, Destination, Statement

Direction = Literal["widened", "narrowed"]


@dataclass(frozen=True, kw_only=True, slots=True)
class StatementChange:
    """A statement cited in `_access` that appeared or disappeared."""

    change: Literal["added", "removed"]
    direction: Direction
    statement: Statement


@dataclass(frozen=True, kw_only=True, slots=True)
class DecisionFlip:
    """An `_access` action whose decision went from allowed to denied, or back."""

    action: str
    before: Decision
    after: Decision
    direction: Direction


def _decisions(dest: Destination) -> dict[str, Decision]:
    """Every action `_access` lists, decided as `who_can_change` decides (by role)."""
    access = dest.raw.get("_access") or {}
    actions = dict.fromkeys(
        entry["action"]
        for list_name in ("allowed", "denied")
        for entry in access.get(list_name, ())
    )
    decisions: dict[str, Decision] = {}
    for action, found in who_can_change(dest, tuple(actions)).items():
        if found.decision != "unknown":
            decisions[action] = found.decision
    return decisions


def statement_changes(old: Destination, new: Destination) -> tuple[StatementChange, ...]:
    """Statements cited after but not before (added), and before but not after (removed)."""
    old_keys = {s.key for s in old.statements}
    new_keys = {s.key for s in new.statements}
    statements = [
        StatementChange(
            change="added",
            direction="widened" if s.decision == "allowed" else "narrowed",
            statement=s,
        )
        for s in new.statements
        if s.key not in old_keys
    ]
    statements += [
        StatementChange(
            change="removed",
            direction="narrowed" if s.decision == "allowed" else "widened",
            statement=s,
        )
        for s in old.statements
        if s.key not in new_keys
    ]
    return tuple(statements)


def decision_flips(old: Destination, new: Destination) -> tuple[DecisionFlip, ...]:
    """The `_access` actions of both whose decision differs, by action name."""
    before, after = _decisions(old), _decisions(new)
    return tuple(
        DecisionFlip(
            action=action,
            before=before[action],
            after=after[action],
            direction="widened" if after[action] == "allowed" else "narrowed",
        )
        for action in sorted(before.keys() & after.keys())
        if before[action] != after[action]
    )
