"""The JSON diff: `diff_dict` as indented JSON, for machines."""

from __future__ import annotations

import json
from typing import Any

from auditor.changes.diff import DiffResult
from auditor.outputs.diff.context import diff_dict


def render(result: DiffResult) -> str:
    return dumps(diff_dict(result))


def dumps(document: Any) -> str:
    """`json.dumps(document, indent=2, ensure_ascii=False)`, written by orjson when that is
    the same text.

    orjson indents and escapes as the standard library does, but writes some floats
    differently (`1e16`, not `1e+16`) and refuses integers past 64 bits and lone surrogates:
    a document holding a float (config values may) or anything orjson refuses is written by
    the standard library itself.
    """
    import orjson

    if not _has_float(document):
        try:
            option = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
            return orjson.dumps(document, option=option).decode("utf-8")
        except (TypeError, orjson.JSONEncodeError):
            pass
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _has_float(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, float):
            return True
    return False
