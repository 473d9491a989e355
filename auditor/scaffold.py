"""`auditor init`: write the starter files, or nothing at all if any of them exists."""

from __future__ import annotations

from pathlib import Path

from auditor.errors import OutputError, UsageError
from auditor.paths import starter_dir

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
    if root.exists() and not root.is_dir():
        raise UsageError(f"{directory}: not a directory")
    targets = [(root / target, starter_dir() / source) for target, source in STARTER.items()]
    for target, _ in targets:
        if target.exists() or target.is_symlink():
            raise UsageError(
                f"{target}: already exists; nothing was written",
                hint="move the file away, or run `auditor init` in another directory",
            )
    written = []
    for target, source in targets:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8") as handle:
                handle.write(source.read_text(encoding="utf-8"))
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        written.append(str(target))
    return written
