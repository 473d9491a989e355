"""Every way a rule or config file can be wrong is reported as `file:line:col: field: problem`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli.main import cli
from auditor.config import CommandLine, resolve_config
from auditor.errors import RuleError
from auditor.rulebook.ruleset import load_rules

HEAD = """\
id: {id}
title: A title
severity: high
summary: A summary.
rationale: A rationale.
remediation: A remediation.
scope: destinations
"""
BODY = """\
assert:
  name: {equals: events}
message: a message
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rule_error(path: Path) -> str:
    with pytest.raises(RuleError) as caught:
        load_rules([str(path)], builtin=False)
    return caught.value.message


def rule_file(tmp_path: Path, rule_id: str, rest: str, *, head: str = HEAD) -> Path:
    return write(tmp_path, f"{rule_id}.yaml", head.format(id=rule_id) + rest)


def test_unknown_operator(tmp_path: Path) -> None:
    rest = "assert:\n  resources:\n    containz: x\nmessage: m\n"
    path = rule_file(tmp_path, "op", rest)
    assert rule_error(path) == (
        f"{path}:10:5: assert.resources: unknown operator 'containz' (did you mean 'contains'?)"
    )


def test_unknown_operator_with_a_param_operand(tmp_path: Path) -> None:
    rest = "params: {kinds: [a]}\nassert:\n  kind: {inn: {param: kinds}}\nmessage: m\n"
    path = rule_file(tmp_path, "op", rest)
    assert rule_error(path) == (
        f"{path}:10:10: assert.kind: unknown operator 'inn' (did you mean 'in'?)"
    )


def test_unknown_operator_in_when_and_combinators(tmp_path: Path) -> None:
    rest = "when:\n  or:\n    - kind: {equal: x}\n" + BODY
    path = rule_file(tmp_path, "op", rest)
    assert rule_error(path) == (
        f"{path}:10:14: when.or[0].kind: unknown operator 'equal' (did you mean 'equals'?)"
    )


def test_unknown_top_level_field(tmp_path: Path) -> None:
    path = rule_file(tmp_path, "field", "titel: x\n" + BODY)
    assert rule_error(path) == f"{path}:8:1: unknown field 'titel' (did you mean 'title'?)"


def test_unknown_nested_field(tmp_path: Path) -> None:
    rest = BODY + "examples:\n  passes: []\n"
    path = rule_file(tmp_path, "field", rest)
    assert rule_error(path) == (
        f"{path}:12:3: examples: unknown field 'passes' (did you mean 'pass'?)"
    )


def test_missing_field(tmp_path: Path) -> None:
    path = rule_file(tmp_path, "missing", "assert:\n  name: {equals: x}\n")
    assert rule_error(path) == f"{path}:1:1: missing required field 'message'"


def test_wrong_type(tmp_path: Path) -> None:
    path = rule_file(tmp_path, "typed", "tags: inventory\n" + BODY)
    assert rule_error(path) == f"{path}:8:1: tags: expected a list, got a string"


def test_wrong_operand_type(tmp_path: Path) -> None:
    path = rule_file(tmp_path, "typed", "assert:\n  kind: {in: kinesis}\nmessage: m\n")
    assert rule_error(path) == f"{path}:9:10: assert.kind.in: expected a list"


def test_bad_regex(tmp_path: Path) -> None:
    path = rule_file(tmp_path, "regex", 'assert:\n  name: {matches: "([a-z"}\nmessage: m\n')
    assert rule_error(path) == (
        f"{path}:9:10: assert.name.matches: invalid regular expression: missing ]: [a-z"
    )


def test_unknown_param(tmp_path: Path) -> None:
    rest = "params:\n  known: [a]\nassert:\n  kind: {in: {param: knwon}}\nmessage: m\n"
    path = rule_file(tmp_path, "param", rest)
    assert rule_error(path) == (
        f"{path}:11:10: assert.kind.in: unknown param 'knwon' (did you mean 'known'?)"
    )


def test_unknown_param_without_a_close_match(tmp_path: Path) -> None:
    rest = "assert:\n  kind: {in: {param: zzz}}\nmessage: m\n"
    path = rule_file(tmp_path, "param", rest)
    assert rule_error(path) == (
        f"{path}:9:10: assert.kind.in: unknown param 'zzz' (the rule declares: none)"
    )


def test_bad_severity(tmp_path: Path) -> None:
    head = HEAD.replace("severity: high", "severity: hihg")
    path = rule_file(tmp_path, "sev", BODY, head=head)
    assert rule_error(path) == (
        f"{path}:3:1: severity: expected one of info, low, medium, high, critical, "
        "got 'hihg' (did you mean 'high'?)"
    )


def test_id_must_equal_file_stem(tmp_path: Path) -> None:
    path = write(tmp_path, "stem.yaml", HEAD.format(id="not-stem") + BODY)
    assert rule_error(path) == f"{path}:1:1: id: must equal the file name 'stem', got 'not-stem'"


def test_id_must_be_kebab_case(tmp_path: Path) -> None:
    path = write(tmp_path, "Bad_Id.yaml", HEAD.format(id="Bad_Id") + BODY)
    assert rule_error(path) == (
        f"{path}:1:1: id: 'Bad_Id' is not kebab-case (lowercase words joined by '-')"
    )


def test_duplicate_key(tmp_path: Path) -> None:
    path = rule_file(tmp_path, "dup", BODY + "message: again\n")
    assert rule_error(path) == f"{path}:11:1: message: duplicate key (first defined on line 10)"


def test_duplicate_nested_key(tmp_path: Path) -> None:
    rest = "assert:\n  name: {equals: a}\n  name: {equals: b}\nmessage: m\n"
    path = rule_file(tmp_path, "dup", rest)
    assert rule_error(path) == (
        f"{path}:10:3: assert.name: duplicate key (first defined on line 9)"
    )


def test_duplicate_rule_id_across_files_names_both(tmp_path: Path) -> None:
    first = write(tmp_path / "a", "same.yaml", HEAD.format(id="same") + BODY)
    second = write(tmp_path / "b", "same.yaml", HEAD.format(id="same") + BODY)
    with pytest.raises(RuleError) as caught:
        load_rules([str(first.parent), str(second.parent)], builtin=False)
    assert caught.value.message == (
        f"{second}:1:1: id: rule 'same' is already defined in {first}:1:1"
    )


def test_a_custom_rule_may_not_reuse_a_builtin_id(tmp_path: Path) -> None:
    path = write(
        tmp_path, "destination-disabled.yaml", HEAD.format(id="destination-disabled") + BODY
    )
    with pytest.raises(RuleError) as caught:
        load_rules([str(path)])
    assert caught.value.message.startswith(f"{path}:1:1: id: rule 'destination-disabled' is")
    assert "destination-disabled.yaml:1:1" in caught.value.message.split("defined in ")[1]


def test_the_same_directory_twice_is_loaded_once(tmp_path: Path) -> None:
    rule_file(tmp_path, "once", BODY)
    assert [r.id for r in load_rules([str(tmp_path), str(tmp_path)], builtin=False)] == ["once"]


def test_invalid_jinja_template(tmp_path: Path) -> None:
    rest = 'assert:\n  name: {equals: x}\nmessage: "{{ destination.name }"\n'
    path = rule_file(tmp_path, "jinja", rest)
    assert rule_error(path) == f"{path}:10:1: message: invalid template: unexpected '}}'"


def test_unknown_jinja_filter(tmp_path: Path) -> None:
    rest = 'assert:\n  name: {equals: x}\nmessage: "{{ destination.name | shout }}"\n'
    path = rule_file(tmp_path, "jinja", rest)
    assert rule_error(path) == f"{path}:10:1: message: invalid template: No filter named 'shout'."


def test_yaml_syntax_error(tmp_path: Path) -> None:
    rest = "assert: {name: {equals: x}\nmessage: m\n"
    path = rule_file(tmp_path, "syntax", rest)
    assert rule_error(path) == (
        f"{path}:9:1: invalid YAML: expected ',' or '}}', but got '<scalar>' "
        "(while parsing a flow mapping started at 8:9)"
    )


def test_yaml_tab_indentation(tmp_path: Path) -> None:
    path = rule_file(tmp_path, "tabs", "assert:\n\tname: {equals: x}\nmessage: m\n")
    assert rule_error(path) == (
        f"{path}:9:1: invalid YAML: found character '\\t' that cannot start any token"
    )


def test_empty_rule_file(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.yaml", "# nothing yet\n")
    assert rule_error(path) == f"{path}: the file is empty"


def test_cli_exits_2_with_the_located_message(tmp_path: Path) -> None:
    rest = "assert:\n  resources:\n    containz: x\nmessage: m\n"
    path = rule_file(tmp_path, "op", rest)
    result = CliRunner().invoke(cli, ["rules", "list", "--rules", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path}:10:5: assert.resources: unknown operator 'containz' "
        "(did you mean 'contains'?)\n"
    )


# --- config files ------------------------------------------------------------------------


def config_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, "auditor.yaml", text)
    with pytest.raises(RuleError) as caught:
        resolve_config(str(path), CommandLine())
    return caught.value.message.replace(str(path), "auditor.yaml")


def test_config_unknown_key(tmp_path: Path) -> None:
    message = config_error(tmp_path, "fail_on: high\nslect: [x]\n")
    assert message == "auditor.yaml:2:1: unknown field 'slect' (did you mean 'select'?)"


def test_config_wrong_type(tmp_path: Path) -> None:
    message = config_error(tmp_path, "ignore: destination-disabled\n")
    assert message == "auditor.yaml:1:1: ignore: expected a list, got a string"


def test_config_bad_fail_on(tmp_path: Path) -> None:
    message = config_error(tmp_path, "fail_on: hgih\n")
    assert message == (
        "auditor.yaml:1:1: fail_on: expected one of info, low, medium, high, critical, never, "
        "got 'hgih' (did you mean 'high'?)"
    )


def test_config_bad_severity(tmp_path: Path) -> None:
    message = config_error(tmp_path, "severity:\n  destination-disabled: lo\n")
    assert message == (
        "auditor.yaml:2:3: severity.destination-disabled: expected one of info, low, medium, "
        "high, critical, got 'lo' (did you mean 'low'?)"
    )


def test_config_duplicate_key(tmp_path: Path) -> None:
    message = config_error(tmp_path, "select: [a]\nselect: [b]\n")
    assert message == "auditor.yaml:2:1: select: duplicate key (first defined on line 1)"


def test_config_yaml_syntax_error(tmp_path: Path) -> None:
    message = config_error(tmp_path, "select: [a, b\nfail_on: high\n")
    assert message == (
        "auditor.yaml:2:8: invalid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence started at 1:9)"
    )


def test_config_unknown_output_format(tmp_path: Path) -> None:
    message = config_error(tmp_path, "outputs:\n  - text\n  - jsn:out.json\n")
    # the list of formats after "choose" grows with the output registry
    assert message.startswith(
        "auditor.yaml:3:5: outputs[1]: unknown format 'jsn' (did you mean 'json'?); choose text"
    )


def test_config_missing_rule_directory(tmp_path: Path) -> None:
    message = config_error(tmp_path, "rules:\n  - custom\n")
    assert (
        message == f"auditor.yaml:2:5: rules[0]: no such rule file or directory: {tmp_path}/custom"
    )


def test_config_not_a_mapping(tmp_path: Path) -> None:
    assert (
        config_error(tmp_path, "- select\n") == "auditor.yaml:1:1: expected a mapping of settings"
    )
