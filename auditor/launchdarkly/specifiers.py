"""Resource specifiers: the grammar, the parsed form, parsing, formatting and wildcard checks."""

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
#
# A specifier that is one glob alone (`*`) is rejected, as LaunchDarkly rejects it ("Error parsing
# resource specifier \"*\"", https://github.com/launchdarkly/LaunchDarkly-Docs/pull/267): every
# resource is named through its type (`proj/*`, `proj/*:env/*:destination/*`).

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass, field

__all__ = [
    "GLOB_CHARS",
    "PLACEHOLDER",
    "Segment",
    "Specifier",
    "SpecifierError",
    "format_specifier",
    "has_glob",
    "parse_specifier",
    "resource_wildcard",
    "try_parse",
]

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
    """One `type/key;qualifiers` step of a specifier; `key` is None for key-less types (`acct`).

    Its text and flags are worked out once, when it is made: a parsed specifier is shared
    (parsing is memoised) and asked the same questions for every destination it is matched to.
    """

    type: str
    key: str | None = None
    tags: tuple[str, ...] = ()
    properties: tuple[tuple[str, str], ...] = ()
    views: tuple[str, ...] = ()
    wildcard: bool = field(init=False, repr=False, compare=False)
    """True when the type or key is a glob (placeholders and qualifiers do not count)."""
    placeholders: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """Role-attribute names used anywhere in this segment (key, tags or views)."""
    _text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = self.key
        texts = [key or "", *self.tags, *self.views]
        found = tuple(
            m.group(1) for text in texts if "$" in text for m in PLACEHOLDER.finditer(text)
        )
        wildcard = has_glob(self.type) or (key is not None and has_glob(key))
        text = self.type if key is None else f"{self.type}/{key}"
        items = [*self.tags, *(f"{{{n}:{v}}}" for n, v in self.properties)]
        items += [f"view:{v}" for v in self.views]
        set_ = object.__setattr__
        set_(self, "wildcard", wildcard)
        set_(self, "placeholders", found)
        set_(self, "_text", f"{text};{','.join(items)}" if items else text)

    @property
    def literal_key(self) -> bool:
        """True when the key names one resource: no glob and no role-attribute placeholder."""
        return self.key is not None and not has_glob(self.key) and not self.placeholders

    @property
    def qualified(self) -> bool:
        """True when the segment filters by tags, properties or views."""
        return bool(self.tags or self.properties or self.views)

    def __str__(self) -> str:
        return self._text


@dataclass(frozen=True, slots=True)
class Specifier:
    """A parsed resource specifier: segments from the outermost parent to the named resource."""

    segments: tuple[Segment, ...]
    wildcard: bool = field(init=False, repr=False, compare=False)
    placeholders: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        segments = self.segments
        set_ = object.__setattr__
        set_(self, "wildcard", any(s.wildcard for s in segments))
        set_(self, "placeholders", tuple(name for s in segments for name in s.placeholders))
        set_(self, "_text", ":".join(s._text for s in segments))

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(s.type for s in self.segments)

    def __str__(self) -> str:
        return self._text


# --------------------------------------------------------------------------------------------------
# Parsing

PLACEHOLDER = re.compile(r"\$\{roleAttribute/([A-Za-z0-9_.\-]+)\}")
_TYPE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-*?")
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_STRUCTURAL = frozenset(":;,{}$")
GLOB_CHARS = frozenset("*?[")


def has_glob(text: str) -> bool:
    """True when `text` has a glob character outside its role-attribute placeholders."""
    if "$" in text:
        text = PLACEHOLDER.sub("", text)
    return "*" in text or "?" in text or "[" in text


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
        if len(segments) == 1 and segments[0].key is None and has_glob(segments[0].type):
            raise self.fail("a bare glob names no resource type; LaunchDarkly rejects it", 0)
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
            match = PLACEHOLDER.match(self.text, end)
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
                match = PLACEHOLDER.match(self.text, self.pos)
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
    return _plain(text) or _Parser(text).specifier()


_PLAIN_TYPE = re.compile(r"[A-Za-z0-9_.\-*?]+")


def _plain(text: str) -> Specifier | None:
    """The common form `type/key:type/key` without qualifiers or placeholders, split at once.

    Anything else (qualifiers, placeholders, a leading `/`, an empty part, a bad character)
    gives None and goes to the parser, which accepts or words the error as it always did.
    """
    if not text or not text.isprintable() or any(ch in text for ch in ";{}$,"):
        return None
    segments = []
    for part in text.split(":"):
        type_, slash, key = part.partition("/")
        if _PLAIN_TYPE.fullmatch(type_) is None or (slash and key.split() != [key]):
            return None
        segments.append(Segment(type_, key) if slash else Segment(type_))
    if len(segments) == 1 and segments[0].key is None and has_glob(segments[0].type):
        return None  # a bare glob: the parser rejects it, as LaunchDarkly does
    return Specifier(tuple(segments))


def parse_specifier(text: str) -> Specifier:
    """Parse `text`; raise SpecifierError (a ValueError) and nothing else for any other input."""
    if not isinstance(text, str):
        raise SpecifierError(text, 0, "a specifier must be a string")
    return _parse_cached(text)


def format_specifier(specifier: Specifier) -> str:
    """The canonical text of `specifier` (tags, then property selectors, then view selectors)."""
    return str(specifier)


def try_parse(text: object) -> Specifier | None:
    """The parsed specifier, or None for anything that does not parse."""
    if not isinstance(text, str):
        return None
    try:
        return _parse_cached(text)
    except SpecifierError:
        return None


def resource_wildcard(specifier: str, types: Collection[str] | None = None) -> bool:
    """See `_resource_wildcard`; answers are cached, as the same specifiers recur in an export."""
    return _resource_wildcard(specifier, None if types is None else frozenset(types))


@functools.lru_cache(maxsize=65536)
def _resource_wildcard(specifier: str, types: frozenset[str] | None) -> bool:
    """True when a type or resource key is a glob; tag/property/view qualifiers do not count.

    With `types`, only segments of those types count (`["proj", "env"]`: every project or every
    environment), and a segment whose type is itself a glob. `${roleAttribute/x}` placeholders are
    parameters, not wildcards. Unparseable text gives False; callers tell "unparseable" apart with
    `parse_specifier`.
    """
    parsed = try_parse(specifier)
    if parsed is None:
        return False
    if types is None:
        return parsed.wildcard
    return any(s.wildcard for s in parsed.segments if s.type in types or has_glob(s.type))
