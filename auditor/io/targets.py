"""What an output path is, and which paths must never be written: inputs, and a path twice.

A regular file (or a path that does not exist yet) is replaced atomically; a symlink's
target is replaced and the link kept; a character device or a FIFO is written straight
through; `/dev/stdout`, `/dev/fd/N` and `/proc/self/fd/N` name an open descriptor, written
as it is (the way a shell treats them). Anything else (a directory, a block device, a
socket) is an error before any work.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from auditor.errors import OutputError, UsageError

STDOUT = "-"
_DESCRIPTOR = re.compile(r"/(?:dev/fd|proc/self/fd)/([0-9]+)")
_STANDARD = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}

Kind = Literal["file", "stream", "descriptor"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """Where an output goes: `path` as given, `real` the file to replace or open."""

    path: str
    kind: Kind
    real: str = ""
    fd: int | None = None


def descriptor(path: str) -> int | None:
    """The descriptor number a path names (`/dev/stdout` is 1, `/dev/fd/3` is 3), else None."""
    if path in _STANDARD:
        return _STANDARD[path]
    match = _DESCRIPTOR.fullmatch(path)
    return int(match.group(1)) if match else None


def is_stdout(path: str) -> bool:
    """`-`, or a name of descriptor 1: where the command's own output goes."""
    return path == STDOUT or descriptor(path) == 1


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(f"{path}: too many levels of symbolic links") from None
        return None
    except ValueError:  # a NUL byte in the name
        raise OutputError(f"{path!r}: not a usable file name") from None


def target(path: str) -> Target:
    """What writing `path` means; OutputError if it can never be written."""
    fd = descriptor(path)
    if fd is not None:
        try:
            os.fstat(fd)
        except OSError:
            raise OutputError(f"{path}: descriptor {fd} is not open") from None
        return Target(path=path, kind="descriptor", fd=fd)
    real = os.path.realpath(path)
    status = _stat(real)
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise OutputError(f"{path}: is a directory, expected a file path")
    if status is not None and (stat.S_ISCHR(status.st_mode) or stat.S_ISFIFO(status.st_mode)):
        if not os.access(real, os.W_OK):
            raise OutputError(f"{path}: not writable")
        return Target(path=path, kind="stream", real=real)
    if status is not None and not stat.S_ISREG(status.st_mode):
        what = "a block device" if stat.S_ISBLK(status.st_mode) else "a socket"
        raise OutputError(
            f"{path}: is {what}; outputs go to files, FIFOs and character devices only"
        )
    parent = os.path.dirname(real) or "."
    parent_status = _stat(parent)
    if parent_status is None:
        raise OutputError(f"{path}: directory {parent!r} does not exist")
    if not stat.S_ISDIR(parent_status.st_mode):
        raise OutputError(f"{path}: {parent!r} is not a directory")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{path}: directory {parent!r} is not writable")
    return Target(path=path, kind="file", real=real)


@dataclass(frozen=True, kw_only=True, slots=True)
class Named:
    """A path the run reads or writes, with what it is (`--waivers`, `-f json`), for errors."""

    path: str
    role: str


def _identity(path: str) -> tuple[str, tuple[int, int] | None]:
    """The resolved path and, when it exists, (device, inode): a hard link shares the inode."""
    real = os.path.realpath(path)
    try:
        status = os.stat(real)
    except (OSError, ValueError):
        return real, None
    return real, (status.st_dev, status.st_ino)


def _same(a: tuple[str, tuple[int, int] | None], b: tuple[str, tuple[int, int] | None]) -> bool:
    return a[0] == b[0] or (a[1] is not None and a[1] == b[1])


def _is_device(path: str) -> bool:
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def check_outputs(outputs: Sequence[Named], inputs: Iterable[Named]) -> None:
    """Refuse (exit 2, naming both) an output over an input, two outputs to one file, and
    more than one output to stdout. A character device takes any number of outputs."""
    to_stdout = [o for o in outputs if is_stdout(o.path)]
    if len(to_stdout) > 1:
        names = " and ".join(o.role for o in to_stdout)
        raise UsageError(
            f"{names} would all go to stdout, one document after another; "
            "give all but one of them a file (NAME:PATH)"
        )
    files = [
        (o, _identity(o.path))
        for o in outputs
        if descriptor(o.path) is None and o.path != STDOUT and not _is_device(o.path)
    ]
    for index, (output, identity) in enumerate(files):
        for other, other_identity in files[:index]:
            if _same(identity, other_identity):
                raise UsageError(
                    f"{output.role} and {other.role} write the same file ({output.path}); "
                    "give each output its own path"
                )
    for source in inputs:
        if source.path == STDOUT or descriptor(source.path) is not None:
            continue
        source_identity = _identity(source.path)
        for output, identity in files:
            if _same(identity, source_identity):
                raise UsageError(
                    f"{output.role} would overwrite {source.path}, the {source.role} of this "
                    "run; write it elsewhere"
                )
