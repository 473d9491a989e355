"""Globs over keys and actions: the tri-state Coverage, matching, and glob-versus-glob relations."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable

from auditor.launchdarkly.specifiers import GLOB_CHARS, PLACEHOLDER

__all__ = [
    "Coverage",
    "action_covers",
    "action_wildcard",
    "compile_glob",
    "glob_match",
    "glob_overlaps",
    "glob_subsumes",
    "glob_test",
    "universal",
]


class Coverage(enum.IntEnum):
    """Tri-state answer: NO, MAYBE (depends on facts the export does not carry) or YES."""

    NO = 0
    MAYBE = 1
    YES = 2

    def negate(self) -> Coverage:
        return Coverage(2 - self.value)


@functools.lru_cache(maxsize=8192)
def compile_glob(pattern: str) -> tuple[re.Pattern[str], bool, bool]:
    """(regex, has placeholder, matches every string) for a glob with optional placeholders."""
    parts: list[str | None] = []
    pos = 0
    placeholder = False
    for match in PLACEHOLDER.finditer(pattern):
        parts += _parts(pattern[pos : match.start()])
        parts.append(None)
        placeholder = True
        pos = match.end()
    parts += _parts(pattern[pos:])
    universal = not placeholder and pattern != "" and set(pattern) == {"*"}
    return re.compile(_without_backtracking(parts), re.DOTALL), placeholder, universal


def glob_test(pattern: str) -> Callable[[str], bool]:
    """Whether a string is named by `pattern` (placeholders match as `*`), as a quick callable.

    Plain text compares, and a glob of literals and stars finds its pieces in order (the
    leftmost place of each is as good as any, as in `_without_backtracking`): no regex to
    compile, which counts when a statement lists thousands of distinct globs.
    """
    if "?" in pattern or "[" in pattern or "$" in pattern:
        fullmatch = compile_glob(pattern)[0].fullmatch
        return lambda text: fullmatch(text) is not None
    if "*" not in pattern:
        return pattern.__eq__
    head, *middle, tail = pattern.split("*")
    middle = [piece for piece in middle if piece]
    least = len(head) + len(tail)

    def test(text: str) -> bool:
        end = len(text) - len(tail)
        if end < len(head) or not text.startswith(head) or not text.endswith(tail):
            return False
        position = len(head)
        for piece in middle:
            found = text.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True

    return test if middle or least else _anything


def _anything(text: str) -> bool:
    return True


def _without_backtracking(parts: list[str | None]) -> str:
    """A regex for `fullmatch` from glob parts (None is a `*`) that matches in linear time.

    `.*a.*a.*b` backtracks exponentially on a long run of `a`. Every segment between two
    stars has a fixed length, so its leftmost place is always as good as any: each is found
    with a lazy `.*?` in an atomic group, as `fnmatch` does; only the last star is greedy.
    """
    segments: list[list[str]] = [[]]
    for part in parts:
        if part is None:
            segments.append([])
        else:
            segments[-1].append(part)
    texts = ["".join(segment) for segment in segments]
    if len(texts) == 1:
        return texts[0]
    head, *middle, tail = texts
    return head + "".join(f"(?>.*?{text})" for text in middle if text) + ".*" + tail


def _translate(glob: str) -> str:
    return "".join(".*" if part is None else part for part in _parts(glob))


def _parts(glob: str) -> list[str | None]:
    """A glob without placeholders as regex pieces, each `*` as None."""
    out: list[str | None] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        i += 1
        if ch == "*":
            out.append(None)
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
            # `&&`, `~~`, `||` and `--` are set operations to come in Python's classes (a
            # FutureWarning now, on stderr): escaping them keeps them literal characters.
            escaped = "".join(
                "\\" + c if c in "\\^[]&~|" or (c == "-" and body[k - 1 : k] == "-") else c
                for k, c in enumerate(body)
            )
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
    return out


def glob_match(pattern: str, value: str) -> Coverage:
    """Tri-state: does glob `pattern` name `value`? MAYBE through a role-attribute placeholder."""
    if "*" not in pattern and "?" not in pattern and "[" not in pattern and "$" not in pattern:
        # Plain text (a destination id, most often) names itself only: no regex to compile.
        return Coverage.YES if pattern == value else Coverage.NO
    regex, placeholder, _ = compile_glob(pattern)
    if regex.fullmatch(value) is None:
        return Coverage.NO
    return Coverage.MAYBE if placeholder else Coverage.YES


def universal(pattern: str) -> bool:
    """True for a glob that names every string (`*`, `**`).

    Stars only, so no placeholder either: what `compile_glob` says, without compiling.
    """
    return bool(pattern) and not pattern.strip("*")


def action_wildcard(pattern: str) -> bool:
    """True for `*` or any action glob such as `update*`."""
    return isinstance(pattern, str) and any(ch in GLOB_CHARS for ch in pattern)


def action_covers(pattern: str, action: str) -> bool:
    """Whether action glob `pattern` names `action`; `update*` covers `updateOn`. Case-sensitive."""
    if not isinstance(pattern, str) or not isinstance(action, str) or not pattern:
        return False
    return compile_glob(pattern)[0].fullmatch(action) is not None


# A glob as tokens, for comparing two globs: ("lit", c), ("one", ""), ("star", "") or ("class", re).
_Token = tuple[str, str]


@functools.lru_cache(maxsize=4096)
def _tokens(pattern: str) -> tuple[tuple[_Token, ...], bool]:
    """The tokens of a glob and whether it had a placeholder (read as a `*`)."""
    out: list[_Token] = []
    pos = 0
    placeholder = False
    for match in PLACEHOLDER.finditer(pattern):
        out += _plain_tokens(pattern[pos : match.start()])
        out.append(("star", ""))
        placeholder = True
        pos = match.end()
    out += _plain_tokens(pattern[pos:])
    return tuple(out), placeholder


def _plain_tokens(glob: str) -> list[_Token]:
    out: list[_Token] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        if ch == "[" and (end := _class_end(glob, i)) is not None:
            out.append(("class", _translate(glob[i:end])))
            i = end
            continue
        out.append(("star", "") if ch == "*" else ("one", "") if ch == "?" else ("lit", ch))
        i += 1
    return out


def _class_end(glob: str, start: int) -> int | None:
    i = start + 1
    close = glob.find("]", i + 1 if glob[i : i + 1] in ("!", "]") else i)
    return None if close == -1 else close + 1


def _single(a: _Token, b: _Token, *, subsume: bool) -> Coverage:
    """One-character tokens: does `a` cover `b` (subsume) or can they name one character?"""
    kind_a, text_a = a
    kind_b, text_b = b
    if kind_a == "one" or (kind_b == "one" and not subsume):
        return Coverage.YES
    if kind_a == "lit" and kind_b == "lit":
        return Coverage.YES if text_a == text_b else Coverage.NO
    if kind_a == "class" and kind_b == "lit":
        return Coverage.YES if re.fullmatch(text_a, text_b) else Coverage.NO
    if kind_a == "lit" and kind_b == "class" and not subsume:
        return Coverage.YES if re.fullmatch(text_b, text_a) else Coverage.NO
    if kind_a == "class" and kind_b == "class":
        return Coverage.MAYBE  # two classes: not worth deciding exactly
    return Coverage.NO


def _relate(pattern: str, other: str, *, subsume: bool) -> Coverage:
    a, a_placeholder = _tokens(pattern)
    b, b_placeholder = _tokens(other)
    if not b_placeholder and all(kind == "lit" for kind, _ in b):
        return glob_match(pattern, other)  # a plain string: matching decides, in linear time
    if not subsume and not a_placeholder and all(kind == "lit" for kind, _ in a):
        return glob_match(other, pattern)
    result = _table(a, b, subsume=subsume)
    if result is not Coverage.NO and (a_placeholder or b_placeholder):
        return Coverage.MAYBE
    return result


def _table(a: tuple[_Token, ...], b: tuple[_Token, ...], *, subsume: bool) -> Coverage:
    """Whether token lists `a` and `b` relate, by dynamic programming from their ends.

    `below[j]` holds the answer for (a[i + 1:], b[j:]) and `row[j]` for (a[i:], b[j:]): a
    loop, not a recursion, so a key of any length is fine, in time |a| x |b|.
    """
    n, m = len(a), len(b)
    below = [Coverage.NO] * (m + 1)
    for i in range(n, -1, -1):
        row = [Coverage.NO] * (m + 1)
        for j in range(m, -1, -1):
            if i == n and j == m:
                row[j] = Coverage.YES
            elif i < n and a[i][0] == "star":  # the star ends here, or takes one more of b
                row[j] = max(below[j], row[j + 1]) if j < m else below[j]
            elif j < m and b[j][0] == "star":
                if not subsume:  # (to subsume, only a `*` covers a `*`: NO stays)
                    row[j] = max(row[j + 1], below[j]) if i < n else row[j + 1]
            elif i < n and j < m:
                here = _single(a[i], b[j], subsume=subsume)
                if here is not Coverage.NO:
                    row[j] = min(here, below[j + 1])
        below = row
    return below[0]


def glob_subsumes(pattern: str, other: str) -> Coverage:
    """Tri-state: does glob `pattern` name every string glob `other` names?

    Decided token by token: a `*` covers any run of `other`'s tokens (its `*`s included), `?` one
    token that is not a `*`, a literal itself. Sound; two character classes give MAYBE, and a
    role-attribute placeholder (read as `*`) turns a YES into MAYBE.
    """
    if universal(pattern):
        return Coverage.YES
    return _relate(pattern, other, subsume=True)


def glob_overlaps(pattern: str, other: str) -> Coverage:
    """Tri-state: is there a string both globs name? Two classes or a placeholder give MAYBE."""
    return _relate(pattern, other, subsume=False)
