"""Read a change file (YAML or JSON list of API calls), check it, and name a call in errors."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from auditor.errors import AuditorError, UsageError
from auditor.io import strictjson
from auditor.io.yamlfile import MAX_DEPTH, Where, YamlDoc, dotted, load_yaml, parse_yaml
from auditor.io.yamlschema import describe, validator

SCHEMA = "change.schema.json"
Method = Literal["PATCH", "POST", "DELETE"]
_PATH = re.compile(r"^/api/v2/destinations/([^/]+)/([^/]+)(?:/([^/]+))?/?$")
_SAFE_VALIDATORS = {"required", "additionalProperties", "enum", "type", "minLength", "minItems"}


@dataclass(frozen=True, kw_only=True, slots=True)
class Call:
    """One proposed API call, its path parsed into project, environment and destination id."""

    index: int
    method: Method
    path: str
    project: str
    environment: str
    id: str | None
    body: Any


@dataclass(frozen=True, slots=True)
class ChangeFile:
    """A checked change file: its calls, and the positions of its nodes for errors."""

    doc: YamlDoc
    calls: tuple[Call, ...]

    @property
    def path(self) -> str:
        return self.doc.path

    def error(self, index: int, where: Where, message: str) -> UsageError:
        """`file:line:col: call N (METHOD path): field: message`, N counting from 1."""
        return call_error(self.doc, index, where, message)


def call_error(
    doc: YamlDoc, index: int, where: Where, message: str, *, at: Where | None = None
) -> UsageError:
    """The error of call `index`, at field `where` (located at `at`, default `where`)."""
    line, column = doc.locate((index, *(where if at is None else at)))
    entry = doc.data[index] if isinstance(doc.data, list) else None
    method = entry.get("method") if isinstance(entry, dict) else None
    path = entry.get("path") if isinstance(entry, dict) else None
    method_text = method if isinstance(method, str) else "?"
    path_text = path if isinstance(path, str) else "?"
    call = f"call {index + 1} ({method_text} {path_text})"
    field = f"{dotted(where)}: " if where else ""
    return UsageError(f"{doc.path}:{line}:{column}: {call}: {field}{message}")


def load_change_file(path: str) -> ChangeFile:
    """Read, check against schemas/change.schema.json, and parse every call's path."""
    doc = _read(path)
    if not isinstance(doc.data, list):
        raise doc.error((), "expected a list of API calls (method, path, body)", error=UsageError)
    _check_json_values(doc, doc.data, ())
    errors = list(validator(SCHEMA).iter_errors(doc.data))
    if errors:
        first = min(errors, key=lambda e: (e.validator == "required", doc.locate(e.absolute_path)))
        where, at, message = describe(first)
        if first.validator == "not":
            message = "a DELETE call takes no body"
        elif first.validator not in _SAFE_VALIDATORS:  # their messages would quote the value
            message = f"does not fit {SCHEMA} ({first.validator})"
        if not where:
            raise doc.error((), message, error=UsageError)
        raise call_error(doc, int(where[0]), where[1:], message, at=at[1:])
    return ChangeFile(doc, tuple(_call(doc, i, entry) for i, entry in enumerate(doc.data)))


def _read(path: str) -> YamlDoc:
    """YAML, or JSON for a `.json` file (parsed as JSON; YAML only finds the positions)."""
    if not path.endswith(".json"):
        return load_yaml(path, error=UsageError)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    try:
        data = strictjson.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except strictjson.JsonValueError as exc:
        raise UsageError(f"{path}: invalid JSON: {exc}") from None
    except RecursionError:
        raise UsageError(f"{path}: nested too deeply") from None
    if _depth(data) > MAX_DEPTH:  # the same bound as a YAML change file's
        raise UsageError(f"{path}: nested more than {MAX_DEPTH} levels deep")
    try:  # valid JSON holds tabs only as whitespace, which YAML does not allow everywhere
        marks = parse_yaml(text.replace("\t", " "), path, error=UsageError).marks
    except AuditorError:
        marks = {}
    return YamlDoc(path, data, marks)


def _check_json_values(doc: YamlDoc, value: Any, where: Where) -> None:
    """YAML can say more than JSON can (dates, non-string keys); the API takes only JSON."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key is True:
                raise _located(
                    doc, (*where, "True"), 'write "on" with quotes: YAML reads on as true'
                )
            if not isinstance(key, str):
                raise _located(doc, (*where, str(key)), f"key {key!r} must be a string")
            _check_json_values(doc, item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json_values(doc, item, (*where, index))
    elif value is not None and not isinstance(value, (str, int, float, bool)):
        raise _located(doc, where, "not a JSON value; quote it to make it a string")
    elif isinstance(value, float) and not math.isfinite(value):
        raise _located(doc, where, "not a JSON number (.nan and .inf have none); quote it")


def _located(doc: YamlDoc, where: Where, message: str) -> UsageError:
    if where and isinstance(where[0], int):
        return call_error(doc, where[0], where[1:], message)
    return UsageError(f"{doc.path}: {message}")


def parse_destination_path(url: str) -> tuple[str, str, str | None] | None:
    """(project, environment, id or None) of a destination API path or URL, else None."""
    parts = urlsplit(url)
    match = _PATH.match(parts.path)
    if parts.query or parts.fragment or not match:
        return None
    ident = match.group(3)
    return unquote(match.group(1)), unquote(match.group(2)), ident and unquote(ident)


def _call(doc: YamlDoc, index: int, entry: dict[str, Any]) -> Call:
    method: Method = entry["method"]
    parsed = parse_destination_path(entry["path"])
    with_id = method != "POST"
    if parsed is None or (parsed[2] is not None) != with_id:
        shape = "{projectKey}/{environmentKey}" + ("/{id}" if with_id else "")
        raise call_error(
            doc, index, ("path",), f"expected /api/v2/destinations/{shape} for {method}"
        )
    project, environment, ident = parsed
    return Call(
        index=index,
        method=method,
        path=entry["path"],
        project=project,
        environment=environment,
        id=ident,
        body=entry.get("body"),
    )


def _depth(value: Any) -> int:
    """How deeply lists and mappings nest in `value`, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, level + 1) for child in children)
    return deepest
