"""The limits on what auditor reads: the export's size, written as `200MB`, and its check."""

from __future__ import annotations

import re

DEFAULT_MAX_INPUT_SIZE = 200_000_000
"""200 MB: ten times a very large account's export, well within a CI runner's memory."""

_UNITS = {
    "": 1,
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMG]I?B|B)?", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in `200MB`, `1.5GB`, `512KiB` or `1000`; ValueError naming the expected form."""
    match = _SIZE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a size: write a number of bytes, or one with a unit")
    number, unit = match.groups()
    size = int(float(number) * _UNITS[(unit or "").upper()])
    if size < 1:
        raise ValueError(f"{text!r} is not a size of at least one byte")
    return size


def format_size(size: int) -> str:
    """`200 MB`, `64 KiB`, `1.5 GB` or `512 bytes`: the limit as an error message shows it."""
    units = ("GB", "GiB", "MB", "MiB", "KB", "KiB")
    for unit in units:  # a round number of some unit, as it was most likely written
        if size >= _UNITS[unit.upper()] and size % _UNITS[unit.upper()] == 0:
            return f"{size // _UNITS[unit.upper()]} {unit}"
    for unit in units[::2]:
        if size >= _UNITS[unit]:
            return f"{size / _UNITS[unit]:.1f} {unit}"
    return f"{size} byte" + ("" if size == 1 else "s")


def too_large(what: str, limit: int) -> str:
    """The one-line message for an input over `limit`."""
    return f"{what} is larger than {format_size(limit)}; raise the limit with --max-input-size"
