"""Save a fetched destinations document atomically, with a sidecar saying where it came from."""

from __future__ import annotations

import json
import os
from pathlib import Path

from auditor import __version__
from auditor.io.client import FetchResult
from auditor.io.sources import atomic_write

SNAPSHOT_MODE = 0o600  # destination configs can hold credentials


def meta_path(path: str | os.PathLike[str]) -> Path:
    """The sidecar of a snapshot: `<path>.meta.json`."""
    target = Path(path)
    return target.with_name(target.name + ".meta.json")


def write_snapshot(path: str | os.PathLike[str], result: FetchResult) -> Path:
    """Write `result.body` byte for byte to `path` and its metadata to `<path>.meta.json`.

    Both are written atomically (see `sources.atomic_write`): on failure the previous files
    are left as they were and no temporary file remains. New files are owner-only. Returns
    the sidecar's path.
    """
    sidecar = meta_path(path)
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
    atomic_write(str(path), result.body, mode=SNAPSHOT_MODE)
    atomic_write(
        str(sidecar), json.dumps(meta, indent=2, sort_keys=True) + "\n", mode=SNAPSHOT_MODE
    )
    return sidecar
