"""Run a rule's executable examples: each pass example yields no finding, each fail one does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.document import build_document
from auditor.engine import evaluate
from auditor.errors import InputError
from auditor.ruleset import CompiledRule


@dataclass(frozen=True, kw_only=True, slots=True)
class ExampleOutcome:
    expected: str
    """"pass" or "fail"."""
    index: int
    ok: bool
    detail: str


def example_item(compiled: CompiledRule, example: Mapping[str, Any]) -> dict[str, Any]:
    """The destination item an example stands for.

    Destination examples are destination items. Statement examples are a statement (effect,
    resources, actions, ...) with optional `decision` (default: allowed for allow, denied for
    deny) and `destination` (fields of the destination that carries it).
    """
    if compiled.rule.scope == "destinations":
        return dict(example)
    reason = {k: v for k, v in example.items() if k not in ("decision", "destination")}
    default = "denied" if reason.get("effect") == "deny" else "allowed"
    decision = example.get("decision", default)
    carrier: dict[str, Any] = {
        "_id": "example",
        "name": "example",
        "kind": "kinesis",
        "on": True,
        **example.get("destination", {}),
    }
    carrier["_access"] = {"allowed": [], "denied": []}
    carrier["_access"][decision].append({"action": "updateOn", "reason": reason})
    return carrier


def finds(compiled: CompiledRule, example: Mapping[str, Any]) -> bool:
    """Whether the rule makes a finding on the example; InputError when it is not valid."""
    document = build_document({"items": [example_item(compiled, example)]})
    if document.problems:
        first = document.problems[0]
        raise InputError(f"example is not a valid destination: {first.pointer}: {first.message}")
    return bool(evaluate([compiled], document.destinations))


def run_examples(compiled: CompiledRule) -> list[ExampleOutcome]:
    outcomes = []
    for expected, examples in (
        ("pass", compiled.rule.examples_pass),
        ("fail", compiled.rule.examples_fail),
    ):
        for index, example in enumerate(examples):
            try:
                found = finds(compiled, example)
            except InputError as exc:
                outcomes.append(
                    ExampleOutcome(expected=expected, index=index, ok=False, detail=exc.message)
                )
                continue
            ok = found == (expected == "fail")
            detail = "finding" if found else "no finding"
            outcomes.append(ExampleOutcome(expected=expected, index=index, ok=ok, detail=detail))
    return outcomes
