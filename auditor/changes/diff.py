"""Compare two audits: destinations added, removed and changed, grants, findings and a verdict."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from auditor.audit import AuditOptions, run_audit
from auditor.changes.access_diff import AccessChange, access_changes
from auditor.engine import sort_key
from auditor.gate.policy import fails
from auditor.launchdarkly.access_changes import (
    DecisionFlip,
    StatementChange,
    decision_flips,
    statement_changes,
)
from auditor.launchdarkly.redact import shown_config
from auditor.models import AuditResult, Destination, Finding, Source

if TYPE_CHECKING:
    from auditor.changes.workspace import PlanReview

Change = Literal["added", "removed", "changed"]
_MISSING = object()


@dataclass(frozen=True, kw_only=True, slots=True)
class DestinationRef:
    """Who a change is about: a destination's identity and state, never its config."""

    id: str
    name: str
    kind: str
    on: bool
    project: str | None
    environment: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class FieldChange:
    """One field that differs; `before`/`after` are set only when `shown` (redaction allows)."""

    field: str
    change: Change
    shown: bool
    before: Any = None
    after: Any = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DestinationChange:
    """A destination added, removed, or changed in the fields listed."""

    change: Change
    destination: DestinationRef
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class GrantChange:
    """How the grants on one destination (present before and after) changed."""

    destination: DestinationRef
    statements: tuple[StatementChange, ...]
    flips: tuple[DecisionFlip, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class DiffResult:
    """Two audits of the same account compared: everything a diff output renders."""

    before: AuditResult
    after: AuditResult
    destinations: tuple[DestinationChange, ...]
    grants: tuple[GrantChange, ...]
    introduced: tuple[Finding, ...]
    resolved: tuple[Finding, ...]
    unchanged: tuple[Finding, ...]
    fail_on: str
    passed: bool
    gating: int
    """Introduced open findings that fail the after-audit's gate (`--fail-on` and the rules
    the config makes hard- or soft-fail); waived and baselined ones never do."""
    change_path: str | None = None
    """The change file, for `review`."""
    access: tuple[AccessChange, ...] = ()
    """With the whole account audited on both sides: who gains or loses destination actions."""
    plan: PlanReview | None = None
    """For `review --plan`: the Terraform plan's resource changes as auditor read them."""


def run_diff(
    before: Source, after: Source, options: AuditOptions, *, change_path: str | None = None
) -> DiffResult:
    """Run the same audit on both sources and compare the results."""
    moment = options.now or datetime.now(UTC)  # one clock reading for both audits
    fixed = replace(options, now=moment)
    return compare(run_audit(before, fixed), run_audit(after, fixed), change_path=change_path)


def compare(
    before: AuditResult, after: AuditResult, *, change_path: str | None = None
) -> DiffResult:
    """The differences between two audit results, destinations matched by `_id`."""
    old = _by_id(before.destinations)
    new = _by_id(after.destinations)
    changes: list[DestinationChange] = []
    changes += [
        DestinationChange(change="added", destination=ref(new[i])) for i in new.keys() - old.keys()
    ]
    changes += [
        DestinationChange(change="removed", destination=ref(old[i]))
        for i in old.keys() - new.keys()
    ]
    grants: list[GrantChange] = []
    for ident in old.keys() & new.keys():
        fields = field_changes(old[ident], new[ident])
        if fields:
            changes.append(
                DestinationChange(change="changed", destination=ref(new[ident]), fields=fields)
            )
        statements = statement_changes(old[ident], new[ident])
        flips = decision_flips(old[ident], new[ident])
        if statements or flips:
            grants.append(
                GrantChange(destination=ref(new[ident]), statements=statements, flips=flips)
            )
    order = {"added": 0, "removed": 1, "changed": 2}
    changes.sort(key=lambda c: (order[c.change], *_place(c.destination)))
    grants.sort(key=lambda g: _place(g.destination))
    before_prints = {f.fingerprint for f in before.findings}
    after_prints = {f.fingerprint for f in after.findings}
    introduced = _sorted(f for f in after.findings if f.fingerprint not in before_prints)
    gating = sum(fails(f, after.gate) for f in introduced)  # --fail-on, hard/soft-fail rules
    return DiffResult(
        before=before,
        after=after,
        destinations=tuple(changes),
        grants=tuple(grants),
        introduced=introduced,
        resolved=_sorted(f for f in before.findings if f.fingerprint not in after_prints),
        unchanged=_sorted(f for f in after.findings if f.fingerprint in before_prints),
        fail_on=after.fail_on,
        passed=not gating and not before.problems and not after.problems,
        gating=gating,
        change_path=change_path,
        access=access_changes(before.access, after.access, old.keys() & new.keys()),
    )


def ref(dest: Destination) -> DestinationRef:
    return DestinationRef(
        id=dest.id,
        name=dest.name,
        kind=dest.kind,
        on=dest.on,
        project=dest.project,
        environment=dest.environment,
    )


def _by_id(destinations: tuple[Destination, ...]) -> dict[str, Destination]:
    found: dict[str, Destination] = {}
    for dest in destinations:
        found.setdefault(dest.id, dest)  # a duplicated _id: the first item stands for it
    return found


def _place(d: DestinationRef) -> tuple[str, ...]:
    return (d.project or "", d.environment or "", d.name, d.id)


def _sorted(findings: Any) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=sort_key))


_PLAIN = (str, int, bool, type(None))


def _same(a: Any, b: Any) -> bool:
    """JSON equality: `true` is not `1` (Python would say it is)."""
    if type(a) is type(b) and type(a) in _PLAIN:
        return bool(a == b)  # one JSON type, written one way: equal values, equal texts
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def field_changes(old: Destination, new: Destination) -> tuple[FieldChange, ...]:
    """The shown fields that differ, then every config key that differs, redacted."""
    out = [
        FieldChange(field=name, change="changed", shown=True, before=a, after=b)
        for name, a, b in (
            ("name", old.name, new.name),
            ("kind", old.kind, new.kind),
            ("on", old.on, new.on),
        )
        if not _same(a, b)
    ]
    return (*out, *config_changes(old.kind, old.config, new.kind, new.config))


def config_changes(
    old_kind: str,
    old: Mapping[str, Any] | None,
    new_kind: str,
    new: Mapping[str, Any] | None,
) -> tuple[FieldChange, ...]:
    """Changed config keys; values only where `shown_config` shows the key on both sides.

    A value is judged by the kind of each side it is on: one the old kind kept opaque (or
    secret) is not shown because the new kind would show it. (`review` also masks such a
    value where a kind change leaves it, and refuses to copy one elsewhere: see secretflow.)
    """
    old, new = old or {}, new or {}
    changed = [
        key
        for key in sorted(set(old) | set(new))
        if key not in old or key not in new or not _same(old[key], new[key])
    ]
    if not changed:
        return ()
    old_shown, new_shown = shown_config(old_kind, old), shown_config(new_kind, new)
    out = []
    for key in changed:
        a, b = old.get(key, _MISSING), new.get(key, _MISSING)
        change: Change = "added" if a is _MISSING else "removed" if b is _MISSING else "changed"
        shown = (key in old_shown or key not in old) and (key in new_shown or key not in new)
        out.append(
            FieldChange(
                field=f"config.{key}",
                change=change,
                shown=shown,
                before=old_shown.get(key) if shown else None,
                after=new_shown.get(key) if shown else None,
            )
        )
    return tuple(out)
