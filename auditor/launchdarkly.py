"""LaunchDarkly policy semantics: resource specifiers, action globs, statement reach and access."""

# Grammar (after LaunchDarkly's "Using resources", "Using actions", "Using tags" and role scope):
#
#   specifier := segment (":" segment)*
#   segment   := ["/"] type ["/" key] [";" qualifier ("," qualifier)*]
#   type      := one or more of  A-Z a-z 0-9 _ . - * ?      (an open set: proj, env, flag, ...)
#   key       := glob text (any visible character but : ; , { } $ and whitespace; "/" allowed),
#                with ${roleAttribute/NAME} placeholders anywhere in it
#   qualifier := "{" NAME ":" VALUE ("," NAME ":" VALUE)* "}"   property selector: {critical:true}
#              | "view:" glob                                   view selector: view:frontend
#              | glob                                           tag (a segment's tags are ANDed)
#
# Globs use `*` (any run), `?` (one character) and `[...]` classes; keys and actions are
# case-sensitive. The one leading "/" before a type is tolerated because LaunchDarkly's own spec
# example carries it (`proj/*:env/*;qa_*:/flag/*`); the formatter never writes it. `;view:KEY` is
# a view selector unless KEY holds a "/" (then `view` is a tag and KEY a child segment); so a tag
# named "view" directly before a key-less child segment (`...;view:acct`) reads as a view selector.

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Literal

from auditor.models import Destination, Statement

__all__ = [
    "DESTINATION_ACTIONS",
    "AccessDecision",
    "AccessReason",
    "Coverage",
    "DestinationIndex",
    "Reach",
    "Segment",
    "Specifier",
    "SpecifierError",
    "action_covers",
    "action_wildcard",
    "covers",
    "destination_resource",
    "format_specifier",
    "index_destinations",
    "match_resource",
    "parse_specifier",
    "reach",
    "resource_wildcard",
    "statement_allows",
    "statement_applies",
    "who_can_change",
]

DESTINATION_ACTIONS: tuple[str, ...] = (
    "deleteDestination",
    "updateOn",
    "updateConfiguration",
    "updateName",
)
"""The actions on an existing Data Export destination that change or remove it."""

Facts = Mapping[str, AbstractSet[str]]
PropertyFacts = Mapping[str, Mapping[str, object]]


# --------------------------------------------------------------------------------------------------
# Errors and the parsed form


class SpecifierError(ValueError):
    """A resource specifier that does not follow the grammar; `position` is a 0-based offset."""

    def __init__(self, text: object, position: int, reason: str) -> None:
        shown = text if isinstance(text, str) else type(text).__name__
        super().__init__(f"invalid resource specifier {shown!r} at {position}: {reason}")
        self.text = text
        self.position = position
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Segment:
    """One `type/key;qualifiers` step of a specifier; `key` is None for key-less types (`acct`)."""

    type: str
    key: str | None = None
    tags: tuple[str, ...] = ()
    properties: tuple[tuple[str, str], ...] = ()
    views: tuple[str, ...] = ()

    @property
    def wildcard(self) -> bool:
        """True when the type or key is a glob (placeholders and qualifiers do not count)."""
        return _has_glob(self.type) or (self.key is not None and _has_glob(self.key))

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Role-attribute names used anywhere in this segment (key, tags or views)."""
        texts = [self.key or "", *self.tags, *self.views]
        return tuple(m.group(1) for text in texts for m in _PLACEHOLDER.finditer(text))

    @property
    def qualified(self) -> bool:
        """True when the segment filters by tags, properties or views."""
        return bool(self.tags or self.properties or self.views)

    def __str__(self) -> str:
        text = self.type if self.key is None else f"{self.type}/{self.key}"
        items = [*self.tags, *(f"{{{n}:{v}}}" for n, v in self.properties)]
        items += [f"view:{v}" for v in self.views]
        return f"{text};{','.join(items)}" if items else text


@dataclass(frozen=True, slots=True)
class Specifier:
    """A parsed resource specifier: segments from the outermost parent to the named resource."""

    segments: tuple[Segment, ...]

    @property
    def wildcard(self) -> bool:
        return any(s.wildcard for s in self.segments)

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(name for s in self.segments for name in s.placeholders)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(s.type for s in self.segments)

    def __str__(self) -> str:
        return ":".join(str(s) for s in self.segments)


class Coverage(enum.IntEnum):
    """Tri-state answer: NO, MAYBE (depends on facts the export does not carry) or YES."""

    NO = 0
    MAYBE = 1
    YES = 2

    def negate(self) -> Coverage:
        return Coverage(2 - self.value)


# --------------------------------------------------------------------------------------------------
# Parsing

_PLACEHOLDER = re.compile(r"\$\{roleAttribute/([A-Za-z0-9_.\-]+)\}")
_TYPE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-*?")
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_STRUCTURAL = frozenset(":;,{}$")
_GLOB_CHARS = frozenset("*?[")


def _has_glob(text: str) -> bool:
    return any(ch in _GLOB_CHARS for ch in _PLACEHOLDER.sub("", text))


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, reason: str, position: int | None = None) -> SpecifierError:
        return SpecifierError(self.text, self.pos if position is None else position, reason)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def specifier(self) -> Specifier:
        if not self.text:
            raise self.fail("empty specifier")
        segments = [self.segment()]
        while self.peek() == ":":
            self.pos += 1
            segments.append(self.segment())
        if self.pos != len(self.text):
            raise self.fail(f"unexpected {self.peek()!r}")
        return Specifier(tuple(segments))

    def segment(self) -> Segment:
        if self.peek() == "/":
            self.pos += 1
        start = self.pos
        while self.peek() and self.peek() in _TYPE_CHARS:
            self.pos += 1
        type_ = self.text[start : self.pos]
        if not type_:
            raise self.fail("expected a resource type")
        key: str | None = None
        if self.peek() == "/":
            self.pos += 1
            key = self.glob(slash=True, what="resource key")
        tags: list[str] = []
        properties: list[tuple[str, str]] = []
        views: list[str] = []
        if self.peek() == ";":
            self.pos += 1
            while True:
                self.qualifier(tags, properties, views)
                if self.peek() != ",":
                    break
                self.pos += 1
        return Segment(type_, key, tuple(tags), tuple(properties), tuple(views))

    def qualifier(
        self, tags: list[str], properties: list[tuple[str, str]], views: list[str]
    ) -> None:
        if self.peek() == "{":
            self.pos += 1
            while True:
                name = self.name("property name")
                if self.peek() != ":":
                    raise self.fail("expected ':' in property selector")
                self.pos += 1
                properties.append((name, self.name("property value")))
                if self.peek() == ",":
                    self.pos += 1
                    continue
                if self.peek() != "}":
                    raise self.fail("expected '}' to close property selector")
                self.pos += 1
                return
        if self.text.startswith("view:", self.pos) and self._view_follows(self.pos + 5):
            self.pos += 5
            views.append(self.glob(slash=False, what="view key"))
            return
        tags.append(self.glob(slash=False, what="tag"))

    def _view_follows(self, pos: int) -> bool:
        # `;view:KEY` is a view selector; `;view:env/*` is the tag "view" then a child segment.
        end = pos
        while end < len(self.text) and self.text[end] not in ":;,":
            match = _PLACEHOLDER.match(self.text, end)
            if match:
                end = match.end()
                continue
            if self.text[end] == "/":
                return False
            end += 1
        return end > pos

    def name(self, what: str) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.fail(f"expected a {what}")
        self.pos = match.end()
        return match.group(0)

    def glob(self, *, slash: bool, what: str) -> str:
        start = self.pos
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "$":
                match = _PLACEHOLDER.match(self.text, self.pos)
                if not match:
                    raise self.fail("expected ${roleAttribute/NAME}")
                self.pos = match.end()
                continue
            if ch in ":;,":
                break
            if ch in _STRUCTURAL:
                raise self.fail(f"unexpected {ch!r} in {what}")
            if ch == "/" and not slash:
                raise self.fail(f"'/' is not allowed in a {what}")
            if not ch.isprintable() or ch.isspace():
                raise self.fail(f"whitespace or control character in {what}")
            self.pos += 1
        if self.pos == start:
            raise self.fail(f"empty {what}")
        return self.text[start : self.pos]


@functools.lru_cache(maxsize=8192)
def _parse_cached(text: str) -> Specifier:
    return _Parser(text).specifier()


def parse_specifier(text: str) -> Specifier:
    """Parse `text`; raise SpecifierError (a ValueError) and nothing else for any other input."""
    if not isinstance(text, str):
        raise SpecifierError(text, 0, "a specifier must be a string")
    return _parse_cached(text)


def format_specifier(specifier: Specifier) -> str:
    """The canonical text of `specifier` (tags, then property selectors, then view selectors)."""
    return str(specifier)


def _try_parse(text: object) -> Specifier | None:
    if not isinstance(text, str):
        return None
    try:
        return _parse_cached(text)
    except SpecifierError:
        return None


def resource_wildcard(specifier: str) -> bool:
    """True when a type or resource key is a glob; tag/property/view qualifiers do not count.

    `${roleAttribute/x}` placeholders are parameters, not wildcards. Unparseable text gives False;
    callers tell "unparseable" apart with `parse_specifier`.
    """
    parsed = _try_parse(specifier)
    return parsed is not None and parsed.wildcard


# --------------------------------------------------------------------------------------------------
# Glob matching


@functools.lru_cache(maxsize=8192)
def _compile(pattern: str) -> tuple[re.Pattern[str], bool, bool]:
    """(regex, has placeholder, matches every string) for a glob with optional placeholders."""
    out: list[str] = []
    pos = 0
    placeholder = False
    for match in _PLACEHOLDER.finditer(pattern):
        out.append(_translate(pattern[pos : match.start()]))
        out.append(".*")
        placeholder = True
        pos = match.end()
    out.append(_translate(pattern[pos:]))
    universal = not placeholder and pattern != "" and set(pattern) == {"*"}
    return re.compile("".join(out), re.DOTALL), placeholder, universal


def _translate(glob: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        i += 1
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            start = i - 1
            close = glob.find("]", i + 1 if glob[i : i + 1] in ("!", "]") else i)
            if close == -1:
                out.append(re.escape(ch))
                continue
            body = glob[i:close]
            i = close + 1
            negate = body.startswith("!")
            body = body[1:] if negate else body
            escaped = "".join("\\" + c if c in "\\^[]" else c for c in body)
            if not escaped:
                out.append("." if negate else "(?!)")
                continue
            cls = f"[{'^' if negate else ''}{escaped}]"
            try:
                re.compile(cls)
            except re.error:  # e.g. a reversed range [z-a]: read the class literally
                cls = re.escape(glob[start:i])
            out.append(cls)
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _glob(pattern: str, value: str) -> Coverage:
    regex, placeholder, _ = _compile(pattern)
    if regex.fullmatch(value) is None:
        return Coverage.NO
    return Coverage.MAYBE if placeholder else Coverage.YES


def _universal(pattern: str) -> bool:
    return _compile(pattern)[2]


def action_wildcard(pattern: str) -> bool:
    """True for `*` or any action glob such as `update*`."""
    return isinstance(pattern, str) and any(ch in _GLOB_CHARS for ch in pattern)


def action_covers(pattern: str, action: str) -> bool:
    """Whether action glob `pattern` names `action`; `update*` covers `updateOn`. Case-sensitive."""
    if not isinstance(pattern, str) or not isinstance(action, str) or not pattern:
        return False
    return _compile(pattern)[0].fullmatch(action) is not None


# --------------------------------------------------------------------------------------------------
# Resource matching


class _Unknown(enum.Enum):
    KEY = "unknown"


_UNKNOWN = _Unknown.KEY
_ConcreteKey = str | None | _Unknown


@dataclass(frozen=True, slots=True)
class _Facts:
    tags: Facts | None
    properties: PropertyFacts | None
    views: Facts | None


_NO_FACTS = _Facts(None, None, None)


def _set_match(patterns: tuple[str, ...], known: AbstractSet[str] | None) -> Coverage:
    if not patterns:
        return Coverage.YES
    if known is None:
        return Coverage.MAYBE
    result = Coverage.YES
    for pattern in patterns:
        best = max((_glob(pattern, value) for value in known), default=Coverage.NO)
        result = min(result, best)
    return result


def _property_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _qualifiers(segment: Segment, prefix: str | None, facts: _Facts) -> Coverage:
    if not segment.qualified:
        return Coverage.YES

    def lookup(table: Mapping[str, Any] | None) -> Any:
        return None if table is None or prefix is None else table.get(prefix)

    result = min(
        _set_match(segment.tags, lookup(facts.tags)),
        _set_match(segment.views, lookup(facts.views)),
    )
    known_properties = lookup(facts.properties)
    for name, value in segment.properties:
        if known_properties is None or name not in known_properties:
            result = min(result, Coverage.MAYBE)
        elif _property_text(known_properties[name]) != value:
            return Coverage.NO
    return result


def _segment(
    segment: Segment, type_: str, key: _ConcreteKey, prefix: str | None, facts: _Facts
) -> Coverage:
    if segment.type != type_ and _glob(segment.type, type_) is Coverage.NO:
        return Coverage.NO
    if segment.key is None or key is None:
        key_match = Coverage.YES if segment.key is None and key is None else Coverage.NO
    elif key is _UNKNOWN:
        key_match = Coverage.YES if _universal(segment.key) else Coverage.MAYBE
    else:
        key_match = _glob(segment.key, key)
    if key_match is Coverage.NO:
        return Coverage.NO
    return min(key_match, _qualifiers(segment, prefix, facts))


@functools.lru_cache(maxsize=8192)
def _concrete(resource: str) -> tuple[tuple[str, str | None, str], ...]:
    """(type, key, prefix text) per segment of a concrete resource; SpecifierError otherwise."""
    parsed = parse_specifier(resource)
    out: list[tuple[str, str | None, str]] = []
    for index, segment in enumerate(parsed.segments):
        if segment.qualified or segment.placeholders or segment.wildcard:
            raise SpecifierError(
                resource, 0, "a concrete resource has no globs, placeholders or qualifiers"
            )
        out.append((segment.type, segment.key, str(Specifier(parsed.segments[: index + 1]))))
    return tuple(out)


def _match(specifier: Specifier, resource: str, facts: _Facts) -> Coverage:
    concrete = _concrete(resource)
    if len(specifier.segments) != len(concrete):
        return Coverage.NO
    result = Coverage.YES
    for segment, (type_, key, prefix) in zip(specifier.segments, concrete, strict=True):
        result = min(result, _segment(segment, type_, key, prefix, facts))
        if result is Coverage.NO:
            break
    return result


def match_resource(
    specifier: str | Specifier,
    resource: str,
    *,
    tags: Facts | None = None,
    properties: PropertyFacts | None = None,
    views: Facts | None = None,
) -> Coverage:
    """Tri-state: does `specifier` name the concrete `resource`?

    Segment counts must be equal: `proj/*` names projects, not their environments or flags, and
    `proj/*:env/*` names environments, not the destinations inside them (LaunchDarkly: limiting
    resources to `proj/*:env/*;qa_*` manages the environment itself; flags need `...:flag/*`).
    Types are literal unless they contain a glob character. Keys are case-sensitive globs.

    Facts are keyed by the concrete resource's prefix ending at the qualified segment, e.g.
    `tags={"proj/payments:env/production": {"qa_eu"}}`, `properties={"proj/p:env/e":
    {"critical": True}}`, `views={"proj/p:env/e:flag/f": {"frontend"}}`. A tag, property or view
    qualifier whose facts are not given yields MAYBE; a `${roleAttribute/x}` placeholder matches
    whatever its surrounding literal text allows and yields MAYBE (its value is set per member or
    team at assignment time and is not in the export). An unparseable specifier yields NO (it
    names nothing we can know; detect it with `parse_specifier`). An invalid or non-concrete
    `resource` raises SpecifierError.
    """
    parsed = specifier if isinstance(specifier, Specifier) else _try_parse(specifier)
    if parsed is None:
        _concrete(resource)
        return Coverage.NO
    return _match(parsed, resource, _Facts(tags, properties, views))


def covers(
    specifier: str | Specifier,
    resource: str,
    *,
    tags: Facts | None = None,
    properties: PropertyFacts | None = None,
    views: Facts | None = None,
    unknown: bool = True,
) -> bool:
    """`match_resource` as a bool; MAYBE becomes `unknown`.

    The default `unknown=True` is the auditor's conservative "could cover" reading: a statement
    whose tags, property selectors, views or role attributes cannot be checked against the export
    is counted as reaching the resource (an upper bound). Pass `unknown=False` for a lower bound.
    """
    coverage = match_resource(specifier, resource, tags=tags, properties=properties, views=views)
    return coverage is Coverage.YES or (coverage is Coverage.MAYBE and unknown)


def destination_resource(destination: Destination) -> str | None:
    """`proj/<project>:env/<environment>:destination/<_id>`, or None if project/env are unknown."""
    if not destination.project or not destination.environment:
        return None
    return f"proj/{destination.project}:env/{destination.environment}:destination/{destination.id}"


# --------------------------------------------------------------------------------------------------
# Statements


def _action_applies(statement: Statement, action: str) -> bool:
    if statement.actions:
        applies = any(action_covers(p, action) for p in statement.actions)
    else:
        applies = bool(statement.not_actions)
    return applies and not any(action_covers(p, action) for p in statement.not_actions)


def _combine(
    resources: Iterable[Coverage] | None, not_resources: Iterable[Coverage] | None
) -> Coverage:
    """resources (any) AND NOT notResources (any); a statement with neither targets nothing."""
    if resources is None and not_resources is None:
        return Coverage.NO
    result = Coverage.YES
    if resources is not None:
        result = max(resources, default=Coverage.NO)
    if not_resources is not None and result is not Coverage.NO:
        result = min(result, max(not_resources, default=Coverage.NO).negate())
    return result


def statement_applies(
    statement: Statement,
    action: str,
    resource: str,
    *,
    tags: Facts | None = None,
    properties: PropertyFacts | None = None,
    views: Facts | None = None,
) -> Coverage:
    """Tri-state: does the statement target `action` on the concrete `resource`?

    `actions` names the targeted actions and `notActions` every action except those listed (both
    given: in actions and not in notActions); likewise `resources`/`notResources`. A statement
    with no actions and no notActions, or no resources and no notResources, targets nothing.
    """
    if not _action_applies(statement, action):
        return Coverage.NO
    facts = _Facts(tags, properties, views)
    _concrete(resource)

    def each(texts: tuple[str, ...]) -> list[Coverage] | None:
        if not texts:
            return None
        parsed = (_try_parse(text) for text in texts)
        return [Coverage.NO if p is None else _match(p, resource, facts) for p in parsed]

    return _combine(each(statement.resources), each(statement.not_resources))


def statement_allows(
    statement: Statement,
    action: str,
    resource: str,
    *,
    tags: Facts | None = None,
    properties: PropertyFacts | None = None,
    views: Facts | None = None,
    unknown: bool = True,
) -> bool | None:
    """True if the statement allows, False if it denies, None if it does not target the pair.

    A statement that MAYBE targets the pair counts as targeting it when `unknown` is True (the
    default, conservative "could cover"); a statement whose effect is neither allow nor deny
    gives None.
    """
    coverage = statement_applies(
        statement, action, resource, tags=tags, properties=properties, views=views
    )
    if coverage is Coverage.NO or (coverage is Coverage.MAYBE and not unknown):
        return None
    effect = statement.effect.lower() if isinstance(statement.effect, str) else ""
    return {"allow": True, "deny": False}.get(effect)


# --------------------------------------------------------------------------------------------------
# Reach over an inventory

_GroupKey = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class DestinationIndex:
    """Destinations grouped by (project, environment), in first-seen order; build once, reuse."""

    groups: tuple[tuple[_GroupKey, tuple[Destination, ...]], ...]
    positions: tuple[tuple[int, ...], ...] = ()
    """Inventory position of each grouped destination (parallel to `groups`)."""

    @property
    def size(self) -> int:
        return sum(len(members) for _, members in self.groups)


def index_destinations(destinations: Iterable[Destination]) -> DestinationIndex:
    """Group destinations by (project, environment) so each pair is matched once per statement."""
    groups: dict[_GroupKey, list[Destination]] = {}
    positions: dict[_GroupKey, list[int]] = {}
    for position, destination in enumerate(destinations):
        key = (destination.project or None, destination.environment or None)
        groups.setdefault(key, []).append(destination)
        positions.setdefault(key, []).append(position)
    return DestinationIndex(
        tuple((key, tuple(members)) for key, members in groups.items()),
        tuple(tuple(positions[key]) for key in groups),
    )


@dataclass(frozen=True, slots=True)
class Reach:
    """The destinations a statement could target, and how many projects/environments they span."""

    destination_ids: tuple[str, ...]
    """Every destination the statement could target (YES or MAYBE), in inventory order."""
    uncertain_ids: tuple[str, ...]
    """The subset reached only under the "could cover" reading (unknown tags/properties/roles)."""
    projects: int
    """Distinct known project keys among `destination_ids`."""
    environments: int
    """Distinct known (project, environment) pairs among `destination_ids`."""

    @property
    def count(self) -> int:
        return len(self.destination_ids)


_EMPTY_REACH = Reach((), (), 0, 0)


def _last_static(segment: Segment) -> Coverage | None:
    """The destination segment's answer when it is the same for every destination id."""
    if segment.type != "destination" and _glob(segment.type, "destination") is Coverage.NO:
        return Coverage.NO
    if segment.key is None:
        return Coverage.NO
    if _universal(segment.key) and not segment.qualified:
        return Coverage.YES
    return None


def reach(
    statement: Statement,
    destinations: Sequence[Destination] | DestinationIndex,
    action: str | None = None,
    *,
    tags: Facts | None = None,
    properties: PropertyFacts | None = None,
    views: Facts | None = None,
) -> Reach:
    """Which destinations `statement` targets, over `proj/<p>:env/<e>:destination/<_id>`.

    With `action`, only if the statement targets that action (actions/notActions); without, the
    statement's resource footprint regardless of its actions. Uses the "could cover" reading and
    reports the uncertain part separately. Each distinct (project, environment) pair is matched
    once per resource pattern; only patterns whose destination segment depends on the id or on
    facts are matched per destination. A destination whose project or environment is unknown is
    reached for sure only by a `*` key in that position, and MAYBE by any other key.
    """
    if action is not None and not _action_applies(statement, action):
        return _EMPTY_REACH
    if not statement.resources and not statement.not_resources:
        return _EMPTY_REACH
    index = (
        destinations
        if isinstance(destinations, DestinationIndex)
        else index_destinations(destinations)
    )
    facts = _Facts(tags, properties, views)

    def prepare(texts: tuple[str, ...]) -> list[Specifier] | None:
        if not texts:
            return None
        parsed = (_try_parse(t) for t in texts)
        return [p for p in parsed if p is not None and len(p.segments) == 3]

    including = prepare(statement.resources)
    excluding = prepare(statement.not_resources)
    hits: list[tuple[int, Destination, Coverage]] = []
    for number, ((project, environment), members) in enumerate(index.groups):
        evaluate = _group_evaluator(project, environment, including, excluding, facts)
        places = index.positions[number] if number < len(index.positions) else ()
        for offset, destination in enumerate(members):
            coverage = evaluate(destination.id)
            if coverage is not Coverage.NO:
                place = places[offset] if offset < len(places) else offset
                hits.append((place, destination, coverage))

    reached: list[str] = []
    uncertain: list[str] = []
    seen: set[str] = set()
    projects: set[str] = set()
    environments: set[tuple[str, str]] = set()
    for _, destination, coverage in sorted(hits, key=lambda hit: hit[0]):
        if destination.id in seen:
            continue
        seen.add(destination.id)
        reached.append(destination.id)
        if coverage is Coverage.MAYBE:
            uncertain.append(destination.id)
        if destination.project:
            projects.add(destination.project)
            if destination.environment:
                environments.add((destination.project, destination.environment))
    return Reach(tuple(reached), tuple(uncertain), len(projects), len(environments))


def _group_evaluator(
    project: str | None,
    environment: str | None,
    including: list[Specifier] | None,
    excluding: list[Specifier] | None,
    facts: _Facts,
) -> Callable[[str], Coverage]:
    """Match every pattern's project/env segments once; return a per-destination-id evaluator."""
    project_key: _ConcreteKey = project if project is not None else _UNKNOWN
    env_key: _ConcreteKey = environment if environment is not None else _UNKNOWN
    project_prefix = f"proj/{project}" if project is not None else None
    env_prefix = (
        f"{project_prefix}:env/{environment}"
        if project_prefix is not None and environment is not None
        else None
    )

    def prefix(spec: Specifier) -> tuple[Coverage, Coverage | None, Segment]:
        first, second, last = spec.segments
        head = _segment(first, "proj", project_key, project_prefix, facts)
        if head is not Coverage.NO:
            head = min(head, _segment(second, "env", env_key, env_prefix, facts))
        static = Coverage.NO if head is Coverage.NO else _last_static(last)
        return head, static, last

    inc = None if including is None else [prefix(s) for s in including]
    exc = None if excluding is None else [prefix(s) for s in excluding]

    def each(
        parts: list[tuple[Coverage, Coverage | None, Segment]] | None, dest_id: str
    ) -> list[Coverage] | None:
        if parts is None:
            return None
        out: list[Coverage] = []
        for head, static, last in parts:
            if static is not None:
                out.append(min(head, static))
                continue
            here = None if env_prefix is None else f"{env_prefix}:destination/{dest_id}"
            out.append(min(head, _segment(last, "destination", dest_id, here, facts)))
        return out

    if all(static is not None for _, static, _ in (inc or []) + (exc or [])):
        uniform = _combine(each(inc, ""), each(exc, ""))
        return lambda _dest_id: uniform
    return lambda dest_id: _combine(each(inc, dest_id), each(exc, dest_id))


# --------------------------------------------------------------------------------------------------
# Access decisions recorded by LaunchDarkly in `_access`


@dataclass(frozen=True, slots=True)
class AccessReason:
    """The policy statement LaunchDarkly cites for a decision (AccessAllowedReason/DeniedReason)."""

    effect: str | None
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    role_name: str | None = None


@dataclass(frozen=True, slots=True)
class AccessDecision:
    """What `_access` says about one action: allowed, denied, or unknown (never guessed)."""

    action: str
    decision: Literal["allowed", "denied", "unknown"]
    reason: AccessReason | None = None
    pointer: str | None = None
    """JSON pointer of the deciding `_access` entry, under the destination's own pointer."""
    conflicting: bool = False
    """The action is listed as both allowed and denied; deny wins, as in LaunchDarkly's policies."""

    @property
    def role_name(self) -> str | None:
        return None if self.reason is None else self.reason.role_name


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _reason(value: object) -> AccessReason | None:
    if not isinstance(value, Mapping):
        return None
    effect = value.get("effect")
    role = value.get("role_name")
    return AccessReason(
        effect=effect if isinstance(effect, str) else None,
        resources=_strings(value.get("resources")),
        not_resources=_strings(value.get("notResources")),
        actions=_strings(value.get("actions")),
        not_actions=_strings(value.get("notActions")),
        role_name=role if isinstance(role, str) else None,
    )


def _first_entry(
    access: Mapping[str, Any], list_name: str, action: str
) -> tuple[int, AccessReason | None] | None:
    entries = access.get(list_name)
    if not isinstance(entries, list):
        return None
    for position, entry in enumerate(entries):
        if isinstance(entry, Mapping) and entry.get("action") == action:
            return position, _reason(entry.get("reason"))
    return None


def who_can_change(
    destination: Destination, actions: Sequence[str] = DESTINATION_ACTIONS
) -> dict[str, AccessDecision]:
    """Per action, what `destination.raw["_access"]` records: allowed/denied with its reason.

    The list an action appears in decides (the cited reason is reported as given). An action
    missing from both lists, or a missing or malformed `_access`, is "unknown" — never "denied".
    `_access` describes the caller whose token read the export, not every member.
    """
    raw = destination.raw if isinstance(destination.raw, Mapping) else {}
    access = raw.get("_access")
    base = f"{destination.pointer}/_access"
    decisions: dict[str, AccessDecision] = {}
    for action in actions:
        if not isinstance(access, Mapping):
            decisions[action] = AccessDecision(action, "unknown")
            continue
        denied = _first_entry(access, "denied", action)
        allowed = _first_entry(access, "allowed", action)
        if denied is not None:
            decisions[action] = AccessDecision(
                action,
                "denied",
                denied[1],
                f"{base}/denied/{denied[0]}",
                conflicting=allowed is not None,
            )
        elif allowed is not None:
            decisions[action] = AccessDecision(
                action, "allowed", allowed[1], f"{base}/allowed/{allowed[0]}"
            )
        else:
            decisions[action] = AccessDecision(action, "unknown")
    return decisions
