"""The JSON diff is written as `json.dumps(indent=2, ensure_ascii=False)` writes it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.outputs.diff.report_json import dumps


@pytest.mark.parametrize(
    "document",
    [
        {"name": "événements → 東京", "on": True, "n": 3, "none": None, "list": [1, "a", []]},
        {"config": {"rate": 1e16, "ratio": 0.1, "neg": -0.0}},  # floats: the library's text
        {"big": 2**80, "text": "ü"},  # past 64 bits
        {"bad": "\ud800 lone"},  # a lone surrogate from a hostile export
        {"nested": {"a": {"b": [{"c": "d"}]}}, "empty": {}},
    ],
)
def test_the_same_text_as_the_standard_library(document: Any) -> None:
    assert dumps(document) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
