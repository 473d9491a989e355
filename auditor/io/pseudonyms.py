"""Members named by a stable hash of their email (`--anonymise-members`), in every copy."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

__all__ = ["anonymised", "pseudonym"]


def anonymised(account: Mapping[str, Any]) -> dict[str, Any]:
    """An `_account` block whose members' emails are replaced by their `pseudonym`, for a copy
    of the input that must say no more than the run's reports (an evidence pack)."""
    members = account.get("members")
    if not isinstance(members, list):
        return dict(account)
    return {
        **account,
        "members": [
            {**m, "email": pseudonym(m["email"])}
            if isinstance(m, Mapping) and isinstance(m.get("email"), str)
            else m
            for m in members
        ],
    }


def pseudonym(email: str) -> str:
    """A stable stand-in for an email: the same address gives the same text in every run.

    A pseudonym, not anonymity: whoever can guess an address can hash it and compare.
    """
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()
    return f"member-{digest[:16]}"
