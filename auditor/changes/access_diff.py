"""Who gains or loses a destination action between two account audits.

For a whole-account audit (an `_account` block), every member, team and token's grants are
known (`launchdarkly.principals`); comparing them says what a change does to who may turn
off, delete, repoint or rename the exports: "team data-eng (14 members) can now turn off 3
production exports". Only destinations present on both sides are compared: one added or
removed is reported as such, not as access gained or lost by everyone who may change it.
A team is one principal (its members act through it); a member's own grants are its own
roles'. "Production" is decided as for every rule (`launchdarkly.environments`): the
environment's `critical` flag (https://launchdarkly.com/docs/home/account/environment), then
the default `production_environments` globs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from auditor.launchdarkly.environments import EnvironmentFacts, is_production
from auditor.models import AccessReview, Destination, Principal

Direction = Literal["widened", "narrowed"]
VERBS = {
    "updateOn": "turn off",
    "deleteDestination": "delete",
    "updateConfiguration": "repoint",
    "updateName": "rename",
}
"""What each destination action lets a principal do to an export, in a sentence."""


@dataclass(frozen=True, kw_only=True, slots=True)
class AccessChange:
    """A principal that may now (widened) or no longer (narrowed) do `action` on destinations."""

    principal: Principal
    action: str
    direction: Direction
    destinations: tuple[Destination, ...]
    production: int
    """How many of `destinations` are in a production environment (critical, or by key)."""


Key = tuple[str, str, str]


def _facts(review: AccessReview) -> dict[tuple[str, str], EnvironmentFacts]:
    return {(p, e): EnvironmentFacts(critical=flag) for p, e, flag in review.environments}


def access_changes(
    before: AccessReview | None,
    after: AccessReview | None,
    common: Iterable[str],
) -> tuple[AccessChange, ...]:
    """Grants gained and lost on the destinations `common` to both audits, by principal."""
    if before is None or after is None or "account" not in (before.scope, after.scope):
        return ()
    keep = set(common)
    old, old_who = _reach(before, keep)
    new, new_who = _reach(after, keep)
    old_facts, new_facts = _facts(before), _facts(after)
    out: list[AccessChange] = []
    for key in sorted(old.keys() | new.keys()):
        gained = new.get(key, {}).keys() - old.get(key, {}).keys()
        lost = old.get(key, {}).keys() - new.get(key, {}).keys()
        for direction, ids, side, who, facts in (
            ("widened", gained, new, new_who, new_facts),
            ("narrowed", lost, old, old_who, old_facts),
        ):
            if not ids:
                continue
            dests = sorted((side[key][i] for i in ids), key=_place)
            out.append(
                AccessChange(
                    principal=who[key[:2]],
                    action=key[2],
                    direction=direction,  # type: ignore[arg-type]
                    destinations=tuple(dests),
                    production=sum(
                        is_production(d.project, d.environment, facts=facts) for d in dests
                    ),
                )
            )
    order = {"widened": 0, "narrowed": 1}
    out.sort(key=lambda c: (order[c.direction], -c.production, -len(c.destinations), _who(c)))
    return tuple(out)


def _reach(
    review: AccessReview, keep: set[str]
) -> tuple[dict[Key, dict[str, Destination]], dict[tuple[str, str], Principal]]:
    reach: dict[Key, dict[str, Destination]] = {}
    who: dict[tuple[str, str], Principal] = {}
    for group in review.groups:
        p = group.principal
        who[(p.kind, p.id)] = p
        slot = reach.setdefault((p.kind, p.id, group.action), {})
        for dest in group.destinations:
            if dest.id in keep:
                slot.setdefault(dest.id, dest)
    return reach, who


def _place(d: Destination) -> tuple[str, ...]:
    return (d.project or "", d.environment or "", d.name, d.id)


def _who(c: AccessChange) -> tuple[str, ...]:
    return (c.principal.kind, c.principal.label, c.action)


def describe(change: AccessChange, *, subject: str | None) -> str:
    """`this plan lets team data-eng (14 members) turn off 3 production exports`.

    `subject` is who makes the change ("this plan", "this change"); without one (a diff of
    two snapshots) the sentence says what the principal can now do.
    """
    p = change.principal
    who = f"{p.kind} {p.label}"
    if p.kind == "team" and p.members is not None:
        who += f" ({p.members} member{'s' if p.members != 1 else ''})"
    verb = VERBS.get(change.action, f"{change.action} on")
    count = len(change.destinations)
    noun = "export" if count == 1 else "exports"
    if change.production == count:
        what = f"{count} production {noun}"
    elif change.production:
        what = f"{count} {noun} ({change.production} in production)"
    else:
        what = f"{count} {noun}"
    if change.direction == "widened":
        return f"{subject} lets {who} {verb} {what}" if subject else f"{who} can now {verb} {what}"
    if subject:
        return f"{subject} stops {who} from being able to {verb} {what}"
    return f"{who} can no longer {verb} {what}"
