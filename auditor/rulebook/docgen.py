"""Generate the Markdown reference sections of the docs from the schemas and the built-in rules.

A Markdown file opts in with markers naming one of `SECTIONS`; the text between them is
replaced on each run (markers of other names are left alone):

    <!-- BEGIN rules-index -->
    <!-- END rules-index -->

Run `python -m auditor.rulebook.docgen [--check] [FILE...]` (default: README.md and docs/*.md that
have markers, and the built-in files' prebuilt data in auditor/rulebook/prebuilt/, see
`rulecache`); `--check` changes nothing and exits 1 when a file is out of date.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from auditor.io.paths import schema_path


def _schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return data


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _type(spec: Mapping[str, Any]) -> str:
    if "enum" in spec:
        return "one of " + ", ".join(f"`{v}`" for v in spec["enum"])
    if spec.get("$ref") == "#/$defs/condition":
        return "condition"
    kinds = spec.get("type", "any")
    names = {"object": "mapping", "array": "list"}
    if isinstance(kinds, list):
        return " or ".join(names.get(str(k), str(k)) for k in kinds)
    if kinds == "array" and "items" in spec:
        return f"list of {_type(spec['items'])}s"
    if kinds == "object" and isinstance(spec.get("additionalProperties"), dict):
        return f"mapping to {_type(spec['additionalProperties'])}"
    return str(names.get(kinds, kinds))


def fields_table(schema: Mapping[str, Any]) -> str:
    """A Markdown table of a schema's top-level fields: name, required, type, description."""
    required = set(schema.get("required", ()))
    lines = ["| Field | Required | Type | Description |", "| --- | --- | --- | --- |"]
    for name, spec in schema["properties"].items():
        needed = "yes" if name in required else "no"
        lines.append(
            f"| `{name}` | {needed} | {_cell(_type(spec))} | {_cell(spec.get('description', ''))} |"
        )
    return "\n".join(lines) + "\n"


def rule_reference() -> str:
    """The rule file reference: fields, then the condition vocabulary, from rule.schema.json."""
    schema = _schema("rule.schema.json")
    operators = schema["$defs"]["operators"]
    lines = [
        _cell(schema["description"]),
        "",
        fields_table(schema),
        _cell(operators["description"]),
    ]
    lines += ["", "| Key | Operand | Holds when |", "| --- | --- | --- |"]
    for name, spec in operators["properties"].items():
        operand = spec["title"]
        operand = f"`{operand}`" if operand.startswith("{") else operand
        lines.append(f"| `{name}` | {_cell(operand)} | {_cell(spec['description'])} |")
    return "\n".join(lines) + "\n"


def file_reference(name: str) -> Callable[[], str]:
    """The field reference of schemas/`name`, described by its own description."""

    def render() -> str:
        schema = _schema(name)
        return _cell(schema["description"]) + "\n\n" + fields_table(schema)

    return render


def rules_index() -> str:
    """A Markdown table of the built-in rules: id, severity, scope, summary, compliance."""
    from auditor.rulebook.ruleset import load_rules

    lines = ["| Rule | Severity | Scope | Summary | Compliance |", "| --- " * 5 + "|"]
    for rule in sorted(load_rules(), key=lambda r: r.id):
        compliance = "; ".join(f"{k} {', '.join(v)}" for k, v in rule.compliance.items())
        lines.append(
            f"| `{rule.id}` | {rule.severity.label} | {rule.scope} | {_cell(rule.summary)} "
            f"| {_cell(compliance)} |"
        )
    return "\n".join(lines) + "\n"


def builtin_rules() -> str:
    """Each built-in rule's documentation: a heading per rule id, for pages in docs/."""
    from auditor.rulebook.ruleset import load_rules

    lines: list[str] = []
    for rule in sorted(load_rules(), key=lambda r: r.id):
        facts = [f"**{_line(rule.title)}.**", rule.severity.label, rule.scope]
        if rule.tags:
            facts.append("tags " + ", ".join(rule.tags))
        facts.append(f"[`rules/{rule.id}.yaml`](../rules/{rule.id}.yaml)")
        lines += [f"### `{rule.id}`", "", " · ".join(facts), "", _line(rule.summary), ""]
        lines += [f"**Why it matters.** {_line(rule.rationale)}", ""]
        lines += [f"**How to fix.** {_line(rule.remediation)}", ""]
        if rule.params:
            params = ", ".join(f"`{k}` (default `{json.dumps(v)}`)" for k, v in rule.params.items())
            lines += [f"**Params:** {params}.", ""]
        if rule.compliance:
            controls = "; ".join(f"{k} {', '.join(v)}" for k, v in rule.compliance.items())
            lines += [f"**Compliance:** {controls}.", ""]
        if rule.references:
            lines += ["**References:** " + ", ".join(f"<{r}>" for r in rule.references), ""]
    return "\n".join(lines)


def _line(text: str) -> str:
    return " ".join(text.split())


SECTIONS: dict[str, Callable[[], str]] = {
    "rule-reference": rule_reference,
    "config-reference": file_reference("config.schema.json"),
    "rule-test-reference": file_reference("rule-test.schema.json"),
    "rules-index": rules_index,
    "builtin-rules": builtin_rules,
}


def _pattern() -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in SECTIONS)
    return re.compile(
        rf"(<!-- BEGIN (?P<name>{names}) -->\n)(?P<body>.*?)(<!-- END (?P=name) -->)", re.DOTALL
    )


def update(text: str, *, source: str = "<text>") -> str:
    """`text` with each of our marked sections regenerated; sections of other names are kept.

    ValueError when one of our sections has no END marker.
    """
    pattern = _pattern()
    opened = re.findall(rf"<!-- BEGIN ({'|'.join(SECTIONS)}) -->", text)
    closed = [m.group("name") for m in pattern.finditer(text)]
    for name in opened:
        if opened.count(name) != closed.count(name):
            raise ValueError(f"{source}: section {name!r} has no matching END marker")
    return pattern.sub(lambda m: m.group(1) + SECTIONS[m.group("name")]() + m.group(4), text)


def has_markers(text: str) -> bool:
    """Whether `text` holds one of our sections."""
    return _pattern().search(text) is not None


def marked_files(root: Path) -> list[Path]:
    """README.md and docs/*.md under `root` that hold at least one marked section."""
    candidates = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return [p for p in candidates if p.is_file() and has_markers(p.read_text(encoding="utf-8"))]


def prebuilt() -> dict[Path, str]:
    """The prebuilt data of the built-in files (see `rulecache`), by path, as it should read."""
    from auditor.io.paths import reports_dir
    from auditor.rulebook.rulecache import PREBUILT, RULES, file_json, rules_json
    from auditor.rulebook.ruleset import builtin_loads

    return {
        PREBUILT / RULES: rules_json(builtin_loads()),
        PREBUILT / "controls.json": file_json(reports_dir() / "controls.yaml"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    named = [Path(a) for a in args if a != "--check"]
    stale = []
    for path in named or marked_files(Path.cwd()):
        text = path.read_text(encoding="utf-8")
        fresh = update(text, source=str(path))
        if fresh != text:
            stale.append(path)
            if not check:
                path.write_text(fresh, encoding="utf-8")
    for path, fresh in ({} if named else prebuilt()).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != fresh:
            stale.append(path)
            if not check:
                path.parent.mkdir(exist_ok=True)
                path.write_text(fresh, encoding="utf-8")
    for path in stale:
        print(f"{path}: {'out of date' if check else 'updated'}", file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
