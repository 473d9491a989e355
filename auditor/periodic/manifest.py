"""An evidence pack on disk: written atomically with its MANIFEST.sha256, and verified.

MANIFEST.sha256 lists every other file of the pack with its SHA-256, in `sha256sum` format.
`auditor evidence verify DIR` and `sha256sum -c MANIFEST.sha256` (run inside DIR) check the
same thing: every listed file is there with the listed hash. `verify` also reports files
that the manifest does not list, and anything that is not a regular file.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from auditor.errors import OutputError
from auditor.io import fsprobe

MANIFEST = "MANIFEST.sha256"
_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_text(hashes: dict[str, str]) -> str:
    """`HASH  PATH` lines, sorted by path: what `sha256sum` writes for text-mode files."""
    return "".join(f"{hashes[name]}  {name}\n" for name in sorted(hashes))


def write_tree(target: Path, files: Mapping[str, bytes]) -> str:
    """Write `files` and their manifest into a new directory `target`, atomically.

    They are written into a temporary directory beside `target`, which is renamed to it
    once complete (replacing an empty directory); returns the manifest's SHA-256.
    """
    parent = target.parent
    if not fsprobe.is_dir(parent):
        raise OutputError(f"{target}: directory {str(parent)!r} does not exist")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"{target}: cannot write the evidence pack: {exc.strerror}") from None
    try:
        hashes = {name: _write_file(staging / name, data) for name, data in files.items()}
        manifest = manifest_text(hashes).encode("utf-8")
        _write_file(staging / MANIFEST, manifest)
        umask = os.umask(0)
        os.umask(umask)
        for folder, dirs, _ in os.walk(staging):
            for name in dirs:
                os.chmod(Path(folder) / name, 0o777 & ~umask)
        os.chmod(staging, 0o777 & ~umask)
        os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        reason = exc.strerror or exc
        if fsprobe.is_dir(target) and fsprobe.entries(target):
            reason = "it appeared, not empty, while the pack was written"
        raise OutputError(f"{target}: cannot write the evidence pack: {reason}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return hashlib.sha256(manifest).hexdigest()


def _write_file(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return hashlib.sha256(data).hexdigest()


def _walk(root: Path) -> tuple[list[str], list[str]]:
    """(regular files, other entries) under `root`, as POSIX paths relative to it."""
    files: list[str] = []
    others: list[str] = []
    for folder, dirs, names in os.walk(root):
        base = Path(folder)
        for name in dirs:
            if (base / name).is_symlink():
                others.append((base / name).relative_to(root).as_posix())
        for name in names:
            path = base / name
            relative = path.relative_to(root).as_posix()
            (files if path.is_file() and not path.is_symlink() else others).append(relative)
    return sorted(files), sorted(others)


def _entries(text: str) -> tuple[dict[str, str], list[str]]:
    """The manifest's (path -> hash) and its problems: malformed lines, unsafe paths."""
    entries: dict[str, str] = {}
    problems = []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final newline
    for number, line in enumerate(lines, start=1):
        match = _LINE.fullmatch(line)
        path = PurePosixPath(match.group(2)) if match else None
        if match is None or path is None:
            problems.append(f"{MANIFEST}:{number}: malformed line")
        elif path.is_absolute() or ".." in path.parts or match.group(2) != path.as_posix():
            problems.append(f"{MANIFEST}:{number}: unsafe path {match.group(2)!r}")
        elif match.group(2) in entries or match.group(2) == MANIFEST:
            problems.append(f"{MANIFEST}:{number}: {match.group(2)} listed twice")
        else:
            entries[match.group(2)] = match.group(1)
    return entries, problems


def verify(root: Path) -> tuple[int, list[str]]:
    """(files checked, problems), each problem naming the file at fault."""
    manifest = root / MANIFEST
    if not fsprobe.is_file(manifest):
        return 0, [f"{MANIFEST}: missing"]
    try:
        text = manifest.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return 0, [f"{MANIFEST}: not UTF-8 text"]
    entries, problems = _entries(text)
    files, others = _walk(root)
    present = set(files)
    for name, expected in sorted(entries.items()):
        if name not in present:
            problems.append(f"{name}: missing (listed in {MANIFEST})")
        elif sha256_file(root / name) != expected:
            problems.append(f"{name}: SHA-256 differs from {MANIFEST}")
    for name in files:
        if name != MANIFEST and name not in entries:
            problems.append(f"{name}: not listed in {MANIFEST}")
    problems += [f"{name}: not a regular file" for name in others]
    return len(entries), problems
