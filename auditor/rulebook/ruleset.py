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
from auditor.language.conditions import Compiled, compile_condition, statement_reads, uses_any
from auditor.language.vocabulary import NOTING, SKIPPING, ConditionError
from auditor.models import SEVERITY_NAMES, Rule, Severity
from auditor.rulebook import rulecache
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
    files = rule_files(paths, builtin=builtin)
    builtins = _builtins(files) if builtin else {}
    for path, source in files:
        known = builtins.get(path)
        rule, doc, _compiled = _load(path, source, known)
        line, column = doc.locate(("id",))
        if rule.id in seen:
            raise doc.error(("id",), f"rule {rule.id!r} is already defined in {seen[rule.id]}")
        seen[rule.id] = f"{path}:{line}:{column}"
        rules.append(rule)
    return rules


def _builtins(files: Sequence[tuple[Path, str]]) -> dict[Path, rulecache.Entry]:
    """What the prebuilt data holds of the built-in rule files of this load, by path."""
    try:
        return rulecache.prebuilt_rules(_builtin_bytes(files))
    except OSError:
        return {}  # `_load` words what cannot be read


def _builtin_bytes(files: Sequence[tuple[Path, str]]) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p, source in files if source == f"builtin:{p.name}"]


def builtin_loads() -> list[tuple[Path, bytes, YamlDoc, bool]]:
    """Every built-in rule file loaded from its YAML, never from the prebuilt data: (path,
    bytes, document, whether its message reads `value`), what `rulecache.rules_json` keeps."""
    loads = []
    for path, content in _builtin_bytes(rule_files((), builtin=True)):
        _, doc, compiled = _load(path, f"builtin:{path.name}")
        loads.append((path, content, doc, compiled.uses_value))
    return loads


def load_rule(path: Path, source: str | None = None) -> Rule:
    """Load, validate and compile-check one rule file."""
    return _load(path, source)[0]


def _load(
    path: Path, source: str | None, known: rulecache.Entry | None = None
) -> tuple[Rule, YamlDoc, CompiledRule]:
    """The rule of `path`, compiled with its own params to check it now, naming file and line.

    `known` is the file as the prebuilt data holds the same bytes (see `rulecache`); when it
    does not build a rule, the file is loaded afresh, which words whatever is wrong.
    """
    rule: Rule | None = None
    if known is not None:
        doc = known.doc
        try:
            rule = _rule(path, source, doc, known.content)
            compiled = compile_rule(rule, doc=doc, uses_value=known.uses_value)
        except Exception:  # a cache that does not hold this rule: load it afresh
            rule = None
    if rule is None:
        doc = load_yaml(path)
        if not isinstance(doc.data, dict):
            raise doc.error((), "expected a mapping with the rule's fields")
        check_schema(doc, "rule.schema.json")
        rule = _rule(path, source, doc, path.read_bytes())
        compiled = compile_rule(rule, doc=doc)
    if len(_checked) >= _CHECKED_LIMIT:  # a long-lived process loading rules again and again
        _checked.clear()
    _checked[id(rule)] = (rule, compiled)
    return rule, doc, compiled


def _rule(path: Path, source: str | None, doc: YamlDoc, content: bytes) -> Rule:
    data = doc.data
    if data["id"] != path.stem:
        raise doc.error(("id",), f"must equal the file name {path.stem!r}, got {data['id']!r}")
    examples = data.get("examples", {})
    return Rule(
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
        file_sha256=hashlib.sha256(content).hexdigest(),
    )


_checked: dict[int, tuple[Rule, CompiledRule]] = {}
"""Rules compiled when loaded, by id (the rule is kept, so its id stays its own)."""
_CHECKED_LIMIT = 4096


def compile_rule(
    rule: Rule,
    params: Mapping[str, Any] | None = None,
    *,
    doc: YamlDoc | None = None,
    uses_value: bool | None = None,
) -> CompiledRule:
    """Compile `rule` with its params (overridden by `params`).

    A rule just loaded was compiled with its own params to check it: that is reused.
    `uses_value` known: the rule's message was checked when its prebuilt data was built.
    """
    if not params and doc is None:
        checked = _checked.get(id(rule))
        if checked is not None and checked[0] is rule:
            return checked[1]
    merged = {**rule.params, **(params or {})}
    try:
        when, check = _conditions(rule, merged)
    except ConditionError as exc:
        if doc is not None:
            raise doc.error(exc.where, exc.message, at=exc.at) from None
        raise RuleError(f"{rule.source}: {dotted(exc.where)}: {exc.message}") from None
    try:
        message = compile_message(rule, merged, uses_value=None if params else uses_value)
    except MessageError as exc:
        if doc is not None:
            raise doc.error(("message",), exc.message) from None
        raise RuleError(f"{rule.source}: message: {exc.message}") from None
    skips = uses_any(rule.assert_, SKIPPING)
    return CompiledRule(
        rule=rule,
        when=when,
        check=check,
        params=merged,
        message=message,
        explains=uses_any(rule.when, NOTING) or uses_any(rule.assert_, NOTING),
        uses_value=message.uses_value,
        skips=skips,
        when_reads=statement_reads(rule.when) if rule.scope == "statements" else None,
        check_reads=statement_reads(rule.assert_)
        if rule.scope == "statements" and not skips
        else None,
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
