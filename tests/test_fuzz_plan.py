"""Fuzzing `review --plan`: any plan document in, a documented answer out, no hidden value.

Plans are drawn as realistic plans (every action on every mapped resource type, sensitive
and unknown values) with fields deleted, retyped, made huge or deep, or given hostile text,
then perhaps cut short or given a stray byte, or as any JSON value. Whatever comes in,
`review --plan` exits 0, 1 or 2, prints no traceback, leaves each output complete or absent,
and never prints a value the plan marks sensitive.
"""

from __future__ import annotations

import json

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
        assert SENTINEL not in written + out + err
