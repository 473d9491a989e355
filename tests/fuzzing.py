"""Shared pieces of the fuzz tests: hostile values, mutations of valid documents, and the
property every command must keep (a documented exit code, no traceback, whole outputs)."""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import os
import re
import tempfile
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from auditor.cli.main import cli

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""Bounded: the whole fuzz suite stays within about half a minute on two cores."""


def fuzz(max_examples: int) -> settings:
    """FUZZ with `max_examples`, or with $HYPOTHESIS_MAX_EXAMPLES when set (to fuzz longer)."""
    return settings(FUZZ, max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", max_examples)))


DEEP = "__deep__"
"""Placed as a value, then replaced in the serialised text by thousands of brackets."""

STDERR_LINE = re.compile(
    r"^(Error: |Warning: |Hint: |\d+ schema problems in \d+ items; \d+ items valid$"
    r"|evidence pack written to |recorded run \d+ in )"
)
"""What stderr may hold: errors, warnings and hints, validate's summary, and the two notes
`check` gives about its history database and evidence pack."""

# Text a hostile export or file may hold: terminal escapes, bidi overrides, NUL, line and
# paragraph separators, a lone surrogate (only as a JSON escape), markup and formulas.
HOSTILE_TEXT = [
    "\x1b[31mred\x1b[0m",
    "\u202eevil\u202c",
    "a\x00b",
    "line\u2028break\r\n",
    "\ud800",
    "x\udfffy",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "::error::injected",
    "{{ 7*7 }}{% raw %}",
    "proj/*:env/*;tag",
    "proj/[a--b]:env/[x&&y]:destination/[[:alpha:]]",
    "é" * 3 + "\U0001f600",
    "",
    " ",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(HOSTILE_TEXT),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(HOSTILE_TEXT)), inner, max_size=4
        ),
    ),
    max_leaves=12,
)
"""Any JSON value, NaN, Infinity and lone surrogates included."""

deep_text = st.sampled_from(["[", '{"a":']).flatmap(
    lambda opener: st.sampled_from([5, 180, 400, 990, 3000, 100_000]).map(
        lambda n: opener * n + ("1" + "}" * n if opener != "[" else "]" * n)
    )
)
"""Nesting from harmless to far past every recursion limit, as arrays and as objects."""


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into `value`, the root first."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return doc


def _delete(doc: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]
    return doc


MUTATIONS = ("delete", "retype", "huge", "deep", "hostile", "duplicate")


@st.composite
def mutated(
    draw: st.DrawFn, base: Any, max_mutations: int = 3, huge: tuple[int, ...] = (10_000, 300_000)
) -> Any:
    """`base` with one to `max_mutations` fields deleted, retyped, made huge (of a size from
    `huge`) or deep, given hostile text, or duplicated."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, max_mutations))):
        where = draw(st.sampled_from(list(paths(doc))))
        action = draw(st.sampled_from(MUTATIONS))
        if action == "delete":
            doc = _delete(doc, where)
        elif action == "retype":
            doc = _set(doc, where, draw(json_values))
        elif action == "huge":
            size = draw(st.sampled_from(huge))
            doc = _set(doc, where, draw(st.sampled_from(["x", "é", "\x1b", "*"])) * size)
        elif action == "deep":
            doc = _set(doc, where, DEEP)
        elif action == "hostile":
            doc = _set(doc, where, draw(st.sampled_from(HOSTILE_TEXT)))
        elif where and isinstance(parent := _get(doc, where[:-1]), list):
            parent.append(copy.deepcopy(_get(doc, where)))
    return doc


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def has_surrogate(value: Any) -> bool:
    return any(
        isinstance(node, str) and re.search("[\ud800-\udfff]", node)
        for node in _leaves_and_keys(value)
    )


def _leaves_and_keys(value: Any) -> Iterator[Any]:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        else:
            yield node


@st.composite
def json_bytes(draw: st.DrawFn, value: Any) -> bytes:
    """`value` serialised as an exporter might, then perhaps damaged at the byte level."""
    ascii_only = has_surrogate(value) or draw(st.booleans())
    text = json.dumps(value, ensure_ascii=ascii_only, indent=draw(st.sampled_from([None, 2])))
    if f'"{DEEP}"' in text:
        text = text.replace(f'"{DEEP}"', draw(deep_text), 1).replace(f'"{DEEP}"', "null")
    data = text.encode("utf-8")
    damage = draw(st.sampled_from(["none"] * 6 + ["truncate", "byte", "bom"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "byte":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at:]
    elif damage == "bom":
        data = b"\xef\xbb\xbf" + data
    return data


@st.composite
def yaml_text(draw: st.DrawFn, value: Any) -> str:
    """`value` as YAML (deep markers as flow brackets), or damaged YAML text."""
    text = yaml.safe_dump(value, allow_unicode=draw(st.booleans()), sort_keys=False)
    if DEEP in text:
        opener = draw(st.sampled_from(["[", "{a: "]))
        n = draw(st.sampled_from([5, 150, 250, 100_000]))
        nested = opener * n + ("1" + "}" * n if opener != "[" else "]" * n)
        text = text.replace(DEEP, nested, 1).replace(DEEP, "null")
    damage = draw(st.sampled_from(["none"] * 10 + ["truncate", "insert"] * 2 + ["tab", "bomb"]))
    if damage == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == "insert":
        at = draw(st.integers(0, len(text)))
        noise = draw(st.sampled_from([*"[]{}:-?&*!|>'\"#%@`\t\n,", "\\ud800", "&a *a"]))
        text = text[:at] + noise + text[at:]
    elif damage == "tab":
        text = text.replace("  ", "\t", 1)
    elif damage == "bomb":
        text = BILLION_LAUGHS + text
    return text


BILLION_LAUGHS = "".join(
    f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}" if i else "lol"] * 9) + "]\n" for i in range(9)
)
"""Nine lines that aliases expand to 387 million strings."""


class Sandbox:
    """A scratch directory whose output files are cleared before every example."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / name

    def write(self, name: str, data: str | bytes) -> Path:
        target = self.root / name
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8", errors="surrogatepass")
        return target

    def clear(self, *names: str) -> None:
        for name in names:
            (self.root / name).unlink(missing_ok=True)


@contextmanager
def sandbox() -> Iterator[Sandbox]:
    with tempfile.TemporaryDirectory(prefix="auditor-fuzz-") as root:
        yield Sandbox(Path(root))


def invoke(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    """Run the CLI in-process; exceptions the CLI does not translate propagate.

    On an internal error the run is repeated with --debug, and the traceback added to
    stderr, so that a failing example shows where the bug is.
    """
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    stderr = result.stderr
    if "internal error" in stderr:
        again = CliRunner().invoke(cli, ["--debug", *args], input=stdin)
        if again.exc_info is not None:
            stderr += "".join(traceback.format_exception(*again.exc_info)[-8:])
    return result.exit_code, result.stdout, stderr


def assert_clean(code: int, stderr: str, allowed: frozenset[int] = frozenset({0, 1, 2, 3})) -> None:
    """The property: a documented exit code, and stderr of one-line errors and warnings only.

    "internal error" is what the CLI says of an exception nobody anticipated: a bug.
    """
    assert code in allowed, (code, stderr)
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr
    for line in stderr.splitlines():
        assert STDERR_LINE.match(line), f"unexpected stderr line {line!r} in:\n{stderr}"
    if code in (2, 4):  # exit 3 may instead report schema problems in the outputs
        assert stderr.startswith("Error: ") or "\nError: " in stderr, stderr


def _json_ok(text: str) -> None:
    json.loads(text)


def _xml_ok(text: str) -> None:
    ET.fromstring(text.encode("utf-8"))


def _html_ok(text: str) -> None:
    assert text.rstrip().endswith("</html>"), text[-200:]


def _csv_ok(text: str) -> None:
    csv.field_size_limit(1 << 30)  # a fuzzed name may be a megabyte long
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows and rows[0][0] == "severity"
    assert all(len(row) == len(rows[0]) for row in rows)


def _text_ok(text: str) -> None:
    assert text.endswith("\n")


WELL_FORMED: dict[str, Callable[[str], None]] = {
    "json": _json_ok,
    "sarif": _json_ok,
    "junit": _xml_ok,
    "html": _html_ok,
    "csv": _csv_ok,
    "markdown": _text_ok,
    "text": _text_ok,
    "github": lambda text: None,  # workflow commands: any lines; written whole or not at all
}


def assert_outputs_whole(box: Sandbox, outputs: dict[str, str]) -> None:
    """Each output file is absent, or complete in its format."""
    for name, fmt in outputs.items():
        target = box.path(name)
        if target.exists():
            text = target.read_text(encoding="utf-8")
            WELL_FORMED[fmt](text)
    leftovers = [p.name for p in box.root.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers, leftovers


def finite(value: Any) -> bool:
    return not (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


# --- Strategies of the second hardening round (issue 21) --------------------------------

PLANTED_SECRET = "PLNT-5e71c0"
"""Planted in every secret or opaque config value: it may appear in no output."""

SECRET_DESTINATIONS: list[dict[str, Any]] = [
    {"id": "s-seg", "kind": "segment", "config": {"writeKey": f"{PLANTED_SECRET}-wk-proj/*"}},
    {
        "id": "s-mp",
        "kind": "mparticle",
        "config": {
            "apiKey": f"{PLANTED_SECRET}-api",
            "secret": f"proj/{PLANTED_SECRET}*:env/*",
            "environment": "production",
        },
    },
    {"id": "s-bq", "kind": "bigquery", "config": {"region": f"{PLANTED_SECRET}-opaque-updateOn"}},
    {"id": "s-new", "kind": "no-such-kind", "config": {"token": f"{PLANTED_SECRET} updateOn"}},
]
"""(id, kind, config) of destinations whose config holds only values that must not show."""

CONFIG_POINTERS = [
    "/config",
    "/config/writeKey",
    "/config/apiKey",
    "/config/secret",
    "/config/region",
    "/config/token",
    "/config/environment",
    "/config/userIDContextKind",
    "/config/streamName",
    "/config/project",
    "/config/missing",
]
KINDS_DRAWN = ["segment", "mparticle", "kinesis", "google-pubsub", "bigquery", "no-such-kind"]


SHOWN_TARGETS = [
    "/config/userIDContextKind",
    "/config/anonymousIDContextKind",
    "/config/environment",
    "/config/region",
    "/config/streamName",
    "/config/project",
    "/config/topic",
]
"""Config fields some known kind shows in reports: where a moved secret would be seen."""


@st.composite
def secret_patches(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Change-file calls whose JSON Patch operations copy and move secret and opaque values
    (or the whole config) towards fields that some kind shows, change kinds, and replace
    or retype values, in any order (item 1)."""
    calls = []
    for dest in draw(st.lists(st.sampled_from(SECRET_DESTINATIONS), min_size=1, max_size=2)):
        sources = ["/config", *(f"/config/{key}" for key in dest["config"])]
        ops = []
        for _ in range(draw(st.integers(1, 4))):
            op = draw(st.sampled_from(["copy", "move", "copy", "move", "replace", "kind", "other"]))
            path = draw(st.sampled_from(SHOWN_TARGETS + CONFIG_POINTERS))
            if op == "kind":
                kind = draw(st.sampled_from(KINDS_DRAWN))
                ops.append({"op": "replace", "path": "/kind", "value": kind})
            elif op in ("copy", "move"):
                source = draw(st.sampled_from(sources + CONFIG_POINTERS))
                ops.append({"op": op, "from": source, "path": path})
            elif op == "other":
                ops.append({"op": "remove", "path": path})
            else:
                ops.append({"op": "add", "path": path, "value": draw(st.sampled_from(["x", 1]))})
        calls.append(
            {"method": "PATCH", "path": f"/api/v2/destinations/payments/production/{dest['id']}",
             "body": ops}
        )  # fmt: skip
    return calls


OPERATOR_CONDITIONS: list[dict[str, Any]] = [
    {"resource_covers": "proj/payments:env/production:destination/x"},
    {"action_covers": "updateOn"},
    {"valid_specifier": True},
    {"valid_specifier": False},
    {"resource_wildcard": True},
    {"resource_wildcard": ["proj", "env"]},
    {"action_wildcard": True},
    {"matches": "PLNT"},
    {"glob": "*updateOn*"},
    {"grants": {"action": "updateOn"}},
    {"scoped_to": "project"},
    {"reach": {"destinations": {"gte": 1}}},
    {"can": {"action": "updateOn", "allowed": True, "by": "statement"}},
]


@st.composite
def operator_rules(draw: st.DrawFn) -> dict[str, Any]:
    """A custom rule pointing LaunchDarkly-aware operators at config fields (item 2), with
    `valid_specifier` beside them so that the rule explains its findings."""
    scope = draw(st.sampled_from(["destinations", "statements"]))
    prefix = "config" if scope == "destinations" else "destination.config"
    field = draw(st.sampled_from(["writeKey", "apiKey", "secret", "region", "token", ""]))
    path = f"{prefix}.{field}" if field else prefix
    conditions = draw(st.lists(st.sampled_from(OPERATOR_CONDITIONS), min_size=1, max_size=3))
    wrap = draw(st.sampled_from(["plain", "not", "or"]))
    condition: dict[str, Any] = {k: v for c in conditions for k, v in c.items()}
    if wrap == "not":
        condition = {"not": condition}
    elif wrap == "or":
        condition = {"or": [{k: v} for k, v in condition.items()]}
    return {
        "id": "fuzz-operators",
        "title": "t",
        "severity": "high",
        "summary": "s",
        "rationale": "r",
        "remediation": "m",
        "scope": scope,
        "assert": {"and": [{path: condition}, {path: {"valid_specifier": True}}]},
        "message": "{{ destination.name }}",
    }


@st.composite
def duplicated_key(draw: st.DrawFn, value: Any) -> tuple[str, str]:
    """(JSON text of `value` with one key of one object written twice, the key's pointer)."""
    pointers = [p for p in paths(value) if p and isinstance(_get(value, p[:-1]), dict)]
    where = draw(st.sampled_from(pointers))
    parent = _get(value, where[:-1])
    marker = "__DUPLICATE_HERE__"
    first = draw(json_values.filter(lambda v: all(map(finite, _leaves_and_keys(v)))))
    if has_surrogate(first):
        first = None
    # the repeated key goes first: the value a reader keeps is what the base document holds
    parent_copy = {marker: first, **parent}
    doc = _set(copy.deepcopy(value), where[:-1], parent_copy)
    key = json.dumps(where[-1])
    text = json.dumps(doc).replace(f'"{marker}"', key, 1)
    pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in where)
    return text, pointer


TEMPLATE_PIECES = [
    "{{ destination.name }}",
    "{{ destination.nme }}",
    "{{ statement.resources|join(', ') }}",
    "{{ destination.config.region }}",
    "{{ value }}",
    "{{ 9999999999999999999 ** 9999999 }}",
    "{{ 2 ** 100000000 }}",
    "{{ (1, 2) * 100000000 }}",
    "{{ 'ab' * 3 }}",
    '{{ "%999999999s" % 1 }}',
    '{{ "{:>999999999}".format(1) }}',
    "{{ 'x'|center(999999999) }}",
    "{{ destination.name|replace('', 'aaaa')|replace('a', 'aaaa')|replace('a', 'aaaa') }}",
    "{{ destination.name * 100000 }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "{% if destination.on %}on{% else %}off{% endif %}",
    "{% set x = 1 %}",
    "{% macro m() %}{% endmacro %}",
    "{{ range(10)|list }}",
    "{{ lipsum(1000000) }}",
    "{{ destination.__class__ }}",
    "{{ params }}",
    "{{ rule.id ~ rule.title }}",
    "{% raw %}{{{% endraw %}",
    "{{",
]


template_payloads = st.lists(st.sampled_from(TEMPLATE_PIECES), min_size=1, max_size=4).map("".join)
"""Rule messages built from pieces that hang, explode, escape or are fine (item 5)."""
user_template_payloads = st.lists(
    st.sampled_from([p for p in TEMPLATE_PIECES if "{% for" not in p]), min_size=1, max_size=4
).map("".join)
"""The same for user templates, but for the nested loops: a user's own report template may
loop (its output is capped), so a loop of 10^10 empty steps is the user's to avoid."""

EXTREME_NUMBERS = [
    "1e999",
    "-1e999",
    "1.5e308",
    "9e-999",
    "-0",
    "9" * 4300,
    "9" * 4301,
    "-" + "9" * 5000,
    "123456789012345678901234567890",
    "0.1e-400",
]
"""Numbers as JSON text: past the float range, past Python's digit limit, or just large
(item 13)."""
EXTREME_YAML_NUMBERS = [".nan", ".inf", "-.inf", ".NaN", "1e999", "9" * 5000, "0x" + "f" * 300]
