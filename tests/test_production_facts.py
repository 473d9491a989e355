"""Production by fact: with the account's environments read, LaunchDarkly's `critical` flag
decides what is production for every rule that asks; the key globs remain the fallback.

LaunchDarkly marks the Production environment critical by default, and any environment can be
marked or unmarked (https://launchdarkly.com/docs/home/account/environment/critical). A
`critical: true` environment is production whatever its key. An environment keyed like
production whose flag was unticked is still read as production: the other reading would
silence every production rule on it, so it could hide a risk; this one cannot.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import destination, export

PAYMENTS_ADMIN = {
    "effect": "allow",
    "resources": ["proj/*:env/*:destination/*"],
    "actions": ["updateOn", "deleteDestination"],
    "role_name": "platform-admin",
}
ACCESS = {
    "allowed": [{"action": a, "reason": PAYMENTS_ADMIN} for a in ("updateOn", "deleteDestination")],
    "denied": [],
}
DEST = "6523f1c0a9e7b2d4c8f01a11"


def snapshot(environment: str, critical: bool | None) -> dict[str, Any]:
    """One destination in payments/`environment`, and an account that lists the environment
    (with `critical` unless None) and one writer, whose base role may turn exports off."""
    env: dict[str, Any] = {"key": environment, "name": environment, "tags": []}
    if critical is not None:
        env["critical"] = critical
    return {
        **export(destination(DEST, environment=environment, access=ACCESS)),
        "_account": {
            "caller": {"tokenName": "audit", "serviceToken": True},
            "projects": [{"key": "payments", "environments": [env]}],
            "members": [{"_id": "m1", "email": "dev@example.com", "role": "writer"}],
        },
    }


def check(run: Any, write_json: Any, document: dict[str, Any], *args: str) -> list[Any]:
    path = write_json(document, "snapshot.json")
    rules = ("production-export-can-be-disabled", "critical-export-control-unapproved")
    selected = [arg for rule in rules for arg in ("--select", rule)]
    result = run("check", str(path), "-f", "json", "--fail-on", "never", *selected, *args)
    assert result.exit_code == 0, result.stderr
    # What says why it is production: the first line of explain, or a grant's message.
    return sorted(
        (f["rule_id"], f["severity"], f["message"] if f.get("grant") else f["explanation"][0])
        for f in result.json["findings"]
        if f["rule_id"] == "production-export-can-be-disabled" or f["grant"]["action"] == "updateOn"
    )


def without_account(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "_account"}


def test_a_critical_environment_not_matching_any_glob_is_production(run, write_json):
    document = snapshot("sandbox", critical=True)
    because = "environment payments/sandbox is production: LaunchDarkly marks it critical"
    assert check(run, write_json, document) == [
        (
            "critical-export-control-unapproved",
            "high",
            "member dev@example.com can turn off events in payments/sandbox (a critical environment) through role"
            " writer (base role), which is not an approved role",
        ),
        ("production-export-can-be-disabled", "high", because),
    ]
    # The same export without the account: `sandbox` matches no glob, so it is not production.
    assert check(run, write_json, without_account(document)) == []


def test_an_environment_named_production_but_not_critical_is_still_production(run, write_json):
    because = (
        "environment payments/production is production: its key matches `production`"
        " (LaunchDarkly does not mark it critical; read as production, which never hides a risk)"
    )
    assert check(run, write_json, snapshot("production", critical=False)) == [
        (
            "critical-export-control-unapproved",
            "high",
            "member dev@example.com can turn off events in payments/production through role"
            " writer (base role), which is not an approved role",
        ),
        ("production-export-can-be-disabled", "high", because),
    ]


@pytest.mark.parametrize("critical", [False, None], ids=["not-critical", "flag-not-read"])
def test_a_staging_environment_not_marked_critical_is_not_production(run, write_json, critical):
    assert check(run, write_json, snapshot("staging", critical=critical)) == []


def test_an_environment_the_account_does_not_list_falls_back_to_the_globs(run, write_json):
    document = snapshot("prd", critical=True)
    document["_account"]["projects"][0]["environments"][0]["key"] = "elsewhere"
    because = "environment payments/prd is production: its key matches `prd`"
    assert check(run, write_json, document) == [
        (
            "critical-export-control-unapproved",
            "high",
            "member dev@example.com can turn off events in payments/prd through role"
            " writer (base role), which is not an approved role",
        ),
        ("production-export-can-be-disabled", "high", because),
    ]
