"""The LaunchDarkly domain: the export document, kinds and their secrets, targets, and policy
semantics (specifiers, globs, statements, reach over the indexed inventory, access).

`document` parses an export; `kinds`, `masking`, `redact` and `targets` know each kind's
config; `specifiers`, `globs`, `resources`, `statements`, `index` and `access` are the policy
semantics, whose public API this module re-exports. May import `io`, `models` and `errors`.
"""

from auditor.launchdarkly.access import (
    DESTINATION_ACTIONS,
    AccessDecision,
    AccessReason,
    statement_content,
    who_can_change,
)
from auditor.launchdarkly.globs import (
    Coverage,
    action_covers,
    action_wildcard,
    glob_overlaps,
    glob_subsumes,
)
from auditor.launchdarkly.index import DestinationIndex, Reach, index_destinations, reach
from auditor.launchdarkly.resources import (
    Facts,
    PropertyFacts,
    covers,
    destination_resource,
    is_concrete,
    match_resource,
    match_steps,
    pattern_covers,
    pattern_overlaps,
)
from auditor.launchdarkly.specifiers import (
    Segment,
    Specifier,
    SpecifierError,
    format_specifier,
    parse_specifier,
    resource_wildcard,
    try_parse,
)
from auditor.launchdarkly.statements import (
    Policy,
    PolicyLike,
    grants,
    policy_of,
    statement_allows,
    statement_applies,
    targets_action,
    targets_pattern,
)

__all__ = [
    "DESTINATION_ACTIONS",
    "AccessDecision",
    "AccessReason",
    "Coverage",
    "DestinationIndex",
    "Facts",
    "Policy",
    "PolicyLike",
    "PropertyFacts",
    "Reach",
    "Segment",
    "Specifier",
    "SpecifierError",
    "action_covers",
    "action_wildcard",
    "covers",
    "destination_resource",
    "format_specifier",
    "glob_overlaps",
    "glob_subsumes",
    "grants",
    "index_destinations",
    "is_concrete",
    "match_resource",
    "match_steps",
    "parse_specifier",
    "pattern_covers",
    "pattern_overlaps",
    "policy_of",
    "reach",
    "resource_wildcard",
    "statement_allows",
    "statement_applies",
    "statement_content",
    "targets_action",
    "targets_pattern",
    "try_parse",
    "who_can_change",
]
