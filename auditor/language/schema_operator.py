"""The `schema` operator: a JSON Schema check that reads nothing outside the rule itself.

A rule file is data. A `$ref` to `http://...` would make loading it a network request (to
any host the author names, from wherever auditor runs), and one to `file:///` would read
local files; an unknown `$schema` would fetch a meta-schema. So only refs inside the rule's
own schema (`#...`) resolve, `$schema` may only name the dialect auditor applies (2020-12),
and the validator is built with a retriever that refuses everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from auditor.language.vocabulary import MISSING, ConditionError, Test, operator

Where = tuple[str | int, ...]
DIALECTS = frozenset(
    {
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2020-12/schema#",
    }
)
_REFS = ("$ref", "$dynamicRef", "$recursiveRef")


@operator("schema")
def _schema(operand: Any, _p: Mapping[str, Any], where: Where) -> Test:
    import jsonschema_rs

    if not isinstance(operand, (dict, bool)):
        raise ConditionError(where, "expected a JSON Schema (a mapping)")
    _check_references(operand, where)
    if not jsonschema_rs.meta.is_valid(operand):
        from jsonschema import Draft202012Validator  # only to word the error
        from jsonschema.exceptions import best_match

        meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
        error = best_match(meta.iter_errors(operand))
        raise ConditionError(where, f"invalid JSON Schema: {error.message}")
    try:
        validator = jsonschema_rs.Draft202012Validator(operand, retriever=_refuse)
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError):  # through an $id
        message = "a $ref does not resolve inside the rule's own schema (only refs to #... do)"
        raise ConditionError(where, message) from None
    return lambda value, ctx: value is not MISSING and bool(validator.is_valid(value))


def _check_references(schema: Any, where: Where) -> None:
    """Refuse, at its own key, every reference or dialect that would need a fetch."""
    stack: list[tuple[Any, Where]] = [(schema, where)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key in _REFS and isinstance(value, str) and not value.startswith("#"):
                    raise ConditionError(
                        (*at, key),
                        "only refs inside the rule's own schema (#/...) are resolved; a rule"
                        " file never reaches the network or the disk",
                    )
                if key == "$schema" and isinstance(value, str) and value not in DIALECTS:
                    raise ConditionError(
                        (*at, key), "expected https://json-schema.org/draft/2020-12/schema"
                    )
                stack.append((value, (*at, key)))
        elif isinstance(node, list):
            stack.extend((item, (*at, index)) for index, item in enumerate(node))


def _refuse(uri: str) -> NoReturn:
    raise ValueError(f"{uri} is outside the rule")
