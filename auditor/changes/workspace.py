"""The snapshot a plan is applied to, and the record of what each resource change did.

Shared by the mappers of `launchdarkly_destination` (`terraform_destination`) and of the
account resources (`terraform_account`); `terraform` drives them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.changes.hidden import Hidden
from auditor.changes.plan import Plan, ResourceChange
from auditor.errors import UsageError


@dataclass(frozen=True, kw_only=True, slots=True)
class ResourceReview:
    """What auditor made of one LaunchDarkly resource change of the plan."""

    address: str
    type: str
    action: str
    target: str
    """What it changes, in LaunchDarkly's terms: `destination pay/production/audit-stream`."""
    reviewed: bool
    """False when it could not be applied (an account resource, with no `_account` block)."""
    sensitive: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanReview:
    """The plan as reviewed: every LaunchDarkly resource change, and what was left out."""

    path: str
    format_version: str
    terraform_version: str | None
    complete: bool | None
    deferred: int
    resources: tuple[ResourceReview, ...]
    ignored: tuple[tuple[str, int], ...]
    """Resource types auditor does not map, with how many changes of each the plan has."""
    addresses: Mapping[str, str] = field(default_factory=dict)
    """Destination id -> the Terraform address that manages it, for outputs that name it."""
    sensitive_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Destination id -> the fields the plan marks sensitive, whose changes show no value."""

    @property
    def not_reviewed(self) -> tuple[ResourceReview, ...]:
        return tuple(r for r in self.resources if not r.reviewed)


@dataclass
class Workspace:
    """The snapshot being changed (items and `_account`), and what each change did to it."""

    plan: Plan
    items: list[Any]
    account: dict[str, Any] | None
    reviews: dict[int, ResourceReview] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)
    deleted_roles: list[tuple[ResourceChange, dict[str, Any]]] = field(default_factory=list)
    sensitive_fields: dict[str, frozenset[str]] = field(default_factory=dict)
    """Destination id -> the fields the plan marks sensitive (`config.roleArn`, `name`)."""

    def error(self, rc: ResourceChange, message: str) -> UsageError:
        return UsageError(f"{self.plan.path}: {rc.address} ({rc.action}): {message}")

    def note(self, rc: ResourceChange, text: str) -> None:
        self.notes.setdefault(rc.position, []).append(text)

    def done(self, rc: ResourceChange, *, reviewed: bool = True) -> None:
        self.reviews[rc.position] = ResourceReview(
            address=rc.address,
            type=rc.type,
            action=rc.action,
            target=target_of(rc),
            reviewed=reviewed,
            sensitive=rc.sensitive,
            # a new object's id is always known only after apply: not worth a line
            unknown=tuple(path for path in rc.unknown if path != "id"),
            notes=tuple(self.notes.get(rc.position, ())),
        )


def steps(action: str) -> tuple[str, ...]:
    """The steps of an action, in the order they are applied: a replace deletes, then creates."""
    return {
        "create": ("create",),
        "update": ("update",),
        "delete": ("delete",),
        "replace": ("delete", "create"),
    }.get(action, ())


def shown(value: Any) -> Any:
    """A plan value as the snapshot may hold it: a hidden one only as what it is."""
    return str(value) if isinstance(value, Hidden) else value


def target_of(rc: ResourceChange) -> str:
    """The LaunchDarkly object a resource change is about, in words."""
    values = rc.after or rc.before or {}
    if rc.type == "launchdarkly_destination":
        where = "/".join(str(shown(values.get(k))) for k in ("project_key", "env_key", "name"))
        return f"destination {where}"
    if rc.type == "launchdarkly_custom_role":
        return f"custom role {shown(values.get('key'))}"
    if rc.type == "launchdarkly_team":
        return f"team {shown(values.get('key'))}"
    if rc.type == "launchdarkly_team_role_mapping":
        return f"custom roles of team {shown(values.get('team_key'))}"
    if rc.type == "launchdarkly_team_member":
        return f"member {shown(values.get('email'))}"
    return f"access token {shown(values.get('name'))}"
