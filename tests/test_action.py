"""The GitHub Action's audit step, run for real with bash; the starter workflow; the hook.

The step's script is taken from action.yml as GitHub runs a composite `shell: bash` step
(`bash --noprofile --norc -eo pipefail`), with the inputs in its environment and this
venv's `python` and `auditor` first on PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLE, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEP = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "audit")
BASH = shutil.which("bash")


def _run_step(tmp_path: Path, **inputs: str) -> tuple[int, str, str, dict[str, str]]:
    if BASH is None:
        pytest.skip("bash is not installed")
    script = tmp_path / "step.sh"
    script.write_text(STEP["run"])
    output, summary = tmp_path / "github_output", tmp_path / "summary.md"
    output.write_text("")
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(tmp_path),
        "LD_API_KEY": "",
        "EXPORT": str(EXAMPLE),
        "RULES": "",
        "WAIVERS": "",
        "BASELINE": "",
        "FAIL_ON": "medium",
        "ARGS": "",
        "MAX_FINDINGS": ACTION["inputs"]["max-findings"]["default"],
        "SARIF": str(tmp_path / "auditor.sarif"),
        "PLAN": "",
    }
    env.update(inputs)
    proc = subprocess.run(
        [BASH, "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode(), outputs


def _rules_in_sarif(tmp_path: Path) -> set[str]:
    sarif = json.loads((tmp_path / "auditor.sarif").read_text())
    return {r["ruleId"] for r in sarif["runs"][0]["results"]}


def test_a_quoted_glob_reaches_auditor_as_a_glob(tmp_path):
    code, out, err, outputs = _run_step(
        tmp_path, FAIL_ON="never", ARGS="--hard-fail-on 'wildcard-*'"
    )
    assert code == 0, err
    assert outputs["exit-code"] == "1", err  # the wildcard rules fail, whatever --fail-on says
    assert "unknown rule" not in err
    assert "at --hard-fail-on wildcard-*" in out


def test_multi_line_args_keep_every_line(tmp_path):
    args = "--soft-fail-on '*'\n# the destination rules are reviewed elsewhere\n--ignore 'destination-*'\n--ignore unmasked-secret\n"
    _code, _, err, outputs = _run_step(tmp_path, ARGS=args)
    assert outputs["exit-code"] == "0", err
    found = _rules_in_sarif(tmp_path)
    assert found and not any(r.startswith("destination-") for r in found)
    assert "unmasked-secret" not in found


def test_args_are_never_expanded_or_run(tmp_path):
    marker = tmp_path / "ran"
    _code, _, err, outputs = _run_step(tmp_path, ARGS=f'--select "$(touch {marker})" --select `id`')
    assert outputs["exit-code"] == "2"  # unknown rules, named as given
    assert "$(touch" in err and not marker.exists()


def test_an_unbalanced_quote_is_an_error_annotation(tmp_path):
    code, _, err, outputs = _run_step(tmp_path, ARGS="--hard-fail-on 'wildcard-*")
    assert code == 2 and "exit-code" not in outputs
    assert "::error title=auditor::the args input: No closing quotation" in err


def test_rules_paths_may_be_quoted(tmp_path):
    folder = tmp_path / "my rules"
    folder.mkdir()
    (folder / "no-segment.yaml").write_text(
        "id: no-segment\ntitle: t\nseverity: low\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert: {kind: {not_equals: segment}}\nmessage: no segment\n"
    )
    _, _, err, outputs = _run_step(tmp_path, RULES=f"'{folder}'")
    assert outputs["exit-code"] == "1", err
    assert "no-segment" in _rules_in_sarif(tmp_path)


def test_the_step_summary_lists_max_findings_and_counts_the_rest(tmp_path):
    code, _, err, outputs = _run_step(tmp_path, MAX_FINDINGS="3", FAIL_ON="never")
    assert code == 0 and outputs["exit-code"] == "0", err
    summary = (tmp_path / "summary.md").read_text()
    assert "more findings not listed (`--max-findings 3`)" in summary


def test_sarif_upload_is_skipped_for_fork_pull_requests():
    upload = next(s for s in ACTION["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    condition = " ".join(upload["if"].split())
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition


# The starter workflow (`auditor init`) and the pre-commit hook


STARTER = yaml.safe_load((ROOT / "starter" / "github-workflow.yml").read_text())


def test_starter_workflow_reads_the_api_only_where_secrets_exist():
    steps = STARTER["jobs"]["audit"]["steps"]
    with_secret = [s for s in steps if "secrets." in json.dumps(s)]
    assert with_secret
    for step in with_secret:
        assert "github.event_name != 'pull_request'" in step["if"]


def test_starter_workflow_uploads_sarif_but_not_from_forks():
    job = STARTER["jobs"]["audit"]
    assert job["permissions"]["security-events"] == "write"
    upload = next(s for s in job["steps"] if "upload-sarif" in s.get("uses", ""))
    assert "head.repo.full_name == github.repository" in upload["if"]
    audits = [s for s in job["steps"] if "auditor check" in s.get("run", "")]
    sarif_paths = {re.search(r"sarif:(\S+)", s["run"]).group(1) for s in audits}
    assert sarif_paths == {upload["with"]["sarif_file"]}


def test_starter_workflow_commands_run(tmp_path, run):
    """Each `auditor check` of the starter runs as written (one output to stdout)."""
    for step in STARTER["jobs"]["audit"]["steps"]:
        text = step.get("run", "")
        if "auditor check" not in text:
            continue
        words = [w for w in text.replace("\n", " ").split() if w]
        words = [
            w.replace('"', "").replace("$GITHUB_STEP_SUMMARY", str(tmp_path / "s.md"))
            for w in words
        ]
        args = words[words.index("check") :]
        args = [str(EXAMPLE) if a == "destinations.json" else a for a in args]
        if "--api" in args:
            continue  # needs the live API: its options are checked by the other command
        os.chdir(tmp_path)
        try:
            result = run(*args)
        finally:
            os.chdir(ROOT)
        assert result.exit_code in (0, 1), result.stderr


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("exports/destinations.json", True),
        ("waivers.yaml", True),
        ("auditor.yaml", True),
        ("ci/auditor.yml", True),
        ("rules/my-rule.yaml", True),
        ("rules/my-rule.test.yaml", True),
        ("package.json", False),
        ("docs/rules.md", False),
    ],
)
def test_the_pre_commit_hook_runs_when_its_inputs_change(path, runs):
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert bool(re.search(hook["files"], path)) is runs


def test_a_plan_input_reviews_the_terraform_plan(tmp_path):
    code, out, err, outputs = _run_step(
        tmp_path,
        PLAN=str(ROOT / "examples" / "plan.json"),
        EXPORT=str(ROOT / "examples" / "account.json"),
    )
    assert code == 0 and outputs["exit-code"] == "1", err  # the plan introduces high findings
    assert "::error title=critical-export-control-unapproved (high)" in out
    assert "::warning title=auditor%3A access widened (deleteDestination)" in out
    summary = (tmp_path / "summary.md").read_text()
    assert "This plan lets team data-eng (2 members) delete 3 exports (2 in production)" in summary
    assert not (tmp_path / "auditor.sarif").exists()  # a review has no SARIF to upload
