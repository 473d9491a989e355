"""Load rule files, validate them against schemas/rule.schema.json, and compile them once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from auditor.conditions import Compiled, ConditionError, compile_condition
from auditor.errors import RuleError, UsageError
from auditor.models import Rule, Severity
from auditor.paths import rules_dir, schema_path
from auditor.yamlfile import YamlDoc, did_you_mean, field_problem, load_yaml

RULE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, kw_only=True, slots=True)
class CompiledRule:
    """A rule ready to evaluate: its conditions and message compiled with its params."""

    rule: Rule
    when: Compiled | None
    check: Compiled
    params: Mapping[str, Any]
    message: Any
    """A sandboxed Jinja2 template, or the message itself when it has no template syntax."""

    def render(self, context: Mapping[str, Any]) -> str:
        if isinstance(self.message, str):
            return self.message
        try:
            return str(self.message.render(**context)).strip()
        except Exception:  # a data-dependent template failure must not stop the audit
            return self.rule.summary


def rule_files(paths: Iterable[str], *, builtin: bool = True) -> list[tuple[Path, str]]:
    """(file, source label) for every rule file: built-ins first, then user paths in order."""
    found: list[tuple[Path, str]] = []
    if builtin:
        found += [(p, f"builtin:{p.name}") for p in _yaml_files(rules_dir())]
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += [(p, str(p)) for p in _yaml_files(path)]
        elif path.is_file():
            found.append((path, str(path)))
        else:
            raise UsageError(f"{raw}: no such rule file or directory")
    return found


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in RULE_SUFFIXES and p.is_file() and not p.name.endswith(".test.yaml")
    )


def load_rules(paths: Iterable[str] = (), *, builtin: bool = True) -> list[Rule]:
    """Load every rule; duplicate ids across files are an error naming both files."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path, source in rule_files(paths, builtin=builtin):
        rule = load_rule(path, source)
        if rule.id in seen:
            raise RuleError(f"{path}: rule id {rule.id!r} is already defined in {seen[rule.id]}")
        seen[rule.id] = str(path)
        rules.append(rule)
    return rules


@cache
def _rule_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_path("rule.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def load_rule(path: Path, source: str | None = None) -> Rule:
    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "expected a mapping with the rule's fields")
    errors = sorted(_rule_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise _schema_error(doc, errors[0])
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
        file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )
    compile_rule(rule, doc=doc)  # fail at load time, naming file, line and field
    return rule


def _schema_error(doc: YamlDoc, error: Any) -> RuleError:
    where = list(error.absolute_path)
    problem = field_problem(error)
    if problem is not None:
        where, message = problem
    elif error.validator == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        message = f"expected one of {options}, got {error.instance!r}"
    elif error.validator == "type":
        message = f"expected {error.validator_value}, got {type(error.instance).__name__}"
    elif error.validator == "pattern":
        message = f"{error.instance!r} is not kebab-case (lowercase words joined by '-')"
    else:
        message = error.message
    result = doc.error(where, message)
    assert isinstance(result, RuleError)
    return result


def compile_rule(
    rule: Rule, params: Mapping[str, Any] | None = None, *, doc: YamlDoc | None = None
) -> CompiledRule:
    """Compile `rule` with its params (overridden by `params`)."""
    merged = {**rule.params, **(params or {})}
    try:
        when = compile_condition(rule.when, merged, ("when",)) if rule.when is not None else None
        check = compile_condition(rule.assert_, merged, ("assert",))
    except ConditionError as exc:
        if doc is not None:
            raise doc.error(exc.where, exc.message) from None
        raise RuleError(f"{rule.source}: {'.'.join(map(str, exc.where))}: {exc.message}") from None
    return CompiledRule(
        rule=rule, when=when, check=check, params=merged, message=_template(rule, doc)
    )


def _template(rule: Rule, doc: YamlDoc | None) -> Any:
    if "{{" not in rule.message and "{%" not in rule.message:
        return rule.message
    from jinja2 import TemplateSyntaxError

    try:
        return _jinja().from_string(rule.message)
    except TemplateSyntaxError as exc:
        if doc is not None:
            raise doc.error(("message",), f"invalid template: {exc.message}") from None
        raise RuleError(f"{rule.source}: message: invalid template: {exc.message}") from None


@cache
def _jinja() -> Any:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        autoescape=False, finalize=lambda v: "" if v is None else v
    )


def ruleset_sha256(rules: Sequence[Rule]) -> str:
    lines = sorted(f"{r.id}:{r.file_sha256}" for r in rules)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def select_rules(
    rules: Sequence[Rule], select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[Rule]:
    """Keep the rules named by `select` (all when empty) minus `ignore`; ids or globs."""
    import fnmatch

    ids = [r.id for r in rules]
    for pattern in (*select, *ignore):
        if not any(fnmatch.fnmatchcase(i, pattern) for i in ids):
            raise UsageError(f"unknown rule {pattern!r}{did_you_mean(pattern, ids)}")

    def chosen(rule_id: str) -> bool:
        picked = not select or any(fnmatch.fnmatchcase(rule_id, p) for p in select)
        return picked and not any(fnmatch.fnmatchcase(rule_id, p) for p in ignore)

    return [r for r in rules if chosen(r.id)]
