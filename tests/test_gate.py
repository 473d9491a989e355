"""The gate: --fail-on, --hard-fail-on, --soft-fail-on and --severity, and their precedence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import CORE_ONLY

from auditor.cli.main import cli
from auditor.errors import SettingError, UsageError
from auditor.gate.policy import build_policy, fails, parse_severity_flag
from auditor.models import Finding, FindingDestination, GatePolicy, Severity, Status

EXPORT = Path(__file__).parent / "data" / "gate-export.json"
RULE_IDS = ("destination-disabled", "wildcard-resource-grant", "wildcard-action-grant")


def check(*args: str) -> Result:
    return CliRunner().invoke(
        cli, ["check", *CORE_ONLY, str(EXPORT), *args], catch_exceptions=False
    )


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


def test_build_policy_keeps_patterns_and_overrides():
    built = build_policy(
        fail_on="high",
        hard_fail_on=["wildcard-*"],
        soft_fail_on=["waiver-expired"],
        severity={"destination-disabled": "low"},
        rule_ids=[*RULE_IDS, "waiver-expired"],
    )
    assert built.severity_overrides == {"destination-disabled": Severity.LOW}
    assert built.hard_fail_on == ("wildcard-*",)
    assert built.soft_fail_on == ("waiver-expired",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("destination-disabled=LOW", ("destination-disabled", "low")), (" a = info ", ("a", "info"))],
)
def test_severity_flags_parse(text: str, expected: tuple[str, str]):
    assert parse_severity_flag(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "destination-disabled=hihg",
            "--severity: unknown severity 'hihg' (did you mean 'high'?); "
            "choose from critical, high, medium, low, info",
        ),
        (
            "destination-disabled",
            "--severity: expected RULE=SEVERITY (e.g. destination-disabled=low), "
            "got 'destination-disabled'",
        ),
        ("=low", "--severity: expected RULE=SEVERITY (e.g. destination-disabled=low), got '=low'"),
    ],
)
def test_bad_severity_flags_are_usage_errors(text: str, message: str):
    with pytest.raises(UsageError) as caught:
        parse_severity_flag(text)
    assert caught.value.message == message


def test_unknown_hard_or_soft_pattern_is_a_setting_error_naming_its_index():
    with pytest.raises(SettingError) as caught:
        build_policy(
            fail_on="medium",
            hard_fail_on=["wildcard-*", "wildcard-resource-grnt"],
            soft_fail_on=[],
            severity={},
            rule_ids=RULE_IDS,
        )
    assert caught.value.where == ("hard_fail_on", 1)
    assert caught.value.problem == (
        "unknown rule 'wildcard-resource-grnt' (did you mean 'wildcard-resource-grant'?)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--severity", "wildcard-resource-grant=hgh"),
            "--severity: unknown severity 'hgh' (did you mean 'high'?); "
            "choose from critical, high, medium, low, info",
        ),
        (
            ("--severity", "wildcard-resorce-grant=low"),
            "--severity: unknown rule 'wildcard-resorce-grant' "
            "(did you mean 'wildcard-resource-grant'?)",
        ),
        (
            ("--hard-fail-on", "wildcard-resource-grnt"),
            "--hard-fail-on: unknown rule 'wildcard-resource-grnt' "
            "(did you mean 'wildcard-resource-grant'?)",
        ),
        (("--soft-fail-on", "nothing-*"), "--soft-fail-on: unknown rule 'nothing-*'"),
    ],
)
def test_bad_gate_flags_are_exit_2_with_one_line(args: tuple[str, ...], message: str):
    result = check(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: {message}"]


def test_gate_settings_in_the_config_file_are_located(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("auditor.yaml").write_text("fail_on: never\nhard_fail_on:\n  - wildcard-*\n  - nope\n")
    result = check()
    assert result.exit_code == 2
    assert result.stderr == "Error: auditor.yaml:4:5: hard_fail_on[1]: unknown rule 'nope'\n"
    Path("auditor.yaml").write_text("fail_on: never\nhard_fail_on: [destination-*]\n")
    assert check().exit_code == 1
    assert (
        check("--hard-fail-on", "access-not-reported", "--select", "destination-*").exit_code == 0
    )


def test_severity_flag_wins_over_the_config_file(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("auditor.yaml").write_text("severity: {destination-disabled: critical}\n")
    report = json.loads(check("-f", "json").stdout)
    assert report["gate"]["severity_overrides"] == {"destination-disabled": "critical"}
    flagged = check("-f", "json", "--severity", "destination-disabled=info")
    report = json.loads(flagged.stdout)
    assert report["gate"]["severity_overrides"] == {"destination-disabled": "info"}
    [disabled] = [f for f in report["findings"] if f["rule_id"] == "destination-disabled"]
    assert disabled["severity"] == "info"


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
