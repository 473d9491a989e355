"""Fuzzing every command that reads an export: any bytes in, a documented answer out.

Exports are drawn as any JSON value, or as a valid export with fields deleted, retyped,
made huge or deeply nested, or given hostile text (terminal escapes, lone surrogates, NaN),
then perhaps cut short or given a stray byte. Whatever comes in, each command exits with a
documented code, prints no traceback (nor "internal error", the CLI's word for a bug), and
leaves each output file either complete or absent.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
from conftest import EXAMPLE, FIXED_NOW, destination, export
from fuzzing import (
    assert_clean,
    assert_outputs_whole,
    fuzz,
    invoke,
    json_bytes,
    json_values,
    mutated,
    sandbox,
)
from hypothesis import event, given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from auditor.io import strictjson
from auditor.launchdarkly.document import _schema
from auditor.outputs import FORMATS
from auditor.outputs.diff import DIFF_FORMATS

BASES: list[Any] = [
    json.loads(EXAMPLE.read_text(encoding="utf-8")),
    export(
        destination(kind="segment", config={"writeKey": "abc"}),
        destination("6523f1c0a9e7b2d4c8f01a11", kind="kinesis", on=False, config="{}"),
    ),
]
exports = st.one_of(
    st.sampled_from(BASES).flatmap(mutated).flatmap(json_bytes),
    json_values.flatmap(json_bytes),
)
CHECK_OUTPUTS = {f"report.{name}": name for name in FORMATS}
DIFF_OUTPUTS = {f"diff.{name}": name for name in DIFF_FORMATS}


@fuzz(200)
@given(exports)
def test_check_validate_and_explain_answer_any_export(data: bytes) -> None:
    with sandbox() as box:
        path = str(box.write("export.json", data))
        formats = [
            arg for out, fmt in CHECK_OUTPUTS.items() for arg in ("-f", f"{fmt}:{box.path(out)}")
        ]
        code, _, err = invoke("check", path, "--now", FIXED_NOW, *formats, "-f", "text")
        assert_clean(code, err)
        event(f"check exit {code}")
        assert_outputs_whole(box, CHECK_OUTPUTS)

        code, _, err = invoke("validate", path)
        assert_clean(code, err, frozenset({0, 2, 3}))

        report = box.path("report.json")
        findings = json.loads(report.read_text())["findings"] if report.exists() else []
        fingerprint = findings[0]["fingerprint"][:10] if findings else "0f"
        code, _, err = invoke("explain", fingerprint, path)
        assert_clean(code, err, frozenset({0, 2, 3}))


@fuzz(100)
@given(exports)
def test_stdin_is_read_like_a_file(data: bytes) -> None:
    code, _, err = invoke("check", "-", "-f", "json", stdin=data)
    assert_clean(code, err)


@fuzz(120)
@given(exports, st.booleans())
def test_diff_and_review_answer_any_export(data: bytes, mutated_first: bool) -> None:
    with sandbox() as box:
        good = str(EXAMPLE)
        path = str(box.write("export.json", data))
        before, after = (path, good) if mutated_first else (good, path)
        formats = [
            arg for out, fmt in DIFF_OUTPUTS.items() for arg in ("-f", f"{fmt}:{box.path(out)}")
        ]
        code, _, err = invoke("diff", before, after, "--now", FIXED_NOW, *formats)
        assert_clean(code, err)
        event(f"diff exit {code}")
        assert_outputs_whole(box, DIFF_OUTPUTS)
        box.clear(*DIFF_OUTPUTS)

        change = str(EXAMPLE.parent / "change.yaml")
        code, _, err = invoke("review", "--change", change, path, *formats)
        assert_clean(code, err)
        assert_outputs_whole(box, DIFF_OUTPUTS)


_rs = jsonschema_rs.Draft202012Validator(_schema())
_py = Draft202012Validator(_schema())


@fuzz(300)
@given(st.sampled_from(BASES).flatmap(mutated).flatmap(json_bytes))
def test_fast_and_full_validators_agree(data: bytes) -> None:
    """document.validate asks jsonschema-rs "valid?" and only then jsonschema for the errors:
    the two must agree on every document the parser accepts."""
    try:
        value = strictjson.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return
    assert _rs.is_valid(value) == _py.is_valid(value)
