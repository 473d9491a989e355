"""Access rules cost linear work: 10x destinations may cost at most 11x the matching."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import destination, export

from auditor.engine import evaluate
from auditor.launchdarkly import index as index_module
from auditor.launchdarkly import resources as resources_module
from auditor.launchdarkly.document import build_document
from auditor.rulebook.ruleset import compile_rule, load_rules

ACTIONS = ["deleteDestination", "updateOn", "updateConfiguration", "updateName"]


def account(size: int) -> dict[str, Any]:
    """`size` destinations, 10 per project over 3 environments, each cited by 3 statements."""
    admin = {
        "effect": "allow",
        "resources": ["proj/*:env/*:destination/*"],
        "actions": ["*"],
        "role_name": "platform-admin",
    }
    items = []
    for n in range(size):
        project, environment = f"p{n // 10}", ("production", "staging", "prod-eu")[n % 3]
        _id = f"6523f1c0a9e7b2d4{n:08x}"
        team = {
            "effect": "allow",
            "resources": [f"proj/{project}:env/*:destination/*"],
            "actions": ["update*"],
            "role_name": f"team-{project}",
        }
        own = {
            "effect": "allow",
            "resources": [f"proj/{project}:env/{environment}:destination/{_id}"],
            "notActions": ["deleteDestination"],
            "role_name": f"owner-{n}",
        }
        access = {
            "allowed": [
                {"action": "deleteDestination", "reason": admin},
                {"action": "updateOn", "reason": team},
                {"action": "updateName", "reason": own},
            ],
            "denied": [],
        }
        config = {
            "region": "us-east-1",
            "roleArn": "arn:aws:iam::123456789012:role/ld",
            "streamName": f"s{n // 2}",
        }
        items.append(
            destination(
                _id,
                kind="kinesis",
                project=project,
                environment=environment,
                config=config,
                access=access,
            )
        )
    return export(*items)


def matching_work(size: int, rules: list[Any], monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    calls = [0]

    def counting(real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(index_module, "segment_match", counting(index_module.segment_match))
    monkeypatch.setattr(resources_module, "segment_match", counting(resources_module.segment_match))
    document = build_document(account(size))
    findings = evaluate(rules, document.destinations)
    monkeypatch.undo()
    return calls[0], len(findings)


def test_ten_times_the_destinations_costs_at_most_eleven_times_the_matching(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    every_reach = tmp_path / "reach-everything.yaml"
    every_reach.write_text(
        "id: reach-everything\ntitle: t\nseverity: info\nsummary: s\nrationale: r\n"
        "remediation: m\nscope: statements\n"
        "assert: {reach: {destinations: {lte: 0}, action: updateOn}}\nmessage: m\n"
    )
    rules = [compile_rule(r) for r in load_rules([str(every_reach)])]
    small, small_findings = matching_work(60, rules, monkeypatch)
    large, large_findings = matching_work(600, rules, monkeypatch)
    assert small_findings and large_findings >= 10 * small_findings * 0.9
    assert large <= 11 * small, (small, large)
