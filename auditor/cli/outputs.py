"""A command's outputs: checked against its inputs before any work, then written as a set.

Before the audit: each output path must be writable, no output may be the same file as an
input of the run (the baseline excepted: writing the new report over it is the documented
refresh), no two outputs may share a file, and at most one may go to stdout. After it: the
rendered outputs are written by `io.writing.write_set`, stdout through click, where a
closed pipe is remembered instead of raised, so the run can still record its history.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from auditor.io.targets import STDOUT, Named, check_outputs, is_stdout, target
from auditor.io.writing import Output, write_set


class Stdout:
    """Writes to stdout; `closed` once its reader has gone (`... | head`)."""

    def __init__(self) -> None:
        self.closed = False

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            self.closed = True


def role(name: str, path: str) -> str:
    """How an error names an output: `-f json:out.json`, `-f text`."""
    return f"-f {name}" if path == STDOUT else f"-f {name}:{path}"


def precheck(outputs: Sequence[Named], inputs: Iterable[Named]) -> None:
    """Refuse, before any work, every output that can never be written or would destroy."""
    check_outputs(outputs, [i for i in inputs if i.path])
    for output in outputs:
        if not is_stdout(output.path):
            target(output.path)


def rule_inputs(rule_paths: Sequence[str], builtin: bool) -> list[Named]:
    """The rule files a run reads (an output over one of them is refused)."""
    from auditor.rulebook.ruleset import rule_files

    try:
        files = rule_files(rule_paths, builtin=builtin)
    except Exception:  # a missing rule path fails later, with its own message
        return []
    return [Named(path=str(path), role="rule file") for path, _ in files]


def write(rendered: Sequence[tuple[str, str | bytes]], stdout: Stdout) -> None:
    """Write every (path, text) as one set; `-` is stdout."""
    outputs = [
        Output(path=STDOUT if is_stdout(path) else path, data=_bytes(text))
        for path, text in rendered
    ]
    write_set(outputs, stdout=stdout.write)


def _bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text
