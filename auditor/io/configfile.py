"""Find the config file (this folder, then its parents up to the repository root), and keep
the paths it gives inside its own folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import UsageError
from auditor.io import fsprobe
from auditor.io.paths import CONFIG_NAMES
from auditor.io.yamlfile import YamlDoc, quoted


def search_folders(cwd: Path) -> list[Path]:
    """The working folder and its parents up to the repository root (the folder with a `.git`);
    outside a repository, the working folder alone."""
    here = cwd.resolve()
    folders = [here, *here.parents]
    for index, folder in enumerate(folders):
        if fsprobe.exists(folder / ".git"):
            return folders[: index + 1]
    return [here]


def find_config(explicit: str | None, cwd: Path) -> Path | None:
    """The config file: `explicit` (which must exist), else the first `auditor.yaml` (or
    `auditor.yml`) in `cwd` or a parent up to the repository root; both in one folder is an
    error, since which one counts would be a guess."""
    if explicit is not None:
        path = Path(explicit)
        if not fsprobe.is_file(path):
            raise UsageError(f"{explicit}: no such config file")
        return path
    for folder in search_folders(cwd):
        found = [folder / name for name in CONFIG_NAMES if fsprobe.is_file(folder / name)]
        if len(found) > 1:
            raise UsageError(
                f"{_shown(found[0], cwd)} and {_shown(found[1], cwd)}: two config files in one "
                "folder; keep one (or choose with --config)"
            )
        if found:
            return Path(_shown(found[0], cwd))
    return None


def _shown(path: Path, cwd: Path) -> str:
    """`path` relative to the working folder: `auditor.yaml`, `../../auditor.yaml`."""
    return os.path.relpath(path, cwd.resolve())


@dataclass(frozen=True, slots=True)
class Inside:
    """Resolves a config file's paths against its folder, refusing one that leaves it."""

    doc: YamlDoc
    base: Path

    def path(self, where: tuple[str | int, ...], value: str, flag: str) -> str:
        resolved = _relative(self.base, value)
        try:
            inside = Path(resolved).resolve().is_relative_to(self.base.resolve())
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL: not known inside
            inside = False
        if not inside:
            raise self.doc.error(
                where,
                f"{quoted(value)} is outside {str(self.base) or '.'!r}, the config file's "
                f"folder; paths in a config file stay inside it (give this one on the command "
                f"line: {flag})",
            )
        return resolved


def _relative(base: Path, path: str) -> str:
    return path if Path(path).is_absolute() else str(base / path)
