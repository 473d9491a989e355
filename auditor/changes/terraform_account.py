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

A value the plan hides (sensitive, or known only after apply) is read so that it never hides
a risk: a hidden allow statement could cover every export, a hidden deny takes nothing away,
a hidden base role is read as the most powerful, and a hidden role attribute value leaves
its placeholder, which "could cover" any key.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from auditor.changes.plan import Hidden, ResourceChange
from auditor.changes.workspace import Workspace, shown, steps

COULD_COVER = "proj/${roleAttribute/known-after-apply}:env/*:destination/*"
"""An allow the plan hides: its placeholder is never expanded, so it could cover any export."""
_STATEMENT_FIELDS = (
    ("resources", "resources"),
    ("not_resources", "notResources"),
    ("actions", "actions"),
    ("not_actions", "notActions"),
)


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
    blocks = [*_blocks(after.get("policy_statements")), *_blocks(after.get("policy"))]
    base = after.get("base_permissions")
    fields = {
        "name": shown(after.get("name")),
        "basePermissions": base if isinstance(base, str) else "reader",
        "policy": _statements(ws, rc, blocks),
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
    attributes = _attributes(ws, rc, after.get("role_attributes"))
    if attributes is not None:
        team["roleAttributes"] = attributes
    ids = after.get("member_ids")
    if isinstance(ids, list):
        _set_members(ws, rc, str(team["key"]), ids, keep=set())
    elif isinstance(ids, Hidden):
        ws.note(rc, "member_ids not known before apply: the team keeps its members in this review")


def _mapping(ws: Workspace, rc: ResourceChange, step: str) -> None:
    values = rc.before if step == "delete" else rc.after
    key = (values or {}).get("team_key")
    teams = _list(ws.account, "teams")
    team = next((t for t in teams if t.get("key") == key), None)
    if team is None:
        raise ws.error(rc, f"team {shown(key)} is not in the snapshot")
    if step == "delete":
        gone = {k for k in _strings((rc.before or {}).get("custom_role_keys"))}
        team["roles"] = {"items": [{"key": k} for k in _team_roles(team) if k not in gone]}
        return
    _set_team_roles(ws, rc, team, (rc.after or {}).get("custom_role_keys"))
    attributes = _attributes(ws, rc, (rc.after or {}).get("role_attributes"))
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
    member["role"] = _base_role(ws, rc, role) if role is not None else "reader"
    member["customRoles"] = _strings(after.get("custom_roles"), ws, rc, "custom_roles")
    attributes = _attributes(ws, rc, after.get("role_attributes"))
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
    blocks = [*_blocks(after.get("inline_roles")), *_blocks(after.get("policy_statements"))]
    role = after.get("role")
    service = after.get("service_token")
    token.update(
        {
            "name": shown(after.get("name")),
            "role": _base_role(ws, rc, role) if role is not None else None,
            "customRoleIds": _strings(after.get("custom_roles"), ws, rc, "custom_roles"),
            "inlineRole": _statements(ws, rc, blocks),
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


def _blocks(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _hides(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_hides(v) for v in value.values())
    if isinstance(value, list):
        return any(_hides(v) for v in value)
    return isinstance(value, Hidden)


def _statements(ws: Workspace, rc: ResourceChange, blocks: list[Any]) -> list[dict[str, Any]]:
    """Policy statement blocks in the API's field names; hidden ones read never to hide a risk."""
    out: list[dict[str, Any]] = []
    for number, block in enumerate(blocks, 1):
        if not _hides(block) and isinstance(block, dict):
            statement: dict[str, Any] = {"effect": block.get("effect")}
            for tf_name, api_name in _STATEMENT_FIELDS:
                if block.get(tf_name):
                    statement[api_name] = list(block[tf_name])
            out.append(statement)
        elif isinstance(block, dict) and block.get("effect") == "deny":
            ws.note(rc, f"statement {number} is not known before apply: a deny that cannot be "
                        "read takes nothing away")  # fmt: skip
        else:
            ws.note(rc, f"statement {number} is not known before apply: read as an allow that "
                        "could cover every export")  # fmt: skip
            out.append({"effect": "allow", "resources": [COULD_COVER], "actions": ["*"]})
    return out


def _base_role(ws: Workspace, rc: ResourceChange, role: Any) -> str:
    if isinstance(role, Hidden):
        ws.note(rc, "role is not known before apply: read as the most powerful base role")
    return str(role)


def _strings(value: Any, ws: Workspace | None = None, rc: Any = None, name: str = "") -> list[str]:
    hidden = isinstance(value, Hidden) or (isinstance(value, list) and any(map(_hides, value)))
    if hidden and ws is not None:
        ws.note(rc, f"{name} is not known before apply: only its known values are reviewed")
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]


def _attributes(ws: Workspace, rc: ResourceChange, value: Any) -> dict[str, list[str]] | None:
    """`role_attributes` as the API's `roleAttributes`: a list of {key, values} blocks or a map."""
    if value is None:
        return None
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, list):
        pairs = [(b.get("key"), b.get("values")) for b in value if isinstance(b, dict)]
    elif isinstance(value, dict):
        pairs = list(value.items())
    out: dict[str, list[str]] = {}
    for key, values in pairs:
        if isinstance(values, str):
            values = [values]
        if not isinstance(key, str) or not isinstance(values, list) or _hides(values):
            ws.note(rc, "a role attribute is not known before apply: its placeholder could "
                        "cover any key")  # fmt: skip
            continue
        out[key] = [v for v in values if isinstance(v, str)]
    if isinstance(value, Hidden):
        ws.note(rc, "role_attributes are not known before apply: placeholders could cover any key")
    return out


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
    team["roles"] = {"items": [{"key": k} for k in _strings(keys, ws, rc, "custom_role_keys")]}


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
