"""Apply proposed API calls to a snapshot in memory, then compare the audits before and after."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any
from urllib.parse import quote

import jsonpatch
import jsonpointer

from auditor.audit import AuditOptions
from auditor.changes.changefile import Call, ChangeFile, parse_destination_path
from auditor.changes.diff import DiffResult, run_diff
from auditor.changes.secretflow import hidden_source, mask_landed, mask_new_secrets
from auditor.launchdarkly.document import build_document, parse_json
from auditor.models import Source

DESTINATIONS = "/api/v2/destinations"


def run_review(snapshot: Source, change: ChangeFile, options: AuditOptions) -> DiffResult:
    """Audit `snapshot` as it is and as the change file would leave it, and compare.

    The change file is loaded (`changefile.load_change_file`) before the snapshot is read.
    """
    before = parse_json(snapshot.data)
    build_document(before)  # the snapshot's shape (an "items" list) is checked before any call
    after = apply_calls(before, change)
    data = json.dumps(after, ensure_ascii=False).encode("utf-8")
    changed = Source(
        path=f"{snapshot.path} + {change.path}",
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        max_size=snapshot.max_size,
    )
    return run_diff(snapshot, changed, options, change_path=change.path)


def apply_calls(document: dict[str, Any], change: ChangeFile) -> dict[str, Any]:
    """A new document with every call applied in order; `document` is left as it was."""
    items: list[Any] = copy.deepcopy(document["items"])
    created = 0
    for call in change.calls:
        if call.method == "POST":
            created += 1
            items.append(mask_new_secrets({}, _created(call, items, created)))
            _check_item(change, call, items[-1], ("body",))
            continue
        position = _find(change, call, items)
        if call.method == "DELETE":
            del items[position]
        else:
            was_valid = _valid(items[position])
            old_kind, old_config = items[position].get("kind"), _config(items[position])
            patched = mask_new_secrets(old_config, _patched(change, call, items[position]))
            items[position] = mask_landed(old_kind, old_config, patched)
            if was_valid:
                _check_item(change, call, items[position], ("body",))
    return {**document, "items": items}


def _find(change: ChangeFile, call: Call, items: list[Any]) -> int:
    """The position of the destination the call's path names, in the path's project/env."""
    for position, item in enumerate(items):
        if isinstance(item, dict) and item.get("_id") == call.id:
            scope = _scope(item)
            if scope != (call.project, call.environment):
                where = "an unknown project/environment" if scope is None else "/".join(scope)
                raise change.error(
                    call.index,
                    ("path",),
                    f"destination {call.id} is in {where}, not {call.project}/{call.environment}",
                )
            return position
    raise change.error(call.index, ("path",), f"no destination with id {call.id} in the snapshot")


def _scope(item: dict[str, Any]) -> tuple[str, str] | None:
    """The project and environment of an item's `_links.self.href`, as the document reads it."""
    links = item.get("_links")
    self_link = links.get("self") if isinstance(links, dict) else None
    href = self_link.get("href") if isinstance(self_link, dict) else None
    parsed = parse_destination_path(href) if isinstance(href, str) else None
    return None if parsed is None else parsed[:2]


def _patched(change: ChangeFile, call: Call, item: dict[str, Any]) -> dict[str, Any]:
    """The item with the JSON Patch applied one operation at a time, to name a failing one."""
    current = copy.deepcopy(item)
    if isinstance(current.get("config"), str):  # the API may send config as a JSON string
        doc = build_document({"items": [current]})
        if doc.destinations:
            current["config"] = copy.deepcopy(doc.destinations[0].config)
    for number, operation in enumerate(call.body):
        where = ("body", number)
        for key in ("path", "from"):
            pointer = operation.get(key)
            if isinstance(pointer, str) and (pointer == "" or pointer.startswith("/_")):
                raise change.error(
                    call.index, (*where, key), f"{pointer or '(empty)'} is read-only in the API"
                )
        source = operation.get("from")
        if _in_config(source) and not _in_config(operation["path"]):
            # config may hold secrets, and outside it a value would be shown in every output
            message = "a config value may not be copied or moved out of /config"
            raise change.error(call.index, (*where, "from"), message)
        kinds = {k for k in (item.get("kind"), current.get("kind")) if isinstance(k, str)}
        hidden = hidden_source(source, kinds, current.get("config")) if _in_config(source) else None
        if hidden is not None:
            message = f"a copy or move may not take a value that is not shown: {hidden}"
            raise change.error(call.index, (*where, "from"), message)
        try:
            current = jsonpatch.JsonPatch([operation]).apply(current)
        except jsonpatch.JsonPatchTestFailed:
            message = f"test failed: {operation['path']} does not hold the tested value"
            raise change.error(call.index, where, message) from None
        except (
            jsonpatch.JsonPatchException,
            jsonpointer.JsonPointerException,
            TypeError,
            KeyError,
            IndexError,
            ValueError,
        ):
            # the library's message can quote the document (secrets included): not shown
            message = f"{operation['op']} {operation['path']} cannot be applied to {call.id}"
            raise change.error(call.index, where, message) from None
    return current


def _in_config(pointer: Any) -> bool:
    return isinstance(pointer, str) and (pointer == "/config" or pointer.startswith("/config/"))


def _created(call: Call, items: list[Any], created: int) -> dict[str, Any]:
    """The destination a POST would create: a synthetic id and link, and no `_access`."""
    # An invalid item's `_id` may be any JSON value (a list is unhashable): only text is taken.
    ids = (item.get("_id") for item in items if isinstance(item, dict))
    taken = {ident for ident in ids if isinstance(ident, str)}
    number = created
    while f"new-{number}" in taken:
        number += 1
    ident = f"new-{number}"
    scope = f"{quote(call.project, safe='')}/{quote(call.environment, safe='')}"
    body = copy.deepcopy(call.body)
    return {
        "_id": ident,
        "_links": {
            "parent": {"href": DESTINATIONS, "type": "application/json"},
            "self": {"href": f"{DESTINATIONS}/{scope}/{ident}", "type": "application/json"},
        },
        "name": body["name"],
        "kind": body["kind"],
        "config": body.get("config"),
        "on": body.get("on", False),
    }


def _config(item: dict[str, Any]) -> dict[str, Any]:
    """An item's config as a mapping (decoded from a JSON string if need be), else empty."""
    doc = build_document({"items": [item]})
    config = doc.destinations[0].config if doc.destinations else None
    return dict(config) if config else {}


def _valid(item: Any) -> bool:
    return not build_document({"items": [item]}).problems


def _check_item(change: ChangeFile, call: Call, item: Any, where: tuple[str, ...]) -> None:
    """The destination a call leaves must still fit the destinations schema."""
    problems = build_document({"items": [item]}).problems
    if problems:
        problem = problems[0]
        pointer = problem.pointer.removeprefix("/items/0")
        raise change.error(
            call.index, where, f"leaves the destination invalid: {pointer}: {problem.message}"
        )
