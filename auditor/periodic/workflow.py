"""Periodic audits around the outputs: history read before them; evidence and recording after.

The order is the contract: the history is read and compared first, so the reports show
it; the reports are written; then the evidence pack is written and the run recorded. A
history or evidence failure never stops the reports: it is returned, to become exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from auditor.errors import AuditorError
from auditor.models import AuditResult, Source
from auditor.periodic.evidence import EvidenceRequest, write_pack


@dataclass(frozen=True, kw_only=True, slots=True)
class PeriodicOptions:
    """What a periodic `check` keeps: the history database and the evidence pack, if any."""

    history: str | None = None
    evidence: EvidenceRequest | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Aftermath:
    """What happened after the outputs: notes for the log, and the failures (exit 2)."""

    notes: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def with_history(result: AuditResult, options: PeriodicOptions) -> tuple[AuditResult, str | None]:
    """`result` with its history view attached, or unchanged and the reason it could not be."""
    from auditor.periodic.history import load_state
    from auditor.periodic.trend import compare

    if options.history is None:
        return result, None
    try:
        state = load_state(options.history)
    except AuditorError as exc:
        return result, f"{exc.message} (reports written without history; run not recorded)"
    return replace(result, history=compare(state, result)), None


def after_outputs(
    result: AuditResult, source: Source, options: PeriodicOptions, *, record_run: bool = True
) -> Aftermath:
    """Write the evidence pack, then record the run; each failure is kept, not raised."""
    from auditor.periodic.history import record

    notes: list[str] = []
    errors: list[str] = []
    if options.evidence is not None:
        try:
            digest = write_pack(options.evidence, result, source)
        except AuditorError as exc:
            errors.append(f"{exc.message} (reports written; no evidence pack)")
        else:
            where = options.evidence.directory
            notes.append(f"evidence pack written to {where} (sha256 of MANIFEST.sha256: {digest})")
    if options.history is not None and record_run:
        try:
            run_id = record(options.history, result)
        except AuditorError as exc:
            errors.append(f"{exc.message} (reports written; run not recorded)")
        else:
            notes.append(f"recorded run {run_id} in {options.history}{_change(result)}")
    return Aftermath(notes=tuple(notes), errors=tuple(errors))


def _change(result: AuditResult) -> str:
    view = result.history
    if view is None or view.previous is None:
        return ""
    return f": {len(view.new)} new, {len(view.resolved)} resolved since run {view.previous.id}"
