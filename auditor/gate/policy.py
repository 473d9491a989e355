"""The gate: which open findings fail a run, given --fail-on, hard/soft-fail rules and overrides.

Precedence, for one finding:

1. a finding that is not open (waived or baselined) never fails;
2. a rule matched by --hard-fail-on fails whenever it has an open finding, whatever its
   severity and even with --fail-on never (hard beats soft when both match);
3. a rule matched by --soft-fail-on never fails;
4. otherwise the finding fails when its severity (after --severity overrides, which the
   rules carry already) is at or above --fail-on.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Collection, Iterable, Mapping, Sequence

from auditor.errors import SettingError, UsageError
from auditor.io.yamlfile import did_you_mean
from auditor.models import SEVERITY_NAMES, Finding, GatePolicy, Severity


def build_policy(
    *,
    fail_on: str,
    hard_fail_on: Sequence[str],
    soft_fail_on: Sequence[str],
    severity: Mapping[str, str],
    rule_ids: Collection[str],
) -> GatePolicy:
    """Check the hard- and soft-fail patterns against the rule ids and build the policy."""
    for key, patterns in (("hard_fail_on", hard_fail_on), ("soft_fail_on", soft_fail_on)):
        for index, pattern in enumerate(patterns):
            if not matches_any(pattern, rule_ids):
                problem = f"unknown rule {pattern!r}{did_you_mean(pattern, rule_ids)}"
                raise SettingError((key, index), problem)
    return GatePolicy(
        fail_on=fail_on,
        hard_fail_on=tuple(hard_fail_on),
        soft_fail_on=tuple(soft_fail_on),
        severity_overrides={k: Severity.parse(v) for k, v in severity.items()},
    )


def parse_severity_flag(text: str) -> tuple[str, str]:
    """`--severity rule-id=low` as (rule id, severity); the rule is checked once rules load."""
    rule_id, sep, level = text.partition("=")
    rule_id, level = rule_id.strip(), level.strip().lower()
    if not sep or not rule_id or not level:
        raise UsageError(
            f"--severity: expected RULE=SEVERITY (e.g. destination-disabled=low), got {text!r}"
        )
    if level not in SEVERITY_NAMES:
        choices = ", ".join(SEVERITY_NAMES)
        guess = did_you_mean(level, SEVERITY_NAMES)
        raise UsageError(f"--severity: unknown severity {level!r}{guess}; choose from {choices}")
    return rule_id, level


def matches(rule_id: str, patterns: Iterable[str]) -> bool:
    """Whether `rule_id` matches one of the ids or globs in `patterns`."""
    return any(fnmatch.fnmatchcase(rule_id, pattern) for pattern in patterns)


def matches_any(pattern: str, rule_ids: Iterable[str]) -> bool:
    """Whether the id or glob `pattern` names at least one of `rule_ids`."""
    return any(fnmatch.fnmatchcase(rule_id, pattern) for rule_id in rule_ids)


def fails(finding: Finding, policy: GatePolicy) -> bool:
    """Whether `finding` fails the gate under `policy` (see the module docstring)."""
    if finding.status != "open":
        return False
    if matches(finding.rule_id, policy.hard_fail_on):
        return True
    if matches(finding.rule_id, policy.soft_fail_on) or policy.fail_on == "never":
        return False
    return finding.severity >= Severity.parse(policy.fail_on)
