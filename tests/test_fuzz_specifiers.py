"""Fuzzing the LaunchDarkly specifier parser and glob matcher with hostile text.

tests/test_launchdarkly.py holds the grammar's properties; these add what an attacker
would send: very long keys, lone surrogates and control characters, and globs such as
`*a*a*a*b` that make a backtracking matcher run for ever on a long run of `a`.
"""

from __future__ import annotations

import functools
import re

from fuzzing import HOSTILE_TEXT, fuzz
from hypothesis import given
from hypothesis import strategies as st

from auditor.launchdarkly import (
    Coverage,
    SpecifierError,
    action_covers,
    covers,
    glob_overlaps,
    glob_subsumes,
    parse_specifier,
    pattern_covers,
    try_parse,
)
from auditor.launchdarkly.globs import _single, _tokens, universal

_pieces = st.sampled_from(
    ["proj/", "env/", ":", ";", ",", "*", "?", "[", "]", "!", "${roleAttribute/", "}", "a", "/"]
)
hostile = st.one_of(
    st.lists(st.one_of(_pieces, st.sampled_from(HOSTILE_TEXT)), max_size=30).map("".join),
    st.tuples(st.sampled_from(["proj/", "proj/*a", "env/"]), st.integers(1, 40)).map(
        lambda t: t[0] * t[1] + "b"
    ),
    st.text(max_size=60),
)
long_keys = st.sampled_from(["a" * 20_000, "é" * 5_000, "*a" * 2_000, "[" * 10_000])


@fuzz(150)
@given(hostile)
def test_parser_answers_any_text(text: str) -> None:
    try:
        parsed = parse_specifier(text)
    except SpecifierError as error:
        assert 0 <= error.position <= len(text)
    else:
        assert parse_specifier(str(parsed)) == parsed
    assert try_parse(text) is None or try_parse(text) == parse_specifier(text)


@fuzz(100)
@given(st.integers(1, 60), long_keys)
def test_star_runs_match_long_keys_quickly(stars: int, key: str) -> None:
    """`*a*a…*b` against `aaaa…`: exponential for a backtracking translation of the glob."""
    glob = "*a" * stars + "*b"
    assert action_covers(glob, key) is (key.endswith("b") and "a" in key)
    spec = f"proj/{glob}:env/*:destination/*"
    if key.isalpha():  # `covers` takes a concrete resource: no globs in it
        assert not covers(spec, f"proj/{key}:env/production:destination/x")
    glob_subsumes(glob, "*a" * stars + "*c")
    glob_overlaps(glob, "a*" * stars + "c")
    pattern_covers(
        parse_specifier(spec), parse_specifier(f"proj/{'*a' * stars}c:env/*:destination/*")
    )


@fuzz(300)
@given(st.from_regex(r"[ab*?]{0,8}", fullmatch=True), st.from_regex(r"[ab]{0,10}", fullmatch=True))
def test_linear_glob_matching_agrees_with_backtracking(glob: str, value: str) -> None:
    """The atomic-group translation names exactly the strings the plain one does."""
    plain = re.escape(glob).replace(r"\*", ".*").replace(r"\?", ".")
    expected = re.fullmatch(plain, value, re.DOTALL) is not None
    assert action_covers(glob, value) is (expected and bool(glob))


def _reference(pattern: str, other: str, *, subsume: bool) -> Coverage:
    """The recursive definition `_relate` had before it became a loop (fine when short)."""
    a, a_placeholder = _tokens(pattern)
    b, b_placeholder = _tokens(other)

    @functools.cache
    def step(i: int, j: int) -> Coverage:
        if i == len(a) and j == len(b):
            return Coverage.YES
        options = []
        if i < len(a) and a[i][0] == "star":
            options.append(step(i + 1, j))
            if j < len(b):
                options.append(step(i, j + 1))
        elif j < len(b) and b[j][0] == "star":
            if subsume:
                return Coverage.NO
            options.append(step(i, j + 1))
            if i < len(a):
                options.append(step(i + 1, j))
        elif i < len(a) and j < len(b):
            here = _single(a[i], b[j], subsume=subsume)
            if here is not Coverage.NO:
                options.append(min(here, step(i + 1, j + 1)))
        return max(options, default=Coverage.NO)

    result = step(0, 0)
    if result is not Coverage.NO and (a_placeholder or b_placeholder):
        return Coverage.MAYBE
    return result


small_globs = st.from_regex(r"([ab*?]|\[ab\]|\$\{roleAttribute/x\}){0,6}", fullmatch=True)


@fuzz(400)
@given(small_globs, small_globs)
def test_glob_relations_agree_with_their_recursive_definition(pattern: str, other: str) -> None:
    assert glob_subsumes(pattern, other) in (
        _reference(pattern, other, subsume=True),
        Coverage.YES,  # glob_subsumes answers YES at once for a universal pattern
    )
    if not universal(pattern):
        assert glob_subsumes(pattern, other) == _reference(pattern, other, subsume=True)
    assert glob_overlaps(pattern, other) == _reference(pattern, other, subsume=False)
