"""Map a plan's `launchdarkly_destination` changes onto the snapshot's destinations.

The provider's schema (docs/resources/destination.md of launchdarkly/terraform-provider-
launchdarkly, https://registry.terraform.io/providers/launchdarkly/launchdarkly/latest/docs/resources/destination):
`project_key`, `env_key`, `name`, `kind`, `config` (a map of strings, snake_case keys),
`on`, `tags`; the `id` is `project_key/env_key/id`. On update the provider replaces `/name`,
`/kind`, `/on` and `/config` (launchdarkly/resource_destination_framework.go), so the config
after apply is the mapped config of the plan. Tags are not part of the API's destination and
are not reviewed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from auditor.changes.hidden import Hidden, same
from auditor.changes.plan import ResourceChange
from auditor.changes.workspace import Workspace, shown
from auditor.launchdarkly.document import build_document, decode_config
from auditor.launchdarkly.kinds import KINDS

DESTINATIONS = "/api/v2/destinations"
CONVERSIONS: dict[str, dict[str, str]] = {
    # The provider's snake_case config keys and the API's camelCase ones, per kind; a key not
    # listed is not sent (launchdarkly/destination_helper.go, CONFIG_CONVERSIONS).
    "kinesis": {"region": "region", "role_arn": "roleArn", "stream_name": "streamName"},
    "google-pubsub": {"project": "project", "topic": "topic"},
    "mparticle": {
        "api_key": "apiKey",
        "secret": "secret",
        "environment": "environment",
        "user_identities": "userIdentities",
        "anonymous_user_identity": "anonymousUserIdentity",
        "user_identity": "userIdentity",
    },
    "segment": {
        "write_key": "writeKey",
        "anonymous_id_context_kind": "anonymousIDContextKind",
        "user_id_context_kind": "userIDContextKind",
    },
    "azure-event-hubs": {
        "namespace": "namespace",
        "name": "name",
        "policy_name": "policyName",
        "policy_key": "policyKey",
    },
}


def apply(ws: Workspace, rc: ResourceChange, step: str) -> None:
    """Apply one step (delete, update or create) of a destination change."""
    if step == "delete":
        del ws.items[_find(ws, rc)]
        if rc.action == "delete":
            ws.done(rc)
        return
    after = rc.after or {}
    if step == "update":
        position = _find(ws, rc)
        old = ws.items[position]
        _, old_config = decode_config(old.get("config"))
        item = copy.deepcopy(old)
        ident = str(old["_id"])
    else:
        old_config = None
        ident = rc.address
        keys = ("project_key", "env_key")
        project, env = (quote(str(shown(after.get(k))), safe="") for k in keys)
        item = {
            "_id": ident,
            "_links": {
                "parent": {"href": DESTINATIONS, "type": "application/json"},
                "self": {
                    "href": f"{DESTINATIONS}/{project}/{env}/{quote(ident, safe='')}",
                    "type": "application/json",
                },
            },
        }
    kind = shown(after.get("kind"))
    before_config = (rc.before or {}).get("config") if step == "update" else None
    config, secrets = api_config(str(kind), before_config, after.get("config"), old_config or {})
    item["name"] = _unless_secret(shown(after.get("name")), secrets)
    item["kind"] = kind
    # `on` is Optional+Computed: with no value the provider sends false
    # (resource_destination_framework.go: `on := plan.On.ValueBool()`).
    on = after.get("on")
    item["on"] = on if isinstance(on, bool) else False
    if not isinstance(on, bool):
        ws.note(rc, "on is not known before apply: read as false, what the provider sends")
    item["config"] = config
    problems = build_document({"items": [item]}).problems
    if problems:  # a plan the provider could not apply; the review says which resource
        problem = problems[0]
        where = problem.pointer.removeprefix("/items/0")
        raise ws.error(rc, f"leaves the destination invalid: {where}: {problem.message}")
    if step == "update":
        ws.items[position] = item
    else:
        ws.items.append(item)
    ws.addresses[ident] = rc.address
    ws.sensitive_fields[ident] = _sensitive_fields(str(kind), rc)
    ws.done(rc)


def _sensitive_fields(kind: str, rc: ResourceChange) -> frozenset[str]:
    """The fields (`name`, `config.roleArn`) the plan marks sensitive, before or after: their
    field-change lines show no value, not even the snapshot's."""
    names = CONVERSIONS.get(kind) or {}
    out = set()
    for values in (rc.before or {}, rc.after or {}):
        if _sensitive(values.get("name")):
            out.add("name")
        config = values.get("config")
        if _sensitive(config):
            out.update(f"config.{api}" for api in names.values())
        elif isinstance(config, dict):
            hidden = [key for key, value in config.items() if _sensitive(value)]
            out.update(f"config.{names.get(key, key)}" for key in hidden)
    return frozenset(out)


def _sensitive(value: Any) -> bool:
    return isinstance(value, Hidden) and value.reason == "sensitive"


def _find(ws: Workspace, rc: ResourceChange) -> int:
    """The snapshot item of the plan's `before.id` (`project_key/env_key/id`)."""
    ident = (rc.before or {}).get("id")
    parts = ident.split("/", 2) if isinstance(ident, str) else []
    if len(parts) != 3:
        raise ws.error(rc, "before.id is not project_key/env_key/id")
    project, env, dest_id = parts
    for position, item in enumerate(ws.items):
        if isinstance(item, dict) and item.get("_id") == dest_id:
            found = build_document({"items": [item]}).destinations
            scope = (found[0].project, found[0].environment) if found else (project, env)
            if scope != (project, env):
                where = "/".join(str(part) for part in scope)
                raise ws.error(rc, f"destination {dest_id} is in {where}, not {project}/{env}")
            return position
    raise ws.error(
        rc,
        f"destination {dest_id} ({project}/{env}) is not in the snapshot; "
        "review against a fresh one (auditor fetch)",
    )


def api_config(
    kind: str, before: Any, after: Any, old: Mapping[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    """The config the API would hold after the provider sends `after`, and the clear secrets.

    A secret is kept as the API returns it, masked: the snapshot's mask when the plan leaves
    it as it was, else a new mask. A hidden value is kept only as what it is (`(sensitive
    value)`), unless the plan leaves it unchanged, when the snapshot's value stands.
    """
    names = CONVERSIONS.get(kind)
    fields = KINDS.get(kind, {})
    before_map = before if isinstance(before, dict) else {}
    if isinstance(after, Hidden):  # the whole map is hidden
        after_map: dict[str, Any] = {tf: after for tf in (names or {})}
    else:
        after_map = after if isinstance(after, dict) else {}
    out: dict[str, Any] = {}
    secrets: set[str] = set()
    for tf_key, value in after_map.items():
        api_key = names.get(tf_key) if names is not None else tf_key
        if api_key is None:
            continue  # the provider does not send a key it does not know
        unchanged = tf_key in before_map and same(before_map[tf_key], value)
        spec = fields.get(api_key)
        if spec is not None and spec.secret:
            if isinstance(value, str) and value:
                secrets.add(value)
            if value in (None, ""):
                out[api_key] = value
            elif unchanged and api_key in old:
                out[api_key] = old[api_key]
            else:
                out[api_key] = "new********" if old.get(api_key) == "********" else "********"
            continue
        if unchanged and isinstance(value, Hidden) and api_key in old:
            out[api_key] = old[api_key]
        elif kind == "mparticle" and api_key == "userIdentities" and isinstance(value, str):
            out[api_key] = _json_list(value)
        else:
            out[api_key] = shown(value)
    for key, value in list(out.items()):
        if not (fields.get(key) and fields[key].secret):
            out[key] = _unless_secret(value, secrets)
    return out, secrets


def _unless_secret(value: Any, secrets: set[str]) -> Any:
    """A shown value that repeats one of the resource's secrets is not shown."""
    return "(same value as a secret)" if isinstance(value, str) and value in secrets else value


def _json_list(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, list) else text
