"""auditor.yaml: discovery, validation, precedence over defaults, and `config show`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from auditor.audit import AuditOptions, run_audit
from auditor.cli.main import cli
from auditor.config import CommandLine, resolve_config
from auditor.io.paths import schema_path
from auditor.io.sources import read_source
from auditor.models import FAIL_ON_CHOICES, SEVERITY_NAMES, Severity

EXPORT = Path(__file__).resolve().parents[1] / "examples" / "destinations.json"
DISABLED = "6523f1c0a9e7b2d4c8f01a13"  # web-segment, turned off
S3 = "6523f1c0a9e7b2d4c8f01a16"  # analytics-s3-archive, kind s3


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def report(*args: str) -> dict[str, Any]:
    result = invoke(*args, "check", str(EXPORT), "-f", "json")
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def findings(data: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["rule_id"] == rule_id]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_no_config_file_means_defaults(project: Path) -> None:
    config = resolve_config(None, CommandLine())
    assert config.path is None
    assert (config.fail_on, config.outputs, config.select) == ("medium", (("text", "-"),), ())
    assert config.origin("fail_on") == "default"


def test_config_is_frozen(project: Path) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        resolve_config(None, CommandLine()).fail_on = "low"  # type: ignore[misc]


def test_found_in_the_working_directory(project: Path) -> None:
    (project / "auditor.yaml").write_text("fail_on: low\nignore: [access-not-reported]\n")
    data = report()
    assert data["summary"]["fail_on"] == "low"
    assert not findings(data, "access-not-reported")


def test_an_empty_config_file_is_all_defaults(project: Path) -> None:
    (project / "auditor.yaml").write_text("# all defaults\n")
    config = resolve_config(None, CommandLine())
    assert config.path == "auditor.yaml"
    assert config.fail_on == "medium"


def test_config_option_on_the_root_group(tmp_path: Path, project: Path) -> None:
    other = tmp_path / "conf"
    other.mkdir()
    (other / "team.yaml").write_text("select: [destination-disabled]\n")
    data = report("--config", str(other / "team.yaml"))
    assert {f["rule_id"] for f in data["findings"]} == {"destination-disabled"}


def test_a_missing_config_file_is_a_usage_error(project: Path) -> None:
    result = invoke("--config", "nope.yaml", "config", "show")
    assert result.exit_code == 2
    assert result.stderr == "Error: nope.yaml: no such config file\n"


def test_severity_override_changes_the_findings_severity(project: Path) -> None:
    (project / "auditor.yaml").write_text("severity:\n  destination-disabled: critical\n")
    data = report()
    assert [f["severity"] for f in findings(data, "destination-disabled")] == ["critical"]
    assert {r["id"]: r["severity"] for r in data["rules"]}["destination-disabled"] == "critical"


def test_severity_override_through_audit_options() -> None:
    options = AuditOptions(
        select=["destination-disabled"], severity={"destination-disabled": "low"}
    )
    result = run_audit(read_source(str(EXPORT)), options)
    assert [f.severity for f in result.findings] == [Severity.LOW]
    assert result.passed  # low is below the default fail-on medium


def test_params_override(project: Path) -> None:
    (project / "auditor.yaml").write_text(
        "params:\n  unknown-destination-kind:\n    known_kinds: [s3]\n"
    )
    flagged = {f["destination"]["id"] for f in findings(report(), "unknown-destination-kind")}
    assert S3 not in flagged
    items = json.loads(EXPORT.read_text())["items"]
    assert len(flagged) == len(items) - 1  # every destination but the s3 one


def test_command_line_overrides_the_file(project: Path) -> None:
    (project / "auditor.yaml").write_text(
        "fail_on: low\nselect: [destination-disabled]\noutputs: [json]\n"
    )
    result = invoke("check", str(EXPORT), "--fail-on", "high", "--select", "unknown-*")
    assert result.exit_code == 0  # the low finding does not fail at --fail-on high
    data = json.loads(result.stdout)  # outputs still come from the file
    assert {f["rule_id"] for f in data["findings"]} == {"unknown-destination-kind"}
    assert data["summary"]["fail_on"] == "high"


def test_format_on_the_command_line_replaces_the_files_outputs(project: Path) -> None:
    (project / "auditor.yaml").write_text("outputs: [json]\n")
    result = invoke("check", str(EXPORT), "-f", "text")
    assert result.stdout.startswith("auditor ")


def test_paths_are_relative_to_the_config_file(tmp_path: Path, project: Path) -> None:
    conf = tmp_path / "conf"
    (conf / "rules").mkdir(parents=True)
    (conf / "auditor.yaml").write_text(
        "rules: [rules]\noutputs: [json:out/report.json]\nwaivers: waivers.yaml\n"
        "baseline: base.json\nhistory: history.sqlite\n"
    )
    (conf / "out").mkdir()
    (conf / "waivers.yaml").write_text("waivers: []\n")  # read by check, from conf/
    (conf / "base.json").write_text('{"tool": {"name": "auditor"}, "findings": []}')
    config = resolve_config(str(conf / "auditor.yaml"), CommandLine())
    assert config.rule_paths == (str(conf / "rules"),)
    assert config.outputs == (("json", str(conf / "out" / "report.json")),)
    assert (config.waivers, config.baseline, config.history) == (
        str(conf / "waivers.yaml"),
        str(conf / "base.json"),
        str(conf / "history.sqlite"),
    )
    result = invoke("--config", str(conf / "auditor.yaml"), "check", str(EXPORT))
    assert result.exit_code == 1
    direct = json.loads(invoke("check", str(EXPORT), "-f", "json").stdout)
    report = json.loads((conf / "out" / "report.json").read_text())
    assert report["summary"]["findings"] == direct["summary"]["findings"] > 0
    assert report["baseline"]["path"] == str(conf / "base.json")


def test_rules_on_the_command_line_add_to_the_files(tmp_path: Path, project: Path) -> None:
    (project / "a").mkdir()
    (project / "auditor.yaml").write_text("rules: [a]\n")
    config = resolve_config(None, CommandLine(rules=("b",)))
    assert config.rule_paths == ("a", "b")
    assert config.origin("rules") == "auditor.yaml:1 + command line"


def test_config_show_names_each_origin(project: Path) -> None:
    (project / "auditor.yaml").write_text(
        "# team settings\nfail_on: low\nseverity:\n  destination-disabled: high\n"
        "params:\n  unknown-destination-kind:\n    known_kinds: [s3]\n"
    )
    result = invoke("config", "show", "--select", "destination-*")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert lines["config_file"].split() == [
        "config_file",
        '"auditor.yaml"',
        "#",
        "discovered",
    ]
    assert lines["fail_on"].split() == ["fail_on", '"low"', "#", "auditor.yaml:2"]
    assert lines["severity.destination-disabled"].endswith("# auditor.yaml:4")
    assert lines["params.unknown-destination-kind.known_kinds"].endswith("# auditor.yaml:7")
    assert lines["select"].split() == ["select", '["destination-*"]', "#", "command", "line"]
    assert lines["ignore"].endswith("# default")
    assert lines["waivers"].split() == ["waivers", "null", "#", "default"]


def test_config_show_json(project: Path) -> None:
    (project / "auditor.yaml").write_text("baseline: base.json\n")
    result = invoke("config", "show", "--json", "--fail-on", "high")
    rows = {row["key"]: row for row in json.loads(result.stdout)}
    assert rows["baseline"] == {"key": "baseline", "value": "base.json", "origin": "auditor.yaml:1"}
    assert rows["fail_on"]["origin"] == "command line"
    assert rows["outputs"] == {"key": "outputs", "value": ["text"], "origin": "default"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "params:\n  unknown-destination-kinds:\n    known_kinds: [x]\n",
            "auditor.yaml:2:3: params: unknown rule 'unknown-destination-kinds' "
            "(did you mean 'unknown-destination-kind'?)",
        ),
        (
            "params:\n  unknown-destination-kind:\n    known_kind: [x]\n",
            "auditor.yaml:3:5: params.unknown-destination-kind: unknown param 'known_kind' "
            "(did you mean 'known_kinds'?)",
        ),
        (
            "params:\n  unknown-destination-kind:\n    known_kinds: s3\n",
            "auditor.yaml:3:5: params.unknown-destination-kind.known_kinds: expected a list, "
            "like the rule's default, got a string",
        ),
        (
            "severity:\n  destination-disabld: low\n",
            "auditor.yaml:2:3: severity: unknown rule 'destination-disabld' "
            "(did you mean 'destination-disabled'?)",
        ),
        (
            "ignore:\n  - access-not-reported\n  - destination-disabld\n",
            "auditor.yaml:3:5: ignore[1]: unknown rule 'destination-disabld' "
            "(did you mean 'destination-disabled'?)",
        ),
    ],
    ids=["unknown-rule", "unknown-param", "param-type", "severity-rule", "ignore-rule"],
)
def test_settings_that_do_not_fit_the_rules_exit_2(project: Path, text: str, message: str) -> None:
    (project / "auditor.yaml").write_text(text)
    for args in (["check", str(EXPORT)], ["rules", "list"]):
        result = invoke(*args)
        assert result.exit_code == 2
        assert result.stderr == f"Error: {message}\n"


def test_params_for_a_rule_that_is_not_selected_are_still_checked(project: Path) -> None:
    (project / "auditor.yaml").write_text(
        "select: [destination-disabled]\nparams:\n  unknown-destination-kind: {nope: 1}\n"
    )
    assert invoke("check", str(EXPORT)).exit_code == 2


def test_unknown_rule_on_the_command_line_names_the_flag(project: Path) -> None:
    result = invoke("check", str(EXPORT), "--select", "destination-disabld")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --select: unknown rule 'destination-disabld' "
        "(did you mean 'destination-disabled'?)\n"
    )


def test_unknown_format_on_the_command_line(project: Path) -> None:
    result = invoke("check", str(EXPORT), "-f", "jsn")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --format: unknown format 'jsn' (did you mean 'json'?)")


def test_schema_choices_match_the_code() -> None:
    schema = json.loads(schema_path("config.schema.json").read_text())
    assert tuple(schema["properties"]["fail_on"]["enum"]) == FAIL_ON_CHOICES
    severities = schema["properties"]["severity"]["additionalProperties"]["enum"]
    assert set(severities) == set(SEVERITY_NAMES)


def test_the_example_config(project: Path) -> None:
    example = EXPORT.parent / "auditor.yaml"
    result = invoke("--config", str(example), "check", str(EXPORT), "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["summary"]["fail_on"] == "high"
    assert not findings(data, "access-not-reported")
    assert not findings(data, "unknown-destination-kind")  # s3 is a known kind there
    assert {f["severity"] for f in findings(data, "inverted-grant")} == {"critical"}
