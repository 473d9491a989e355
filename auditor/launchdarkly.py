"""LaunchDarkly resource specifiers and actions: wildcard detection."""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_GLOB_CHARS = frozenset("*?[")


def resource_wildcard(specifier: str) -> bool:
    """True when any resource key of `specifier` is a glob; tag filters after `;` do not count."""
    text = _PLACEHOLDER.sub("placeholder", specifier)
    for segment in text.split(":"):
        resource = segment.split(";", 1)[0]
        key = resource.split("/", 1)[1] if "/" in resource else resource
        if "*" in key:
            return True
    return False


def action_wildcard(action: str) -> bool:
    """True for `*` or any glob (`update*`)."""
    return any(ch in _GLOB_CHARS for ch in action)
