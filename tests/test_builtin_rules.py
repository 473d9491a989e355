"""Every built-in rule's executable examples behave as documented, one test per rule id."""

from __future__ import annotations

import pytest

from auditor.examples import run_examples
from auditor.models import Rule
from auditor.ruleset import compile_rule, load_rules

BUILTIN = load_rules()


@pytest.mark.parametrize("rule", BUILTIN, ids=[r.id for r in BUILTIN])
def test_examples(rule: Rule) -> None:
    outcomes = run_examples(compile_rule(rule))
    failed = [f"{o.expected}[{o.index}]: {o.detail}" for o in outcomes if not o.ok]
    assert not failed
    assert rule.examples_pass, "a built-in rule needs a pass example"
    assert rule.examples_fail, "a built-in rule needs a fail example"


def test_builtin_rules_exist() -> None:
    assert len(BUILTIN) >= 7
