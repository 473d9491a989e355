"""How wide a resource reaches over destinations: what makes a destination grant account-wide."""

from __future__ import annotations

from auditor.launchdarkly.globs import Coverage, glob_match
from auditor.launchdarkly.specifiers import Specifier, has_glob, try_parse

__all__ = ["DESTINATION_TYPES", "names_destinations", "wildcard_destinations"]

DESTINATION_TYPES: tuple[str, ...] = ("proj", "env", "destination")
"""The segments of a Data Export destination resource: `proj/KEY:env/KEY:destination/ID`
(https://launchdarkly.com/docs/home/account/role-resources)."""


def names_destinations(spec: Specifier) -> bool:
    """Whether the specifier is destination-shaped: `proj/..:env/..:destination/..` (types may
    be globs that name those types). `proj/*:env/*:flag/*` names flags, never a destination."""
    if len(spec.segments) != len(DESTINATION_TYPES):
        return False
    pairs = zip(spec.segments, DESTINATION_TYPES, strict=True)
    return all(
        s.type == t or (has_glob(s.type) and glob_match(s.type, t) is not Coverage.NO)
        for s, t in pairs
    )


def wildcard_destinations(text: object) -> bool:
    """Whether the resource grants on destinations across projects or environments.

    It must be destination-shaped, with a glob project or environment key (or type), and a
    destination key that does not name one destination: `proj/*:env/*:destination/ID` names
    one destination by its unique id and is not account-wide. Role-attribute placeholders are
    parameters set per member, not wildcards; tags narrow and do not count.
    """
    spec = try_parse(text)
    if spec is None or not names_destinations(spec):
        return False
    project, environment, destination = spec.segments
    if destination.key is None or not has_glob(destination.key):
        return False
    return project.wildcard or environment.wildcard
