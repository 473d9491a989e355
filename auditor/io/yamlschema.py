"""Check a YAML file the user wrote against one of our JSON Schemas, naming its first problem."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from auditor.errors import AuditorError, RuleError
from auditor.io.paths import schema_path
from auditor.io.yamlfile import Where, YamlDoc, did_you_mean, quoted

_KEBAB = "^[a-z0-9]+(-[a-z0-9]+)*$"
_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def kind_of(value: Any) -> str:
    """What a YAML value is, in the words of a YAML author (a value YAML reads as something
    else than JSON has, a date say, by its type's name)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else type(value).__name__


@cache
def _schema(name: str) -> Any:
    return json.loads(schema_path(name).read_text(encoding="utf-8"))


@cache
def _fast_validator(name: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(_schema(name))


@cache
def validator(name: str) -> Any:
    """A Draft 2020-12 validator for `schemas/<name>` that words its errors (jsonschema)."""
    from jsonschema import Draft202012Validator

    schema = _schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_schema(doc: YamlDoc, name: str, *, error: type[AuditorError] = RuleError) -> None:
    """Raise `error` for the first problem, in file order, of `doc` against `schemas/<name>`.

    A compiled validator (jsonschema-rs) answers "valid?"; only an invalid file is walked
    with `jsonschema` to word its first problem, so loading valid files stays cheap.
    """
    if _fast_validator(name).is_valid(_plain(doc.data)):
        return
    errors = list(validator(name).iter_errors(doc.data))
    if errors:
        # a missing field is reported last: a misspelt one is the likelier cause
        first = min(
            errors,
            key=lambda e: (
                e.validator == "required",
                e.validator in ("anyOf", "oneOf"),  # "needs one of": a typo explains it better
                doc.locate(describe(e)[1]),
                len(e.path),
            ),
        )
        where, at, message = describe(first)
        raise doc.error(where, message, at=at, error=error)


def describe(error: Any) -> tuple[Where, Where, str]:
    """(field path, node to point at, message) of one jsonschema error.

    A schema can word the message of a keyword itself: `"x-messages": {"pattern": "..."}`.
    """
    where: Where = tuple(error.absolute_path)
    instance = error.instance
    custom = error.schema.get("x-messages", {}) if isinstance(error.schema, dict) else {}
    if error.validator in custom:  # a schema may word its own messages, by keyword
        return where, where, str(custom[error.validator])
    if error.validator == "required":
        missing = next(r for r in error.validator_value if r not in instance)
        return where, where, f"missing required field {missing!r}"
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = next(k for k in instance if k not in known)
        guess = did_you_mean(str(extra), known)
        return where, (*where, extra), f"unknown field {quoted(extra)}{guess}"
    if error.validator == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        guess = (
            did_you_mean(instance, map(str, error.validator_value))
            if isinstance(instance, str)
            else ""
        )
        return where, where, f"expected one of {options}, got {quoted(instance)}{guess}"
    if error.validator == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_WORDS.get(n, n) for n in names)
        return where, where, f"expected {wanted}, got {kind_of(instance)}"
    if error.validator == "pattern" and error.validator_value == _KEBAB:
        return where, where, f"{quoted(instance)} is not kebab-case (lowercase words joined by '-')"
    if error.validator in ("minLength", "minItems", "minProperties"):
        return where, where, "must not be empty"
    return where, where, str(error.message)


def _plain(value: Any) -> Any:
    """YAML values as JSON ones: dates (which YAML reads natively) become their ISO text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
