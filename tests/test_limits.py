"""The documented limits: input size, nesting depth, YAML aliases, HTML findings, and
regular expressions and globs that cannot backtrack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORE_ONLY, ROOT, destination, export
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FakeLaunchDarkly,
    Reply,
    destinations,
    fake_ld_fixture,
    ok,
)
from fakeapi import destination as api_destination

from auditor.io import sources
from auditor.io.limits import DEFAULT_MAX_INPUT_SIZE, format_size, parse_size
from auditor.io.yamlfile import MAX_DEPTH
from auditor.language import regex
from auditor.outputs import html


@pytest.mark.parametrize(
    ("text", "size"),
    [("200MB", 200_000_000), ("1.5GB", 1_500_000_000), ("512KiB", 524_288), ("1000", 1000),
     ("64 kb", 64_000), ("2MiB", 2_097_152)],
)  # fmt: skip
def test_sizes_are_written_with_units(text, size):
    assert parse_size(text) == size


def test_the_default_is_50_mb_and_shown_as_written():
    assert parse_size("50MB") == DEFAULT_MAX_INPUT_SIZE
    assert format_size(DEFAULT_MAX_INPUT_SIZE) == "50 MB"
    assert format_size(parse_size("64KiB")) == "64 KiB"


@pytest.mark.parametrize("text", ["", "MB", "-1MB", "0", "1TB", "1.5.2MB"])
def test_a_bad_size_is_a_usage_error(run, text):
    result = run("validate", str(ROOT / "examples" / "destinations.json"), "--max-input-size", text)
    assert result.exit_code == 2
    assert "--max-input-size" in result.stderr


@pytest.mark.parametrize("command", ["check", "validate", "explain", "diff", "review"])
def test_every_export_reader_refuses_a_file_over_the_limit(run, tmp_path, command):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(destination())), encoding="utf-8")
    change = tmp_path / "change.yaml"
    change.write_text("[]\n", encoding="utf-8")
    args = {
        "check": ["check", str(path)],
        "validate": ["validate", str(path)],
        "explain": ["explain", "abc", str(path)],
        "diff": ["diff", str(path), str(path)],
        "review": ["review", "--change", str(change), str(path)],
    }[command]
    result = run(*args, "--max-input-size", "100")
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: {path} is larger than 100 bytes; raise the limit with --max-input-size\n",
    )
    assert run(*args, "--max-input-size", "1MB").exit_code in (0, 1, 2)


def test_stdin_is_counted_not_trusted(run):
    data = json.dumps(export(destination())).encode()
    result = run("check", "-", "--max-input-size", "1KB", stdin=data * 3)
    assert (
        result.stderr == "Error: stdin is larger than 1 KB; raise the limit with --max-input-size\n"
    )
    assert result.exit_code == 3
    assert run("check", "-", "--max-input-size", "1MB", stdin=data).exit_code in (0, 1)


def test_a_file_is_refused_by_its_size_before_it_is_read(run, tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    with path.open("wb") as handle:  # sparse: 300 MB that take no disk
        handle.truncate(300_000_000)
    reads = []
    monkeypatch.setattr(sources, "_read_at_most", lambda *args: reads.append(args))
    result = run("validate", str(path))
    assert result.stderr == (
        f"Error: {path} is larger than 50 MB; raise the limit with --max-input-size\n"
    )
    assert reads == []


def test_an_api_response_over_the_limit_is_exit_4(run, fake_ld: FakeLaunchDarkly, monkeypatch):
    monkeypatch.setenv("LD_API_KEY", "api-limit-test")
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    fake_ld.script(
        DESTINATIONS, ok(destinations(*[api_destination(f"{i:024x}") for i in range(20)]))
    )
    result = run("fetch", "--max-input-size", "4KB")
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: the response from {fake_ld.base_url}/api/v2/destinations is larger than 4 KB;"
        " raise the limit with --max-input-size\n"
    )
    assert len(fake_ld.requests) == 1  # not retried
    assert run("fetch", "--max-input-size", "1MB").exit_code == 0


def test_an_api_response_without_a_length_is_counted():
    """A chunked body declares no length: it is counted as it arrives, and cut off early."""
    import requests

    from auditor.errors import ApiError
    from auditor.io.client import ClientConfig, _Fetcher

    class Chunked:
        headers: dict[str, str] = {}  # noqa: RUF012 - a stand-in for requests' Response
        closed = False
        served = 0

        @property
        def raw(self) -> Chunked:  # urllib3's response, read as data arrives
            return self

        def read1(self, size: int, decode_content: bool = True) -> bytes:
            self.served += 1
            return b"x" * size

        def close(self) -> None:
            self.closed = True

    config = ClientConfig(base_url="http://127.0.0.1", token="api-test-token", max_body=100_000)
    fetcher = _Fetcher(config, requests.Session(), lambda s: None, print, lambda: 0.0, lambda: 0.0)
    fetcher.deadline = 60.0
    response = Chunked()
    with pytest.raises(ApiError, match="is larger than 100 KB"):
        fetcher._read_body(response, "http://127.0.0.1/api/v2/destinations")  # type: ignore[arg-type]
    assert response.closed
    assert response.served == 2  # two 64 KiB chunks, then it stopped reading


@pytest.mark.parametrize("opener", ["[", '{"a":'])
@pytest.mark.parametrize("command", ["check", "validate"])
def test_deep_json_is_exit_3_in_either_shape(run_process, tmp_path, opener, command):
    depth = 100_000
    closer = "]" if opener == "[" else "}"
    deep = opener * depth + ("" if opener == "[" else "1") + closer * depth
    for text in (
        deep,
        json.dumps(export(destination(config={"x": 1}))).replace("1}", deep + "}", 1),
    ):
        path = tmp_path / "deep.json"
        path.write_text(text, encoding="utf-8")
        result = run_process(command, str(path))
        assert (result.exit_code, result.stderr) == (
            3,
            "Error: input is nested too deeply to be a destinations export\n",
        )


@pytest.mark.parametrize("opener", ["[", "{a: "])
@pytest.mark.parametrize("kind", ["waivers", "rules", "config"])
def test_deep_yaml_is_one_line_and_exit_2(run_process, tmp_path, opener, kind):
    depth = 100_000  # libyaml would recurse in C for each level, and crash the interpreter
    closer = "]" if opener == "[" else "}"
    deep = opener * depth + ("" if opener == "[" else "1") + closer * depth
    path = tmp_path / ("x.yaml" if kind != "rules" else "deep-rule.yaml")
    path.write_text(f"waivers: {deep}\n", encoding="utf-8")
    example = str(ROOT / "examples" / "destinations.json")
    args = {
        "waivers": ["check", example, "--waivers", str(path)],
        "rules": ["check", example, "--rules", str(path)],
        "config": ["--config", str(path), "check", example],
    }[kind]
    result = run_process(*args)
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: {path}:1: nested more than {MAX_DEPTH} levels deep\n",
    )


def test_yaml_aliases_cannot_expand_without_bound(run_process, tmp_path):
    lines = [
        f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}" if i else "lol"] * 9) + "]" for i in range(9)
    ]
    path = tmp_path / "waivers.yaml"
    path.write_text("\n".join([*lines, "waivers: *x8"]) + "\n", encoding="utf-8")
    result = run_process(
        "check", str(ROOT / "examples" / "destinations.json"), "--waivers", str(path)
    )
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: {path}: aliases expand to too many nodes (more than 10,000)\n",
    )


def test_html_lists_at_most_max_findings_and_counts_the_rest(run, tmp_path, monkeypatch):
    assert html.MAX_FINDINGS == 5_000
    monkeypatch.setattr(html, "MAX_FINDINGS", 3)
    items = [destination(f"6523f1c0a9e7b2d4c8f01b{n:02d}", on=False) for n in range(5)]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(*items)), encoding="utf-8")
    out = tmp_path / "report.html"
    result = run("check", str(path), *CORE_ONLY, "-f", f"html:{out}", "-f", "json")
    assert len(result.json["findings"]) == 5
    page = out.read_text(encoding="utf-8")
    assert "2 more findings not shown; see the JSON report." in page
    assert page.count("<tr data-finding ") == 3
    assert "… and 2 more not shown; see the JSON report." in page


def test_matches_uses_a_linear_time_engine():
    assert regex.ENGINE == "re2"
    with pytest.raises(ValueError, match="lookaround is not supported"):
        regex.compile_search("(?<=a)b")
    with pytest.raises(ValueError, match="backreferences are not supported"):
        regex.compile_search(r"(a)\1")


def test_backtracking_patterns_and_globs_finish(tmp_path: Path):
    """`(a+)+$` in a rule and `*a*a…*b` in a statement, on 20,000 `a`s: each would run for
    years on a backtracking engine. A generous timeout, not a timed assertion."""
    rule = tmp_path / "long-name.yaml"
    rule.write_text(
        "id: long-name\ntitle: t\nseverity: low\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert: {name: {not: {matches: '(a+)+$'}}}\nmessage: m\n",
        encoding="utf-8",
    )
    glob = "*a" * 30 + "*b"
    access = {
        "allowed": [
            {
                "action": "updateOn",
                "reason": {
                    "effect": "allow",
                    "resources": [f"proj/{glob}:env/*:destination/*"],
                    "actions": [glob, "updateOn"],
                    "role_name": "r",
                },
            }
        ],
        "denied": [],
    }
    long = "a" * 20_000
    item = destination(name=long + "!", project=long, access=access)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(item)), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "check", str(path), "--rules", str(rule), "-f", "json"],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == b""


def test_the_html_diff_lists_at_most_max_findings_too(run, tmp_path, monkeypatch):
    from auditor.outputs.diff import html as diff_html

    monkeypatch.setattr(diff_html, "MAX_FINDINGS", 3)
    before = [destination(f"6523f1c0a9e7b2d4c8f01b{n:02d}", on=False) for n in range(4)]
    after = [destination(f"6523f1c0a9e7b2d4c8f01b{n:02d}") for n in range(2)] + before[2:]
    paths = []
    for name, items in (("before.json", before), ("after.json", after)):
        paths.append(tmp_path / name)
        paths[-1].write_text(json.dumps(export(*items)), encoding="utf-8")
    out = tmp_path / "diff.html"
    result = run(
        "diff",
        *map(str, paths),
        "--select",
        "destination-disabled",
        "-f",
        f"html:{out}",
        "-f",
        "json",
    )
    assert len(result.json["findings"]["resolved"]) == 2
    assert len(result.json["findings"]["unchanged"]) == 2
    page = out.read_text(encoding="utf-8")
    assert "… and 1 more not shown; see the JSON report." in page


def test_a_json_change_file_nests_no_deeper_than_a_yaml_one(run, tmp_path):
    # Found by the change-file fuzzer: a value 900 lists deep parsed as JSON, then made the
    # review overflow the stack later and was misreported as a bad export (exit 3).
    value: list = []
    node = value
    for _ in range(900):
        node.append([])
        node = node[0]
    change = tmp_path / "change.json"
    change.write_text(
        json.dumps(
            [
                {
                    "method": "PATCH",
                    "path": "/api/v2/destinations/web/staging/6523f1c0a9e7b2d4c8f01a14",
                    "body": [{"op": "add", "path": "/config/policyKey", "value": value}],
                }
            ]
        )
    )
    result = run("review", "--change", str(change), str(ROOT / "examples" / "destinations.json"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {change}: nested more than {MAX_DEPTH} levels deep\n"


# Counts: each destination and statement costs memory however few bytes it takes


def _grant(resource: str) -> dict:
    reason = {"effect": "allow", "resources": [resource], "actions": ["*"]}
    return {"action": "updateOn", "reason": reason}


def test_more_destinations_than_the_size_limit_allows_are_refused(run, write_json):
    items = [{"_id": str(i), "name": "n", "kind": "k", "on": True} for i in range(3)]
    path = write_json({"items": items})
    result = run("check", str(path), "--max-input-size", "4KB", "-f", "json")
    assert result.exit_code == 3
    assert result.stderr == (
        "Error: the export has 3 destinations, more than the 2 that --max-input-size 4 KB allows\n"
        "Hint: each destination and policy statement costs memory however small it is;"
        " raise --max-input-size to allow more\n"
    )
    assert run("check", str(path), "--max-input-size", "6KB", "-f", "json").exit_code == 1


def test_more_statements_than_the_size_limit_allows_are_refused(run, write_json):
    grants = [_grant(f"proj/p{i}:env/*:destination/*") for i in range(7)]
    item = {"_id": "d", "name": "n", "kind": "k", "on": True,
            "_access": {"allowed": grants, "denied": []}}  # fmt: skip
    path = write_json({"items": [item]})
    result = run("validate", str(path), "--max-input-size", "4KB")  # 6 statements allowed
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "Error: the export has more than the 6 distinct policy statements that"
        " --max-input-size 4 KB allows\n"
    )


def test_long_shown_strings_are_cut_with_a_marker_and_counted(run, write_json, tmp_path):
    config = {"region": "r" * 3000, "roleArn": "arn", "streamName": "s"}
    item = {"_id": "d", "name": "n" * 1500, "kind": "kinesis", "on": False, "config": config,
            "_links": {"self": {"href": "/api/v2/destinations/p/e/d"}}}  # fmt: skip
    outputs = ("-f", f"json:{tmp_path / 'r.json'}", "-f", f"text:{tmp_path / 'r.txt'}")
    run("check", str(write_json({"items": [item]})), *outputs)
    report = json.loads((tmp_path / "r.json").read_text())
    names = {f["destination"]["name"] for f in report["findings"]}
    assert names == {"n" * 1000 + "…[cut at 1,000 of 1,500 characters]"}
    assert report["summary"]["shortened"] >= 2  # the name and the region, at least
    assert "long strings cut, each marked …[cut...])" in (tmp_path / "r.txt").read_text()
