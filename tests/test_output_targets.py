"""Outputs never destroy what they point at (everyday use, items 1 to 5).

Every special file here is made inside the test's temporary folder: a character device
with os.mknod (a copy of the null device's numbers, so it swallows what is written), FIFOs
with os.mkfifo, symlinks and hard links. No test touches the machine's /dev.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import EXAMPLE, FIXED_NOW, ROOT

NOW = ("--now", FIXED_NOW)


def _char_device(path: Path) -> Path:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError) as exc:
        pytest.skip(f"this platform cannot make a character device here: {exc}")
    return path


class _Reader(threading.Thread):
    """Reads a FIFO to its end, as a consumer process would."""

    def __init__(self, fifo: Path) -> None:
        super().__init__(daemon=True)
        self.fifo = fifo
        self.data = b""

    def run(self) -> None:
        with open(self.fifo, "rb") as handle:
            self.data = handle.read()


# 1. Device files, FIFOs and symlinks are written through, never replaced


def test_a_character_device_is_written_through_and_stays_a_device(run, tmp_path):
    device = _char_device(tmp_path / "null")
    result = run("check", str(EXAMPLE), "-f", f"json:{device}", *NOW)
    assert result.exit_code == 1, result.stderr
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_fifo_receives_the_report_and_stays_a_fifo(run, tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    reader = _Reader(fifo)
    reader.start()
    result = run("check", str(EXAMPLE), "-f", f"json:{fifo}", *NOW)
    reader.join(timeout=30)
    assert result.exit_code == 1, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(reader.data)["tool"]["name"] == "auditor"


def test_a_symlinked_report_path_keeps_its_link(run, tmp_path):
    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    assert run("check", str(EXAMPLE), "-f", f"json:{link}", *NOW).exit_code == 1
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["generated_at"] == FIXED_NOW


def test_a_dangling_symlink_creates_its_target(run, tmp_path):
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "made.json")
    assert run("check", str(EXAMPLE), "-f", f"json:{link}", *NOW).exit_code == 1
    assert link.is_symlink() and json.loads((tmp_path / "made.json").read_text())


def test_json_dash_means_stdout(run):
    result = run("check", str(EXAMPLE), "-f", "json:-", *NOW)
    assert result.json["generated_at"] == FIXED_NOW


def test_a_descriptor_path_writes_to_that_descriptor(tmp_path):
    """`-f json:/dev/fd/N` writes to the open descriptor N, as a shell redirection does."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "auditor",
            "check",
            str(EXAMPLE),
            "-q",
            *NOW,
            "-f",
            f"json:/dev/fd/{write_end}",
            "-f",
            "text",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(write_end,),
        cwd=ROOT,
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as handle:
        report = handle.read()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert json.loads(report)["generated_at"] == FIXED_NOW
    assert out.decode().startswith("12 destinations audited")


def test_a_block_device_or_socket_is_refused_before_the_audit(run, tmp_path):
    import socket

    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        result = run("check", str(EXAMPLE), "-f", f"json:{path}")
    finally:
        server.close()
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}: is a socket")


# 2. An output never overwrites an input of the run


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    export = tmp_path / "export.json"
    export.write_bytes(EXAMPLE.read_bytes())
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "no-pubsub.yaml").write_text(
        "id: no-pubsub\ntitle: t\nseverity: low\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert: {kind: {not_equals: google-pubsub}}\nmessage: m\n"
    )
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - {rule: destination-disabled, name: web-*, reason: r, owner: o,"
        " expires: 2099-01-01}\n"
    )
    template = tmp_path / "t.j2"
    template.write_text("{{ summary.open }}\n")
    config = tmp_path / "auditor.yaml"
    config.write_text("fail_on: high\n")
    return {
        "export": export,
        "rule": rules / "no-pubsub.yaml",
        "waivers": waivers,
        "template": template,
        "config": config,
        "history": tmp_path / "h.db",
    }


def _check_args(inputs: dict[str, Path]) -> list[str]:
    return [
        "--config", str(inputs["config"]), "check", str(inputs["export"]),
        "--rules", str(inputs["rule"].parent), "--waivers", str(inputs["waivers"]),
        "--history", str(inputs["history"]), "--template", str(inputs["template"]),
        "--template-output", str(inputs["template"].parent / "t.out"), *NOW,
    ]  # fmt: skip


@pytest.mark.parametrize("victim", ["export", "rule", "waivers", "template", "config", "history"])
@pytest.mark.parametrize("via", ["path", "symlink", "hard link", "dotted path"])
def test_an_output_over_an_input_is_refused_naming_both(run, inputs, tmp_path, victim, via):
    target = inputs[victim]
    if victim == "history":  # a database from an earlier run
        assert run(*_check_args(inputs)).exit_code == 1
    before = target.read_bytes()
    if via == "symlink":
        alias = tmp_path / "alias"
        alias.symlink_to(target)
    elif via == "hard link":
        alias = tmp_path / "alias"
        os.link(target, alias)
    elif via == "dotted path":
        alias = target.parent / "." / ".." / target.parent.name / target.name
    else:
        alias = target
    result = run(*_check_args(inputs), "-f", f"markdown:{alias}")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"Error: -f markdown:{alias} would overwrite "), result.stderr
    assert str(target.name) in result.stderr
    assert target.read_bytes() == before


def test_template_output_over_the_template_is_refused(run, inputs):
    template = inputs["template"]
    result = run("check", str(inputs["export"]), "--template", str(template),
                 "--template-output", str(template))  # fmt: skip
    assert result.exit_code == 2
    assert "would overwrite" in result.stderr and "the template of this run" in result.stderr
    assert template.read_text() == "{{ summary.open }}\n"


def test_diff_and_review_refuse_an_output_over_an_input(run, inputs, tmp_path):
    export = inputs["export"]
    change = tmp_path / "change.yaml"
    change.write_bytes((EXAMPLE.parent / "change.yaml").read_bytes())
    diff = run("diff", str(export), str(EXAMPLE), "-f", f"json:{export}")
    assert diff.exit_code == 2 and "would overwrite" in diff.stderr
    review = run("review", str(export), "--change", str(change), "-f", f"markdown:{change}")
    assert review.exit_code == 2 and "the change file of this run" in review.stderr
    assert change.read_bytes() == (EXAMPLE.parent / "change.yaml").read_bytes()


def test_two_outputs_to_one_file_are_refused(run, tmp_path):
    out = tmp_path / "out"
    link = tmp_path / "link"
    link.symlink_to(out)
    result = run("check", str(EXAMPLE), "-f", f"json:{out}", "-f", f"sarif:{link}")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: -f sarif:{link} and -f json:{out} write the same")
    assert not out.exists()


def test_refreshing_the_baseline_in_place_is_allowed(run, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert run("check", str(EXAMPLE), "-f", f"json:{baseline}", *NOW).exit_code == 1
    result = run("check", str(EXAMPLE), "--baseline", str(baseline), "-f", f"json:{baseline}")
    assert result.exit_code == 0, result.stderr
    assert json.loads(baseline.read_text())["baseline"]["path"] == str(baseline)


def test_a_device_may_take_several_outputs(run, tmp_path):
    device = _char_device(tmp_path / "sink")
    result = run("check", str(EXAMPLE), "-f", f"json:{device}", "-f", f"sarif:{device}", "-q")
    assert result.exit_code == 1, result.stderr


# 3. At most one output goes to stdout


@pytest.mark.parametrize(
    "formats",
    [
        ["-f", "json", "-f", "sarif"],
        ["-f", "json:-", "-f", "text"],
        ["-f", "json:/dev/stdout", "-f", "csv"],
    ],
)
def test_two_formats_to_stdout_are_refused(run, formats):
    result = run("check", str(EXAMPLE), *formats)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "would all go to stdout" in result.stderr


def test_a_template_to_stdout_and_a_format_to_stdout_are_refused(run, inputs):
    result = run("check", str(EXAMPLE), "-f", "json", "--template", str(inputs["template"]))
    assert result.exit_code == 2 and "would all go to stdout" in result.stderr


def test_one_format_to_stdout_and_the_others_to_files_is_fine(run, tmp_path):
    result = run("check", str(EXAMPLE), "-f", "json", "-f", f"sarif:{tmp_path / 's'}", *NOW)
    assert result.exit_code == 1
    assert result.json["generated_at"] == FIXED_NOW


# 4. A closed pipe ends the run quietly


def test_a_closed_stdout_exits_quietly(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor", "check", str(EXAMPLE), "-f", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before auditor writes a byte
    _, err = proc.communicate(timeout=120)
    assert err == b""
    assert proc.returncode == 141  # 128 + SIGPIPE, as a shell reports `yes | head`


def test_a_closed_stdout_still_records_the_run(tmp_path):
    db = tmp_path / "h.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor", "check", str(EXAMPLE), "--history", str(db), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (141, b"")
    listed = subprocess.run(
        [sys.executable, "-m", "auditor", "history", "--db", str(db), "-f", "json"],
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    assert len(json.loads(listed.stdout)) == 1


# 5. Every output location is checked before the audit; history is recorded last, once


def test_a_missing_evidence_folder_fails_before_anything_is_written(run, tmp_path):
    db = tmp_path / "h.db"
    report = tmp_path / "report.json"
    pack = tmp_path / "evidence" / "2026-01-31"
    args = ["check", str(EXAMPLE), "--history", str(db), "--evidence", str(pack)]
    args += ["-f", f"json:{report}", *NOW]
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {pack}: directory ")
    assert not db.exists() and not report.exists()
    pack.parent.mkdir()
    assert run(*args).exit_code == 1
    runs = run("history", "--db", str(db), "-f", "json").json
    assert len(runs) == 1  # the retry recorded the run once


def test_an_output_inside_the_evidence_pack_is_refused(run, tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()  # an empty folder takes a pack
    result = run("check", str(EXAMPLE), "--evidence", str(pack), "-f", f"json:{pack / 'r.json'}")
    assert result.exit_code == 2
    assert "inside" in result.stderr and "--evidence" in result.stderr


def test_a_history_database_in_a_missing_folder_fails_before_the_audit(run, tmp_path):
    report = tmp_path / "report.json"
    db = tmp_path / "nowhere" / "h.db"
    result = run("check", str(EXAMPLE), "--history", str(db), "-f", f"json:{report}")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {db}: directory")
    assert not report.exists()


# Issue 21, item 10: signals, temporary files and outputs as a set


def _blocked_on_fifo(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """A check writing a report file and a FIFO nobody reads: it waits at the FIFO, with
    the report staged in a temporary file and not yet renamed."""
    report = tmp_path / "report.json"
    report.write_text("yesterday's report\n")
    fifo = tmp_path / "nobody-reads.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "auditor",
            "check",
            str(EXAMPLE),
            "-q",
            "-f",
            f"json:{report}",
            "-f",
            f"sarif:{fifo}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    for _ in range(1200):
        if any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
            return proc, report
        if proc.poll() is not None:
            break
        threading.Event().wait(0.05)
    proc.kill()
    raise AssertionError(f"auditor never staged its report: {proc.communicate()}")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_removes_its_temporary_files_and_replaces_nothing(
    tmp_path, signum, code
):
    proc, report = _blocked_on_fifo(tmp_path)
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert err.decode().startswith(f"Error: interrupted ({signal.Signals(signum).name})")
    assert report.read_text() == "yesterday's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nobody-reads.fifo", "report.json"]


def test_when_the_fifo_is_read_every_output_is_in_place(tmp_path):
    proc, report = _blocked_on_fifo(tmp_path)
    with open(tmp_path / "nobody-reads.fifo", "rb") as handle:
        sarif = json.loads(handle.read())
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert sarif["version"] == "2.1.0"
    assert json.loads(report.read_text())["tool"]["name"] == "auditor"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
