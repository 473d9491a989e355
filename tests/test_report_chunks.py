"""The JSON report is written in chunks, one per finding: the same bytes as the whole render."""

from __future__ import annotations

from dataclasses import replace

from reporting_helpers import audit, fixture_result

from auditor.models import AuditResult
from auditor.outputs import render, render_bytes


def _written(result: AuditResult) -> bytes:
    data = render_bytes("json", result)
    return b"".join(data) if isinstance(data, tuple) else data


def test_the_chunks_are_the_report() -> None:
    result = fixture_result()
    assert len(result.findings) > 1
    chunks = render_bytes("json", result)
    assert isinstance(chunks, tuple) and len(chunks) == len(result.findings) + 2
    assert _written(result) == render("json", result).encode("utf-8")


def test_a_report_without_findings_is_the_same_too() -> None:
    result = audit({"items": [], "totalCount": 0})
    assert not result.findings
    assert _written(result) == render("json", result).encode("utf-8")


def test_text_orjson_refuses_is_written_as_the_whole_render_writes_it() -> None:
    result = fixture_result()
    odd = replace(result.findings[0], message="bad \ud800 text")  # refused at input; not here
    result = replace(result, findings=(odd, *result.findings[1:]))
    assert _written(result) == render("json", result).encode("utf-8")
    assert b"bad \\ud800 text" in _written(result)
