"""Ask what a user-given path is, without raising: an unusable path is simply not there.

`Path.exists()` and friends raise on Python 3.11 for a name too long for the file system or
a directory that may not be searched; a path from a command line or a config file can be
either, and is then, for every question auditor asks of it, a path to nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def _mode(path: str | os.PathLike[str], *, follow: bool = True) -> int | None:
    try:
        return os.stat(path, follow_symlinks=follow).st_mode
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        return None


def exists(path: str | os.PathLike[str]) -> bool:
    """Whether `path` names something (following symlinks)."""
    return _mode(path) is not None


def is_dir(path: str | os.PathLike[str]) -> bool:
    mode = _mode(path)
    return mode is not None and stat.S_ISDIR(mode)


def is_file(path: str | os.PathLike[str]) -> bool:
    mode = _mode(path)
    return mode is not None and stat.S_ISREG(mode)


def is_link(path: str | os.PathLike[str]) -> bool:
    mode = _mode(path, follow=False)
    return mode is not None and stat.S_ISLNK(mode)


def entries(directory: Path) -> list[Path]:
    """The entries of `directory`, or none when it cannot be listed."""
    try:
        return list(directory.iterdir())
    except (OSError, ValueError):
        return []
