"""Rules x destinations and statements -> findings: pure, one walk, deterministic order."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any

from auditor.language.conditions import Compiled, resolve
from auditor.language.vocabulary import MISSING, NOT_CONFIGURED
from auditor.launchdarkly.inventory import Inventory
from auditor.launchdarkly.kinds import disputed_missing
from auditor.launchdarkly.masking import unmasked_secrets
from auditor.launchdarkly.redact import shown_config
from auditor.launchdarkly.targets import target_of
from auditor.models import (
    COVERAGE_EVALUATED,
    COVERAGE_NO_ACCESS,
    COVERAGE_NOT_APPLICABLE,
    COVERAGE_NOT_CONFIGURED,
    Destination,
    Finding,
    FindingDestination,
    FixedText,
    Rule,
    RuleCoverage,
    Statement,
    shown_text,
)

EXPLANATION_LIMIT = 1000
"""Characters of one line of a finding's explanation; the rest is cut, and marked."""


@dataclass(frozen=True, kw_only=True, slots=True)
class CompiledRule:
    """A rule ready to evaluate: its conditions and message compiled with its params."""

    rule: Rule
    when: Compiled | None
    check: Compiled
    params: Mapping[str, Any]
    message: Any
    """A sandboxed Jinja2 template, or the message itself when it has no template syntax."""
    explains: bool = False
    """The rule uses operators that note their reasoning, so its findings carry it."""
    uses_value: bool = True
    """The message refers to `value`, so a finding must find the failing path's value."""
    skips: bool = False
    """The rule uses operators that may pass without checking (`vocabulary.unchecked`)."""
    when_reads: tuple[str, ...] | None = None
    """For a statement rule whose guard reads only these `Statement` fields (never the
    destination, see `conditions.statement_reads`): its verdict is worked out once per
    distinct value of them and reused; None: evaluated for every statement."""
    check_reads: tuple[str, ...] | None = None
    """The same for the assertion."""

    def render(self, context: Mapping[str, Any]) -> str:
        if isinstance(self.message, str):
            return self.message
        try:
            return str(self.message.render(**context)).strip()
        except Exception:  # a data-dependent template failure must not stop the audit
            return self.rule.summary


@dataclass(frozen=True, slots=True)
class Context:
    """What an operator may look at beyond the value: the inventory and the current subject."""

    inventory: Inventory
    destination: Destination
    statement: Statement | None = None
    trail: list[str] | None = None
    """Where operators note their reasoning (`conditions.note`); set only to explain a finding."""
    skipped: list[tuple[str, str]] | None = None
    """Where operators say they passed without checking (`vocabulary.unchecked`)."""


def destination_subject(dest: Destination) -> dict[str, Any]:
    """The mapping rule paths address for a destination: the raw item, config decoded.

    Derived fields: `target` (where events go, see auditor.launchdarkly.targets; null for
    kinds without one), `unmasked_secrets` (names of secret config fields holding a clear value)
    and `disputed_config_missing` (fields some LaunchDarkly source requires, with the sources).
    """
    target = target_of(dest.kind, dest.config)
    return {
        **dest.raw,
        "config": dest.config,
        "id": dest.id,
        "project": dest.project,
        "environment": dest.environment,
        "target": None if target is None else target.as_subject(),
        "unmasked_secrets": list(unmasked_secrets(dest.kind, dest.config)),
        "disputed_config_missing": disputed_missing(dest.kind, dest.config),
    }


def statement_subject(stmt: Statement, dest_subject: Mapping[str, Any]) -> dict[str, Any]:
    """The mapping rule paths address for a statement, in the API's field names."""
    return {**stmt.api_fields(), "destination": dest_subject}


def _shown(dest: Destination, subject: Mapping[str, Any]) -> dict[str, Any]:
    return {**subject, "config": shown_config(dest.kind, dest.config)}


def fingerprint(rule_id: str, dest: Destination, stmt: Statement | None) -> str:
    """Stable across runs and reorderings: rule, destination id and statement identity."""
    text = "\0".join((rule_id, dest.id, stmt.key if stmt else ""))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def evaluate(
    rules: Sequence[CompiledRule], destinations: Sequence[Destination]
) -> tuple[Finding, ...]:
    """Every finding of every rule on every destination (and statement), sorted."""
    return evaluate_with_coverage(rules, destinations)[0]


def evaluate_with_coverage(
    rules: Sequence[CompiledRule], destinations: Sequence[Destination]
) -> tuple[tuple[Finding, ...], dict[str, RuleCoverage]]:
    """The findings, and for each rule what it was evaluated on (see `RuleCoverage`)."""
    tracker = _Coverage(rules, len(destinations))
    dest_rules = [
        (r, tracker.codes[r.rule.id], None if r.when is None else r.when.test, r.check.test)
        for r in rules
        if r.rule.scope == "destinations"
    ]
    stmt_rules = [
        (
            r,
            tracker.codes[r.rule.id],
            None if r.when is None else _shared(r.when, r.when_reads),
            _shared(r.check, r.check_reads),
        )
        for r in rules
        if r.rule.scope == "statements"
    ]
    inventory = Inventory(destinations)
    findings: list[Finding] = []
    messages: dict[Any, str] = {}
    for position, dest in enumerate(destinations):
        subject = destination_subject(dest)
        ctx = Context(inventory, dest)
        maker = _FindingMaker(dest, subject, messages)
        for compiled, codes, when, check in dest_rules:
            if tracker.test(compiled, codes, position, subject, ctx, when, check):
                findings.append(maker.make(compiled, None, subject, ctx))
        if not stmt_rules:
            continue
        if dest.raw.get("_access") is None:
            for _, codes, _, _ in stmt_rules:
                codes[position] = COVERAGE_NO_ACCESS
            continue
        for stmt in dest.statements:
            sctx = Context(inventory, dest, stmt)
            ssubject = statement_subject(stmt, subject)
            for compiled, codes, when, check in stmt_rules:
                if tracker.test(compiled, codes, position, ssubject, sctx, when, check):
                    findings.append(maker.make(compiled, stmt, ssubject, sctx))
    findings.sort(key=sort_key)
    return tuple(findings), tracker.result()


Verdict = Callable[[Any, Any], Any]


def _shared(condition: Compiled, reads: tuple[str, ...] | None) -> Verdict:
    """The condition's test, its verdict remembered for the run by the statement fields it reads
    (`reads`, see `conditions.statement_reads`); the plain test when it may read more.

    Only the verdict is shared: a finding's explanation evaluates the condition afresh.
    """
    test = condition.test
    if reads is None:
        return test
    key_of = attrgetter(*reads) if reads else (lambda _stmt: ())
    known: dict[Any, Any] = {}

    def shared(subject: Any, ctx: Any) -> Any:
        key = key_of(ctx.statement)
        found = known.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = known[key] = test(subject, ctx)
        return found

    return shared


_UNKNOWN = object()


class _Coverage:
    """Which destinations each rule was evaluated on, while the engine walks them."""

    def __init__(self, rules: Sequence[CompiledRule], size: int) -> None:
        self.codes = {r.rule.id: bytearray(size) for r in rules}  # COVERAGE_NOT_APPLICABLE
        self.details: dict[str, dict[str, None]] = {r.rule.id: {} for r in rules}

    def test(
        self,
        compiled: CompiledRule,
        codes: bytearray,
        position: int,
        subject: Mapping[str, Any],
        ctx: Context,
        when: Verdict | None,
        check: Verdict,
    ) -> bool:
        """Whether the rule makes a finding here (guard holds, assertion fails); marks `codes`.

        `when` and `check` are the rule's condition tests (see `_shared`).
        """
        if when is not None:
            if (
                compiled.check_reads is not None
                and codes[position] == COVERAGE_EVALUATED
                and check(subject, ctx)
            ):
                # The guard would only decide coverage, already known for this destination:
                # a passing statement-only assertion (shared, cheap) makes no finding either way.
                return False
            if not when(subject, ctx):
                return False
        if not compiled.skips:
            codes[position] = COVERAGE_EVALUATED
            return not check(subject, ctx)
        skipped: list[tuple[str, str]] = []
        if not compiled.check.test(subject, replace(ctx, skipped=skipped)):
            codes[position] = COVERAGE_EVALUATED
            return True
        code = COVERAGE_EVALUATED
        if skipped:
            configured = all(reason != NOT_CONFIGURED for reason, _ in skipped)
            code = COVERAGE_NOT_APPLICABLE if configured else COVERAGE_NOT_CONFIGURED
            details = self.details[compiled.rule.id]
            details.update((d, None) for reason, d in skipped if reason == NOT_CONFIGURED)
        codes[position] = max(codes[position], code)
        return False

    def result(self) -> dict[str, RuleCoverage]:
        return {
            rule_id: RuleCoverage(
                rule_id=rule_id, codes=bytes(codes), details=tuple(self.details[rule_id])
            )
            for rule_id, codes in self.codes.items()
        }


def sort_key(f: Finding) -> tuple[Any, ...]:
    d = f.destination
    return (
        -f.severity,
        f.rule_id,
        d.project or "",
        d.environment or "",
        d.name,
        d.id,
        f.fingerprint,
    )


class _FindingMaker:
    """Builds the findings of one destination; what they share is computed once, when needed."""

    def __init__(
        self, dest: Destination, subject: Mapping[str, Any], messages: dict[Any, str]
    ) -> None:
        self.dest = dest
        self.subject = subject
        self.messages = messages
        """Messages by what they read, shared by every destination of the run."""
        self._shown: dict[str, Any] | None = None
        self._where: FindingDestination | None = None

    @property
    def shown(self) -> dict[str, Any]:
        """The destination as messages may see it: config redacted."""
        if self._shown is None:
            self._shown = _shown(self.dest, self.subject)
        return self._shown

    @property
    def where(self) -> FindingDestination:
        if self._where is None:
            d = self.dest
            self._where = FindingDestination(
                id=d.id, name=d.name, kind=d.kind, project=d.project, environment=d.environment
            )
        return self._where

    def make(
        self,
        compiled: CompiledRule,
        stmt: Statement | None,
        subject: Mapping[str, Any],
        ctx: Context,
    ) -> Finding:
        rule = compiled.rule
        message = self.message(compiled, stmt, subject, ctx)
        text = _Explained(message, compiled, ctx) if compiled.explains else FixedText(message)
        return Finding(
            rule_id=rule.id,
            severity=rule.severity,
            title=rule.title,
            destination=self.where,
            pointer=stmt.pointer if stmt else self.dest.pointer,
            fingerprint=fingerprint(rule.id, self.dest, stmt),
            statement=stmt,
            text=text,
        )

    def message(
        self,
        compiled: CompiledRule,
        stmt: Statement | None,
        subject: Mapping[str, Any],
        ctx: Context,
    ) -> str:
        """The rendered message; one render per distinct statement when nothing else is read."""
        shared = None
        if stmt is not None and not compiled.uses_value and _statement_only(compiled):
            # The statement's content and citing actions decide all it shows.
            shared = (compiled.rule.id, stmt.key, stmt.access_actions)
            known = self.messages.get(shared)
            if known is not None:
                return known
        rule = compiled.rule
        shown_stmt = statement_subject(stmt, self.shown) if stmt else None
        path = compiled.check.failing_path(subject, ctx) if compiled.uses_value else None
        value = resolve(shown_stmt or self.shown, path) if path else None
        message = compiled.render(
            {
                "destination": self.shown,
                "statement": shown_stmt,
                "value": None if value is MISSING else value,
                "params": dict(compiled.params),
                "rule": {"id": rule.id, "title": rule.title, "severity": rule.severity.label},
            }
        )
        if shared is not None:
            self.messages[shared] = message
        return message


_READS: dict[str, bool] = {}
_STATEMENT_FIELDS = frozenset(
    ("effect", "resources", "notResources", "actions", "notActions", "role_name")
) | {"decision", "access_actions"}


def _statement_only(compiled: CompiledRule) -> bool:
    """Whether the rule's message reads nothing but statement fields, `params` and `rule`.

    Decided on the template's syntax tree: `statement` only ever as `statement.<field>`
    (never the whole mapping, nor `statement.destination`), no call anywhere, and no other
    name than those and the template's own variables.
    """
    text = compiled.rule.message
    found = _READS.get(text)
    if found is None:
        found = isinstance(compiled.message, str) or _reads_statement_fields(text)
        _READS[text] = found
    return found


def _reads_statement_fields(text: str) -> bool:
    from jinja2 import Environment, nodes

    try:
        tree = Environment().parse(text)
    except Exception:  # not ours to word: the rule loader does; just do not share
        return False
    own = {n.name for n in tree.find_all(nodes.Name) if n.ctx != "load"} | {"loop"}
    readable = {"statement", "params", "rule", *own}

    def plain(node: Any, parent: Any) -> bool:
        if isinstance(node, nodes.Call):
            return False
        if isinstance(node, nodes.Name):
            if node.name not in readable:
                return False
            attr = parent.attr if isinstance(parent, nodes.Getattr) else None
            if node.name == "statement" and attr not in _STATEMENT_FIELDS:
                return False
        return all(plain(child, node) for child in node.iter_child_nodes())

    return plain(tree, None)


class _Explained:
    """A message, and the explanation of its finding worked out on first use (then kept).

    Explaining evaluates the rule again with a trail: outputs that show no explanation (SARIF,
    CSV, JUnit, GitHub, a gate alone) never pay for it. What it needs is small, so a finding
    waiting to be explained holds no copy of the destination.
    """

    __slots__ = ("_compiled", "_ctx", "_explanation", "message")

    def __init__(self, message: str, compiled: CompiledRule, ctx: Context) -> None:
        self.message = message
        self._compiled = compiled
        self._ctx: Context | None = ctx
        self._explanation: tuple[str, ...] | None = None

    @property
    def explanation(self) -> tuple[str, ...]:
        if self._explanation is None and self._ctx is not None:
            ctx = self._ctx
            subject = destination_subject(ctx.destination)
            if ctx.statement is not None:
                subject = statement_subject(ctx.statement, subject)
            self._explanation = explain(self._compiled, subject, ctx)
            self._ctx = None  # what it needed can go now
        return self._explanation or ()


def explain(compiled: CompiledRule, subject: Mapping[str, Any], ctx: Context) -> tuple[str, ...]:
    """The reasoning operators note while the rule is evaluated again, for a finding only.

    The guard (`when`) and the assertion run once more with a trail: what made the rule apply,
    then what failed. Evaluation stops at the first failing key, as it did for the verdict.
    """
    trail: list[str] = []
    recording = replace(ctx, trail=trail)
    if compiled.when is not None:
        compiled.when.holds(subject, recording)
    compiled.check.holds(subject, recording)
    return tuple(shown_text(line, EXPLANATION_LIMIT) for line in dict.fromkeys(trail))
