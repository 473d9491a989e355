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
]


@pytest.mark.parametrize(("kind", "config", "target_id", "fields"), TARGETS)
def test_targets_per_kind(
    kind: str, config: Any, target_id: str | None, fields: dict[str, Any]
) -> None:
    target = target_of(kind, config)
    assert target is not None
    assert target.as_subject() == {"kind": kind, "id": target_id, "fields": fields}
    assert (target.identity is None) == (None in fields.values())


@pytest.mark.parametrize(
    "kind", ["mparticle", "segment", "databricks", "bigquery", "redshift", "s3"]
)
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
