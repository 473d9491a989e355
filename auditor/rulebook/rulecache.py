"""The built-in rule files as parsed and schema-checked, shipped in the package as JSON.

Parsing 22 YAML files with their marks, checking them against the rule schema and checking
their messages is most of loading the built-in rules, a good part of a small audit's
start-up. `python -m auditor.rulebook.docgen` writes what that produces (each file's data,
the line and column of every node, and whether its message reads `value`) to
`prebuilt/builtin-rules.json` beside this module, and the controls catalogue to
`prebuilt/controls.json`, each under a SHA-256 of auditor's version, the rule schema and the
source files' names and exact bytes: a load whose files do not match (an edited rule, another
version, another schema) parses them as before, and `docgen --check` fails until the data is
written again.

Nothing is written at run time and nothing is read from outside the installed package: what
the built-in rules check is decided by the package alone, as it is by the YAML files beside
it. (A cache in the user's home would let whoever restores that folder, a CI cache shared
with a fork say, silently change what the built-in rules check.) What is read is data only,
checked for shape and key; rules are still built and their conditions compiled from it on
every run, and a rule that does not build from it is loaded from its file, so any error
names the file, line and column as it always did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from auditor import __version__
from auditor.io.paths import schema_path
from auditor.io.yamlfile import Where, YamlDoc, load_yaml

PREBUILT = Path(__file__).resolve().parent / "prebuilt"
RULES = "builtin-rules.json"
FORMAT = 1
"""Bumped when what is stored changes meaning."""


class Entry:
    """One built-in rule file as loaded: its bytes, its document, whether its message reads
    `value`. (A plain class: a dataclass costs a millisecond of start-up to define.)"""

    __slots__ = ("content", "doc", "uses_value")

    def __init__(self, *, content: bytes, doc: YamlDoc, uses_value: bool) -> None:
        self.content = content
        self.doc = doc
        self.uses_value = uses_value


def prebuilt_rules(files: Sequence[tuple[Path, bytes]]) -> dict[Path, Entry]:
    """What the prebuilt data holds of these built-in rule files (path, bytes), by path:
    nothing when it is missing, spoilt, or of other bytes."""
    return _load(files, key(files)) or {}


def rules_json(loads: Sequence[tuple[Path, bytes, YamlDoc, bool]]) -> str:
    """`builtin-rules.json` for these loads of every built-in file: (path, bytes, document,
    whether its message reads `value`). ValueError when JSON cannot give a value back as is."""
    entries = []
    for path, _content, doc, uses_value in loads:
        _need_exact(doc.data, path)
        marks = [[list(where), *at] for where, at in doc.marks.items()]
        entries.append(
            {"name": path.name, "data": doc.data, "marks": marks, "uses_value": uses_value}
        )
    digest = key([(path, content) for path, content, _doc, _uses in loads])
    lines = ",\n".join(_dumps(entry) for entry in entries)  # a line per file: diffs read
    return f'{{"key": {_dumps(digest)}, "files": [\n{lines}\n]}}\n'


def file_json(path: Path) -> str:
    """The prebuilt data of one of auditor's own YAML files (not a rule): see `builtin_file`."""
    data = load_yaml(path).data
    _need_exact(data, path)
    return _dumps({"key": key([(path, path.read_bytes())]), "data": data}) + "\n"


T = TypeVar("T")


def builtin_file(path: Path, build: Callable[[Any], T]) -> T:
    """`build` of the data of one of auditor's own YAML files (not a rule, e.g. the controls
    catalogue), from its prebuilt data when that holds these exact bytes; else, or when the
    data does not build, parsed (errors as `load_yaml` words them)."""
    try:
        digest = key([(path, path.read_bytes())])
        stored = json.loads((PREBUILT / f"{path.stem}.json").read_bytes())
        if isinstance(stored, dict) and stored.get("key") == digest:
            return build(stored["data"])
    except Exception:  # missing, unreadable or not what was stored for this file: parse it
        pass
    return build(load_yaml(path).data)


def key(files: Sequence[tuple[Path, bytes]]) -> str:
    """The SHA-256 that names one set of source files, as read, for this auditor and rule
    schema."""
    digest = hashlib.sha256()
    parts = [f"auditor {__version__} prebuilt {FORMAT}".encode()]
    parts.append(schema_path("rule.schema.json").read_bytes())
    for path, data in files:
        parts += [path.name.encode(), data]
    for part in parts:  # each part length-prefixed: no two sets of files run together alike
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _load(files: Sequence[tuple[Path, bytes]], digest: str) -> dict[Path, Entry] | None:
    try:
        return _entries(json.loads((PREBUILT / RULES).read_bytes()), files, digest)
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None


def _entries(
    stored: Any, files: Sequence[tuple[Path, bytes]], digest: str
) -> dict[Path, Entry] | None:
    if not isinstance(stored, dict) or stored.get("key") != digest:
        return None
    entries = stored["files"]
    if not isinstance(entries, list) or len(entries) != len(files):
        return None
    found = {}
    for (path, content), entry in zip(files, entries, strict=True):
        uses_value = entry["uses_value"]
        if entry["name"] != path.name or not isinstance(entry["data"], dict):
            return None
        if type(uses_value) is not bool:
            return None
        marks: dict[Where, tuple[int, int]] = {}
        for where, line, column in entry["marks"]:
            # A part of a path that is not a key (a list, a dict) fails as unhashable.
            if type(where) is not list or not (_position(line) and _position(column)):
                return None
            marks[tuple(where)] = (line, column)
        doc = YamlDoc(str(path), entry["data"], marks)
        found[path] = Entry(content=content, doc=doc, uses_value=uses_value)
    return found


def _position(value: Any) -> bool:
    return type(value) is int and value > 0


def _need_exact(value: Any, path: Path) -> None:
    if not _exact(value):
        raise ValueError(f"{path}: JSON cannot hold its data exactly (a date, a number key?)")


def _exact(value: Any) -> bool:
    """Whether JSON writes and reads `value` back as equal values of the same types."""
    if value is None or type(value) in (str, bool, int):
        return True
    if type(value) is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if type(value) is list:
        return all(_exact(item) for item in value)
    if type(value) is dict:
        return all(type(k) is str and _exact(v) for k, v in value.items())
    return False
