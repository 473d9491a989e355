"""The Data Export destination kinds auditor knows, with their config fields and which are secret.

Facts from LaunchDarkly's OpenAPI spec (the `kind` enum and the POST description) and the
Terraform provider's destination helper (required flags, obfuscated keys).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class ConfigField:
    name: str
    required: bool
    secret: bool


def _fields(*specs: tuple[str, bool, bool]) -> dict[str, ConfigField]:
    return {name: ConfigField(name=name, required=req, secret=sec) for name, req, sec in specs}


KINDS: dict[str, dict[str, ConfigField]] = {
    "kinesis": _fields(
        ("region", True, False), ("roleArn", True, False), ("streamName", True, False)
    ),
    "google-pubsub": _fields(("project", True, False), ("topic", True, False)),
    "mparticle": _fields(
        ("apiKey", True, True),
        ("secret", True, True),
        ("environment", True, False),
        ("userIdentity", False, False),
        ("userIdentities", False, False),
        ("anonymousUserIdentity", False, False),
    ),
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
    "snowflake-v2": _fields(("publicKey", True, False), ("snowflakeHostAddress", True, False)),
    # Config fields not documented by LaunchDarkly: the whole config is treated as opaque.
    "databricks": {},
    "bigquery": {},
    "redshift": {},
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
