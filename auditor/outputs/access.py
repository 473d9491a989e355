"""The access review as plain data: whose access was audited, and the access matrix.

Shared by the JSON report (its `access` block, schemas/report.schema.json) and the HTML and
Markdown templates. Members appear by their label: an email, or its hash with
`--anonymise-members`; never a name, an SDK key or a token value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.models import AccessReview, Destination, Grant, GrantGroup, GrantPath, Principal

ACTIONS = ("updateOn", "deleteDestination", "updateConfiguration", "updateName")


def principal_dict(principal: Principal) -> dict[str, Any]:
    return {
        "kind": principal.kind,
        "id": principal.id,
        "label": principal.label,
        "service": principal.service,
        "members": principal.members,
        "owner": principal.owner,
    }


def path_dict(path: GrantPath) -> dict[str, Any]:
    return {
        "role": path.role,
        "role_name": path.role_name,
        "team": path.team,
        "attributes": {name: list(values) for name, values in path.attributes},
        "certain": path.certain,
    }


def grant_dict(grant: Grant) -> dict[str, Any]:
    """A finding's `grant`: who holds which action, and every path through which."""
    return {
        "principal": principal_dict(grant.principal),
        "action": grant.action,
        "via": [path_dict(p) for p in _ordered(grant.paths)],
        "certain": grant.certain,
        "destinations": grant.destinations,
    }


def _ordered(paths: Iterable[GrantPath]) -> list[GrantPath]:
    return sorted(paths, key=lambda p: (not p.certain, p.team is not None, p.role))


def ref(principal: Principal) -> str:
    """How the matrix names a principal: `member:<id>`, `team:<key>`, `token:<id>`."""
    return f"{principal.kind}:{principal.id}"


def access_dict(access: AccessReview, total: int | None = None) -> dict[str, Any]:
    """The report's `access` block (the matrix only when the whole account was audited).

    `by_principal` says what each principal may do and through what (destinations as ids, or
    "all" for every destination of the export); `by_destination` says, per destination and
    action, which principals (`kind:id`, see `by_principal`) may.
    """
    block: dict[str, Any] = {
        "scope": access.scope,
        "summary": access.summary,
        "caller": access.caller,
        "not_audited": [
            {"endpoint": g.endpoint, "status": g.status, "reason": g.reason}
            for g in access.not_audited
        ],
    }
    if access.scope != "account":
        return block
    kinds = [p.kind for p in access.principals]
    block["principals"] = {k: kinds.count(k) for k in ("member", "team", "token")}
    block["by_principal"] = by_principal(access, total)
    block["by_destination"] = by_destination(access)
    return block


def by_principal(access: AccessReview, total: int | None = None) -> list[dict[str, Any]]:
    mine: dict[str, list[GrantGroup]] = {}
    for group in access.groups:
        mine.setdefault(ref(group.principal), []).append(group)
    rows = []
    for principal in sorted(access.principals, key=lambda p: (p.kind, p.label, p.id)):
        groups = mine.get(ref(principal))
        if not groups:
            continue
        grants = []
        for group in sorted(
            groups, key=lambda g: (ACTIONS.index(g.action) if g.action in ACTIONS else 9, g.action)
        ):
            ids = sorted({d.id for d in group.destinations})
            grants.append(
                {
                    "action": group.action,
                    "via": [path_dict(p) for p in _ordered(group.paths)],
                    "destinations": "all" if total is not None and len(ids) == total else ids,
                }
            )
        rows.append({**principal_dict(principal), "grants": grants})
    return rows


def by_destination(access: AccessReview) -> list[dict[str, Any]]:
    """Per destination, per action: the principals allowed (`kind:id`)."""
    rows: dict[int, tuple[Destination, dict[str, list[str]]]] = {}
    for group in access.groups:
        who = ref(group.principal)
        for d in group.destinations:
            row = rows.get(d.index)
            if row is None:
                row = rows[d.index] = (d, {})
            row[1].setdefault(group.action, []).append(who)
    out = []
    for d, actions in sorted(
        rows.values(),
        key=lambda r: (r[0].project or "", r[0].environment or "", r[0].name, r[0].id),
    ):
        out.append(
            {
                "destination": {
                    "id": d.id,
                    "name": d.name,
                    "kind": d.kind,
                    "project": d.project,
                    "environment": d.environment,
                    "critical": access.critical(d.project, d.environment),
                },
                "actions": {a: sorted(set(actions.get(a, []))) for a in ACTIONS if a in actions},
            }
        )
    return out


def access_view(access: AccessReview, limit: int = 50, holders: int = 8) -> dict[str, Any]:
    """The access matrix as the HTML and Markdown reports show it: capped, with counts.

    Per destination and action: up to `holders` principals (then "+N more"); at most `limit`
    destinations and principals, the rest counted (the JSON report has them all).
    """
    if access.scope != "account":
        return {"scope": access.scope, "summary": access.summary, "rows": [], "people": []}
    cells: dict[int, tuple[Destination, dict[str, list[str]]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for group in access.groups:
        p = group.principal
        via = _ordered(group.paths)[0]
        label = f"{p.kind} {p.label} via {via.role}" + ("" if via.certain else " (could)")
        tally = counts.setdefault(ref(p), dict.fromkeys(ACTIONS, 0))
        tally[group.action] = tally.get(group.action, 0) + len(group.destinations)
        for d in group.destinations:
            row = cells.get(d.index)
            if row is None:
                row = cells[d.index] = (d, {})
            row[1].setdefault(group.action, []).append(label)
    ordered = sorted(
        cells.values(),
        key=lambda r: (r[0].project or "", r[0].environment or "", r[0].name, r[0].id),
    )
    rows = []
    for d, actions in ordered[:limit]:
        row_cells = []
        for action in ACTIONS:
            found = sorted(actions.get(action, []))
            row_cells.append(
                {"action": action, "shown": found[:holders], "more": max(len(found) - holders, 0)}
            )
        critical = access.critical(d.project, d.environment)
        rows.append(
            {
                "destination": {
                    "name": d.name,
                    "project": d.project,
                    "environment": d.environment,
                    "critical": critical,
                },
                "cells": row_cells,
            }
        )
    people_all = [
        p
        for p in sorted(access.principals, key=lambda p: (p.kind, p.label, p.id))
        if ref(p) in counts
    ]
    people = [
        {
            "kind": p.kind,
            "label": p.label,
            "members": p.members,
            "service": p.service,
            "counts": counts[ref(p)],
        }
        for p in people_all[:limit]
    ]
    return {
        "scope": access.scope,
        "summary": access.summary,
        "actions": list(ACTIONS),
        "rows": rows,
        "rows_omitted": len(ordered) - len(rows),
        "people": people,
        "people_omitted": len(people_all) - len(people),
    }
