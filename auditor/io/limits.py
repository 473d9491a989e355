"""The limits on what auditor reads: the export's size, written as `50MB`, and the counts of
destinations and statements it allows; and how long a shown string may be."""

from __future__ import annotations

import re

DEFAULT_MAX_INPUT_SIZE = 50_000_000
"""50 MB: two and a half times a very large account's export (10,000 destinations, 20 MB).

Within the limits it sets, auditor's peak memory stays under 250 MB + 10 times the input +
44 times the size limit (about 2.5 GB at the default), what a CI runner holds (a hosted
GitHub runner has 7 GB or more): tests/test_memory_bounds.py checks it under
`resource.setrlimit`. Raising it raises the count limits below in proportion.
"""
BYTES_PER_DESTINATION = 2_000
"""The size limit allows one destination per this many bytes of it (25,000 at 50 MB), about
what a real destination takes (the benchmarks' realistic export: 1,970 bytes)."""
BYTES_PER_STATEMENT = 625
"""... and one distinct policy statement per this many bytes (80,000 at 50 MB; real exports
take about 740 bytes per statement). Each statement costs memory for every finding it
makes, however few bytes it takes in the export."""
SHOWN_LIMIT = 1000
"""Characters of a name, kind or config value a report shows; the rest is cut, and marked."""


def destination_limit(max_size: int) -> int:
    return max(max_size // BYTES_PER_DESTINATION, 1)


def statement_limit(max_size: int) -> int:
    return max(max_size // BYTES_PER_STATEMENT, 1)


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
