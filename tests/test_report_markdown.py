"""The Markdown report: data can neither break its tables nor add markup; --max-findings cuts."""

from __future__ import annotations

import re

import pytest
from reporting_helpers import accept, audit, destination, export, fixture_result, rendered

from auditor.outputs.markdown import code_spans, escape_markdown

HOSTILE = (
    "a | b `c` <img src=x onerror=alert(1)> & [x](javascript:alert(1)) *y* @team\nrow2\r\nrow3"
)


def table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| ")]


def cells(row: str) -> int:
    """How many cells GitHub sees in a row: unescaped pipes, less the outer two."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a|b", "a&#124;b"),
        ("`code`", "&#96;code&#96;"),
        ("<b>&</b>", "&#60;b&#62;&#38;&#60;/b&#62;"),
        ("one\ntwo\r\nthree\rfour\u2028five", "one two three four five"),
        ("tab\there\x1b[31m", "tab here &#91;31m"),
        ("[x](javascript:alert(1))", "&#91;x&#93;(javascript:alert(1))"),
        ("*b* _i_ ~s~ \\", "&#42;b&#42; &#95;i&#95; &#126;s&#126; &#92;"),
        ("@org/team", "&#64;&#8203;org/team"),
        (
            "see https://evil.example or www.evil.example",
            "see https&#58;//evil.example or www&#46;evil.example",
        ),
        (None, ""),
        (3, "3"),
    ],
)
def test_escape_markdown_makes_text_inert(text: object, expected: str) -> None:
    assert escape_markdown(text) == expected


def test_code_spans_keep_code_and_escape_the_rest() -> None:
    assert code_spans("use `notActions` <b>") == "use `notActions` &#60;b&#62;"
    assert code_spans("a `x|y` b") == "a &#96;x&#124;y&#96; b"
    assert code_spans("odd ` tick") == "odd &#96; tick"


def test_hostile_names_and_roles_cannot_break_a_table() -> None:
    statement = {
        "effect": "allow",
        "resources": ["proj/*:env/*:destination/*"],
        "actions": ["updateOn"],
        "role_name": HOSTILE,
    }
    doc = export(
        destination(HOSTILE, "kinesis", index=1, on=False, allowed=[statement]),
        destination(HOSTILE, "s3", index=2, project="web"),
    )
    markdown = rendered("markdown", audit(doc))
    rows = table_rows(markdown)
    assert rows
    # the tables' widths: severities and controls 4, findings 5, accepted findings and
    # waivers 9, schema problems 2; a name that added a cell would make another width
    for row in rows:
        header_cells = {2, 4, 5, 9}
        assert cells(row) in header_cells, row
    assert "<img" not in markdown
    assert "](javascript" not in markdown
    assert "`c`" not in markdown
    assert "@team" not in markdown
    assert "row2" in markdown and "\nrow2" not in markdown


def test_every_details_block_is_closed() -> None:
    markdown = rendered("markdown", fixture_result())
    assert markdown.count("<details>") == markdown.count("</details>") > 0
    assert "\n\n</details>" in markdown


def test_verdict_line_and_severity_table() -> None:
    doc = export(
        destination(
            "web-segment", "segment", index=1, on=False, config={"writeKey": "k"}, allowed=[]
        )
    )
    markdown = rendered("markdown", audit(doc))
    assert markdown.startswith(
        "### ❌ Data Export audit failed\n\n**1 open finding(s) at or above medium**"
    )
    assert "| 🟠 medium | 1 | 0 | 0 |" in markdown
    waived = accept(audit(doc), "destination-disabled", "waived", {"reason": "paused"})
    markdown = rendered("markdown", waived)
    assert markdown.startswith("### ✅ Data Export audit passed")
    assert "| 🟠 medium | 0 | 1 | 0 |" in markdown
    assert "| waived | 🟠 medium | destination-disabled | web-segment |" in markdown


def many_findings() -> dict[str, object]:
    return export(
        *(destination(f"dest-{i}", "kinesis", index=i, on=False, allowed=[]) for i in range(12))
    )


@pytest.mark.parametrize(
    ("limit", "listed"), [(None, 12), (20, 12), (12, 12), (5, 5), (1, 1), (0, 0)]
)
def test_max_findings_cuts_the_listing_and_counts_the_rest(limit: int | None, listed: int) -> None:
    markdown = rendered("markdown", audit(many_findings()), max_findings=limit)
    rows = [r for r in table_rows(markdown) if r.startswith("| dest-")]
    assert len(rows) == listed
    assert "| 🟠 medium | 12 | 0 | 0 |" in markdown  # the summary always counts everything
    if listed < 12:
        assert f"_{12 - listed} more findings not listed (`--max-findings {limit}`)" in markdown
    else:
        assert "not listed" not in markdown


def test_max_findings_spends_the_budget_on_open_findings_first() -> None:
    result = fixture_result()
    markdown = rendered("markdown", result, max_findings=3)
    assert "Waived and baselined" not in markdown
    assert "_2 more findings not listed (`--max-findings 3`)" in markdown
    markdown = rendered("markdown", result, max_findings=4)
    assert "<details><summary>Waived and baselined (2)</summary>" in markdown
    assert "_1 more finding not listed (`--max-findings 4`)" in markdown


def test_empty_states() -> None:
    assert "_No destinations in this export: nothing was audited._" in rendered(
        "markdown", audit(export())
    )
    clean = export(
        destination(
            "ok", "google-pubsub", index=1, config={"project": "p", "topic": "t"}, allowed=[]
        )
    )
    markdown = rendered("markdown", audit(clean))
    assert "_No findings: every rule that was evaluated passed (18 not evaluated)._" in markdown
    assert markdown.count("<details>") == 1  # the compliance table, no findings block
