"""Rule files and templates as hostile input: messages that hang or explode, names that do
not exist, and JSON Schema refs that would reach the network or the disk."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE

RULE = {
    "id": "my-rule",
    "title": "A custom rule",
    "severity": "low",
    "summary": "Test rule.",
    "rationale": "r",
    "remediation": "m",
    "scope": "destinations",
    "assert": {"name": {"equals": "never"}},
    "message": "{{ destination.name }}",
}


def write_rule(tmp_path: Path, **fields: Any) -> Path:
    path = tmp_path / "my-rule.yaml"
    lines = [f"{key}: {json.dumps(value)}" for key, value in {**RULE, **fields}.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def check_with(run, tmp_path: Path, rule: Path, *extra: str) -> Any:
    out = tmp_path / "out.json"
    return run(
        "check", str(EXAMPLE), "--no-builtin-rules", "--rules", str(rule), "-f", f"json:{out}",
        "--fail-on", "low", *extra,
    )  # fmt: skip


MESSAGE_LINE = 9  # `message` is the ninth key written by write_rule


# Issue 15: a message naming a field that does not exist is a rule error at load time


@pytest.mark.parametrize(
    ("scope", "message", "error"),
    [
        (
            "destinations",
            "{{ destination.nme }}",
            "unknown field destination.nme (did you mean destination.name?)",
        ),
        (
            "statements",
            "{{ statement.resorces|join(', ') }}",
            "unknown field statement.resorces (did you mean statement.resources?)",
        ),
        ("destinations", "{{ destinaton.name }}", "unknown name 'destinaton' (did you mean"),
        ("destinations", "{{ statement.role_name }}", "'statement' is only set in rules with"),
        ("destinations", "{% if on %}{{ params.limit }}{% endif %}", "unknown name 'on'"),
        ("destinations", "{{ destination.name.first }}", "destination.name is a single value"),
    ],
)
def test_a_message_reading_an_unknown_name_is_a_rule_error(
    run, tmp_path: Path, scope: str, message: str, error: str
) -> None:
    # a statement rule asserts on a statement field (`name` is the destination's: a path error)
    fields = {"assert": {"effect": {"equals": "never"}}} if scope == "statements" else {}
    rule = write_rule(tmp_path, scope=scope, message=message, **fields)
    result = check_with(run, tmp_path, rule)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {rule}:{MESSAGE_LINE}:1: message: {error}")
    assert not (tmp_path / "out.json").exists()


def test_config_raw_data_and_value_stay_open(run, tmp_path: Path) -> None:
    message = (
        "{{ destination.config.anything }} {{ destination._links.self.href }}"
        " {{ destination.target.fields.region }} {{ value }} {{ rule.id }} {{ params.n }}"
    )
    rule = write_rule(tmp_path, message=message, params={"n": 3})
    result = check_with(run, tmp_path, rule)
    assert result.exit_code in (0, 1), result.stderr


# Item 5: rule messages are one line of expressions, filters and `if`, and bounded


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            "`for` is not allowed in a rule message (line 1 of the template)",
        ),
        ('{{ "{:>999999999}".format(1) }}', "a function or method call is not allowed"),
        ("{% set x = 1 %}{{ x }}", "`set` is not allowed"),
        ("{% macro m() %}x{% endmacro %}", "`macro` is not allowed"),
        ('{% include "x" %}', "`include` is not allowed"),
        ("{{ 9999999999999999999 ** 9999999 }}", "a power of more than 4096 bits"),
        ("{{ 2 ** 100000000 }}", "a power of more than 4096 bits"),
        ("{{ (1, 2) * 100000000 }}", "a repetition longer than 1,000,000"),
        ('{{ "%999999999s" % 1 }}', "a format wider than 1000"),
        ('{{ "x"|center(999999999) }}', "No filter named 'center'"),
        (
            '{{ "aaaa"' + '|replace("a", "aaaa")' * 15 + " }}",
            "a replacement longer than 1,000,000",
        ),
    ],
)
def test_a_message_that_would_hang_or_explode_is_refused_at_load(
    run, tmp_path: Path, message: str, error: str
) -> None:
    rule = write_rule(tmp_path, message=message)
    result = check_with(run, tmp_path, rule)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {rule}:{MESSAGE_LINE}:1: message: ")
    assert error in result.stderr


def test_a_long_rendered_message_is_cut_with_a_marker(run, tmp_path: Path) -> None:
    message = "{{ destination.name * 1000 }}"
    rule = write_rule(tmp_path, message=message)
    result = check_with(run, tmp_path, rule)
    assert result.exit_code == 1, result.stderr
    report = json.loads((tmp_path / "out.json").read_text())
    messages = [f["message"] for f in report["findings"]]
    assert all(m.endswith("…[cut at 2,000 characters]") for m in messages)
    assert all(len(m) == 2000 + len("…[cut at 2,000 characters]") for m in messages)
    assert report["summary"]["shortened"] == len(messages)


def test_the_builtin_unparseable_specifier_message_still_lists_each_problem(run) -> None:
    report = run("check", str(EXAMPLE), "-f", "json").json
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "unparseable-specifier"]
    assert "cannot parse: " in finding["message"]
    assert " (" in finding["message"] and " at " in finding["message"]


# Item 5: user templates get the same caps, and an output-size cap


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("{{ 9999999999999999999 ** 9999999 }}", "template error: a power of more than 4096"),
        ("{{ (1, 2) * 100000000 }}", "template error: a repetition longer than 1,000,000"),
        ('{{ "{:>999999999}".format(1) }}', "template error: a format wider than 1000"),
        ('{{ "x"|center(999999999) }}', "template error: width past 1000"),
        (
            '{% set ns = namespace(s="x" * 1000000) %}'
            "{% for i in range(150) %}{{ ns.s }}{% endfor %}",
            "template error: the output passes 100,000,000 characters",
        ),
    ],
)
def test_a_user_template_that_would_explode_is_a_template_error(
    run, tmp_path: Path, template: str, error: str
) -> None:
    path = tmp_path / "t.txt.j2"
    path.write_text("line one\n" + template + "\n")
    out = tmp_path / "out.txt"
    result = run("check", str(EXAMPLE), "--template", str(path), "--template-output", str(out))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"Error: {path}")
    assert error in result.stderr
    assert not out.exists()


def test_a_user_template_within_the_caps_renders(run, tmp_path: Path) -> None:
    path = tmp_path / "t.txt.j2"
    path.write_text('{{ "%5.1f"|format(2.25) }} {{ 2 ** 10 }} {{ "ab" * 3 }}\n')
    out = tmp_path / "out.txt"
    result = run("check", str(EXAMPLE), "--template", str(path), "--template-output", str(out))
    assert result.exit_code == 1, result.stderr
    assert out.read_text() == "  2.2 1024 ababab\n"


# Item 6: the schema operator resolves no external $ref


class Recorder(BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def schema_server() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(
    ("schema", "at"),
    [
        ({"$ref": "{server}/schema.json"}, "$ref"),
        ({"properties": {"a": {"$ref": "{server}/schema.json#/x"}}}, "properties.a.$ref"),
        ({"$ref": "file:///etc/hostname"}, "$ref"),
        ({"$schema": "{server}/meta.json", "type": "string"}, "$schema"),
        (
            {"$id": "{server}/base/", "properties": {"a": {"$ref": "other.json"}}},
            "properties.a.$ref",
        ),
    ],
)
def test_a_schema_ref_outside_the_rule_is_a_rule_error_and_nothing_is_fetched(
    run, tmp_path: Path, schema_server: tuple[str, list[str]], schema: dict[str, Any], at: str
) -> None:
    base, seen = schema_server
    text = json.dumps(schema).replace("{server}", base)
    rule = write_rule(tmp_path, **{"assert": {"name": {"schema": json.loads(text)}}})
    result = check_with(run, tmp_path, rule)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {rule}:")
    assert f"assert.name.schema.{at}" in result.stderr
    assert seen == []


def test_refs_inside_the_rule_schema_still_resolve(run, tmp_path: Path) -> None:
    schema = {"$defs": {"short": {"type": "string", "maxLength": 3}}, "$ref": "#/$defs/short"}
    rule = write_rule(tmp_path, **{"assert": {"name": {"schema": schema}}})
    result = check_with(run, tmp_path, rule)
    assert result.exit_code == 1  # every example name is longer than 3
