"""Read a Terraform plan in its JSON form (`terraform show -json PLANFILE`) and check it.

Only `resource_changes` is read, and only for the LaunchDarkly resource types auditor maps;
`variables`, `prior_state`, `planned_values` and `configuration` may hold sensitive values in
clear and are never looked at. A value Terraform marks sensitive (`before_sensitive`,
`after_sensitive`) or unknown until apply (`after_unknown`) is replaced, as soon as it is
read, by a `Hidden` marker that keeps no part of it: auditor can tell that it is there and
whether it changed, never what it is. Format: "Internals: JSON Output Format",
https://developer.hashicorp.com/terraform/internals/json-format (plan representation, change
representation, and the `format_version` rule: "Reject any input which reports an
unsupported major version").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.changes.hidden import resolve
from auditor.errors import AuditorError, UsageError
from auditor.io import strictjson
from auditor.io.sources import read_source
from auditor.io.yamlfile import MAX_DEPTH

SUPPORTED_MAJOR = 1
"""Terraform 1.1 and later write `1.x`; before, `0.x` plans may not mark sensitive values."""

MAPPED_TYPES = frozenset(
    {
        "launchdarkly_destination",
        "launchdarkly_custom_role",
        "launchdarkly_team",
        "launchdarkly_team_member",
        "launchdarkly_team_role_mapping",
        "launchdarkly_access_token",
    }
)
ZIP_MAGIC = b"PK\x03\x04"
"""`terraform plan -out` writes a zip archive (internal/plans/planfile/writer.go)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ResourceChange:
    """One entry of `resource_changes`, its values with every hidden leaf a `Hidden`."""

    address: str
    type: str
    mode: str
    actions: tuple[str, ...]
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    sensitive: tuple[str, ...] = ()
    """Attribute paths Terraform marks sensitive (`config.write_key`), before or after."""
    unknown: tuple[str, ...] = ()
    """Attribute paths known only after apply."""
    position: int = 0

    @property
    def action(self) -> str:
        """`create`, `update`, `delete`, `replace` (delete and create), `no-op`, `read` or
        `forget`; a list holding "delete" deletes, as the format's docs advise reading it."""
        acts = set(self.actions)
        if {"delete", "create"} <= acts:
            return "replace"
        for name in ("delete", "create", "update", "forget", "read"):
            if name in acts:
                return name
        return "no-op"

    @property
    def mapped(self) -> bool:
        return self.mode == "managed" and self.type in MAPPED_TYPES


@dataclass(frozen=True, kw_only=True, slots=True)
class Plan:
    path: str
    format_version: str
    terraform_version: str | None
    changes: tuple[ResourceChange, ...]
    complete: bool | None
    """False for a partial plan (`-target`, deferred changes): what it leaves out is not seen."""
    deferred: int


def load_plan(path: str, max_size: int) -> Plan:
    """Read and check `path` (or stdin for "-"); UsageError (exit 2) for anything else."""
    try:
        source = read_source(path, max_size)
    except AuditorError as exc:  # too large is a bad plan file here, like a bad change file
        raise UsageError(exc.message) from None
    name = source.path
    data = source.data
    if data.startswith(ZIP_MAGIC) or b"\0" in data[:4096]:
        raise UsageError(
            f"{name} is a binary Terraform plan file; review its JSON form: "
            f"terraform show -json {_shell_word(name)} > plan.json"
        )
    try:
        document = strictjson.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise UsageError(
            f"{name} is not JSON; expected the output of terraform show -json PLANFILE"
        ) from None
    if _too_deep(document):  # Terraform's values nest a few levels; this is not a plan
        raise UsageError(f"{name}: nested more than {MAX_DEPTH} levels deep; not a plan")
    return parse_plan(name, document)


def _too_deep(value: Any) -> bool:
    """Whether lists and mappings nest deeper than MAX_DEPTH, walked without recursion."""
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            if level > MAX_DEPTH:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, level + 1) for child in children)
    return False


def parse_plan(name: str, document: Any) -> Plan:
    version = document.get("format_version") if isinstance(document, dict) else None
    if not isinstance(version, str):
        raise UsageError(
            f"{name} is not a Terraform plan (no format_version); "
            "expected the output of terraform show -json PLANFILE"
        )
    major = version.split(".")[0]
    if major != str(SUPPORTED_MAJOR):
        raise UsageError(
            f"{name}: plan format_version {version} is not supported; auditor reads "
            f"{SUPPORTED_MAJOR}.x (Terraform 1.1 and later)"
        )
    if "values" in document and "planned_values" not in document:
        raise UsageError(
            f"{name} is a Terraform state, not a plan; run terraform plan -out PLANFILE, "
            "then terraform show -json PLANFILE"
        )
    if not any(key in document for key in ("planned_values", "resource_changes", "configuration")):
        raise UsageError(
            f"{name} is not a Terraform plan (no planned_values or resource_changes); "
            "expected the output of terraform show -json PLANFILE"
        )
    if document.get("errored") is True:
        raise UsageError(f"{name}: terraform could not finish this plan (errored: true)")
    entries = document.get("resource_changes", [])
    if not isinstance(entries, list):
        raise UsageError(f"{name}: resource_changes must be a list")
    terraform = document.get("terraform_version")
    complete = document.get("complete")
    deferred = document.get("deferred_changes")
    return Plan(
        path=name,
        format_version=version,
        terraform_version=terraform if isinstance(terraform, str) else None,
        changes=tuple(_change(name, i, entry) for i, entry in enumerate(entries)),
        complete=complete if isinstance(complete, bool) else None,
        deferred=len(deferred) if isinstance(deferred, list) else 0,
    )


def _change(name: str, position: int, entry: Any) -> ResourceChange:
    where = f"{name}: resource_changes[{position}]"
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: expected an object")
    for key in ("address", "type"):
        if not isinstance(entry.get(key), str):
            raise UsageError(f"{where}: {key} must be a string")
    change = entry.get("change")
    actions = change.get("actions") if isinstance(change, dict) else None
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise UsageError(f"{where} ({entry['address']}): change.actions must be a list of strings")
    mode = entry.get("mode", "managed")
    resource = ResourceChange(
        address=entry["address"],
        type=entry["type"],
        mode=mode if isinstance(mode, str) else "managed",
        actions=tuple(actions),
        before=None,
        after=None,
        position=position,
    )
    if not resource.mapped:  # other resources are only counted: their values are never read
        return resource
    assert isinstance(change, dict)
    sensitive: list[str] = []
    unknown: list[str] = []
    before = resolve(change.get("before"), change.get("before_sensitive"), None, "", sensitive, [])
    after = resolve(
        change.get("after"),
        change.get("after_sensitive"),
        change.get("after_unknown"),
        "",
        sensitive,
        unknown,
    )
    for side, value in (("before", before), ("after", after)):
        if value is not None and not isinstance(value, dict):
            raise UsageError(f"{where} ({entry['address']}): change.{side} must be an object")
    return ResourceChange(
        address=resource.address,
        type=resource.type,
        mode=resource.mode,
        actions=resource.actions,
        before=before,
        after=after,
        sensitive=tuple(dict.fromkeys(sensitive)),
        unknown=tuple(dict.fromkeys(unknown)),
        position=position,
    )


def _shell_word(text: str) -> str:
    """The path as a shell would need it, for the command the error suggests."""
    safe = all(c.isalnum() or c in "._-/+@%:," for c in text)
    return text if safe and text else "'" + text.replace("'", "'\\''") + "'"
