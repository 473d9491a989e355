"""The JSON diff: `diff_dict` as indented JSON, for machines."""

from __future__ import annotations

import json

from auditor.changes.diff import DiffResult
from auditor.outputs.diff.context import diff_dict


def render(result: DiffResult) -> str:
    return json.dumps(diff_dict(result), indent=2, ensure_ascii=False) + "\n"
