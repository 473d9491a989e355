"""The frozen data that flows between stages: severities, destinations, rules, findings."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol


class Severity(enum.IntEnum):
    """Ordered severities; comparisons follow the order (critical is highest)."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


SEVERITY_NAMES: tuple[str, ...] = tuple(s.label for s in sorted(Severity, reverse=True))
FAIL_ON_CHOICES: tuple[str, ...] = (*(s.label for s in Severity), "never")

CUT_MARK = "…[cut"
"""How every shortened string a report shows begins its marker (`…[cut at 1,000 of ...]`)."""


def shown_text(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and a marker saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}{CUT_MARK} at {limit:,} of {len(text):,} characters]"


Scope = Literal["destinations", "statements", "grants"]
Status = Literal["open", "waived", "baselined"]
Decision = Literal["allowed", "denied"]
WaiverStateName = Literal["active", "expiring", "expired", "stale"]
RuleStatus = Literal["passed", "failed", "not_evaluated"]
NotEvaluatedReason = Literal[
    "not_configured",
    "deselected",
    "no_applicable_destination",
    "access_not_reported",
    "account_not_audited",
]
NOT_EVALUATED_REASONS: tuple[NotEvaluatedReason, ...] = (
    "not_configured",
    "deselected",
    "no_applicable_destination",
    "access_not_reported",
    "account_not_audited",
)
FRAMEWORK_KEYS: tuple[str, ...] = ("soc2", "iso27001", "gdpr")
"""The frameworks of reports/controls.yaml, in its order: what `--framework` accepts."""

SHORT_FINGERPRINT_LENGTH = 10
"""Hex characters of a fingerprint shown in human-readable outputs (40 bits: unique enough
to pick one finding of an export by eye; `auditor explain` takes it, or any unique prefix)."""


def short_fingerprint(fingerprint: str) -> str:
    """The form of `fingerprint` that text, HTML and Markdown reports show."""
    return fingerprint[:SHORT_FINGERPRINT_LENGTH]


@dataclass(frozen=True, kw_only=True, slots=True)
class Destination:
    """One Data Export destination, normalised: `config` decoded, project/env from its link."""

    id: str
    name: str
    kind: str
    on: bool
    config: Mapping[str, Any] | None
    project: str | None
    environment: str | None
    pointer: str
    index: int
    raw: Mapping[str, Any]
    statements: tuple[Statement, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Statement:
    """One distinct policy statement cited by a destination's `_access` (deduplicated)."""

    effect: str
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    role_name: str | None
    decision: Decision
    access_actions: tuple[str, ...]
    pointer: str
    key: str
    """Stable identity of the statement (decision + content), independent of list positions."""

    def api_fields(self) -> dict[str, Any]:
        """The statement in the API's field names, plus its decision and citing actions."""
        return {
            "effect": self.effect,
            "resources": list(self.resources),
            "notResources": list(self.not_resources),
            "actions": list(self.actions),
            "notActions": list(self.not_actions),
            "role_name": self.role_name,
            "decision": self.decision,
            "access_actions": list(self.access_actions),
        }


STATEMENT_ATTRIBUTES: dict[str, str] = {
    "effect": "effect",
    "resources": "resources",
    "notResources": "not_resources",
    "actions": "actions",
    "notActions": "not_actions",
    "role_name": "role_name",
    "decision": "decision",
    "access_actions": "access_actions",
}
"""The `Statement` attribute behind each field of `Statement.api_fields()`."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    """A loaded rule: documentation, logic (kept as data; compiled by the engine) and examples."""

    id: str
    title: str
    severity: Severity
    summary: str
    rationale: str
    remediation: str
    scope: Scope
    when: Mapping[str, Any] | None
    assert_: Mapping[str, Any]
    message: str
    source: str
    references: tuple[str, ...] = ()
    compliance: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    examples_pass: tuple[Any, ...] = ()
    examples_fail: tuple[Any, ...] = ()
    examples_params: Mapping[str, Any] = field(default_factory=dict)
    """Params the examples run with (a rule inactive until configured needs some to fail)."""
    examples_inventory: tuple[Any, ...] = ()
    """Other destination items exported alongside each example (for cross-destination rules)."""
    file_sha256: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class FindingDestination:
    """What a finding says about its destination (never its config)."""

    id: str
    name: str
    kind: str
    project: str | None
    environment: str | None


class FindingText(Protocol):
    """A finding's message and explanation, however and whenever they are worked out."""

    @property
    def message(self) -> str: ...
    @property
    def explanation(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class FixedText:
    """A message and explanation known when the finding is made."""

    message: str
    explanation: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Retold:
    """Another message for a finding whose explanation stays the one it had."""

    message: str
    told: FindingText

    @property
    def explanation(self) -> tuple[str, ...]:
        return self.told.explanation


@dataclass(frozen=True, kw_only=True, slots=True, init=False)
class Finding:
    """One rule violation on one destination (and statement, for statement-scoped rules).

    `message` and `explanation` read from `text`, which the engine fills in on first use
    (an output that never shows an explanation never pays for it); `Finding(message=...,
    explanation=...)` still makes a finding with both fixed, and a `message` given with a
    `text` (as `replace` does) tells the finding anew with the explanation it had.
    """

    rule_id: str
    severity: Severity
    title: str
    destination: FindingDestination
    pointer: str
    fingerprint: str
    status: Status = "open"
    statement: Statement | None = None
    waiver: Mapping[str, Any] | None = None
    text: FindingText = field(default=FixedText(""), compare=False, repr=False)
    grant: Grant | None = None
    """For a rule of scope `grants`: who holds the action on the destination, and through what."""

    def __init__(
        self,
        *,
        rule_id: str,
        severity: Severity,
        title: str,
        destination: FindingDestination,
        pointer: str,
        fingerprint: str,
        status: Status = "open",
        statement: Statement | None = None,
        waiver: Mapping[str, Any] | None = None,
        text: FindingText | None = None,
        message: str | None = None,
        explanation: tuple[str, ...] = (),
        grant: Grant | None = None,
    ) -> None:
        if text is None:
            text = FixedText(message or "", tuple(explanation))
        elif message is not None:
            text = Retold(message, text)
        given = {
            "rule_id": rule_id,
            "severity": severity,
            "title": title,
            "destination": destination,
            "pointer": pointer,
            "fingerprint": fingerprint,
            "status": status,
            "statement": statement,
            "waiver": waiver,
            "text": text,
            "grant": grant,
        }
        for name, value in given.items():
            object.__setattr__(self, name, value)

    @property
    def message(self) -> str:
        return self.text.message

    @property
    def explanation(self) -> tuple[str, ...]:
        """The reasoning LaunchDarkly-aware operators noted, in evaluation order."""
        return self.text.explanation

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return _finding_key(self) == _finding_key(other)

    def __hash__(self) -> int:
        return hash((self.rule_id, self.fingerprint, self.status))

    @property
    def short_fingerprint(self) -> str:
        return short_fingerprint(self.fingerprint)


def _finding_key(f: Finding) -> tuple[Any, ...]:
    return (
        f.rule_id,
        f.severity,
        f.title,
        f.destination,
        f.pointer,
        f.fingerprint,
        f.status,
        f.statement,
        f.waiver,
        f.message,
        f.explanation,
        f.grant,
    )


PrincipalKind = Literal["member", "team", "token"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Principal:
    """Who may hold access in a LaunchDarkly account: a member, a team or an API access token."""

    kind: PrincipalKind
    id: str
    label: str
    """A member's email (or its hash with --anonymise-members), a team's key, a token's name."""
    pointer: str
    """JSON Pointer of the principal in the account snapshot (`/_account/members/3`)."""
    service: bool = False
    """An API access token not tied to a member (a service token)."""
    owner: str | None = None
    """For a personal token: the id of the member whose access bounds it."""
    last_seen: int | None = None
    """Members: `_lastSeen` (Unix ms); teams: the earliest `_lastSeen` among their members;
    tokens: `lastUsed`. None when never seen or not known."""
    members: int | None = None
    """Teams: how many members the team has (from the members' `teams`)."""
    least_recent: str | None = None
    """Teams: the label of the member seen least recently (the one `last_seen` is of)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class GrantPath:
    """One way a principal holds an action: a role (through a team or not) and its statement."""

    role: str
    """The role's key; `base:<name>` for a base role, `inline` for a token's inline policy."""
    role_name: str
    team: str | None
    attributes: tuple[tuple[str, tuple[str, ...]], ...]
    """The role attributes (`${roleAttribute/...}`) used, with the values of this assignment."""
    statement: Statement
    """The allow statement that reaches the destination (role attributes expanded)."""
    certain: bool
    """False when the statement reaches the destination only under the "could cover" reading."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Grant:
    """A principal allowed one destination action on one destination, and every way it is."""

    principal: Principal
    destination: Destination
    action: str
    paths: tuple[GrantPath, ...]
    destinations: int = 1
    """How many destinations the finding stands for: a rule that does not look at the
    destination judges a principal's action once, for all it reaches (`destination` is the
    first of them in report order)."""

    @property
    def certain(self) -> bool:
        return any(path.certain for path in self.paths)


@dataclass(frozen=True, kw_only=True, slots=True)
class GrantGroup:
    """A principal allowed one action, through the same paths, on each of `destinations`."""

    principal: Principal
    action: str
    paths: tuple[GrantPath, ...]
    destinations: tuple[Destination, ...]

    def grants(self) -> Iterator[Grant]:
        for destination in self.destinations:
            yield Grant(
                principal=self.principal,
                destination=destination,
                action=self.action,
                paths=self.paths,
            )


@dataclass(frozen=True, kw_only=True, slots=True)
class NotAudited:
    """A part of the account the API would not give, so nobody's access through it is known."""

    endpoint: str
    status: int | None
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AccessReview:
    """Whose access the audit covers and, for a whole account, every grant on a destination."""

    scope: Literal["caller", "account"]
    caller: str | None
    """Who fetched the export (from `/api/v2/caller-identity`), when known."""
    not_audited: tuple[NotAudited, ...] = ()
    principals: tuple[Principal, ...] = ()
    groups: tuple[GrantGroup, ...] = ()
    """Every grant, grouped: a principal, an action, its paths, and the destinations."""
    members: int = 0
    environments: tuple[tuple[str, str, bool | None], ...] = ()
    """(project, environment, `critical`) of every environment read from the account."""
    team_members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Member ids by team key."""
    anonymised: bool = False
    """Members appear by a hash of their email (`--anonymise-members`), so must every copy."""

    @property
    def grants(self) -> Iterator[Grant]:
        """Every grant, one destination each (built on demand from `groups`)."""
        for group in self.groups:
            yield from group.grants()

    def critical(self, project: str | None, environment: str | None) -> bool | None:
        """LaunchDarkly's `critical` flag of the environment; None when not known."""
        for proj, env, flag in self.environments:
            if proj == project and env == environment:
                return flag
        return None

    @property
    def summary(self) -> str:
        if self.scope == "caller":
            who = f" ({self.caller})" if self.caller else ""
            return (
                f"only the access of the caller that fetched the export{who} was audited"
                " (its `_access`); fetch with --account to audit every member, team and token"
            )
        gaps = "".join(f"; not audited: {gap.endpoint} ({gap.reason})" for gap in self.not_audited)
        return (
            f"the whole account's access was audited: {self.members} members,"
            f" {sum(p.kind == 'team' for p in self.principals)} teams,"
            f" {sum(p.kind == 'token' for p in self.principals)} tokens{gaps}"
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class SchemaProblem:
    """One place where the input does not match the destinations schema."""

    pointer: str
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Document:
    """A parsed, validated and normalised export: the valid destinations and the problems."""

    destinations: tuple[Destination, ...]
    problems: tuple[SchemaProblem, ...]
    item_count: int
    account: Mapping[str, Any] | None = None
    """The account snapshot (`_account`) saved beside the destinations by `fetch --account`."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Source:
    """Where the input came from, and its exact bytes' SHA-256."""

    path: str
    sha256: str
    data: bytes = field(repr=False)
    max_size: int | None = None
    """The --max-input-size it was read under (None: the default); it sets the count limits."""
    file: str | None = ""
    """The local file holding these bytes, which line/column locations refer to: `path`
    (the default, ""), the snapshot saved with `--save`, or None (stdin, the API unsaved)."""

    @property
    def location_file(self) -> str | None:
        if self.file == "":
            return None if self.path == "<stdin>" else self.path
        return self.file


@dataclass(frozen=True, kw_only=True, slots=True)
class GatePolicy:
    """What fails the gate: --fail-on, hard- and soft-fail rule patterns, severity overrides."""

    fail_on: str = "medium"
    hard_fail_on: tuple[str, ...] = ()
    soft_fail_on: tuple[str, ...] = ()
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)


WAIVER_MATCHERS = ("destination", "name", "project", "environment", "kind")


@dataclass(frozen=True, kw_only=True, slots=True)
class Waiver:
    """One entry of a waivers file: which findings it covers, why, whose, and until when."""

    rule: str
    reason: str
    owner: str
    expires: date
    path: str
    line: int
    index: int
    """Position in the file's `waivers` list."""
    ticket: str | None = None
    destination: str | None = None
    name: str | None = None
    project: str | None = None
    environment: str | None = None
    kind: str | None = None

    def summary(self) -> dict[str, Any]:
        """The mapping a waived finding carries (`Finding.waiver`)."""
        return {
            "rule": self.rule,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "ticket": self.ticket,
        }

    def matchers(self) -> dict[str, str]:
        """The destination matchers this waiver gives (all must match)."""
        given = {m: getattr(self, m) for m in WAIVER_MATCHERS}
        return {m: v for m, v in given.items() if v is not None}


@dataclass(frozen=True, kw_only=True, slots=True)
class WaiverState:
    """How one waiver stood in this audit: its state, how many findings it matched, days left."""

    waiver: Waiver
    state: WaiverStateName
    matched: int
    days_left: int
    matched_fingerprints: tuple[str, ...] = ()
    """The fingerprints of the findings it matched, in the order they were met."""


@dataclass(frozen=True, kw_only=True, slots=True)
class WaiverPolicy:
    """Governance of waivers from the config file: the longest a waiver may run, a ticket."""

    max_days: int | None = None
    """A waiver expiring more than this many days after the audit date is an error."""
    require_ticket: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleCoverage:
    """What one rule that ran was evaluated on, destination by destination.

    `codes` holds one byte per audited destination (in `AuditResult.destinations` order):
    one of the COVERAGE_* values. A rule is evaluated on a destination when its guard
    (`when`) held there, for a statement rule on at least one of its statements, and its
    operators could decide (an opt-in operator without its params decides nothing).
    """

    rule_id: str
    codes: bytes
    details: tuple[str, ...] = ()
    """Why destinations were not evaluated, as the operators said (`not configured for kinesis`)."""

    def count(self, code: int) -> int:
        return self.codes.count(code)

    @property
    def evaluated(self) -> int:
        return self.codes.count(COVERAGE_EVALUATED)


COVERAGE_NOT_APPLICABLE = 0
"""The rule's guard did not hold (or no statement to check): nothing to evaluate."""
COVERAGE_NO_ACCESS = 1
"""A statement rule on a destination without `_access`: its grants were not reported."""
COVERAGE_NOT_CONFIGURED = 2
"""An opt-in check without its params for this destination (no approved targets for its kind)."""
COVERAGE_EVALUATED = 3
"""Evaluated: a finding, or a pass that means something. The highest code wins per destination."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Control:
    """One control of a compliance framework, with its official title."""

    id: str
    title: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Framework:
    """A compliance framework the rules map to: its key in rule files, name, source, controls."""

    key: str
    name: str
    source: str
    controls: Mapping[str, Control] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class ResolvedFinding:
    """A finding of the baseline that this audit no longer makes."""

    fingerprint: str
    rule_id: str
    destination: FindingDestination


@dataclass(frozen=True, kw_only=True, slots=True)
class BaselineDiff:
    """This audit against a baseline report: new open findings, unchanged ones, resolved ones."""

    path: str
    new: tuple[str, ...]
    unchanged: int
    resolved: tuple[ResolvedFinding, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class RunRecord:
    """One run as the history database holds it."""

    id: int
    generated_at: str
    source_path: str
    source_sha256: str
    tool_version: str
    ruleset_sha256: str | None
    """None for runs recorded by a schema that did not keep it."""
    fail_on: str
    passed: bool
    destinations: int | None
    schema_errors: int | None
    findings: int
    open_by_severity: Mapping[str, int]

    @property
    def verdict(self) -> str:
        return "passed" if self.passed else "failed"


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordedFinding:
    """One finding of a recorded run (what the database keeps: never a config value)."""

    fingerprint: str
    rule_id: str
    severity: str
    status: str
    message: str
    destination: FindingDestination


@dataclass(frozen=True, kw_only=True, slots=True)
class PastState:
    """What the database held before this run: recent runs, the last run's findings."""

    database: str
    earlier_runs: int
    recent: tuple[RunRecord, ...]
    """The latest runs, oldest first; the last one is the previous run."""
    previous_findings: tuple[RecordedFinding, ...]
    first_seen: Mapping[str, str]
    """Earliest run time by fingerprint, over every run ever recorded (pruned ones too)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class TrendPoint:
    """Open findings by severity in one run; `run_id` is None for this, unrecorded, run."""

    run_id: int | None
    generated_at: str
    passed: bool
    open_by_severity: Mapping[str, int]

    @property
    def open(self) -> int:
        return sum(self.open_by_severity.values())


@dataclass(frozen=True, kw_only=True, slots=True)
class HistoryView:
    """This audit against its history; attached to `AuditResult.history`."""

    database: str
    earlier_runs: int
    previous: RunRecord | None
    first_seen: Mapping[str, str]
    """When each finding of this run was first seen, by fingerprint (this run's time if new)."""
    age_days: Mapping[str, int]
    """Whole days from first seen to this run, by fingerprint."""
    new: tuple[str, ...]
    """Fingerprints of this run's findings that the previous run did not have (all, if none)."""
    resolved: tuple[RecordedFinding, ...]
    """Findings of the previous run that this run no longer makes, of rules that ran."""
    trend: tuple[TrendPoint, ...]
    """The last runs, oldest first, ending with this one."""


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditResult:
    """Everything an output needs to render one audit."""

    source_path: str
    source_sha256: str
    generated_at: str
    tool_version: str
    ruleset_sha256: str
    destinations: tuple[Destination, ...]
    item_count: int
    problems: tuple[SchemaProblem, ...]
    rules: tuple[Rule, ...]
    findings: tuple[Finding, ...]
    fail_on: str
    passed: bool
    gate: GatePolicy = field(default_factory=GatePolicy)
    waivers: tuple[WaiverState, ...] = ()
    waivers_path: str | None = None
    baseline: BaselineDiff | None = None
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """(line, column) in the input of each finding's and problem's pointer, when known."""
    history: HistoryView | None = None
    """This run against the --history database (first seen, new, resolved, trend); else None."""
    access: AccessReview = field(default_factory=lambda: AccessReview(scope="caller", caller=None))
    """Whose access was audited: the caller's `_access` only, or the whole account."""
    inventory_cut: int = 0
    """Destination names, kinds and shown config values that were too long and were cut."""
    coverage: Mapping[str, RuleCoverage] = field(default_factory=dict)
    """By rule id, what each rule that ran was evaluated on (rules made in code have none)."""
    deselected: tuple[Rule, ...] = ()
    """Loaded rules that --select/--ignore left out: not evaluated, and reported as such."""
    outside_framework: tuple[Rule, ...] = ()
    """Loaded rules not mapped to --framework: not run, not reported (kept for evidence packs)."""
    framework: str | None = None
    """The --framework the audit was focused on: only rules mapped to it ran and are shown."""
    frameworks: tuple[Framework, ...] = ()
    """The frameworks the reports show, with the titles of their controls (see controls.yaml)."""
    source_file: str | None = None
    """The local file the findings' line/column positions refer to (`Source.location_file`):
    None for stdin and an unsaved API read, whose findings have logical locations only."""

    @property
    def shortened(self) -> int:
        """Shown strings (names, kinds, config values, messages, explanation lines) that were
        too long and were cut, each ending in a CUT_MARK marker; the summaries say so.

        Counted when an output asks, so one that shows no explanation never works them out.
        """
        cut = sum(CUT_MARK in f.message for f in self.findings)
        cut += sum(CUT_MARK in line for f in self.findings for line in f.explanation)
        return self.inventory_cut + cut

    def counts_by_severity(self, status: Status = "open") -> dict[str, int]:
        counts = dict.fromkeys(SEVERITY_NAMES, 0)
        for finding in self.findings:
            if finding.status == status:
                counts[finding.severity.label] += 1
        return counts

    def counts_by_status(self) -> dict[str, int]:
        counts = {"open": 0, "waived": 0, "baselined": 0}
        for finding in self.findings:
            counts[finding.status] += 1
        return counts
