"""Map a plan's account resources onto the `_account` block of a snapshot.

The resources and their attributes, from the provider's documented schema
(launchdarkly/terraform-provider-launchdarkly, docs/resources/*.md;
https://registry.terraform.io/providers/launchdarkly/launchdarkly/latest/docs/resources/):

- `launchdarkly_custom_role`: `key`, `name`, `base_permissions` ("defaults to `reader`"),
  `policy_statements` (`effect`, `actions`, `not_actions`, `resources`, `not_resources`)
  and the deprecated `policy` set; both are read. "You cannot delete a custom role while it
  is still assigned": a role the plan deletes but leaves assigned is kept.
- `launchdarkly_team`: `key`, `name`, `custom_role_keys`, `member_ids`, `role_attributes`.
- `launchdarkly_team_member`: `email`, `role` ("reader is assigned by default"),
  `custom_roles` (keys), `role_attributes`; `id` is the member's id.
- `launchdarkly_team_role_mapping`: `team_key`, `custom_role_keys`, `role_attributes`
  ("leave unset ... to keep the team's role attributes unchanged").
- `launchdarkly_access_token`: `name`, `role`, `custom_roles`, `inline_roles` (and the
  deprecated `policy_statements`), `service_token`. Its `token` is never read.

`role_attributes` is a list of `{key, values}` blocks on teams and members (provider 2.22
and later) and a map of lists on the role mapping; both shapes are read.

Values the plan hides are read never to hide a risk (see `terraform_values`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from auditor.changes import terraform_values as values
from auditor.changes.hidden import Hidden
from auditor.changes.plan import ResourceChange
from auditor.changes.workspace import Workspace, shown, steps


def apply(ws: Workspace, rc: ResourceChange, step: str) -> None:
    """Apply one step (delete, update or create) of an account resource change."""
    last = step == steps(rc.action)[-1]
    if ws.account is None:
        if last:
            ws.note(rc, "not reviewed: the snapshot has no _account block (fetch --account)")
            ws.done(rc, reviewed=False)
        return
    HANDLERS[rc.type](ws, rc, step)
    if last:
        ws.done(rc)


def finish(ws: Workspace) -> None:
    """A deleted role still assigned after the plan cannot be deleted: it stays."""
    account = ws.account
    assert account is not None
    for rc, role in ws.deleted_roles:
        names = {role.get("key"), role.get("_id")} - {None}
        holders = [f"team {t.get('key')}" for t in _list(account, "teams")
                   if names & set(_team_roles(t))]  # fmt: skip
        holders += [f"member {m.get('email')}" for m in _list(account, "members")
                    if names & set(m.get("customRoles") or [])]  # fmt: skip
        holders += [f"token {t.get('name')}" for t in _list(account, "tokens")
                    if names & set(t.get("customRoleIds") or [])]  # fmt: skip
        if holders and not any(r.get("key") == role.get("key") for r in _list(account, "roles")):
            account["roles"].append(role)
            note = (f"still assigned to {', '.join(holders[:3])}"
                    f"{' and more' if len(holders) > 3 else ''}: LaunchDarkly refuses to delete "
                    "an assigned role, so it is reviewed as kept")  # fmt: skip
            review = ws.reviews.get(rc.position)
            if review is not None:
                ws.reviews[rc.position] = replace(review, notes=(*review.notes, note))


# --------------------------------------------------------------------------------------------
# Handlers


def _role(ws: Workspace, rc: ResourceChange, step: str) -> None:
    roles = _list(ws.account, "roles")
    if step == "delete":
        role = roles.pop(_find(ws, rc, roles, "key", "custom role"))
        ws.deleted_roles.append((rc, role))
        return
    after = rc.after or {}
    blocks = [*values.blocks(after.get("policy_statements")), *values.blocks(after.get("policy"))]
    base = after.get("base_permissions")
    fields = {
        "name": shown(after.get("name")),
        "basePermissions": base if isinstance(base, str) else "reader",
        "policy": values.statements(ws, rc, blocks),
    }
    if step == "update":
        roles[_find(ws, rc, roles, "key", "custom role")].update(fields)
    else:
        roles.append({"key": shown(after.get("key")), **fields})


def _team(ws: Workspace, rc: ResourceChange, step: str) -> None:
    teams = _list(ws.account, "teams")
    if step == "delete":
        team = teams.pop(_find(ws, rc, teams, "key", "team"))
        _set_members(ws, rc, str(team.get("key")), [], keep=set())
        return
    after = rc.after or {}
    if step == "update":
        team = teams[_find(ws, rc, teams, "key", "team")]
    else:
        team = {"key": shown(after.get("key")), "roles": {"items": []}}
        teams.append(team)
    team["name"] = shown(after.get("name"))
    _set_team_roles(ws, rc, team, after.get("custom_role_keys"))
    attributes = values.attributes(ws, rc, after.get("role_attributes"))
    if attributes is not None:
        team["roleAttributes"] = attributes
    ids = after.get("member_ids")
    if isinstance(ids, list):
        _set_members(ws, rc, str(team["key"]), ids, keep=set())
    elif isinstance(ids, Hidden):
        ws.note(rc, "member_ids not known before apply: the team keeps its members in this review")


def _mapping(ws: Workspace, rc: ResourceChange, step: str) -> None:
    side = rc.before if step == "delete" else rc.after
    key = (side or {}).get("team_key")
    teams = _list(ws.account, "teams")
    team = next((t for t in teams if t.get("key") == key), None)
    if team is None:
        raise ws.error(rc, f"team {shown(key)} is not in the snapshot")
    if step == "delete":
        gone = {k for k in values.strings((rc.before or {}).get("custom_role_keys"))}
        team["roles"] = {"items": [{"key": k} for k in _team_roles(team) if k not in gone]}
        return
    _set_team_roles(ws, rc, team, (rc.after or {}).get("custom_role_keys"))
    attributes = values.attributes(ws, rc, (rc.after or {}).get("role_attributes"))
    if attributes is not None:
        team["roleAttributes"] = attributes


def _member(ws: Workspace, rc: ResourceChange, step: str) -> None:
    members = _list(ws.account, "members")
    if step == "delete":
        members.pop(_find(ws, rc, members, "id", "member"))
        return
    after = rc.after or {}
    if step == "update":
        member = members[_find(ws, rc, members, "id", "member")]
    else:
        member = {"_id": rc.address, "email": shown(after.get("email")), "teams": [],
                  "_pendingInvite": True}  # fmt: skip
        members.append(member)
    role = after.get("role")
    member["role"] = values.base_role(ws, rc, role) if role is not None else "reader"
    member["customRoles"] = values.strings(after.get("custom_roles"), ws, rc, "custom_roles")
    attributes = values.attributes(ws, rc, after.get("role_attributes"))
    if attributes is not None:
        member["roleAttributes"] = attributes


def _token(ws: Workspace, rc: ResourceChange, step: str) -> None:
    tokens = _list(ws.account, "tokens")
    if step == "delete":
        tokens.pop(_find(ws, rc, tokens, "id", "access token"))
        return
    after = rc.after or {}
    if step == "update":
        token = tokens[_find(ws, rc, tokens, "id", "access token")]
    else:
        token = {"_id": rc.address}
        tokens.append(token)
    blocks = [
        *values.blocks(after.get("inline_roles")),
        *values.blocks(after.get("policy_statements")),
    ]
    role = after.get("role")
    service = after.get("service_token")
    token.update(
        {
            "name": shown(after.get("name")),
            "role": values.base_role(ws, rc, role) if role is not None else None,
            "customRoleIds": values.strings(after.get("custom_roles"), ws, rc, "custom_roles"),
            "inlineRole": values.statements(ws, rc, blocks),
            "serviceToken": service is True or isinstance(service, Hidden),
        }
    )
    if step == "create" and not token["serviceToken"]:
        ws.note(rc, "a personal token belongs to whoever applies the plan, which the plan does "
                    "not say: its access is not bounded by a member's here")  # fmt: skip


HANDLERS = {
    "launchdarkly_custom_role": _role,
    "launchdarkly_team": _team,
    "launchdarkly_team_role_mapping": _mapping,
    "launchdarkly_team_member": _member,
    "launchdarkly_access_token": _token,
}


# --------------------------------------------------------------------------------------------
# Values


def _find(ws: Workspace, rc: ResourceChange, entries: list[Any], by: str, what: str) -> int:
    """The position of the entry the plan's `before` names (a key, or the API's `_id`)."""
    before = rc.before or {}
    wanted = before.get(by)
    field = "key" if by == "key" else "_id"
    if isinstance(wanted, str):
        for position, entry in enumerate(entries):
            if entry.get(field) == wanted or (by == "key" and entry.get("_id") == before.get("id")):
                return position
    raise ws.error(rc, f"{what} {shown(wanted)} is not in the snapshot's _account; "
                       "review against a fresh one (auditor fetch --account)")  # fmt: skip


def _list(account: dict[str, Any] | None, key: str) -> list[Any]:
    assert account is not None
    value = account.get(key)
    if not isinstance(value, list):
        value = account[key] = []
    return value


def _team_roles(team: dict[str, Any]) -> list[str]:
    roles = team.get("roles")
    items = roles.get("items") if isinstance(roles, dict) else roles
    return [
        str(i["key"]) if isinstance(i, dict) else str(i)
        for i in (items if isinstance(items, list) else [])
        if isinstance(i, str) or (isinstance(i, dict) and "key" in i)
    ]


def _set_team_roles(ws: Workspace, rc: ResourceChange, team: dict[str, Any], keys: Any) -> None:
    if keys is None:
        return
    if isinstance(keys, Hidden):
        ws.note(rc, "custom_role_keys not known before apply: the team keeps its roles here")
        return
    team["roles"] = {
        "items": [{"key": k} for k in values.strings(keys, ws, rc, "custom_role_keys")]
    }


def _set_members(
    ws: Workspace, rc: ResourceChange, key: str, ids: list[Any], *, keep: set[str]
) -> None:
    """Make exactly the members `ids` belong to team `key` (membership lives on members)."""
    wanted = {i for i in ids if isinstance(i, str)}
    if len(wanted) != len(ids):
        ws.note(rc, "some member_ids are not known before apply: only the known ones are reviewed")
    found: set[str] = set()
    for member in _list(ws.account, "members"):
        teams = [t for t in member.get("teams") or [] if isinstance(t, dict)]
        inside = [t for t in teams if t.get("key") != key]
        if member.get("_id") in wanted or member.get("_id") in keep:
            found.add(str(member.get("_id")))
            inside.append({"key": key, "name": key})
        member["teams"] = inside
    missing = len(wanted - found)
    if missing:
        ws.note(rc, f"{missing} member id(s) are not among the snapshot's members")
