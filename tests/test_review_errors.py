"""A change that cannot apply is exit 2, one line naming the file, line, call and reason."""

from __future__ import annotations

import pytest
from changes_helpers import AUDIT_STREAM, SECRET, two_destinations

P = f"/api/v2/destinations/payments/production/{AUDIT_STREAM}"
CALL = f"call 1 (PATCH {P})"


def patch(*ops: str) -> str:
    return f"- method: PATCH\n  path: {P}\n  body:\n" + "".join(f"    - {op}\n" for op in ops)


CASES = {
    "unknown id": (
        "- method: DELETE\n  path: /api/v2/destinations/payments/production/nope\n",
        "2:3: call 1 (DELETE /api/v2/destinations/payments/production/nope): path: "
        "no destination with id nope in the snapshot",
    ),
    "wrong environment": (
        f"- method: DELETE\n  path: /api/v2/destinations/payments/staging/{AUDIT_STREAM}\n",
        f"2:3: call 1 (DELETE /api/v2/destinations/payments/staging/{AUDIT_STREAM}): path: "
        f"destination {AUDIT_STREAM} is in payments/production, not payments/staging",
    ),
    "unknown method": (
        f"- method: PUT\n  path: {P}\n",
        f"1:3: call 1 (PUT {P}): method: expected one of PATCH, POST, DELETE, got 'PUT'",
    ),
    "bad path": (
        "- method: DELETE\n  path: /api/v2/flags/payments/x\n",
        "2:3: call 1 (DELETE /api/v2/flags/payments/x): path: "
        "expected /api/v2/destinations/{projectKey}/{environmentKey}/{id} for DELETE",
    ),
    "post path with an id": (
        f"- method: POST\n  path: {P}\n  body: {{name: n, kind: segment}}\n",
        f"2:3: call 1 (POST {P}): path: "
        "expected /api/v2/destinations/{projectKey}/{environmentKey} for POST",
    ),
    "read-only field": (
        patch("{op: remove, path: /_access}"),
        f"4:20: {CALL}: body[0].path: /_access is read-only in the API",
    ),
    "missing target": (
        patch("{op: replace, path: /config/nothing, value: 1}"),
        f"4:7: {CALL}: body[0]: replace /config/nothing cannot be applied to {AUDIT_STREAM}",
    ),
    "failing test on a secret": (
        patch(f"{{op: test, path: /config/topic, value: {SECRET}}}"),
        f"4:7: {CALL}: body[0]: test failed: /config/topic does not hold the tested value",
    ),
    "invalid result": (
        patch('{op: replace, path: /on, value: "yes"}'),
        f'3:3: {CALL}: body: leaves the destination invalid: /on: expected boolean, got "yes"',
    ),
    "secret copied out of config": (
        patch("{op: copy, from: /config/topic, path: /name}"),
        f"4:18: {CALL}: body[0].from: a config value may not be copied or moved out of /config",
    ),
    "unknown op": (
        patch("{op: merge, path: /on, value: false}"),
        f"4:8: {CALL}: body[0].op: expected one of add, remove, replace, move, copy, test, "
        "got 'merge'",
    ),
    "op without value": (
        patch("{op: replace, path: /on}"),
        f"4:7: {CALL}: body[0]: missing required field 'value'",
    ),
    "merge patch body": (
        f"- method: PATCH\n  path: {P}\n  body: {{name: x}}\n",
        f"3:3: {CALL}: body: expected a list, got a mapping",
    ),
    "delete with a body": (
        f"- method: DELETE\n  path: {P}\n  body: []\n",
        f"1:3: call 1 (DELETE {P}): a DELETE call takes no body",
    ),
    "bare on in a post": (
        "- method: POST\n  path: /api/v2/destinations/p/e\n"
        "  body: {name: n, kind: segment, on: true}\n",
        '3:34: [0].body: YAML reads the unquoted key on as the boolean true; quote it: "on"',
    ),
    "unknown post field": (
        "- method: POST\n  path: /api/v2/destinations/p/e\n"
        f"  body: {{name: n, kind: segment, secretField: {SECRET}}}\n",
        "3:34: call 1 (POST /api/v2/destinations/p/e): body: unknown field 'secretField'",
    ),
    "a date": (
        f"- method: PATCH\n  path: {P}\n  body: [{{op: replace, path: /name, value: 2026-01-31}}]\n",
        f"3:37: {CALL}: body[0].value: not a JSON value; quote it to make it a string",
    ),
    "not a list": (
        "method: PATCH\n",
        "1:1: expected a list of API calls (method, path, body)",
    ),
    "invalid yaml": ("- [unclosed\n", "2:1: invalid YAML"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_change_that_cannot_apply_is_exit_2(case, run, write_json, tmp_path):
    text, expected = CASES[case]
    snapshot = write_json(two_destinations())
    before = snapshot.read_bytes()
    change = tmp_path / "change.yaml"
    change.write_text(text)
    result = run("review", "--change", str(change), str(snapshot))
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {change}:")
    assert expected in line
    assert SECRET not in result.stderr
    assert snapshot.read_bytes() == before


def test_invalid_json_is_located(run, write_json, tmp_path):
    change = tmp_path / "change.json"
    change.write_text('[{"method": "PATCH",\n "path": }]')
    result = run("review", "--change", str(change), str(write_json(two_destinations())))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {change}:2:10: invalid JSON: Expecting value\n"


def test_a_missing_change_file_is_exit_2(run, write_json, tmp_path):
    result = run("review", "--change", str(tmp_path / "nope.yaml"), str(write_json({"items": []})))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.yaml'}: no such file\n"
