"""Fuzzing the second hardening round: secrets moved by change files and quoted by
explanations, repeated keys, template payloads and extreme numbers.

Each property is the hostile reviewer's claim turned around: a planted secret appears in no
output; a repeated key is always a schema problem at its pointer; a template that would hang
or explode is refused with its file, or renders within the caps; a number JSON cannot hold
is a clean error of the right file, never an internal one.
"""

from __future__ import annotations

import json
from typing import Any

from conftest import EXAMPLE, FIXED_NOW, destination, export
from fuzzing import (
    EXTREME_NUMBERS,
    EXTREME_YAML_NUMBERS,
    PLANTED_SECRET,
    SECRET_DESTINATIONS,
    assert_clean,
    duplicated_key,
    fuzz,
    invoke,
    operator_rules,
    sandbox,
    secret_patches,
    template_payloads,
    user_template_payloads,
)
from hypothesis import event, given
from hypothesis import strategies as st

from auditor.outputs.diff import DIFF_FORMATS

SECRET_EXPORT = export(
    *(destination(d["id"], name=f"n-{d['id']}", kind=d["kind"], config=d["config"])
      for d in SECRET_DESTINATIONS)
)  # fmt: skip
MARK = "…[cut at 2,000 characters]"


def _everything(box: Any, *texts: str) -> str:
    files = [p.read_text(encoding="utf-8", errors="replace") for p in box.root.rglob("*.out")]
    return "".join([*texts, *files])


@fuzz(30)
@given(secret_patches(), st.booleans())
def test_a_change_file_never_shows_a_planted_secret(calls: list[Any], as_yaml: bool) -> None:
    with sandbox() as box:
        snapshot = box.write("snapshot.json", json.dumps(SECRET_EXPORT))
        if as_yaml:
            import yaml

            change = box.write("change.yaml", yaml.safe_dump(calls))
        else:
            change = box.write("change.json", json.dumps(calls))
        formats = [a for fmt in DIFF_FORMATS for a in ("-f", f"{fmt}:{box.path(fmt + '.out')}")]
        code, out, err = invoke(
            "review", "--change", str(change), str(snapshot), "--now", FIXED_NOW, *formats
        )
        assert_clean(code, err, frozenset({0, 1, 2}))
        event(f"exit {code}")
        assert PLANTED_SECRET not in _everything(box, out, err)


@fuzz(25)
@given(operator_rules())
def test_explanations_never_quote_a_planted_secret(rule: dict[str, Any]) -> None:
    with sandbox() as box:
        box.path("rules").mkdir()
        box.write("rules/fuzz-operators.yaml", json.dumps(rule))
        snapshot = box.write("export.json", json.dumps(SECRET_EXPORT))
        common = ("--no-builtin-rules", "--rules", str(box.path("rules")))
        code, out, err = invoke(
            "check", str(snapshot), *common, "-f", f"json:{box.path('r.json')}", "-f", "text"
        )
        assert_clean(code, err, frozenset({0, 1, 2}))
        event(f"exit {code}")
        texts = [out, err, box.path("r.json").read_text() if code != 2 else ""]
        findings = json.loads(texts[2])["findings"] if code != 2 else []
        event(f"explained: {any(f['explanation'] for f in findings)}")
        for finding in findings[:3]:
            _, explained, explain_err = invoke(
                "explain", finding["fingerprint"], str(snapshot), *common
            )
            texts += [explained, explain_err]
        assert PLANTED_SECRET not in "".join(texts)


BASES = [json.loads(EXAMPLE.read_text(encoding="utf-8")), SECRET_EXPORT]


@fuzz(40)
@given(st.sampled_from(BASES).flatmap(duplicated_key))
def test_a_repeated_key_is_a_schema_problem_at_its_pointer(case: tuple[str, str]) -> None:
    text, pointer = case
    with sandbox() as box:
        path = box.write("export.json", text)
        code, out, err = invoke("check", str(path), "-f", "json")
        assert_clean(code, err, frozenset({3}))
        problems = json.loads(out)["schema_errors"]
        assert {"pointer": pointer, "message": _DUPLICATE} in problems, (pointer, problems)


_DUPLICATE = "the key appears more than once in its object; readers differ on which counts"


@fuzz(40)
@given(template_payloads, st.sampled_from(["destinations", "statements"]))
def test_rule_messages_are_refused_with_their_file_or_render_within_bounds(
    message: str, scope: str
) -> None:
    rule = {
        "id": "fuzz-message",
        "title": "t",
        "severity": "high",
        "summary": "s",
        "rationale": "r",
        "remediation": "m",
        "scope": scope,
        "assert": {"effect": {"equals": "never"}} if scope == "statements" else {"on": False},
        "message": message,
    }
    with sandbox() as box:
        box.path("rules").mkdir()
        rule_file = box.write("rules/fuzz-message.yaml", json.dumps(rule))
        out = box.path("r.json")
        code, _, err = invoke(
            "check", str(EXAMPLE), "--no-builtin-rules", "--rules", str(box.path("rules")),
            "-f", f"json:{out}",
        )  # fmt: skip
        assert_clean(code, err, frozenset({0, 1, 2}))
        event(f"exit {code}")
        if code == 2:
            assert f"Error: {rule_file}:" in err
            return
        for finding in json.loads(out.read_text())["findings"]:
            assert len(finding["message"]) <= 2000 + len(MARK)


@fuzz(25)
@given(user_template_payloads)
def test_user_templates_are_refused_with_their_file_or_render_within_bounds(text: str) -> None:
    with sandbox() as box:
        template = box.write("t.txt.j2", text)
        out = box.path("t.out")
        code, _, err = invoke(
            "check", str(EXAMPLE), "--template", str(template), "--template-output", str(out)
        )
        assert_clean(code, err, frozenset({0, 1, 2}))
        event(f"exit {code}")
        if code == 2:
            assert f"Error: {template}" in err


@fuzz(20)
@given(st.sampled_from(EXTREME_NUMBERS), st.sampled_from(["version", "config", "name"]))
def test_extreme_numbers_in_an_export_are_clean_errors_or_audited(number: str, where: str) -> None:
    item = destination(config={"project": "acme", "topic": "NUMBER_HERE"})
    text = json.dumps(export(item))
    if where == "version":
        text = text.replace('"version": 1', f'"version": {number}')
    elif where == "config":
        text = text.replace('"NUMBER_HERE"', number)
    else:
        text = text.replace('"name": "events"', f'"name": {number}')
    with sandbox() as box:
        path = box.write("export.json", text)
        code, _, err = invoke("check", str(path), "-f", f"json:{box.path('r.json')}")
        assert_clean(code, err, frozenset({0, 1, 3}))
        infinite = number.lstrip("-") == "1e999"
        too_long = len(number.lstrip("-")) > 4300
        if infinite or too_long:
            assert code == 3 and "input is not valid JSON" in err
        event(f"exit {code}")


@fuzz(20)
@given(st.sampled_from(EXTREME_NUMBERS + EXTREME_YAML_NUMBERS), st.booleans())
def test_extreme_numbers_in_a_change_file_blame_the_change_file(number: str, as_yaml: bool) -> None:
    call = "/api/v2/destinations/payments/production/610addeadbeefaa86ec9a7d4"
    with sandbox() as box:
        if as_yaml:
            text = (
                f"- method: PATCH\n  path: {call}\n  body:\n"
                f"    - {{op: add, path: /config/extra, value: {number}}}\n"
            )
            change = box.write("change.yaml", text)
        else:
            text = (
                f'[{{"method": "PATCH", "path": "{call}", "body": '
                f'[{{"op": "add", "path": "/config/extra", "value": {number}}}]}}]'
            )
            change = box.write("change.json", text)
        code, _, err = invoke("review", "--change", str(change), str(EXAMPLE), "-f", "json")
        assert_clean(code, err, frozenset({0, 1, 2}))
        if code == 2:
            assert f"Error: {change}" in err
        event(f"exit {code}")
