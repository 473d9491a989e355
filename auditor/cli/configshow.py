"""`auditor config show`: every effective setting with the place its value came from."""

from __future__ import annotations

import json
from typing import Any

from auditor.config import DEFAULT, GATE_KEYS, LATER_KEYS, Config


def settings(config: Config) -> list[tuple[str, Any, str]]:
    """(key, value, origin) of every setting; severity and params one row per rule and param."""
    rows: list[tuple[str, Any, str]] = [
        ("config_file", config.path, config.origin("config_file")),
        ("rules", list(config.rule_paths), config.origin("rules")),
        ("builtin_rules", config.builtin_rules, config.origin("builtin_rules")),
        ("select", list(config.select), config.origin("select")),
        ("ignore", list(config.ignore), config.origin("ignore")),
        ("framework", config.framework, config.origin("framework")),
    ]
    levels = [(f"severity.{rule_id}", level) for rule_id, level in config.severity.items()]
    rows += [(key, level, config.origin(key)) for key, level in levels] or [
        ("severity", {}, DEFAULT)
    ]
    params = [
        (f"params.{rule_id}.{name}", value)
        for rule_id, table in config.params.items()
        for name, value in table.items()
    ]
    rows += [(key, value, config.origin(key)) for key, value in params] or [("params", {}, DEFAULT)]
    outputs = [name if path == "-" else f"{name}:{path}" for name, path in config.outputs]
    rows.append(("fail_on", config.fail_on, config.origin("fail_on")))
    rows += [(key, list(getattr(config, key)), config.origin(key)) for key in GATE_KEYS]
    rows.append(("outputs", outputs, config.origin("outputs")))
    rows += [(key, getattr(config, key), config.origin(key)) for key in LATER_KEYS]
    days = config.waiver_warning_days
    rows.append(("waiver_warning_days", days, config.origin("waiver_warning_days")))
    policy = config.waiver_policy
    rows.append(("waivers.max_days", policy.max_days, config.origin("waiver_policy")))
    rows.append(("waivers.require_ticket", policy.require_ticket, config.origin("waiver_policy")))
    return rows


def render_config(config: Config, *, as_json: bool = False) -> str:
    """The effective configuration, one setting a line with its origin, or as JSON."""
    rows = settings(config)
    if as_json:
        data = [{"key": k, "value": v, "origin": o} for k, v, o in rows]
        return json.dumps(data, indent=2) + "\n"
    shown = [(k, json.dumps(v), o) for k, v, o in rows]
    width = max(len(k) for k, _, _ in shown)
    value_width = min(48, max(len(v) for _, v, _ in shown))
    return "".join(f"{k:<{width}}  {v:<{value_width}}  # {o}\n" for k, v, o in shown)
