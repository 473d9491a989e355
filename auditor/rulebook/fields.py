"""The fields a rule's paths may name, per scope, and the load-time check of every path.

A destination rule sees one destination item of the export (the API's `Destination`, with
`config` decoded) plus the fields auditor derives; a statement rule sees one statement of
`_access` in the API's names, plus its decision, the actions citing it and its destination.
Under `config`, `_links`, `_access` and a target's `fields` anything goes: that is data the
export carries as it likes. Everywhere else an unknown name is a mistake, named at load time
with a did-you-mean, instead of a path that silently leads nowhere on every destination.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.language.vocabulary import OPERATORS, ConditionError
from auditor.models import Scope

__all__ = ["Field", "check_paths", "known_fields"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Field:
    """A field of a rule's subject: its JSON types, what it is, and what lies below it."""

    types: tuple[str, ...]
    """JSON type names the value may have (`string`, `number`, `boolean`, `object`, `array`,
    `null`)."""
    doc: str
    children: Mapping[str, Field] = field(default_factory=dict)
    """The known fields of an object."""
    open: bool = False
    """Any name is allowed below it (data the export carries as it likes)."""
    items: Field | None = None
    """What each item of an array is."""


def _f(types: str, doc: str, **more: Any) -> Field:
    return Field(types=tuple(types.split("|")), doc=doc, **more)


_STRINGS = _f("string", "a string")

DESTINATION_FIELDS: Mapping[str, Field] = {
    "_id": _f("string", "The destination's id, as the API names it."),
    "id": _f("string", "The destination's id (`_id`)."),
    "name": _f("string", "The destination's name."),
    "kind": _f("string", "The destination kind: kinesis, google-pubsub, mparticle, ..."),
    "version": _f("number", "The destination's version."),
    "on": _f("boolean", "Whether the export is on."),
    "config": _f("object|null", "The kind's config, decoded from a JSON string.", open=True),
    "createdAt": _f("number", "When the destination was created (Unix milliseconds)."),
    "maintainerId": _f("string", "The member who maintains the destination."),
    "_links": _f(
        "object", "The API's links; `self.href` names project and environment.", open=True
    ),
    "_access": _f("object", "What the reading token may do (`allowed`, `denied`).", open=True),
    "project": _f("string|null", "The project key, from `_links.self.href`."),
    "environment": _f("string|null", "The environment key, from `_links.self.href`."),
    "target": _f(
        "object|null",
        "Where events go: `kind`, `id` (what an approval names) and `fields`; null for kinds "
        "without a nameable target.",
        children={
            "kind": _f("string", "The destination kind."),
            "id": _f("string|null", "The target id: AWS account, GCP project, host, ..."),
            "fields": _f("object", "The target's fields, per kind.", open=True),
        },
    ),
    "unmasked_secrets": _f(
        "array", "Names of secret config fields holding a clear value.", items=_STRINGS
    ),
    "disputed_config_missing": _f(
        "array",
        "Config fields one LaunchDarkly source requires and another does not, that are missing.",
        items=_f(
            "object",
            "a missing field",
            children={
                "field": _f("string", "The field (or its alternatives)."),
                "required_by": _f("string", "The sources that require it."),
                "not_required_by": _f("string", "The sources that do not."),
                "described": _f("string", "All of it in words, for a message."),
            },
        ),
    ),
}
"""The fields of a destination rule's subject."""

STATEMENT_FIELDS: Mapping[str, Field] = {
    "effect": _f("string", "`allow` or `deny`."),
    "resources": _f("array", "Resource specifiers.", items=_STRINGS),
    "notResources": _f("array", "Resource specifiers the statement excludes.", items=_STRINGS),
    "actions": _f("array", "Actions (or globs such as `update*`).", items=_STRINGS),
    "notActions": _f("array", "Actions the statement excludes.", items=_STRINGS),
    "role_name": _f("string|null", "The role LaunchDarkly names as holding the statement."),
    "decision": _f("string", "`allowed` or `denied`: the `_access` list citing it."),
    "access_actions": _f("array", "The `_access` actions that cite it.", items=_STRINGS),
    "destination": _f(
        "object", "The destination whose `_access` cites it.", children=DESTINATION_FIELDS
    ),
}
"""The fields of a statement rule's subject."""

_STATEMENT_OF_ROLE = {k: v for k, v in STATEMENT_FIELDS.items() if k != "destination"}

PRINCIPAL_FIELDS: Mapping[str, Field] = {
    "kind": _f("string", "`member`, `team` or `token`."),
    "id": _f("string", "The member's id, the team's key or the token's id."),
    "label": _f("string", "The member's email (hashed with --anonymise-members), the team's "
                "key or the token's name."),
    "service": _f("boolean", "A token: whether it is a service token (tied to no member)."),
    "owner": _f("string|null", "A personal token: the id of its member."),
    "members": _f("number|null", "A team: how many members it has."),
    "share": _f("number", "A team: its members as a share of the account's (0 to 1)."),
    "least_recent": _f("string|null", "A team: the member seen least recently."),
    "days_unseen": _f(
        "number|null",
        "Days since the member (a team: its member seen least recently; a token: its last use)"
        " was seen; null when never.",
    ),
}  # fmt: skip
"""The fields of a grant's principal."""

PATH_FIELDS: Mapping[str, Field] = {
    "role": _f("string", "The role's key; `base:<name>` for a base role, `inline` for a token's "
               "inline policy."),
    "role_name": _f("string", "The role's name."),
    "team": _f("string|null", "The team through which the role is held, if any."),
    "attributes": _f("object", "The role attributes used, with this assignment's values.",
                     open=True),
    "certain": _f("boolean", "False when the statement reaches the destination only under the "
                  "\"could cover\" reading."),
}  # fmt: skip
"""The fields of one way a principal holds an action."""

GRANT_FIELDS: Mapping[str, Field] = {
    "principal": _f("object", "Who holds the grant.", children=PRINCIPAL_FIELDS),
    "action": _f("string", "The destination action allowed (`updateOn`, `deleteDestination`, "
                 "...)."),
    "via": _f("object", "The path a message names (a sure one first, a direct one before a "
              "team's).", children=PATH_FIELDS),
    "paths": _f("array", "Every path that grants the action.",
                items=_f("object", "a path", children=PATH_FIELDS)),
    "roles": _f("array", "The keys of the roles on those paths.", items=_STRINGS),
    "certain": _f("boolean", "Whether any path reaches the destination for sure."),
    "statement": _f("object", "The allow statement of `via` (role attributes expanded).",
                    children=_STATEMENT_OF_ROLE),
    "destination": _f("object", "The destination the grant reaches.", children={
        **DESTINATION_FIELDS,
        "critical": _f("boolean|null", "LaunchDarkly's `critical` flag of its environment; null "
                       "when the account's environments were not read."),
    }),
    "destinations": _f("number", "How many destinations the finding stands for."),
}  # fmt: skip
"""The fields of a grants rule's subject: one principal x destination x action allowed."""

_FIELDS: Mapping[Scope, Mapping[str, Field]] = {
    "destinations": DESTINATION_FIELDS,
    "statements": STATEMENT_FIELDS,
    "grants": GRANT_FIELDS,
}


def known_fields(scope: Scope) -> Mapping[str, Field]:
    """The top-level fields a rule of `scope` may name in its paths and messages."""
    return _FIELDS[scope]


# What each operator can hold on; an operator missing here holds on any value.
_APPLIES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("glob", "matches"), ("string",)),
    **dict.fromkeys(("gt", "gte", "lt", "lte"), ("number",)),
    **dict.fromkeys(("any", "all", "none", "count"), ("array",)),
    "length": ("string", "array", "object"),
    **dict.fromkeys(
        (
            "resource_wildcard",
            "action_wildcard",
            "valid_specifier",
            "resource_covers",
            "action_covers",
            "wildcard_destinations",
        ),
        ("string",),
    ),
    **dict.fromkeys(("grants", "scoped_to", "reach", "production"), ("object",)),
}


def check_paths(spec: Any, scope: Scope, where: tuple[str | int, ...]) -> None:
    """Raise ConditionError at the first path naming no field of `scope`, or at an operator
    that cannot hold on its field's type. `spec` is a compiled (so well-formed) condition."""
    root = Field(types=("object",), doc="the subject", children=known_fields(scope))
    _walk(spec, root, "", scope, where)


def _walk(
    spec: Any, at: Field | None, path: str, scope: Scope, where: tuple[str | int, ...]
) -> None:
    if not isinstance(spec, Mapping):
        return
    for key, sub in spec.items():
        here = (*where, key)
        if key in ("and", "or") and isinstance(sub, list):
            for index, item in enumerate(sub):
                _walk(item, at, path, scope, (*here, index))
        elif key == "not":
            _walk(sub, at, path, scope, here)
        elif key in OPERATORS:
            _operator(key, sub, at, path, scope, here)
        else:
            child, shown = _follow(str(key), at, path, scope, here)
            _walk(sub, child, shown, scope, here)


def _operator(
    name: str, operand: Any, at: Field | None, path: str, scope: Scope, where: tuple[str | int, ...]
) -> None:
    applies = _APPLIES.get(name)
    if at is not None and applies is not None and not set(applies) & set(at.types):
        shown = f"`{path}`" if path else f"a {scope[:-1]}"
        raise ConditionError(
            where,
            f"{name} holds only on a {' or '.join(applies)}, but {shown} is "
            f"{' or '.join(at.types)}",
        )
    items = None if at is None or at.open else at.items
    if name in ("any", "all", "none"):
        _walk(operand, items, f"{path}[]", scope, where)
    elif name == "count" and isinstance(operand, Mapping) and "where" in operand:
        _walk(operand["where"], items, f"{path}[]", scope, (*where, "where"))


def _follow(
    key: str, at: Field | None, path: str, scope: Scope, where: tuple[str | int, ...]
) -> tuple[Field | None, str]:
    shown = path
    for part in key.split("."):
        place = f"`{shown}`" if shown else f"a {scope[:-1]}"
        shown = f"{shown}.{part}" if shown else part
        if at is None or at.open:
            return None, shown
        if part.isdigit() and at.items is not None:
            at = at.items
            continue
        known = at.children
        if part in known:
            at = known[part]
            continue
        if not known:
            raise ConditionError(where, f"{place} has no field {part!r}: it is {at.doc}")
        raise ConditionError(where, f"unknown field {part!r} of {place}{_hint(part, known, scope)}")
    return at, shown


def _hint(part: str, known: Mapping[str, Field], scope: Scope) -> str:
    other: Scope = "statements" if scope == "destinations" else "destinations"
    if scope != "grants" and known is known_fields(scope) and part in known_fields(other):
        if other == "statements":
            return "; it is a field of statements (scope: statements)"
        return f"; it is a field of the destination: destination.{part}"
    guess = difflib.get_close_matches(part, list(known), n=1)
    if guess:
        return f"; did you mean {guess[0]!r}?"
    return f"; known: {', '.join(known)}"
