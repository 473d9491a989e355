"""The built-in rule files as parsed and schema-checked, kept as JSON in the user's cache.

Parsing 22 YAML files with their marks, checking them against the rule schema and checking
their messages is most of loading the built-in rules, a good part of a small audit's
start-up. The cache holds what that produced (each file's data, the line and column of every
node, and whether its message reads `value`), written only once every built-in rule loaded
and compiled, under a SHA-256 of auditor's version, the rule schema and every built-in
file's name and exact bytes: an edited file, another version or another schema misses, and
the files are loaded afresh. What is read back is checked for shape and key; anything else
(bad JSON, a wrong shape, another key, a file someone else could have written: see
`io.usercache`) is ignored and rewritten. Rules are still built and their conditions
compiled from the data on every run; a cached rule that fails to is loaded afresh, so its
error reads as it always did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from auditor import __version__
from auditor.io import usercache
from auditor.io.paths import schema_path
from auditor.io.yamlfile import Where, YamlDoc, load_yaml

NAME = "builtin-rules.json"
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


class Builtins:
    """The built-in rule files of one load: what the cache knows of them, what this load
    did, and the cache written again when a file had to be loaded afresh."""

    def __init__(self, files: Sequence[tuple[Path, bytes]]) -> None:
        self.files = dict(files)
        self.digest = key(files)
        self.cached = _load(files, self.digest) or {}
        self.done: dict[Path, Entry] = {}

    def get(self, path: Path) -> Entry | None:
        return self.cached.get(path)

    def loaded(self, path: Path, doc: YamlDoc, uses_value: bool) -> None:
        """Record that `path` loaded and compiled, from `doc`."""
        content = self.files.get(path)
        if content is not None:
            self.done[path] = Entry(content=content, doc=doc, uses_value=uses_value)

    def save(self) -> None:
        """Keep this load for the next run, when every built-in file loaded, one of them
        afresh, and JSON gives every value back as it is (a date or a number key would not)."""
        if len(self.done) != len(self.files):
            return
        if all(p in self.cached and e.doc is self.cached[p].doc for p, e in self.done.items()):
            return  # all from the cache: nothing new to write
        entries = []
        for path in self.files:
            entry = self.done[path]
            if not _exact(entry.doc.data):
                return
            marks = [[list(where), *at] for where, at in entry.doc.marks.items()]
            entries.append(
                {
                    "name": path.name,
                    "data": entry.doc.data,
                    "marks": marks,
                    "uses_value": entry.uses_value,
                }
            )
        stored = {"key": self.digest, "files": entries}
        text = json.dumps(stored, ensure_ascii=False, allow_nan=False)
        usercache.write(NAME, text.encode("utf-8"))


T = TypeVar("T")


def builtin_file(path: Path, build: Callable[[Any], T]) -> T:
    """`build` of the data of one of auditor's own YAML files (not a rule, e.g. the controls
    catalogue), from the cache when it holds these exact bytes; else, or when the cached
    data does not build, parsed (errors as `load_yaml` words them) and cached."""
    name = f"{path.stem}.json"
    try:
        digest = key([(path, path.read_bytes())])
    except OSError:
        return build(load_yaml(path).data)  # it words what cannot be read
    raw = usercache.read(name)
    if raw is not None:
        try:
            stored = json.loads(raw)
            if isinstance(stored, dict) and stored.get("key") == digest:
                return build(stored["data"])
        except Exception:  # not what was stored for this file: parse it afresh
            pass
    data = load_yaml(path).data
    built = build(data)
    if _exact(data):
        text = json.dumps({"key": digest, "data": data}, ensure_ascii=False, allow_nan=False)
        usercache.write(name, text.encode("utf-8"))
    return built


def key(files: Sequence[tuple[Path, bytes]]) -> str:
    """The SHA-256 that names one set of built-in files, as read, for this auditor and rule
    schema."""
    digest = hashlib.sha256()
    parts = [f"auditor {__version__} rule cache {FORMAT}".encode()]
    parts.append(schema_path("rule.schema.json").read_bytes())
    for path, data in files:
        parts += [path.name.encode(), data]
    for part in parts:  # each part length-prefixed: no two sets of files run together alike
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _load(files: Sequence[tuple[Path, bytes]], digest: str) -> dict[Path, Entry] | None:
    raw = usercache.read(NAME)
    if raw is None:
        return None
    try:
        return _entries(json.loads(raw), files, digest)
    except (ValueError, TypeError, KeyError, RecursionError):
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
