"""One sentinel, planted in every secret auditor can be given, found in no output of any
command and format.

Planted: every secret config field of every known kind (kinds.KINDS), the config of an
unknown kind, a config sent as a JSON string, the API token (LD_API_KEY, with the fake
API), and the POST and PATCH bodies of a change file. Searched: stdout and stderr of every
command, every report of every format in the output registries (`FORMATS` for check,
`DIFF_FORMATS` for diff and review, so a new format is covered without touching this test),
a user template's output, the SQLite history database and its journal, the evidence pack,
the snapshot's sidecar. The snapshot itself is the export as received and is not searched.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FIXED_NOW, destination, export
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FakeLaunchDarkly,
    fake_ld_fixture,
    ok,
)

from auditor.launchdarkly.kinds import KINDS
from auditor.outputs import FORMATS
from auditor.outputs.diff import DIFF_FORMATS

SENTINEL = "SNTL-9c4e27"
TOKEN = f"api-{SENTINEL}-token"


def planted(tag: str) -> dict[str, Any]:
    """An export holding the sentinel in every secret field, each value told apart by `tag`."""
    items = []
    for n, (kind, fields) in enumerate(sorted(KINDS.items())):
        config = {
            name: f"{SENTINEL}-{tag}-{kind}-{name}" if f.secret else "ok"
            for name, f in fields.items()
        }
        config["undocumented"] = f"{SENTINEL}-{tag}-{kind}-undocumented"
        items.append(destination(f"6523f1c0a9e7b2d4c8f01c{n:02d}", kind=kind, config=config))
    items.append(
        destination(
            "6523f1c0a9e7b2d4c8f01cf0", kind="s3", config={"accessKey": f"{SENTINEL}-{tag}-s3"}
        )
    )
    as_string = json.dumps({"writeKey": f"{SENTINEL}-{tag}-string"})
    items.append(destination("6523f1c0a9e7b2d4c8f01cf1", kind="segment", config=as_string))
    return export(*items)


CHANGE = f"""\
- method: POST
  path: /api/v2/destinations/payments/production
  body:
    name: new-segment
    kind: segment
    config: {{writeKey: "{SENTINEL}-post-writeKey", userIDContextKind: user}}
    "on": true
- method: POST
  path: /api/v2/destinations/payments/production
  body: {{name: new-s3, kind: s3, config: {{secretKey: "{SENTINEL}-post-s3"}}, "on": true}}
- method: PATCH
  path: /api/v2/destinations/payments/production/6523f1c0a9e7b2d4c8f01c00
  body: [{{op: replace, path: /config/policyKey, value: "{SENTINEL}-patch-policyKey"}}]
"""


def test_the_sentinel_appears_in_no_output_of_any_command(run, tmp_path, fake_ld, monkeypatch):
    monkeypatch.setenv("LD_API_KEY", TOKEN)
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    fake_ld.script(DESTINATIONS, ok(planted("api")))
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    before.write_text(json.dumps(planted("file")), encoding="utf-8")
    after.write_text(json.dumps(planted("rotated")), encoding="utf-8")
    change = tmp_path / "change.yaml"
    change.write_text(CHANGE, encoding="utf-8")
    template = tmp_path / "everything.txt.j2"
    template.write_text("{{ destinations | tojson }}\n{{ findings | tojson }}\n", encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "show-config.yaml").write_text(  # a rule that tries to show everything
        "id: show-config\ntitle: t\nseverity: info\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert: {config.writeKey: {equals: never}}\n"
        "message: 'config={{ destination.config }} value={{ value }} raw={{ destination }}'\n",
        encoding="utf-8",
    )
    (tmp_path / "auditor.yaml").write_text("rules: [rules]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the config file adds the rule to every command
    out = tmp_path / "out"
    out.mkdir()
    db, evidence = tmp_path / "history.db", tmp_path / "evidence"

    def reports(registry: dict[str, Any], prefix: str) -> list[str]:
        return [arg for name in registry for arg in ("-f", f"{name}:{out / f'{prefix}.{name}'}")]

    streams: list[str] = []
    codes: dict[str, int] = {}

    def call(label: str, *args: str) -> Any:
        result = run(*args)
        assert "internal error" not in result.stderr, (label, result.stderr)
        streams.extend([result.stdout, result.stderr])
        codes[label] = result.exit_code
        return result

    check = ("--now", FIXED_NOW, "--template", str(template), "--template-output", str(out / "t"))
    call("check", "check", str(before), *check, *reports(FORMATS, "check"), "-f", "text",
         "--history", str(db), "--evidence", str(evidence))  # fmt: skip
    for name in FORMATS:  # each format to stdout as well
        call(f"check -f {name}", "check", str(before), "--now", FIXED_NOW, "-f", name)
    call("check --api", "check", "--api", "--save", str(tmp_path / "snap.json"),
         *reports(FORMATS, "api"), "--history", str(db))  # fmt: skip
    call("fetch", "fetch", "-o", str(tmp_path / "fetched.json"))
    call("validate", "validate", str(before))
    findings = json.loads((out / "check.json").read_text())["findings"]
    assert {f["rule_id"] for f in findings} >= {
        "unmasked-secret",
        "unknown-destination-kind",
        "show-config",
    }
    for finding in findings:
        explain = ("explain", finding["fingerprint"], str(before), "--rules", str(rules))
        call(f"explain {finding['rule_id']}", *explain)
    call("diff", "diff", str(before), str(after), *reports(DIFF_FORMATS, "diff"))
    for name in DIFF_FORMATS:
        call(f"diff -f {name}", "diff", str(before), str(after), "-f", name)
        call(f"review -f {name}", "review", "--change", str(change), str(before), "-f", name)
    call("review", "review", "--change", str(change), str(before), *reports(DIFF_FORMATS, "review"))
    call("review --api", "review", "--change", str(change), "--api", *reports(DIFF_FORMATS, "rapi"))
    for fmt in ("text", "json"):
        call(f"history {fmt}", "history", "--db", str(db), "--format", fmt)
        call(f"history show {fmt}", "history", "show", "latest", "--db", str(db), "--format", fmt)
    call("evidence verify", "evidence", "verify", str(evidence))
    call("rules list", "rules", "list")
    call("rules show", "rules", "show", "show-config")
    call("rules test", "rules", "test")
    call("config show", "config", "show", "--json")
    call("init", "init", str(tmp_path / "project"))

    failed = {label: code for label, code in codes.items() if code not in (0, 1)}
    assert failed == {}, failed  # every command ran, so every output was produced
    assert len(list(out.iterdir())) == 1 + len(FORMATS) * 2 + len(DIFF_FORMATS) * 3
    files = [*out.iterdir(), *evidence.rglob("*"), *tmp_path.glob("history.db*")]
    files += [tmp_path / "snap.json.meta.json", tmp_path / "fetched.json.meta.json"]
    for path in files:
        if path.is_file():
            assert SENTINEL.encode() not in path.read_bytes(), path
    for text in streams:
        assert SENTINEL not in text, text[:2000]
    assert "writeKey" in (out / "check.json").read_text()  # the finding names the field
    assert (tmp_path / "fetched.json").read_bytes().count(SENTINEL.encode()) > 0  # as received


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_planted(kind):
    config = next(i["config"] for i in planted("x")["items"] if i["kind"] == kind)
    secrets = {name for name, f in KINDS[kind].items() if f.secret}
    assert all(SENTINEL in config[name] for name in secrets)
    assert SENTINEL in config["undocumented"]
