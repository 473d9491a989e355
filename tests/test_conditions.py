"""The closed operator vocabulary: each operator, missing paths, params and compile errors."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.language.conditions import compile_condition
from auditor.language.vocabulary import ConditionError

SUBJECT: dict[str, Any] = {
    "name": "payments-events",
    "on": True,
    "version": 3,
    "ratio": 0.5,
    "nothing": None,
    "blank": "",
    "config": {"region": "us-east-1", "roleArn": "arn:aws:iam::123456789012:role/x"},
    "tags": ["pci", "prod"],
    "resources": ["proj/*:env/production:destination/*", "proj/payments:env/qa:destination/d1"],
    "entries": [{"action": "updateOn", "n": 1}, {"action": "updateName", "n": 2}],
}


def holds(spec: Any, subject: Any = SUBJECT, params: dict[str, Any] | None = None) -> bool:
    return compile_condition(spec, params or {}).holds(subject)


CASES = [
    # operator, condition, holds
    ("equals", {"name": {"equals": "payments-events"}}, True),
    ("equals", {"name": {"equals": "other"}}, False),
    ("equals-bool-not-int", {"on": {"equals": 1}}, False),
    ("equals-int-float", {"version": {"equals": 3.0}}, True),
    (
        "equals-nested",
        {
            "config": {
                "equals": {"region": "us-east-1", "roleArn": "arn:aws:iam::123456789012:role/x"}
            }
        },
        True,
    ),
    ("not_equals", {"name": {"not_equals": "other"}}, True),
    ("not_equals", {"name": {"not_equals": "payments-events"}}, False),
    ("in", {"config.region": {"in": ["us-east-1", "eu-west-1"]}}, True),
    ("in", {"config.region": {"in": ["eu-west-1"]}}, False),
    ("not_in", {"config.region": {"not_in": ["eu-west-1"]}}, True),
    ("not_in", {"config.region": {"not_in": ["us-east-1"]}}, False),
    ("exists", {"config.region": {"exists": True}}, True),
    ("exists-null-value", {"nothing": {"exists": True}}, True),
    ("exists-false", {"config.region": {"exists": False}}, False),
    ("empty-null", {"nothing": {"empty": True}}, True),
    ("empty-string", {"blank": {"empty": True}}, True),
    ("empty-list", {"tags": {"empty": False}}, True),
    ("empty-false", {"tags": {"empty": True}}, False),
    ("matches", {"config.roleArn": {"matches": r"::\d{12}:"}}, True),
    ("matches-search", {"name": {"matches": "events"}}, True),
    ("matches", {"name": {"matches": "^events"}}, False),
    ("matches-non-string", {"version": {"matches": "3"}}, False),
    ("glob", {"name": {"glob": "payments-*"}}, True),
    ("glob", {"name": {"glob": "web-*"}}, False),
    ("contains-string", {"name": {"contains": "ments"}}, True),
    ("contains-list", {"tags": {"contains": "pci"}}, True),
    ("contains-list", {"tags": {"contains": "gdpr"}}, False),
    ("contains-mapping-key", {"config": {"contains": "region"}}, True),
    ("gt", {"version": {"gt": 2}}, True),
    ("gt", {"version": {"gt": 3}}, False),
    ("gte", {"version": {"gte": 3}}, True),
    ("lt", {"ratio": {"lt": 1}}, True),
    ("lte", {"ratio": {"lte": 0.4}}, False),
    ("gt-bool-is-not-number", {"on": {"gt": 0}}, False),
    ("type", {"config": {"type": "object"}}, True),
    ("type-list", {"nothing": {"type": ["string", "null"]}}, True),
    ("type-integer", {"version": {"type": "integer"}}, True),
    ("type", {"on": {"type": "number"}}, False),
    ("length", {"tags": {"length": {"min": 2, "max": 2}}}, True),
    ("length", {"name": {"length": {"max": 5}}}, False),
    ("schema", {"config": {"schema": {"required": ["region"]}}}, True),
    ("schema", {"config": {"schema": {"required": ["streamName"]}}}, False),
    ("any", {"tags": {"any": {"equals": "prod"}}}, True),
    ("any", {"tags": {"any": {"equals": "dev"}}}, False),
    ("all", {"tags": {"all": {"type": "string"}}}, True),
    ("all-empty-list", {"blank": {"all": {"equals": 1}}}, False),
    ("all-of-mappings", {"entries": {"all": {"action": {"glob": "update*"}}}}, True),
    ("none", {"resources": {"none": {"resource_wildcard": True}}}, False),
    ("none", {"tags": {"none": {"equals": "dev"}}}, True),
    ("count", {"entries": {"count": {"where": {"n": {"gte": 2}}, "equals": 1}}}, True),
    ("count-all", {"entries": {"count": {"gte": 3}}}, False),
    ("resource_wildcard", {"resources.0": {"resource_wildcard": True}}, True),
    ("resource_wildcard-named", {"resources.1": {"resource_wildcard": True}}, False),
    ("action_wildcard", {"entries.0.action": {"action_wildcard": False}}, True),
    ("and", {"and": [{"on": {"equals": True}}, {"version": {"gt": 1}}]}, True),
    ("or", {"or": [{"on": {"equals": False}}, {"version": {"gt": 1}}]}, True),
    ("not", {"not": {"on": {"equals": True}}}, False),
    ("several-keys-all-must-hold", {"on": {"equals": True}, "version": {"gt": 10}}, False),
    ("operator-on-the-subject", {"type": "object"}, True),
]


@pytest.mark.parametrize(("spec", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_operator(spec, expected):
    assert holds(spec) is expected


MISSING_CASES = [
    ("equals", {"equals": None}),
    ("not_equals", {"not_equals": "x"}),
    ("in", {"in": [None]}),
    ("not_in", {"not_in": ["x"]}),
    ("empty", {"empty": True}),
    ("empty-false", {"empty": False}),
    ("matches", {"matches": ".*"}),
    ("glob", {"glob": "*"}),
    ("contains", {"contains": "x"}),
    ("gt", {"gt": 0}),
    ("gte", {"gte": 0}),
    ("lt", {"lt": 0}),
    ("lte", {"lte": 0}),
    ("type", {"type": "null"}),
    ("length", {"length": {"min": 0}}),
    ("schema", {"schema": True}),
    ("any", {"any": {"exists": True}}),
    ("all", {"all": {"exists": True}}),
    ("none", {"none": {"exists": True}}),
    ("count", {"count": {"gte": 0}}),
    ("resource_wildcard", {"resource_wildcard": False}),
    ("action_wildcard", {"action_wildcard": False}),
    ("exists-true", {"exists": True}),
]


@pytest.mark.parametrize("test", [c[1] for c in MISSING_CASES], ids=[c[0] for c in MISSING_CASES])
def test_a_missing_path_fails_every_operator_but_exists_false(test):
    assert holds({"config.streamName": test}) is False
    assert holds({"no.such.path": test}) is False


def test_exists_false_holds_on_a_missing_path():
    assert holds({"config.streamName": {"exists": False}}) is True
    assert holds({"name.deeper": {"exists": False}}) is True  # through a string
    assert holds({"tags.7": {"exists": False}}) is True  # past the end of a list


def test_not_of_a_missing_path_holds():
    assert holds({"not": {"config.streamName": {"equals": "x"}}}) is True


def test_param_operands_are_resolved_at_compile_time():
    params = {"regions": ["us-east-1"], "max": 2}
    assert holds({"config.region": {"in": {"param": "regions"}}}, params=params) is True
    assert holds({"version": {"lte": {"param": "max"}}}, params=params) is False


def test_unknown_param_is_a_compile_error():
    with pytest.raises(ConditionError) as err:
        compile_condition({"name": {"in": {"param": "nope"}}}, {"known": 1}, ("assert",))
    assert err.value.where == ("assert", "name", "in")
    assert err.value.message == "unknown param 'nope' (the rule declares: known)"


@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        (
            {"name": {"containz": "x"}},
            ("name",),
            "unknown operator 'containz' (did you mean 'contains'?)",
        ),
        (
            {"name": {"matches": "("}},
            ("name", "matches"),
            "invalid regular expression: missing ): (",
        ),
        ({"name": {"in": "x"}}, ("name", "in"), "expected a list"),
        ({"name": {"exists": "yes"}}, ("name", "exists"), "expected true or false"),
        (
            {"tags": {"length": {"min": "1"}}},
            ("tags", "length"),
            "expected {min: n, max: n} with whole numbers",
        ),
        (
            {"name": {"type": "str"}},
            ("name", "type"),
            "expected one of string, number, integer, boolean, array, object, null (or a list of them)",
        ),
        ({"and": []}, ("and",), "expected a non-empty list of conditions"),
        ({"name": {}}, ("name",), "expected a non-empty mapping of paths, operators or and/or/not"),
        ({"config": {"schema": {"type": "nope"}}}, ("config", "schema"), None),
        ({"version": {"gt": "3"}}, ("version", "gt"), "expected a number"),
    ],
)
def test_compile_errors_name_the_place(spec, where, message):
    with pytest.raises(ConditionError) as err:
        compile_condition(spec, {})
    assert err.value.where == where
    if message is not None:
        assert err.value.message == message
    else:
        assert err.value.message.startswith("invalid JSON Schema:")


def test_failing_path_names_the_first_key_that_does_not_hold():
    compiled = compile_condition({"on": {"equals": True}, "version": {"gt": 10}}, {})
    assert compiled.failing_path(SUBJECT) == "version"
    assert compile_condition({"type": "array"}, {}).failing_path(SUBJECT) is None
