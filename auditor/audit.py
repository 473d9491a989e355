"""run_audit(...) -> AuditResult: the one call `check` makes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from auditor import __version__
from auditor.engine import evaluate, sort_key
from auditor.gate.policy import build_policy, fails
from auditor.io.locate import Positions
from auditor.launchdarkly.document import load_document
from auditor.launchdarkly.inventory import Inventory
from auditor.launchdarkly.principals import review_access
from auditor.models import AuditResult, Finding, GatePolicy, Rule, Source, WaiverState
from auditor.rulebook.ruleset import (
    apply_overrides,
    compile_rule,
    load_rules,
    ruleset_sha256,
    select_rules,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditOptions:
    """What a user can choose about one audit."""

    rule_paths: Sequence[str] = ()
    builtin_rules: bool = True
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    fail_on: str = "medium"
    now: datetime | None = None
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    severity: Mapping[str, str] = field(default_factory=dict)
    """Severity overrides by rule id: the findings of those rules carry this severity."""
    hard_fail_on: Sequence[str] = ()
    soft_fail_on: Sequence[str] = ()
    waivers: str | None = None
    waiver_warning_days: int = 14
    baseline: str | None = None
    anonymise_members: bool = False
    """Members appear by a stable hash of their email, never the email (`--anonymise-members`)."""


def _utc(now: datetime | None) -> datetime:
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def timestamp(now: datetime | None) -> str:
    return _utc(now).strftime("%Y-%m-%dT%H:%M:%SZ")


def today(now: datetime | None) -> date:
    """The UTC date waivers are judged against: --now's, or today's."""
    return _utc(now).date()


def gate_fails(finding: Finding, fail_on: str) -> bool:
    """Whether an open finding fails at `fail_on` alone; `gate.fails(f, result.gate)` is exact."""
    return fails(finding, GatePolicy(fail_on=fail_on))


def configured_rules(options: AuditOptions) -> list[Rule]:
    """Every loaded rule, re-graded and re-parametrised as the options say."""
    rules = load_rules(options.rule_paths, builtin=options.builtin_rules)
    return apply_overrides(rules, severity=options.severity, params=options.params)


def run_audit(source: Source, options: AuditOptions) -> AuditResult:
    """Load rules, gate, waivers and baseline; then the document; evaluate; decide the verdict."""
    from auditor.gate.baseline import apply_baseline, load_baseline
    from auditor.gate.waivers import EXPIRED_RULE, WAIVER_EXPIRED, apply_waivers, load_waivers

    configured = configured_rules(options)
    rule_ids = [r.id for r in configured]
    policy = build_policy(
        fail_on=options.fail_on,
        hard_fail_on=options.hard_fail_on,
        soft_fail_on=options.soft_fail_on,
        severity=options.severity,
        rule_ids=[*rule_ids, WAIVER_EXPIRED],
    )
    waivers = load_waivers(options.waivers, rule_ids) if options.waivers else None
    baseline = load_baseline(options.baseline) if options.baseline else None
    rules = select_rules(configured, options.select, options.ignore)
    document = load_document(source.data)
    inventory = Inventory(document.destinations)
    access = review_access(document.account, inventory, anonymise=options.anonymise_members)
    findings = evaluate(
        [compile_rule(r) for r in rules],
        document.destinations,
        access,
        inventory=inventory,
        now=_utc(options.now),
    )
    states: tuple[WaiverState, ...] = ()
    if waivers is not None:
        findings, states = apply_waivers(
            findings, waivers, today=today(options.now), warning_days=options.waiver_warning_days
        )
    diff = None
    if baseline is not None:
        findings, diff = apply_baseline(findings, baseline)
    findings = tuple(sorted(findings, key=sort_key))
    pointers = [f.pointer for f in findings] + [p.pointer for p in document.problems]
    return AuditResult(
        source_path=source.path,
        source_sha256=source.sha256,
        generated_at=timestamp(options.now),
        tool_version=__version__,
        ruleset_sha256=ruleset_sha256(rules),
        destinations=document.destinations,
        item_count=document.item_count,
        problems=document.problems,
        rules=(*rules, EXPIRED_RULE) if waivers is not None else tuple(rules),
        findings=findings,
        fail_on=options.fail_on,
        passed=not document.problems and not any(fails(f, policy) for f in findings),
        gate=policy,
        waivers=states,
        waivers_path=options.waivers,
        baseline=diff,
        positions=Positions(source.data, pointers),
        access=access,
    )
