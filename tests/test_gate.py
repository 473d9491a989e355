"""The gate: --fail-on, --hard-fail-on, --soft-fail-on and --severity, and their precedence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from auditor.cli import cli
from auditor.errors import UsageError
from auditor.gate import build_policy, fails
from auditor.models import Finding, FindingDestination, GatePolicy, Severity, Status

EXPORT = Path(__file__).parent / "data" / "gate-export.json"
RULE_IDS = ("destination-disabled", "wildcard-resource-grant", "wildcard-action-grant")


def check(*args: str) -> Result:
    return CliRunner().invoke(cli, ["check", str(EXPORT), *args], catch_exceptions=False)


def finding(rule_id: str, severity: Severity, status: Status = "open") -> Finding:
    dest = FindingDestination(id="d1", name="d", kind="kinesis", project="p", environment="e")
    return Finding(
        rule_id=rule_id,
        severity=severity,
        title="t",
        message="m",
        destination=dest,
        pointer="/items/0",
        fingerprint="f" * 32,
        status=status,
    )


def policy(fail_on: str = "medium", hard: tuple[str, ...] = (), soft: tuple[str, ...] = ()):
    return GatePolicy(fail_on=fail_on, hard_fail_on=hard, soft_fail_on=soft)


@pytest.mark.parametrize(
    ("severity", "gate", "expected"),
    [
        (Severity.MEDIUM, policy(), True),
        (Severity.LOW, policy(), False),
        (Severity.CRITICAL, policy("never"), False),
        (Severity.INFO, policy("never", hard=("wildcard-*",)), True),
        (Severity.CRITICAL, policy(soft=("wildcard-resource-grant",)), False),
        (Severity.LOW, policy(hard=("wildcard-*",), soft=("wildcard-*",)), True),
        (Severity.HIGH, policy(hard=("destination-*",)), True),
        (Severity.LOW, policy(hard=("destination-*",)), False),
    ],
    ids=[
        "fail-on-threshold",
        "below-threshold",
        "never",
        "hard-beats-never",
        "soft-beats-fail-on",
        "hard-beats-soft",
        "hard-other-rule-falls-back-to-fail-on",
        "hard-other-rule-below-threshold",
    ],
)
def test_precedence_for_an_open_finding(severity: Severity, gate: GatePolicy, expected: bool):
    assert fails(finding("wildcard-resource-grant", severity), gate) is expected


@pytest.mark.parametrize("status", ["waived", "baselined"])
def test_accepted_findings_never_fail_not_even_hard_fail_rules(status: Status):
    gate = policy("info", hard=("wildcard-resource-grant",))
    assert not fails(finding("wildcard-resource-grant", Severity.CRITICAL, status), gate)


def test_build_policy_parses_overrides_and_keeps_patterns():
    built = build_policy(
        fail_on="high",
        hard_fail_on=["wildcard-*"],
        soft_fail_on=["waiver-expired"],
        severity=["destination-disabled=LOW", " wildcard-action-grant = critical "],
        rule_ids=RULE_IDS,
        gate_only_ids=("waiver-expired",),
    )
    assert built.severity_overrides == {
        "destination-disabled": Severity.LOW,
        "wildcard-action-grant": Severity.CRITICAL,
    }
    assert built.hard_fail_on == ("wildcard-*",)
    assert built.soft_fail_on == ("waiver-expired",)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"severity": ["destination-disabld=low"]},
            "--severity: unknown rule 'destination-disabld' (did you mean 'destination-disabled'?)",
        ),
        (
            {"severity": ["destination-disabled=hihg"]},
            "--severity: unknown severity 'hihg' (did you mean 'high'?); "
            "choose from critical, high, medium, low, info",
        ),
        (
            {"severity": ["destination-disabled"]},
            "--severity: expected RULE=SEVERITY (e.g. destination-disabled=low), "
            "got 'destination-disabled'",
        ),
        (
            {"hard_fail_on": ["wildcard-resource-grnt"]},
            "--hard-fail-on: unknown rule 'wildcard-resource-grnt' "
            "(did you mean 'wildcard-resource-grant'?)",
        ),
        ({"soft_fail_on": ["nothing-*"]}, "--soft-fail-on: unknown rule 'nothing-*'"),
    ],
)
def test_bad_gate_options_are_usage_errors(options: dict[str, list[str]], message: str):
    arguments = {"hard_fail_on": [], "soft_fail_on": [], "severity": [], **options}
    with pytest.raises(UsageError) as caught:
        build_policy(fail_on="medium", rule_ids=RULE_IDS, **arguments)
    assert caught.value.message == message


def test_waiver_expired_takes_no_severity_override():
    with pytest.raises(UsageError, match="take the severity of the finding they reopen"):
        build_policy(
            fail_on="medium",
            hard_fail_on=[],
            soft_fail_on=[],
            severity=["waiver-expired=low"],
            rule_ids=RULE_IDS,
            gate_only_ids=("waiver-expired",),
        )


def test_cli_bad_severity_is_exit_2_with_one_line():
    result = check("--severity", "wildcard-resource-grant=hgh")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: --severity: unknown severity 'hgh' (did you mean 'high'?); "
        "choose from critical, high, medium, low, info"
    ]


def test_cli_unknown_rule_in_severity_is_exit_2():
    result = check("--severity", "wildcard-resorce-grant=low")
    assert result.exit_code == 2
    assert "did you mean 'wildcard-resource-grant'?" in result.stderr


def test_soft_fail_lets_a_run_pass_that_fail_on_would_fail():
    assert check("--fail-on", "high").exit_code == 1
    assert check("--fail-on", "high", "--soft-fail-on", "wildcard-*").exit_code == 0


def test_hard_fail_fails_a_run_that_fail_on_never_would_pass():
    assert check("--fail-on", "never").exit_code == 0
    result = check("--fail-on", "never", "--hard-fail-on", "access-not-reported")
    assert result.exit_code == 1
    assert result.stdout.rstrip().endswith("FAILED at --hard-fail-on access-not-reported")


def test_hard_beats_soft_on_the_command_line():
    args = ("--fail-on", "never", "--soft-fail-on", "*", "--hard-fail-on", "destination-disabled")
    assert check(*args).exit_code == 1


def test_severity_override_changes_findings_rules_and_gate():
    result = check(
        "--fail-on", "medium", "--severity", "wildcard-resource-grant=low",
        "--severity", "wildcard-action-grant=info", "--severity", "destination-disabled=low",
        "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    by_rule = {f["rule_id"]: f["severity"] for f in report["findings"]}
    assert by_rule["wildcard-resource-grant"] == "low"
    assert by_rule["wildcard-action-grant"] == "info"
    rules = {r["id"]: r["severity"] for r in report["rules"]}
    assert rules["wildcard-resource-grant"] == "low"
    assert report["gate"]["severity_overrides"] == {
        "destination-disabled": "low",
        "wildcard-action-grant": "info",
        "wildcard-resource-grant": "low",
    }


def test_raising_a_severity_can_fail_the_gate():
    assert check("--fail-on", "critical").exit_code == 0
    raised = check("--fail-on", "critical", "--severity", "destination-disabled=critical")
    assert raised.exit_code == 1
