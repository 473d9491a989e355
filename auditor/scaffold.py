"""`auditor init`: write the starter files, or nothing at all if any of them exists."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

from auditor.errors import OutputError, UsageError
from auditor.io import fsprobe
from auditor.io.paths import starter_dir
from auditor.io.sources import create_new

STARTER: dict[str, str] = {
    "auditor.yaml": "auditor.yaml",
    "rules/destination-name-unconventional.yaml": "rules/destination-name-unconventional.yaml",
    "rules/destination-name-unconventional.test.yaml": (
        "rules/destination-name-unconventional.test.yaml"
    ),
    ".github/workflows/auditor.yml": "github-workflow.yml",
}
"""Target path in the project -> template in starter/."""


def write_starter(directory: str) -> list[str]:
    """Write the starter files into `directory`; the paths written, in order."""
    root = Path(directory)
    if fsprobe.exists(root) and not fsprobe.is_dir(root):
        raise UsageError(f"{directory}: not a directory")
    targets = [(root / target, starter_dir() / source) for target, source in STARTER.items()]
    for target, _ in targets:
        if fsprobe.exists(target) or fsprobe.is_link(target):
            raise UsageError(
                f"{target}: already exists; nothing was written",
                hint="move the file away, or run `auditor init` in another directory",
            )
    written: list[Path] = []
    made = _missing_dirs(target.parent for target, _ in targets)
    current = root
    try:
        for current in made:
            current.mkdir()
        for current, source in targets:
            create_new(current, source.read_bytes())
            written.append(current)
    except OSError as exc:  # a parent that is a file, a read-only or full disk
        _undo(written, made)
        raise OutputError(f"{current}: cannot write: {exc.strerror or exc}") from None
    except OutputError:
        _undo(written, made)
        raise
    return [str(target) for target in written]


def _missing_dirs(folders: Iterable[Path]) -> list[Path]:
    """The directories to create, parents first, each once."""
    missing: list[Path] = []
    for folder in folders:
        chain = [p for p in (folder, *folder.parents) if not fsprobe.exists(p)]
        missing += [p for p in reversed(chain) if p not in missing]
    return missing


def _undo(written: list[Path], made: list[Path]) -> None:
    """Remove what this run wrote, so a failed `init` leaves nothing behind."""
    for path in written:
        path.unlink(missing_ok=True)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()
