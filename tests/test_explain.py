"""`auditor explain FINGERPRINT INPUT`: one finding's reasoning, found by fingerprint or prefix."""

from __future__ import annotations

from collections import Counter

from conftest import EXAMPLE, destination, export


def fingerprints(run) -> dict[str, str]:
    report = run("check", str(EXAMPLE), "-f", "json").json
    return {f["fingerprint"]: f["rule_id"] for f in report["findings"]}


def test_explain_prints_rule_destination_statement_chain_and_remediation(run):
    (fingerprint,) = [
        f for f, rule in fingerprints(run).items() if rule == "production-export-can-be-disabled"
    ]
    result = run("explain", fingerprint, str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("HIGH production-export-can-be-disabled: platform-admin can turn off")
    for heading in (
        "Rule:",
        "Why it matters:",
        "Destination:",
        "Statement:",
        "How it was decided:",
        "Remediation:",
        "References:",
    ):
        assert f"\n{heading}\n" in text
    assert "  mobile-mparticle (mparticle, 6523f1c0a9e7b2d4c8f01a12) in project mobile-app" in text
    assert "  role: platform-admin\n" in text
    assert "  resources: proj/*:env/*:destination/*\n" in text
    assert (
        "  - `_access` records updateOn as allowed (/items/2/_access/allowed/3) by role "
        "`platform-admin`" in text
    )
    assert "  - This statement lets role `platform-admin` turn off 12 of 12 destinations" in text
    assert "is not scoped to project `mobile-app`" in text


def test_explain_accepts_a_unique_prefix(run):
    prints = fingerprints(run)
    counts = Counter(f[:6] for f in prints)
    fingerprint = next(f for f in prints if counts[f[:6]] == 1)
    whole = run("explain", fingerprint, str(EXAMPLE))
    short = run("explain", fingerprint[:6].upper(), str(EXAMPLE))
    assert short.exit_code == 0
    assert short.stdout == whole.stdout


def test_explain_of_a_destination_finding_has_no_statement(run):
    (fingerprint,) = [f for f, rule in fingerprints(run).items() if rule == "unmasked-secret"]
    text = run("explain", fingerprint, str(EXAMPLE)).stdout
    assert "Statement:" not in text and "How it was decided:" not in text
    assert "web-dev-segment (segment, 6523f1c0a9e7b2d4c8f01a21)" in text
    assert "EXAMPLE-write-key" not in text


def test_unknown_fingerprint_is_a_one_line_usage_error(run):
    missing = next(
        c * 8 for c in "0123456789abcdef" if not any(f.startswith(c) for f in fingerprints(run))
    )
    result = run("explain", missing, str(EXAMPLE))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"Error: no finding of {EXAMPLE} has fingerprint '{missing}'\n")


def test_an_ambiguous_prefix_is_a_usage_error(run):
    counts = Counter(f[0] for f in fingerprints(run))
    prefix, n = counts.most_common(1)[0]
    assert n > 1
    result = run("explain", prefix, str(EXAMPLE))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert (
        lines[0]
        == f"Error: {n} findings have fingerprint '{prefix}'; give one of these fingerprints:"
    )
    candidates = [line.split()[0] for line in lines[1:]]
    assert len(candidates) == n
    assert all(len(c) == 10 and c.startswith(prefix) for c in candidates)
    for candidate in candidates:  # each one listed picks exactly one finding
        assert run("explain", candidate, str(EXAMPLE)).exit_code == 0


def test_explain_with_a_custom_rule_and_a_bad_input(run, write_json, tmp_path):
    rule = tmp_path / "no-pubsub.yaml"
    rule.write_text(
        "id: no-pubsub\ntitle: Pub/Sub is not allowed\nseverity: low\nsummary: s\n"
        "rationale: r\nremediation: m\nscope: destinations\n"
        "assert: {kind: {not_equals: google-pubsub}}\nmessage: '{{ destination.name }} uses Pub/Sub'\n"
    )
    path = write_json(export(destination()))
    report = run("check", str(path), "--no-builtin-rules", "--rules", str(rule), "-f", "json")
    (finding,) = report.json["findings"]
    result = run(
        "explain", finding["fingerprint"], str(path), "--no-builtin-rules", "--rules", str(rule)
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("LOW no-pubsub: events uses Pub/Sub\n")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    assert run("explain", finding["fingerprint"], str(bad)).exit_code == 3
