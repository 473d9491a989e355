"""The README stays honest: its rules index and operator table match the code."""

from __future__ import annotations

import re

from conftest import ROOT

from auditor.conditions import OPERATORS
from auditor.ruleset import load_rules

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rules_index_lists_every_builtin_rule_sorted_by_id():
    index = README.split("<!-- BEGIN rules-index -->\n", 1)[1].split("<!-- END rules-index -->")[0]
    rows = [line for line in index.splitlines() if line.startswith("| `")]
    expected = [
        f"| `{r.id}` | {r.severity.label} | {r.scope} | {r.title} |"
        for r in sorted(load_rules(), key=lambda r: r.id)
    ]
    assert rows == expected


def test_operator_table_lists_every_operator():
    table = README.split("| operator | operand |", 1)[1].split("\n\n", 1)[0]
    documented = {
        name
        for line in table.splitlines()
        for name in re.findall(r"`([a-z_]+)`", line.split("|")[1])
    }
    assert documented == set(OPERATORS)
