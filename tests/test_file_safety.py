"""Every file auditor writes is written whole or not at all, and a bad path is one line.

Writers: reports (`check -f`), a user template's output, `diff` and `review` reports, API
snapshots (`fetch -o`, `check --api --save`), the history database, the evidence pack and
`init`'s scaffolding. Paths that cannot be written: one under a regular file (tests run as
root, for whom a read-only directory is writable, so this is the portable way to make a
write fail), a directory given where a file goes (or a file where a directory goes), and
/proc, a directory that takes no new files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE, FIXED_NOW
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FakeLaunchDarkly,
    destination,
    destinations,
    fake_ld_fixture,
    ok,
    truncated,
)

CHANGE = EXAMPLE.parent / "change.yaml"
Args = Callable[[str, Path], list[str]]

FILE_WRITERS: dict[str, Args] = {
    "report": lambda t, tmp: ["check", str(EXAMPLE), "-f", f"json:{t}"],
    "template": lambda t, tmp: [
        "check", str(EXAMPLE), "--template", str(tmp / "t.md.j2"), "--template-output", t,
    ],
    "diff": lambda t, tmp: ["diff", str(EXAMPLE), str(EXAMPLE), "-f", f"html:{t}"],
    "review": lambda t, tmp: ["review", "--change", str(CHANGE), str(EXAMPLE), "-f", f"markdown:{t}"],
    "fetch": lambda t, tmp: ["fetch", "-o", t],
    "save": lambda t, tmp: ["check", "--api", "--save", t, "-f", f"json:{tmp / 'ok.json'}"],
    "history": lambda t, tmp: ["check", str(EXAMPLE), "--history", t, "-f", f"json:{tmp / 'ok.json'}"],
}  # fmt: skip
DIRECTORY_WRITERS: dict[str, Args] = {
    "evidence": lambda t, tmp: ["check", str(EXAMPLE), "--evidence", t, "-f", f"json:{tmp / 'ok.json'}"],
    "init": lambda t, tmp: ["init", t],
}  # fmt: skip


@pytest.fixture
def workdir(tmp_path: Path, fake_ld: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LD_API_KEY", "api-file-safety")
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    fake_ld.script(DESTINATIONS, ok(destinations(destination())))
    (tmp_path / "file.txt").write_text("a regular file\n", encoding="utf-8")
    (tmp_path / "adir").mkdir()
    (tmp_path / "t.md.j2").write_text("{{ summary.open }} open\n", encoding="utf-8")
    return tmp_path


def _assert_one_error(result, target: str) -> None:
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {target}"), result.stderr


@pytest.mark.parametrize("writer", [*FILE_WRITERS, *DIRECTORY_WRITERS])
def test_a_path_under_a_regular_file_is_one_line_exit_2(run, workdir, writer):
    target = str(workdir / "file.txt" / "out")
    args = {**FILE_WRITERS, **DIRECTORY_WRITERS}[writer](target, workdir)
    _assert_one_error(run(*args), target)


@pytest.mark.parametrize("writer", FILE_WRITERS)
def test_a_directory_given_as_a_file_is_one_line_exit_2(run, workdir, writer):
    target = str(workdir / "adir")
    _assert_one_error(run(*FILE_WRITERS[writer](target, workdir)), target)
    assert list((workdir / "adir").iterdir()) == []


@pytest.mark.parametrize("writer", DIRECTORY_WRITERS)
def test_a_file_given_as_a_directory_is_one_line_exit_2(run, workdir, writer):
    target = str(workdir / "file.txt")
    _assert_one_error(run(*DIRECTORY_WRITERS[writer](target, workdir)), target)
    assert (workdir / "file.txt").read_text() == "a regular file\n"


@pytest.mark.parametrize("writer", [*FILE_WRITERS, *DIRECTORY_WRITERS])
def test_a_directory_that_takes_no_files_is_one_line_exit_2(run, workdir, writer):
    target = "/proc/auditor-file-safety"
    args = {**FILE_WRITERS, **DIRECTORY_WRITERS}[writer](target, workdir)
    _assert_one_error(run(*args), target)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("writer", ["report", "template", "diff", "review"])
def test_a_failed_run_leaves_the_previous_output_alone(run, workdir, writer):
    """An existing output is replaced only by a complete new one, and never by a failed run."""
    target = workdir / "out"
    target.write_text("the good report of yesterday\n", encoding="utf-8")
    bad = workdir / "bad.json"
    bad.write_text('{"items": [', encoding="utf-8")
    args = [
        str(bad) if a == str(EXAMPLE) else a for a in FILE_WRITERS[writer](str(target), workdir)
    ]
    assert run(*args).exit_code == 3
    assert target.read_text() == "the good report of yesterday\n"
    assert run(*FILE_WRITERS[writer](str(target), workdir)).exit_code in (0, 1)
    assert target.read_text() != "the good report of yesterday\n"
    assert sorted(p.name for p in workdir.iterdir() if p.name.endswith(".tmp")) == []


def test_a_failed_fetch_leaves_the_previous_snapshot_alone(run, workdir, fake_ld):
    snapshot = workdir / "snapshot.json"
    assert run("fetch", "-o", str(snapshot)).exit_code == 0
    before = _digest(snapshot)
    fake_ld.script(DESTINATIONS, truncated(destinations(destination())))
    assert run("fetch", "-o", str(snapshot), "--max-retries", "0").exit_code == 4
    assert _digest(snapshot) == before


def test_a_failed_run_does_not_touch_the_history_database(run, workdir):
    db = workdir / "history.db"
    assert run("check", str(EXAMPLE), "--history", str(db), "--now", FIXED_NOW).exit_code == 1
    before = _digest(db)
    bad = workdir / "bad.json"
    bad.write_text("[", encoding="utf-8")
    assert run("check", str(bad), "--history", str(db)).exit_code == 3
    assert _digest(db) == before


def test_a_failed_init_leaves_nothing_behind(run, workdir):
    project = workdir / "project"
    (project / ".github").mkdir(parents=True)
    (project / ".github" / "workflows").write_text("a file where a directory goes\n")
    result = run("init", str(project))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {project}/.github/workflows/auditor.yml: cannot write: Not a directory\n"
    )
    assert sorted(p.name for p in project.rglob("*")) == [".github", "workflows"]


def test_outputs_are_rendered_before_any_is_written(run, workdir):
    """A report that cannot be written fails the run before another is half-set."""
    good = workdir / "report.json"
    result = run("check", str(EXAMPLE), "-f", f"json:{good}", "-f", f"html:{workdir / 'adir'}")
    assert result.exit_code == 2
    assert not good.exists()
    assert json.loads(run("check", str(EXAMPLE), "-f", f"json:{good}").stdout or "{}") == {}
    assert json.loads(good.read_text())["tool"]["name"] == "auditor"
