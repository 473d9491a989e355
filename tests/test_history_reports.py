"""The history in the HTML and Markdown reports: trend chart, new, resolved, oldest open."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from report_browser import chromium
from reporting_helpers import audit, destination, export, rendered
from test_report_browser import IMG, Watch

from auditor.models import AuditResult
from auditor.outputs.context import build_context
from auditor.periodic.history import load_state, record
from auditor.periodic.trend import compare

PIPE = "ops | `team` *bold* <b>x</b>"


CONFIGS = {
    "kinesis": {"region": "eu-west-1", "roleArn": "r", "streamName": "s"},
    "google-pubsub": {"project": "p", "topic": "t"},
    "segment": {"userIDContextKind": "user"},
}


def _dest(name: str, kind: str, index: int, *, on: bool) -> dict:
    return destination(name, kind, index=index, on=on, config=CONFIGS[kind], allowed=[])


def nights() -> list[dict]:
    """Night 1: two disabled destinations; night 2: one fixed, two hostile-named ones off."""
    first = export(
        _dest("kept-off", "kinesis", 1, on=False), _dest("fixed", "google-pubsub", 2, on=False)
    )
    second = export(
        _dest("kept-off", "kinesis", 1, on=False),
        _dest("fixed", "google-pubsub", 2, on=True),
        _dest(IMG, "segment", 3, on=False),
        _dest(PIPE, "segment", 4, on=False),
    )
    return [first, second]


def with_history(db: Path, doc: dict, now: str) -> AuditResult:
    """The real audit of `doc` at `now`, compared with the database, then recorded."""
    result = audit(doc)
    result = replace(result, generated_at=now)
    result = replace(result, history=compare(load_state(str(db)), result))
    record(str(db), result)
    return result


@pytest.fixture(name="results")
def results_fixture(tmp_path: Path) -> list[AuditResult]:
    db = tmp_path / "history.db"
    first, second = nights()
    return [
        with_history(db, first, "2026-01-01T02:30:00Z"),
        with_history(db, second, "2026-01-04T02:30:00Z"),
    ]


def test_html_shows_the_trend_and_the_changes(results: list[AuditResult]) -> None:
    page = rendered("html", results[1])
    assert '<li><a href="#history">History</a></li>' in page
    section = page.split('<section id="history">', 1)[1].split("</section>", 1)[0]
    chart = section.split('<figure id="trend"', 1)[1].split("</figure>", 1)[0]
    titles = re.findall(r"<title>(.*?)</title>", chart)
    assert titles == [
        "run 1 · 2026-01-01T02:30:00Z · failed: 0 critical, 0 high, 2 medium, 0 low, 0 info",
        "this run · 2026-01-04T02:30:00Z · failed: 0 critical, 0 high, 3 medium, 0 low, 0 info",
    ]
    assert chart.count('class="bar medium"') == 2 + 1  # a bar per run, and the legend
    assert "Compared with run 1 of 2026-01-01T02:30:00Z" in section
    new = section.split('id="new-findings"', 1)[1].split("<h3", 1)[0]
    assert "New since run 1 (2)" in new
    assert "&lt;img src=x onerror=" in new and IMG not in page
    assert "ops | `team` *bold* &lt;b&gt;x&lt;/b&gt;" in new
    resolved = section.split('id="resolved-findings"', 1)[1].split("<h3", 1)[0]
    assert "Resolved since run 1 (1)" in resolved and ">fixed<" in resolved
    oldest = section.split('id="oldest-open"', 1)[1]
    assert ">kept-off<" in oldest and "2026-01-01" in oldest and "3 days" in oldest
    assert "onerror" not in oldest  # first seen tonight: new, not old


def test_markdown_shows_a_trend_table_and_the_changes(results: list[AuditResult]) -> None:
    text = rendered("markdown", results[1])
    history = text.split("#### 📈 History", 1)[1].split("<details><summary>🟠", 1)[0]
    rows = [line for line in history.splitlines() if line.startswith("| ") and "failed" in line]
    assert rows == [
        "| 1 | 2026-01-01T02:30:00Z | ❌ failed | 0 | 0 | 2 | 0 | 0 | 2 |",
        "| this run | 2026-01-04T02:30:00Z | ❌ failed | 0 | 0 | 3 | 0 | 0 | 3 |",
    ]
    assert "**2 new**, **1 resolved**" in history
    assert "<summary>🆕 New since run 1 (2)</summary>" in history
    assert "ops &#124; &#96;team&#96; &#42;bold&#42; &#60;b&#62;x&#60;/b&#62;" in history
    assert "<summary>✔️ Resolved since run 1 (1)</summary>" in history
    assert (
        "| 2026-01-01T02:30:00Z | 3 days | 🟠 medium | destination-disabled | kept-off |" in history
    )


def test_markdown_caps_the_history_lists_with_max_findings(results: list[AuditResult]) -> None:
    text = rendered("markdown", results[1], max_findings=1)
    new = text.split("<summary>🆕 New since run 1 (2)</summary>", 1)[1].split("</details>", 1)[0]
    assert new.count("| 🟠 medium |") == 1
    assert "_… and 1 more not listed (`--max-findings 1`)._" in new


def test_the_first_run_has_a_trend_but_nothing_to_compare(results: list[AuditResult]) -> None:
    page = rendered("html", results[0])
    assert "The first run recorded in <code>" in page
    assert 'id="new-findings"' not in page
    text = rendered("markdown", results[0])
    assert "there is no earlier run to compare with yet" in text
    assert "New since" not in text


def test_the_history_views_hold_the_same_finding_objects(results: list[AuditResult]) -> None:
    context = build_context(results[1])
    ids = {id(v) for v in context["findings"]}
    history = context["history"]
    assert history["new_findings"] and all(id(v) in ids for v in history["new_findings"])
    assert history["oldest_open"] and all(id(v) in ids for v in history["oldest_open"])
    assert all(v["age_days"] is not None for v in context["findings"])


@pytest.mark.browser
def test_html_history_in_a_browser_runs_nothing(results: list[AuditResult], tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(rendered("html", results[1]), encoding="utf-8")
    with chromium(tmp_path / "profile", viewport={"width": 1280, "height": 900}) as context:
        page = context.new_page()
        watch = Watch(page, report.as_uri())
        page.goto(report.as_uri())
        assert page.is_visible("#trend svg")
        assert page.locator("#trend svg g").count() == 2
        assert page.evaluate("window.__pwned") is None
        assert IMG in page.inner_text("#history")
        watch.assert_quiet(page)
