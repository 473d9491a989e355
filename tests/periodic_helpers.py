"""Exports that change from one nightly audit to the next, for the history and evidence tests."""

from __future__ import annotations

from typing import Any

from conftest import destination, export

DAY1, DAY2, DAY5 = "2026-01-01T02:30:00Z", "2026-01-02T02:30:00Z", "2026-01-05T02:30:00Z"
PUBSUB = "6523f1c0a9e7b2d4c8f01c01"
SWITCHED = "6523f1c0a9e7b2d4c8f01c02"
UNKNOWN = "6523f1c0a9e7b2d4c8f01c03"
KINESIS = "6523f1c0a9e7b2d4c8f01c04"


def _kinesis(config: Any) -> dict[str, Any]:
    return destination(
        KINESIS, name="orders-kinesis", kind="kinesis", config=config, environment="orders"
    )


def night(number: int) -> dict[str, Any]:
    """The export on night 1, 2 or 3 of a week of audits.

    Night 1: `switched` is off (destination-disabled), `archive` is of an unknown kind.
    Night 2: `switched` is back on (resolved); a new Kinesis stream has no config (new).
    Night 3: the stream is configured (resolved); `switched` is off again (new again).
    """
    # one destination per environment, as LaunchDarkly allows
    items = [
        destination(PUBSUB, name="events-pubsub"),
        destination(SWITCHED, name="switched", on=number == 2, environment="staging"),
        destination(
            UNKNOWN, name="archive", kind="s3", config={"bucket": "b"}, environment="archive"
        ),
    ]
    if number == 2:
        items.append(_kinesis({"region": "eu-west-1"}))
    if number == 3:
        items.append(_kinesis({"region": "eu-west-1", "roleArn": "r", "streamName": "s"}))
    return export(*items)


def by_rule(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The report's findings by (rule id, destination id)."""
    return {(f["rule_id"], f["destination"]["id"]): f for f in report["findings"]}


def fingerprints(report: dict[str, Any], *keys: tuple[str, str]) -> list[str]:
    found = by_rule(report)
    return [found[key]["fingerprint"] for key in keys]


DISABLED_KEY = ("destination-disabled", SWITCHED)
UNKNOWN_KEY = ("unknown-destination-kind", UNKNOWN)
MISSING_KEY = ("destination-config-missing", KINESIS)
