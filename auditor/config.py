"""The effective configuration: defaults, then `auditor.yaml`, then the command line."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor.audit import AuditOptions
from auditor.errors import AuditorError, SettingError, UsageError
from auditor.gate.policy import parse_severity_flag
from auditor.io import fsprobe
from auditor.io.configfile import Inside, find_config
from auditor.io.targets import descriptor, is_stdout
from auditor.io.yamlfile import YamlDoc, did_you_mean, load_yaml
from auditor.io.yamlschema import check_schema
from auditor.models import Rule, WaiverPolicy
from auditor.outputs import FORMATS
from auditor.rulebook.ruleset import apply_overrides, load_rules, select_rules

LATER_KEYS = ("waivers", "baseline", "history")
"""File paths carried for the waivers, baseline and history stages."""
GATE_KEYS = ("hard_fail_on", "soft_fail_on")
"""Rule patterns (ids or globs) that always fail, or never fail, the gate."""
DEFAULT = "default"
COMMAND_LINE = "command line"
Output = tuple[str, str]
"""(format name, path); the path "-" is stdout."""


@dataclass(frozen=True, kw_only=True, slots=True)
class CommandLine:
    """The settings given as flags; None (or False for flags) means not given."""

    rules: tuple[str, ...] = ()
    no_builtin_rules: bool = False
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fail_on: str | None = None
    outputs: tuple[str, ...] | None = None
    severity: tuple[str, ...] = ()
    """`--severity RULE=SEVERITY` flags, added to (and winning over) the file's `severity`."""
    hard_fail_on: tuple[str, ...] | None = None
    soft_fail_on: tuple[str, ...] | None = None
    waivers: str | None = None
    baseline: str | None = None
    waiver_warning_days: int | None = None
    history: str | None = None
    framework: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Config:
    """Every setting's effective value, and in `origins` where each came from."""

    path: str | None = None
    rule_paths: tuple[str, ...] = ()
    builtin_rules: bool = True
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    fail_on: str = "medium"
    hard_fail_on: tuple[str, ...] = ()
    soft_fail_on: tuple[str, ...] = ()
    outputs: tuple[Output, ...] = (("text", "-"),)
    waivers: str | None = None
    waiver_warning_days: int = 14
    waiver_policy: WaiverPolicy = field(default_factory=WaiverPolicy)
    """`waivers: {max_days, require_ticket}` in the config file; only the file sets it."""
    baseline: str | None = None
    history: str | None = None
    framework: str | None = None
    origins: Mapping[str, str] = field(default_factory=dict)
    """Origin by setting key (`fail_on`, `severity.<rule>`, `params.<rule>.<param>`)."""
    doc: YamlDoc | None = field(default=None, repr=False, compare=False)

    def origin(self, key: str) -> str:
        return self.origins.get(key, DEFAULT)

    def audit_options(self, now: datetime | None = None) -> AuditOptions:
        return AuditOptions(
            rule_paths=self.rule_paths,
            builtin_rules=self.builtin_rules,
            select=self.select,
            ignore=self.ignore,
            fail_on=self.fail_on,
            now=now,
            params=self.params,
            severity=self.severity,
            hard_fail_on=self.hard_fail_on,
            soft_fail_on=self.soft_fail_on,
            waivers=self.waivers,
            waiver_warning_days=self.waiver_warning_days,
            waiver_policy=self.waiver_policy,
            baseline=self.baseline,
            framework=self.framework,
        )

    @contextmanager
    def located(self) -> Iterator[None]:
        """Turn a SettingError into an error naming the flag, or the file, line and column."""
        try:
            yield
        except SettingError as exc:
            raise self._locate(exc) from None

    def _locate(self, exc: SettingError) -> AuditorError:
        key = str(exc.where[0]) if exc.where else ""
        origin = self._origin_of(exc.at)
        if origin == COMMAND_LINE:
            return UsageError(f"--{key.replace('_', '-')}: {exc.problem}", hint=exc.hint)
        if self.doc is not None and origin != DEFAULT:
            return self.doc.error(exc.where, exc.problem, at=exc.at)
        return exc

    def _origin_of(self, where: tuple[str | int, ...]) -> str:
        """The origin of the most specific key of `where` that has one (`severity.rule-id`)."""
        for size in range(len(where), 0, -1):
            key = ".".join(str(part) for part in where[:size])
            if key in self.origins:
                return self.origins[key]
        return DEFAULT


def load_configured_rules(config: Config) -> tuple[list[Rule], list[Rule]]:
    """Every loaded rule as its file says, and as configured (severity and params applied).

    `select` and `ignore` are checked against the rules too, though every rule is returned.
    """
    with config.located():
        written = load_rules(config.rule_paths, builtin=config.builtin_rules)
        select_rules(written, config.select, config.ignore)
        return written, apply_overrides(written, severity=config.severity, params=config.params)


def resolve_config(explicit: str | None, command_line: CommandLine, cwd: Path = Path()) -> Config:
    """Defaults, overridden by the config file (if any), overridden by the command line.

    Paths in the file are relative to its folder and must stay inside it (symlinks
    followed), unless the command line overrides the key: a config file from a clone must
    not make auditor read or write elsewhere.
    """
    path = find_config(explicit, cwd)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    doc = None
    if path is not None:
        doc = load_yaml(path, allow_empty=True)
        values, origins = _from_file(doc, path.parent, command_line)
        origins["config_file"] = COMMAND_LINE if explicit is not None else "discovered"
    _apply_command_line(values, origins, command_line)
    return Config(path=None if path is None else str(path), origins=origins, doc=doc, **values)


def _from_file(doc: YamlDoc, base: Path, cli: CommandLine) -> tuple[dict[str, Any], dict[str, str]]:
    if doc.data is None:
        return {}, {}
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping of settings")
    check_schema(doc, "config.schema.json")
    data: dict[str, Any] = doc.data
    values: dict[str, Any] = {}
    origins = {key: _at(doc, (key,)) for key in data}
    inside = Inside(doc, base)
    for index, entry in enumerate(data.get("rules", ())):
        resolved = inside.path(("rules", index), entry, "--rules (beside the file's rules)")
        if not fsprobe.exists(resolved):
            raise doc.error(("rules", index), f"no such rule file or directory: {resolved}")
    values["rule_paths"] = tuple(_relative(base, p) for p in data.get("rules", ()))
    for key in ("select", "ignore", *GATE_KEYS):
        if key in data:
            values[key] = tuple(data[key])
    if "outputs" in data and cli.outputs is None:
        values["outputs"] = tuple(
            _file_output(inside, index, spec) for index, spec in enumerate(data["outputs"])
        )
    for key in ("severity", "params"):
        values[key] = dict(data.get(key, {}))
        for rule_id, value in values[key].items():
            origins[f"{key}.{rule_id}"] = _at(doc, (key, rule_id))
            if key == "params":
                for name in value:
                    origins[f"params.{rule_id}.{name}"] = _at(doc, (key, rule_id, name))
    for key in ("fail_on", "waiver_warning_days", "framework"):
        if key in data:
            values[key] = data[key]
    if isinstance(data.get("waivers"), dict):
        values.update(_waiver_settings(data["waivers"], inside, cli))
        origins["waiver_policy"] = origins["waivers"]
    for key in LATER_KEYS:
        if isinstance(data.get(key), str) and getattr(cli, key) is None:
            values[key] = inside.path((key,), data[key], f"--{key}")
    return values, origins


def _waiver_settings(spec: Mapping[str, Any], inside: Inside, cli: CommandLine) -> dict[str, Any]:
    """`waivers: {file, max_days, require_ticket}`: the file, and the governance of waivers.

    The governance applies to whichever waivers file the audit uses, `--waivers` included.
    """
    values: dict[str, Any] = {
        "waiver_policy": WaiverPolicy(
            max_days=spec.get("max_days"), require_ticket=bool(spec.get("require_ticket", False))
        )
    }
    if "file" in spec and cli.waivers is None:
        values["waivers"] = inside.path(("waivers", "file"), spec["file"], "--waivers")
    return values


def _apply_command_line(values: dict[str, Any], origins: dict[str, str], cli: CommandLine) -> None:
    if cli.rules:
        values["rule_paths"] = (*values.get("rule_paths", ()), *cli.rules)
        before = origins.get("rules")
        origins["rules"] = f"{before} + {COMMAND_LINE}" if before else COMMAND_LINE
    if cli.no_builtin_rules:
        values["builtin_rules"] = False
        origins["builtin_rules"] = COMMAND_LINE
    given = {
        "select": cli.select,
        "ignore": cli.ignore,
        "fail_on": cli.fail_on,
        "hard_fail_on": cli.hard_fail_on,
        "soft_fail_on": cli.soft_fail_on,
        "waivers": cli.waivers,
        "baseline": cli.baseline,
        "waiver_warning_days": cli.waiver_warning_days,
        "history": cli.history,
        "framework": cli.framework,
    }
    for key, value in given.items():
        if value is not None:
            values[key] = value
            origins[key] = COMMAND_LINE
    if cli.severity:
        values["severity"] = dict(values.get("severity", {}))
        for text in cli.severity:
            rule_id, level = parse_severity_flag(text)
            values["severity"][rule_id] = level
            origins[f"severity.{rule_id}"] = COMMAND_LINE
    if cli.outputs:
        values["outputs"] = tuple(_cli_output(spec) for spec in cli.outputs)
        origins["outputs"] = COMMAND_LINE


def parse_output(spec: str) -> Output:
    """`NAME[:PATH]` as (name, path); ValueError naming the problem for an unknown NAME."""
    name, _, path = spec.partition(":")
    if name not in FORMATS:
        choices = ", ".join(FORMATS)
        raise ValueError(f"unknown format {name!r}{did_you_mean(name, FORMATS)}; choose {choices}")
    return name, path or "-"


def _file_output(inside: Inside, index: int, spec: str) -> Output:
    try:
        name, path = parse_output(spec)
    except ValueError as exc:
        raise inside.doc.error(("outputs", index), str(exc)) from None
    if is_stdout(path) or descriptor(path) is not None:
        return name, "-" if is_stdout(path) else path
    return name, inside.path(("outputs", index), path, f"-f {name}:PATH")


def _cli_output(spec: str) -> Output:
    try:
        name, path = parse_output(spec)
    except ValueError as exc:
        raise UsageError(f"--format: {exc}") from None
    return name, "-" if is_stdout(path) else path


def _relative(base: Path, path: str) -> str:
    return path if Path(path).is_absolute() else str(base / path)


def _at(doc: YamlDoc, where: tuple[str, ...]) -> str:
    return f"{doc.path}:{doc.locate(where)[0]}"
