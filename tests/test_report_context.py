"""The template context: the views every report is drawn from, as plain sorted data."""

from __future__ import annotations

import json
from typing import Any

from reporting_helpers import accept, audit, destination, export, fixture_result

from auditor.outputs.context import build_context
from auditor.outputs.report_json import report_dict

WILD = {
    "effect": "allow",
    "resources": ["proj/*:env/*:destination/*"],
    "actions": ["updateOn"],
    "role_name": "admins",
}


def context() -> dict[str, Any]:
    return build_context(fixture_result())


def test_extends_the_json_report() -> None:
    result = fixture_result()
    ctx = build_context(result)
    report = report_dict(result)
    for key in (
        "schema_version",
        "tool",
        "generated_at",
        "source",
        "ruleset_sha256",
        "schema_errors",
    ):
        assert ctx[key] == report[key]
    assert ctx["generated_at"] == "2026-01-31T12:00:00Z"
    json.dumps(ctx)  # plain data all the way down


def test_findings_are_sorted_and_split_by_status() -> None:
    ctx = context()
    order = [
        (-["info", "low", "medium", "high", "critical"].index(f["severity"]), f["rule_id"])
        for f in ctx["findings"]
    ]
    assert order == sorted(order)
    assert [f["status"] for f in ctx["open_findings"]] == ["open"] * 3
    assert [(f["rule_id"], f["status"]) for f in ctx["suppressed_findings"]] == [
        ("destination-disabled", "waived"),
        ("access-not-reported", "baselined"),
    ]
    assert ctx["suppressed_findings"][0]["waiver"]["owner"] == "@data-platform"
    assert ctx["suppressed_findings"][1]["waiver"] is None


def test_waivers_always_have_reason_owner_and_expires() -> None:
    doc = export(
        destination("off", "segment", index=1, on=False, config={"writeKey": "k"}, allowed=[])
    )
    result = accept(
        audit(doc), "destination-disabled", "waived", {"reason": "paused", "ticket": "CHG-1"}
    )
    (finding,) = build_context(result)["suppressed_findings"]
    assert finding["waiver"] == {
        "reason": "paused",
        "owner": None,
        "expires": None,
        "ticket": "CHG-1",
    }


def test_verdict_explains_itself() -> None:
    assert context()["verdict"] == {
        "passed": False,
        "label": "failed",
        "fail_on": "medium",
        "gating": 2,
        "reason": "the input has 2 schema problem(s)",
    }
    doc = export(
        destination(
            "d",
            "kinesis",
            index=1,
            allowed=[WILD],
            config={"region": "r", "roleArn": "a", "streamName": "s"},
        )
    )
    assert build_context(audit(doc))["verdict"]["reason"] == "1 open finding(s) at or above medium"
    assert (
        build_context(audit(doc, fail_on="critical"))["verdict"]["reason"]
        == "no open finding at or above critical"
    )
    assert (
        build_context(audit(doc, fail_on="never"))["verdict"]["reason"]
        == "the gate is off (--fail-on never)"
    )


def test_severity_counts_and_summary() -> None:
    ctx = context()
    rows = {r["severity"]: r for r in ctx["severity_counts"]}
    assert list(rows) == ["critical", "high", "medium", "low", "info"]
    assert rows["high"] == {"severity": "high", "open": 2, "waived": 0, "baselined": 0, "total": 2}
    assert rows["medium"]["waived"] == 1 and rows["info"]["baselined"] == 1
    summary = ctx["summary"]
    assert (summary["open"], summary["waived"], summary["baselined"]) == (3, 1, 1)
    assert (summary["destinations"], summary["destinations_off"]) == (5, 1)


def test_destinations_view_groups_findings_and_sorts_by_project() -> None:
    views = context()["destinations"]
    keys = [(d["project"], d["environment"], d["name"]) for d in views]
    assert keys == sorted(keys)
    s3 = next(d for d in views if d["kind"] == "s3")
    assert s3["config_policy"] == "unknown-kind" and s3["config"] == {}
    assert [f["rule_id"] for f in s3["findings"]] == [
        "unknown-destination-kind",
        "access-not-reported",
    ]
    assert s3["open"] == 1
    kinesis = next(d for d in views if d["kind"] == "kinesis")
    assert kinesis["config_policy"] == "fields" and kinesis["findings"] == []
    assert kinesis["config"]["streamName"] == "ld-payments"


def test_rules_view_has_documentation_and_findings() -> None:
    rules = context()["rules"]
    assert [r["severity"] for r in rules][:2] == ["high", "high"]
    grant = next(r for r in rules if r["id"] == "wildcard-resource-grant")
    assert grant["rationale"] and grant["remediation"]
    assert {"framework": "soc2", "framework_name": "SOC 2", "control": "CC6.1"} in grant[
        "compliance"
    ]
    assert grant["open"] == 1 and grant["findings"][0]["statement"]["role_name"].startswith("ops|")


def test_controls_view_maps_compliance_controls_to_findings() -> None:
    controls = {(c["framework"], c["control"]): c for c in context()["controls"]}
    cc61 = controls[("soc2", "CC6.1")]
    assert "wildcard-resource-grant" in cc61["rules"]
    assert [f["rule_id"] for f in cc61["findings"]] == ["wildcard-resource-grant"]
    cc72 = controls[("soc2", "CC7.2")]
    assert [(f["rule_id"], f["status"]) for f in cc72["findings"]] == [
        ("destination-config-missing", "open"),
        ("destination-disabled", "waived"),
    ]
    assert cc72["open"] == 1
    iso = [c for (framework, c) in controls if framework == "iso27001"]
    # natural order; the controls of rules left out by --ignore are there, not evaluated
    assert iso == ["A.5.14", "A.5.15", "A.5.17", "A.5.18", "A.8.2", "A.8.12", "A.8.15"]
    assert controls[("iso27001", "A.5.17")]["verdict"] == "not_evaluated"
    assert controls[("iso27001", "A.5.15")]["verdict"] == "failed"


def test_charts_and_filters() -> None:
    ctx = context()
    assert [b["label"] for b in ctx["charts"]["by_severity"]] == ctx["severities"]
    by_rule = {b["label"]: b for b in ctx["charts"]["by_rule"]}
    assert by_rule["destination-disabled"] == {
        "label": "destination-disabled",
        "severity": "medium",
        "open": 0,
        "suppressed": 1,
        "total": 1,
    }
    assert ctx["filters"]["severities"] == ["high", "medium", "low", "info"]
    assert ctx["filters"]["projects"] == ["analytics", "mobile-app", "web"]
    doc = export(destination("a", "segment", index=1, project=None, on=False, allowed=[]))
    assert build_context(audit(doc))["filters"]["projects"] == [None]


def test_empty_export() -> None:
    ctx = build_context(audit(export()))
    assert ctx["findings"] == [] and ctx["destinations"] == []
    assert ctx["charts"]["by_rule"] == []
    assert ctx["verdict"]["passed"] is True


def test_each_finding_carries_the_short_fingerprint_that_explain_accepts() -> None:
    ctx = context()
    for view in ctx["findings"]:
        assert view["short_fingerprint"] == view["fingerprint"][:10]
        assert len(view["short_fingerprint"]) == 10
