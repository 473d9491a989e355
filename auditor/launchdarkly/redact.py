"""What of a destination's config may be shown: known non-secret fields only, never a secret."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.io.limits import SHOWN_LIMIT
from auditor.launchdarkly.document import decode_config
from auditor.launchdarkly.kinds import shown_fields
from auditor.models import shown_text


def shown_config(kind: str, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The allow-listed part of `config`: secrets, unknown fields and unknown kinds are dropped.

    Secrets are not masked but left out entirely, so not even their length or edges leak.
    """
    if not isinstance(config, Mapping):
        return {}
    allowed = shown_fields(kind)
    return {key: _shown(config[key]) for key in sorted(allowed) if key in config}


def _shown(value: Any) -> Any:
    """A value as reports show it: a string past SHOWN_LIMIT characters is cut, and marked."""
    return shown_text(value, SHOWN_LIMIT) if isinstance(value, str) else value


def redacted_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A raw destination item with its config reduced to what `shown_config` allows."""
    out = dict(item)
    if "config" in out:
        kind = item.get("kind")
        _, config = decode_config(item.get("config"))
        out["config"] = shown_config(kind if isinstance(kind, str) else "", config)
    return out
