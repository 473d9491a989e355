"""The diff model without the CLI: `run_diff`, `apply_calls` and frozen results."""

from __future__ import annotations

import dataclasses
import json

import pytest
from changes_helpers import AUDIT_STREAM, off_patch, two_destinations, write_change
from reporting_helpers import NOW, source

from auditor.audit import AuditOptions
from auditor.changes.changefile import load_change_file
from auditor.changes.diff import DiffResult, run_diff
from auditor.changes.review import apply_calls, run_review
from auditor.launchdarkly.masking import is_obfuscated


def as_source(doc, path):
    return source(json.dumps(doc).encode("utf-8"), path)


def test_run_diff_takes_one_clock_reading_for_both_audits():
    doc = two_destinations()
    result = run_diff(as_source(doc, "a"), as_source(doc, "b"), AuditOptions())
    assert result.before.generated_at == result.after.generated_at
    assert result.passed and result.gating == 0


def test_the_result_is_frozen():
    doc = two_destinations()
    result = run_diff(as_source(doc, "a"), as_source(doc, "b"), AuditOptions(now=NOW))
    assert isinstance(result, DiffResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.passed = False  # type: ignore[misc]


def test_apply_calls_leaves_the_document_as_it_was(tmp_path):
    doc = two_destinations()
    original = json.dumps(doc, sort_keys=True)
    change = load_change_file(str(write_change(tmp_path, [off_patch()])))
    after = apply_calls(doc, change)
    assert json.dumps(doc, sort_keys=True) == original
    assert after["items"][0]["on"] is False and after["_links"] == doc["_links"]


def test_a_string_config_is_decoded_before_it_is_patched(tmp_path):
    doc = two_destinations()
    doc["items"][0]["config"] = json.dumps({"project": "acme", "topic": "old"})
    call = off_patch()
    call["body"] = [{"op": "replace", "path": "/config/topic", "value": "new"}]
    after = apply_calls(doc, load_change_file(str(write_change(tmp_path, [call]))))
    assert after["items"][0]["config"] == {"project": "acme", "topic": "new"}


def test_run_review_names_the_change_file(tmp_path):
    doc = two_destinations()
    change = load_change_file(str(write_change(tmp_path, [off_patch()])))
    result = run_review(as_source(doc, "snap.json"), change, AuditOptions(now=NOW))
    assert result.change_path == change.path
    assert result.after.source_path == f"snap.json + {change.path}"
    (changed,) = result.destinations
    assert changed.destination.id == AUDIT_STREAM
    assert [f.rule_id for f in result.introduced] == ["destination-disabled"]


def test_a_posted_secret_is_masked_in_the_changed_document(tmp_path):
    post = {
        "method": "POST",
        "path": "/api/v2/destinations/web/production",
        "body": {"name": "s", "kind": "segment", "config": {"writeKey": "clear-key"}},
    }
    after = apply_calls(two_destinations(), load_change_file(str(write_change(tmp_path, [post]))))
    created = after["items"][-1]
    assert created["_id"] == "new-1" and "_access" not in created
    assert is_obfuscated(created["config"]["writeKey"])
    assert "clear-key" not in json.dumps(after)
