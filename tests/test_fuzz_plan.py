"""Fuzzing `review --plan`: any plan document in, a documented answer out, no hidden value.

Plans are drawn as realistic plans (every action on every mapped resource type, sensitive
and unknown values) with fields deleted, retyped, made huge or deep, or given hostile text,
then perhaps cut short or given a stray byte, or as any JSON value. Whatever comes in,
`review --plan` exits 0, 1 or 2, prints no traceback, leaves each output complete or absent,
and never prints a value the plan marks sensitive (as the mutated plan still marks it: a
mutation that deletes a mark leaves a value Terraform would show too).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from conftest import FIXED_NOW
from fuzzing import (
    assert_clean,
    assert_outputs_whole,
    fuzz,
    invoke,
    json_bytes,
    json_values,
    mutated,
    sandbox,
)
from hypothesis import event, given
from hypothesis import strategies as st
from plan_helpers import SENTINEL, account_snapshot, lifecycle_plan, role_widening_plan
from test_plan_secrets import sensitive_plan

from auditor.outputs.diff import DIFF_FORMATS

BASES = [lifecycle_plan(), role_widening_plan(), sensitive_plan()]
plans = st.one_of(
    st.sampled_from(BASES).flatmap(lambda b: mutated(b, huge=(10_000,))).flatmap(json_bytes),
    json_values.flatmap(json_bytes),
)
OUTPUTS = {f"review.{name}": name for name in DIFF_FORMATS}
SNAPSHOT = json.dumps(account_snapshot())


def _leaves(value: Any, mask: Any) -> Iterator[tuple[str, bool]]:
    """(string, marked) for every string leaf of `value`, marked when `mask` says sensitive."""
    if mask is True:
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                yield node, True
            elif isinstance(node, dict):
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, mask.get(key) if isinstance(mask, dict) else None)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            sub = mask[i] if isinstance(mask, list) and i < len(mask) else None
            yield from _leaves(item, sub)
    elif isinstance(value, str):
        yield value, False


def forbidden(data: bytes) -> set[str]:
    """The sentinel values the plan (as mutated) marks sensitive or keeps out of
    `resource_changes`, and shows nowhere unmarked: none may be printed."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return {SENTINEL} if SENTINEL.encode() in data else set()
    everywhere = {s for s, _ in _leaves(doc, None) if SENTINEL in s}
    changes = doc.get("resource_changes") if isinstance(doc, dict) else None
    shown: set[str] = set()
    for rc in changes if isinstance(changes, list) else []:
        change = rc.get("change") if isinstance(rc, dict) else None
        if not isinstance(change, dict):
            continue
        for side, mask in (("before", "before_sensitive"), ("after", "after_sensitive")):
            shown |= {s for s, marked in _leaves(change.get(side), change.get(mask)) if not marked}
    return {s for s in everywhere if not any(s in seen for seen in shown)}


@fuzz(150)
@given(plans)
def test_review_plan_answers_any_plan(data: bytes) -> None:
    with sandbox() as box:
        plan_path = str(box.write("plan.json", data))
        snapshot = str(box.write("account.json", SNAPSHOT))
        formats = [arg for out, fmt in OUTPUTS.items() for arg in ("-f", f"{fmt}:{box.path(out)}")]
        code, out, err = invoke("review", "--plan", plan_path, snapshot, "--now", FIXED_NOW,
                                *formats)  # fmt: skip
        assert_clean(code, err, frozenset({0, 1, 2}))
        event(f"review --plan exit {code}")
        assert_outputs_whole(box, OUTPUTS)
        written = "".join(
            box.path(name).read_text(encoding="utf-8")
            for name in OUTPUTS
            if box.path(name).exists()
        )
        for value in forbidden(data):
            assert value not in written + out + err
