"""Flags and config that behave the same everywhere (everyday use 10 and 11; hardening 11, 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLE, FIXED_NOW

NOW = ("--now", FIXED_NOW)


# 10. Global options before or after the command; -f/--format on every command that prints


def test_global_options_work_after_the_command(run, tmp_path):
    config = tmp_path / "team.yaml"
    config.write_text("fail_on: critical\n")
    before = run("--config", str(config), "check", str(EXAMPLE), "-q", *NOW)
    after = run("check", str(EXAMPLE), "-q", *NOW, "--config", str(config))
    assert before.stdout == after.stdout and "at --fail-on critical" in after.stdout
    nested = run("rules", "list", "--config", str(config), "--verbose")
    assert nested.exit_code == 0 and f"auditor: config file {config}" in nested.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["rules", "list", "-f", "json"],
        ["config", "show", "-f", "json"],
        ["config", "show", "--format", "json"],
    ],
)
def test_format_is_the_option_on_every_command_that_prints(run, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)


def test_history_takes_f(run, tmp_path):
    db = tmp_path / "h.db"
    run("check", str(EXAMPLE), "--history", str(db), "-q", *NOW)
    assert run("history", "--db", str(db), "-f", "json").json[0]["id"] == 1
    assert run("history", "show", "1", "--db", str(db), "-f", "json").json["run"]["id"] == 1


def test_check_o_is_f_text_path(run, tmp_path):
    out = tmp_path / "report.txt"
    result = run("check", str(EXAMPLE), "-o", str(out), *NOW)
    assert result.stdout == ""
    assert out.read_text() == run("check", str(EXAMPLE), "-f", f"text:{out}.2", *NOW).stdout or (
        out.read_text() == Path(f"{out}.2").read_text()
    )


def test_config_show_takes_the_setting_flags_of_check(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.yaml").write_text("waivers: []\n")
    result = run("config", "show", "--waivers", "w.yaml", "--baseline", "b.json", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = {row["key"]: row for row in result.json}
    assert rows["waivers"] == {"key": "waivers", "value": "w.yaml", "origin": "command line"}
    assert rows["baseline"]["value"] == "b.json"


# 11 and hardening 14. Config discovery, and paths that stay inside the config's folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "ci" / "jobs").mkdir(parents=True)
    (root / "rules").mkdir()
    (root / "rules" / "no-segment.yaml").write_text(
        "id: no-segment\ntitle: t\nseverity: low\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert: {kind: {not_equals: segment}}\nmessage: no segment\n"
    )
    return root


def test_config_is_found_in_a_parent_up_to_the_repository_root(run, repo, monkeypatch):
    (repo / "auditor.yml").write_text("rules: [rules]\nfail_on: high\n")
    monkeypatch.chdir(repo / "ci" / "jobs")
    shown = run("config", "show", "--verbose")
    assert "auditor: config file ../../auditor.yml" in shown.stderr
    assert shown.stdout.splitlines()[0].split()[:2] == ["config_file", '"../../auditor.yml"']
    report = run("check", str(EXAMPLE), "-f", "json", *NOW).json
    assert report["summary"]["fail_on"] == "high"
    assert any(f["rule_id"] == "no-segment" for f in report["findings"])


def test_discovery_stops_at_the_repository_root(run, repo, monkeypatch):
    (repo.parent / "auditor.yaml").write_text("fail_on: never\n")  # above the repository
    monkeypatch.chdir(repo / "ci")
    shown = run("config", "show", "-f", "json").json
    assert shown[0] == {"key": "config_file", "value": None, "origin": "default"}


def test_outside_a_repository_only_the_working_folder_counts(run, tmp_path, monkeypatch):
    (tmp_path / "auditor.yaml").write_text("fail_on: never\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert run("config", "show", "-f", "json").json[0]["value"] is None
    monkeypatch.chdir(tmp_path)
    assert run("config", "show", "-f", "json").json[0]["value"] == "auditor.yaml"


def test_two_config_files_in_one_folder_are_an_error(run, repo, monkeypatch):
    (repo / "auditor.yaml").write_text("fail_on: low\n")
    (repo / "auditor.yml").write_text("fail_on: high\n")
    monkeypatch.chdir(repo)
    result = run("check", str(EXAMPLE))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: auditor.yaml and auditor.yml: two config files")


@pytest.mark.parametrize(
    ("setting", "flag"),
    [
        ('outputs: ["text:../victim.txt"]', ["-f", "text"]),
        ("history: ../x.db", ["--history", "h.db"]),
        ("waivers: /etc/shadow", ["--waivers", "w.yaml"]),
        ("baseline: ../../b.json", ["--baseline", "b.json"]),
        ("rules: [../rules]", None),
    ],
)
def test_a_config_path_that_leaves_its_folder_is_an_error(run, repo, monkeypatch, setting, flag):
    report = run("check", str(EXAMPLE), "-f", "json").stdout  # before any config exists
    (repo / "ci" / "auditor.yaml").write_text(f"{setting}\n")
    monkeypatch.chdir(repo / "ci")
    result = run("check", str(EXAMPLE), "-q", *NOW)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: auditor.yaml:1:")
    assert "the config file's folder; paths in a config file stay inside it" in result.stderr
    assert not (repo / "victim.txt").exists() and not (repo / "x.db").exists()
    if flag is not None:  # the same setting given on the command line is the user's choice
        (repo / "ci" / "w.yaml").write_text("waivers: []\n")
        (repo / "ci" / "b.json").write_text(report)
        assert run("check", str(EXAMPLE), "-q", *NOW, *flag).exit_code in (0, 1)


def test_a_symlink_out_of_the_config_folder_is_outside(run, repo, tmp_path, monkeypatch):
    (repo / "out").symlink_to(tmp_path)
    (repo / "auditor.yaml").write_text('outputs: ["json:out/report.json"]\n')
    monkeypatch.chdir(repo)
    result = run("check", str(EXAMPLE))
    assert result.exit_code == 2 and "is outside" in result.stderr
    assert not (tmp_path / "report.json").exists()


def test_an_unknown_key_is_quoted_short(run, tmp_path):
    secret = tmp_path / "shadow"
    line = "root:$6$Zm9vYmFyYmF6cXV4c2VjcmV0c2FsdA$averylonghashthatmustnotbeechoedinfull:19000:0"
    secret.write_text(f"{line}: 1\n")
    result = run("check", str(EXAMPLE), "--waivers", str(secret))
    assert result.exit_code == 2
    assert "unknown field 'root:$6$Zm9vYmFyYmF6cXV4c2VjcmV0c2FsdA$a'...\n" in result.stderr
    assert "averylonghash" not in result.stderr


def test_an_unquoted_on_key_says_quote_it(run, tmp_path):
    rule = tmp_path / "on-rule.yaml"
    rule.write_text(
        "id: on-rule\ntitle: t\nseverity: low\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert: {kind: {not_equals: segment}}\nmessage: m\n"
        "examples:\n  pass:\n    - {_id: a, name: a, kind: kinesis, on: true}\n"
    )
    result = run("rules", "list", "--rules", str(rule))
    assert result.exit_code == 2
    assert 'YAML reads the unquoted key on as the boolean true; quote it: "on"' in result.stderr


def test_a_waiver_field_typo_gets_a_did_you_mean(run, tmp_path):
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - {rule: destination-disabled, destinaton: x, reason: r, owner: o,"
        " expires: 2099-01-01}\n"
    )
    result = run("check", str(EXAMPLE), "--waivers", str(waivers))
    assert result.exit_code == 2
    assert "unknown field 'destinaton' (did you mean 'destination'?)" in result.stderr


# Hardening 11: --debug changes what is printed, never the exit code


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["check", "no-such-export.json"], 2),
        (["check", "-"], 3),
        (["check", "--api", "--base-url", "http://127.0.0.1:9", "--max-retries", "0"], 4),
    ],
)
def test_debug_keeps_the_exit_code(run_process, args, code, monkeypatch):
    monkeypatch.setenv("LD_API_KEY", "api-debug-test")
    plain = run_process(*args, stdin=b"not json")
    debug = run_process("--debug", *args, stdin=b"not json")
    assert plain.exit_code == debug.exit_code == code
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().splitlines()[-1] == plain.stderr.rstrip().splitlines()[-1]
