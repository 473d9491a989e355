"""Rule message templates: one line of expressions, filters and `if`, checked when loaded.

A message is a sentence about one finding, rendered for every finding the rule makes, so it
is held to what a sentence needs. Loops, macros, calls, `set` and `include` are refused: a
nested `range(100000)` loop or `"{:>999999999}".format(1)` would stall or fill the memory of
the audit (arithmetic, padding and repetition are capped as well, see `io.sandbox`). Every
name and field a message reads is checked against a sample subject of the rule's scope,
built by the engine's own subject functions, so `{{ destination.nme }}` is a rule error
naming the file and line, not an empty string in every report. Fields under `config` (they
differ by kind), the raw `_links` and `_access` data, a target's `fields` and `value` are
open: anything may be read there. A rendered message is cut at MESSAGE_LIMIT characters.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from auditor.engine import destination_subject, statement_subject
from auditor.io.sandbox import BoundedSandbox, LimitError, render_bounded
from auditor.language.policy_operators import specifier_error
from auditor.launchdarkly.breadth import wildcard_destinations
from auditor.launchdarkly.document import build_document
from auditor.models import CUT_MARK, Rule, Scope, shown_text
from auditor.rulebook.plainmessage import Fallback, Render, compile_plain

MESSAGE_LIMIT = 2000
"""Characters of a rendered message; the rest is cut and the cut is marked."""

_EXPRESSIONS = (
    nodes.Name, nodes.Const, nodes.List, nodes.Tuple, nodes.Dict, nodes.Pair, nodes.Getattr,
    nodes.Getitem, nodes.Slice, nodes.Filter, nodes.Test, nodes.CondExpr, nodes.And, nodes.Or,
    nodes.Not, nodes.Neg, nodes.Pos, nodes.Compare, nodes.Operand, nodes.Concat, nodes.BinExpr,
    nodes.Keyword,
)  # fmt: skip
_ALLOWED = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, *_EXPRESSIONS)
_REFUSED = {
    nodes.For: "`for`",
    nodes.Macro: "`macro`",
    nodes.CallBlock: "`call`",
    nodes.Call: "a function or method call",
    nodes.Assign: "`set`",
    nodes.AssignBlock: "`set`",
    nodes.Include: "`include`",
    nodes.Import: "`import`",
    nodes.FromImport: "`import`",
}
_FILTERS = (
    *("abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first"),
    *("float", "int", "join", "last", "length", "lower", "map", "max", "min", "reject"),
    *("rejectattr", "replace", "reverse", "round", "select", "selectattr", "sort", "string"),
    *("title", "trim", "truncate", "unique", "upper", "wordcount"),
)
"""The filters a message may use: none pads, repeats or calls out (join and replace are
bounded). `specifier_error` and `specifier_errors` are auditor's own."""


class MessageError(Exception):
    """A message template that cannot be used; `message` says why, for the rule's `message`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Open:
    """A part of the subject where any field may be read (config, raw data, `value`)."""


OPEN: Any = _Open()
_OPEN_FIELDS = frozenset({"config", "_links", "_access", "fields"})


_PENDING: Any = object()
"""A part of a checked message not compiled yet."""


class Message:
    """A compiled message: `render(**context)` gives the finding's text, at most MESSAGE_LIMIT
    characters (past it, cut and marked); a plain message is returned as written.

    A template in the plain subset (`plainmessage`) renders as Python; the sandboxed Jinja2
    template is compiled only when a render needs it (a value outside that subset).
    """

    def __init__(
        self,
        text: str,
        template: Any,
        plain: Render | None = None,
        *,
        uses_value: bool | None = None,
    ) -> None:
        self.text = shown_text(text, MESSAGE_LIMIT)
        self.source = text
        self._template = template
        self._plain = plain
        if uses_value is None:
            templated = template is not None or plain is not None
            uses_value = templated and "value" in _names(text)
        self.uses_value = uses_value

    @classmethod
    def checked(cls, text: str, uses_value: bool) -> Message:
        """A template checked when the prebuilt data of its rule file was built (keyed by the
        file's bytes, see `rulecache`): parsed and compiled only when a finding renders it."""
        return cls(text, _PENDING, _PENDING, uses_value=uses_value)

    @property
    def plain(self) -> Render | None:
        """The template as Python, when it is in the plain subset."""
        if self._plain is _PENDING:
            self._plain = _plain(self.source)
            self._template = None if self._plain is not None else _compiled(self.source)
        return self._plain

    @property
    def template(self) -> Any:
        """The sandboxed Jinja2 template (None for a message without template syntax)."""
        if self.plain is not None and self._template is None:
            self._template = _compiled(self.source)
        return self._template

    def render(self, **context: Any) -> str:
        plain = self.plain
        if plain is not None:
            try:
                out = plain(context)
            except Fallback:
                pass
            else:
                if len(out) > MESSAGE_LIMIT:
                    return f"{out[:MESSAGE_LIMIT]}{CUT_MARK} at {MESSAGE_LIMIT:,} characters]"
                return out
        if self.template is None:
            return self.text
        out, cut = render_bounded(self.template, context, MESSAGE_LIMIT)
        return f"{out}{CUT_MARK} at {MESSAGE_LIMIT:,} characters]" if cut else out


def compile_message(
    rule: Rule, params: Mapping[str, Any], *, uses_value: bool | None = None
) -> Message:
    """The rule's message, checked: syntax, names and fields, and bounds on a sample render.

    `uses_value` known means the message was checked with these params when its rule file,
    byte for byte, was loaded before: it is then compiled when first rendered.
    """
    text = rule.message
    if "{{" not in text and "{%" not in text:
        return Message(text, None)
    if uses_value is not None:
        return Message.checked(text, uses_value)
    plain = _plain(text)
    template = None if plain is not None else _compiled(text)
    _check_syntax(_parse(text))
    _check_names(_parse(text), _sample(rule.scope, params, rule))
    if plain is not None:  # attribute reads, `or`, `if`, `join`, `select`: nothing to cap
        return Message(text, None, plain)
    try:  # a message that passes a cap on the sample alone (`9 ** 9999999`) is refused now
        render_bounded(template, {**_sample(rule.scope, params, rule), "value": None}, 1)
    except LimitError as exc:
        raise MessageError(f"the template builds too large a value: {exc}") from None
    except Exception:  # data-dependent failures fall back to the rule's summary, as at run
        pass
    return Message(text, template)


@lru_cache(maxsize=256)
def _plain(text: str) -> Render | None:
    """The template as Python when it is in the plain subset; None otherwise (or unparsable,
    which `_compiled` then words as a rule error)."""
    try:
        tree = _parse(text)
    except TemplateSyntaxError:
        return None
    return compile_plain(tree, {"wildcard_destinations": wildcard_destinations})


@cache
def environment() -> BoundedSandbox:
    env = BoundedSandbox(autoescape=False, finalize=lambda v: "" if v is None else v)
    env.globals.clear()  # no range(), lipsum(), namespace(): a message reads the finding only
    allowed = {name: env.filters[name] for name in _FILTERS}
    env.filters.clear()
    env.filters.update(allowed, specifier_error=specifier_error, specifier_errors=_errors)
    env.tests["wildcard_destinations"] = wildcard_destinations
    return env


def _errors(values: Any) -> str:
    """`spec (why it does not parse); ...` for each specifier of `values` that does not."""
    items = values if isinstance(values, (list, tuple)) else ()
    return "; ".join(f"{s} ({specifier_error(s)})" for s in items if specifier_error(s))


@lru_cache(maxsize=256)
def _compiled(text: str) -> Any:
    """A message template, compiled once however often its rule is (load, then run)."""
    try:
        return environment().from_string(text)
    except TemplateSyntaxError as exc:
        raise MessageError(f"invalid template: {exc.message}") from None


@lru_cache(maxsize=256)
def _parse(text: str) -> nodes.Template:
    return environment().parse(text)


@lru_cache(maxsize=256)
def _names(text: str) -> frozenset[str]:
    """The names the template reads. Jinja2's `meta.find_undeclared_variables` runs its code
    generator for this; a message assigns no name (`set`, `for` and macros are refused), so
    the names it loads are the same set, found by a walk of the tree."""
    return frozenset(n.name for n in _parse(text).find_all(nodes.Name) if n.ctx == "load")


def _check_syntax(tree: nodes.Template) -> None:
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED):
            what = _REFUSED.get(type(node), f"`{type(node).__name__.lower()}`")
            raise MessageError(
                f"{what} is not allowed in a rule message (line {node.lineno} of the template);"
                " a message is one line of expressions, filters and `if`"
            )


def _sample(scope: Scope, params: Mapping[str, Any], rule: Rule) -> dict[str, Any]:
    """What a message sees for a finding, from a minimal destination and statement (and, for
    a grants rule, a principal and its grant)."""
    destination, statement = _sample_subjects()
    sample = {
        "destination": destination,
        "statement": statement if scope == "statements" else None,
        "value": OPEN,
        "params": dict(params),
        "rule": {"id": rule.id, "title": rule.title, "severity": rule.severity.label},
    }
    if scope == "grants":
        principal, grant = _sample_grant()
        sample.update(
            destination={**destination, "critical": True},
            statement={**statement, "destination": destination},
            principal=principal,
            grant=grant,
        )
    return sample


@cache
def _sample_grant() -> tuple[dict[str, Any], dict[str, Any]]:
    """A principal and its grant, as the engine gives them to a grants rule's message."""
    from datetime import UTC, datetime

    from auditor.engine import group_subject, principal_subject
    from auditor.models import AccessReview, GrantGroup, GrantPath, Principal

    reason = {"effect": "allow", "resources": ["proj/p:env/e:destination/d"], "actions": ["*"]}
    item = {
        "_id": "d",
        "_links": {"self": {"href": "/api/v2/destinations/p/e/d", "type": "application/json"}},
        "name": "sample", "kind": "kinesis", "on": True, "config": {},
        "_access": {"allowed": [{"action": "updateOn", "reason": reason}], "denied": []},
    }  # fmt: skip
    (dest,) = build_document({"items": [item]}).destinations
    who = Principal(kind="member", id="m", label="sample", pointer="")
    path = GrantPath(role="r", role_name="r", team=None, attributes=(),
                     statement=dest.statements[0], certain=True)  # fmt: skip
    group = GrantGroup(principal=who, action="updateOn", paths=(path,), destinations=(dest,))
    access = AccessReview(scope="account", caller=None)
    principal = principal_subject(who, access, datetime.now(UTC))
    grant = {**group_subject(group, principal), "destinations": 1}
    grant["via"] = {**grant["via"], "attributes": OPEN}  # role attribute names are the rule's
    return principal, grant


@cache
def _sample_subjects() -> tuple[dict[str, Any], dict[str, Any]]:
    reason = {"effect": "allow", "resources": ["proj/p:env/e:destination/d"], "actions": ["*"]}
    item = {
        "_id": "d",
        "_links": {"self": {"href": "/api/v2/destinations/p/e/d", "type": "application/json"}},
        "name": "sample",
        "kind": "kinesis",
        "version": 1,
        "config": {},
        "on": True,
        "_access": {"allowed": [{"action": "updateOn", "reason": reason}], "denied": []},
    }
    (dest,) = build_document({"items": [item]}).destinations
    subject = destination_subject(dest)
    return subject, statement_subject(dest.statements[0], subject)


def _check_names(tree: nodes.Template, sample: Mapping[str, Any]) -> None:
    for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        _resolve(node, sample)


def _resolve(node: nodes.Node, sample: Mapping[str, Any]) -> Any:
    """The sample value an expression reads (OPEN when anything goes), or MessageError."""
    if isinstance(node, nodes.Name):
        if node.name not in sample:
            raise MessageError(f"unknown name {node.name!r}{_guess(node.name, sample)}")
        if sample[node.name] is None:
            raise MessageError(f"{node.name!r} is only set in rules with scope: statements")
        return sample[node.name]
    if isinstance(node, nodes.Getattr):
        key: Any = node.attr
    elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        key = node.arg.value
    else:
        return OPEN
    if not isinstance(node.node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
        return OPEN
    base = _resolve(node.node, sample)
    path = _path(node)
    if base is OPEN or (isinstance(base, list) and not base):
        return OPEN
    if isinstance(base, list):
        if isinstance(key, int):
            return base[0]
        where = _path(node.node)
        raise MessageError(f"{where} is a list: read an item, e.g. {where}[0]")
    if isinstance(base, Mapping):
        if key not in base:
            raise MessageError(f"unknown field {path}{_guess(str(key), base, _path(node.node))}")
        return OPEN if key in _OPEN_FIELDS else base[key]
    raise MessageError(f"{_path(node.node)} is a single value: it has no field {key!r}")


def _path(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_path(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_path(node.node)}[{node.arg.value!r}]"
    return "(an expression)"


def _guess(word: str, options: Iterable[Any], prefix: str = "") -> str:
    names = [str(option) for option in options]
    guess = difflib.get_close_matches(word, names, n=1)
    if not guess:
        return ""
    return f" (did you mean {prefix + '.' if prefix else ''}{guess[0]}?)"
