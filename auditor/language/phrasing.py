"""How policy facts read to a person: statements, coverage chains, grants and reach."""

from __future__ import annotations

from auditor.launchdarkly import (
    AccessDecision,
    Coverage,
    Policy,
    PolicyLike,
    Reach,
    Specifier,
    glob_overlaps,
    glob_subsumes,
    match_steps,
    pattern_covers,
    pattern_overlaps,
    try_parse,
)
from auditor.launchdarkly.inventory import Totals

VERBS: dict[str, str] = {
    "updateOn": "turn off",
    "deleteDestination": "delete",
    "updateConfiguration": "repoint",
    "updateName": "rename",
}
"""What each destination action lets a role do, in an auditor's words."""

_ANSWER = {Coverage.YES: "covers", Coverage.MAYBE: "could cover", Coverage.NO: "does not cover"}


NO_ROLE = "a statement without a role name"
"""Who holds a grant LaunchDarkly reports without `role_name`: an inline policy, a deleted
role, or, as far as LaunchDarkly documents, possibly a base role (Reader, Writer, Admin)."""


def who(policy: Policy) -> str:
    return f"role `{policy.role_name}`" if policy.role_name else NO_ROLE


def is_default_deny(policy: PolicyLike) -> bool:
    """LaunchDarkly's implicit deny: `{"effect": "deny"}` with no resources and no actions."""
    lists = (policy.resources, policy.not_resources, policy.actions, policy.not_actions)
    return policy.effect.lower() == "deny" and not any(lists)


def _items(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def statement(policy: PolicyLike) -> str:
    """`allow updateOn, updateName on proj/*:env/*:destination/*` with inversions spelled out."""
    if is_default_deny(policy):
        return "deny by default (no statement allows the action)"
    if not policy.actions and not policy.not_actions:
        return f"{policy.effect} no action"
    if not policy.resources and not policy.not_resources:
        return f"{policy.effect} on no resource"
    if policy.actions:
        acts = _items(policy.actions)
        if policy.not_actions:
            acts += f" except {_items(policy.not_actions)}"
    else:
        acts = f"every action except {_items(policy.not_actions)}"
    if policy.resources:
        where = _items(policy.resources)
        if policy.not_resources:
            where += f" except {_items(policy.not_resources)}"
    else:
        where = f"every resource except {_items(policy.not_resources)}"
    return f"{policy.effect} {acts} on {where}"


def conflict(found: AccessDecision) -> str:
    """Why an action listed both as allowed and as denied got its decision."""
    if found.decision == "allowed":
        return (
            f"`_access` also lists {found.action} as denied, but by another role or a statement "
            "without a role name: across roles the more permissive decision applies"
        )
    return f"`_access` also lists {found.action} as allowed, but a deny of the same role wins"


def chain(specifier: Specifier, target: Specifier) -> str:
    """`proj/* covers proj/web, env/* covers env/prod, ...`, up to the first segment that fails."""
    steps = match_steps(specifier, target)
    return ", ".join(f"{mine} {_ANSWER[answer]} {theirs}" for mine, theirs, answer in steps)


def action_part(policy: PolicyLike, action: str) -> str:
    """Why the statement does or does not target `action`."""
    for pattern in policy.not_actions:
        if glob_overlaps(pattern, action) is not Coverage.NO:
            return f"notActions `{pattern}` excludes {action}"
    if not policy.actions:
        if policy.not_actions:
            return f"notActions ({_items(policy.not_actions)}) leaves {action}"
        return "the statement names no actions"
    for pattern in policy.actions:
        if glob_subsumes(pattern, action) is not Coverage.NO:
            return f"actions `{pattern}` covers {action}"
    return f"no action of {_items(policy.actions)} covers {action}"


def resource_part(policy: PolicyLike, target: Specifier) -> str:
    """Which resource covers `target` (with the chain), or which notResource excludes it."""
    for text in policy.not_resources:
        parsed = try_parse(text)
        if parsed is not None and pattern_overlaps(parsed, target) is not Coverage.NO:
            return f"notResources `{text}` excludes (part of) {target}"
    if not policy.resources:
        if policy.not_resources:
            return f"notResources ({_items(policy.not_resources)}) leaves {target}"
        return "the statement names no resources"
    for text in policy.resources:
        parsed = try_parse(text)
        if parsed is not None and pattern_covers(parsed, target) is not Coverage.NO:
            return f"resource `{text}` covers {target}: {chain(parsed, target)}"
    best = try_parse(policy.resources[0])
    detail = f": {chain(best, target)}" if best is not None else " (it does not parse)"
    return f"no resource covers {target}; `{policy.resources[0]}`{detail}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def reach_sentence(policy: Policy, action: str | None, found: Reach, totals: Totals) -> str:
    """ "This statement lets role `admin` turn off 47 of 50 destinations in 6 projects ..."."""
    verb = "target" if action is None else VERBS.get(action, f"use {action} on")
    holder = (
        f"role `{policy.role_name}`" if policy.role_name else "its holders (it has no role name)"
    )
    text = (
        f"This statement lets {holder} {verb} {found.count} of "
        f"{_count(totals.destinations, 'destination')} in {_count(found.projects, 'project')}"
        f" ({_count(found.environments, 'environment')}) of this export"
    )
    if found.uncertain_ids:
        text += (
            f"; {len(found.uncertain_ids)} of them only if tags, role attributes or an unknown"
            " project or environment match"
        )
    return text
