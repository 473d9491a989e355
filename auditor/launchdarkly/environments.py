"""Which environments hold production data: LaunchDarkly's `critical` flag, then key globs."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "DEFAULT_PRODUCTION_ENVIRONMENTS",
    "EnvironmentFacts",
    "EnvironmentKey",
    "is_production",
    "production_basis",
]

DEFAULT_PRODUCTION_ENVIRONMENTS: tuple[str, ...] = (
    "production",
    "prod",
    "prd",
    "live",
    "production-*",
    "prod-*",
    "prd-*",
    "*-production",
    "*-prod",
    "*-prd",
)
"""Environment key globs that read as production, matched case-insensitively.

A name or a name joined by `-` to a qualifier (`prod-eu`, `payments-prd`), never a longer word
that starts the same way: `product-sandbox` and `preprod` are not production, `prd` is. Rules
take them as their `production_environments` param, so a team with other names lists its own.
"""

EnvironmentKey = tuple[str, str]
"""(project key, environment key)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class EnvironmentFacts:
    """What LaunchDarkly says about an environment, when auditor has read it.

    `critical` is the environment's own flag: LaunchDarkly marks production-like environments
    critical (https://launchdarkly.com/docs/home/account/environment); None when not read.
    """

    critical: bool | None = None


def is_production(
    project: str | None,
    environment: str | None,
    *,
    globs: Iterable[str] = DEFAULT_PRODUCTION_ENVIRONMENTS,
    facts: Mapping[EnvironmentKey, EnvironmentFacts] | None = None,
) -> bool:
    """Whether the environment holds production data: its `critical` fact, else its key.

    `critical: true` makes it production whatever its key; without that, the key is matched
    against `globs` case-insensitively (`PROD` is production). An unknown environment is not.
    """
    return production_basis(project, environment, globs=globs, facts=facts)[0]


def production_basis(
    project: str | None,
    environment: str | None,
    *,
    globs: Iterable[str] = DEFAULT_PRODUCTION_ENVIRONMENTS,
    facts: Mapping[EnvironmentKey, EnvironmentFacts] | None = None,
) -> tuple[bool, str]:
    """`is_production` with its reason, for people ("its key matches `prod-*`").

    LaunchDarkly marks the Production environment critical by default, and any environment
    can be marked or unmarked in its settings ("to indicate that it affects your customers or
    the health of your systems", https://launchdarkly.com/docs/home/account/environment and
    https://launchdarkly.com/docs/home/account/environment/critical). So `critical: true` is
    production for sure. `critical: false` on a key that reads as production (`production`,
    `prod-eu`) is the one case where the fact and the name disagree: the box was unticked, on
    purpose or not. Reading it as not production would silence every production rule on it,
    while reading it as production costs at most one finding to look at; auditor takes the
    reading that never hides a risk, and says why in the explanation.
    """
    if environment is None:
        return False, "its environment is unknown"
    known = None if facts is None or project is None else facts.get((project, environment))
    critical = None if known is None else known.critical
    if critical:
        return True, "LaunchDarkly marks it critical"
    key = environment.lower()
    patterns = tuple(globs)
    for glob in patterns:
        if fnmatch.fnmatchcase(key, glob.lower()):
            if critical is False:
                return True, (
                    f"its key matches `{glob}` (LaunchDarkly does not mark it critical; read as"
                    " production, which never hides a risk)"
                )
            return True, f"its key matches `{glob}`"
    if critical is False:
        return False, "LaunchDarkly does not mark it critical and its key matches none of " + (
            ", ".join(patterns)
        )
    return False, f"its key matches none of {', '.join(patterns)}"
