"""Load a YAML file the user wrote, safely, keeping each node's line and column for errors.

The parsing itself is `io.yamlparse`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from auditor.errors import AuditorError, RuleError
from auditor.io.yamldoc import MAX_DEPTH as MAX_DEPTH
from auditor.io.yamldoc import MAX_NODES as MAX_NODES
from auditor.io.yamldoc import Where as Where
from auditor.io.yamldoc import YamlDoc as YamlDoc
from auditor.io.yamldoc import dotted as dotted

QUOTE_LIMIT = 40
"""Characters of a user's key or value an error message quotes: a file that is not ours
(`waivers: /etc/shadow`) must not be echoed whole through "unknown field" messages."""


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`repr` of `value`, of text at most `limit` characters long (then cut, with `...`)."""
    if not isinstance(value, str):
        text = repr(value)
        return text if len(text) <= limit else text[:limit] + "..."
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "..."


def did_you_mean(word: str, options: Iterable[str]) -> str:
    guess = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {guess[0]!r}?)" if guess else ""


def load_yaml(
    path: Path | str, *, error: type[AuditorError] = RuleError, allow_empty: bool = False
) -> YamlDoc:
    """Read and parse `path`; every failure is `error` naming the file (and line when known).

    An empty file (or one of comments only) is an error, or a document of `None` when
    `allow_empty`.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{name}: no such file") from None
    except IsADirectoryError:
        raise error(f"{name}: is a directory, expected a YAML file") from None
    except UnicodeDecodeError as exc:
        raise error(f"{name}: not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise error(f"{name}: cannot read: {exc.strerror or exc}") from None
    return parse_yaml(text, name, error=error, allow_empty=allow_empty)


def parse_yaml(
    text: str, name: str, *, error: type[AuditorError] = RuleError, allow_empty: bool = False
) -> YamlDoc:
    # PyYAML is imported only when a file is parsed: a run whose built-in files come from
    # their prebuilt data (rulebook.rulecache) and that reads no YAML of the user's never
    # loads it.
    from auditor.io.yamlparse import parse

    return parse(text, name, error=error, allow_empty=allow_empty)
