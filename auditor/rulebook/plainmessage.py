"""Rule messages of a plain subset rendered as Python, with the sandboxed Jinja2 render kept for
the rest: the same text, at a fraction of the cost per finding.

A built-in message reads fields (`statement.role_name`), joins lists, picks a text with
`or`, `if` or `x if c else y`, and filters a list with `select('<test>')`. Those compile here
to nested closures over the template's syntax tree. Anything else (another filter, a call,
arithmetic, a field of a value that is not a mapping, a value that is not text) is not
guessed at: the template is not compiled, or its render falls back (`Fallback`) to the
sandboxed Jinja2 template, which then words it exactly as before. The cases kept here are
those whose Jinja2 meaning is plain Python: a mapping's field is `.get` (a missing one is
undefined, empty when shown and false when tested), `join` is `str.join` over texts, and
`None` is shown as empty text (the environment's `finalize`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import nodes

from auditor.io.sandbox import MAX_LENGTH


class Fallback(Exception):
    """This render needs Jinja2 itself: a value outside the plain cases."""


class _Undefined:
    """A name or field that is not there: Jinja2's `Undefined`, shown empty, tested false."""

    def __bool__(self) -> bool:
        return False


UNDEFINED: Any = _Undefined()

Value = Callable[[Mapping[str, Any]], Any]
Render = Callable[[Mapping[str, Any]], str]
_MAPPING_ATTRIBUTES = frozenset(dir(dict))
"""A field named like a dict method reads the method in Jinja2 (`d.items`): not plain."""


class _NotPlain(Exception):
    """The template uses something outside the plain subset."""


def compile_plain(tree: nodes.Template, tests: Mapping[str, Callable[[Any], Any]]) -> Render | None:
    """A Python render of the parsed template, or None when it is not in the plain subset.

    `tests` are the environment's tests (`select('<name>')` calls one of them).
    """
    try:
        parts = [_statement(node, tests) for node in tree.body]
    except _NotPlain:
        return None

    def render(context: Mapping[str, Any]) -> str:
        out: list[str] = []
        for part in parts:
            part(context, out)
        return "".join(out)

    return render


Emit = Callable[[Mapping[str, Any], list[str]], None]


def _statement(node: nodes.Node, tests: Mapping[str, Callable[[Any], Any]]) -> Emit:
    if isinstance(node, nodes.Output):
        emits = [_output(child, tests) for child in node.nodes]

        def output(context: Mapping[str, Any], out: list[str]) -> None:
            for emit in emits:
                emit(context, out)

        return output
    if isinstance(node, nodes.If):
        branches = [
            (_expression(choice.test, tests), [_statement(child, tests) for child in choice.body])
            for choice in (node, *node.elif_)
        ]
        orelse = [_statement(child, tests) for child in node.else_]

        def branch(context: Mapping[str, Any], out: list[str]) -> None:
            chosen = orelse
            for test, body in branches:
                if _truth(test(context)):
                    chosen = body
                    break
            for emit in chosen:
                emit(context, out)

        return branch
    raise _NotPlain


def _output(node: nodes.Node, tests: Mapping[str, Callable[[Any], Any]]) -> Emit:
    if isinstance(node, nodes.TemplateData):
        data = node.data
        return lambda context, out: out.append(data)
    value = _expression(node, tests)

    def emit(context: Mapping[str, Any], out: list[str]) -> None:
        shown = value(context)
        if type(shown) is str:
            out.append(shown)
        elif shown is None or shown is UNDEFINED:
            return
        else:
            raise Fallback

    return emit


def _expression(node: nodes.Node, tests: Mapping[str, Callable[[Any], Any]]) -> Value:
    if isinstance(node, nodes.Name) and node.ctx == "load":
        name = node.name
        return lambda context: context.get(name, UNDEFINED)
    if isinstance(node, nodes.Const) and type(node.value) is str:
        text = node.value
        return lambda context: text
    if isinstance(node, nodes.Getattr) and node.attr not in _MAPPING_ATTRIBUTES:
        return _field(_expression(node.node, tests), node.attr)
    if isinstance(node, (nodes.Or, nodes.And)):
        left, right = _expression(node.left, tests), _expression(node.right, tests)
        if isinstance(node, nodes.Or):
            return lambda context: _either(left(context), right, context)
        return lambda context: _both(left(context), right, context)
    if isinstance(node, nodes.CondExpr) and node.expr2 is not None:
        test = _expression(node.test, tests)
        yes, no = _expression(node.expr1, tests), _expression(node.expr2, tests)
        return lambda context: yes(context) if _truth(test(context)) else no(context)
    if isinstance(node, nodes.Filter) and node.node is not None:
        return _filter(node, _expression(node.node, tests), tests)
    raise _NotPlain


def _field(base: Value, attr: str) -> Value:
    def read(context: Mapping[str, Any]) -> Any:
        found = base(context)
        if type(found) is not dict:
            raise Fallback  # Jinja2 reads attributes of other values, or fails on undefined
        return found.get(attr, UNDEFINED)

    return read


def _either(left: Any, right: Value, context: Mapping[str, Any]) -> Any:
    return left if _truth(left) else right(context)


def _both(left: Any, right: Value, context: Mapping[str, Any]) -> Any:
    return right(context) if _truth(left) else left


def _truth(value: Any) -> bool:
    if value is UNDEFINED or value is None:
        return False
    if type(value) in (str, list, tuple, dict, bool, int):
        return bool(value)
    raise Fallback


def _filter(node: nodes.Filter, operand: Value, tests: Mapping[str, Callable[[Any], Any]]) -> Value:
    if node.kwargs or node.dyn_args or node.dyn_kwargs:
        raise _NotPlain
    args = node.args
    if not all(isinstance(a, nodes.Const) and type(a.value) is str for a in args):
        raise _NotPlain
    consts = [a.value for a in args if isinstance(a, nodes.Const)]
    if node.name == "join" and len(consts) <= 1:
        glue = consts[0] if consts else ""
        return lambda context: _join(operand(context), glue)
    if node.name == "select" and len(consts) == 1 and consts[0] in tests:
        test = tests[consts[0]]
        return lambda context: _select(operand(context), test)
    raise _NotPlain


def _join(items: Any, glue: str) -> str:
    if type(items) not in (list, tuple) or not all(type(item) is str for item in items):
        raise Fallback
    if sum(map(len, items)) + len(glue) * max(len(items) - 1, 0) > MAX_LENGTH:
        raise Fallback  # the sandbox refuses it; let it say so
    return glue.join(items)


def _select(items: Any, test: Callable[[Any], Any]) -> list[Any]:
    if type(items) not in (list, tuple):
        raise Fallback
    return [item for item in items if test(item)]
