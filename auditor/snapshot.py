"""Save a fetched destinations document atomically, with a sidecar saying where it came from."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from auditor import __version__
from auditor.client import FetchResult
from auditor.errors import OutputError


def meta_path(path: str | os.PathLike[str]) -> Path:
    """The sidecar of a snapshot: `<path>.meta.json`."""
    target = Path(path)
    return target.with_name(target.name + ".meta.json")


def write_snapshot(path: str | os.PathLike[str], result: FetchResult) -> Path:
    """Write `result.body` byte for byte to `path` and its metadata to `<path>.meta.json`.

    Each file is written to a temporary file in the same directory and moved into place with
    os.replace, so a reader sees the old file or the new one, never a torn one; on failure the
    previous files are left as they were and no temporary file remains. Files are created
    owner-only (0600): destination configs can hold credentials. Returns the sidecar's path.
    """
    target = Path(path)
    sidecar = meta_path(target)
    meta = {
        "auditor_version": __version__,
        "base_url": result.base_url,
        "url": result.url,
        "fetched_at": result.fetched_at,
        "status": result.status,
        "api_version": result.api_version,
        "content_type": result.content_type,
        "pages": result.pages,
        "sha256": result.sha256,
    }
    meta_bytes = (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode("utf-8")
    _atomic_write(target, result.body)
    _atomic_write(sidecar, meta_bytes)
    return sidecar


def _atomic_write(target: Path, data: bytes) -> None:
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, before os.replace
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise OutputError(f"cannot write snapshot {target}: {exc.strerror or exc}") from exc
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise OutputError(f"cannot write snapshot {target}: {exc.strerror or exc}") from exc
