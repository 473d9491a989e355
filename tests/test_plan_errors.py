"""What is not a Terraform plan in JSON form is exit 2 with one line saying what to run."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from plan_helpers import account_snapshot, plan, role_widening_plan

SHOW = "terraform show -json"


def binary_plan() -> bytes:
    """What `terraform plan -out` writes: a zip archive holding tfplan, tfstate and tfconfig."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tfplan", b"\x0a\x03\x08\x01\x10\x02binary protobuf")
        archive.writestr("tfstate", json.dumps({"version": 4}))
        archive.writestr("tfconfig/m-/main.tf", 'resource "launchdarkly_team" "x" {}')
    return buffer.getvalue()


def with_version(version: str) -> bytes:
    return json.dumps(plan([], format_version=version)).encode()


STATE = {"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {}}}
CASES = {
    "a binary plan file": (
        binary_plan(),
        "Error: {path} is a binary Terraform plan file; review its JSON form: "
        "terraform show -json {path} > plan.json",
    ),
    "a destinations export": (
        json.dumps(account_snapshot()).encode(),
        "Error: {path} is not a Terraform plan (no format_version); expected the output of "
        "terraform show -json PLANFILE",
    ),
    "a JSON list": (
        b"[]",
        "Error: {path} is not a Terraform plan (no format_version); expected the output of "
        "terraform show -json PLANFILE",
    ),
    "a state, not a plan": (
        json.dumps(STATE).encode(),
        "Error: {path} is a Terraform state, not a plan; run terraform plan -out PLANFILE, then "
        "terraform show -json PLANFILE",
    ),
    "text that is not JSON": (
        b"Terraform will perform the following actions:\n",
        "Error: {path} is not JSON; expected the output of terraform show -json PLANFILE",
    ),
    "format_version 2.0": (
        with_version("2.0"),
        "Error: {path}: plan format_version 2.0 is not supported; auditor reads 1.x "
        "(Terraform 1.1 and later)",
    ),
    "format_version 0.2 (Terraform 0.15)": (
        with_version("0.2"),
        "Error: {path}: plan format_version 0.2 is not supported; auditor reads 1.x "
        "(Terraform 1.1 and later)",
    ),
    "an errored plan": (
        json.dumps({**plan([]), "errored": True}).encode(),
        "Error: {path}: terraform could not finish this plan (errored: true)",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_not_a_plan_is_exit_2_in_one_line(run, tmp_path, write_json, case):
    data, expected = CASES[case]
    path = tmp_path / "plan.json"
    path.write_bytes(data)
    report = tmp_path / "out.json"
    snapshot = write_json(account_snapshot(), "account.json")
    result = run("review", "--plan", str(path), str(snapshot), "-f", f"json:{report}")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [expected.format(path=path)]
    assert result.stdout == "" and not report.exists()


def test_a_supported_minor_version_is_read(run, tmp_path, write_json):
    """ "We will increment the minor version ... for backward-compatible changes" (the docs)."""
    document = {**role_widening_plan(), "format_version": "1.9", "a_future_field": {"x": 1}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    snapshot = write_json(account_snapshot(), "account.json")
    result = run("review", "--plan", str(path), str(snapshot), "-f", "json")
    assert result.exit_code == 1, result.stderr
    assert result.json["plan"]["format_version"] == "1.9"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Error: give either --change CHANGE or --plan PLAN"),
        (("--change", "c.yaml"), "Error: give either --change CHANGE or --plan PLAN"),
    ],
)
def test_change_and_plan_are_exclusive(run, tmp_path, write_json, args, message):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(role_widening_plan()))
    snapshot = write_json(account_snapshot(), "account.json")
    plan_args = () if not args else ("--plan", str(path))
    result = run("review", *args, *plan_args, str(snapshot))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [message]


def test_a_missing_plan_file(run, tmp_path, write_json):
    snapshot = write_json(account_snapshot(), "account.json")
    missing = tmp_path / "nope.json"
    result = run("review", "--plan", str(missing), str(snapshot))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: {missing}: no such file"]


def test_a_plan_larger_than_the_input_limit_is_refused(run, tmp_path, write_json):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(role_widening_plan()))
    snapshot = write_json(account_snapshot(), "account.json")
    result = run("review", "--plan", str(path), str(snapshot), "--max-input-size", "100")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}") and len(result.stderr.splitlines()) == 1
