"""Locating JSON Pointers in the export's text: the lines SARIF regions and annotations show."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from auditor.io.locate import Positions, positions


def test_pointers_in_pretty_json():
    text = json.dumps({"items": [{"_id": "a"}, {"_id": "b", "x": [1, {"y": 2}]}]}, indent=2)
    found = positions(text, ["", "/items", "/items/1", "/items/1/x/1/y", "/items/0/_id"])
    lines = text.splitlines()
    assert found[""] == (1, 1)
    for pointer, (line, column) in found.items():
        assert lines[line - 1][column - 1] in '{["0123456789', pointer
    assert lines[found["/items/1"][0]].strip() == '"_id": "b",'
    assert lines[found["/items/1/x/1/y"][0] - 1].strip() == '"y": 2'


def test_missing_nodes_point_at_the_deepest_existing_one():
    text = '{"items": [\n  {"_id": "a"}\n]}'
    assert positions(text, ["/items/0/name"])["/items/0/name"] == (2, 3)
    assert positions(text, ["/items/7"])["/items/7"] == (1, 11)
    assert positions(text, ["/items/0/_id/deeper"])["/items/0/_id/deeper"] == (2, 11)


def test_escaped_tokens_unicode_and_duplicate_keys():
    text = '{"a/b": {"~": 1}, "é": [true], "d": 1, "d": [\n 2]}'
    found = positions(text, ["/a~1b/~0", "/é/0", "/d/0"])
    assert text[found["/a~1b/~0"][1] - 1] == "1"
    assert text[found["/é/0"][1] - 1] == "t"
    assert found["/d/0"] == (2, 2)  # the last duplicate wins, as in json.loads


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=3), children, max_size=3)
        ),
        max_leaves=12,
    ),
    st.sampled_from([None, 1, 2]),
)
def test_every_node_is_found_where_it_starts(value: object, indent: int | None):
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    expected: dict[str, object] = {}

    def walk(node: object, pointer: str) -> None:
        expected[pointer] = node
        if isinstance(node, list):
            node = dict(enumerate(node))
        if isinstance(node, dict):
            for key, child in node.items():
                token = str(key).replace("~", "~0").replace("/", "~1")
                walk(child, f"{pointer}/{token}")

    walk(value, "")
    lines = text.split("\n")
    for pointer, (line, column) in positions(text, expected).items():
        offset = sum(len(x) + 1 for x in lines[: line - 1]) + column - 1
        decoded, _ = json.JSONDecoder().raw_decode(text, offset)
        assert decoded == expected[pointer], pointer


def test_positions_are_worked_out_only_when_asked():
    lazy = Positions(b"\xff not even text", ["/items/0", "/items/0"])
    assert len(lazy) == 1 and list(lazy) == ["/items/0"]  # nothing decoded yet
    found = Positions(b'{"items": [\n  {"_id": "a"}]}', ["/items/0"])
    assert dict(found) == {"/items/0": (2, 3)}
    assert "/items/0" in found
