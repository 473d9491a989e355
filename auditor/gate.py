"""The gate: which open findings fail a run, given --fail-on, hard/soft-fail rules and overrides.

Precedence, for one finding:

1. a finding that is not open (waived or baselined) never fails;
2. a rule matched by --hard-fail-on fails whenever it has an open finding, whatever its
   severity and even with --fail-on never (hard beats soft when both match);
3. a rule matched by --soft-fail-on never fails;
4. otherwise the finding fails when its severity (after --severity overrides) is at or
   above --fail-on.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

from auditor.errors import UsageError
from auditor.models import SEVERITY_NAMES, Finding, GatePolicy, Rule, Severity
from auditor.yamlfile import did_you_mean


def build_policy(
    *,
    fail_on: str,
    hard_fail_on: Sequence[str],
    soft_fail_on: Sequence[str],
    severity: Sequence[str],
    rule_ids: Collection[str],
    gate_only_ids: Collection[str] = (),
) -> GatePolicy:
    """Check patterns and overrides against the rule ids and build the policy.

    `gate_only_ids` (`waiver-expired`) may be hard- or soft-failed but not given a severity:
    its findings take the severity of the finding whose waiver expired.
    """
    known = [*rule_ids, *gate_only_ids]
    for option, patterns in (("--hard-fail-on", hard_fail_on), ("--soft-fail-on", soft_fail_on)):
        for pattern in patterns:
            if not matches_any(pattern, known):
                raise UsageError(
                    f"{option}: unknown rule {pattern!r}{did_you_mean(pattern, known)}"
                )
    return GatePolicy(
        fail_on=fail_on,
        hard_fail_on=tuple(hard_fail_on),
        soft_fail_on=tuple(soft_fail_on),
        severity_overrides=dict(parse_override(t, rule_ids, gate_only_ids) for t in severity),
    )


def parse_override(
    text: str, rule_ids: Collection[str], gate_only_ids: Collection[str] = ()
) -> tuple[str, Severity]:
    """`rule-id=low` as (rule id, severity); an unknown rule or severity is a UsageError."""
    rule_id, sep, level = text.partition("=")
    rule_id, level = rule_id.strip(), level.strip().lower()
    if not sep or not rule_id or not level:
        raise UsageError(
            f"--severity: expected RULE=SEVERITY (e.g. destination-disabled=low), got {text!r}"
        )
    if rule_id in gate_only_ids:
        raise UsageError(
            f"--severity: {rule_id} findings take the severity of the finding they reopen;"
            " override that finding's rule instead"
        )
    if rule_id not in rule_ids:
        raise UsageError(f"--severity: unknown rule {rule_id!r}{did_you_mean(rule_id, rule_ids)}")
    if level not in SEVERITY_NAMES:
        choices = ", ".join(SEVERITY_NAMES)
        guess = did_you_mean(level, SEVERITY_NAMES)
        raise UsageError(f"--severity: unknown severity {level!r}{guess}; choose from {choices}")
    return rule_id, Severity.parse(level)


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


def override_rules(rules: Iterable[Rule], policy: GatePolicy) -> tuple[Rule, ...]:
    """The rules with their --severity overrides applied."""
    overrides = policy.severity_overrides
    return tuple(
        replace(rule, severity=overrides[rule.id]) if rule.id in overrides else rule
        for rule in rules
    )


def override_findings(findings: Iterable[Finding], policy: GatePolicy) -> tuple[Finding, ...]:
    """The findings with their rule's --severity override applied."""
    overrides = policy.severity_overrides
    return tuple(
        replace(f, severity=overrides[f.rule_id]) if f.rule_id in overrides else f for f in findings
    )
