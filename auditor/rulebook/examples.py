"""Run a rule's executable examples: each pass example yields no finding, each fail one does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auditor.engine import CompiledRule, evaluate
from auditor.errors import InputError
from auditor.launchdarkly.document import build_document
from auditor.launchdarkly.principals import audit_access
from auditor.rulebook.ruleset import compile_rule

NOW = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
"""The moment examples are judged at (how long ago a member was seen), fixed for repeatability."""


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
    deny) and `destination` (fields of the destination that carries it). Either may give
    `project` and `environment` instead of the `_links.self.href` the API would send.
    """
    if compiled.rule.scope == "destinations":
        return dict(with_links(example))
    if compiled.rule.scope == "grants":
        fields = with_links(example.get("destination", {}))
        return {"_id": "example", "name": "example", "kind": "kinesis", "on": True, **fields}
    reason = {k: v for k, v in example.items() if k not in ("decision", "destination")}
    default = "denied" if reason.get("effect") == "deny" else "allowed"
    decision = example.get("decision", default)
    carrier: dict[str, Any] = {
        "_id": "example",
        "name": "example",
        "kind": "kinesis",
        "on": True,
        **with_links(example.get("destination", {})),
    }
    carrier["_access"] = {"allowed": [], "denied": []}
    carrier["_access"][decision].append({"action": "updateOn", "reason": reason})
    return carrier


def with_links(item: Any) -> Any:
    """`item`, with `project` and `environment` turned into the `_links.self.href` the API
    sends (`/api/v2/destinations/{project}/{environment}/{id}`), which is where auditor reads
    them from; an item that has `_links` keeps them."""
    if not isinstance(item, Mapping):
        return item  # the document reports what it is
    out = dict(item)
    if "project" in out and "environment" in out and "_links" not in out:
        project, environment = out.pop("project"), out.pop("environment")
        href = f"/api/v2/destinations/{project}/{environment}/{out.get('_id', 'example')}"
        out["_links"] = {"self": {"href": href, "type": "application/json"}}
    return out


def finds(compiled: CompiledRule, example: Mapping[str, Any]) -> bool:
    """Whether the rule makes a finding on the example; InputError when it is not valid.

    The example is the first item of an export that also holds the rule's example inventory;
    findings on the inventory's items do not count.
    """
    items = [example_item(compiled, example), *compiled.rule.examples_inventory]
    raw: dict[str, Any] = {"items": items}
    if compiled.rule.scope == "grants":
        raw["_account"] = example.get("account", {})
    document = build_document(raw)
    if document.problems:
        first = document.problems[0]
        raise InputError(f"example is not a valid destination: {first.pointer}: {first.message}")
    inventory, access = audit_access(document.destinations, document.account)
    findings = evaluate([compiled], document.destinations, access, inventory=inventory, now=NOW)
    if compiled.rule.scope == "grants":
        return any(f.destination.id == "example" for f in findings)
    return any(f.pointer == "/items/0" or f.pointer.startswith("/items/0/") for f in findings)


def run_examples(compiled: CompiledRule) -> list[ExampleOutcome]:
    """Each example's outcome; with the rule's `examples.params` over its compiled params."""
    if compiled.rule.examples_params:
        compiled = compile_rule(compiled.rule, {**compiled.params, **compiled.rule.examples_params})
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
