"""The template context's `history`: the JSON report's block plus the views the reports list."""

from __future__ import annotations

from typing import Any

from auditor.models import HistoryView
from auditor.outputs.report_json import history_dict

OLDEST_OPEN = 10
"""How many of the oldest open findings the reports list."""


def history_context(history: HistoryView | None, views: list[dict[str, Any]]) -> Any:
    """None without history; else the `history` block with finding views added.

    `views` are the context's finding views in report order; the lists added here hold
    the same objects: `new_findings` (report order) and `oldest_open` (open findings first
    seen before this run, by first seen, then report order, at most `OLDEST_OPEN`).
    """
    if history is None:
        return None
    block = history_dict(history)
    new = set(history.new)
    now = history.trend[-1].generated_at
    # Findings an earlier run had: one first seen by this run is listed as new, not as old.
    # Both tests are needed: an earlier run may share this run's time (then its findings are
    # not new), and a finding that comes back is new but was first seen long ago.
    open_views = [
        v
        for v in views
        if v["status"] == "open" and not (v["fingerprint"] in new and v["first_seen"] == now)
    ]
    block.update(
        first_run=history.previous is None,
        new_findings=[v for v in views if v["fingerprint"] in new],
        oldest_open=sorted(open_views, key=lambda v: str(v["first_seen"]))[:OLDEST_OPEN],
        trend_max=max(point["open"] for point in block["trend"]),
    )
    return block
