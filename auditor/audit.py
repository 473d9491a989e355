"""run_audit(...) -> AuditResult: the one call `check` makes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditor import __version__
from auditor.document import load_document
from auditor.engine import evaluate
from auditor.models import AuditResult, Finding, Rule, Severity, Source
from auditor.ruleset import (
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


def timestamp(now: datetime | None) -> str:
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gate_fails(finding: Finding, fail_on: str) -> bool:
    """Whether an open finding fails the gate at `fail_on`."""
    if fail_on == "never" or finding.status != "open":
        return False
    return finding.severity >= Severity.parse(fail_on)


def configured_rules(options: AuditOptions) -> list[Rule]:
    """Every loaded rule, re-graded and re-parametrised as the options say."""
    rules = load_rules(options.rule_paths, builtin=options.builtin_rules)
    return apply_overrides(rules, severity=options.severity, params=options.params)


def prepare_rules(options: AuditOptions) -> list[Rule]:
    """The rules one audit runs: the configured rules that `select` and `ignore` keep."""
    return select_rules(configured_rules(options), options.select, options.ignore)


def run_audit(source: Source, options: AuditOptions) -> AuditResult:
    """Load rules, then the document; evaluate; decide the verdict."""
    rules = prepare_rules(options)
    compiled = [compile_rule(r) for r in rules]
    document = load_document(source.data)
    findings = evaluate(compiled, document.destinations)
    passed = not document.problems and not any(gate_fails(f, options.fail_on) for f in findings)
    return AuditResult(
        source_path=source.path,
        source_sha256=source.sha256,
        generated_at=timestamp(options.now),
        tool_version=__version__,
        ruleset_sha256=ruleset_sha256(rules),
        destinations=document.destinations,
        item_count=document.item_count,
        problems=document.problems,
        rules=tuple(rules),
        findings=findings,
        fail_on=options.fail_on,
        passed=passed,
    )
