"""The sink a destination exports to, per kind: what an approval names and what identifies it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):")

TARGET_KINDS: dict[str, str] = {
    "kinesis": "the AWS account id in roleArn",
    "google-pubsub": "the Google Cloud project",
    "azure-event-hubs": "the Event Hubs namespace",
    "snowflake-v2": "the Snowflake host",
}
"""The kinds whose target auditor can name, and what their target id is. mParticle and Segment
are identified only by their secret keys, and the warehouse kinds' config is not documented."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """Where a destination's events go: `id` is what an approval names, `fields` the exact sink."""

    kind: str
    id: str | None
    fields: tuple[tuple[str, str | None], ...]

    @property
    def identity(self) -> tuple[Any, ...] | None:
        """Kind and every sink field, or None when one is missing (then it matches nothing)."""
        if any(value is None for _, value in self.fields):
            return None
        return (self.kind, *self.fields)

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
    host = re.sub(r"^[a-z]+://", "", value.lower()).split("/", 1)[0]
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
    host = _host(_text(config, "snowflakeHostAddress"))
    return Target(kind=kind, id=host, fields=(("host", host),))
