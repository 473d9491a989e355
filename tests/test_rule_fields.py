"""A rule that cannot be right fails at load time: operands by type, paths by the scope's fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE

from auditor.rulebook.fields import known_fields
from auditor.rulebook.ruleset import load_rules

HEAD = "id: {id}\ntitle: t\nseverity: low\nsummary: s\nrationale: r\nremediation: m\n"


def rule_file(tmp_path: Path, rule_id: str, body: str) -> Path:
    path = tmp_path / f"{rule_id}.yaml"
    path.write_text(HEAD.format(id=rule_id) + body + "message: m\n", encoding="utf-8")
    return path


BAD = [
    (
        "glob-list",
        "scope: destinations\nassert:\n  name: {glob: [a, b]}\n",
        "glob-list.yaml:9:10: assert.name.glob: expected one glob pattern string, got a list "
        "(for several patterns, use or: [{glob: a}, {glob: b}])",
    ),
    (
        "role-in-destinations",
        "scope: destinations\nassert:\n  role_name: {equals: admin}\n",
        "role-in-destinations.yaml:9:3: assert.role_name: unknown field 'role_name' of a "
        "destination; it is a field of statements (scope: statements)",
    ),
    (
        "typo",
        "scope: statements\nwhen:\n  destination.nme: {glob: 'pay*'}\nassert:\n  effect: "
        "{equals: allow}\n",
        "typo.yaml:9:3: when.destination.nme: unknown field 'nme' of `destination`; did you mean "
        "'name'?",
    ),
    (
        "kind-in-statements",
        "scope: statements\nassert:\n  kind: {equals: kinesis}\n",
        "kind-in-statements.yaml:9:3: assert.kind: unknown field 'kind' of a statement; it is a "
        "field of the destination: destination.kind",
    ),
    (
        "boolean-glob",
        "scope: destinations\nassert:\n  'on': {glob: 'tr*'}\n",
        "boolean-glob.yaml:9:10: assert.on.glob: glob holds only on a string, but `on` is boolean",
    ),
    (
        "target-typo",
        "scope: destinations\nassert:\n  target.idd: {exists: true}\n",
        "target-typo.yaml:9:3: assert.target.idd: unknown field 'idd' of `target`; did you mean "
        "'id'?",
    ),
    (
        "inside-a-list",
        "scope: statements\nassert:\n  resources: {all: {length: {min: 1}}}\n"
        "  access_actions: {any: {nme: {exists: true}}}\n",
        "inside-a-list.yaml:10:26: assert.access_actions.any.nme: `access_actions[]` has no "
        "field 'nme': it is a string",
    ),
]


@pytest.mark.parametrize(("rule_id", "body", "error"), BAD, ids=[b[0] for b in BAD])
def test_a_rule_that_cannot_be_right_is_a_load_error(run, tmp_path, rule_id, body, error):
    path = rule_file(tmp_path, rule_id, body)
    result = run("check", str(EXAMPLE), "--rules", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path.parent}/{error}\n"


def test_config_and_raw_export_data_take_any_field(tmp_path):
    body = (
        "scope: destinations\nassert:\n  config.anyField.below: {exists: false}\n"
        "  _links.self.href: {matches: '^/api'}\n  _access.allowed: {all: {action: {exists: true}}}\n"
        "  target.fields.streamName: {glob: 'ld-*'}\n  disputed_config_missing: {all: {field: "
        "{exists: true}}}\n"
    )
    (rule,) = load_rules([str(rule_file(tmp_path, "open", body))], builtin=False)
    assert rule.id == "open"


def test_known_fields_are_data_per_scope():
    destinations = known_fields("destinations")
    statements = known_fields("statements")
    assert {"name", "kind", "on", "config", "project", "environment", "target"} <= set(destinations)
    assert "role_name" not in destinations and "role_name" in statements
    assert statements["destination"].children is destinations
    assert destinations["config"].open and not destinations["name"].open
    assert destinations["on"].types == ("boolean",)
    assert statements["resources"].items is not None


# --------------------------------------------------------------------------------------------------
# Grants rules: one subject per principal x destination x action, checked the same way

GRANTS_BAD = [
    (
        "grant-principal-typo",
        "scope: grants\nwhen:\n  principal.knd: {equals: token}\nassert:\n  certain: "
        "{equals: false}\n",
        "grant-principal-typo.yaml:9:3: when.principal.knd: unknown field 'knd' of `principal`; "
        "did you mean 'kind'?",
    ),
    (
        "grant-top-typo",
        "scope: grants\nassert:\n  acton: {in: [updateOn]}\n",
        "grant-top-typo.yaml:9:3: assert.acton: unknown field 'acton' of a grant; did you mean "
        "'action'?",
    ),
    (
        "grant-path-typo",
        "scope: grants\nassert:\n  paths: {all: {rol: {in: [base:admin]}}}\n",
        "grant-path-typo.yaml:9:17: assert.paths.all.rol: unknown field 'rol' of `paths[]`; did "
        "you mean 'role'?",
    ),
    (
        "grant-destination-typo",
        "scope: grants\nwhen:\n  destination.critcal: {equals: true}\nassert:\n  certain: "
        "{equals: false}\n",
        "grant-destination-typo.yaml:9:3: when.destination.critcal: unknown field 'critcal' of "
        "`destination`; did you mean 'critical'?",
    ),
    (
        "grant-type",
        "scope: grants\nassert:\n  principal.days_unseen: {glob: '9*'}\n",
        "grant-type.yaml:9:27: assert.principal.days_unseen.glob: glob holds only on a string, but "
        "`principal.days_unseen` is number or null",
    ),
]


@pytest.mark.parametrize(("rule_id", "body", "error"), GRANTS_BAD, ids=[b[0] for b in GRANTS_BAD])
def test_a_grants_rule_path_that_names_no_field_is_a_load_error(
    run, tmp_path, rule_id, body, error
):
    path = rule_file(tmp_path, rule_id, body)
    result = run("check", str(EXAMPLE), "--rules", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path.parent}/{error}\n"


def test_every_builtin_grants_rule_loads_against_the_grant_fields():
    grant_rules = [r for r in load_rules() if r.scope == "grants"]
    assert {r.id for r in grant_rules} == {
        "critical-export-control-unapproved",
        "everyone-team-export-control",
        "inactive-member-export-control",
        "service-token-export-control",
    }
    grants = known_fields("grants")
    assert {"principal", "action", "via", "paths", "roles", "statement", "destination"} <= set(
        grants
    )
    assert "destination" not in grants["statement"].children
    assert grants["via"].children is grants["paths"].items.children  # type: ignore[union-attr]
