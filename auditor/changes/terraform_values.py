"""The values of the account resources of a plan, in the API's terms, read never to hide a risk.

Policy statement blocks (`policy_statements`, `inline_roles`, the deprecated `policy`) become
statements in the API's field names; `role_attributes` (a list of `{key, values}` blocks on
teams and members, a map of lists on the role mapping) becomes `roleAttributes`. A value the
plan hides (sensitive, or known only after apply) is read so that it never hides a risk: a
hidden allow statement could cover every export, a hidden deny takes nothing away, a hidden
base role is read as the most powerful, and a hidden role attribute value leaves its
placeholder, which "could cover" any key.
"""

from __future__ import annotations

from typing import Any

from auditor.changes.hidden import Hidden
from auditor.changes.plan import ResourceChange
from auditor.changes.workspace import Workspace

COULD_COVER = "proj/${roleAttribute/known-after-apply}:env/*:destination/*"
"""An allow the plan hides: its placeholder is never expanded, so it could cover any export."""
_STATEMENT_FIELDS = (
    ("resources", "resources"),
    ("not_resources", "notResources"),
    ("actions", "actions"),
    ("not_actions", "notActions"),
)


def blocks(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def hides(value: Any) -> bool:
    if isinstance(value, dict):
        return any(hides(v) for v in value.values())
    if isinstance(value, list):
        return any(hides(v) for v in value)
    return isinstance(value, Hidden)


def statements(ws: Workspace, rc: ResourceChange, blocks: list[Any]) -> list[dict[str, Any]]:
    """Policy statement blocks in the API's field names; hidden ones read never to hide a risk."""
    out: list[dict[str, Any]] = []
    for number, block in enumerate(blocks, 1):
        if not hides(block) and isinstance(block, dict):
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


def base_role(ws: Workspace, rc: ResourceChange, role: Any) -> str:
    if isinstance(role, Hidden):
        ws.note(rc, "role is not known before apply: read as the most powerful base role")
    return str(role)


def strings(value: Any, ws: Workspace | None = None, rc: Any = None, name: str = "") -> list[str]:
    hidden = isinstance(value, Hidden) or (isinstance(value, list) and any(map(hides, value)))
    if hidden and ws is not None:
        ws.note(rc, f"{name} is not known before apply: only its known values are reviewed")
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]


def attributes(ws: Workspace, rc: ResourceChange, value: Any) -> dict[str, list[str]] | None:
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
        if not isinstance(key, str) or not isinstance(values, list) or hides(values):
            ws.note(rc, "a role attribute is not known before apply: its placeholder could "
                        "cover any key")  # fmt: skip
            continue
        out[key] = [v for v in values if isinstance(v, str)]
    if isinstance(value, Hidden):
        ws.note(rc, "role_attributes are not known before apply: placeholders could cover any key")
    return out
