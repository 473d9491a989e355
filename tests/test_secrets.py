"""Destination secrets never appear in any output, not even masked."""

from __future__ import annotations

from pathlib import Path

from conftest import destination, export

from auditor.launchdarkly.kinds import KINDS
from auditor.outputs import FORMATS

SENTINEL = "SENTINEL-7f3a9c"


def planted_export() -> dict:
    items = []
    for n, (kind, fields) in enumerate(sorted(KINDS.items())):
        config = {
            name: (f"{SENTINEL}-{kind}-{name}" if f.secret else "shown-value")
            for name, f in fields.items()
        }
        config["unknownField"] = f"{SENTINEL}-{kind}-unknown"  # an undocumented field
        if not fields:  # kinds with undocumented config: every field is opaque
            config["token"] = f"{SENTINEL}-{kind}-token"
        items.append(
            destination(f"6523f1c0a9e7b2d4c8f01b{n:02d}", kind=kind, on=n % 2 == 0, config=config)
        )
    items.append(
        destination("6523f1c0a9e7b2d4c8f01bff", kind="s3", config={"accessKey": f"{SENTINEL}-s3"})
    )
    items.append(destination("6523f1c0a9e7b2d4c8f01bfe", kind="segment", config={"x": 1}, on=True))
    broken = destination("6523f1c0a9e7b2d4c8f01bfd", kind="segment", config=f"{SENTINEL}-not-json")
    items.append(broken)
    return export(*items)


def test_no_secret_in_any_format(run, write_json, tmp_path):
    path = write_json(planted_export())
    leaky_rule = tmp_path / "rules" / "show-config.yaml"
    leaky_rule.parent.mkdir()
    leaky_rule.write_text(
        "id: show-config\ntitle: t\nseverity: info\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert: {kind: {equals: never}}\n"
        "message: 'config={{ destination.config }} value={{ value }} raw={{ destination }}'\n"
    )
    outputs = []
    for name in FORMATS:
        outputs += ["-f", f"{name}:{tmp_path / ('out.' + name)}"]
    result = run("check", str(path), "--rules", str(leaky_rule.parent), *outputs, "-f", "text")
    assert result.exit_code == 3  # the broken config item
    assert "shown-value" in (tmp_path / "out.json").read_text()  # non-secret fields are shown
    for name in FORMATS:
        text = (tmp_path / f"out.{name}").read_text()
        assert SENTINEL not in text, name
    assert SENTINEL not in result.stdout
    assert SENTINEL not in result.stderr
    validate = run("validate", str(path))
    assert SENTINEL not in validate.stdout + validate.stderr


def test_every_secret_field_is_planted():
    planted = planted_export()
    secret_fields = {(k, n) for k, fields in KINDS.items() for n, f in fields.items() if f.secret}
    assert secret_fields == {
        ("mparticle", "apiKey"),
        ("mparticle", "secret"),
        ("segment", "writeKey"),
        ("azure-event-hubs", "policyKey"),
        ("clickhouse", "clickHousePassword"),
    }
    seen = {
        (i["kind"], key)
        for i in planted["items"]
        if isinstance(i["config"], dict)
        for key in i["config"]
    }
    assert secret_fields <= seen


def test_secret_in_a_failing_path_value_is_not_rendered(run, write_json, tmp_path: Path):
    rule = tmp_path / "short-key.yaml"
    rule.write_text(
        "id: short-key\ntitle: t\nseverity: high\nsummary: s\nrationale: r\nremediation: m\n"
        "scope: destinations\nassert: {config.writeKey: {length: {max: 3}}}\n"
        "message: 'key is {{ value }}'\n"
    )
    item = destination(kind="segment", config={"writeKey": f"{SENTINEL}-write"})
    result = run("check", str(write_json(export(item))), "--rules", str(rule), "-f", "json")
    (finding,) = [f for f in result.json["findings"] if f["rule_id"] == "short-key"]
    assert finding["message"] == "key is"
    assert SENTINEL not in result.stdout


def test_an_unmasked_secret_is_found_but_never_shown(run, write_json, tmp_path: Path):
    items = [
        destination(
            "6523f1c0a9e7b2d4c8f01b01",
            kind="segment",
            config={"writeKey": f"{SENTINEL}-clear-write-key"},
        ),
        destination(
            "6523f1c0a9e7b2d4c8f01b02",
            kind="mparticle",
            config={
                "apiKey": "mpa********a1f",
                "secret": f"{SENTINEL}",
                "environment": "production",
            },
        ),
        destination(
            "6523f1c0a9e7b2d4c8f01b03",
            kind="azure-event-hubs",
            config={
                "namespace": "n",
                "name": "h",
                "policyName": "p",
                "policyKey": "pol********key",
            },
        ),
    ]
    path = write_json(export(*items))
    outputs = []
    for name in FORMATS:
        outputs += ["-f", f"{name}:{tmp_path / ('out.' + name)}"]
    result = run("check", str(path), "--select", "unmasked-secret", *outputs, "-f", "json")
    findings = result.json["findings"]
    assert [(f["destination"]["kind"], f["message"]) for f in findings] == [
        (
            "segment",
            "events (segment) holds writeKey in clear text instead of the API's masked form; "
            "the value is not shown",
        ),
        (
            "mparticle",
            "events (mparticle) holds secret in clear text instead of the API's masked form; "
            "the value is not shown",
        ),
    ]
    texts = [result.stdout, result.stderr]
    texts += [(tmp_path / f"out.{name}").read_text() for name in FORMATS]
    for finding in findings:
        shown = run("explain", finding["fingerprint"], str(path))
        assert shown.exit_code == 0
        texts += [shown.stdout, shown.stderr]
    assert all(SENTINEL not in text for text in texts)
