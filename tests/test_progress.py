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


def test_on_a_terminal_check_shows_progress_on_stderr_and_clears_it():
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, "check", str(EXAMPLE), "-f", "json"],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.PIPE,
        cwd=ROOT,
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
    text = seen.decode(errors="replace")
    assert "tqdm loaded" in text
    assert "auditing" in text and "writing 1 output(s)" in text
    assert out.startswith(b"{")  # the report on stdout is untouched
