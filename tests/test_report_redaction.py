"""No report shows a secret: config reaches them only through `redact.shown_config`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from reporting_helpers import audit, destination, export, rendered

from auditor.launchdarkly.kinds import KINDS, SECRET_FIELD_NAMES
from auditor.models import AuditResult
from auditor.outputs.context import build_context

KNOWN = [
    "kinesis",
    "google-pubsub",
    "mparticle",
    "segment",
    "azure-event-hubs",
    "snowflake-v2",
    "databricks",
    "bigquery",
    "redshift",
    "clickhouse",
]
FORMATS = ["html", "markdown", "csv", "json", "text"]
LEAKY_RULE = """\
id: config-echo
title: Echoes what a message may see of the config
severity: high
summary: Test rule whose message prints the destination's config.
rationale: A rule message must not be a way to print secrets.
remediation: None.
scope: destinations
assert:
  name: {equals: never-matches}
message: "config {{ destination.config }} all {{ destination }}"
"""


def secret(kind: str, field: str) -> str:
    return f"S3CR3T-{kind}-{field}-9f1c"


def config_for(kind: str) -> dict[str, str]:
    """Every documented field of `kind`, plus two undocumented ones, each a distinct secret."""
    fields = [*KINDS.get(kind, {}), "password", "token"]
    return {field: secret(kind, field) for field in fields}


def secrets_export() -> dict[str, object]:
    items = []
    for index, kind in enumerate([*KNOWN, "s3-unknown-kind"]):
        config = config_for(kind)
        items.append(destination(f"{kind}-dict", kind, index=2 * index, config=config, allowed=[]))
        items.append(
            destination(f"{kind}-str", kind, index=2 * index + 1, config=json.dumps(config))
        )
    return export(*items)


def planted(result: AuditResult) -> set[str]:
    """The secrets that must never show: secret fields, undocumented fields, unknown kinds."""
    out = set()
    for kind in [*KNOWN, "s3-unknown-kind"]:
        for field in config_for(kind):
            known = KINDS.get(kind, {}).get(field)
            if known is None or known.secret:
                out.add(secret(kind, field))
    return out


@pytest.fixture(name="result")
def result_fixture(tmp_path: Path) -> AuditResult:
    rule = tmp_path / "config-echo.yaml"
    rule.write_text(LEAKY_RULE, encoding="utf-8")
    return audit(secrets_export(), rule_paths=[str(rule)], ignore=())


def test_every_known_kind_is_covered() -> None:
    assert sorted(KNOWN) == sorted(KINDS)
    assert {"apiKey", "secret", "writeKey", "policyKey", "clickHousePassword"} <= SECRET_FIELD_NAMES


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_appears_in_any_report(fmt: str, result: AuditResult) -> None:
    text = rendered(fmt, result)
    assert len(result.findings) > 20  # the leaky rule fired on every destination
    leaked = sorted(s for s in planted(result) if s in text)
    assert leaked == []
    assert "S3CR3T-s3-unknown-kind" not in text


def test_no_secret_appears_in_a_user_template(result: AuditResult, tmp_path: Path) -> None:
    template = tmp_path / "dump.txt"
    template.write_text("{{ destinations | tojson }}\n{{ findings | tojson }}\n", encoding="utf-8")
    text = rendered("template", result, template=str(template))
    assert "mparticle" in text
    assert [s for s in planted(result) if s in text] == []


def test_shown_fields_are_shown_and_secret_names_are_not(result: AuditResult) -> None:
    """Non-secret fields of known kinds are shown; the HTML config lists no secret field."""
    context = build_context(result)
    by_name = {d["name"]: d for d in context["destinations"]}
    assert by_name["kinesis-dict"]["config"] == {
        f: secret("kinesis", f) for f in ("region", "roleArn", "streamName")
    }
    assert by_name["mparticle-str"]["config"].keys() == {
        "environment",
        "userIdentity",
        "userIdentities",
        "anonymousUserIdentity",
    }
    assert by_name["databricks-dict"]["config"] == {}
    assert by_name["s3-unknown-kind-dict"]["config"] == {}
    html = rendered("html", result)
    config_lists = "".join(re.findall(r'<ul class="config">.*?</ul>', html, flags=re.S))
    assert "roleArn" in config_lists
    for name in [*SECRET_FIELD_NAMES, "password", "token"]:
        assert f">{name}:<" not in config_lists
