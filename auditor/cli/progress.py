"""Progress on stderr for long commands (`fetch`, `check`), only when stderr is a terminal.

When stderr is not a terminal (CI logs, a pipe, a file) nothing is shown and the progress
library (tqdm) is not even imported: a piped run costs nothing. The bar is removed when the
command ends, so it never mixes with the report or the errors.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Progress(Protocol):
    def step(self, what: str) -> None: ...

    def pages(self, pages: int, received: int) -> None: ...


class _Silent:
    def step(self, what: str) -> None:
        pass

    def pages(self, pages: int, received: int) -> None:
        pass


class _Bar:
    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def step(self, what: str) -> None:
        self.bar.set_description_str(what, refresh=False)
        self.bar.update(1)

    def pages(self, pages: int, received: int) -> None:
        self.bar.set_description_str(f"fetched {pages} page(s), {received / 1e6:.1f} MB")
        self.bar.update(1)


def enabled(quiet: bool = False) -> bool:
    try:
        return not quiet and sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False


@contextmanager
def progress(title: str, total: int | None, *, quiet: bool = False) -> Iterator[Progress]:
    """A progress bar of `total` steps (None: a counter) headed `title`, or nothing."""
    if not enabled(quiet):
        yield _Silent()
        return
    from tqdm import tqdm  # only here: start-up and piped runs never pay for it

    # mininterval=0: each step is shown (there are few; the slow ones are what they name)
    bar_options: dict[str, Any] = {"leave": False, "file": sys.stderr, "mininterval": 0}
    with tqdm(total=total, desc=title, unit="step", **bar_options) as bar:
        yield _Bar(bar)
