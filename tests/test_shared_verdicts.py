"""A statement rule that reads only the statement is decided once per distinct statement."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from test_scaling import account

from auditor.engine import CompiledRule, evaluate, evaluate_with_coverage
from auditor.language.conditions import Compiled, statement_reads
from auditor.launchdarkly.document import build_document
from auditor.models import STATEMENT_ATTRIBUTES
from auditor.rulebook.ruleset import compile_rule, load_rules

RULES = {r.id: compile_rule(r) for r in load_rules()}


def _counted(condition: Compiled, calls: list[int]) -> Compiled:
    test = condition.test

    def counting(value: Any, ctx: Any) -> bool:
        calls[0] += 1
        return test(value, ctx)

    return Compiled(condition.parts, counting)


def test_a_statement_only_check_runs_once_per_distinct_field_value() -> None:
    destinations = build_document(account(300)).destinations
    rule = RULES["wildcard-resource-grant"]
    assert rule.check_reads == ("resources",)
    calls = [0]
    counted = replace(rule, check=_counted(rule.check, calls))
    findings = evaluate([counted], destinations)
    guarded = {
        s.resources
        for d in destinations
        for s in d.statements
        if s.effect == "allow" and s.decision == "allowed"
    }
    assert calls[0] == len(guarded)
    # the same findings as deciding every statement afresh
    alone = evaluate([replace(rule, when_reads=None, check_reads=None)], destinations)
    assert [f.fingerprint for f in findings] == [f.fingerprint for f in alone]
    assert [f.message for f in findings] == [f.message for f in alone]


@pytest.mark.parametrize("rule_id", [r for r, c in RULES.items() if c.rule.scope == "statements"])
def test_sharing_changes_no_finding(rule_id: str) -> None:
    destinations = build_document(account(120)).destinations
    rule: CompiledRule = RULES[rule_id]
    shared, covered = evaluate_with_coverage([rule], destinations)
    alone, by_each = evaluate_with_coverage(
        [replace(rule, when_reads=None, check_reads=None)], destinations
    )
    assert [(f.fingerprint, f.message, f.explanation) for f in shared] == [
        (f.fingerprint, f.message, f.explanation) for f in alone
    ]
    assert covered == by_each  # what the rule was evaluated on, destination by destination


@pytest.mark.parametrize(
    ("spec", "reads"),
    [
        ({"effect": {"equals": "allow"}}, ("effect",)),
        ({"resources": {"none": {"resource_wildcard": True}}}, ("resources",)),
        (
            {"or": [{"notActions": {"empty": False}}, {"role_name": {"exists": True}}]},
            ("not_actions", "role_name"),
        ),
        ({"destination.on": {"equals": True}}, None),  # reads the destination
        ({"can": {"action": "updateOn", "allowed": True}}, None),  # reads `_access`
        ({"resources": {"any": {"grants": {"action": "updateOn"}}}}, None),
        ({"reach": {"destinations": {"gte": 2}}}, tuple(sorted(STATEMENT_ATTRIBUTES.values()))),
    ],
)
def test_what_a_condition_reads(spec: Any, reads: tuple[str, ...] | None) -> None:
    assert statement_reads(spec) == reads
