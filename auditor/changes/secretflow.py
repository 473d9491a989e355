"""Where a change file may move config values, and what the changed destination may show.

A report shows a config field only when its kind documents it as not secret. A change file
could otherwise carry a secret into such a field: copy `/config/writeKey` to a shown field,
copy the whole `/config`, or change `kind` so that a field the old kind kept opaque becomes
one the new kind shows. So a value is judged by every kind the destination has during a
call: a copy or move whose source is not shown under all of them is refused, and a value a
kind change would newly show is masked, as the API masks a secret.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from typing import Any

from auditor.launchdarkly.kinds import shown_fields
from auditor.launchdarkly.masking import unmasked_secrets

LANDED_MASK = "********"
"""What a value shows once a kind change would reveal it: nothing of it, not even a hash."""


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _shown_by_all(key: str, kinds: Collection[str]) -> bool:
    return all(key in shown_fields(kind) for kind in kinds)


def hidden_source(pointer: str, kinds: Collection[str], config: Any) -> str | None:
    """Why a copy or move from `pointer` (inside /config) would show what must not be shown,
    judged under each of `kinds`; None when its value may be shown."""
    parts = pointer.split("/")[2:]  # "/config/key/..." -> ["key", ...]
    if not parts:
        keys = config.keys() if isinstance(config, Mapping) else ()
        if all(_shown_by_all(key, kinds) for key in keys):
            return None
        return "/config holds fields a report never shows (secrets, or an unknown kind's)"
    key = _unescape(parts[0])
    if _shown_by_all(key, kinds):
        return None
    return f"config.{key} is never shown in a report (a secret, or an unknown kind's field)"


def mask_landed(old_kind: Any, old_config: Mapping[str, Any], item: dict[str, Any]) -> Any:
    """The item with each value a kind change would newly show replaced by LANDED_MASK.

    A value counts as landed when its key was in the old config with the same value and the
    old kind did not show it; a value the call itself set is the author's, and stays.
    """
    config, new_kind = item.get("config"), item.get("kind")
    if new_kind == old_kind or not isinstance(config, dict) or not isinstance(new_kind, str):
        return item
    old_shown = shown_fields(old_kind) if isinstance(old_kind, str) else frozenset()
    landed = {
        key: LANDED_MASK
        for key, value in config.items()
        if key in shown_fields(new_kind)
        and key not in old_shown
        and key in old_config
        and _same(old_config[key], value)
    }
    return {**item, "config": {**config, **landed}} if landed else item


def mask_new_secrets(old: Mapping[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """The item with each secret a call set in clear replaced by a mask, as the API returns it.

    The mask is `********` and 4 hex digits of the value's SHA-256: a new or rotated secret
    still differs from the old one, and nothing of the value is kept.
    """
    config = item.get("config")
    if not isinstance(config, dict):
        return item
    clear = [
        name
        for name in unmasked_secrets(str(item.get("kind")), config)
        if not _same(config[name], old.get(name))
    ]
    masked = {
        name: "********" + hashlib.sha256(json.dumps(config[name]).encode()).hexdigest()[:4]
        for name in clear
    }
    return {**item, "config": {**config, **masked}} if masked else item


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
