"""Rule authoring traps (everyday use, item 17)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli.main import cli

PROD_ONLY = """\
id: prod-only-kinesis
title: Kinesis only in production
severity: low
summary: s
rationale: r
remediation: m
scope: destinations
when: {kind: {equals: kinesis}}
assert: {environment: {equals: production}}
message: "{{ destination.name }} exports from {{ destination.environment }}"
examples:
  pass:
    - {_id: a, name: a, kind: kinesis, "on": true, project: payments, environment: production}
  fail:
    - {_id: b, name: b, kind: kinesis, "on": true, project: payments, environment: staging}
"""


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "prod-only-kinesis.yaml").write_text(PROD_ONLY)
    monkeypatch.chdir(tmp_path)
    return rules


def test_examples_may_give_project_and_environment(folder):
    result = invoke("rules", "test", "--rules", str(folder), "--no-builtin-rules")
    assert result.exit_code == 0, result.stdout
    assert "PASS  prod-only-kinesis (2 examples)" in result.stdout


def test_examples_with_project_and_environment_can_fail(folder):
    rule = folder / "prod-only-kinesis.yaml"
    rule.write_text(PROD_ONLY.replace("environment: staging}", "environment: production}"))
    result = invoke("rules", "test", "--rules", str(folder), "--no-builtin-rules")
    assert result.exit_code == 1
    assert "examples.fail[0]: expected a finding, got none" in result.stdout


def test_rules_test_dir_loads_the_rules_found_there(folder):
    (folder / "prod-only-kinesis.test.yaml").write_text(
        "rules: [prod-only-kinesis]\ninput:\n  items:\n"
        "    - {_id: d1, name: a, kind: kinesis, 'on': true, project: p, environment: staging}\n"
        "expect:\n  prod-only-kinesis: [d1]\n"
    )
    result = invoke("rules", "test", str(folder))
    assert result.exit_code == 0, result.stdout
    assert "PASS  prod-only-kinesis (2 examples)" in result.stdout
    assert f"PASS  {folder / 'prod-only-kinesis.test.yaml'}" in result.stdout


def test_rules_test_of_a_rule_file_loads_it(folder):
    result = invoke("rules", "test", str(folder / "prod-only-kinesis.yaml"), "--no-builtin-rules")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("PASS  prod-only-kinesis (2 examples)")


def test_starter_and_example_files_name_their_schema_for_editors():
    """A `yaml-language-server` line lets editors complete and check the file (item 18)."""
    import re

    from conftest import ROOT

    files = [
        "starter/auditor.yaml",
        "starter/rules/destination-name-unconventional.yaml",
        "starter/rules/destination-name-unconventional.test.yaml",
        "examples/auditor.yaml",
        "examples/waivers.yaml",
        "examples/change.yaml",
    ]
    for name in files:
        first = (ROOT / name).read_text().splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=https://\S+/schemas/(\S+)", first)
        assert match, name
        assert (ROOT / "schemas" / match.group(1)).is_file(), name
