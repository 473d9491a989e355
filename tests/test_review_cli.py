"""`auditor review --change`: proposed API calls applied in memory, then reported like `diff`."""

from __future__ import annotations

import hashlib

from changes_helpers import (
    AUDIT_STREAM,
    EXAMPLE_CHANGE,
    SECRET,
    ids,
    off_patch,
    two_destinations,
    write_change,
)
from conftest import EXAMPLE, FIXED_NOW, destination, export


def review(run, change, snapshot, *args):
    return run("review", "--change", str(change), str(snapshot), "-f", "json", *args)


def test_turning_a_destination_off_introduces_exactly_destination_disabled(
    run, write_json, tmp_path
):
    snapshot = write_json(two_destinations())
    result = review(run, write_change(tmp_path, [off_patch()]), snapshot)
    assert result.exit_code == 1, result.stderr
    report = result.json
    assert ids(report, "introduced") == ["destination-disabled"]
    assert ids(report, "resolved") == []
    (changed,) = report["destinations"]
    assert changed["change"] == "changed" and changed["destination"]["id"] == AUDIT_STREAM
    assert changed["fields"] == [
        {"field": "on", "change": "changed", "shown": True, "before": True, "after": False}
    ]
    assert report["verdict"] == {
        "passed": False,
        "label": "failed",
        "fail_on": "medium",
        "gating": 1,
        "reason": "1 introduced finding(s) at or above medium",
    }


def test_the_gate_follows_fail_on(run, write_json, tmp_path):
    snapshot = write_json(two_destinations())
    change = write_change(tmp_path, [off_patch()])
    assert review(run, change, snapshot, "--fail-on", "high").exit_code == 0
    assert review(run, change, snapshot, "--ignore", "destination-disabled").exit_code == 0


def test_deleting_the_only_destination_of_an_environment_is_reported_as_removed(
    run, write_json, tmp_path
):
    snapshot = write_json(
        export(
            destination(AUDIT_STREAM, on=False),
            destination("6523f1c0a9e7b2d4c8f01a14", project="web", environment="staging"),
        )
    )
    call = {"method": "DELETE", "path": f"/api/v2/destinations/payments/production/{AUDIT_STREAM}"}
    result = review(run, write_change(tmp_path, [call]), snapshot)
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert [(c["change"], c["destination"]["id"]) for c in report["destinations"]] == [
        ("removed", AUDIT_STREAM)
    ]
    removed = report["destinations"][0]["destination"]
    assert (removed["project"], removed["environment"], removed["on"]) == (
        "payments",
        "production",
        False,
    )
    assert ids(report, "resolved") == ["destination-disabled"]
    assert report["after"]["destinations"] == 1


def test_a_post_introduces_only_config_findings(run, write_json, tmp_path):
    """A POST body has no `_access`: no grant or statement finding can come from it.

    The only access-related finding is `access-not-reported` (info): the new destination's
    grants are unknown until it exists.
    """
    snapshot = write_json(two_destinations())
    post = {
        "method": "POST",
        "path": "/api/v2/destinations/payments/prod-eu",
        "body": {"name": "segment-eu", "kind": "segment", "config": {}, "on": True},
    }
    result = review(run, write_change(tmp_path, [post]), snapshot)
    assert result.exit_code == 1
    report = result.json
    introduced = report["findings"]["introduced"]
    assert sorted(ids(report, "introduced")) == [
        "access-not-reported",
        "destination-config-missing",
    ]
    assert all(f["statement"] is None for f in introduced)
    assert {f["destination"]["id"] for f in introduced} == {"new-1"}
    assert report["grants"] == []
    (added,) = report["destinations"]
    assert added["change"] == "added"
    assert added["destination"] == {
        "id": "new-1",
        "name": "segment-eu",
        "kind": "segment",
        "on": True,
        "project": "payments",
        "environment": "prod-eu",
    }


def test_a_second_destination_in_an_environment_is_shown_before_the_api_refuses_it(
    run, write_json, tmp_path
):
    # LaunchDarkly allows one destination per environment: the review says so
    snapshot = write_json(two_destinations())
    post = {
        "method": "POST",
        "path": "/api/v2/destinations/payments/production",
        "body": {"name": "segment-eu", "kind": "segment", "config": {"writeKey": SECRET}},
    }
    report = review(run, write_change(tmp_path, [post]), snapshot).json
    introduced = [(f["rule_id"], f["destination"]["id"]) for f in report["findings"]["introduced"]]
    assert ("several-destinations-in-environment", "new-1") in introduced
    assert ("several-destinations-in-environment", AUDIT_STREAM) in introduced


def test_posted_destinations_get_deterministic_ids_and_can_be_patched(run, write_json, tmp_path):
    snapshot = write_json(two_destinations())
    post = {
        "method": "POST",
        "path": "/api/v2/destinations/web/prod",
        "body": {"name": "s", "kind": "segment", "config": {"writeKey": SECRET}},
    }
    calls = [post, post, off_patch("new-2", "web", "prod")]
    first = review(run, write_change(tmp_path, calls), snapshot, "--now", FIXED_NOW)
    second = review(run, write_change(tmp_path, calls), snapshot, "--now", FIXED_NOW)
    assert first.stdout == second.stdout
    added = [c["destination"] for c in first.json["destinations"]]
    assert [(d["id"], d["on"]) for d in added] == [("new-1", False), ("new-2", False)]
    assert SECRET not in first.stdout + first.stderr


def test_a_failing_test_op_is_exit_2_with_one_line_naming_the_call(run, write_json, tmp_path):
    snapshot = write_json(two_destinations())
    change = tmp_path / "change.yaml"
    change.write_text(
        "- method: PATCH\n"
        f"  path: /api/v2/destinations/payments/production/{AUDIT_STREAM}\n"
        "  body:\n"
        "    - {op: test, path: /on, value: false}\n"
        "    - {op: replace, path: /on, value: false}\n"
    )
    before = snapshot.read_bytes()
    result = review(run, change, snapshot)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {change}:4:7: call 1 (PATCH /api/v2/destinations/payments/production/"
        f"{AUDIT_STREAM}): body[0]: test failed: /on does not hold the tested value\n"
    )
    assert snapshot.read_bytes() == before


def test_the_example_change_file_reviews_the_example_export(run):
    before = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    result = review(run, EXAMPLE_CHANGE, EXAMPLE)
    assert result.exit_code == 1, result.stderr
    report = result.json
    assert ids(report, "introduced") == ["destination-disabled", "access-not-reported"]
    assert ids(report, "resolved") == [
        "destination-config-missing",
        "non-production-events-in-production-target",
        "duplicate-destination",
        "unknown-destination-kind",
    ]
    assert report["summary"]["destinations"] == {"added": 1, "removed": 1, "changed": 2}
    assert hashlib.sha256(EXAMPLE.read_bytes()).hexdigest() == before
    for secret in ("seg-wk-4f1d0c7a9e2b", "vault-policy-key-9b2f64e1"):
        assert secret not in result.stdout + result.stderr


def test_a_json_change_file_is_read_as_json(run, write_json, tmp_path):
    snapshot = write_json(two_destinations())
    result = review(run, write_change(tmp_path, [off_patch()], "change.json"), snapshot)
    assert result.exit_code == 1
    assert ids(result.json, "introduced") == ["destination-disabled"]


def test_an_output_over_an_input_is_refused(run, write_json, tmp_path):
    snapshot = write_json(two_destinations())
    change = write_change(tmp_path, [off_patch()])
    before = snapshot.read_bytes()
    result = run("review", "--change", str(change), str(snapshot), "-f", f"json:{snapshot}")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: -f json:{snapshot} would overwrite {snapshot}, the SNAPSHOT of this run; "
        "write it elsewhere\n"
    )
    assert snapshot.read_bytes() == before


def test_review_needs_exactly_one_of_snapshot_and_api(run, tmp_path):
    change = write_change(tmp_path, [off_patch()])
    assert run("review", "--change", str(change)).exit_code == 2
    assert run("review", str(EXAMPLE)).exit_code == 2  # --change is required


def test_a_snapshot_that_is_not_json_is_exit_3(run, tmp_path):
    snapshot = tmp_path / "broken.json"
    snapshot.write_text("{not json")
    result = review(run, write_change(tmp_path, [off_patch()]), snapshot)
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: input is not valid JSON")


def segment(ident, write_key, **extra):
    return destination(
        ident, name=f"seg-{ident}", kind="segment", config={"writeKey": write_key}, **extra
    )


def test_a_secret_a_call_sets_is_stored_masked_as_the_api_returns_it(run, write_json, tmp_path):
    snapshot = write_json(
        export(segment("masked", "seg********7d0"), segment("clear", "clear-write-key"))
    )
    post = {
        "method": "POST",
        "path": "/api/v2/destinations/payments/production",
        "body": {"name": "eu", "kind": "segment", "config": {"writeKey": SECRET}, "on": True},
    }
    rotate = {
        "method": "PATCH",
        "path": "/api/v2/destinations/payments/production/masked",
        "body": [{"op": "replace", "path": "/config/writeKey", "value": SECRET}],
    }
    rename = {
        "method": "PATCH",
        "path": "/api/v2/destinations/payments/production/clear",
        "body": [{"op": "replace", "path": "/name", "value": "renamed"}],
    }
    result = review(run, write_change(tmp_path, [post, rotate, rename]), snapshot)
    report = result.json
    assert "unmasked-secret" not in ids(report, "introduced")
    assert "unmasked-secret" in ids(report, "unchanged")  # the clear key already there stays
    fields = {c["destination"]["id"]: c["fields"] for c in report["destinations"]}
    assert fields["masked"] == [
        {
            "field": "config.writeKey",
            "change": "changed",
            "shown": False,
            "before": None,
            "after": None,
        }
    ]
    assert SECRET not in result.stdout + result.stderr
