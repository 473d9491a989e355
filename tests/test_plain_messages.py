"""Messages rendered as Python (the plain subset) read exactly as the sandboxed Jinja2 render."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from auditor.engine import destination_subject, statement_subject
from auditor.io.sandbox import render_bounded
from auditor.launchdarkly.document import build_document
from auditor.models import CUT_MARK
from auditor.rulebook.messages import MESSAGE_LIMIT, Message, compile_message
from auditor.rulebook.ruleset import load_rules

RULES = load_rules()


def _contexts() -> list[dict[str, Any]]:
    reason = {
        "effect": "allow",
        "resources": ["proj/*:env/production:destination/*", "proj/web:env/*:destination/d"],
        "actions": ["updateOn", "*"],
        "role_name": "ops",
    }
    item = {
        "_id": "d1",
        "name": "events",
        "kind": "kinesis",
        "on": True,
        "config": {"streamName": "s", "roleArn": "arn:aws:iam::1:role/r", "region": "us-east-1"},
        "_links": {"self": {"href": "/api/v2/destinations/web/production/d1"}},
        "_access": {"allowed": [{"action": "updateOn", "reason": reason}], "denied": []},
    }
    (dest,) = build_document({"items": [item]}).destinations
    base = destination_subject(dest)
    stmt = statement_subject(dest.statements[0], base)
    variants: list[dict[str, Any]] = []
    for change in (
        {},
        {"role_name": None},
        {"role_name": ""},
        {"resources": []},
        {"notResources": ["proj/x:env/*"], "resources": []},
        {"resources": ["proj/a", 7]},  # not text: Jinja2 words it
        {"notActions": ["deleteDestination"]},
        {"resources": ["proj/" + "x" * 900] * 5},  # past the message limit: cut and marked
        {"access_actions": []},
    ):
        shown = copy.deepcopy(stmt)
        shown.update(change)
        variants.append({"statement": shown, "destination": base, "value": None})
    odd = copy.deepcopy(base)
    odd.update(name=None, project=None, target=None)
    variants.append({"statement": stmt, "destination": odd, "value": None})
    missing = {k: v for k, v in base.items() if k not in ("name", "kind")}
    variants.append({"statement": stmt, "destination": missing, "value": None})
    variants.append({"statement": None, "destination": base, "value": ["apiKey"]})
    return variants


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_plain_render_reads_as_the_sandboxed_one(rule: Any) -> None:
    message = compile_message(rule, rule.params)
    for context in _contexts():
        full = {
            **context,
            "params": dict(rule.params),
            "rule": {"id": rule.id, "title": rule.title, "severity": rule.severity.label},
        }
        assert _rendered(message, full) == _sandboxed(message, full)


def _rendered(message: Message, context: dict[str, Any]) -> str:
    try:
        return message.render(**context)
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def _sandboxed(message: Message, context: dict[str, Any]) -> str:
    if message.template is None:
        return message.text
    try:
        out, cut = render_bounded(message.template, context, MESSAGE_LIMIT)
    except Exception as exc:  # the engine then shows the rule's summary; so must both
        return f"error: {type(exc).__name__}"
    return f"{out}{CUT_MARK} at {MESSAGE_LIMIT:,} characters]" if cut else out


def test_the_built_in_messages_are_plain() -> None:
    # The cost per finding that matters: these render without Jinja2 (issue 16).
    plain = {r.id for r in RULES if compile_message(r, r.params).plain is not None}
    assert {"wildcard-resource-grant", "broad-destructive-grant", "destination-disabled"} <= plain
