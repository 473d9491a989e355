"""The diff outputs: Markdown golden file, escaping, self-contained HTML, and no secret anywhere."""

from __future__ import annotations

import re

import pytest
from changes_helpers import AUDIT_STREAM, EXAMPLE_CHANGE, SECRET, write_change
from conftest import EXAMPLE, FIXED_NOW, destination, export

from auditor.outputs.diff import DIFF_FORMATS

HOSTILE = "a | b `c` <img src=x onerror=alert(1)> [x](javascript:alert(1)) @team\nrow2"


def review_example(run, fmt):
    return run(
        "review",
        "--change",
        str(EXAMPLE_CHANGE.relative_to(EXAMPLE.parent.parent)),
        str(EXAMPLE.relative_to(EXAMPLE.parent.parent)),
        "-f",
        fmt,
        "--now",
        FIXED_NOW,
    )


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(EXAMPLE.parent.parent)  # paths in the output as the README shows them


def test_markdown_review_of_the_example_matches_golden(run, golden, in_root):
    result = review_example(run, "markdown")
    assert result.exit_code == 1
    golden("review.md", result.stdout)


@pytest.mark.parametrize("fmt", list(DIFF_FORMATS))
def test_every_format_is_deterministic(run, fmt, in_root):
    assert review_example(run, fmt).stdout == review_example(run, fmt).stdout


def hostile_pair(write_json):
    before = export(destination(AUDIT_STREAM, name=HOSTILE))
    after = export(destination(AUDIT_STREAM, name=HOSTILE + "!", on=False))
    return str(write_json(before, "before.json")), str(write_json(after, "after.json"))


def test_markdown_escapes_destination_names(run, write_json):
    result = run("diff", *hostile_pair(write_json), "-f", "markdown")
    assert result.exit_code == 1
    assert "<img" not in result.stdout and "](javascript" not in result.stdout
    assert "@team" not in result.stdout and "row2" in result.stdout
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    for row in rows:  # no row gains a cell from a `|` in a name
        header = len(re.findall(r"(?<!\\)\|", row))
        assert header in (4, 5, 6, 7), row
    assert "a &#124; b &#96;c&#96; &#60;img" in result.stdout


def test_html_is_autoescaped_and_self_contained(run, write_json):
    result = run("diff", *hostile_pair(write_json), "-f", "html")
    html = result.stdout
    assert "<img" not in html
    assert "a | b `c` &lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "default-src 'none'" in html


def planted_pair():
    before = export(
        destination(
            "d-mparticle",
            kind="mparticle",
            config={"apiKey": "old-key", "secret": "s", "environment": "production"},
        ),
        destination("d-s3", kind="s3", config={"bucket": "old-bucket"}),
        destination("d-databricks", kind="databricks", config={"token": "old-token"}),
        destination("d-segment", kind="segment", config={"writeKey": "w"}),
    )
    after = export(
        destination(
            "d-mparticle",
            kind="mparticle",
            config={"apiKey": SECRET, "secret": "s", "environment": "development"},
        ),
        destination("d-s3", kind="s3", config={"bucket": SECRET}),
        destination("d-databricks", kind="databricks", config={"token": SECRET}),
        destination("d-segment", kind="google-pubsub", config={"project": "acme", "topic": "t"}),
    )
    return before, after


@pytest.mark.parametrize("fmt", list(DIFF_FORMATS))
def test_a_changed_secret_is_only_said_to_have_changed(run, write_json, tmp_path, fmt):
    before, after = planted_pair()
    out = tmp_path / f"out.{fmt}"
    result = run(
        "diff",
        str(write_json(before, "b.json")),
        str(write_json(after, "a.json")),
        "-f",
        f"{fmt}:{out}",
        "-f",
        fmt,
    )
    assert result.exit_code in (0, 1), result.stderr
    text = out.read_text()
    for value in (SECRET, "old-key", "old-bucket", "old-token"):
        assert value not in text + result.stdout + result.stderr, (fmt, value)
    if fmt == "github":  # annotations are about findings, not the fields that changed
        return
    assert "config.apiKey" in text and "config.bucket" in text and "config.token" in text
    assert "production" in text and "development" in text  # a non-secret field is shown


def test_the_json_diff_marks_hidden_values(run, write_json):
    before, after = planted_pair()
    report = run(
        "diff", str(write_json(before, "b.json")), str(write_json(after, "a.json")), "-f", "json"
    ).json
    fields = {
        (c["destination"]["id"], f["field"]): f for c in report["destinations"] for f in c["fields"]
    }
    assert fields[("d-mparticle", "config.apiKey")] == {
        "field": "config.apiKey",
        "change": "changed",
        "shown": False,
        "before": None,
        "after": None,
    }
    assert fields[("d-mparticle", "config.environment")]["after"] == "development"
    assert fields[("d-s3", "config.bucket")]["shown"] is False
    # segment -> pubsub: the secret writeKey went; pubsub's project is not secret
    assert fields[("d-segment", "config.writeKey")]["shown"] is False
    assert fields[("d-segment", "config.project")]["after"] == "acme"
    assert fields[("d-segment", "kind")]["after"] == "google-pubsub"


@pytest.mark.parametrize("fmt", list(DIFF_FORMATS))
def test_a_secret_in_a_post_body_appears_in_no_output(run, write_json, tmp_path, fmt):
    snapshot = write_json(export(destination(AUDIT_STREAM)))
    post = {
        "method": "POST",
        "path": "/api/v2/destinations/payments/production",
        "body": {"name": "eu", "kind": "segment", "config": {"writeKey": SECRET}, "on": True},
    }
    rotate = {
        "method": "PATCH",
        "path": "/api/v2/destinations/payments/production/new-1",
        "body": [{"op": "replace", "path": "/config/writeKey", "value": SECRET + "-2"}],
    }
    change = write_change(tmp_path, [post, rotate])
    out = tmp_path / f"out.{fmt}"
    result = run("review", "--change", str(change), str(snapshot), "-f", f"{fmt}:{out}", "-f", fmt)
    assert result.exit_code in (0, 1), result.stderr
    assert SECRET not in out.read_text() + result.stdout + result.stderr
