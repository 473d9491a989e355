"""The sink a destination exports to, per kind: what an approval names and what identifies it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):")
_AWS_ACCOUNT = re.compile(r"^\d{12}$")

TARGET_KINDS: dict[str, str] = {
    "kinesis": "the AWS account id in roleArn",
    "google-pubsub": "the Google Cloud project",
    "azure-event-hubs": "the Event Hubs namespace",
    "snowflake-v2": "the Snowflake host",
    "redshift": "the AWS account id in clusterAwsAccountId",
    "clickhouse": "the host of the ClickHouse endpoint",
}
"""The kinds whose target auditor can name, and what their target id is. mParticle and Segment
are identified only by their secret keys, and BigQuery's and Databricks' config is not
documented."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """Where a destination's events go: `id` is what an approval names, `fields` what is shown,
    `sink` the exact place the events land (by default, the fields)."""

    kind: str
    id: str | None
    fields: tuple[tuple[str, str | None], ...]
    sink: tuple[tuple[str, str | None], ...] | None = None

    @property
    def identity(self) -> tuple[Any, ...] | None:
        """Kind and every sink field, or None when one is missing (then it matches nothing)."""
        sink = self.fields if self.sink is None else self.sink
        if any(value is None for _, value in sink):
            return None
        return (self.kind, *sink)

    def as_subject(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "fields": dict(self.fields)}

    def describe(self) -> str:
        shown = ", ".join(f"{name} {value}" for name, value in self.fields if value is not None)
        return f"{self.kind} target ({shown or 'incomplete config'})"


def _text(config: Mapping[str, Any], name: str) -> str | None:
    value = config.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _host(value: str | None) -> str | None:
    if value is None:
        return None
    host = re.sub(r"^[a-z]+://", "", value.lower()).split("/", 1)[0].split(":", 1)[0]
    return host or None


def target_of(kind: str, config: Mapping[str, Any] | None) -> Target | None:
    """The target of a destination of `kind`, or None for kinds without a nameable target.

    Only non-secret config fields are read, so a target can always be shown.
    """
    if kind not in TARGET_KINDS:
        return None
    config = config if isinstance(config, Mapping) else {}
    if kind == "kinesis":
        arn = _text(config, "roleArn")
        match = _ROLE_ARN.match(arn) if arn else None
        account = match.group(1) if match else None
        sink = (("region", _text(config, "region")), ("streamName", _text(config, "streamName")))
        return Target(kind=kind, id=account, fields=(("account", account), *sink))
    if kind == "google-pubsub":
        project = _text(config, "project")
        topic = _text(config, "topic")
        return Target(kind=kind, id=project, fields=(("project", project), ("topic", topic)))
    if kind == "azure-event-hubs":
        namespace = _host(_text(config, "namespace"))
        hub = _text(config, "name")
        return Target(kind=kind, id=namespace, fields=(("namespace", namespace), ("name", hub)))
    return _warehouse(kind, config)


def _warehouse(kind: str, config: Mapping[str, Any]) -> Target:
    """Warehouse targets: the account or host is the id; the schema tells where events land.

    LaunchDarkly writes each environment into its own schema by default (the Snowflake setup
    names it `EXPORT_<ProjKey__EnvKey>`, https://launchdarkly.com/docs/integrations/data-export/snowflake),
    so two destinations land in the same place only when they name the same schema (database,
    for ClickHouse) explicitly; without it their sink is unknown and matches nothing.
    """
    database = _text(config, "databaseName")
    schema = _text(config, "schemaName")
    fields: tuple[tuple[str, str | None], ...]
    sink: tuple[tuple[str, str | None], ...]
    if kind == "snowflake-v2":
        host = _host(_text(config, "snowflakeHostAddress"))
        fields = (("host", host),) if schema is None else (("host", host), ("schema", schema))
        sink = (("host", host), ("database", database or ""), ("schema", schema))
        return Target(kind=kind, id=host, fields=fields, sink=sink)
    if kind == "redshift":
        account = _text(config, "clusterAwsAccountId")
        account = account if account and _AWS_ACCOUNT.match(account) else None
        cluster = (
            ("account", account),
            ("region", _text(config, "clusterRegion")),
            ("cluster", _text(config, "clusterIdentifier")),
        )
        sink = (*cluster, ("database", database or ""), ("schema", schema))
        fields = cluster if schema is None else (*cluster, ("schema", schema))
        return Target(kind=kind, id=account, fields=fields, sink=sink)
    host = _host(_text(config, "endpoint"))
    named = _text(config, "clickHouseDatabaseName")
    fields = (("host", host),) if named is None else (("host", host), ("database", named))
    return Target(kind=kind, id=host, fields=fields, sink=(("host", host), ("database", named)))
