"""Operators on the whole account's access: how many principals may change a destination."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.language import operands
from auditor.language.vocabulary import Test, note, operator
from auditor.models import AccessReview

Where = tuple[str | int, ...]
_KINDS = ("member", "token")
_Index = dict[tuple[int, str], tuple[frozenset[str], frozenset[str]]]
_last: list[Any] = [None, None]
"""The review the index below was built from, and the index: one audit at a time."""


def _index(access: AccessReview) -> _Index:
    """(destination position, action) -> (member ids, token ids) allowed, teams expanded."""
    if _last[0] is access:
        cached: _Index = _last[1]
        return cached
    members: dict[tuple[int, str], set[str]] = {}
    tokens: dict[tuple[int, str], set[str]] = {}
    for group in access.groups:
        who = group.principal
        ids = access.team_members.get(who.id, ()) if who.kind == "team" else (who.id,)
        table = tokens if who.kind == "token" else members
        for destination in group.destinations:
            table.setdefault((destination.index, group.action), set()).update(ids)
    index = {
        key: (frozenset(members.get(key, ())), frozenset(tokens.get(key, ())))
        for key in members.keys() | tokens.keys()
    }
    _last[0], _last[1] = access, index
    return index


@operator("who", notes=True)
def _who(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    shape = "{action: <action or list>, count: {min: n, max: n}, kind: [member, token]}"
    spec = operands.fields(
        operand, where, required=("action", "count"), optional=("kind",), shape=shape
    )
    wanted = operands.actions(spec["action"], (*where, "action"), globs=False)
    bounds = spec["count"]
    operands.need(
        isinstance(bounds, Mapping)
        and bool(bounds)
        and set(bounds) <= {"min", "max"}
        and all(isinstance(v, int) and not isinstance(v, bool) for v in bounds.values()),
        (*where, "count"),
        "{min: n, max: n} with whole numbers",
    )
    kinds = spec.get("kind", list(_KINDS))
    operands.need(
        isinstance(kinds, list) and bool(kinds) and set(kinds) <= set(_KINDS),
        (*where, "kind"),
        "a list of member and/or token",
    )
    low, high = bounds.get("min", 0), bounds.get("max")

    def test(value: Any, ctx: Any) -> bool:
        access = getattr(ctx, "access", None)
        destination = getattr(ctx, "destination", None)
        if not isinstance(access, AccessReview) or access.scope != "account" or destination is None:
            note(ctx, "only the caller's access is known, so who else may act was not counted")
            return True
        index = _index(access)
        people: set[str] = set()
        creds: set[str] = set()
        for action in wanted:
            found = index.get((destination.index, action), (frozenset(), frozenset()))
            people |= found[0]
            creds |= found[1]
        count = ("member" in kinds) * len(people) + ("token" in kinds) * len(creds)
        note(
            ctx,
            lambda: (
                f"{len(people)} members and {len(creds)} tokens may {' or '.join(wanted)}"
                f" this destination (members of teams included)"
            ),
        )
        return low <= count and (high is None or count <= high)

    return test
