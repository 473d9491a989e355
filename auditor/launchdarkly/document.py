"""Parse an export, validate it against schemas/destinations.schema.json, normalise it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any
from urllib.parse import unquote

from auditor.errors import InputError
from auditor.io import strictjson
from auditor.io.limits import (
    DEFAULT_MAX_INPUT_SIZE,
    SHOWN_LIMIT,
    destination_limit,
    format_size,
    statement_limit,
)
from auditor.io.paths import schema_path
from auditor.models import (
    Decision,
    Destination,
    Document,
    SchemaProblem,
    Statement,
    shown_text,
)

_SELF_HREF = re.compile(r"/api/v2/destinations/([^/]+)/([^/]+)/([^/?#]+)/?$")
_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "number",
    float: "number",
    type(None): "null",
}


def parse_json(data: bytes, *, duplicates: list[str] | None = None) -> Any:
    """Decode UTF-8 JSON, turning every failure into an InputError with a position.

    A key repeated in an object is an InputError too, unless `duplicates` is a list: then
    the repeated keys' pointers are appended to it (see `strictjson.loads`).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"input is not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise InputError("input is empty, expected a JSON document")
    try:
        return strictjson.loads(text, duplicates=duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"input is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError as exc:  # NaN, Infinity or a lone surrogate
        raise InputError(f"input is not valid JSON: {exc}") from None
    except RecursionError:
        raise InputError("input is nested too deeply to be a destinations export") from None


def load_document(data: bytes, *, max_size: int | None = None) -> Document:
    """Parse, validate and normalise an export; invalid items are reported, not evaluated.

    A key repeated in an object is a schema problem of its item: readers disagree on which
    value counts (Python keeps the last), so a clear secret could hide behind a masked one.
    More destinations or statements than `max_size` (--max-input-size) allows are an
    InputError: what an audit costs grows with them, however few bytes they take.
    """
    duplicates: list[str] = []
    value = parse_json(data, duplicates=duplicates)
    size = DEFAULT_MAX_INPUT_SIZE if max_size is None else max_size
    return build_document(value, duplicates=duplicates, max_size=size)


DUPLICATE_KEY = "the key appears more than once in its object; readers differ on which counts"


def build_document(
    value: Any, *, duplicates: Sequence[str] = (), max_size: int | None = None
) -> Document:
    """The document of a decoded export; with `max_size`, its counts are held to its limits."""
    if not isinstance(value, dict):
        raise InputError(
            f'expected a JSON object with an "items" list at the top, got {json_type(value)}'
        )
    if "items" not in value:
        raise InputError('expected a JSON object with an "items" list at the top, found no "items"')
    items = value["items"]
    if not isinstance(items, list):
        raise InputError(f'"items" must be a list of destinations, got {json_type(items)}')
    if max_size is not None and len(items) > destination_limit(max_size):
        limit = destination_limit(max_size)
        raise _over_limit(f"{len(items):,} destinations, more than the {limit:,}", max_size)
    problems = list(validate(value))
    problems += [SchemaProblem(pointer=p, message=DUPLICATE_KEY) for p in duplicates]
    bad_items = {_item_index(p.pointer) for p in problems} - {None}
    destinations: list[Destination] = []
    statements = 0
    first_of: dict[str, int] = {}
    for index, item in enumerate(items):
        if index in bad_items:
            continue
        seen = first_of.setdefault(item["_id"], index)
        if seen != index:  # a finding is known by its destination's id: it must be one's own
            problems.append(SchemaProblem(pointer=f"/items/{index}/_id", message=_same_id(seen)))
            continue
        config_ok, config = decode_config(item.get("config"))
        if not config_ok:
            problems.append(
                SchemaProblem(
                    pointer=f"/items/{index}/config",
                    message="expected an object, null, or a string holding a JSON object",
                )
            )
            continue
        destinations.append(normalise(item, index, config))
        statements += len(destinations[-1].statements)
        if max_size is not None and statements > statement_limit(max_size):
            limit = statement_limit(max_size)
            raise _over_limit(f"more than the {limit:,} distinct policy statements", max_size)
    problems.sort(key=lambda p: _pointer_sort_key(p.pointer))
    account = value.get("_account")
    return Document(
        destinations=tuple(destinations),
        problems=tuple(problems),
        item_count=len(items),
        account=account if isinstance(account, dict) else None,
    )


def _same_id(first: int) -> str:
    return (
        f"the same _id as /items/{first}; LaunchDarkly gives each destination its own id, "
        "so this is not an export the API returns"
    )


def _over_limit(what: str, max_size: int) -> InputError:
    return InputError(
        f"the export has {what} that --max-input-size {format_size(max_size)} allows",
        hint="each destination and policy statement costs memory however small it is;"
        " raise --max-input-size to allow more",
    )


@cache
def _schema() -> Any:
    return json.loads(schema_path("destinations.schema.json").read_text(encoding="utf-8"))


@cache
def _fast_validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(_schema())


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema())


def validate(value: Any) -> Iterable[SchemaProblem]:
    """Every schema problem of the document at once, each with its JSON Pointer.

    The same schema is checked twice over: a compiled validator (jsonschema-rs) answers
    "valid?" fast, and only an invalid document is walked by `jsonschema` for the full list of
    problems with their pointers and plain messages.
    """
    if _fast_validator().is_valid(value):
        return
    for error in _validator().iter_errors(value):
        yield from _problems(error)


def _problems(error: Any) -> Iterable[SchemaProblem]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        for sub in error.context:
            yield from _problems(sub)
        return
    path = list(error.absolute_path)
    pointer = to_pointer(path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        yield SchemaProblem(
            pointer=f"{pointer}/{escape(missing)}", message="missing required field"
        )
        return
    shown = describe(error.instance, pointer)
    if error.validator == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        message = f"expected {wanted}, got {shown}"
    elif error.validator == "enum":
        options = ", ".join(json.dumps(v) for v in error.validator_value)
        message = f"expected one of {options}, got {shown}"
    else:
        message = f"{error.validator} constraint failed for {shown}"
    yield SchemaProblem(pointer=pointer, message=message)


def describe(value: Any, pointer: str) -> str:
    """A short rendering of an offending value; values inside config show only their type."""
    if re.match(r"^/items/\d+/config(/|$)", pointer):
        return json_type(value)
    text = json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dict, list)) or len(text) > 60:
        return json_type(value) if len(text) > 60 else text
    return text


def json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def to_pointer(path: Sequence[Any]) -> str:
    return "".join(f"/{escape(str(part))}" for part in path)


def _item_index(pointer: str) -> int | None:
    match = re.match(r"^/items/(\d+)(/|$)", pointer)
    return int(match.group(1)) if match else None


def _pointer_sort_key(pointer: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pointer.split("/"))


def decode_config(config: Any) -> tuple[bool, Mapping[str, Any] | None]:
    """(usable, the config as a mapping): null, an object, or a string holding an object."""
    if config is None or isinstance(config, dict):
        return True, config
    if isinstance(config, str):
        try:
            decoded = strictjson.loads(config)
        except (ValueError, RecursionError):
            return False, None
        if isinstance(decoded, dict):
            return True, decoded
    return False, None


def normalise(item: Mapping[str, Any], index: int, config: Mapping[str, Any] | None) -> Destination:
    """One schema-valid item as a Destination with its deduplicated statements."""
    project, environment = _scope(item)
    pointer = f"/items/{index}"
    return Destination(
        id=item["_id"],
        name=shown_text(item["name"], SHOWN_LIMIT),  # what reports show; rules read the raw item
        kind=shown_text(item["kind"], SHOWN_LIMIT),
        on=item["on"],
        config=config,
        project=project,
        environment=environment,
        pointer=pointer,
        index=index,
        raw=item,
        statements=statements_of(item.get("_access"), pointer),
    )


def _scope(item: Mapping[str, Any]) -> tuple[str | None, str | None]:
    href = item.get("_links", {}).get("self", {}).get("href")
    if not isinstance(href, str):
        return None, None
    match = _SELF_HREF.search(href)
    if not match:
        return None, None
    return unquote(match.group(1)), unquote(match.group(2))


def statements_of(access: Mapping[str, Any] | None, pointer: str) -> tuple[Statement, ...]:
    """The distinct statements cited in `_access`, in order of first citation."""
    if not access:
        return ()
    found: dict[tuple[Any, ...], tuple[str, list[str]]] = {}
    decisions: tuple[tuple[str, Decision], ...] = (("allowed", "allowed"), ("denied", "denied"))
    for list_name, decision in decisions:
        for position, entry in enumerate(access.get(list_name, ())):
            identity = (decision, *_content(entry["reason"]))
            seen = found.get(identity)
            if seen is None:
                found[identity] = (f"{pointer}/_access/{list_name}/{position}/reason", [])
                seen = found[identity]
            if entry["action"] not in seen[1]:
                seen[1].append(entry["action"])
    return tuple(
        Statement(
            effect=identity[1],
            resources=identity[2],
            not_resources=identity[3],
            actions=identity[4],
            not_actions=identity[5],
            role_name=identity[6],
            decision=identity[0],
            access_actions=tuple(sorted(actions)),
            pointer=first_pointer,
            key=json.dumps(
                [identity[0], identity[1], *map(list, identity[2:6]), identity[6]],
                separators=(",", ":"),
                ensure_ascii=False,
            ),
        )
        for identity, (first_pointer, actions) in found.items()
    )


def _content(reason: Mapping[str, Any]) -> tuple[Any, ...]:
    """A statement's meaning, with list order removed so it identifies the statement."""
    return (
        reason["effect"],
        tuple(sorted(reason.get("resources", ()))),
        tuple(sorted(reason.get("notResources", ()))),
        tuple(sorted(reason.get("actions", ()))),
        tuple(sorted(reason.get("notActions", ()))),
        reason.get("role_name"),
    )
