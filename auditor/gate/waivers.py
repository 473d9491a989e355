"""Waivers: load and validate a waivers file, then mark the findings it covers as waived."""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from auditor.gate.policy import matches, matches_any
from auditor.io.yamlfile import YamlDoc, did_you_mean, load_yaml
from auditor.io.yamlschema import check_schema
from auditor.models import (
    WAIVER_MATCHERS,
    Finding,
    Retold,
    Rule,
    Severity,
    Waiver,
    WaiverPolicy,
    WaiverState,
    WaiverStateName,
)

WAIVER_EXPIRED = "waiver-expired"
EXPECTED_DATE = "expected a date (YYYY-MM-DD)"

EXPIRED_RULE = Rule(
    id=WAIVER_EXPIRED,
    title="A waiver has expired",
    severity=Severity.MEDIUM,
    summary="Flags a finding whose waiver is past its expiry date; the finding is open again.",
    rationale=(
        "A waiver accepts a risk for a limited time, on the word of a named owner. Once it "
        "expires nobody has accepted the risk any more, so the finding counts again and the "
        "lapse itself is reported, with the same severity as the finding it waived."
    ),
    remediation=(
        "Fix the finding, or review it with the waiver's owner and renew the waiver with a "
        "new `expires` date (and ticket) in the waivers file."
    ),
    scope="destinations",
    when=None,
    assert_={},
    message="the waiver of a finding has expired",
    source=f"builtin:{WAIVER_EXPIRED}",
    tags=("waivers", "governance"),
)


def load_waivers(
    path: str,
    rule_ids: Collection[str],
    *,
    policy: WaiverPolicy | None = None,
    today: date | None = None,
) -> tuple[Waiver, ...]:
    """Load `path`; a bad entry is a RuleError naming file, line, column and field.

    With a `policy` (the config file's `waivers:` governance), a waiver without a ticket when
    one is required, or expiring more than `max_days` after `today`, is such an error too.
    """
    doc = load_yaml(path)
    doc = replace(doc, data=_dates_as_text(doc.data))
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping with a `waivers` list")
    check_schema(doc, "waivers.schema.json")
    waivers = tuple(_waiver(doc, i, entry, rule_ids) for i, entry in enumerate(doc.data["waivers"]))
    if policy is not None:
        for waiver in waivers:
            _govern(doc, waiver, policy, today or date.today())
    return waivers


def _govern(doc: YamlDoc, waiver: Waiver, policy: WaiverPolicy, today: date) -> None:
    where = ("waivers", waiver.index)
    if policy.require_ticket and waiver.ticket is None:
        raise doc.error(where, "needs a `ticket` (the config's waivers.require_ticket is true)")
    days = (waiver.expires - today).days
    if policy.max_days is not None and days > policy.max_days:
        raise doc.error(
            (*where, "expires"),
            f"{waiver.expires.isoformat()} is {days} days away, more than the "
            f"{policy.max_days} days the config allows (waivers.max_days)",
        )


def _dates_as_text(value: Any) -> Any:
    """YAML reads `2026-03-31` as a date; the schema checks text, so turn dates back into it."""
    if type(value) is date:
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    return value


def _waiver(doc: YamlDoc, index: int, entry: dict[str, Any], rule_ids: Collection[str]) -> Waiver:
    where = ("waivers", index)
    try:
        expires = date.fromisoformat(entry["expires"])
    except ValueError:
        raise doc.error((*where, "expires"), EXPECTED_DATE) from None
    rule = entry["rule"]
    if not matches_any(rule, rule_ids):
        raise doc.error((*where, "rule"), f"unknown rule {rule!r}{did_you_mean(rule, rule_ids)}")
    ticket = entry.get("ticket")
    return Waiver(
        rule=rule,
        reason=entry["reason"],
        owner=entry["owner"],
        expires=expires,
        ticket=None if ticket is None else str(ticket),
        path=doc.path,
        line=doc.locate(where)[0],
        index=index,
        **{m: entry.get(m) for m in WAIVER_MATCHERS},
    )


def covers(waiver: Waiver, finding: Finding) -> bool:
    """Whether `waiver` is about `finding`: its rule and every matcher it gives match."""
    d = finding.destination
    if not matches(finding.rule_id, (waiver.rule,)):
        return False
    if waiver.destination is not None and waiver.destination != d.id:
        return False
    globs = (
        (waiver.name, d.name),
        (waiver.project, d.project),
        (waiver.environment, d.environment),
        (waiver.kind, d.kind),
    )
    return all(
        pattern is None or (value is not None and fnmatch.fnmatchcase(value, pattern))
        for pattern, value in globs
    )


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], *, today: date, warning_days: int
) -> tuple[tuple[Finding, ...], tuple[WaiverState, ...]]:
    """Waive the findings an active waiver covers; reopen expired ones with `waiver-expired`."""
    matched: dict[int, list[str]] = {w.index: [] for w in waivers}
    out: list[Finding] = []
    for finding in findings:
        hits = [w for w in waivers if covers(w, finding)]
        for waiver in hits:
            matched[waiver.index].append(finding.fingerprint)
        live = next((w for w in hits if w.expires >= today), None)
        if live is not None:
            out.append(replace(finding, status="waived", waiver=live.summary()))
            continue
        out.append(finding)
        if hits:
            out.append(expired_finding(finding, hits[0]))
    states = tuple(
        WaiverState(
            waiver=w,
            state=_state(w, len(matched[w.index]), today, warning_days),
            matched=len(matched[w.index]),
            days_left=(w.expires - today).days,
            matched_fingerprints=tuple(matched[w.index]),
        )
        for w in waivers
    )
    return tuple(out), states


def _state(waiver: Waiver, matched: int, today: date, warning_days: int) -> WaiverStateName:
    days_left = (waiver.expires - today).days
    if days_left < 0:
        return "expired"
    if not matched:
        return "stale"
    return "expiring" if days_left <= warning_days else "active"


def expired_finding(finding: Finding, waiver: Waiver) -> Finding:
    """The `waiver-expired` finding raised beside a finding whose waiver has lapsed."""
    digest = hashlib.sha256(f"{WAIVER_EXPIRED}\0{finding.fingerprint}".encode()).hexdigest()
    message = (
        f"the waiver of {finding.rule_id} on {finding.destination.name} expired on "
        f"{waiver.expires.isoformat()} ({_who(waiver)}); the finding is open again: "
        f"{finding.message}"
    )
    return replace(
        finding,
        rule_id=WAIVER_EXPIRED,
        title=EXPIRED_RULE.title,
        text=Retold(message, finding.text),
        fingerprint=digest[:32],
        waiver=waiver.summary(),
    )


def _who(waiver: Waiver) -> str:
    ticket = f", ticket {waiver.ticket}" if waiver.ticket else ""
    return f"owner {waiver.owner}{ticket}, {waiver.path}:{waiver.line}"


def attention(state: WaiverState) -> str | None:
    """What to say about a waiver expiring soon, expired or stale; None when it is fine."""
    w = state.waiver
    head = f"waiver of {w.rule} (owner {w.owner})"
    if state.state == "expiring":
        return f"{head} expires on {w.expires.isoformat()}, in {state.days_left} days"
    if state.state == "expired":
        return f"{head} expired on {w.expires.isoformat()}; it no longer applies"
    if state.state == "stale":
        return f"{head} matched no finding; remove it if it is no longer needed"
    return None


def warnings(states: Iterable[WaiverState]) -> list[str]:
    """One `file:line: message` per waiver that needs attention."""
    said = ((s.waiver, attention(s)) for s in states)
    return [f"{w.path}:{w.line}: {text}" for w, text in said if text]
