"""Periodic audits around the outputs: history read before them; evidence and recording after.

The order is the contract: the pack's location is checked before the audit; the history
is read and compared, so the reports show it; the reports are written; then the evidence
pack; and last the run is recorded, only if everything before it was written (a retry
must not record the run twice). A history or evidence failure never stops the reports: it
is returned, to become exit 2.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from auditor.errors import AuditorError, OutputError, UsageError
from auditor.io import fsprobe
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


def check_pack_location(directory: str, outputs: Sequence[str]) -> None:
    """Before the audit: the pack's folder can be made, and no other output goes inside it."""
    target = Path(directory)
    if fsprobe.exists(target) and (not fsprobe.is_dir(target) or fsprobe.entries(target)):
        raise OutputError(
            f"{directory}: exists and is not an empty directory; "
            "an evidence pack goes to a new (or empty) directory"
        )
    parent = target.parent
    if not fsprobe.is_dir(parent):
        raise OutputError(f"{directory}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{directory}: directory {str(parent)!r} is not writable")
    real = os.path.realpath(directory)
    for path in outputs:
        if path != "-" and Path(os.path.realpath(path)).is_relative_to(real):
            raise UsageError(
                f"{path} is inside {directory}, the --evidence pack; write it elsewhere"
            )


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
            errors.append(f"{exc.message} (reports written; no evidence pack; run not recorded)")
        else:
            where = options.evidence.directory
            notes.append(f"evidence pack written to {where} (sha256 of MANIFEST.sha256: {digest})")
    if options.history is not None and record_run and not errors:
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
