"""auditor's files in the user's cache directory: read only when only the user could have
written them, replaced atomically, and never a reason for a run to fail or to print.

The directory is `$XDG_CACHE_HOME/auditor` (an absolute XDG_CACHE_HOME, as the XDG Base
Directory specification asks), else `~/.cache/auditor`. AUDITOR_NO_CACHE=1 turns it off.
What is read here is data for the caller to check, never code: nothing is unpickled or run.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

OFF = "AUDITOR_NO_CACHE"
"""The environment variable that turns the cache off (any value but empty or 0)."""
MAX_BYTES = 8 * 1024 * 1024
"""The largest cache file read; auditor's own are about 200 KB."""


def cache_dir() -> Path | None:
    """Where auditor's cache lives, or None when it is turned off or there is no home."""
    if os.environ.get(OFF, "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if base and os.path.isabs(base):
        return Path(base) / "auditor"
    try:
        return Path.home() / ".cache" / "auditor"
    except RuntimeError:  # no HOME and no password entry
        return None


def read(name: str) -> bytes | None:
    """The bytes of the cache file `name`, or None when it is missing, unreadable, too large,
    not a regular file, or in a directory or file that someone else owns or may write."""
    where = cache_dir()
    if where is None:
        return None
    try:
        # O_NONBLOCK: a FIFO planted under the name must not stall the run; O_NOFOLLOW: nor
        # may a link lead elsewhere.
        fd = os.open(where / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        if not (_private(info) and _private(os.stat(where))):
            return None
        with os.fdopen(os.dup(fd), "rb") as file:
            return file.read(MAX_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def write(name: str, data: bytes) -> None:
    """Replace the cache file `name` with `data` at once; any failure leaves things as they
    were (a read-only or missing home, a full disk) and is not reported."""
    where = cache_dir()
    if where is None:
        return
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.stat(where)):
            return
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(tmp, where / name)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if not isinstance(exc, OSError):
            raise


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else: what it holds is the user's own."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
