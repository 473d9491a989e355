"""No dead relative link in the README, CONTRIBUTING.md or docs/: files exist, #fragments are headings."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_helpers import DOCS, ROOT, anchors, dead_links, links, slug

PAGES = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    ROOT / "benchmarks" / "README.md",
    *sorted(DOCS.glob("*.md")),
]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_relative_link_resolves(page: Path) -> None:
    assert dead_links(page) == []


def test_docs_has_the_pages_the_readme_promises() -> None:
    names = {p.name for p in DOCS.glob("*.md")}
    assert {
        "README.md",
        "cli.md",
        "configuration.md",
        "rules.md",
        "writing-rules.md",
        "ci.md",
        "reviewing-changes.md",
        "periodic-audits.md",
        "reports.md",
        "limits.md",
        "api.md",
    } <= names


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("The gate: what fails a run", "the-gate-what-fails-a-run"),
        ("`config show`", "config-show"),
        ("auditor.yaml", "auditoryaml"),
        (
            "When the database or the pack cannot be written",
            "when-the-database-or-the-pack-cannot-be-written",
        ),
        ("`broad-destructive-grant`", "broad-destructive-grant"),
        ("Files auditor writes", "files-auditor-writes"),
    ],
)
def test_anchors_are_githubs(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_a_repeated_heading_gets_a_numbered_anchor() -> None:
    assert anchors("## Options\n\n## Options\n") == {"options", "options-1"}


def test_headings_and_links_in_code_are_not_counted() -> None:
    text = "````markdown\n### Not a heading\n```\n[x](nowhere.md)\n```\n````\n`[y](gone.md)`\n"
    assert anchors(text) == set()
    assert links(text) == []


def test_the_checker_reports_a_missing_file_and_a_missing_heading(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## Present\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[ok](other.md#present) [self](#page) [web](https://example.com/x.md)\n"
        "[gone](missing.md) [bad](other.md#absent) [bad-self](#nowhere)\n"
    )
    assert dead_links(page) == [
        "missing.md: no such file",
        "other.md#absent: no such heading",
        "#nowhere: no such heading",
    ]
