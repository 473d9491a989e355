"""One rule test file (`*.test.yaml`): an export, the findings expected on it, and the diff."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditor.engine import evaluate
from auditor.errors import InputError, SettingError
from auditor.io.yamlfile import YamlDoc, did_you_mean, load_yaml
from auditor.io.yamlschema import check_schema
from auditor.launchdarkly.document import build_document, parse_json
from auditor.launchdarkly.principals import audit_access
from auditor.models import Document, Finding, Rule
from auditor.rulebook.examples import with_links
from auditor.rulebook.ruleset import apply_overrides, compile_rule, select_rules


def run_test_file(path: Path, rules: Sequence[Rule]) -> tuple[str, ...]:
    """The located failures of the test at `path` on `rules`; RuleError when the file is bad.

    Rules run as configured, then with the test's own `params`. The world is closed among
    the rules the test runs: a finding `expect` does not list fails,
    and so does a listed finding that is not made. Findings compare by rule and destination id.
    """
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping with `input` and `expect`")
    check_schema(doc, "rule-test.schema.json")
    document = _input(doc, path.parent)
    try:
        rules = apply_overrides(rules, params=doc.data.get("params"))
    except SettingError as exc:
        raise doc.error(exc.where, exc.problem, at=exc.at) from None
    chosen = _chosen(doc, rules)
    expect: dict[str, list[str]] = doc.data["expect"]
    _check_expect(doc, expect, rules, chosen)
    found: dict[tuple[str, str], Finding] = {}
    inventory, access = audit_access(document.destinations, document.account)
    compiled = [compile_rule(r) for r in chosen]
    for finding in evaluate(compiled, document.destinations, access, inventory=inventory):
        found.setdefault((finding.rule_id, finding.destination.id), finding)
    failures = []
    for rule_id, dest_ids in expect.items():
        for index, dest_id in enumerate(dest_ids):
            if (rule_id, dest_id) not in found:
                problem = f"expected a finding on {dest_id!r}, got none"
                failures.append(str(doc.error(("expect", rule_id, index), problem)))
    for (rule_id, dest_id), finding in sorted(found.items()):
        if dest_id not in expect.get(rule_id, ()):
            problem = f"unexpected finding of {rule_id!r} on {dest_id!r}: {finding.message}"
            failures.append(str(doc.error(("expect",), problem, at=("expect", rule_id))))
    return tuple(failures)


def _input(doc: YamlDoc, base: Path) -> Document:
    value = doc.data["input"]
    if isinstance(value, str):
        file = base / value
        try:
            value = parse_json(file.read_bytes())
        except OSError as exc:
            raise doc.error(("input",), f"cannot read {file}: {exc.strerror or exc}") from None
        except InputError as exc:
            raise doc.error(("input",), f"{file}: {exc.message}") from None
    elif isinstance(value, dict) and isinstance(value.get("items"), list):
        # written inline, items may give `project` and `environment`, as examples may
        value = {**value, "items": [with_links(item) for item in value["items"]]}
    try:
        document = build_document(value)
    except InputError as exc:
        raise doc.error(("input",), exc.message) from None
    if document.problems:
        first = document.problems[0]
        if isinstance(doc.data["input"], str):
            problem = f"{base / doc.data['input']}: {first.pointer}: {first.message}"
            raise doc.error(("input",), f"not a valid export: {problem}")
        parts = [int(p) if p.isdigit() else p for p in first.pointer.split("/")[1:]]
        raise doc.error(("input", *parts), first.message)
    return document


def _chosen(doc: YamlDoc, rules: Sequence[Rule]) -> list[Rule]:
    try:
        return select_rules(rules, doc.data.get("rules", ()))
    except SettingError as exc:
        raise doc.error(("rules",), exc.problem, at=("rules", *exc.where[1:])) from None


def _check_expect(
    doc: YamlDoc, expect: dict[str, list[str]], rules: Sequence[Rule], chosen: Sequence[Rule]
) -> None:
    known = [r.id for r in rules]
    running = {r.id for r in chosen}
    for rule_id in expect:
        if rule_id not in known:
            problem = f"unknown rule {rule_id!r}{did_you_mean(rule_id, known)}"
            raise doc.error(("expect",), problem, at=("expect", rule_id))
        if rule_id not in running:
            problem = f"rule {rule_id!r} is not among the rules this test runs"
            raise doc.error(("expect",), problem, at=("expect", rule_id))
