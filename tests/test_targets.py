"""Where exports go (targets per kind) and what counts as a secret masked the API's way."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.launchdarkly.masking import is_obfuscated, unmasked_secrets
from auditor.launchdarkly.targets import TARGET_KINDS, target_of

TARGETS = [
    (
        "kinesis",
        {"region": "us-east-1", "roleArn": "arn:aws:iam::123456789012:role/ld", "streamName": "s"},
        "123456789012",
        {"account": "123456789012", "region": "us-east-1", "streamName": "s"},
    ),
    (
        "kinesis",
        {
            "region": "cn-north-1",
            "roleArn": "arn:aws-cn:iam::123456789012:role/ld",
            "streamName": "s",
        },
        "123456789012",
        {"account": "123456789012", "region": "cn-north-1", "streamName": "s"},
    ),
    (
        "kinesis",
        {"region": "us-east-1", "roleArn": "not-an-arn", "streamName": "s"},
        None,
        {"account": None, "region": "us-east-1", "streamName": "s"},
    ),
    ("google-pubsub", {"project": "acme", "topic": "t"}, "acme", {"project": "acme", "topic": "t"}),
    (
        "azure-event-hubs",
        {"namespace": "Acme-Web", "name": "hub", "policyName": "p", "policyKey": "pol********123"},
        "acme-web",
        {"namespace": "acme-web", "name": "hub"},
    ),
    (
        "snowflake-v2",
        {"publicKey": "MIIB", "snowflakeHostAddress": "https://Acme.snowflakecomputing.com/"},
        "acme.snowflakecomputing.com",
        {"host": "acme.snowflakecomputing.com"},
    ),
    ("google-pubsub", None, None, {"project": None, "topic": None}),
    # warehouses (fields of the setup endpoint): the account or host is the id
    (
        "redshift",
        {"clusterAwsAccountId": "123456789012", "clusterRegion": "eu-west-1",
         "clusterIdentifier": "analytics", "schemaName": "ld_export"},
        "123456789012",
        {"account": "123456789012", "region": "eu-west-1", "cluster": "analytics",
         "schema": "ld_export"},
    ),
    (
        "redshift",
        {"clusterAwsAccountId": "not-an-account", "clusterRegion": "eu-west-1"},
        None,
        {"account": None, "region": "eu-west-1", "cluster": None},
    ),
    (
        "clickhouse",
        {"endpoint": "https://Acme.ClickHouse.cloud:8443", "clickHouseDatabaseName": "ld",
         "clickHousePassword": "SECRET"},
        "acme.clickhouse.cloud",
        {"host": "acme.clickhouse.cloud", "database": "ld"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "config", "target_id", "fields"), TARGETS)
def test_targets_per_kind(
    kind: str, config: Any, target_id: str | None, fields: dict[str, Any]
) -> None:
    target = target_of(kind, config)
    assert target is not None
    assert target.as_subject() == {"kind": kind, "id": target_id, "fields": fields}
    if kind in ("kinesis", "google-pubsub", "azure-event-hubs"):
        assert (target.identity is None) == (None in fields.values())


WAREHOUSE_SINKS = [
    # each environment gets its own schema by default: without a named one, no sink to compare
    ("snowflake-v2", {"snowflakeHostAddress": "acme.snowflakecomputing.com"}, None),
    (
        "snowflake-v2",
        {"snowflakeHostAddress": "acme.snowflakecomputing.com", "schemaName": "LD"},
        ("snowflake-v2", ("host", "acme.snowflakecomputing.com"), ("database", ""),
         ("schema", "LD")),
    ),
    (
        "redshift",
        {"clusterAwsAccountId": "123456789012", "clusterRegion": "eu-west-1",
         "clusterIdentifier": "analytics"},
        None,
    ),
    ("clickhouse", {"endpoint": "acme.clickhouse.cloud"}, None),
    (
        "clickhouse",
        {"endpoint": "acme.clickhouse.cloud", "clickHouseDatabaseName": "ld"},
        ("clickhouse", ("host", "acme.clickhouse.cloud"), ("database", "ld")),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "config", "identity"), WAREHOUSE_SINKS)
def test_warehouse_sinks_are_compared_only_on_a_named_schema(
    kind: str, config: dict[str, Any], identity: Any
) -> None:
    target = target_of(kind, config)
    assert target is not None and target.identity == identity


def test_a_warehouse_target_never_reads_the_clickhouse_password() -> None:
    target = target_of("clickhouse", {"endpoint": "h", "clickHousePassword": "SECRET"})
    assert target is not None and "SECRET" not in repr(target)


@pytest.mark.parametrize("kind", ["mparticle", "segment", "databricks", "bigquery", "s3"])
def test_kinds_without_a_nameable_target(kind: str) -> None:
    assert target_of(kind, {"writeKey": "x", "apiKey": "y"}) is None
    assert kind not in TARGET_KINDS


def test_a_target_never_reads_a_secret_field() -> None:
    target = target_of("azure-event-hubs", {"namespace": "n", "name": "h", "policyKey": "SECRET"})
    assert target is not None
    assert "SECRET" not in repr(target.as_subject())


MASKS = [
    ("sup********123", True),
    ("mpa********a1f", True),
    ("********", True),
    ("abcd****efgh", True),
    ("a****", True),
    ("sup***123", False),  # a run of three: not the API's mask
    ("abcde****fgh", False),  # five visible before the run
    ("abc****defgh", False),
    ("ab**cd**ef", False),
    ("sup ****123", False),
    ("plain-write-key", False),
    ("", False),
    (None, False),
    (12345, False),
]


@pytest.mark.parametrize(("value", "masked"), MASKS)
def test_the_api_mask(value: Any, masked: bool) -> None:
    assert is_obfuscated(value) is masked


def test_unmasked_secrets_names_fields_only() -> None:
    config = {"apiKey": "clear-api-key", "secret": "mps********9c2", "environment": "production"}
    assert unmasked_secrets("mparticle", config) == ("apiKey",)
    assert unmasked_secrets("mparticle", {"apiKey": "", "secret": None}) == ()
    assert unmasked_secrets("segment", {"writeKey": 42}) == ("writeKey",)
    assert unmasked_secrets("azure-event-hubs", {"policyKey": "clear"}) == ("policyKey",)
    assert unmasked_secrets("kinesis", {"roleArn": "arn:aws:iam::123456789012:role/x"}) == ()
    assert unmasked_secrets("s3", {"accessKey": "clear"}) == ()  # unknown kind: fields unknown
    assert unmasked_secrets("segment", None) == ()
