"""Every documented error, with its exact one-line message and exit code.

The README's exit-code table links here: each row is a way a run can fail, the command
that makes it fail, what stderr says and the code it exits with. `{tmp}` is the test's
directory and `{api}` the fake API's base URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EXAMPLE, destination, export
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    UNAUTHORIZED,
    FakeLaunchDarkly,
    fake_ld_fixture,
    rate_limited,
)

RULE = """\
id: bad-rule
title: t
severity: low
summary: s
rationale: r
remediation: m
scope: destinations
assert: {name: {inn: [a]}}
message: m
"""
FILES = {
    "truncated.json": '{"items": [\n  {"_id": "a",',
    "schema.json": json.dumps(export(destination(on="true"))),
    "nan.json": '{"items": [], "x": NaN}',
    "surrogate.json": json.dumps(export(destination(name="\ud800"))),
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "deep-object.json": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "bad-rule.yaml": RULE,
    "waivers.yaml": "waivers:\n  - rule: destination-disabled\n    destination: x\n"
    "    reason: r\n    owner: o\n    expires: 31/01/2027\n",
    "auditor.yaml": "fail_on: hihg\n",
    "baseline.json": '{"not": "a report"}',
    "change.yaml": "- method: PATCH\n  path: /api/v2/destinations/payments/production/"
    "610addeadbeefaa86ec9a7d4\n  body: [{op: test, path: /on, value: false}]\n",
    "deep.yaml": "waivers: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "file.txt": "a regular file\n",
}


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    stderr: str
    code: int
    stdout: str | None = None


E = str(EXAMPLE)
CASES: dict[str, Case] = {
    "missing file": Case(("check", "{tmp}/nope.json"), "Error: {tmp}/nope.json: no such file\n", 2),
    "directory as input": Case(
        ("validate", "{tmp}"), "Error: {tmp}: is a directory, expected an export file\n", 2
    ),
    "bad JSON, with line and column": Case(
        ("check", "{tmp}/truncated.json"),
        "Error: input is not valid JSON: Expecting property name enclosed in double quotes"
        " at line 2 column 15\n",
        3,
    ),
    "NaN": Case(
        ("validate", "{tmp}/nan.json"),
        "Error: input is not valid JSON: NaN is not allowed in JSON\n",
        3,
    ),
    "lone surrogate": Case(
        ("check", "{tmp}/surrogate.json"),
        "Error: input is not valid JSON: a lone surrogate escape is not Unicode text"
        " (at /items/0/name)\n",
        3,
    ),
    "schema errors, with pointers": Case(
        ("validate", "{tmp}/schema.json"),
        "1 schema problems in 1 items; 0 items valid\n",
        3,
        stdout='{tmp}/schema.json: /items/0/on: expected boolean, got "true"\n',
    ),
    "input too large": Case(
        ("check", E, "--max-input-size", "1KB"),
        f"Error: {E} is larger than 1 KB; raise the limit with --max-input-size\n",
        3,
    ),
    "nested too deeply: arrays": Case(
        ("check", "{tmp}/deep.json"),
        "Error: input is nested too deeply to be a destinations export\n",
        3,
    ),
    "nested too deeply: objects": Case(
        ("validate", "{tmp}/deep-object.json"),
        "Error: input is nested too deeply to be a destinations export\n",
        3,
    ),
    "nested too deeply: YAML": Case(
        ("check", E, "--waivers", "{tmp}/deep.yaml"),
        "Error: {tmp}/deep.yaml:1: nested more than 200 levels deep\n",
        2,
    ),
    "bad rule": Case(
        ("check", E, "--rules", "{tmp}/bad-rule.yaml"),
        "Error: {tmp}/bad-rule.yaml:8:17: assert.name: unknown operator 'inn'"
        " (did you mean 'in'?)\n",
        2,
    ),
    "bad waiver": Case(
        ("check", E, "--waivers", "{tmp}/waivers.yaml"),
        "Error: {tmp}/waivers.yaml:6:5: waivers[0].expires: expected a date (YYYY-MM-DD)\n",
        2,
    ),
    "bad config": Case(
        ("--config", "{tmp}/auditor.yaml", "check", E),
        "Error: {tmp}/auditor.yaml:1:1: fail_on: expected one of info, low, medium, high,"
        " critical, never, got 'hihg' (did you mean 'high'?)\n",
        2,
    ),
    "bad baseline": Case(
        ("check", E, "--baseline", "{tmp}/baseline.json"),
        "Error: {tmp}/baseline.json: the baseline is not an auditor JSON report; make one with"
        " `auditor check EXPORT -f json:baseline.json`\n",
        2,
    ),
    "bad change file": Case(
        ("review", "--change", "{tmp}/change.yaml", E),
        "Error: {tmp}/change.yaml:3:10: call 1 (PATCH /api/v2/destinations/payments/production/"
        "610addeadbeefaa86ec9a7d4): body[0]: test failed: /on does not hold the tested value\n",
        2,
    ),
    "unknown rule": Case(
        ("check", E, "--select", "wildcard-resource-grnt"),
        "Error: --select: unknown rule 'wildcard-resource-grnt'"
        " (did you mean 'wildcard-resource-grant'?)\n",
        2,
    ),
    "unwritable output": Case(
        ("check", E, "-f", "json:{tmp}/file.txt/report.json"),
        "Error: {tmp}/file.txt/report.json: '{tmp}/file.txt' is not a directory\n",
        2,
    ),
    "directory as output": Case(
        ("check", E, "-f", "html:{tmp}"), "Error: {tmp}: is a directory, expected a file path\n", 2
    ),
    "API auth failure": Case(
        ("fetch",),
        "Error: HTTP 401 Unauthorized from {api}/api/v2/destinations: Invalid access token\n"
        "Hint: the token is invalid or expired: check LD_API_KEY (or the variable named by"
        " --api-key-env) and that the token belongs to the instance at {api}\n",
        4,
    ),
    "rate limit exhausted": Case(
        ("check", "--api", "--max-retries", "1"),
        "rate limited (HTTP 429), retrying in 0 s (retry 1/1)\n"
        "Error: gave up after 2 attempts: rate limited (HTTP 429) from {api}/api/v2/destinations\n"
        "Hint: the API may be busy or down; try again later, or raise --max-retries / --timeout\n",
        4,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_every_documented_error(run, tmp_path: Path, fake_ld: FakeLaunchDarkly, monkeypatch, name):
    for file, text in FILES.items():
        (tmp_path / file).write_text(text, encoding="utf-8", errors="surrogatepass")
    monkeypatch.setenv("LD_API_KEY", "api-error-table")
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    fake_ld.script(
        DESTINATIONS,
        UNAUTHORIZED if name == "API auth failure" else rate_limited(**{"Retry-After": "0"}),
    )
    case = CASES[name]

    def fill(text: str) -> str:
        return text.replace("{tmp}", str(tmp_path)).replace("{api}", fake_ld.base_url)

    result = run(*(fill(arg) for arg in case.args))
    assert (result.exit_code, result.stderr) == (case.code, fill(case.stderr))
    if case.stdout is not None:
        assert result.stdout == fill(case.stdout)
