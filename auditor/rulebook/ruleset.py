"""Load rule files, validate them against schemas/rule.schema.json, and compile them once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from auditor.engine import CompiledRule
from auditor.errors import RuleError, SettingError, UsageError
from auditor.io import fsprobe
from auditor.io.paths import rules_dir
from auditor.io.yamlfile import YamlDoc, did_you_mean, dotted, load_yaml
from auditor.io.yamlschema import check_schema, kind_of
from auditor.language.conditions import Compiled, compile_condition, uses_any
from auditor.language.vocabulary import NOTING, SKIPPING, ConditionError
from auditor.models import SEVERITY_NAMES, Rule, Severity
from auditor.rulebook.fields import check_paths
from auditor.rulebook.messages import MessageError, compile_message

RULE_SUFFIXES = (".yaml", ".yml")


def rule_files(paths: Iterable[str], *, builtin: bool = True) -> list[tuple[Path, str]]:
    """(file, source label) for every rule file: built-ins first, then user paths in order.

    A file reached twice (a directory given twice, or the built-in directory given again) is
    loaded once.
    """
    found: list[tuple[Path, str]] = []
    if builtin:
        found += [(p, f"builtin:{p.name}") for p in _yaml_files(rules_dir())]
    for raw in paths:
        path = Path(raw)
        if fsprobe.is_dir(path):
            found += [(p, str(p)) for p in _yaml_files(path)]
        elif fsprobe.is_file(path):
            found.append((path, str(path)))
        else:
            raise UsageError(f"{raw}: no such rule file or directory")
    unique: dict[Path, tuple[Path, str]] = {}
    for path, source in found:
        unique.setdefault(path.resolve(), (path, source))
    return list(unique.values())


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in fsprobe.entries(directory)
        if p.suffix in RULE_SUFFIXES and fsprobe.is_file(p) and not is_test_file(p)
    )


def is_test_file(path: Path) -> bool:
    """Whether `path` is a rule test file (`*.test.yaml`), not a rule."""
    return path.name.endswith((".test.yaml", ".test.yml"))


def load_rules(paths: Iterable[str] = (), *, builtin: bool = True) -> list[Rule]:
    """Load every rule; duplicate ids across files are an error naming both files."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path, source in rule_files(paths, builtin=builtin):
        rule, doc = _load(path, source)
        line, column = doc.locate(("id",))
        if rule.id in seen:
            raise doc.error(("id",), f"rule {rule.id!r} is already defined in {seen[rule.id]}")
        seen[rule.id] = f"{path}:{line}:{column}"
        rules.append(rule)
    return rules


def load_rule(path: Path, source: str | None = None) -> Rule:
    """Load, validate and compile-check one rule file."""
    return _load(path, source)[0]


def _load(path: Path, source: str | None) -> tuple[Rule, YamlDoc]:
    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "expected a mapping with the rule's fields")
    check_schema(doc, "rule.schema.json")
    if data["id"] != path.stem:
        raise doc.error(("id",), f"must equal the file name {path.stem!r}, got {data['id']!r}")
    examples = data.get("examples", {})
    rule = Rule(
        id=data["id"],
        title=data["title"],
        severity=Severity.parse(data["severity"]),
        summary=data["summary"],
        rationale=data["rationale"],
        remediation=data["remediation"],
        scope=data["scope"],
        when=data.get("when"),
        assert_=data["assert"],
        message=data["message"],
        source=source or str(path),
        references=tuple(data.get("references", ())),
        compliance={k: tuple(v) for k, v in data.get("compliance", {}).items()},
        tags=tuple(data.get("tags", ())),
        params=data.get("params", {}),
        examples_pass=tuple(examples.get("pass", ())),
        examples_fail=tuple(examples.get("fail", ())),
        examples_params=examples.get("params", {}),
        examples_inventory=tuple(examples.get("inventory", ())),
        file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )
    compile_rule(rule, doc=doc)  # fail at load time, naming file, line and field
    return rule, doc


def compile_rule(
    rule: Rule, params: Mapping[str, Any] | None = None, *, doc: YamlDoc | None = None
) -> CompiledRule:
    """Compile `rule` with its params (overridden by `params`)."""
    merged = {**rule.params, **(params or {})}
    try:
        when, check = _conditions(rule, merged)
    except ConditionError as exc:
        if doc is not None:
            raise doc.error(exc.where, exc.message, at=exc.at) from None
        raise RuleError(f"{rule.source}: {dotted(exc.where)}: {exc.message}") from None
    try:
        message = compile_message(rule, merged)
    except MessageError as exc:
        if doc is not None:
            raise doc.error(("message",), exc.message) from None
        raise RuleError(f"{rule.source}: message: {exc.message}") from None
    return CompiledRule(
        rule=rule,
        when=when,
        check=check,
        params=merged,
        message=message,
        explains=uses_any(rule.when, NOTING) or uses_any(rule.assert_, NOTING),
        uses_value=message.uses_value,
        skips=uses_any(rule.assert_, SKIPPING),
    )


def _conditions(rule: Rule, params: Mapping[str, Any]) -> tuple[Compiled | None, Compiled]:
    when = compile_condition(rule.when, params, ("when",)) if rule.when is not None else None
    check = compile_condition(rule.assert_, params, ("assert",))
    if rule.when is not None:
        check_paths(rule.when, rule.scope, ("when",))
    check_paths(rule.assert_, rule.scope, ("assert",))
    return when, check


def ruleset_sha256(rules: Sequence[Rule]) -> str:
    lines = sorted(f"{r.id}:{r.file_sha256}" for r in rules)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def select_rules(
    rules: Sequence[Rule], select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[Rule]:
    """Keep the rules named by `select` (all when empty) minus `ignore`; ids or globs."""
    import fnmatch

    ids = [r.id for r in rules]
    for key, patterns in (("select", select), ("ignore", ignore)):
        for index, pattern in enumerate(patterns):
            if not any(fnmatch.fnmatchcase(i, pattern) for i in ids):
                problem = f"unknown rule {pattern!r}{did_you_mean(pattern, ids)}"
                raise SettingError((key, index), problem)

    def chosen(rule_id: str) -> bool:
        picked = not select or any(fnmatch.fnmatchcase(rule_id, p) for p in select)
        return picked and not any(fnmatch.fnmatchcase(rule_id, p) for p in ignore)

    return [r for r in rules if chosen(r.id)]


def apply_overrides(
    rules: Sequence[Rule],
    *,
    severity: Mapping[str, str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Rule]:
    """The rules re-graded and re-parametrised as configured; unknown rules or params fail."""
    by_id = {r.id: r for r in rules}
    for key, table in (("severity", severity or {}), ("params", params or {})):
        for rule_id in table:
            if rule_id not in by_id:
                problem = f"unknown rule {rule_id!r}{did_you_mean(rule_id, by_id)}"
                raise SettingError((key,), problem, at=(key, rule_id))
    for rule_id, level in (severity or {}).items():
        if level not in SEVERITY_NAMES:
            choices = ", ".join(SEVERITY_NAMES)
            raise SettingError(("severity", rule_id), f"expected one of {choices}, got {level!r}")
        by_id[rule_id] = replace(by_id[rule_id], severity=Severity.parse(level))
    for rule_id, values in (params or {}).items():
        by_id[rule_id] = _with_params(by_id[rule_id], values)
    return [by_id[r.id] for r in rules]


def _with_params(rule: Rule, values: Mapping[str, Any]) -> Rule:
    for name, value in values.items():
        if name not in rule.params:
            declared = ", ".join(sorted(rule.params)) or "none"
            hint = did_you_mean(name, rule.params) or f" (the rule declares: {declared})"
            problem = f"unknown param {name!r}{hint}"
            raise SettingError(("params", rule.id), problem, at=("params", rule.id, name))
        default = rule.params[name]
        if default is not None and kind_of(default) != kind_of(value):
            problem = f"expected {kind_of(default)}, like the rule's default, got {kind_of(value)}"
            raise SettingError(("params", rule.id, name), problem)
    changed = replace(rule, params={**rule.params, **values})
    try:
        _conditions(changed, changed.params)
    except ConditionError as exc:
        problem = f"rule {rule.id!r} cannot use these params: {dotted(exc.where)}: {exc.message}"
        raise SettingError(("params", rule.id), problem) from None
    return changed
