"""run_audit(...) -> AuditResult: the one call `check` makes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditor import __version__
from auditor.document import load_document
from auditor.engine import evaluate
from auditor.models import AuditResult, Finding, Severity, Source
from auditor.ruleset import compile_rule, load_rules, ruleset_sha256, select_rules


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


def run_audit(source: Source, options: AuditOptions) -> AuditResult:
    """Load rules, then the document; evaluate; decide the verdict."""
    rules = select_rules(
        load_rules(options.rule_paths, builtin=options.builtin_rules),
        options.select,
        options.ignore,
    )
    compiled = [compile_rule(r, options.params.get(r.id)) for r in rules]
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
