"""Whether a secret config value is obfuscated the way LaunchDarkly's API returns secrets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from auditor.launchdarkly.kinds import KINDS

OBFUSCATED = re.compile(r"[^*\s]{0,4}\*{4,}[^*\s]{0,4}")
"""The API's mask: at most 4 visible characters, a run of at least 4 `*`, at most 4 visible
characters (`sup********123`). A real credential never holds a run of four `*`, and a value
with more than 8 visible characters shows too much of the secret to count as masked."""


MASKED_MARKER = "auditor-redacted:masked"
"""What an evidence pack writes for a value the API had obfuscated (see redact.evidence_item):
read back as masked, so a re-audit of the pack decides as the original audit did."""


def is_obfuscated(value: object) -> bool:
    """True for a string masked the API's way (or an evidence pack's masked marker); False for
    anything else, empty strings included."""
    return isinstance(value, str) and (
        value == MASKED_MARKER or OBFUSCATED.fullmatch(value) is not None
    )


def unmasked_secrets(kind: str, config: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Names of `kind`'s secret fields whose value is present and not obfuscated.

    Absent, null and empty values hold no credential; any other value that is not the API's mask
    (a clear string, a number, an object) does. Only names are returned, never values.
    """
    if not isinstance(config, Mapping):
        return ()
    names = sorted(f.name for f in KINDS.get(kind, {}).values() if f.secret)
    return tuple(
        name
        for name in names
        if config.get(name) not in (None, "") and not is_obfuscated(config.get(name))
    )
