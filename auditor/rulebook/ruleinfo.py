"""`auditor rules list` and `rules show`: a rule table, and one rule's whole documentation."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.models import Rule

LIST_FORMATS = ("text", "json")
_COLUMNS = ("id", "severity", "scope", "title", "source")


def rule_rows(rules: Sequence[Rule]) -> list[dict[str, str]]:
    """One row per rule, in load order: id, severity, scope, title, source."""
    return [
        {
            "id": r.id,
            "severity": r.severity.label,
            "scope": r.scope,
            "title": r.title,
            "source": r.source,
        }
        for r in rules
    ]


LIST_WIDTH = 100
"""`rules list` fits this many columns: a long title wraps onto the next lines."""


def list_rules(rules: Sequence[Rule], fmt: str) -> str:
    """The rule table as aligned text within LIST_WIDTH columns, or as a JSON list of rows.

    In text, a built-in rule's source is `builtin` (its file is named by its id), a long
    path is shortened from the left, and a long title wraps under itself.
    """
    rows = rule_rows(rules)
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    columns = ("id", "severity", "scope", "source", "title")
    shown = [
        {**row, "source": _short_source(row["source"])}
        for row in [{c: c.upper() for c in _COLUMNS}, *rows]
    ]
    widths = {c: max(len(row[c]) for row in shown) for c in columns[:-1]}
    room = max(20, LIST_WIDTH - sum(widths.values()) - 2 * (len(columns) - 1))
    lines = []
    for row in shown:
        first, *more = textwrap.wrap(row["title"], room, break_on_hyphens=False) or [""]
        lines.append("  ".join(row[c].ljust(widths[c]) for c in columns[:-1]) + "  " + first)
        lines += [" " * (LIST_WIDTH - room) + line for line in more]
    return "\n".join(lines) + "\n"


def _short_source(source: str, limit: int = 24) -> str:
    if source.startswith("builtin:"):
        return "builtin"
    return source if len(source) <= limit else "..." + source[-(limit - 3) :]


def show_rule(rule: Rule, written: Rule, origins: Mapping[str, str]) -> str:
    """Everything a rule file says, with the configured severity and params marked."""
    severity = rule.severity.label
    if rule.severity != written.severity:
        where = origins.get(f"severity.{rule.id}", "configuration")
        severity += f" (set by {where}; the rule file says {written.severity.label})"
    compliance = "; ".join(f"{k}: {', '.join(v)}" for k, v in rule.compliance.items())
    facts = [
        ("severity", severity),
        ("scope", rule.scope),
        ("source", rule.source),
        ("tags", ", ".join(rule.tags)),
        ("compliance", compliance),
    ]
    lines = [f"{rule.id}: {rule.title}", ""]
    lines += [f"  {name:<11}{value}" for name, value in facts if value]
    lines += [f"  {'references':<11}{ref}" for ref in rule.references]
    for heading, text in (
        ("Summary", rule.summary),
        ("Rationale", rule.rationale),
        ("Remediation", rule.remediation),
    ):
        lines += ["", heading, textwrap.fill(text, 92, initial_indent="  ", subsequent_indent="  ")]
    if rule.params:
        lines += ["", "Params"]
        for name, value in rule.params.items():
            origin = origins.get(f"params.{rule.id}.{name}")
            note = f"  # set by {origin}" if origin else ""
            lines.append(f"  {name}: {_flow(value)}{note}")
    logic = {"when": rule.when} if rule.when is not None else {}
    lines += ["", "Logic", _block({**logic, "assert": rule.assert_})]
    lines += ["", "Message", f"  {rule.message}"]
    for heading, examples in (
        ("Examples that pass (no finding)", rule.examples_pass),
        ("Examples that fail (a finding)", rule.examples_fail),
    ):
        lines += ["", heading]
        lines += [f"  - {_flow(example)}" for example in examples] or ["  (none)"]
    return "\n".join(lines) + "\n"


def _flow(value: Any) -> str:
    """A value as one line of YAML flow style."""
    import yaml  # only `rules show` writes YAML: a check need not load PyYAML

    text: str = yaml.safe_dump(value, default_flow_style=True, width=1_000_000, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def _block(value: Mapping[str, Any]) -> str:
    import yaml

    text: str = yaml.safe_dump(dict(value), default_flow_style=None, sort_keys=False, width=88)
    return textwrap.indent(text.rstrip(), "  ")
