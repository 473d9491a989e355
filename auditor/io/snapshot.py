"""Save a fetched destinations document atomically, with a sidecar saying where it came from."""

from __future__ import annotations

import json
import os
from pathlib import Path

from auditor import __version__
from auditor.io.client import FetchResult
from auditor.io.targets import target
from auditor.io.writing import Output, write_set

SNAPSHOT_MODE = 0o600  # destination configs can hold credentials


def meta_path(path: str | os.PathLike[str]) -> Path:
    """The sidecar of a snapshot: `<path>.meta.json`."""
    target = Path(path)
    return target.with_name(target.name + ".meta.json")


def write_snapshot(path: str | os.PathLike[str], result: FetchResult) -> Path | None:
    """Write `result.body` byte for byte to `path` and its metadata to `<path>.meta.json`.

    Both are written as one set (see `io.writing`): on failure the previous files are left
    as they were and no temporary file remains. New files are owner-only. Returns the
    sidecar's path; a FIFO, a device or a descriptor has no "beside", so no sidecar (None).
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
    body = Output(path=str(path), data=result.body, mode=SNAPSHOT_MODE)
    if target(str(path)).kind != "file":
        write_set([body])
        return None
    text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
    write_set([body, Output(path=str(sidecar), data=text.encode(), mode=SNAPSHOT_MODE)])
    return sidecar
