"""Findings' messages and explanations: worked out once, shared only where nothing else shows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conftest import destination, export

from auditor.engine import Context, destination_subject, evaluate, explain, statement_subject
from auditor.launchdarkly.document import build_document
from auditor.launchdarkly.inventory import Inventory
from auditor.rulebook.ruleset import compile_rule, load_rules

ADMIN = {
    "effect": "allow",
    "resources": ["proj/*:env/*:destination/*"],
    "actions": ["*"],
    "role_name": "platform-admin",
}


def access() -> dict[str, object]:
    return {"allowed": [{"action": "updateOn", "reason": ADMIN}], "denied": []}


def two_destinations() -> tuple[object, ...]:
    items = [
        destination(f"61{n}addeadbeefaa86ec9a7d4", name=f"export-{n}", access=access())
        for n in range(2)
    ]
    return build_document(export(*items)).destinations


def rule_file(tmp_path: Path, message: str) -> list[object]:
    path = tmp_path / "admin-grant.yaml"
    path.write_text(
        "id: admin-grant\ntitle: t\nseverity: info\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: statements\nassert: {role_name: {not_equals: platform-admin}}\n"
        f"message: {message!r}\n"
    )
    return [compile_rule(r) for r in load_rules([str(path)], builtin=False)]


def test_a_message_that_shows_the_destination_through_the_statement_is_its_own(
    tmp_path: Path,
) -> None:
    rules = rule_file(tmp_path, "{{ statement.role_name }} on {{ statement.destination.name }}")
    messages = sorted(f.message for f in evaluate(rules, two_destinations()))
    assert messages == ["platform-admin on export-0", "platform-admin on export-1"]


def test_a_message_that_shows_only_the_statement_is_the_same_text_for_every_destination(
    tmp_path: Path,
) -> None:
    rules = rule_file(
        tmp_path, "{{ statement.role_name }} grants {{ statement.resources|join(', ') }}"
    )
    first, second = evaluate(rules, two_destinations())
    assert first.message == second.message == "platform-admin grants proj/*:env/*:destination/*"
    assert first.message is second.message  # rendered once


def test_an_explanation_worked_out_later_is_the_one_evaluation_notes() -> None:
    rules = [compile_rule(r) for r in load_rules() if r.id == "broad-destructive-grant"]
    destinations = two_destinations()
    findings = evaluate(rules, destinations)
    assert len(findings) == 2
    inventory = Inventory(destinations)
    for finding, dest in zip(findings, destinations, strict=True):
        stmt = dest.statements[0]
        subject = statement_subject(stmt, destination_subject(dest))
        expected = explain(rules[0], subject, Context(inventory, dest, stmt))
        assert expected and finding.explanation == expected
        # a waived or re-told finding keeps its explanation
        assert replace(finding, status="waived").explanation == expected
        assert replace(finding, message="again").explanation == expected
        assert replace(finding, message="again").message == "again"
