"""Parse YAML text safely into a `YamlDoc`: libyaml where PyYAML has it, PyYAML's own parser
to word an error, nesting and alias expansion bounded, every node's line and column kept."""

from __future__ import annotations

import re
from typing import Any

import yaml

from auditor.errors import AuditorError
from auditor.io.yamldoc import MAX_DEPTH, MAX_NODES, Where, YamlDoc, dotted

_SURROGATE = re.compile("[\ud800-\udfff]")

# libyaml's parser where PyYAML has it (the usual wheels do): same nodes and marks, faster.
_FastLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str, name: str, *, error: type[AuditorError], allow_empty: bool) -> YamlDoc:
    _check_depth(text, name, error)
    try:
        return _parse(_FastLoader, text, name, error, allow_empty)
    except yaml.YAMLError:
        # Word the problem as PyYAML's own parser does: its messages are the documented ones.
        return _parse(yaml.SafeLoader, text, name, error, allow_empty, explain=True)


def _check_depth(text: str, name: str, error: type[AuditorError]) -> None:
    """Refuse nesting deeper than MAX_DEPTH before libyaml composes it.

    libyaml's composer recurses in C with no limit, so a file of 100,000 `[` crashes the
    interpreter. Its parser does not recurse: its events are counted instead, but only when
    the text has enough nesting characters to go that deep at all.
    """
    if sum(map(text.count, "[{-?:\n")) <= MAX_DEPTH:
        return
    # Some libyaml builds stop at a nesting limit of their own, with an error and no events:
    # PyYAML's own parser (a state machine, not recursive) then counts the events instead.
    for loader in dict.fromkeys((_FastLoader, yaml.SafeLoader)):
        depth = 0
        try:
            for event in yaml.parse(text, Loader=loader):
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        line = event.start_mark.line + 1 if event.start_mark else 1
                        raise error(f"{name}:{line}: nested more than {MAX_DEPTH} levels deep")
                elif isinstance(event, yaml.CollectionEndEvent):
                    depth -= 1
            return
        except yaml.YAMLError:
            continue  # invalid YAML (or libyaml's own limit): try the next parser
    # invalid YAML for both: parse_yaml words the problem


def _parse(
    loader_class: Any,
    text: str,
    name: str,
    error: type[AuditorError],
    allow_empty: bool,
    *,
    explain: bool = False,
) -> YamlDoc:
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:  # PyYAML's reader refuses control characters
        if not explain:
            raise
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        problem = f"character #x{exc.character:04x} is not allowed in YAML"
        raise error(f"{name}:{line}:{column}: invalid YAML: {problem}") from None
    try:
        node = loader.get_single_node()
        if node is None and allow_empty:
            return YamlDoc(name, None, {})
        if node is None:
            raise error(f"{name}: the file is empty")
        marks: dict[Where, tuple[int, int]] = {}
        budget = [len(text) + MAX_NODES]
        data = _construct(loader, node, (), marks, name, error, budget)
    except yaml.MarkedYAMLError as exc:
        if not explain:
            raise
        mark = exc.problem_mark or exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context and exc.context_mark and mark is exc.problem_mark:
            start = exc.context_mark
            problem += f" ({exc.context} started at {start.line + 1}:{start.column + 1})"
        raise error(f"{name}:{where}invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        if not explain:
            raise
        raise error(f"{name}: invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:  # an alias inside its own anchor: `&a [*a]`
        raise error(f"{name}: nested too deeply") from None
    finally:
        loader.dispose()
    return YamlDoc(name, data, marks)


def _construct(
    loader: Any,
    node: yaml.Node,
    where: Where,
    marks: dict[Where, tuple[int, int]],
    name: str,
    error: type[AuditorError],
    budget: list[int],
) -> Any:
    marks[where] = (node.start_mark.line + 1, node.start_mark.column + 1)
    budget[0] -= 1
    if budget[0] < 0:  # aliases of aliases, expanded: a few lines can stand for billions
        raise error(f"{name}: aliases expand to too many nodes (more than {MAX_NODES:,})")
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _text(_scalar(loader, key_node), key_node, where, name, error)
            if isinstance(key, bool) and not key_node.style:
                # YAML 1.1 reads `on:`, `off:`, `yes:`, `no:` as booleans; no file of ours
                # has a boolean key, so this is a key meant as text.
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                field = f"{dotted(where)}: " if where else ""
                raise error(
                    f"{name}:{line}:{col}: {field}YAML reads the unquoted key {key_node.value} "
                    f'as the boolean {str(key).lower()}; quote it: "{key_node.value}"'
                )
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise error(f"{name}:{line}:{col}: {dotted(where)}: keys must be scalars")
            wkey: str | int = key if isinstance(key, (str, int)) else str(key)
            if key in out:
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                first = marks.get((*where, wkey), (0, 0))[0]
                field = dotted((*where, wkey))
                raise error(
                    f"{name}:{line}:{col}: {field}: duplicate key (first defined on line {first})"
                )
            key_mark = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            marks[(*where, wkey)] = key_mark
            out[key] = _construct(loader, value_node, (*where, wkey), marks, name, error, budget)
            marks[(*where, wkey)] = key_mark
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, child, (*where, i), marks, name, error, budget)
            for i, child in enumerate(node.value)
        ]
    return _text(_scalar(loader, node), node, where, name, error)


def _text(value: Any, node: yaml.Node, where: Where, name: str, error: type[AuditorError]) -> Any:
    """`value`, unless it is text holding a lone surrogate (`"\\ud800"`), which no file can."""
    if isinstance(value, str) and _SURROGATE.search(value):
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        field = f"{dotted(where)}: " if where else ""
        raise error(f"{name}:{line}:{column}: {field}a lone surrogate escape is not Unicode text")
    return value


def _scalar(loader: Any, node: yaml.Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:  # shaped like a timestamp but not a real one (2026-02-30): keep the text
        return node.value
