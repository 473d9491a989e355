"""The access review as plain data: whose access was audited, and the access matrix.

Shared by the JSON report (its `access` block, schemas/report.schema.json) and the HTML and
Markdown templates. Members appear by their label: an email, or its hash with
`--anonymise-members`; never a name, an SDK key or a token value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.models import AccessReview, Grant, GrantPath, Principal

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
    }


def _ordered(paths: Iterable[GrantPath]) -> list[GrantPath]:
    return sorted(paths, key=lambda p: (not p.certain, p.team is not None, p.role))


def _holder(grant: Grant) -> dict[str, Any]:
    return {**principal_dict(grant.principal), "via": [path_dict(p) for p in _ordered(grant.paths)]}


def access_dict(access: AccessReview) -> dict[str, Any]:
    """The report's `access` block (the matrix only when the whole account was audited)."""
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
    block["by_destination"] = by_destination(access)
    block["by_principal"] = by_principal(access)
    return block


def _sort_key(grant: Grant) -> tuple[Any, ...]:
    d, p = grant.destination, grant.principal
    return (d.project or "", d.environment or "", d.name, d.id, p.kind, p.label, p.id)


def by_destination(access: AccessReview) -> list[dict[str, Any]]:
    """Per destination, per action: the principals allowed and through what."""
    rows: dict[str, dict[str, Any]] = {}
    for grant in sorted(access.grants, key=_sort_key):
        d = grant.destination
        row = rows.get(d.id)
        if row is None:
            row = rows[d.id] = {
                "destination": {
                    "id": d.id,
                    "name": d.name,
                    "kind": d.kind,
                    "project": d.project,
                    "environment": d.environment,
                    "critical": access.critical(d.project, d.environment),
                },
                "actions": {action: [] for action in ACTIONS},
            }
        row["actions"].setdefault(grant.action, []).append(_holder(grant))
    return list(rows.values())


def by_principal(access: AccessReview) -> list[dict[str, Any]]:
    """Per principal: the destinations it may change, per action (ids, in report order)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for principal in access.principals:
        rows[(principal.kind, principal.id)] = {
            **principal_dict(principal),
            "actions": {action: [] for action in ACTIONS},
        }
    for grant in sorted(access.grants, key=_sort_key):
        row = rows[(grant.principal.kind, grant.principal.id)]
        row["actions"].setdefault(grant.action, []).append(grant.destination.id)
    return [
        row
        for row in sorted(rows.values(), key=lambda r: (r["kind"], r["label"], r["id"]))
        if any(row["actions"].values())
    ]


def access_view(block: dict[str, Any], limit: int = 50, holders: int = 8) -> dict[str, Any]:
    """The access matrix as the HTML and Markdown reports show it: capped, with counts.

    Per destination and action: up to `holders` principals (then "+N more"); at most `limit`
    destinations and principals, the rest counted (the JSON report has them all).
    """
    if block["scope"] != "account":
        return {"scope": block["scope"], "summary": block["summary"], "rows": [], "people": []}
    rows = []
    for row in block["by_destination"][:limit]:
        cells = []
        for action in ACTIONS:
            found = row["actions"].get(action, [])
            shown = [_short(h) for h in found[:holders]]
            cells.append({"action": action, "shown": shown, "more": len(found) - len(shown)})
        rows.append({"destination": row["destination"], "cells": cells})
    people = [
        {
            "kind": p["kind"],
            "label": p["label"],
            "members": p["members"],
            "service": p["service"],
            "counts": {a: len(p["actions"].get(a, [])) for a in ACTIONS},
        }
        for p in block["by_principal"][:limit]
    ]
    return {
        "scope": block["scope"],
        "summary": block["summary"],
        "actions": list(ACTIONS),
        "rows": rows,
        "rows_omitted": len(block["by_destination"]) - len(rows),
        "people": people,
        "people_omitted": len(block["by_principal"]) - len(people),
    }


def _short(holder: dict[str, Any]) -> str:
    """`team payments via project-exporter` / `member a@x via base:admin`."""
    via = holder["via"][0] if holder["via"] else None
    how = "" if via is None else f" via {via['role']}" + ("" if via["certain"] else " (could)")
    return f"{holder['kind']} {holder['label']}{how}"
