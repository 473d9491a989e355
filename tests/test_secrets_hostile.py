"""Secrets against a hostile reviewer: change files that move them, rules that explain them,
exports that hide a clear one behind a repeated key. No output may hold a planted value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import destination, export
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FakeLaunchDarkly,
    fake_ld_fixture,
    ok,
)

WRITE_KEY = "wk-CLEAR-7f3a9c1e"
OPAQUE = "bq-OPAQUE-5d2b8e07"
DIFF_FORMATS = ("text", "json", "markdown", "html")
PLANTED = (WRITE_KEY, OPAQUE)


def snapshot() -> dict[str, Any]:
    return export(
        destination(
            "seg1",
            name="segment-prod",
            kind="segment",
            config={"writeKey": WRITE_KEY, "userIDContextKind": "user"},
        ),
        destination(
            "bq1",
            name="warehouse",
            kind="bigquery",
            config={"opaque": OPAQUE, "region": OPAQUE, "streamName": "s"},
        ),
    )


def patch(ident: str, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "method": "PATCH",
            "path": f"/api/v2/destinations/payments/production/{ident}",
            "body": list(ops),
        }
    ]


def review(run, tmp_path: Path, calls: list[dict[str, Any]], *source: str) -> Any:
    change = tmp_path / "change.json"
    change.write_text(json.dumps(calls))
    if not source:
        snap = tmp_path / "snapshot.json"
        snap.write_text(json.dumps(snapshot()))
        source = (str(snap),)
    outputs = [arg for fmt in DIFF_FORMATS for arg in ("-f", f"{fmt}:{tmp_path / f'out.{fmt}'}")]
    return run("review", "--change", str(change), *source, *outputs)


def written(tmp_path: Path) -> str:
    return "".join(
        (tmp_path / f"out.{fmt}").read_text(encoding="utf-8")
        for fmt in DIFF_FORMATS
        if (tmp_path / f"out.{fmt}").exists()
    )


# Item 1: a change file cannot carry a secret into a field that is shown


@pytest.mark.parametrize(
    ("calls", "field"),
    [
        pytest.param(
            patch(
                "seg1",
                {"op": "copy", "from": "/config/writeKey", "path": "/config/userIDContextKind"},
            ),
            "config.writeKey",
            id="copy-a-secret",
        ),
        pytest.param(
            patch(
                "seg1",
                {
                    "op": "move",
                    "from": "/config/writeKey",
                    "path": "/config/anonymousIDContextKind",
                },
            ),
            "config.writeKey",
            id="move-a-secret",
        ),
        pytest.param(
            patch(
                "seg1", {"op": "copy", "from": "/config", "path": "/config/anonymousIDContextKind"}
            ),
            "/config holds fields",
            id="copy-the-whole-config",
        ),
        pytest.param(
            patch(
                "bq1",
                {"op": "replace", "path": "/kind", "value": "kinesis"},
                {"op": "move", "from": "/config/opaque", "path": "/config/region"},
            ),
            "config.opaque",
            id="kind-change-then-move-opaque",
        ),
        pytest.param(
            patch(
                "seg1",
                {"op": "replace", "path": "/kind", "value": "kinesis"},
                {"op": "copy", "from": "/config/writeKey", "path": "/config/region"},
            ),
            "config.writeKey",
            id="secret-of-the-old-kind",
        ),
    ],
)
def test_a_copy_or_move_from_a_hidden_field_is_refused(
    run, tmp_path: Path, calls: list[dict[str, Any]], field: str
) -> None:
    result = review(run, tmp_path, calls)
    assert result.exit_code == 2
    assert "a copy or move may not take a value that is not shown" in result.stderr
    assert field in result.stderr
    assert "body[" in result.stderr and "].from" in result.stderr
    assert not any(secret in result.stdout + result.stderr for secret in PLANTED)
    assert written(tmp_path) == ""


def test_a_kind_change_does_not_reveal_what_the_old_kind_kept_opaque(run, tmp_path: Path) -> None:
    calls = patch("bq1", {"op": "replace", "path": "/kind", "value": "kinesis"})
    result = review(run, tmp_path, calls)
    assert result.exit_code in (0, 1), result.stderr
    reports = written(tmp_path) + result.stdout + result.stderr
    assert "config.region" in (tmp_path / "out.text").read_text()  # the change is still listed
    assert not any(secret in reports for secret in PLANTED)


def test_a_shown_field_may_still_be_copied_and_shown(run, tmp_path: Path) -> None:
    calls = patch(
        "seg1",
        {
            "op": "copy",
            "from": "/config/userIDContextKind",
            "path": "/config/anonymousIDContextKind",
        },
    )
    result = review(run, tmp_path, calls)
    assert result.exit_code in (0, 1), result.stderr
    diff = json.loads((tmp_path / "out.json").read_text())
    changed = [
        field
        for d in diff["destinations"]
        for field in d.get("fields", [])
        if field["field"] == "config.anonymousIDContextKind"
    ]
    assert changed and changed[0]["after"] == "user"


def test_the_same_holds_through_review_api(
    run, tmp_path: Path, fake_ld: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LD_API_KEY", "api-review-token-1")
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    fake_ld.script(DESTINATIONS, ok(snapshot()))
    copy = patch(
        "seg1", {"op": "copy", "from": "/config/writeKey", "path": "/config/userIDContextKind"}
    )
    refused = review(run, tmp_path, copy, "--api")
    assert refused.exit_code == 2
    kind = patch("bq1", {"op": "replace", "path": "/kind", "value": "kinesis"})
    result = review(run, tmp_path, kind, "--api")
    assert result.exit_code in (0, 1), result.stderr
    assert not any(secret in written(tmp_path) + result.stdout for secret in PLANTED)


# Item 2: explanations name fields, never the values of secret or opaque ones

OPERATORS = {
    "resource_covers": {"resource_covers": "proj/payments:env/production:destination/x"},
    "action_covers": {"action_covers": "updateOn"},
    "valid_specifier": {"valid_specifier": True},
    # resource_wildcard notes, but does not make a rule explain; valid_specifier does
    "resource_wildcard": {
        "and": [{"valid_specifier": True}, {"not": {"resource_wildcard": ["proj"]}}]
    },
}
"""Each fails (so makes a finding) where the operator notes its reasoning."""
SPECIFIER_SECRET = "proj/SEKRET-91c4*:env/production:destination/*"
BROKEN_SECRET = "proj/SEKRET-91c4:env/prod uction"


def leaky_rule(name: str, condition: dict[str, Any]) -> str:
    # `or` evaluates both fields before it fails: both operators' reasoning is explained
    return json.dumps(
        {
            "id": name,
            "title": "Points an operator at config fields",
            "severity": "high",
            "summary": "Test rule.",
            "rationale": "An explanation must not print a secret.",
            "remediation": "None.",
            "scope": "destinations",
            "assert": {"or": [{"config.writeKey": condition}, {"config.opaque": condition}]},
            "message": "{{ destination.name }} failed",
        }
    )


def secrets_export() -> dict[str, Any]:
    return export(
        destination("seg1", name="seg", kind="segment", config={"writeKey": SPECIFIER_SECRET}),
        destination("seg2", name="seg2", kind="segment", config={"writeKey": "updateOn"}),
        destination("bq1", name="bq", kind="bigquery", config={"opaque": BROKEN_SECRET}),
        destination("bq2", name="bq2", kind="bigquery", config={"opaque": SPECIFIER_SECRET}),
    )


@pytest.mark.parametrize("operator", sorted(OPERATORS))
def test_explanations_never_quote_a_secret_or_opaque_value(
    run, tmp_path: Path, operator: str
) -> None:
    name = f"leak-{operator.replace('_', '-')}"
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / f"{name}.yaml").write_text(leaky_rule(name, OPERATORS[operator]))
    export_path = tmp_path / "export.json"
    export_path.write_text(json.dumps(secrets_export()))
    common = ("--no-builtin-rules", "--rules", str(rules))
    pack = tmp_path / "pack"
    result = run(
        "check",
        str(export_path),
        *common,
        "-f",
        f"json:{tmp_path / 'r.json'}",
        "-f",
        f"text:{tmp_path / 'r.txt'}",
        "--evidence",
        str(pack),
    )
    assert result.exit_code == 1, result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    explanations = [line for f in report["findings"] for line in f["explanation"]]
    assert explanations, "the operator explained nothing: the test would prove nothing"
    assert any("`config.writeKey`" in line or "`config.opaque`" in line for line in explanations)
    shown = [(tmp_path / "r.txt").read_text(), json.dumps(report)]
    shown += [p.read_text(errors="replace") for p in pack.rglob("*") if p.is_file()]
    for finding in report["findings"]:
        explained = run("explain", finding["fingerprint"], str(export_path), *common)
        assert explained.exit_code == 0, explained.stderr
        shown.append(explained.stdout)
    for text in shown:
        assert "SEKRET" not in text


def test_a_shown_field_is_still_quoted(run, tmp_path: Path) -> None:
    rule = {
        "id": "region-covers",
        "title": "t",
        "severity": "low",
        "summary": "s",
        "rationale": "r",
        "remediation": "m",
        "scope": "destinations",
        "assert": {"config.region": {"resource_covers": "proj/a:env/b:destination/c"}},
        "message": "m",
    }
    (tmp_path / "region-covers.yaml").write_text(json.dumps(rule))
    kinesis = destination(
        "k1",
        kind="kinesis",
        config={
            "region": "proj/z",
            "roleArn": "arn:aws:iam::123456789012:role/r",
            "streamName": "s",
        },
    )
    (tmp_path / "e.json").write_text(json.dumps(export(kinesis)))
    result = run(
        "check", str(tmp_path / "e.json"), "--no-builtin-rules", "--rules",
        str(tmp_path / "region-covers.yaml"), "-f", "json",
    )  # fmt: skip
    (finding,) = result.json["findings"]
    assert finding["explanation"][0].startswith("`proj/z` does not cover proj/a:env/b")


# Item 4: a repeated key is a schema problem, whatever value it hides


def test_a_duplicate_key_hiding_a_clear_secret_is_a_schema_problem(run, tmp_path: Path) -> None:
    item = destination("seg1", kind="segment", config={"writeKey": "PLACEHOLDER"})
    text = json.dumps(export(item)).replace(
        '"writeKey": "PLACEHOLDER"', '"writeKey": "clear-secret", "writeKey": "**********abcd"'
    )
    path = tmp_path / "export.json"
    path.write_text(text)
    result = run("check", str(path), "-f", "json")
    assert result.exit_code == 3
    report = result.json
    assert report["schema_errors"] == [
        {
            "pointer": "/items/0/config/writeKey",
            "message": "the key appears more than once in its object; readers differ on which"
            " counts",
        }
    ]
    assert "clear-secret" not in result.stdout + result.stderr
    assert run("validate", str(path)).exit_code == 3


def test_a_duplicate_key_anywhere_names_its_pointer(run, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('{"items": [], "_links": {"self": {"href": "a", "href": "b"}}}')
    result = run("validate", str(path))
    assert result.exit_code == 3
    assert "/_links/self/href: the key appears more than once" in result.stdout
