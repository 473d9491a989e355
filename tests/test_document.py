"""Parsing, validation and normalisation of exports, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import destination, export

from auditor.errors import InputError
from auditor.launchdarkly.document import build_document, load_document

BAD_INPUTS = [
    # (name, bytes or None for special, exit code, expected message)
    ("empty", b"", 3, "input is empty, expected a JSON document"),
    ("blank", b"  \n\t ", 3, "input is empty, expected a JSON document"),
    (
        "truncated",
        b'{"items": [\n  {"_id": "a",',
        3,
        "input is not valid JSON: Expecting property name enclosed in double quotes"
        " at line 2 column 15",
    ),
    ("invalid-utf8", b'{"items": ["\xff"]}', 3, "input is not valid UTF-8 (byte 12)"),
    (
        "array-at-top",
        b"[]",
        3,
        'expected a JSON object with an "items" list at the top, got array',
    ),
    (
        "string-at-top",
        b'"hello"',
        3,
        'expected a JSON object with an "items" list at the top, got string',
    ),
    (
        "no-items",
        b'{"_links": {}}',
        3,
        'expected a JSON object with an "items" list at the top, found no "items"',
    ),
    (
        "items-not-list",
        b'{"items": {"a": 1}}',
        3,
        '"items" must be a list of destinations, got object',
    ),
    ("nan", b'{"items": [], "x": NaN}', 3, "input is not valid JSON: NaN is not allowed in JSON"),
    (
        "deep",
        b'{"items": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
        3,
        "input is nested too deeply to be a destinations export",
    ),
]


@pytest.mark.parametrize(
    ("data", "code", "message"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_is_one_line_and_exit_code(run_process, tmp_path, data, code, message):
    path = tmp_path / "export.json"
    path.write_bytes(data)
    for command in ("check", "validate"):
        result = run_process(command, str(path))
        assert result.exit_code == code
        assert result.stderr == f"Error: {message}\n"
        assert result.stdout == ""


def test_missing_file_and_directory_are_usage_errors(run_process, tmp_path):
    missing = run_process("check", str(tmp_path / "nope.json"))
    assert (missing.exit_code, missing.stderr) == (
        2,
        f"Error: {tmp_path}/nope.json: no such file\n",
    )
    directory = run_process("check", str(tmp_path))
    assert directory.exit_code == 2
    assert directory.stderr == f"Error: {tmp_path}: is a directory, expected an export file\n"


def test_a_50_mb_file_gets_a_clear_answer(run_process, tmp_path):
    path = tmp_path / "big.json"
    filler = "x" * 1000
    with path.open("w") as handle:
        handle.write("[")
        handle.write(",".join(json.dumps(filler) for _ in range(50_000)))
        handle.write("]")
    assert path.stat().st_size > 50_000_000
    result = run_process("check", str(path), "--max-input-size", "60MB")  # default: 50 MB
    assert result.exit_code == 3
    assert result.stderr == (
        'Error: expected a JSON object with an "items" list at the top, got array\n'
    )


def test_config_string_is_decoded():
    item = destination(config='{"project":"test-prod","topic":"ld-pubsub-test-192301"}')
    doc = build_document(export(item))
    assert doc.destinations[0].config == {"project": "test-prod", "topic": "ld-pubsub-test-192301"}


def test_config_string_that_is_not_an_object_is_a_problem_without_its_content():
    item = destination(config="sk-secret-not-json")
    doc = build_document(export(item, destination("6523f1c0a9e7b2d4c8f01a11")))
    assert [(p.pointer, p.message) for p in doc.problems] == [
        ("/items/0/config", "expected an object, null, or a string holding a JSON object")
    ]
    assert [d.id for d in doc.destinations] == ["6523f1c0a9e7b2d4c8f01a11"]


def test_config_of_wrong_type_shows_only_its_type():
    item = destination()
    item["config"] = 12345678
    doc = build_document(export(item))
    assert [p.message for p in doc.problems] == ["expected object, null or string, got number"]


def test_project_and_environment_come_from_the_self_link():
    item = destination(project="pay%20ments", environment="prod")
    dest = build_document(export(item)).destinations[0]
    assert (dest.project, dest.environment) == ("pay ments", "prod")
    del item["_links"]
    dest = build_document(export(item)).destinations[0]
    assert (dest.project, dest.environment) == (None, None)


def test_statements_are_deduplicated_per_destination():
    reason = {
        "effect": "allow",
        "resources": ["proj/*:env/*:destination/*"],
        "actions": ["*"],
        "role_name": "admin",
    }
    reordered = {**reason, "resources": list(reversed(reason["resources"]))}
    access = {
        "allowed": [
            {"action": "updateOn", "reason": reason},
            {"action": "deleteDestination", "reason": reordered},
            {"action": "updateName", "reason": {**reason, "role_name": "other"}},
        ],
        "denied": [{"action": "updateConfiguration", "reason": {**reason, "effect": "deny"}}],
    }
    dest = build_document(export(destination(access=access))).destinations[0]
    assert len(dest.statements) == 3
    first = dest.statements[0]
    assert first.access_actions == ("deleteDestination", "updateOn")
    assert first.pointer == "/items/0/_access/allowed/0/reason"
    assert first.decision == "allowed"
    assert dest.statements[2].decision == "denied"


def test_the_spec_example_payload_validates():
    # assembled from the per-field examples of LaunchDarkly's OpenAPI spec
    spec_like = {
        "_links": {"self": {"href": "/api/v2/destinations", "type": "application/json"}},
        "items": [
            {
                "_id": "610addeadbeefaa86ec9a7d4",
                "_links": {
                    "self": {
                        "href": "/api/v2/destinations/my-project/my-environment/610addeadbeefaa86ec9a7d4",
                        "type": "application/json",
                    }
                },
                "name": "example-destination",
                "kind": "google-pubsub",
                "version": 1,
                "config": '{"project":"test-prod","topic":"ld-pubsub-test-192301"}',
                "on": True,
                "_access": {
                    "denied": [
                        {
                            "action": "<ActionIdentifier string>",
                            "reason": {
                                "resources": ["proj/*:env/*;qa_*:/flag/*"],
                                "actions": ["*"],
                                "effect": "allow",
                            },
                        }
                    ],
                    "allowed": [
                        {
                            "action": "<ActionIdentifier string>",
                            "reason": {
                                "resources": ["proj/*:env/*;qa_*:/flag/*"],
                                "actions": ["*"],
                                "effect": "allow",
                            },
                        }
                    ],
                },
            }
        ],
    }
    doc = load_document(json.dumps(spec_like).encode())
    assert doc.problems == ()
    dest = doc.destinations[0]
    assert (dest.project, dest.environment) == ("my-project", "my-environment")
    assert [s.decision for s in dest.statements] == ["allowed", "denied"]


def test_unknown_fields_are_allowed():
    item = destination(futureField={"x": 1})
    assert build_document(export(item)).problems == ()


def test_unknown_kind_is_not_a_schema_error():
    assert build_document(export(destination(kind="s3"))).problems == ()


def test_load_document_raises_input_error_for_non_json():
    with pytest.raises(InputError, match="not valid JSON"):
        load_document(b"{nope")


def test_bom_is_accepted(tmp_path: Path):
    data = b"\xef\xbb\xbf" + json.dumps(export(destination())).encode()
    assert len(load_document(data).destinations) == 1


def test_a_second_destination_with_the_same_id_is_a_schema_problem(run, write_json):
    # Findings are known by their destination's id, so two destinations sharing one would
    # share fingerprints (and `explain`, waivers and baselines could not tell them apart).
    first = destination("610addeadbeefaa86ec9a7d4", name="events", environment="production")
    second = destination("610addeadbeefaa86ec9a7d4", name="events-copy", environment="staging")
    path = write_json(export(first, second))
    result = run("check", str(path), "-f", "json", "--fail-on", "never")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["schema_errors"] == [
        {
            "pointer": "/items/1/_id",
            "message": "the same _id as /items/0; LaunchDarkly gives each destination its own "
            "id, so this is not an export the API returns",
        }
    ]
    assert report["summary"]["destinations"] == 1
    assert run("validate", str(path)).exit_code == 3
