"""The terminal report you can focus (everyday use, items 6 to 9)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, FIXED_NOW, ROOT

NOW = ("--now", FIXED_NOW)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]


def _finding_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^ {0,2}[0-9a-f]{10} [A-Z]", line)]


# 6. -q, --compact, NEW and --new-only, --show-suppressed


def test_quiet_prints_only_the_summary_line(run):
    result = run("check", str(EXAMPLE), "-q", *NOW)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "12 destinations audited, 18 open findings (2 critical, 8 high, 2 medium, 5 low, 1 info):"
        " FAILED at --fail-on medium"
    ]


def test_quiet_keeps_errors_and_drops_warnings_and_notes(run, tmp_path):
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - {rule: destination-disabled, name: web-*, reason: r, owner: o,"
        " expires: 2026-02-02}\n"
    )
    loud = run(
        "check", str(EXAMPLE), "--waivers", str(waivers), "--history", str(tmp_path / "h"), *NOW
    )
    assert "Warning: " in loud.stderr and "recorded run 1" in loud.stderr
    quiet = run("check", str(EXAMPLE), "--waivers", str(waivers), "-q", *NOW)
    assert quiet.stderr == ""
    bad = run("check", str(tmp_path / "missing.json"), "-q")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: ")


def test_compact_is_one_line_per_finding(run):
    result = run("check", str(EXAMPLE), "--compact", *NOW)
    lines = _finding_lines(result.stdout)
    assert len(lines) == 18
    first = lines[0].split()
    assert first[1:4] == [
        "CRITICAL",
        "broad-destructive-grant",
        "mobile-app/production/mobile-mparticle:",
    ]
    assert not any(line.startswith("           - ") for line in result.stdout.splitlines())


def test_new_findings_are_marked_and_new_only_lists_only_them(run, tmp_path):
    earlier = tmp_path / "earlier.json"
    items = __import__("json").loads(EXAMPLE.read_text())
    disabled = next(i for i in items["items"] if not i["on"])
    disabled["on"] = True  # destination-disabled is not found in the earlier export
    earlier.write_text(__import__("json").dumps(items))
    baseline = tmp_path / "baseline.json"
    assert run("check", str(earlier), "-f", f"json:{baseline}", *NOW).exit_code == 1
    marked = run("check", str(EXAMPLE), "--baseline", str(baseline), *NOW)
    new = [line for line in _finding_lines(marked.stdout) if " NEW" in line]
    assert len(new) == 1 and "destination-disabled NEW:" in new[0]
    only = run("check", str(EXAMPLE), "--baseline", str(baseline), "--new-only", *NOW)
    assert _finding_lines(only.stdout) == new
    assert "not new (--new-only)" in only.stdout
    history = tmp_path / "h.db"
    run("check", str(earlier), "--history", str(history), "-q", *NOW)
    again = run(
        "check",
        str(EXAMPLE),
        "--history",
        str(history),
        "--new-only",
        "--now",
        "2026-02-01T00:00:00Z",
    )
    assert [line.split()[2] for line in _finding_lines(again.stdout)] == ["destination-disabled"]
    assert run("check", str(EXAMPLE), "--new-only").exit_code == 2


def test_suppressed_findings_are_counted_and_listed_on_request(run, tmp_path):
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - {rule: destination-disabled, name: web-*, reason: r, owner: o,"
        " expires: 2099-01-01}\n"
    )
    hidden = run("check", str(EXAMPLE), "--waivers", str(waivers), *NOW)
    assert "[waived" not in hidden.stdout
    assert "Not listed: 1 waived (--show-suppressed lists them)" in hidden.stdout
    assert ", 1 waived: FAILED" in hidden.stdout  # still counted in the summary
    shown = run("check", str(EXAMPLE), "--waivers", str(waivers), "--show-suppressed", *NOW)
    assert "Waived and baselined (1):" in shown.stdout
    assert "destination-disabled [waived by o until 2099-01-01]" in shown.stdout


# 7. Width and colour


def _in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run auditor with its stdout on a pseudo-terminal; what the terminal received."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor", *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        stdin=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.communicate(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_on_a_terminal_the_report_wraps_to_its_width_and_is_coloured():
    text = _in_terminal(["check", str(EXAMPLE), *NOW], {"COLUMNS": "80", "TERM": "xterm"})
    plain = ANSI.sub("", text)
    assert max(len(line) for line in plain.splitlines()) <= 80
    assert "\x1b[1;35mCRITICAL" in text
    assert "platform-admin can delete, turn off or repoint" in " ".join(plain.split())


@pytest.mark.parametrize(
    ("env", "flag", "colour"),
    [
        ({"NO_COLOR": "1"}, None, False),
        ({"NO_COLOR": ""}, None, True),  # no-color.org: only a non-empty value counts
        ({"TERM": "dumb"}, None, False),
        ({"NO_COLOR": "1"}, "always", True),  # the command line wins over the environment
        ({}, "never", False),
    ],
)
def test_colour_follows_color_no_color_and_term(env, flag, colour):
    args = ["check", str(EXAMPLE), *NOW] + (["--color", flag] if flag else [])
    base = {"TERM": "xterm", "NO_COLOR": ""}
    text = _in_terminal(args, {**base, **env})
    assert ("\x1b[" in text) is colour


def test_color_always_colours_a_pipe_and_never_a_file(run, tmp_path):
    piped = run("check", str(EXAMPLE), "--color", "always", *NOW)
    assert "\x1b[1;31mHIGH" in piped.stdout
    run("check", str(EXAMPLE), "--color", "always", "-o", str(tmp_path / "r.txt"))
    assert "\x1b[" not in (tmp_path / "r.txt").read_text()


def test_piped_output_is_not_wrapped(run):
    lines = run("check", str(EXAMPLE), *NOW).stdout.splitlines()
    assert max(len(line) for line in lines) > 120  # a pipe gets whole lines, for grep


# 8. The report leads with what fails the gate


def test_the_report_leads_with_what_fails_the_gate(run):
    text = run("check", str(EXAMPLE), "--fail-on", "high", *NOW).stdout
    failing, rest = text.split("Not failing the gate")
    assert "Failing the gate (10):" in failing
    severities = [line.split()[1] for line in _finding_lines(failing)]
    assert set(severities) <= {"CRITICAL", "HIGH"} and len(severities) == 10
    assert {line.split()[1] for line in _finding_lines(rest)} <= {"MEDIUM", "LOW", "INFO"}
    # destinations in order of their most severe finding; inside one, most severe first
    groups = [line for line in failing.splitlines() if " / " in line and line[0] != " "]
    assert len(groups) >= 2 and groups[0].startswith("mobile-app / production / mobile-mparticle")
    compact = run("check", str(EXAMPLE), "--fail-on", "high", "--compact", *NOW).stdout
    ordered = [line.split()[1] for line in _finding_lines(compact)]
    assert ordered == sorted(ordered, key=SEVERITIES.index)


def test_a_hard_fail_rule_leads_even_when_low(run):
    text = run("check", str(EXAMPLE), "--hard-fail-on", "unknown-destination-kind", *NOW).stdout
    failing = text.split("Not failing the gate")[0]
    assert "unknown-destination-kind" in failing


# 9. Short fingerprints, and explain without one


def test_each_finding_shows_the_short_fingerprint_explain_takes(run):
    text = run("check", str(EXAMPLE), *NOW).stdout
    report = run("check", str(EXAMPLE), "-f", "json", *NOW).json
    short = {line.split()[0] for line in _finding_lines(text)}
    assert short == {f["fingerprint"][:10] for f in report["findings"]}
    one = sorted(short)[0]
    explained = run("explain", one, str(EXAMPLE))
    assert explained.exit_code == 0 and f"fingerprint {one}" in explained.stdout


def test_explain_by_rule_and_destination(run):
    result = run(
        "explain", "--rule", "destination-disabled", "--destination", "web-segment", str(EXAMPLE)
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("MEDIUM destination-disabled: web-segment")
    by_id = run(
        "explain",
        "--rule",
        "destination-disabled",
        "--destination",
        "6523f1c0a9e7b2d4c8f01a13",
        str(EXAMPLE),
    )
    assert by_id.stdout == result.stdout


def test_explain_lists_the_candidates_when_several_match(run):
    result = run("explain", "--destination", "mobile-mparticle", str(EXAMPLE))
    assert result.exit_code == 2
    first, *candidates = result.stderr.splitlines()
    assert first.startswith("Error: ") and "destination 'mobile-mparticle'" in first
    assert len(candidates) >= 2
    assert all(
        re.match(r"^  [0-9a-f]{10} \w+ [\w-]+ on mobile-mparticle \(", c) for c in candidates
    )


def test_explain_needs_a_fingerprint_or_a_filter(run):
    result = run("explain", str(EXAMPLE))
    assert result.exit_code == 2
    assert "give a FINGERPRINT before INPUT, or pick with --rule and --destination" in result.stderr


def test_explain_uses_the_config_files_rules(run, tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "no-segment.yaml").write_text(
        "id: no-segment\ntitle: t\nseverity: low\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert: {kind: {not_equals: segment}}\nmessage: no segment\n"
    )
    (tmp_path / "auditor.yaml").write_text("rules: [rules]\n")
    monkeypatch.chdir(tmp_path)
    result = run("explain", "--rule", "no-segment", "--destination", "web-segment", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    assert Path(result.stdout.splitlines()[0]).name.startswith("LOW no-segment")
