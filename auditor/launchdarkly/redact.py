"""What of a destination's config may be shown: known non-secret fields only, never a secret."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from auditor.io.limits import SHOWN_LIMIT
from auditor.launchdarkly.document import decode_config
from auditor.launchdarkly.kinds import shown_fields
from auditor.launchdarkly.masking import MASKED_MARKER, is_obfuscated
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


CLEAR_MARKER = "auditor-redacted:clear-text"
"""Stands in an evidence pack for a value that was in clear text; read as a clear value."""


def evidence_item(item: Any) -> Any:
    """A raw export item for an evidence pack: every field kept, no secret left in it.

    Config fields that may be shown (`shown_fields` of a known kind) are kept as they are.
    Every other config value (secret fields, unknown fields, all of an unknown or opaque
    kind) keeps its place and JSON type, but a string becomes MASKED_MARKER if it was
    obfuscated the API's way, else CLEAR_MARKER; a number becomes 0; null and "" stay (they
    hold nothing). So `unmasked-secret`, `destination-config-missing` and every rule that
    reads presence, type or masking, not secret values, decide as on the original. A config
    given as a JSON string stays a JSON string; one that is not JSON becomes CLEAR_MARKER.
    An item that is not an object is masked whole.
    """
    if not isinstance(item, Mapping):
        return _masked(item)
    out = dict(item)
    if "config" not in out:
        return out
    kind = item.get("kind")
    allowed = shown_fields(kind) if isinstance(kind, str) else frozenset()
    raw = item.get("config")
    usable, config = decode_config(raw)
    if not usable:
        out["config"] = _masked(raw)
        return out
    if config is None:
        return out
    kept = {key: value if key in allowed else _masked(value) for key, value in config.items()}
    out["config"] = json.dumps(kept, ensure_ascii=False) if isinstance(raw, str) else kept
    return out


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        if value == "":
            return value
        return MASKED_MARKER if is_obfuscated(value) else CLEAR_MARKER
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return 0
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _masked(v) for k, v in value.items()}
    return CLEAR_MARKER
