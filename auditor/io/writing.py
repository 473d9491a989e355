"""Write a run's outputs as a set: all to temporary files, then renamed together.

Regular files are written to a temporary file beside their target, then all are renamed
into place with SIGINT and SIGTERM held back, so an interrupted run leaves every old output
or every new one. Character devices, FIFOs and open descriptors have no "beside": they are
written straight through, before the renames (a FIFO with no reader waits, and an interrupt
then replaces nothing). Every temporary file is listed in `PENDING` until it is renamed or
removed, so an exit on any path can remove what is left (`remove_pending`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import OutputError
from auditor.io.targets import STDOUT, Target, target

PENDING: set[str] = set()
"""Temporary files not yet renamed or removed."""
_HELD = {signal.SIGINT, signal.SIGTERM}


@dataclass(frozen=True, kw_only=True, slots=True)
class Output:
    """One file to write: its path, its bytes, and the mode a new file gets (None: 0666 less
    the umask); a replaced file keeps its own mode."""

    path: str
    data: bytes
    mode: int | None = None


def write_set(outputs: Sequence[Output], stdout: Callable[[bytes], None] | None = None) -> None:
    """Write every output, or (on an error or an interrupt) replace none of the files.

    `stdout` writes the output whose path is `-`; it runs with the other streams.
    """
    planned = [(o, None if o.path == STDOUT else target(o.path)) for o in outputs]
    staged: list[tuple[Target, str]] = []
    try:
        for output, where in planned:
            if where is not None and where.kind == "file":
                staged.append((where, _stage(where, output)))
        for output, where in planned:
            if where is None:
                if stdout is not None:
                    stdout(output.data)
            elif where.kind != "file":
                _write_through(where, output.data)
        with _held():
            for where, tmp in staged:
                try:
                    os.replace(tmp, where.real)
                except OSError as exc:
                    reason = exc.strerror or exc
                    raise OutputError(f"{where.path}: cannot write: {reason}") from None
                PENDING.discard(tmp)
    finally:
        for _, tmp in staged:
            _remove(tmp)


def write_file(path: str, data: str | bytes, *, mode: int | None = None) -> None:
    """Write one output (see `write_set`)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_set([Output(path=path, data=payload, mode=mode)])


def _stage(where: Target, output: Output) -> str:
    fd, tmp = temporary(Path(where.real), where.path)
    try:
        fill(fd, output.data)
        if os.path.lexists(where.real):
            os.chmod(tmp, os.stat(where.real).st_mode & 0o777)
        else:
            os.chmod(tmp, new_file_mode() if output.mode is None else output.mode)
    except OSError as exc:
        _remove(tmp)
        raise OutputError(f"{where.path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _write_through(where: Target, data: bytes) -> None:
    """Write to a device, a FIFO or an open descriptor, as it is: never replace it."""
    try:
        if where.fd is not None:
            _write_all(where.fd, data)
            return
        fd = os.open(where.real, os.O_WRONLY | os.O_NOCTTY)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"{where.path}: cannot write: {exc.strerror or exc}") from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@contextlib.contextmanager
def _held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (then they arrive as usual)."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    except (AttributeError, OSError, ValueError):  # no signal masks here: nothing to hold
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def temporary(target: Path, name: str | None = None) -> tuple[int, str]:
    """A new temporary file beside `target` (so a rename is atomic), listed in PENDING."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # a directory that takes no new files: /proc, a full disk
        raise OutputError(f"{name or target}: cannot write: {exc.strerror or exc}") from None
    PENDING.add(tmp)
    return fd, tmp


def fill(fd: int, data: bytes) -> None:
    """Write `data` through the open temporary file `fd`, to the disk, and close it."""
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def new_file_mode() -> int:
    """What `open()` would give a new file: 0666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)
    PENDING.discard(tmp)


def remove_pending() -> None:
    """Remove every temporary file still listed: the last thing an interrupted run does."""
    for tmp in list(PENDING):
        _remove(tmp)
