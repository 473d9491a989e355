"""Reach through the index: the same answer as matching every destination, for what it matches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.launchdarkly import globsets
from auditor.launchdarkly.globs import Coverage, compile_glob
from auditor.launchdarkly.index import DestinationIndex, Reach, reach
from auditor.launchdarkly.inventory import Inventory
from auditor.launchdarkly.resources import UNKNOWN, KnownFacts, segment_match
from auditor.launchdarkly.specifiers import try_parse
from auditor.launchdarkly.statements import Policy, action_applies, combine
from auditor.models import Destination

BOUNDED = settings(max_examples=200, deadline=None)
LEVELS = ("proj", "env", "destination")
NO_FACTS = KnownFacts(None, None, None)


def destination(position: int, ident: str, project: str | None, environment: str | None) -> Any:
    return Destination(
        id=ident,
        name=f"export-{ident}",
        kind="kinesis",
        on=True,
        config={},
        project=project,
        environment=environment,
        pointer=f"/items/{position}",
        index=position,
        raw={},
    )


def matched_one_by_one(
    policy: Policy,
    destinations: Sequence[Destination],
    action: str | None = None,
    facts: KnownFacts = NO_FACTS,
) -> Reach:
    """Reach as its definition reads: every destination, every segment, one at a time."""
    if action is not None and not action_applies(policy, action):
        return Reach((), (), 0, 0)
    if not policy.resources and not policy.not_resources:
        return Reach((), (), 0, 0)

    def parsed(texts: tuple[str, ...]) -> list[Any] | None:
        if not texts:
            return None
        specs = (try_parse(t) for t in texts)
        return [s for s in specs if s is not None and len(s.segments) == 3]

    including, excluding = parsed(policy.resources), parsed(policy.not_resources)
    reached: list[str] = []
    uncertain: list[str] = []
    projects: set[str] = set()
    environments: set[tuple[str, str]] = set()
    for d in destinations:
        project, environment = d.project or None, d.environment or None
        keys = (
            UNKNOWN if project is None else project,
            UNKNOWN if environment is None else environment,
            d.id,
        )
        first = None if project is None else f"proj/{project}"
        second = None if first is None or environment is None else f"{first}:env/{environment}"
        prefixes = (first, second, None if second is None else f"{second}:destination/{d.id}")

        def one(spec: Any, keys: Any = keys, prefixes: Any = prefixes) -> Coverage:
            parts = zip(spec.segments, LEVELS, keys, prefixes, strict=True)
            return min(segment_match(s, t, k, p, facts) for s, t, k, p in parts)

        answer = combine(
            None if including is None else [one(s) for s in including],
            None if excluding is None else [one(s) for s in excluding],
        )
        if answer is Coverage.NO or d.id in reached:
            continue
        reached.append(d.id)
        if answer is Coverage.MAYBE:
            uncertain.append(d.id)
        if d.project:
            projects.add(d.project)
            if d.environment:
                environments.add((d.project, d.environment))
    return Reach(tuple(reached), tuple(uncertain), len(projects), len(environments))


PROJECTS = ["web-1", "web-2", "api-1", "", None]
ENVIRONMENTS = ["production", "prod-eu", "staging", None]
IDS = ["a1", "a2", "b1", "b2", "q1x"]
PROJECT_KEYS = ["*", "web-*", "web-1", "api-?", "${roleAttribute/p}", "w*1", "[wa]*", "*q1*"]
ENV_KEYS = ["*", "prod*", "production", "staging", "*-eu"]
DEST_KEYS = ["*", "a*", "a1", "b2", "?1", "[ab]2", "${roleAttribute/d}"]
QUALIFIERS = ["", ";beta", ";{critical:true}", ";view:ops"]

destinations_st = st.lists(
    st.tuples(st.sampled_from(IDS), st.sampled_from(PROJECTS), st.sampled_from(ENVIRONMENTS)),
    max_size=12,
).map(lambda rows: [destination(n, *row) for n, row in enumerate(rows)])

specifier_st = st.one_of(
    st.builds(
        "proj/{}{}:env/{}{}:{}/{}".format,
        st.sampled_from(PROJECT_KEYS),
        st.sampled_from(QUALIFIERS),
        st.sampled_from(ENV_KEYS),
        st.sampled_from(QUALIFIERS),
        st.sampled_from(["destination", "destination", "flag", "dest*"]),
        st.sampled_from(DEST_KEYS),
    ),
    st.sampled_from(["proj/*:env/*", "proj/web-1", "not a specifier", "proj/*:env/*:destination"]),
)

policy_st = st.builds(
    Policy,
    effect=st.just("allow"),
    resources=st.lists(specifier_st, max_size=3).map(tuple),
    not_resources=st.lists(specifier_st, max_size=2).map(tuple),
    actions=st.sampled_from([(), ("*",), ("update*",), ("deleteDestination",)]),
    not_actions=st.sampled_from([(), ("updateOn",)]),
)

tags_st = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["proj/web-1:env/production", "proj/web-2:env/staging", "proj/api-1"]),
        st.sets(st.sampled_from(["beta", "pci"])),
    ),
)


@BOUNDED
@given(policy_st, destinations_st, st.sampled_from([None, "updateOn", "deleteDestination"]))
def test_indexed_reach_is_reach_by_definition(
    policy: Policy, destinations: list[Destination], action: str | None
) -> None:
    assert reach(policy, destinations, action) == matched_one_by_one(policy, destinations, action)


@BOUNDED
@given(policy_st, destinations_st, tags_st)
def test_indexed_reach_with_known_tags_is_reach_by_definition(
    policy: Policy, destinations: list[Destination], tags: Any
) -> None:
    facts = KnownFacts(tags, None, None)
    expected = matched_one_by_one(policy, destinations, facts=facts)
    assert reach(policy, destinations, tags=tags) == expected


@BOUNDED
@given(policy_st, destinations_st)
def test_globs_matched_together_give_the_same_reach(
    policy: Policy, destinations: list[Destination]
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(globsets, "_DIRECT", 0)  # the anchor index even for a handful of globs
        assert reach(policy, destinations) == matched_one_by_one(policy, destinations)


@BOUNDED
@given(
    st.lists(st.from_regex(r"[ab*?]{0,4}|\[ab\]\*|\$\{roleAttribute/x\}b", fullmatch=True)),
    st.lists(st.from_regex(r"[ab]{0,5}", fullmatch=True)),
)
def test_many_globs_name_what_each_glob_names(globs: list[str], keys: list[str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(globsets, "_DIRECT", 0)
        found = globsets.match_many(globs, keys)
    for glob in globs:
        assert found[glob] == [k for k in keys if compile_glob(glob)[0].fullmatch(k)]


def test_a_reach_is_remembered_per_statement_content_for_the_run() -> None:
    inventory = Inventory([destination(n, f"d{n}", "web-1", "production") for n in range(4)])
    one = Policy(effect="allow", resources=("proj/*:env/*:destination/*",), actions=("*",))
    same = Policy(
        effect="allow", resources=("proj/*:env/*:destination/*",), actions=("*",), role_name="x"
    )
    assert inventory.reach(one, "updateOn") is inventory.reach(same, "updateOn")
    assert inventory.reach(one, "updateOn").count == 4


def test_reach_less_another_reach_counts_what_is_left() -> None:
    inventory = Inventory(
        [
            destination(0, "d0", "web-1", "production"),
            destination(1, "d1", "web-1", "staging"),
            destination(2, "d2", "web-2", "production"),
        ]
    )
    allow = Policy(effect="allow", resources=("proj/*:env/*:destination/*",), actions=("*",))
    deny = Policy(effect="deny", resources=("proj/*:env/staging:destination/*",), actions=("*",))
    left = inventory.subtract(inventory.reach(allow, "updateOn"), inventory.reach(deny, "updateOn"))
    assert left == Reach(("d0", "d2"), (), 2, 2)


def accounts(size: int) -> list[Destination]:
    """`size` destinations, 10 per project, each in one of three environments."""
    return [
        destination(n, f"id{n:06d}", f"team-{n // 10}", ("production", "staging", "prod-eu")[n % 3])
        for n in range(size)
    ]


def test_a_reach_costs_what_it_matches_not_the_inventory() -> None:
    def work(size: int) -> int:
        index = DestinationIndex(accounts(size))
        for n in range(0, size, 7):  # statements naming one destination under project globs
            own = Policy(
                effect="allow", resources=(f"proj/team-*:env/prod*:destination/id{n:06d}",)
            )
            assert reach(own, index).count == (n % 3 != 1)
        wide = Policy(effect="allow", resources=("proj/team-1*:env/*:destination/*",))
        reach(wide, index)
        return index.key_tests

    small, large = work(300), work(3000)
    assert 0 < large <= 11 * small, (small, large)


def test_thousands_of_glob_resources_are_matched_together() -> None:
    index = DestinationIndex(
        [destination(n, f"id{n}", f"team-q{n}-x", "production") for n in range(2000)]
    )
    many = Policy(
        effect="allow", resources=tuple(f"proj/*q{n}*:env/*:destination/*" for n in range(2000))
    )
    assert reach(many, index).count == 2000
    # Each project key is tested against the globs whose literal text it holds, not all 2,000.
    assert index.key_tests < 2000 * 20, index.key_tests


@BOUNDED
@given(st.from_regex(r"[ab*?/:;,${}\[\] \té]{0,12}", fullmatch=True))
def test_the_quick_parse_agrees_with_the_parser(text: str) -> None:
    from auditor.launchdarkly.specifiers import SpecifierError, _Parser, _plain

    quick = _plain(text)
    try:
        parsed = _Parser(text).specifier()
    except SpecifierError:
        assert quick is None
    else:
        assert quick is None or quick == parsed


@BOUNDED
@given(
    st.from_regex(
        r"[ab*?]{0,6}|[ab*]{0,3}\[!?ab\][ab*]{0,2}|a\$\{roleAttribute/x\}b?", fullmatch=True
    ),
    st.from_regex(r"[ab\[\]$]{0,7}", fullmatch=True),
)
def test_the_quick_glob_test_agrees_with_the_regex(glob: str, text: str) -> None:
    from auditor.launchdarkly.globs import glob_test

    assert glob_test(glob)(text) == (compile_glob(glob)[0].fullmatch(text) is not None)


@BOUNDED
@given(st.from_regex(r"[a*?$\[\]]{0,5}|\$\{roleAttribute/x\}\*?", fullmatch=True))
def test_universal_globs_are_those_that_compile_to_everything(glob: str) -> None:
    from auditor.launchdarkly.globs import universal

    assert universal(glob) == compile_glob(glob)[2]
