"""docs/writing-rules.md works as written: its files, taken verbatim, make a working rule."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from auditor.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "writing-rules.md").read_text(encoding="utf-8")
EXPORT = ROOT / "examples" / "destinations.json"
RULE = "kinesis-region-not-approved"
US_STREAM = "610addeadbeefaa86ec9a7d4"  # payments-audit-stream, us-east-1
US_REPLICA = "6523f1c0a9e7b2d4c8f01a20"  # payments-load-test-stream, us-east-1
EU_STREAM = "6523f1c0a9e7b2d4c8f01a17"  # mobile-staging-kinesis, eu-west-1


def guide_files() -> dict[str, str]:
    """The YAML blocks of the guide that start with `# file: PATH`, by PATH."""
    files = {}
    for block in re.findall(r"```yaml\n(.*?)```", GUIDE, re.DOTALL):
        first, _, body = block.partition("\n")
        if first.startswith("# file: "):
            files[first.removeprefix("# file: ")] = body
    return files


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def audit(*check_args: str, root: tuple[str, ...] = ()) -> dict[str, Any]:
    result = invoke(*root, "check", str(EXPORT), "-f", "json", *check_args)
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def flagged(data: dict[str, Any]) -> dict[str, str]:
    return {f["destination"]["id"]: f["severity"] for f in data["findings"] if f["rule_id"] == RULE}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding the guide's files, and an empty working directory beside it."""
    root = tmp_path / "project"
    for name, text in guide_files().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    return root


def test_the_guide_holds_a_rule_its_test_and_a_config() -> None:
    assert set(guide_files()) == {
        f"rules/{RULE}.yaml",
        f"rules/{RULE}.test.yaml",
        "auditor.yaml",
    }


def test_picked_up_by_the_rules_option(project: Path) -> None:
    data = audit("--rules", str(project / "rules"))
    assert flagged(data) == {EU_STREAM: "medium"}


def test_picked_up_by_the_config_file_with_its_params(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    assert flagged(audit()) == {
        US_STREAM: "high",
        US_REPLICA: "high",
    }  # EU regions approved, severity raised


def test_picked_up_by_the_config_option(project: Path) -> None:
    data = audit(root=("--config", str(project / "auditor.yaml")))
    assert flagged(data) == {US_STREAM: "high", US_REPLICA: "high"}


def test_its_examples_and_test_file_pass(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = invoke("rules", "test", "--strict")
    assert result.exit_code == 0, result.stdout
    assert f"PASS  {RULE} (4 examples)\n" in result.stdout
    assert f"PASS  rules/{RULE}.test.yaml\n" in result.stdout


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        (f"rules/{RULE}.yaml", "{in: {param", "{inn: {param"),
        (f"rules/{RULE}.yaml", "severity: medium", "severity: hihg"),
        ("auditor.yaml", "    approved_regions:", "    approved_region:"),
    ],
    ids=["unknown-operator", "bad-severity", "unknown-param"],
)
def test_the_errors_it_shows_are_the_real_ones(
    project: Path, monkeypatch: pytest.MonkeyPatch, file: str, old: str, new: str
) -> None:
    monkeypatch.chdir(project)
    path = project / file
    path.write_text(path.read_text().replace(old, new))
    result = invoke("rules", "list")
    assert result.exit_code == 2
    message = result.stderr.removeprefix("Error: ").strip()
    assert f"\n{message}\n" in GUIDE


def test_each_step_passes_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Followed in order, each step's command passes with only the files written so far."""
    files = guide_files()
    monkeypatch.chdir(tmp_path)
    steps = [
        (f"rules/{RULE}.yaml", ["rules", "test", "--rules", "rules", "--strict"]),
        (f"rules/{RULE}.test.yaml", ["rules", "test", "rules", "--strict"]),
        ("auditor.yaml", ["rules", "test", "--strict"]),
    ]
    for name, command in steps:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(files[name], encoding="utf-8")
        result = invoke(*command)
        assert result.exit_code == 0, (name, result.stdout)
        assert f"PASS  {RULE} (4 examples)" in result.stdout
    assert f"PASS  rules/{RULE}.test.yaml" in result.stdout
    assert "$ auditor rules test rules\n" in GUIDE
