"""Rules x destinations and statements -> findings: pure, one walk, deterministic order."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from auditor.language.conditions import Compiled, resolve
from auditor.language.vocabulary import MISSING, NOT_CONFIGURED, Test
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
    STATEMENT_ATTRIBUTES,
    AccessReview,
    Destination,
    Finding,
    FindingDestination,
    FixedText,
    Grant,
    GrantGroup,
    GrantPath,
    Principal,
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
    access: AccessReview | None = None
    """The account's grants, when the whole account was audited (for `who`)."""
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


def fingerprint(
    rule_id: str, dest: Destination, stmt: Statement | None, grant: Grant | None = None
) -> str:
    """Stable across runs and reorderings: rule, destination id and statement identity.

    A grant's identity is its principal (kind and id) and action, never a list position.
    """
    identity = stmt.key if stmt else ""
    where = dest.id
    if grant is not None:
        identity = f"{grant.principal.kind}:{grant.principal.id}:{grant.action}"
        if grant.destinations != 1:  # a finding for all the destinations a grant reaches
            where = "*"
    text = "\0".join((rule_id, where, identity))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def evaluate(
    rules: Sequence[CompiledRule],
    destinations: Sequence[Destination],
    access: AccessReview | None = None,
    *,
    inventory: Inventory | None = None,
    now: datetime | None = None,
) -> tuple[Finding, ...]:
    """Every finding of every rule on every destination (and statement, and grant), sorted."""
    return evaluate_with_coverage(rules, destinations, access, inventory=inventory, now=now)[0]


def evaluate_with_coverage(
    rules: Sequence[CompiledRule],
    destinations: Sequence[Destination],
    access: AccessReview | None = None,
    *,
    inventory: Inventory | None = None,
    now: datetime | None = None,
) -> tuple[tuple[Finding, ...], dict[str, RuleCoverage]]:
    """The findings, and for each rule what it was evaluated on (see `RuleCoverage`).

    A grants rule is evaluated on every destination when the whole account was audited (no
    grant on a destination is an answer too), and on none when only the caller's was.
    """
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
    grant_rules = [r for r in rules if r.rule.scope == "grants"]
    inventory = inventory if inventory is not None else Inventory(destinations)
    findings: list[Finding] = []
    if grant_rules and access is not None and access.scope == "account":
        findings += _evaluate_grants(grant_rules, inventory, access, now)
        for compiled in grant_rules:
            tracker.codes[compiled.rule.id][:] = bytes([COVERAGE_EVALUATED]) * len(destinations)
    messages: dict[Any, str] = {}
    for position, dest in enumerate(destinations):
        subject = destination_subject(dest)
        ctx = Context(inventory, dest, access=access)
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
            sctx = Context(inventory, dest, stmt, access=access)
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


def _applies(compiled: CompiledRule, subject: Mapping[str, Any], ctx: Context) -> bool:
    """Whether the rule makes a finding: its guard holds and its assertion does not."""
    when = compiled.when
    return (when is None or when.test(subject, ctx)) and not compiled.check.test(subject, ctx)


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
_STATEMENT_FIELDS = frozenset(STATEMENT_ATTRIBUTES)


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


def _grant_finding(
    maker: _FindingMaker,
    compiled: CompiledRule,
    grant: Grant,
    subject: Mapping[str, Any],
    explanation: tuple[str, ...],
) -> Finding:
    dest, rule_ = maker.dest, compiled.rule
    stmt = best_path(grant.paths).statement
    message = compiled.render(
        {
            "destination": maker.shown,
            "statement": {**stmt.api_fields(), "destination": maker.shown},
            "principal": subject["principal"],
            "grant": {k: v for k, v in subject.items() if k != "destination"},
            "value": None,
            "params": dict(compiled.params),
            "rule": {"id": rule_.id, "title": rule_.title, "severity": rule_.severity.label},
        }
    )
    return Finding(
        rule_id=rule_.id,
        severity=rule_.severity,
        title=rule_.title,
        message=message,
        destination=maker.where,
        pointer=grant.principal.pointer or dest.pointer,
        fingerprint=fingerprint(rule_.id, dest, None, grant),
        statement=stmt,
        explanation=explanation,
        grant=grant,
    )


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


# --------------------------------------------------------------------------------------------
# Grants: one subject per principal x destination x action the account allows


def principal_subject(principal: Principal, access: AccessReview, now: datetime) -> dict[str, Any]:
    """What rule paths address as `principal`: kind, id, label and what is known of its use."""
    days = None
    if principal.last_seen is not None:
        days = max(int((now.timestamp() * 1000 - principal.last_seen) // 86_400_000), 0)
    return {
        "kind": principal.kind,
        "id": principal.id,
        "label": principal.label,
        "service": principal.service,
        "owner": principal.owner,
        "members": principal.members,
        "share": (principal.members or 0) / access.members if access.members else 0.0,
        "least_recent": principal.least_recent,
        "days_unseen": days,
    }


def path_subject(path: GrantPath) -> dict[str, Any]:
    return {
        "role": path.role,
        "role_name": path.role_name,
        "team": path.team,
        "attributes": {name: list(values) for name, values in path.attributes},
        "certain": path.certain,
    }


def best_path(paths: Sequence[GrantPath]) -> GrantPath:
    """The path a message names: a sure one before a possible one, a direct one before a team's."""
    return min(paths, key=lambda p: (not p.certain, p.team is not None, p.role))


def group_subject(group: GrantGroup, principal: Mapping[str, Any]) -> dict[str, Any]:
    """The mapping rule paths address for a grant, but its `destination` (added per grant)."""
    first = best_path(group.paths)
    return {
        "principal": principal,
        "action": group.action,
        "via": path_subject(first),
        "paths": [path_subject(p) for p in group.paths],
        "roles": sorted({p.role for p in group.paths}),
        "certain": any(p.certain for p in group.paths),
        "statement": first.statement.api_fields(),
    }


_DESTINATION_OPERATORS = frozenset(
    {"can", "scoped_to", "grants", "duplicates", "approved_in", "who"}
)
"""Operators that look at the audited destination itself (through the context)."""


def reads_destination(spec: Any) -> bool:
    """Whether a condition reads the destination (a `destination.*` path or such an operator).

    A grants rule that does not is judged once per principal, action and paths, for all the
    destinations they reach together.
    """
    if isinstance(spec, Mapping):
        return any(
            (
                isinstance(key, str)
                and (key.split(".")[0] == "destination" or key in _DESTINATION_OPERATORS)
            )
            or reads_destination(sub)
            for key, sub in spec.items()
        )
    if isinstance(spec, list):
        return any(reads_destination(item) for item in spec)
    return False


def _evaluate_grants(
    rules: Sequence[CompiledRule],
    inventory: Inventory,
    access: AccessReview,
    now: datetime | None,
) -> list[Finding]:
    moment = now or datetime.now(UTC)
    critical = {(p, e): flag for p, e, flag in access.environments}
    splits = {id(r): _split(r) for r in rules}
    principals: dict[int, dict[str, Any]] = {}
    destinations: dict[int, tuple[dict[str, Any], _FindingMaker]] = {}

    def dest_part(dest: Destination) -> tuple[dict[str, Any], _FindingMaker]:
        cached = destinations.get(dest.index)
        if cached is None:
            subject = destination_subject(dest)
            subject["critical"] = critical.get((dest.project or "", dest.environment or ""))
            cached = destinations[dest.index] = (subject, _FindingMaker(dest, subject, {}))
        return cached

    findings: list[Finding] = []
    for group in access.groups:
        p_subject = principals.get(id(group.principal))
        if p_subject is None:
            p_subject = principals[id(group.principal)] = principal_subject(
                group.principal, access, moment
            )
        base = group_subject(group, p_subject)
        stmt = group.paths[0].statement
        explanation: list[tuple[str, ...]] = []
        first = min(group.destinations, key=_destination_order)
        for compiled in rules:
            split = splits[id(compiled)]
            per_destination = split is not None
            d_subject, maker = dest_part(first)
            subject = {**base, "destination": d_subject, "destinations": 1}
            if not per_destination:  # one finding for the principal's whole group
                subject["destinations"] = len(group.destinations)
            ctx = Context(inventory, first, stmt, access=access)
            if split is None:
                hits = [(first, subject, maker)] if _applies(compiled, subject, ctx) else []
            else:
                hits = _per_destination(split, group, base, subject, ctx, dest_part)
            for dest, hit, hit_maker in hits:
                if not explanation:
                    explanation.append(explain_grant(group, inventory))
                grant = Grant(
                    principal=group.principal,
                    destination=dest,
                    action=group.action,
                    paths=group.paths,
                    destinations=hit["destinations"],
                )
                findings.append(_grant_finding(hit_maker, compiled, grant, hit, explanation[0]))
    return findings


_Split = tuple[list[Test], list[Test], list[Test], list[Test]]


def _split(compiled: CompiledRule) -> _Split | None:
    """A rule's top-level tests that do not read the destination, and those that do:
    (when, when on the destination, assert, assert on the destination); None if none does."""
    rule = compiled.rule
    if not (reads_destination(rule.when) or reads_destination(rule.assert_)):
        return None
    out: _Split = ([], [], [], [])
    for offset, (spec, conditions) in enumerate(
        ((rule.when, compiled.when), (rule.assert_, compiled.check))
    ):
        if conditions is None or spec is None:
            continue
        for key, _path, test in conditions.parts:
            reads = reads_destination({key: spec[key]})
            out[offset * 2 + reads].append(test)
    return out


def _per_destination(
    split: _Split,
    group: GrantGroup,
    base: Mapping[str, Any],
    subject: dict[str, Any],
    ctx: Context,
    dest_part: Any,
) -> list[tuple[Destination, dict[str, Any], _FindingMaker]]:
    """The destinations of the group on which the rule applies and its assertion fails.

    What does not read the destination is judged once for the group: a guard that fails, or
    an assertion that holds without looking at the destination, settles every destination.
    """
    when, when_dest, check, check_dest = split
    if not all(test(subject, ctx) for test in when):
        return []
    holds = all(test(subject, ctx) for test in check)
    if holds and not check_dest:
        return []
    hits = []
    for dest in group.destinations:
        d_subject, maker = dest_part(dest)
        here = {**base, "destination": d_subject, "destinations": 1}
        dctx = Context(ctx.inventory, dest, ctx.statement, access=ctx.access)
        if not all(test(here, dctx) for test in when_dest):
            continue
        if holds and all(test(here, dctx) for test in check_dest):
            continue
        hits.append((dest, here, maker))
    return hits


def _destination_order(dest: Destination) -> tuple[str, ...]:
    return (dest.project or "", dest.environment or "", dest.name, dest.id)


def explain_grant(grant: Grant | GrantGroup, inventory: Inventory) -> tuple[str, ...]:
    """principal -> team -> role -> statement -> reach, for every path that grants the action."""
    from auditor.language import phrasing
    from auditor.launchdarkly.statements import policy_of

    who = grant.principal
    lines = []
    for path in sorted(grant.paths, key=lambda p: (not p.certain, p.team is not None, p.role)):
        holder = f"{who.kind} {who.label}"
        via = f" through team `{path.team}`" if path.team and who.kind != "team" else ""
        attrs = ", ".join(f"{n}={'|'.join(v) or '(none)'}" for n, v in path.attributes)
        lines.append(
            f"{holder} holds role `{path.role_name}`{via}"
            + (f" with role attributes {attrs}" if attrs else "")
        )
        policy = policy_of(path.statement.api_fields())
        if policy is None:
            continue
        lines.append(f"role `{path.role_name}` has the statement {phrasing.statement(policy)}")
        found = inventory.reach(policy, grant.action)
        lines.append(phrasing.reach_sentence(policy, grant.action, found, inventory.totals))
        lines.append(
            f"no deny statement of role `{path.role_name}` takes {grant.action} on this"
            " destination away (a deny counts only inside its own role; across roles the"
            " more permissive decision applies)"
            + (
                ""
                if path.certain
                else '; the statement reaches it only under the "could'
                ' cover" reading (tags, properties or an unknown role attribute)'
            )
        )
    if who.kind == "token" and who.owner:
        lines.append(
            f"a personal token never does more than its member ({who.owner}), whose own or"
            " team roles allow this action too"
        )
    return tuple(lines)
