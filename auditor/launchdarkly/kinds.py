"""The Data Export destination kinds auditor knows, with their config fields and which are secret.

Facts from LaunchDarkly's OpenAPI spec (the `kind` enum and the POST description,
https://launchdarkly.com/docs/api/data-export-destinations/post-destination), the Terraform
provider's destination helper (required flags, obfuscated keys), and the warehouse setup
endpoints, which add `clickhouse` and name the warehouse kinds' fields
(https://launchdarkly.com/docs/api/data-export-destinations/post-generate-warehouse-destination-setup-script).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

API_REFERENCE = "the API reference"
TERRAFORM = "the Terraform provider"
SOURCES: tuple[str, ...] = (API_REFERENCE, TERRAFORM)
"""The sources of required config fields: the POST description of the API reference, and the
Terraform provider's destination helper."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ConfigField:
    name: str
    required: bool
    """Every source requires the field."""
    secret: bool
    required_by: tuple[str, ...] = ()
    """The sources that require the field when not every source does."""
    or_else: tuple[str, ...] = ()
    """Fields that serve instead of this one (mParticle `userIdentities` for `userIdentity`)."""


def _fields(*specs: tuple[str, bool, bool]) -> dict[str, ConfigField]:
    return {name: ConfigField(name=name, required=req, secret=sec) for name, req, sec in specs}


def _optional(*names: str) -> dict[str, ConfigField]:
    return _fields(*((name, False, False) for name in names))


KINDS: dict[str, dict[str, ConfigField]] = {
    "kinesis": _fields(
        ("region", True, False), ("roleArn", True, False), ("streamName", True, False)
    ),
    "google-pubsub": _fields(("project", True, False), ("topic", True, False)),
    # The sources disagree: the API reference requires apiKey, secret, userIdentity and
    # anonymousUserIdentity; the Terraform provider apiKey, secret and environment (and one of
    # userIdentity/userIdentities). Only what both require is required.
    "mparticle": {
        **_fields(("apiKey", True, True), ("secret", True, True)),
        "environment": ConfigField(
            name="environment", required=False, secret=False, required_by=(TERRAFORM,)
        ),
        "userIdentity": ConfigField(
            name="userIdentity",
            required=False,
            secret=False,
            required_by=(API_REFERENCE,),
            or_else=("userIdentities",),
        ),
        **_optional("userIdentities"),
        "anonymousUserIdentity": ConfigField(
            name="anonymousUserIdentity", required=False, secret=False, required_by=(API_REFERENCE,)
        ),
    },
    "segment": _fields(
        ("writeKey", True, True),
        ("userIDContextKind", False, False),
        ("anonymousIDContextKind", False, False),
    ),
    "azure-event-hubs": _fields(
        ("namespace", True, False),
        ("name", True, False),
        ("policyName", True, False),
        ("policyKey", True, True),
    ),
    "snowflake-v2": {
        **_fields(("publicKey", True, False), ("snowflakeHostAddress", True, False)),
        **_optional(
            "databaseName",
            "warehouseName",
            "roleName",
            "schemaName",
            "userName",
            "includeNetworkPolicy",
        ),
    },
    # Warehouse kinds: their fields are those of the setup endpoint, none documented as required.
    "redshift": _optional(
        "clusterIdentifier",
        "clusterRegion",
        "clusterAwsAccountId",
        "databaseName",
        "schemaName",
        "userName",
        "s3BucketName",
    ),
    "clickhouse": {
        **_optional(
            "endpoint",
            "clickHouseDatabaseName",
            "clickHouseUserName",
            "clickHouseS3BucketName",
            "clickHouseIncludeHostRestriction",
            "clickHouseServiceRoleArn",
        ),
        **_fields(("clickHousePassword", False, True)),
    },
    # Config fields not documented by LaunchDarkly: the whole config is treated as opaque.
    "databricks": {},
    "bigquery": {},
}

KNOWN_KINDS: tuple[str, ...] = tuple(KINDS)
SECRET_FIELD_NAMES: frozenset[str] = frozenset(
    f.name for fields in KINDS.values() for f in fields.values() if f.secret
)


def required_fields(kind: str) -> tuple[str, ...]:
    return tuple(f.name for f in KINDS.get(kind, {}).values() if f.required)


def shown_fields(kind: str) -> frozenset[str]:
    """The config fields of `kind` that may be shown: known and not secret. Nothing else."""
    return frozenset(f.name for f in KINDS.get(kind, {}).values() if not f.secret)


def disputed_missing(kind: str, config: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The fields some source (not every one) requires that `config` lacks, with the sources.

    Each is `{"field": ..., "required_by": ..., "not_required_by": ..., "described": ...}`
    (`described` says it in a sentence, for messages); an empty or null value counts as
    missing, and a field is present when one of its alternatives is.
    """
    values = config if isinstance(config, Mapping) else {}
    missing: list[dict[str, str]] = []
    for field in KINDS.get(kind, {}).values():
        if not field.required_by:
            continue
        names = (field.name, *field.or_else)
        if any(values.get(name) not in (None, "", [], {}) for name in names):
            continue
        others = " and ".join(source for source in SOURCES if source not in field.required_by)
        required_by = " and ".join(field.required_by)
        missing.append(
            {
                "field": " or ".join(names),
                "required_by": required_by,
                "not_required_by": others,
                "described": f"{' or '.join(names)}, which {required_by} requires and {others} "
                "does not",
            }
        )
    return missing
