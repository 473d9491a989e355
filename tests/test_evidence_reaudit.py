"""An evidence pack re-audits to the same result: secrets masked, not removed.

`auditor check` on a pack's `input/destinations.json` makes the original run's findings with
the same fingerprints, and `auditor evidence verify --reaudit` says so (or names what
differs); no secret reaches the pack.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, FIXED_NOW, ROOT, destination, export

from auditor.launchdarkly.masking import MASKED_MARKER, is_obfuscated, unmasked_secrets
from auditor.launchdarkly.redact import CLEAR_MARKER, evidence_item
from auditor.periodic.manifest import MANIFEST, manifest_text

SENTINEL = "SENTINEL-9f3a77c1"
WAIVERS = ROOT / "examples" / "waivers.yaml"
CONFIG = ROOT / "examples" / "auditor.yaml"


def findings_of(report: dict[str, Any]) -> list[tuple[str, ...]]:
    return sorted(
        (f["fingerprint"], f["rule_id"], f["severity"], f["status"], f["pointer"], f["message"])
        for f in report["findings"]
    )


def hostile_secrets() -> dict[str, Any]:
    """Secrets in every shape: clear, masked, non-string, nested, in a config string, broken."""
    ids = iter(f"6523f1c0a9e7b2d4c8f01e{n:02d}" for n in range(20))
    return export(
        destination(
            next(ids),
            name="mp-clear",
            kind="mparticle",
            config={"apiKey": f"{SENTINEL}-1", "secret": "mps********9c2", "environment": "prod"},
        ),
        destination(next(ids), name="seg-masked", kind="segment", config={"writeKey": "s****7"}),
        destination(next(ids), name="seg-number", kind="segment", config={"writeKey": 123456789}),
        destination(next(ids), name="seg-empty", kind="segment", config={"writeKey": ""}),
        destination(
            next(ids),
            name="seg-string",
            kind="segment",
            config=json.dumps({"writeKey": f"{SENTINEL}-2", "userIDContextKind": "user"}),
        ),
        destination(
            next(ids),
            name="hub-missing-key",
            kind="azure-event-hubs",
            config={"namespace": "ns", "name": "h", "policyName": "p"},
        ),
        destination(
            next(ids),
            name="hub-nested",
            kind="azure-event-hubs",
            config={
                "namespace": "ns2",
                "name": "h",
                "policyName": "p",
                "policyKey": {"v": [f"{SENTINEL}-3", 7]},
                "unknownField": f"{SENTINEL}-4",
            },
        ),
        destination(next(ids), name="s3", kind="s3", config={"accessKey": f"{SENTINEL}-5", "n": 3}),
        destination(next(ids), name="dbx", kind="databricks", config={"token": f"{SENTINEL}-6"}),
        destination(next(ids), name="broken", kind="segment", config=f"not json {SENTINEL}-7"),
        destination(next(ids), name="nothing", kind="bigquery", config=None),
        destination(
            next(ids),
            name="kin",
            kind="kinesis",
            config={
                "region": "us-east-1",
                "roleArn": "arn:aws:iam::123456789012:role/x",
                "streamName": "s",
            },
        ),
        "an item that is not an object",
    )


def test_a_secret_becomes_a_marker_that_reads_back_the_same() -> None:
    item = destination(
        kind="mparticle",
        config={"apiKey": "clear-key", "secret": "mps********9c2", "environment": "prod"},
    )
    kept = evidence_item(item)
    assert kept["config"] == {
        "apiKey": CLEAR_MARKER,
        "secret": MASKED_MARKER,
        "environment": "prod",
    }
    assert {k: v for k, v in kept.items() if k != "config"} == {
        k: v for k, v in item.items() if k != "config"
    }
    assert is_obfuscated(MASKED_MARKER) and not is_obfuscated(CLEAR_MARKER)
    assert unmasked_secrets("mparticle", kept["config"]) == unmasked_secrets(
        "mparticle", item["config"]
    )


def test_a_config_string_stays_a_string_and_a_broken_one_stays_broken() -> None:
    as_string = evidence_item(
        destination(kind="segment", config=json.dumps({"writeKey": "w", "userIDContextKind": "u"}))
    )
    assert json.loads(as_string["config"]) == {"writeKey": CLEAR_MARKER, "userIDContextKind": "u"}
    assert evidence_item(destination(kind="segment", config="{oops"))["config"] == CLEAR_MARKER


def test_check_on_the_pack_input_reproduces_findings_and_fingerprints(run, write_json, tmp_path):
    source = write_json(hostile_secrets())
    original = run(
        "check",
        str(source),
        "--now",
        FIXED_NOW,
        "--evidence",
        str(tmp_path / "pack"),
        "-f",
        "json:-",
    )
    assert original.exit_code == 3, original.stderr  # the broken config and the string item
    again = run(
        "check",
        str(tmp_path / "pack" / "input" / "destinations.json"),
        "--now",
        FIXED_NOW,
        "-f",
        "json:-",
    )
    assert again.exit_code == 3
    assert findings_of(again.json) == findings_of(original.json)
    rules = {f[1] for f in findings_of(original.json)}
    assert {"unmasked-secret", "destination-config-missing", "unknown-destination-kind"} <= rules
    assert [p["pointer"] for p in again.json["schema_errors"]] == [
        p["pointer"] for p in original.json["schema_errors"]
    ]


def test_no_secret_reaches_the_pack_in_any_shape(run, write_json, tmp_path):
    source = write_json(hostile_secrets())
    result = run("check", str(source), "--evidence", str(tmp_path / "pack"), "-f", "html:-")
    assert result.exit_code == 3
    files = [p for p in (tmp_path / "pack").rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        assert SENTINEL.encode() not in path.read_bytes(), path
    snapshot = json.loads((tmp_path / "pack" / "input" / "destinations.json").read_text())
    assert len(snapshot["items"]) == len(hostile_secrets()["items"])  # every item kept
    nested = next(i for i in snapshot["items"] if isinstance(i, dict) and i["name"] == "hub-nested")
    assert nested["config"]["policyKey"] == {"v": [CLEAR_MARKER, 0]}
    assert nested["config"]["namespace"] == "ns2"  # non-secret fields as they were


def test_verify_reaudit_says_the_pack_reproduces_its_report(run, tmp_path):
    pack = tmp_path / "pack"
    result = run(
        "--config",
        str(CONFIG),
        "check",
        str(EXAMPLE),
        "--now",
        FIXED_NOW,
        "--waivers",
        str(WAIVERS),
        "--severity",
        "destination-disabled=high",
        "--evidence",
        str(pack),
        "-f",
        "json:-",
    )
    assert result.exit_code == 1, result.stderr
    assert result.json["findings"], "the example has findings"
    verified = run("evidence", "verify", "--reaudit", str(pack))
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    n = len(result.json["findings"])
    assert f"re-audit: {n} findings, identical to reports/report.json" in verified.stdout


def test_verify_reaudit_names_a_finding_that_differs(run, tmp_path):
    pack = tmp_path / "pack"
    assert run("check", str(EXAMPLE), "--now", FIXED_NOW, "--evidence", str(pack)).exit_code == 1
    report_path = pack / "reports" / "report.json"
    report = json.loads(report_path.read_text())
    changed = report["findings"][0]
    changed["status"] = "waived"
    report["findings"] = report["findings"][:-1]  # and one the report no longer has
    dropped = json.loads(report_path.read_text())["findings"][-1]["fingerprint"]
    report_path.write_text(json.dumps(report))
    _rewrite_manifest(pack)
    assert run("evidence", "verify", str(pack)).exit_code == 0  # intact, as far as hashes go
    verified = run("evidence", "verify", "--reaudit", str(pack))
    assert verified.exit_code == 1
    assert f"DIFFERS {changed['fingerprint']}: " in verified.stdout
    assert "status 'waived' -> 'open'" in verified.stdout
    assert f"DIFFERS {dropped}: " in verified.stdout and "not in the report" in verified.stdout
    assert "re-audit differs from reports/report.json in 2 way(s)" in verified.stderr


def test_reaudit_uses_the_pack_rules_not_the_installed_ones(run, tmp_path):
    pack = tmp_path / "pack"
    assert run("check", str(EXAMPLE), "--now", FIXED_NOW, "--evidence", str(pack)).exit_code == 1
    rule = pack / "rules" / "destination-disabled.yaml"
    rule.write_text(rule.read_text().replace('"on": {equals: true}', '"on": {equals: false}'))
    _rewrite_manifest(pack)
    verified = run("evidence", "verify", "--reaudit", str(pack))
    assert verified.exit_code == 1
    assert "destination-disabled on " in verified.stdout


@pytest.mark.parametrize("missing", ["settings", "snapshot"])
def test_a_pack_without_what_a_reaudit_needs_is_a_usage_error(run, tmp_path, missing):
    pack = tmp_path / "pack"
    assert run("check", str(EXAMPLE), "--now", FIXED_NOW, "--evidence", str(pack)).exit_code == 1
    meta = json.loads((pack / "evidence.json").read_text())
    if missing == "settings":
        del meta["settings"]
    else:
        meta["source"]["snapshot"] = None
    (pack / "evidence.json").write_text(json.dumps(meta))
    _rewrite_manifest(pack)
    verified = run("evidence", "verify", "--reaudit", str(pack))
    assert verified.exit_code == 2
    assert "cannot be re-audited" in verified.stderr


def _rewrite_manifest(pack: Path) -> None:
    hashes = {
        p.relative_to(pack).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in pack.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }
    (pack / MANIFEST).write_text(manifest_text(hashes))


def test_an_expired_waiver_reaudits_to_the_same_waiver_expired_finding(run, tmp_path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - {rule: destination-disabled, name: web-segment, reason: paused,"
        " owner: web, expires: 2026-01-01, ticket: WEB-1}\n"
    )
    pack = tmp_path / "pack"
    result = run(
        "check",
        str(EXAMPLE),
        "--now",
        FIXED_NOW,
        "--waivers",
        str(waivers),
        "--evidence",
        str(pack),
        "-f",
        "json",
    )
    expired = [f for f in result.json["findings"] if f["rule_id"] == "waiver-expired"]
    assert expired and str(waivers) in expired[0]["message"]  # it names the waivers file
    verified = run("evidence", "verify", "--reaudit", str(pack))
    assert verified.exit_code == 0, verified.stdout + verified.stderr
