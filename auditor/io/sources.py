"""Read the input from a file or stdin; write files atomically (through `io.writing`)."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from auditor.errors import InputError, OutputError, UsageError
from auditor.io.limits import DEFAULT_MAX_INPUT_SIZE, too_large
from auditor.io.targets import target
from auditor.io.writing import PENDING, fill, new_file_mode, temporary, write_file
from auditor.models import Source

STDIN = "-"
CHUNK_SIZE = 1 << 20


def read_source(path: str, max_size: int = DEFAULT_MAX_INPUT_SIZE) -> Source:
    """Read the export's exact bytes from `path`, or from stdin when `path` is "-".

    At most `max_size` bytes are read: a larger regular file is refused by its size before
    any of it is read, and a pipe, stdin or device after `max_size` bytes.
    """
    if path == STDIN:
        data = _read_at_most(sys.stdin.buffer, max_size, "stdin")
        digest = hashlib.sha256(data).hexdigest()
        return Source(path="<stdin>", sha256=digest, data=data, max_size=max_size)
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
            if status.st_size > max_size:
                raise InputError(too_large(path, max_size))
            if stat.S_ISREG(status.st_mode):  # its size is known: read it whole, at once
                data = handle.read()
                if len(data) > max_size:  # it grew while we read
                    raise InputError(too_large(path, max_size))
            else:  # a pipe or a device: count what it gives
                data = _read_at_most(handle, max_size, path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, expected an export file") from None
    except NotADirectoryError:
        raise UsageError(f"{path}: no such file (a parent is not a directory)") from None
    except PermissionError:
        raise UsageError(f"{path}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return Source(path=path, sha256=hashlib.sha256(data).hexdigest(), data=data, max_size=max_size)


def _read_at_most(stream: BinaryIO, max_size: int, what: str) -> bytes:
    """Read to the end, but refuse (InputError) once past `max_size` bytes."""
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(min(CHUNK_SIZE, max_size + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_size:
            raise InputError(too_large(what, max_size))
    return b"".join(chunks)


def check_writable(path: str) -> None:
    """Fail early, before any work, when `path` can never be written (see `targets.target`)."""
    if path != STDIN:
        target(path)


def atomic_write(path: str, data: str | bytes, *, mode: int | None = None) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never a part.

    A new file gets `mode` (default: 0666 less the umask); a replaced one keeps its mode. A
    symlink keeps pointing at its file; a device or FIFO is written straight through.
    """
    write_file(path, data, mode=mode)


def create_new(path: Path, data: bytes) -> None:
    """Create `path` holding `data`, complete or not at all; never replaces an existing file.

    The bytes go to a temporary file beside it, which is then hard-linked to `path`: the
    link fails if `path` exists, and a reader never sees a partly written file.
    """
    fd, tmp = temporary(path)
    try:
        fill(fd, data)
        os.chmod(tmp, new_file_mode())
        os.link(tmp, path)
    except FileExistsError:
        raise OutputError(f"{path}: already exists") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
        PENDING.discard(tmp)
