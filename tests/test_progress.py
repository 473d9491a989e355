"""Progress on stderr for `check` and `fetch` (everyday use 18): on a terminal only."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

from conftest import EXAMPLE, ROOT
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FakeLaunchDarkly,
    destination,
    destinations,
    fake_ld_fixture,
    ok,
)

PROBE = """
import sys
from auditor.cli.main import cli
sys.argv = ["auditor", *sys.argv[1:]]
try:
    cli()
except SystemExit:
    pass
print("tqdm loaded" if "tqdm" in sys.modules else "tqdm not loaded", file=sys.stderr)
"""


def test_a_piped_run_does_not_even_import_the_progress_library():
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "check", str(EXAMPLE), "-q"],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.stderr.decode().splitlines()[-1] == "tqdm not loaded"
    assert "auditor check" not in proc.stderr.decode()


def _stderr_on_a_terminal(args: list[str], env: dict[str, str] | None = None) -> tuple[str, bytes]:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=120)
    os.close(leader)
    return seen.decode(errors="replace"), out


def test_on_a_terminal_check_shows_progress_on_stderr_and_clears_it():
    text, out = _stderr_on_a_terminal(["check", str(EXAMPLE), "-f", "json"])
    assert "tqdm loaded" in text
    assert "auditing" in text and "writing 1 output(s)" in text
    assert out.startswith(b"{")  # the report on stdout is untouched


def _complete(env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "auditor"],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode()


def test_shell_completion_as_documented():
    """docs/cli.md: `eval "$(_AUDITOR_COMPLETE=bash_source auditor)"` (everyday use 18)."""
    script = _complete({"_AUDITOR_COMPLETE": "bash_source"})
    assert "complete -o nosort -F _auditor_completion auditor" in script
    words = {
        "_AUDITOR_COMPLETE": "bash_complete",
        "COMP_WORDS": "auditor check --co",
        "COMP_CWORD": "2",
    }
    assert set(_complete(words).split()) >= {"plain,--compact", "plain,--color", "plain,--config"}
    assert "_AUDITOR_COMPLETE=bash_source auditor" in (ROOT / "docs" / "cli.md").read_text()


def test_on_a_terminal_fetch_shows_the_pages_received(fake_ld: FakeLaunchDarkly, tmp_path):
    second = f"{DESTINATIONS}?offset=1"
    first = destinations(destination(), next_href=second)
    fake_ld.script(DESTINATIONS, ok(first))
    fake_ld.script(second, ok(destinations(destination("6523f1c0a9e7b2d4c8f01a11"))))
    env = {"LD_API_KEY": "api-progress", "LD_BASE_URL": fake_ld.base_url, "NO_PROXY": "127.0.0.1"}
    text, _ = _stderr_on_a_terminal(["fetch", "-o", str(tmp_path / "s.json")], env)
    assert "fetched 1 page(s)" in text and "fetched 2 page(s)" in text
    assert (tmp_path / "s.json").is_file()
