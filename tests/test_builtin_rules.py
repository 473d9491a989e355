"""Every built-in rule's executable examples, one test per rule id, and the rules' own hygiene."""

from __future__ import annotations

import pytest

from auditor.launchdarkly.kinds import KNOWN_KINDS
from auditor.rulebook.examples import run_examples
from auditor.rulebook.ruleset import compile_rule, load_rules

RULES = load_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_examples(rule):
    assert rule.examples_pass, "a rule needs at least one pass example"
    assert rule.examples_fail, "a rule needs at least one fail example"
    failures = [o for o in run_examples(compile_rule(rule)) if not o.ok]
    assert not failures, [f"{o.expected}[{o.index}]: {o.detail}" for o in failures]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_documents_itself(rule):
    for text in (rule.title, rule.summary, rule.rationale, rule.remediation):
        assert len(text.strip()) > 10
    assert rule.references and rule.compliance and rule.tags


def test_known_kinds_param_matches_the_kind_table():
    rule = next(r for r in RULES if r.id == "unknown-destination-kind")
    assert sorted(rule.params["known_kinds"]) == sorted(KNOWN_KINDS)


def test_the_issue_rule_set_is_present():
    expected = {
        "destination-disabled": "medium",
        "wildcard-resource-grant": "high",
        "wildcard-action-grant": "high",
        "inverted-grant": "high",
        "destination-config-missing": "high",
        "unknown-destination-kind": "low",
        "access-not-reported": "info",
        "broad-destructive-grant": "critical",
        "production-export-can-be-disabled": "high",
        "grant-without-role": "low",
        "unmasked-secret": "critical",
        "destination-target-not-approved": "high",
        "duplicate-destination": "medium",
        "unparseable-specifier": "low",
    }
    actual = {r.id: r.severity.label for r in RULES}
    assert expected.items() <= actual.items()


def test_a_wrong_example_is_caught(tmp_path):
    rule = tmp_path / "always-on.yaml"
    rule.write_text(
        "id: always-on\ntitle: t\nseverity: low\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert: {'on': {equals: true}}\nmessage: m\n"
        "examples:\n  pass: [{_id: a, name: a, kind: kinesis, 'on': false}]\n"
    )
    (loaded,) = load_rules([str(rule)], builtin=False)
    outcomes = run_examples(compile_rule(loaded))
    assert [(o.expected, o.ok, o.detail) for o in outcomes] == [("pass", False, "finding")]


def test_an_opt_in_rule_makes_no_finding_until_configured():
    from dataclasses import replace

    rule = next(r for r in RULES if r.id == "destination-target-not-approved")
    assert "opt-in" in rule.tags and rule.params == {"approved_targets": {}}
    unconfigured = compile_rule(replace(rule, examples_params={}))
    fails = [o for o in run_examples(unconfigured) if o.expected == "fail"]
    assert fails and all(o.detail == "no finding" for o in fails)
