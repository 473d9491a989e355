"""`check --evidence DIR` and `auditor evidence verify DIR`: a pack an auditor can check."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE, FIXED_NOW, ROOT

from auditor.cli.main import cli
from auditor.io.paths import rules_dir
from auditor.launchdarkly.masking import MASKED_MARKER
from auditor.launchdarkly.redact import CLEAR_MARKER
from auditor.outputs import FORMATS
from auditor.periodic.evidence import EVIDENCE_FORMATS, scrub_argv

TOKEN = "api-0123abcd-4567-89ab-cdef-0123456789ab"
PACK_FILES = sorted(
    [
        "MANIFEST.sha256",
        "README.txt",
        "evidence.json",
        "input/destinations.json",
        *(f"rules/{p.name}" for p in rules_dir().glob("*.yaml")),
        *(f"reports/{name}" for fmt, name in EVIDENCE_FORMATS.items() if fmt in FORMATS),
    ]
)


def check(*args: str):
    return CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)


def verify(pack: Path):
    return CliRunner().invoke(cli, ["evidence", "verify", str(pack)], catch_exceptions=False)


def files_of(pack: Path) -> list[str]:
    return sorted(p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pack of the bundled example, never modified: tests work on copies."""
    pack = tmp_path_factory.mktemp("evidence") / "pack"
    result = check(str(EXAMPLE), "--now", FIXED_NOW, "--evidence", str(pack), "-f", "text:-")
    assert result.exit_code == 1, result.stderr
    return pack


@pytest.fixture
def pack(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "pack"
    shutil.copytree(pristine, copy)
    return copy


def test_the_pack_holds_inputs_rules_reports_and_a_manifest(pristine):
    assert files_of(pristine) == PACK_FILES
    meta = json.loads((pristine / "evidence.json").read_text())
    example = EXAMPLE.read_bytes()
    assert meta["source"]["sha256"] == hashlib.sha256(example).hexdigest()
    assert meta["source"]["snapshot"] == "input/destinations.json"
    assert meta["tool"]["version"] and meta["generated_at"] == FIXED_NOW
    assert meta["verdict"] == {"passed": False, "fail_on": "medium"}
    for rule in meta["rules"]:
        data = (pristine / rule["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == rule["sha256"]
        assert data == (rules_dir() / Path(rule["file"]).name).read_bytes()
    assert meta["config"] is None and meta["waivers"] is None and meta["baseline"] is None
    assert [r["format"] for r in meta["reports"]] == [f for f in EVIDENCE_FORMATS if f in FORMATS]


def test_the_reports_are_those_of_the_run(pristine, tmp_path):
    result = check(str(EXAMPLE), "--now", FIXED_NOW, "-f", f"json:{tmp_path / 'r.json'}")
    assert result.exit_code == 1
    assert (pristine / "reports" / "report.json").read_bytes() == (tmp_path / "r.json").read_bytes()


def test_the_snapshot_is_the_input_with_secrets_replaced_by_markers(pristine):
    snapshot = json.loads((pristine / "input" / "destinations.json").read_text())
    original = json.loads(EXAMPLE.read_text())
    assert [i["_id"] for i in snapshot["items"]] == [i["_id"] for i in original["items"]]
    by_id = {i["_id"]: i for i in snapshot["items"]}
    for item in original["items"]:
        kept = by_id[item["_id"]]
        assert {k: v for k, v in kept.items() if k != "config"} == {
            k: v for k, v in item.items() if k != "config"
        }
    segment = next(i for i in snapshot["items"] if i["name"] == "web-segment")
    assert segment["config"]["writeKey"] == MASKED_MARKER  # obfuscated in the export
    assert segment["config"]["userIDContextKind"] == "user"  # not secret: kept
    clear = next(i for i in snapshot["items"] if i["name"] == "web-dev-segment")
    assert clear["config"]["writeKey"] == CLEAR_MARKER  # in clear text in the export
    s3 = next(i for i in snapshot["items"] if i["kind"] == "s3")
    # an unknown kind: every field kept, none of its values
    assert s3["config"] == {"bucket": CLEAR_MARKER, "accessKey": MASKED_MARKER}


def test_verify_passes_on_a_fresh_pack(pack):
    result = verify(pack)
    assert result.exit_code == 0, result.stdout
    assert result.stdout == f"{pack}: intact, {len(PACK_FILES) - 1} files match MANIFEST.sha256\n"


def test_sha256sum_checks_the_manifest_too(pack):
    sha256sum = shutil.which("sha256sum")
    assert sha256sum is not None, "coreutils' sha256sum is needed"
    done = subprocess.run(
        [sha256sum, "--strict", "-c", "MANIFEST.sha256"], cwd=pack, capture_output=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.decode().count(": OK\n") == len(PACK_FILES) - 1


@pytest.mark.parametrize("name", PACK_FILES)
def test_one_changed_byte_anywhere_fails_naming_the_file(pristine, tmp_path, name):
    size = (pristine / name).stat().st_size
    for n, offset in enumerate(sorted({0, size // 2, size - 1})):
        pack = tmp_path / f"pack{n}"
        shutil.copytree(pristine, pack)
        data = bytearray((pack / name).read_bytes())
        data[offset] ^= 0x01
        (pack / name).write_bytes(bytes(data))
        result = verify(pack)
        assert result.exit_code == 1, (name, offset)
        assert result.stdout.startswith("FAILED ")
        assert name in result.stdout, (offset, result.stdout)
        assert "NOT intact" in result.stderr


def test_a_missing_file_fails(pack):
    (pack / "reports" / "report.html").unlink()
    result = verify(pack)
    assert result.exit_code == 1
    assert result.stdout == "FAILED reports/report.html: missing (listed in MANIFEST.sha256)\n"


def test_an_extra_file_fails(pack):
    (pack / "rules" / "sneaky.yaml").write_text("id: sneaky\n")
    result = verify(pack)
    assert result.exit_code == 1
    assert result.stdout == "FAILED rules/sneaky.yaml: not listed in MANIFEST.sha256\n"


def test_a_missing_manifest_fails(pack):
    (pack / "MANIFEST.sha256").unlink()
    result = verify(pack)
    assert result.exit_code == 1
    assert "FAILED MANIFEST.sha256: missing" in result.stdout


def test_a_manifest_cannot_point_outside_the_pack(pack, tmp_path):
    (tmp_path / "outside").write_text("x")
    digest = hashlib.sha256(b"x").hexdigest()
    with (pack / "MANIFEST.sha256").open("a") as handle:
        handle.write(f"{digest}  ../outside\n")
    result = verify(pack)
    assert result.exit_code == 1
    assert "unsafe path '../outside'" in result.stdout


def test_verify_of_no_directory_is_a_usage_error(tmp_path):
    result = verify(tmp_path / "nothing")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nothing'}: no such directory\n"


def test_a_non_empty_directory_is_refused_before_the_audit(tmp_path):
    target = tmp_path / "pack"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = check(str(EXAMPLE), "--evidence", str(target), "-f", f"json:{tmp_path / 'r.json'}")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {target}: exists and is not an empty directory; an evidence pack goes to a new "
        "(or empty) directory\n"
    )
    assert files_of(target) == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack"]  # nothing written


def test_an_empty_directory_is_used(tmp_path):
    target = tmp_path / "pack"
    target.mkdir()
    result = check(str(EXAMPLE), "--evidence", str(target), "-f", f"json:{tmp_path / 'r.json'}")
    assert result.exit_code == 1, result.stderr
    assert files_of(target) == PACK_FILES
    digest = hashlib.sha256((target / "MANIFEST.sha256").read_bytes()).hexdigest()
    assert (
        result.stderr
        == f"evidence pack written to {target} (sha256 of MANIFEST.sha256: {digest})\n"
    )


def test_a_pack_whose_folder_is_missing_is_refused_before_the_audit(tmp_path):
    target = tmp_path / "no" / "such" / "pack"
    result = check(str(EXAMPLE), "--evidence", str(target), "-f", f"json:{tmp_path / 'r.json'}")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {target}: directory {str(target.parent)!r} does not exist\n")
    assert not (tmp_path / "r.json").exists()


def test_config_and_custom_rules_are_in_the_pack(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    custom = (
        (rules_dir() / "destination-disabled.yaml")
        .read_text()
        .replace("id: destination-disabled", "id: my-rule")
    )
    (rules / "my-rule.yaml").write_text(custom)
    config = tmp_path / "auditor.yaml"
    config.write_text("rules: [rules]\nfail_on: high\n")
    target = tmp_path / "pack"
    result = CliRunner().invoke(
        cli,
        ["--config", str(config), "check", str(EXAMPLE), "--evidence", str(target), "-f", "text:-"],
    )
    assert result.exit_code == 1, result.stderr
    meta = json.loads((target / "evidence.json").read_text())
    assert meta["config"] == {
        "path": str(config),
        "sha256": hashlib.sha256(config.read_bytes()).hexdigest(),
        "file": "config/auditor.yaml",
    }
    assert (target / "config" / "auditor.yaml").read_bytes() == config.read_bytes()
    assert (target / "rules" / "my-rule.yaml").read_text() == custom
    assert verify(target).exit_code == 0


def test_the_command_line_is_recorded(run_process, tmp_path):
    target = tmp_path / "pack"
    result = run_process(
        "check", str(EXAMPLE), "--evidence", str(target), "-f", f"json:{tmp_path / 'r.json'}"
    )
    assert result.exit_code == 1, result.stderr
    meta = json.loads((target / "evidence.json").read_text())
    assert meta["command_line"][1:] == [
        "check",
        str(EXAMPLE),
        "--evidence",
        str(target),
        "-f",
        f"json:{tmp_path / 'r.json'}",
    ]


def test_the_api_token_never_reaches_the_pack(tmp_path, monkeypatch):
    secret = "hunter2-not-shaped-like-a-token"
    monkeypatch.setenv("LD_API_KEY", secret)
    target = tmp_path / "pack"
    argv = ["auditor", "check", "--api-key", "typed-by-mistake", f"--now={secret}", TOKEN]
    monkeypatch.setattr(sys, "argv", argv)
    result = check(str(EXAMPLE), "--evidence", str(target), "-f", "text:-")
    assert result.exit_code == 1, result.stderr
    meta = json.loads((target / "evidence.json").read_text())
    assert meta["command_line"] == ["auditor", "check", "--api-key", "***", "--now=***", "***"]
    for path in target.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data and TOKEN.encode() not in data, path
            assert b"typed-by-mistake" not in data, path


@pytest.mark.parametrize(
    ("argv", "scrubbed"),
    [
        (
            ["auditor", "check", "--api-key", "s3cr3t", "x"],
            ["auditor", "check", "--api-key", "***", "x"],
        ),
        (["auditor", "--api-key=s3cr3t"], ["auditor", "--api-key=***"]),
        (["auditor", "--token", "abc"], ["auditor", "--token", "***"]),
        (["auditor", "--api-key-env", "MY_TOKEN"], ["auditor", "--api-key-env", "MY_TOKEN"]),
        (["auditor", "-f", f"json:/tmp/{TOKEN}.json"], ["auditor", "-f", "json:/tmp/***.json"]),
        (["auditor", "--now", "x-my-own-token-x"], ["auditor", "--now", "x-***-x"]),
    ],
)
def test_scrub_argv(argv, scrubbed):
    assert scrub_argv(argv, secrets=["my-own-token"]) == scrubbed


def test_a_rule_without_a_file_is_listed_without_one(tmp_path):
    from dataclasses import replace

    from reporting_helpers import audit

    from auditor.models import Source
    from auditor.periodic.evidence import EvidenceRequest, pack_files

    data = EXAMPLE.read_bytes()
    result = audit(data)
    made_in_code = replace(
        result.rules[0], id="made-in-code", source="builtin:made-in-code", file_sha256=""
    )
    result = replace(result, rules=(*result.rules, made_in_code))
    source = Source(path="x", sha256=hashlib.sha256(data).hexdigest(), data=data)
    files = pack_files(
        EvidenceRequest(directory=str(tmp_path / "p"), argv=("auditor",)), result, source
    )
    listed = json.loads(files["evidence.json"])["rules"]
    entry = next(r for r in listed if r["id"] == "made-in-code")
    assert entry["source"] == "builtin:made-in-code"
    assert entry["sha256"] is None and entry["file"] is None and entry["ran"] is True
    assert not any("made-in-code" in name for name in files)


def test_the_waivers_and_baseline_applied_are_in_the_pack(tmp_path):
    waivers = ROOT / "examples" / "waivers.yaml"
    baseline = tmp_path / "baseline.json"
    first = check(str(EXAMPLE), "--now", FIXED_NOW, "-f", f"json:{baseline}")
    assert first.exit_code == 1
    target = tmp_path / "pack"
    args = ["--waivers", str(waivers), "--baseline", str(baseline), "--now", FIXED_NOW]
    result = check(str(EXAMPLE), *args, "--evidence", str(target), "-f", "text:-")
    assert result.exit_code in (0, 1), result.stderr
    meta = json.loads((target / "evidence.json").read_text())
    assert meta["waivers"]["file"] == "waivers/waivers.yaml"
    assert (target / "waivers" / "waivers.yaml").read_bytes() == waivers.read_bytes()
    assert meta["baseline"]["file"] == "baseline/baseline.json"
    assert (target / "baseline" / "baseline.json").read_bytes() == baseline.read_bytes()
    report = json.loads((target / "reports" / "report.json").read_text())
    assert {f["status"] for f in report["findings"]} >= {"waived", "baselined"}
    assert verify(target).exit_code == 0
