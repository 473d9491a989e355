"""LaunchDarkly specifiers, actions, statements, reach and `_access`, from the documented forms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor import launchdarkly
from auditor.launchdarkly import (
    DESTINATION_ACTIONS,
    Coverage,
    Policy,
    Segment,
    Specifier,
    SpecifierError,
    action_covers,
    action_wildcard,
    covers,
    destination_resource,
    glob_overlaps,
    glob_subsumes,
    grants,
    index_destinations,
    match_resource,
    parse_specifier,
    pattern_covers,
    policy_of,
    reach,
    resource_wildcard,
    statement_allows,
    statement_applies,
    targets_action,
    who_can_change,
)
from auditor.models import Destination, Statement

BOUNDED = settings(max_examples=300, deadline=None)

DEST = "proj/payments:env/production:destination/610addeadbeefaa86ec9a7d4"
STAGING_DEST = "proj/payments:env/staging:destination/610addeadbeefaa86ec9a7d4"
FLAG = "proj/payments:env/production:flag/new-checkout"


def spec(*segments: Segment) -> Specifier:
    return Specifier(tuple(segments))


def destination(
    id_: str,
    project: str | None = "payments",
    environment: str | None = "production",
    *,
    index: int = 0,
    access: Any = None,
) -> Destination:
    raw: dict[str, Any] = {"_id": id_, "name": f"export-{id_}", "kind": "kinesis", "on": True}
    if access is not None:
        raw["_access"] = access
    return Destination(
        id=id_,
        name=f"export-{id_}",
        kind="kinesis",
        on=True,
        config={},
        project=project,
        environment=environment,
        pointer=f"/items/{index}",
        index=index,
        raw=raw,
    )


def statement(
    effect: str = "allow",
    *,
    resources: Sequence[str] = (),
    not_resources: Sequence[str] = (),
    actions: Sequence[str] = (),
    not_actions: Sequence[str] = (),
    role_name: str | None = None,
) -> Statement:
    return Statement(
        effect=effect,
        resources=tuple(resources),
        not_resources=tuple(not_resources),
        actions=tuple(actions),
        not_actions=tuple(not_actions),
        role_name=role_name,
        decision="allowed",
        access_actions=(),
        pointer="/items/0/_access/allowed/0",
        key="test-statement",
    )


# --------------------------------------------------------------------------------------------------
# Parsing: LaunchDarkly's documented forms

PARSE_CASES: list[tuple[str, Specifier, str]] = [
    ("proj/*", spec(Segment("proj", "*")), "proj/*"),
    ("proj/default", spec(Segment("proj", "default")), "proj/default"),
    ("proj/*;mobile", spec(Segment("proj", "*", tags=("mobile",))), "proj/*;mobile"),
    (
        "proj/*;tag1,tag2",
        spec(Segment("proj", "*", tags=("tag1", "tag2"))),
        "proj/*;tag1,tag2",
    ),
    (
        "proj/*:env/*:flag/*",
        spec(Segment("proj", "*"), Segment("env", "*"), Segment("flag", "*")),
        "proj/*:env/*:flag/*",
    ),
    (
        "proj/*:env/*:flag/ops_*",
        spec(Segment("proj", "*"), Segment("env", "*"), Segment("flag", "ops_*")),
        "proj/*:env/*:flag/ops_*",
    ),
    (
        "proj/*:env/production:flag/*",
        spec(Segment("proj", "*"), Segment("env", "production"), Segment("flag", "*")),
        "proj/*:env/production:flag/*",
    ),
    (
        "proj/*:env/*;qa_*",
        spec(Segment("proj", "*"), Segment("env", "*", tags=("qa_*",))),
        "proj/*:env/*;qa_*",
    ),
    (
        "proj/*:env/*;qa_*:flag/*",
        spec(Segment("proj", "*"), Segment("env", "*", tags=("qa_*",)), Segment("flag", "*")),
        "proj/*:env/*;qa_*:flag/*",
    ),
    (  # the OpenAPI spec's own example, with a stray "/" before the child type
        "proj/*:env/*;qa_*:/flag/*",
        spec(Segment("proj", "*"), Segment("env", "*", tags=("qa_*",)), Segment("flag", "*")),
        "proj/*:env/*;qa_*:flag/*",
    ),
    (
        "proj/*:env/*:flag/*;tag1,tag2",
        spec(
            Segment("proj", "*"), Segment("env", "*"), Segment("flag", "*", tags=("tag1", "tag2"))
        ),
        "proj/*:env/*:flag/*;tag1,tag2",
    ),
    (
        "proj/*:env/*:destination/*",
        spec(Segment("proj", "*"), Segment("env", "*"), Segment("destination", "*")),
        "proj/*:env/*:destination/*",
    ),
    (
        "proj/*:env/*;{critical:true}:flag/*",
        spec(
            Segment("proj", "*"),
            Segment("env", "*", properties=(("critical", "true"),)),
            Segment("flag", "*"),
        ),
        "proj/*:env/*;{critical:true}:flag/*",
    ),
    (
        "proj/*:env/*;{critical:true}:flag/*;view:${roleAttribute/viewKeys}",
        spec(
            Segment("proj", "*"),
            Segment("env", "*", properties=(("critical", "true"),)),
            Segment("flag", "*", views=("${roleAttribute/viewKeys}",)),
        ),
        "proj/*:env/*;{critical:true}:flag/*;view:${roleAttribute/viewKeys}",
    ),
    (
        "proj/*:env/*;{critical:false}:segment/*",
        spec(
            Segment("proj", "*"),
            Segment("env", "*", properties=(("critical", "false"),)),
            Segment("segment", "*"),
        ),
        "proj/*:env/*;{critical:false}:segment/*",
    ),
    (
        "proj/*:view/${roleAttribute/viewKeys}",
        spec(Segment("proj", "*"), Segment("view", "${roleAttribute/viewKeys}")),
        "proj/*:view/${roleAttribute/viewKeys}",
    ),
    (
        "proj/${roleAttribute/projects}:env/${roleAttribute/update-targeting-environments}:flag/*",
        spec(
            Segment("proj", "${roleAttribute/projects}"),
            Segment("env", "${roleAttribute/update-targeting-environments}"),
            Segment("flag", "*"),
        ),
        "proj/${roleAttribute/projects}:env/${roleAttribute/update-targeting-environments}:flag/*",
    ),
    (
        "proj/brand-x-${roleAttribute/project}",
        spec(Segment("proj", "brand-x-${roleAttribute/project}")),
        "proj/brand-x-${roleAttribute/project}",
    ),
    (  # qualifiers in any order; the formatter writes tags, then properties, then views
        "proj/*:env/*;{critical:true},qa_*",
        spec(
            Segment("proj", "*"),
            Segment("env", "*", tags=("qa_*",), properties=(("critical", "true"),)),
        ),
        "proj/*:env/*;qa_*,{critical:true}",
    ),
    ("member/*", spec(Segment("member", "*")), "member/*"),
    ("member/*:token/*", spec(Segment("member", "*"), Segment("token", "*")), "member/*:token/*"),
    ("role/*", spec(Segment("role", "*")), "role/*"),
    ("acct", spec(Segment("acct")), "acct"),
    ("integration/*", spec(Segment("integration", "*")), "integration/*"),
    ("webhook/*", spec(Segment("webhook", "*")), "webhook/*"),
    ("service-token/*", spec(Segment("service-token", "*")), "service-token/*"),
    (
        "code-reference-repository/*",
        spec(Segment("code-reference-repository", "*")),
        "code-reference-repository/*",
    ),
    ("proj/*:metric/*", spec(Segment("proj", "*"), Segment("metric", "*")), "proj/*:metric/*"),
    (
        "proj/*:metric-group/*",
        spec(Segment("proj", "*"), Segment("metric-group", "*")),
        "proj/*:metric-group/*",
    ),
    (
        "proj/*:env/*:segment/*",
        spec(Segment("proj", "*"), Segment("env", "*"), Segment("segment", "*")),
        "proj/*:env/*:segment/*",
    ),
    (  # `view:` followed by a segment with a "/" is the tag "view" then a child resource
        "proj/*;view:env/*",
        spec(Segment("proj", "*", tags=("view",)), Segment("env", "*")),
        "proj/*;view:env/*",
    ),
]


@pytest.mark.parametrize(("text", "expected", "canonical"), PARSE_CASES)
def test_documented_specifiers_parse_and_format(
    text: str, expected: Specifier, canonical: str
) -> None:
    parsed = parse_specifier(text)
    assert parsed == expected
    assert str(parsed) == canonical
    assert parse_specifier(canonical) == expected


INVALID = [
    ("", 0),
    (":", 0),
    ("/", 1),
    ("proj/", 5),
    ("proj/*:", 7),
    ("proj/*::env/*", 7),
    ("proj/*;", 7),
    ("proj/*;a,,b", 9),
    ("proj/* ", 6),
    (" proj/*", 0),
    ("proj/{a}", 5),
    ("proj/*;{critical}", 16),
    ("proj/*;{critical:true", 21),
    ("proj/*;a/b", 8),
    ("proj/*;view:", 12),
    ("proj/${roleAttribute/}", 5),
    ("proj/${other/x}", 5),
    ("proj/$${roleAttribute/devProjects}", 5),  # Terraform's escaped form, not LaunchDarkly's
    ("proj/*,env/*", 6),
]


@pytest.mark.parametrize(("text", "position"), INVALID)
def test_malformed_specifiers_give_a_typed_error_with_position(text: str, position: int) -> None:
    with pytest.raises(SpecifierError) as caught:
        parse_specifier(text)
    assert isinstance(caught.value, ValueError)
    assert caught.value.position == position
    assert repr(text) in str(caught.value)


def test_non_string_input_is_a_typed_error() -> None:
    with pytest.raises(SpecifierError):
        parse_specifier(42)  # type: ignore[arg-type]


def test_placeholders_are_reported_not_treated_as_wildcards() -> None:
    parsed = parse_specifier("proj/${roleAttribute/projects}:env/*;{critical:true}:flag/*")
    assert parsed.placeholders == ("projects",)
    assert parsed.types == ("proj", "env", "flag")


# --------------------------------------------------------------------------------------------------
# resource_wildcard


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("proj/*", True),
        ("proj/default", False),
        ("proj/default;mobile*", False),  # tag globs do not count
        ("proj/payments:env/*;qa_*", True),
        ("proj/payments:env/production;qa_*:destination/abc", False),
        ("proj/payments:env/production;{critical:true}", False),
        ("proj/payments:env/production:destination/610*", True),
        ("proj/brand-*", True),
        ("proj/pay?", True),
        ("proj/${roleAttribute/projects}:env/production", False),
        ("proj/*:env/*;qa_*:/flag/*", True),
        ("acct", False),
        ("not a specifier", False),
        ("", False),
    ],
)
def test_resource_wildcard(text: str, expected: bool) -> None:
    assert resource_wildcard(text) is expected


# --------------------------------------------------------------------------------------------------
# Coverage of concrete resources

QA_TAGS = {"proj/payments:env/production": {"qa_eu", "pci"}}
PROD_TAGS = {"proj/payments:env/production": {"prod"}}
CRITICAL = {"proj/payments:env/production": {"critical": True}}
NOT_CRITICAL = {"proj/payments:env/production": {"critical": False}}

COVERS_CASES: list[tuple[str, str, dict[str, Any], Coverage]] = [
    ("proj/*", "proj/payments", {}, Coverage.YES),
    ("proj/*", "proj/payments:env/production", {}, Coverage.NO),  # projects, not environments
    ("proj/*", DEST, {}, Coverage.NO),
    ("proj/*:env/*", DEST, {}, Coverage.NO),  # environments, not their destinations
    ("proj/*:env/*", "proj/payments", {}, Coverage.NO),  # a child pattern does not name parents
    ("proj/*:env/*:destination/*", DEST, {}, Coverage.YES),
    ("proj/*:env/production:destination/*", DEST, {}, Coverage.YES),
    ("proj/*:env/production:destination/*", STAGING_DEST, {}, Coverage.NO),
    ("proj/pay*:env/prod*:destination/*", DEST, {}, Coverage.YES),
    ("proj/Payments:env/*:destination/*", DEST, {}, Coverage.NO),  # keys are case-sensitive
    ("proj/*:env/*:destination/610add*", DEST, {}, Coverage.YES),
    ("proj/*:env/*:destination/999*", DEST, {}, Coverage.NO),
    ("proj/*:env/*:flag/*", DEST, {}, Coverage.NO),
    ("proj/*:env/*:flag/*", FLAG, {}, Coverage.YES),
    ("proj/*:env/*:flag/ops_*", FLAG, {}, Coverage.NO),
    ("proj/*:env/*;qa_*:destination/*", DEST, {}, Coverage.MAYBE),  # tags not in the export
    ("proj/*:env/*;qa_*:destination/*", DEST, {"tags": QA_TAGS}, Coverage.YES),
    ("proj/*:env/*;qa_*:destination/*", DEST, {"tags": PROD_TAGS}, Coverage.NO),
    ("proj/*:env/*;qa_*,pci:destination/*", DEST, {"tags": QA_TAGS}, Coverage.YES),
    ("proj/*:env/*;qa_*,sox:destination/*", DEST, {"tags": QA_TAGS}, Coverage.NO),  # AND
    ("proj/*;tag1,tag2", "proj/payments", {"tags": {"proj/payments": {"tag1"}}}, Coverage.NO),
    (
        "proj/*;tag1,tag2",
        "proj/payments",
        {"tags": {"proj/payments": {"tag1", "tag2", "x"}}},
        Coverage.YES,
    ),
    ("proj/*;mobile", "proj/payments", {"tags": {"proj/other": {"mobile"}}}, Coverage.MAYBE),
    ("proj/*:env/*;qa_*:/flag/*", FLAG, {}, Coverage.MAYBE),  # the spec's seed form
    ("proj/*:env/*;qa_*:/flag/*", DEST, {}, Coverage.NO),
    ("proj/*:env/*;{critical:true}:destination/*", DEST, {}, Coverage.MAYBE),
    ("proj/*:env/*;{critical:true}:destination/*", DEST, {"properties": CRITICAL}, Coverage.YES),
    ("proj/*:env/*;{critical:true}:destination/*", DEST, {"properties": NOT_CRITICAL}, Coverage.NO),
    ("proj/*:env/*;{critical:false}:destination/*", DEST, {"properties": CRITICAL}, Coverage.NO),
    ("proj/${roleAttribute/projects}:env/*:destination/*", DEST, {}, Coverage.MAYBE),
    ("proj/brand-x-${roleAttribute/project}:env/*:destination/*", DEST, {}, Coverage.NO),
    ("proj/*:env/*:flag/*;view:frontend", FLAG, {}, Coverage.MAYBE),
    (
        "proj/*:env/*:flag/*;view:front*",
        FLAG,
        {"views": {FLAG: {"frontend", "mobile"}}},
        Coverage.YES,
    ),
    ("proj/*:env/*:flag/*;view:frontend", FLAG, {"views": {FLAG: {"mobile"}}}, Coverage.NO),
    ("acct", "acct", {}, Coverage.YES),
    ("acct", "proj/payments", {}, Coverage.NO),
    ("member/*:token/*", "member/5f1a:token/6a2b", {}, Coverage.YES),
    ("member/*", "member/5f1a:token/6a2b", {}, Coverage.NO),
    ("webhook/*", "webhook/abc", {}, Coverage.YES),
    ("integration/*", "webhook/abc", {}, Coverage.NO),
    ("role/*", "role/admin-lite", {}, Coverage.YES),
    ("proj/*:env/*:segment/*", "proj/payments:env/production:segment/beta", {}, Coverage.YES),
    ("proj/*:metric/*", "proj/payments:metric/latency", {}, Coverage.YES),
    ("not a specifier", DEST, {}, Coverage.NO),  # unparseable names nothing
]


@pytest.mark.parametrize(("pattern", "resource", "facts", "expected"), COVERS_CASES)
def test_match_resource(
    pattern: str, resource: str, facts: dict[str, Any], expected: Coverage
) -> None:
    assert match_resource(pattern, resource, **facts) is expected
    # covers() gives the conservative "could cover" reading by default, a lower bound on request
    assert covers(pattern, resource, **facts) is (expected is not Coverage.NO)
    assert covers(pattern, resource, **facts, unknown=False) is (expected is Coverage.YES)


def test_match_accepts_a_parsed_specifier() -> None:
    parsed = parse_specifier("proj/*:env/production:destination/*")
    assert match_resource(parsed, DEST) is Coverage.YES
    assert covers(parsed, STAGING_DEST) is False


@pytest.mark.parametrize(
    "resource", ["proj/*", "proj/payments;mobile", "proj/${roleAttribute/p}", "bad resource"]
)
def test_a_non_concrete_resource_is_a_typed_error(resource: str) -> None:
    with pytest.raises(SpecifierError):
        covers("proj/*", resource)


def test_destination_resource_form() -> None:
    assert destination_resource(destination("610addeadbeefaa86ec9a7d4")) == DEST
    assert destination_resource(destination("x", project=None)) is None


# --------------------------------------------------------------------------------------------------
# Actions


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("update*", "updateOn", True),
        ("update*", "updateConfiguration", True),
        ("update*", "deleteDestination", False),
        ("*", "deleteDestination", True),
        ("*", "createDestination", True),
        ("*Destination", "deleteDestination", True),
        ("updateOn", "updateOn", True),
        ("updateon", "updateOn", False),  # case-sensitive
        ("updateOn", "updateOnline", False),  # whole-name match
        ("update?ame", "updateName", True),
        ("", "updateOn", False),
    ],
)
def test_action_covers(pattern: str, action: str, expected: bool) -> None:
    assert action_covers(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("*", True), ("update*", True), ("update?ame", True), ("updateOn", False), ("", False)],
)
def test_action_wildcard(pattern: str, expected: bool) -> None:
    assert action_wildcard(pattern) is expected


# --------------------------------------------------------------------------------------------------
# Statements: effect, resources/notResources, actions/notActions

ALL_DESTS = "proj/*:env/*:destination/*"
PROD_DESTS = "proj/*:env/production:destination/*"

ALLOWS_CASES: list[tuple[Statement, str, str, bool | None]] = [
    (statement(resources=[ALL_DESTS], actions=["update*"]), "updateOn", DEST, True),
    (statement("deny", resources=[ALL_DESTS], actions=["*"]), "deleteDestination", DEST, False),
    (statement(resources=[ALL_DESTS], actions=["update*"]), "deleteDestination", DEST, None),
    (statement(resources=["proj/*:env/*:flag/*"], actions=["*"]), "updateOn", DEST, None),
    (statement(resources=[ALL_DESTS], not_actions=["deleteDestination"]), "updateOn", DEST, True),
    (
        statement(resources=[ALL_DESTS], not_actions=["deleteDestination"]),
        "deleteDestination",
        DEST,
        None,
    ),
    (statement(resources=[ALL_DESTS], not_actions=["delete*"]), "deleteDestination", DEST, None),
    (statement(not_resources=[PROD_DESTS], actions=["*"]), "updateOn", STAGING_DEST, True),
    (statement(not_resources=[PROD_DESTS], actions=["*"]), "updateOn", DEST, None),
    (statement("deny", not_resources=[PROD_DESTS], actions=["*"]), "updateOn", STAGING_DEST, False),
    (statement(not_resources=["proj/*:env/*:flag/*"], actions=["*"]), "updateOn", DEST, True),
    (statement(resources=[ALL_DESTS]), "updateOn", DEST, None),  # no actions at all
    (statement(actions=["*"]), "updateOn", DEST, None),  # no resources at all
    (statement(resources=["proj/*", PROD_DESTS], actions=["updateOn"]), "updateOn", DEST, True),
    (statement("Allow", resources=[ALL_DESTS], actions=["*"]), "updateOn", DEST, True),
    (statement("audit", resources=[ALL_DESTS], actions=["*"]), "updateOn", DEST, None),
]


@pytest.mark.parametrize(("stmt", "action", "resource", "expected"), ALLOWS_CASES)
def test_statement_allows(
    stmt: Statement, action: str, resource: str, expected: bool | None
) -> None:
    assert statement_allows(stmt, action, resource) is expected


def test_unknown_tags_count_as_could_cover_unless_asked_for_a_lower_bound() -> None:
    qa_only = statement(resources=["proj/*:env/*;qa_*:destination/*"], actions=["*"])
    assert statement_applies(qa_only, "updateOn", DEST) is Coverage.MAYBE
    assert statement_allows(qa_only, "updateOn", DEST) is True
    assert statement_allows(qa_only, "updateOn", DEST, unknown=False) is None
    assert statement_allows(qa_only, "updateOn", DEST, tags=PROD_TAGS) is None
    assert statement_allows(qa_only, "updateOn", DEST, tags=QA_TAGS, unknown=False) is True


def test_not_resources_with_unknown_tags_stays_uncertain() -> None:
    everything_but_qa = statement(
        not_resources=["proj/*:env/*;qa_*:destination/*"], actions=["updateOn"]
    )
    assert statement_applies(everything_but_qa, "updateOn", DEST) is Coverage.MAYBE
    assert statement_applies(everything_but_qa, "updateOn", DEST, tags=QA_TAGS) is Coverage.NO
    assert statement_applies(everything_but_qa, "updateOn", DEST, tags=PROD_TAGS) is Coverage.YES


# --------------------------------------------------------------------------------------------------
# Reach over an inventory

INVENTORY = (
    destination("610a", "payments", "production", index=0),
    destination("620b", "payments", "production", index=1),
    destination("630c", "payments", "staging", index=2),
    destination("640d", "checkout", "production", index=3),
    destination("650e", "checkout", "qa-eu", index=4),
    destination("660f", None, None, index=5),  # no usable link: project/env unknown
)


def test_reach_of_an_account_wide_statement() -> None:
    result = reach(statement(resources=[ALL_DESTS], actions=["*"]), INVENTORY)
    assert result.destination_ids == ("610a", "620b", "630c", "640d", "650e", "660f")
    assert result.uncertain_ids == ()
    assert (result.count, result.projects, result.environments) == (6, 2, 4)


def test_reach_of_a_production_only_statement() -> None:
    result = reach(statement(resources=[PROD_DESTS], actions=["*"]), INVENTORY)
    assert result.destination_ids == ("610a", "620b", "640d", "660f")
    assert result.uncertain_ids == ("660f",)  # its environment could be production
    assert (result.projects, result.environments) == (2, 2)


def test_reach_with_not_resources_targets_the_rest() -> None:
    result = reach(statement(not_resources=[PROD_DESTS], actions=["*"]), INVENTORY)
    assert result.destination_ids == ("630c", "650e", "660f")
    assert result.uncertain_ids == ("660f",)
    assert (result.projects, result.environments) == (2, 2)


def test_reach_with_an_id_glob() -> None:
    result = reach(
        statement(resources=["proj/payments:env/*:destination/6[12]*"], actions=["*"]), INVENTORY
    )
    assert result.destination_ids == ("610a", "620b")
    assert (result.projects, result.environments) == (1, 1)


def test_reach_with_tags_unknown_then_known() -> None:
    qa = statement(resources=["proj/*:env/*;qa_*:destination/*"], actions=["*"])
    unknown = reach(qa, INVENTORY)
    assert unknown.destination_ids == ("610a", "620b", "630c", "640d", "650e", "660f")
    assert unknown.uncertain_ids == unknown.destination_ids
    tags = {
        "proj/payments:env/production": {"prod"},
        "proj/payments:env/staging": set(),
        "proj/checkout:env/production": {"prod", "pci"},
        "proj/checkout:env/qa-eu": {"qa_eu"},
    }
    known = reach(qa, INVENTORY, tags=tags)
    assert known.destination_ids == ("650e", "660f")
    assert known.uncertain_ids == ("660f",)
    assert (known.projects, known.environments) == (1, 1)


def test_reach_with_critical_environments() -> None:
    critical = statement(resources=["proj/*:env/*;{critical:true}:destination/*"], actions=["*"])
    properties = {
        "proj/payments:env/production": {"critical": True},
        "proj/payments:env/staging": {"critical": False},
        "proj/checkout:env/production": {"critical": True},
        "proj/checkout:env/qa-eu": {"critical": False},
    }
    result = reach(critical, INVENTORY[:5], properties=properties)
    assert result.destination_ids == ("610a", "620b", "640d")
    assert result.uncertain_ids == ()


def test_reach_with_role_attribute_is_an_uncertain_upper_bound() -> None:
    scoped = statement(
        resources=["proj/${roleAttribute/projects}:env/*:destination/*"], actions=["*"]
    )
    result = reach(scoped, INVENTORY)
    assert result.count == 6
    assert result.uncertain_ids == result.destination_ids


def test_reach_filters_by_action_with_actions_and_not_actions() -> None:
    updates = statement(resources=[ALL_DESTS], actions=["update*"])
    assert reach(updates, INVENTORY, "updateOn").count == 6
    assert reach(updates, INVENTORY, "deleteDestination").count == 0
    all_but_delete = statement(resources=[ALL_DESTS], not_actions=["deleteDestination"])
    assert reach(all_but_delete, INVENTORY, "deleteDestination").destination_ids == ()
    assert reach(all_but_delete, INVENTORY, "updateName").count == 6
    assert reach(all_but_delete, INVENTORY).count == 6  # no action: the resource footprint


def test_reach_of_statements_that_name_no_destinations() -> None:
    flags = statement(resources=["proj/*:env/*:flag/*"], actions=["*"])
    envs = statement(resources=["proj/*:env/*"], actions=["*"])
    nothing = statement(actions=["*"])
    for stmt in (flags, envs, nothing):
        assert reach(stmt, INVENTORY) == reach(stmt, ())
        assert reach(stmt, INVENTORY).count == 0


def test_reach_over_a_reusable_index_and_duplicate_ids() -> None:
    index = index_destinations(INVENTORY)
    assert [key for key, _ in index.groups] == [
        ("payments", "production"),
        ("payments", "staging"),
        ("checkout", "production"),
        ("checkout", "qa-eu"),
        (None, None),
    ]
    assert index.size == 6
    prod = statement(resources=[PROD_DESTS], actions=["*"])
    assert reach(prod, index) == reach(prod, INVENTORY)
    doubled = (*INVENTORY, destination("610a", "payments", "production", index=6))
    assert reach(prod, doubled).destination_ids == ("610a", "620b", "640d", "660f")


def test_reach_looks_up_literal_projects_and_ids_without_matching_other_groups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from auditor.launchdarkly import index as reach_module

    keys: list[object] = []
    real = reach_module.segment_match

    def counting(segment: Any, type_: str, key: Any, *args: Any) -> Any:
        keys.append(key)
        return real(segment, type_, key, *args)

    monkeypatch.setattr(reach_module, "segment_match", counting)
    one = statement(resources=["proj/checkout:env/qa-eu:destination/650e"], actions=["*"])
    assert reach(one, INVENTORY).destination_ids == ("650e",)
    assert keys == ["checkout", "qa-eu", "650e"]  # the id is looked up: no other key is met
    keys.clear()
    checkout = statement(resources=["proj/checkout:env/*:destination/*"], actions=["*"])
    assert reach(checkout, INVENTORY).destination_ids == ("640d", "650e", "660f")
    assert "payments" not in keys  # only checkout's groups and the one whose project is unknown


# --------------------------------------------------------------------------------------------------
# Globs against globs, patterns against patterns, and grants

GLOB_RELATIONS = [
    # pattern, other, subsumes, overlaps
    ("*", "prod*", Coverage.YES, Coverage.YES),
    ("prod*", "production-*", Coverage.YES, Coverage.YES),
    ("prod*", "*", Coverage.NO, Coverage.YES),
    ("payments", "*", Coverage.NO, Coverage.YES),
    ("payments", "pay*", Coverage.NO, Coverage.YES),
    ("pay*", "payments", Coverage.YES, Coverage.YES),
    ("a*", "b*", Coverage.NO, Coverage.NO),
    ("*-eu", "*-us", Coverage.NO, Coverage.NO),
    ("p?d", "p*d", Coverage.NO, Coverage.YES),  # p*d names "pxxd" too
    ("p*d", "p?d", Coverage.YES, Coverage.YES),
    ("update*", "updateOn", Coverage.YES, Coverage.YES),
    ("[ab]x", "ax", Coverage.YES, Coverage.YES),
    ("a*", "[ab]", Coverage.NO, Coverage.YES),
    ("[ab]", "[ab]", Coverage.MAYBE, Coverage.MAYBE),
    ("${roleAttribute/p}", "payments", Coverage.MAYBE, Coverage.MAYBE),
]


@pytest.mark.parametrize(("pattern", "other", "subsumes", "overlaps"), GLOB_RELATIONS)
def test_glob_relations(pattern: str, other: str, subsumes: Coverage, overlaps: Coverage) -> None:
    assert glob_subsumes(pattern, other) is subsumes
    assert glob_overlaps(pattern, other) is overlaps


@BOUNDED
@given(
    st.from_regex(r"[ab*?]{0,5}", fullmatch=True),
    st.from_regex(r"[ab*?]{0,5}", fullmatch=True),
    st.from_regex(r"[ab]{0,6}", fullmatch=True),
)
def test_glob_relations_are_sound(pattern: str, other: str, text: str) -> None:
    names_text = action_covers(other, text) or (other == text == "")
    if glob_subsumes(pattern, other) is Coverage.YES and names_text:
        assert action_covers(pattern, text) or pattern == text == ""
    if glob_overlaps(pattern, other) is Coverage.NO and names_text:
        assert not action_covers(pattern, text)


PATTERN_CASES = [
    (ALL_DESTS, PROD_DESTS, Coverage.YES),
    (PROD_DESTS, "proj/*:env/prod*:destination/*", Coverage.NO),
    ("proj/*:env/prod*:destination/*", PROD_DESTS, Coverage.YES),
    ("proj/payments:env/production:destination/*", PROD_DESTS, Coverage.NO),
    ("proj/*;pci:env/*:destination/*", PROD_DESTS, Coverage.MAYBE),
    ("proj/*:env/*", PROD_DESTS, Coverage.NO),
    (ALL_DESTS, DEST, Coverage.YES),
]


@pytest.mark.parametrize(("specifier", "pattern", "expected"), PATTERN_CASES)
def test_pattern_covers(specifier: str, pattern: str, expected: Coverage) -> None:
    assert pattern_covers(parse_specifier(specifier), parse_specifier(pattern)) is expected


PROD = parse_specifier(PROD_DESTS)
GRANT_CASES: list[tuple[Statement, str, str | None, Coverage]] = [
    (statement(resources=[ALL_DESTS], actions=["updateOn"]), "updateOn", PROD_DESTS, Coverage.YES),
    (statement(resources=[ALL_DESTS], actions=["*"]), "update*", PROD_DESTS, Coverage.YES),
    (statement(resources=[ALL_DESTS], actions=["updateOn"]), "update*", PROD_DESTS, Coverage.NO),
    (
        statement(resources=[ALL_DESTS], not_actions=["deleteDestination"]),
        "updateOn",
        PROD_DESTS,
        Coverage.YES,
    ),
    (
        statement(resources=[ALL_DESTS], not_actions=["delete*"]),
        "deleteDestination",
        PROD_DESTS,
        Coverage.NO,
    ),
    (
        statement(not_resources=["proj/payments:env/production:destination/*"], actions=["*"]),
        "updateOn",
        PROD_DESTS,
        Coverage.NO,  # part of production is excluded
    ),
    (
        statement(not_resources=["proj/*:env/staging:destination/*"], actions=["*"]),
        "updateOn",
        PROD_DESTS,
        Coverage.YES,
    ),
    (
        statement(
            resources=[ALL_DESTS],
            not_resources=["proj/*;sandbox:env/*:destination/*"],
            actions=["*"],
        ),
        "updateOn",
        PROD_DESTS,
        Coverage.MAYBE,  # the tags of production projects are not in the export
    ),
    (statement("deny", resources=[ALL_DESTS], actions=["*"]), "updateOn", PROD_DESTS, Coverage.NO),
    (statement(resources=[ALL_DESTS], actions=["*"]), "updateOn", None, Coverage.MAYBE),
    (statement(actions=["*"]), "updateOn", None, Coverage.NO),
]


@pytest.mark.parametrize(("stmt", "action", "on", "expected"), GRANT_CASES)
def test_grants(stmt: Statement, action: str, on: str | None, expected: Coverage) -> None:
    assert grants(stmt, action, None if on is None else parse_specifier(on)) is expected


def test_targets_action_agrees_with_action_covers_for_names() -> None:
    stmt = statement(resources=[ALL_DESTS], actions=["update*"], not_actions=["updateName"])
    assert targets_action(stmt, "updateOn") is Coverage.YES
    assert targets_action(stmt, "updateName") is Coverage.NO
    assert targets_action(stmt, "deleteDestination") is Coverage.NO


def test_policy_of_reads_a_statement_subject() -> None:
    subject = {
        "effect": "allow",
        "resources": [ALL_DESTS],
        "notActions": ["deleteDestination"],
        "role_name": "ops",
    }
    policy = policy_of(subject)
    assert policy == Policy(
        effect="allow", resources=(ALL_DESTS,), not_actions=("deleteDestination",), role_name="ops"
    )
    assert policy_of({"effect": "allow", "resources": "proj/*"}) is None
    assert policy_of({"resources": [ALL_DESTS]}) is None
    assert policy_of(None) is None


def test_the_package_keeps_its_public_api() -> None:
    assert launchdarkly.resource_wildcard("proj/*:env/production")
    assert launchdarkly.resource_wildcard("proj/*:env/production", ["env"]) is False
    assert launchdarkly.resource_wildcard("proj/payments:env/prod*", ["proj", "env"])
    assert set(launchdarkly.__all__) <= set(dir(launchdarkly))


# --------------------------------------------------------------------------------------------------
# who_can_change from `_access`

DATA_TEAM_ALLOW = {
    "effect": "allow",
    "resources": [ALL_DESTS],
    "actions": ["update*"],
    "role_name": "Data team",
}
READERS_DENY = {
    "effect": "deny",
    "resources": ["proj/*:env/production:destination/*"],
    "notActions": ["viewProject"],
    "role_name": "Readers",
}


def test_who_can_change_without_access_is_unknown_never_denied() -> None:
    decisions = who_can_change(destination("610a"))
    assert list(decisions) == list(DESTINATION_ACTIONS)
    assert {d.decision for d in decisions.values()} == {"unknown"}
    assert all(d.reason is None and d.pointer is None for d in decisions.values())


def test_who_can_change_reports_the_deciding_role_and_statement() -> None:
    access = {
        "allowed": [
            {"action": "updateOn", "reason": DATA_TEAM_ALLOW},
            {"action": "updateConfiguration", "reason": DATA_TEAM_ALLOW},
        ],
        "denied": [{"action": "deleteDestination", "reason": READERS_DENY}],
    }
    decisions = who_can_change(destination("610a", index=3, access=access))
    on = decisions["updateOn"]
    assert (on.decision, on.role_name, on.pointer) == (
        "allowed",
        "Data team",
        "/items/3/_access/allowed/0",
    )
    assert on.reason is not None and on.reason.actions == ("update*",)
    assert decisions["updateConfiguration"].pointer == "/items/3/_access/allowed/1"
    delete = decisions["deleteDestination"]
    assert (delete.decision, delete.role_name) == ("denied", "Readers")
    assert delete.pointer == "/items/3/_access/denied/0"
    assert delete.reason is not None and delete.reason.not_actions == ("viewProject",)
    assert delete.reason.resources == ("proj/*:env/production:destination/*",)
    assert decisions["updateName"].decision == "unknown"  # not mentioned


def test_the_cited_statement_really_covers_the_destination() -> None:
    access = {"allowed": [{"action": "updateOn", "reason": DATA_TEAM_ALLOW}], "denied": []}
    dest = destination("610addeadbeefaa86ec9a7d4", access=access)
    reason = who_can_change(dest)["updateOn"].reason
    assert reason is not None
    cited = statement(
        reason.effect or "",
        resources=reason.resources,
        not_resources=reason.not_resources,
        actions=reason.actions,
        not_actions=reason.not_actions,
    )
    resource = destination_resource(dest)
    assert resource == DEST
    assert statement_allows(cited, "updateOn", resource) is True
    assert statement_allows(cited, "deleteDestination", resource) is None


@pytest.mark.parametrize(
    "access",
    [
        [],
        "allowed",
        {"allowed": "updateOn"},
        {"allowed": [None, 3, {"reason": DATA_TEAM_ALLOW}]},
        # the OpenAPI example's placeholder action names no real action
        {
            "denied": [{"action": "<ActionIdentifier string>", "reason": DATA_TEAM_ALLOW}],
            "allowed": [{"action": "<ActionIdentifier string>", "reason": DATA_TEAM_ALLOW}],
        },
    ],
)
def test_malformed_or_silent_access_is_unknown(access: Any) -> None:
    decisions = who_can_change(destination("610a", access=access))
    assert {d.decision for d in decisions.values()} == {"unknown"}


def test_an_entry_without_a_reason_still_decides() -> None:
    access = {"allowed": [{"action": "updateName"}], "denied": []}
    decision = who_can_change(destination("610a", access=access))["updateName"]
    assert (decision.decision, decision.reason, decision.role_name) == ("allowed", None, None)


def test_an_action_listed_both_ways_by_two_roles_is_allowed_and_flagged() -> None:
    # https://launchdarkly.com/docs/home/account/role-policies: across roles the more permissive
    # level of access applies, so the Readers' deny does not take away the Data team's allow
    access = {
        "allowed": [{"action": "updateOn", "reason": DATA_TEAM_ALLOW}],
        "denied": [{"action": "updateOn", "reason": READERS_DENY}],
    }
    decision = who_can_change(destination("610a", access=access))["updateOn"]
    assert (decision.decision, decision.conflicting, decision.role_name) == (
        "allowed",
        True,
        "Data team",
    )


def test_an_action_listed_both_ways_by_one_role_is_denied() -> None:
    # inside one role's policy a matching deny wins, whatever the order
    own_deny = {**READERS_DENY, "role_name": "Data team"}
    access = {
        "allowed": [{"action": "updateOn", "reason": DATA_TEAM_ALLOW}],
        "denied": [{"action": "updateOn", "reason": own_deny}],
    }
    decision = who_can_change(destination("610a", access=access))["updateOn"]
    assert (decision.decision, decision.conflicting, decision.role_name) == (
        "denied",
        True,
        "Data team",
    )
    assert decision.pointer == "/items/0/_access/denied/0"


def test_statements_without_a_role_name_override_nothing() -> None:
    # LaunchDarkly's implicit deny has no role: it does not take away a role's allow
    access = {
        "allowed": [{"action": "updateOn", "reason": {**DATA_TEAM_ALLOW, "role_name": ""}}],
        "denied": [{"action": "updateOn", "reason": {"effect": "deny"}}],
    }
    decision = who_can_change(destination("610a", access=access))["updateOn"]
    assert (decision.decision, decision.pointer) == ("allowed", "/items/0/_access/allowed/0")
    alone = who_can_change(destination("610a", access={"denied": access["denied"]}))
    assert alone["updateOn"].decision == "denied"


def test_who_can_change_for_chosen_actions() -> None:
    access = {"allowed": [{"action": "createDestination", "reason": DATA_TEAM_ALLOW}]}
    decisions = who_can_change(destination("610a", access=access), ["createDestination"])
    assert list(decisions) == ["createDestination"]
    assert decisions["createDestination"].decision == "allowed"


# --------------------------------------------------------------------------------------------------
# Properties

TOKENS = [
    "proj", "env", "flag", "destination", "acct", "view", "view:", "roleAttribute", "${", "$",
    "${roleAttribute/x}", "/", "*", "?", "[", "]", ":", ";", ",", "{", "}", "critical", "true",
    " ", "\n", "\x00", "é", "a", "-", "_", ".",
]  # fmt: skip
noisy_text = st.lists(st.sampled_from(TOKENS), max_size=14).map("".join)
any_text = st.one_of(st.text(max_size=40), noisy_text)

_name = st.from_regex(r"[A-Za-z0-9_.\-]{1,6}", fullmatch=True)
_chunk = st.one_of(
    st.from_regex(r"[A-Za-z0-9_.\-*?\[\]]{1,5}", fullmatch=True),
    _name.map(lambda n: "${roleAttribute/" + n + "}"),
)
_glob = st.lists(_chunk, min_size=1, max_size=3).map("".join)
_key = st.lists(st.one_of(_chunk, st.just("/")), min_size=1, max_size=4).map("".join)
segments = st.builds(
    Segment,
    st.from_regex(r"[A-Za-z0-9_.\-*?]{1,8}", fullmatch=True),
    st.one_of(st.none(), _key),
    st.lists(_glob.filter(lambda t: t != "view"), max_size=2).map(tuple),
    st.lists(st.tuples(_name, _name), max_size=2).map(tuple),
    st.lists(_glob, max_size=2).map(tuple),
)
specifiers = (
    st.lists(segments, min_size=1, max_size=4)
    .map(lambda s: Specifier(tuple(s)))
    # a bare glob (`*`) is not a specifier: LaunchDarkly rejects it
    .filter(lambda s: len(s.segments) > 1 or s.segments[0].key is not None or not s.wildcard)
)


@BOUNDED
@given(any_text)
def test_any_string_parses_or_gives_the_typed_error(text: str) -> None:
    try:
        parsed = parse_specifier(text)
    except SpecifierError as error:
        assert 0 <= error.position <= len(text)
    else:
        assert isinstance(parsed, Specifier)
        assert parse_specifier(str(parsed)) == parsed


@BOUNDED
@given(specifiers)
def test_formatting_round_trips(specifier: Specifier) -> None:
    assert parse_specifier(str(specifier)) == specifier


@BOUNDED
@given(any_text, st.sampled_from([DEST, FLAG, "proj/payments", "acct", "member/a:token/b"]))
def test_matching_any_pattern_never_raises(pattern: str, resource: str) -> None:
    assert isinstance(resource_wildcard(pattern), bool)
    assert match_resource(pattern, resource) in (Coverage.NO, Coverage.MAYBE, Coverage.YES)
    assert isinstance(covers(pattern, resource), bool)
    assert isinstance(action_covers(pattern, "updateOn"), bool)
    assert isinstance(action_wildcard(pattern), bool)


@BOUNDED
@given(st.from_regex(r"[A-Za-z]{1,20}", fullmatch=True))
def test_star_covers_every_action_and_a_plain_action_covers_itself(action: str) -> None:
    assert action_covers("*", action)
    assert action_covers(action, action)
    assert not action_wildcard(action)
    assert not action_covers(action + "X", action)


_projects = ["payments", "checkout", "pay-eu"]
_environments = ["production", "staging", "prod-eu"]
inventories = st.lists(
    st.tuples(st.sampled_from(_projects), st.sampled_from(_environments)), max_size=12
).map(
    lambda pairs: tuple(
        destination(f"6{i:x}{i * 7 % 16:x}", p, e, index=i) for i, (p, e) in enumerate(pairs)
    )
)
_pattern = st.builds(
    lambda p, e, tag, d, short: (
        f"proj/{p}:env/{e}{tag}" if short else f"proj/{p}:env/{e}{tag}:destination/{d}"
    ),
    st.sampled_from(["*", "payments", "pay*", "${roleAttribute/p}", "nope"]),
    st.sampled_from(["*", "production", "prod*", "staging"]),
    st.sampled_from(["", ";qa_*", ";{critical:true}"]),
    st.sampled_from(["*", "6*", "61*", "6[0-3]*", "600", "617"]),
    st.booleans(),
)
_patterns = st.lists(_pattern, max_size=2)
statements = st.builds(
    lambda eff, res, notres, acts: statement(
        eff, resources=res, not_resources=notres, actions=acts
    ),
    st.sampled_from(["allow", "deny"]),
    _patterns,
    _patterns,
    st.sampled_from([["*"], ["update*"], ["deleteDestination"]]),
)


@BOUNDED
@given(statements, inventories, st.sampled_from([None, "updateOn", "deleteDestination"]))
def test_indexed_reach_agrees_with_checking_each_destination(
    stmt: Statement, inventory: tuple[Destination, ...], action: str | None
) -> None:
    result = reach(stmt, inventory, action)
    expected: dict[str, Coverage] = {}
    for dest in inventory:
        resource = destination_resource(dest)
        assert resource is not None
        if action is None:  # no action: the resource footprint, whatever the actions
            footprint = statement(
                resources=stmt.resources, not_resources=stmt.not_resources, actions=["*"]
            )
            coverage = statement_applies(footprint, "anyAction", resource)
        else:
            coverage = statement_applies(stmt, action, resource)
        if coverage is not Coverage.NO:
            expected.setdefault(dest.id, coverage)
    assert result.destination_ids == tuple(expected)
    assert result.uncertain_ids == tuple(i for i, c in expected.items() if c is Coverage.MAYBE)
    reached = [d for d in inventory if d.id in expected]
    assert result.projects == len({d.project for d in reached})
    assert result.environments == len({(d.project, d.environment) for d in reached})
