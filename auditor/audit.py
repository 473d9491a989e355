"""run_audit(...) -> AuditResult: the one call `check` makes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from auditor import __version__
from auditor.engine import evaluate_with_coverage, sort_key
from auditor.errors import SettingError
from auditor.gate.policy import build_policy, fails
from auditor.io.locate import Positions
from auditor.launchdarkly.document import load_document
from auditor.launchdarkly.inventory import Inventory
from auditor.launchdarkly.redact import shown_config
from auditor.models import (
    CUT_MARK,
    FRAMEWORK_KEYS,
    AccessReview,
    AuditResult,
    Destination,
    Document,
    Finding,
    Framework,
    GatePolicy,
    Rule,
    Source,
    WaiverPolicy,
    WaiverState,
)
from auditor.rulebook.controls import frameworks_for
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
    waiver_policy: WaiverPolicy = field(default_factory=WaiverPolicy)
    baseline: str | None = None
    anonymise_members: bool = False
    """Members appear by a stable hash of their email, never the email (`--anonymise-members`)."""
    framework: str | None = None
    """Focus on one framework: only the rules mapped to it run, and reports show only it."""


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


def choose_rules(
    configured: list[Rule], options: AuditOptions
) -> tuple[list[Rule], tuple[Rule, ...], tuple[Rule, ...]]:
    """(the rules to run, those --select/--ignore left out, those outside --framework).

    Rules outside the framework are neither run nor reported; deselected ones are reported
    as not evaluated.
    """
    framework = options.framework
    if framework is not None and framework not in FRAMEWORK_KEYS:
        choices = ", ".join(FRAMEWORK_KEYS)
        raise SettingError(("framework",), f"unknown framework {framework!r}; choose {choices}")
    selected = {r.id for r in select_rules(configured, options.select, options.ignore)}
    in_scope = [r for r in configured if framework is None or framework in r.compliance]
    run = [r for r in in_scope if r.id in selected]
    outside = tuple(r for r in configured if r not in in_scope)
    return run, tuple(r for r in in_scope if r.id not in selected), outside


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
    waivers = None
    if options.waivers:
        waivers = load_waivers(
            options.waivers, rule_ids, policy=options.waiver_policy, today=today(options.now)
        )
    baseline = load_baseline(options.baseline) if options.baseline else None
    rules, deselected, outside = choose_rules(configured, options)
    document = load_document(source.data, max_size=source.max_size)
    inventory, access = _access(document, options)
    findings, coverage = evaluate_with_coverage(
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
        inventory_cut=shortened(document.destinations),
        coverage=coverage,
        deselected=deselected,
        outside_framework=outside,
        framework=options.framework,
        frameworks=_shown_frameworks([*rules, *deselected], options.framework),
        source_file=source.location_file,
    )


def _access(document: Document, options: AuditOptions) -> tuple[Inventory, AccessReview]:
    """The inventory and whose access the audit covers (`principals.audit_access`). Without
    `_account` that is the caller alone, and the account model is not even imported."""
    if document.account is None:
        return Inventory(document.destinations), AccessReview(scope="caller", caller=None)
    from auditor.launchdarkly.principals import audit_access

    return audit_access(
        document.destinations, document.account, anonymise=options.anonymise_members
    )


def shortened(destinations: Sequence[Destination]) -> int:
    """How many of the destinations' strings a report shows were cut for length (each says so
    itself); the findings' are counted by `AuditResult.shortened` when an output asks."""
    texts = [text for d in destinations for text in (d.name, d.kind)]
    texts += [v for d in destinations for v in shown_config(d.kind, d.config).values()]
    return sum(isinstance(text, str) and CUT_MARK in text for text in texts)


def _shown_frameworks(rules: list[Rule], focus: str | None) -> tuple[Framework, ...]:
    frameworks = frameworks_for(rules)
    return tuple(f for f in frameworks if focus is None or f.key == focus)
