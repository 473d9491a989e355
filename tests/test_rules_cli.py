"""`auditor rules list`, `rules show` and `rules test`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from auditor.cli.main import cli
from auditor.io.paths import rules_dir

EXPORT = Path(__file__).resolve().parents[1] / "examples" / "destinations.json"
BUILTIN_IDS = sorted(p.stem for p in rules_dir().glob("*.yaml"))

CUSTOM = """\
id: name-too-short
title: Destination name is too short
severity: low
summary: Flags a destination whose name does not match `pattern` (four characters or more).
rationale: Short names say nothing about what an export is for.
remediation: Rename the destination.
scope: destinations
params:
  pattern: "^.{4,}$"
assert:
  name: {matches: {param: pattern}}
message: "{{ destination.name }} is too short"
examples:
  pass:
    - {_id: d1, name: payments-stream, kind: kinesis, "on": true}
  fail:
    - {_id: d2, name: ps, kind: kinesis, "on": true}
"""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, so no auditor.yaml is found by accident."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def custom(workdir: Path) -> Path:
    """A directory holding one valid custom rule."""
    directory = workdir / "custom"
    directory.mkdir()
    (directory / "name-too-short.yaml").write_text(CUSTOM)
    return directory


# --- rules list --------------------------------------------------------------------------


def test_list_text(workdir: Path) -> None:
    result = invoke("rules", "list")
    assert result.exit_code == 0
    header, *lines = result.stdout.splitlines()
    rows = [line for line in lines if not line.startswith(" ")]  # a long title wraps
    assert header.split() == ["ID", "SEVERITY", "SCOPE", "SOURCE", "TITLE"]
    assert [row.split()[0] for row in rows] == BUILTIN_IDS
    disabled = next(row for row in rows if row.startswith("destination-disabled "))
    assert disabled.split()[1:4] == ["medium", "destinations", "builtin"]
    assert disabled.endswith("Data Export destination")
    assert lines[lines.index(disabled) + 1].split() == ["is", "turned", "off"]
    assert max(len(line) for line in result.stdout.splitlines()) <= 100  # fits 100 columns


def test_list_json_with_custom_rules_and_overrides(custom: Path, workdir: Path) -> None:
    (workdir / "auditor.yaml").write_text("severity: {destination-disabled: low}\n")
    result = invoke("rules", "list", "--format", "json", "--rules", str(custom))
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [*BUILTIN_IDS, "name-too-short"]
    assert rows[-1] == {
        "id": "name-too-short",
        "severity": "low",
        "scope": "destinations",
        "title": "Destination name is too short",
        "source": str(custom / "name-too-short.yaml"),
    }
    assert next(r for r in rows if r["id"] == "destination-disabled")["severity"] == "low"


def test_list_without_builtin_rules(custom: Path) -> None:
    result = invoke(
        "rules", "list", "--no-builtin-rules", "--rules", str(custom), "--format", "json"
    )
    assert [r["id"] for r in json.loads(result.stdout)] == ["name-too-short"]


# --- rules show --------------------------------------------------------------------------


def test_show_prints_the_whole_documentation(workdir: Path) -> None:
    result = invoke("rules", "show", "wildcard-resource-grant")
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("wildcard-resource-grant: Access is granted on wildcard resources\n")
    for expected in (
        "severity   high",
        "scope      statements",
        "source     builtin:wildcard-resource-grant.yaml",
        "compliance soc2: CC6.1, CC6.3; iso27001: A.5.15, A.8.2",
        "references https://launchdarkly.com/docs/home/account/role-resources",
        "\nSummary\n  Flags an allowed `allow` statement",
        "\nRationale\n  A statement such as",
        "\nRemediation\n  Name the projects",
        "\nLogic\n  when:\n",
        "  assert:\n    resources:\n      none: {resource_wildcard: true}\n",
        "\nMessage\n  {{ statement.role_name",
        "\nExamples that pass (no finding)\n  - {effect: allow, resources:",
        "\nExamples that fail (a finding)\n"
        "  - {effect: allow, resources: ['proj/*:env/*:destination/*']",
    ):
        assert expected in text


def test_show_marks_configured_values(workdir: Path) -> None:
    (workdir / "auditor.yaml").write_text(
        "severity:\n  unknown-destination-kind: high\n"
        "params:\n  unknown-destination-kind:\n    known_kinds: [s3]\n"
    )
    text = invoke("rules", "show", "unknown-destination-kind").stdout
    assert "severity   high (set by auditor.yaml:2; the rule file says low)" in text
    assert "  known_kinds: [s3]  # set by auditor.yaml:5" in text


def test_show_unknown_rule(workdir: Path) -> None:
    result = invoke("rules", "show", "destination-disabld")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: unknown rule 'destination-disabld' (did you mean 'destination-disabled'?)\n"
    )


def test_show_custom_rule(custom: Path) -> None:
    result = invoke("rules", "show", "name-too-short", "--rules", str(custom))
    assert "  pattern: ^.{4,}$\n" in result.stdout
    assert "  - {_id: d2, name: ps, kind: kinesis, 'on': true}" in result.stdout


# --- rules test: examples ----------------------------------------------------------------


def test_builtin_rules_pass(workdir: Path) -> None:
    result = invoke("rules", "test")
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[: len(BUILTIN_IDS)]] == [
        ["PASS", rule_id] for rule_id in BUILTIN_IDS
    ]
    assert lines[-1] == (
        f"{len(BUILTIN_IDS)} rules: 0 failed, 0 lacking a pass or fail example; "
        "0 test files: 0 failed"
    )


def test_a_planted_wrong_example_fails(custom: Path) -> None:
    rule = custom / "name-too-short.yaml"
    rule.write_text(CUSTOM.replace("name: ps,", "name: payments,"))
    result = invoke("rules", "test", "--rules", str(custom))
    assert result.exit_code == 1
    assert "FAIL  name-too-short (2 examples)\n" in result.stdout
    assert f"      {rule}:17:7: examples.fail[0]: expected a finding, got none\n" in result.stdout
    assert f"{len(BUILTIN_IDS) + 1} rules: 1 failed" in result.stdout


def test_a_planted_wrong_builtin_example_fails(workdir: Path) -> None:
    copy = workdir / "rules"
    shutil.copytree(rules_dir(), copy)
    path = copy / "destination-disabled.yaml"
    path.write_text(
        path.read_text().replace('kind: kinesis, "on": false', 'kind: kinesis, "on": true')
    )
    result = invoke("rules", "test", "--no-builtin-rules", "--rules", str(copy))
    assert result.exit_code == 1
    assert f"{path}:24:7: examples.fail[0]: expected a finding, got none" in result.stdout


def test_an_invalid_example_fails(custom: Path) -> None:
    rule = custom / "name-too-short.yaml"
    rule.write_text(
        CUSTOM.replace('{_id: d1, name: payments-stream, kind: kinesis, "on": true}', "{name: x}")
    )
    result = invoke("rules", "test", "--no-builtin-rules", "--rules", str(custom))
    assert result.exit_code == 1
    assert f"{rule}:15:7: examples.pass[0]: example is not a valid destination:" in result.stdout


def test_a_rule_without_a_fail_example_is_reported(custom: Path) -> None:
    rule = custom / "name-too-short.yaml"
    rule.write_text(CUSTOM.split("  fail:")[0])
    result = invoke("rules", "test", "--no-builtin-rules", "--rules", str(custom))
    assert result.exit_code == 0
    assert result.stdout == (
        "WARN  name-too-short (1 example; no fail example)\n"
        "\n"
        "1 rule: 0 failed, 1 lacking a pass or fail example; 0 test files: 0 failed\n"
    )
    strict = invoke("rules", "test", "--strict", "--no-builtin-rules", "--rules", str(custom))
    assert strict.exit_code == 1
    assert strict.stdout.startswith("FAIL  name-too-short (1 example; no fail example)\n")


def test_a_rule_without_examples_lacks_both(custom: Path) -> None:
    (custom / "name-too-short.yaml").write_text(CUSTOM.split("examples:")[0])
    result = invoke("rules", "test", "--no-builtin-rules", "--rules", str(custom))
    assert result.stdout.startswith("WARN  name-too-short (0 examples; no pass and fail example)")


def test_examples_run_with_the_rules_own_params(custom: Path, workdir: Path) -> None:
    (workdir / "auditor.yaml").write_text(
        "params:\n  unknown-destination-kind:\n    known_kinds: [kinesis]\n"
    )
    assert invoke("rules", "test").exit_code == 0


# --- rules test: test files --------------------------------------------------------------

TEST_FILE = """\
rules: [name-too-short, destination-disabled]
input:
  items:
    - {_id: short, name: ab, kind: kinesis, "on": true}
    - {_id: long, name: payments-stream, kind: kinesis, "on": true}
    - {_id: stopped, name: web-segment, kind: segment, "on": false}
expect:
  name-too-short: [short]
  destination-disabled: [stopped]
"""


def test_test_files_beside_the_rules_run(custom: Path) -> None:
    (custom / "name-too-short.test.yaml").write_text(TEST_FILE)
    result = invoke("rules", "test", "--rules", str(custom))
    assert result.exit_code == 0, result.stdout
    assert f"PASS  {custom / 'name-too-short.test.yaml'}\n" in result.stdout
    assert "1 test file: 0 failed" in result.stdout


def test_an_unexpected_finding_fails_the_test(custom: Path) -> None:
    test = custom / "name-too-short.test.yaml"
    test.write_text(TEST_FILE.replace("  destination-disabled: [stopped]\n", ""))
    result = invoke("rules", "test", "--rules", str(custom))
    assert result.exit_code == 1
    assert f"FAIL  {test}\n" in result.stdout
    assert (
        f"      {test}:7:1: expect: unexpected finding of 'destination-disabled' on 'stopped': "
        "web-segment (segment) is turned off, so its events are not exported\n"
    ) in result.stdout


def test_a_missing_finding_fails_the_test(custom: Path) -> None:
    test = custom / "name-too-short.test.yaml"
    test.write_text(TEST_FILE.replace("[short]", "[short, long]"))
    result = invoke("rules", "test", "--rules", str(custom))
    assert result.exit_code == 1
    assert (
        f"{test}:8:27: expect.name-too-short[1]: expected a finding on 'long', got none"
    ) in result.stdout


def test_without_a_rules_key_the_world_is_every_rule(custom: Path) -> None:
    test = custom / "name-too-short.test.yaml"
    test.write_text(TEST_FILE.replace("rules: [name-too-short, destination-disabled]\n", ""))
    result = invoke("rules", "test", "--rules", str(custom))
    assert result.exit_code == 1  # access-not-reported flags every item without _access
    assert "unexpected finding of 'access-not-reported' on 'short'" in result.stdout


def test_a_test_file_given_as_path_with_a_json_input(custom: Path, workdir: Path) -> None:
    tests = workdir / "tests"
    tests.mkdir()
    shutil.copy(EXPORT, tests / "export.json")
    (tests / "export.test.yaml").write_text(
        "input: export.json\nrules: [destination-disabled]\n"
        "expect:\n  destination-disabled: [6523f1c0a9e7b2d4c8f01a13]\n"
    )
    result = invoke("rules", "test", str(tests))
    assert result.exit_code == 0, result.stdout
    assert f"PASS  {tests / 'export.test.yaml'}\n" in result.stdout


def test_test_files_use_configured_params_then_their_own(custom: Path, workdir: Path) -> None:
    test = custom / "name-too-short.test.yaml"
    test.write_text(TEST_FILE.replace("[short]", "[short, long, stopped]"))
    (workdir / "auditor.yaml").write_text(
        f"rules: [{custom.name}]\nparams:\n  name-too-short: {{pattern: '^.{{40,}}$'}}\n"
    )
    assert invoke("rules", "test").exit_code == 0
    pinned = "params:\n  name-too-short: {pattern: '^.{4,}$'}\nexpect:"
    test.write_text(TEST_FILE.replace("expect:", pinned))
    assert invoke("rules", "test").exit_code == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            TEST_FILE.replace("  name-too-short: [short]", "  name-too-shrt: [short]"),
            "8:3: expect: unknown rule 'name-too-shrt' (did you mean 'name-too-short'?)",
        ),
        (
            TEST_FILE.replace(
                "rules: [name-too-short, destination-disabled]", "rules: [name-too-short]"
            ),
            "9:3: expect: rule 'destination-disabled' is not among the rules this test runs",
        ),
        (
            TEST_FILE.replace("expect:", "expected:"),
            "7:1: unknown field 'expected' (did you mean 'expect'?)",
        ),
        (
            TEST_FILE.replace("{_id: long, name: payments-stream,", "{_id: long,"),
            "5:7: input.items[1].name: missing required field",
        ),
        (
            "input: nowhere.json\nexpect: {}\n",
            "1:1: input: cannot read",
        ),
    ],
    ids=["unknown-rule", "rule-not-run", "unknown-field", "invalid-input", "missing-input"],
)
def test_a_bad_test_file_exits_2(custom: Path, text: str, message: str) -> None:
    test = custom / "name-too-short.test.yaml"
    test.write_text(text)
    result = invoke("rules", "test", "--rules", str(custom))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {test}:{message}")


def test_a_missing_test_path_exits_2(workdir: Path) -> None:
    result = invoke("rules", "test", "nowhere")
    assert result.exit_code == 2
    assert result.stderr == "Error: nowhere: no such test file or directory\n"
