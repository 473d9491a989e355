"""No destination secret reaches the history database or the evidence pack, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import destination, export

SENTINEL = "SENTINEL-5be1c0de"
LEAKY_RULE = (
    "id: show-config\ntitle: t\nseverity: high\nsummary: s\nrationale: r\nremediation: m\n"
    "scope: destinations\nassert: {kind: {equals: never}}\n"
    "message: 'config={{ destination.config }} value={{ value }} raw={{ destination }}'\n"
)


def planted() -> dict:
    """Secrets in every secret field of mParticle, Segment and Event Hubs, and an unknown kind."""
    ids = iter(f"6523f1c0a9e7b2d4c8f01d{n:02d}" for n in range(10))
    return export(
        destination(
            next(ids),
            name="mp",
            kind="mparticle",
            config={
                "apiKey": f"{SENTINEL}-1",
                "secret": f"{SENTINEL}-2",
                "environment": "shown-value",
            },
        ),
        destination(next(ids), name="seg", kind="segment", config={"writeKey": f"{SENTINEL}-3"}),
        destination(
            next(ids),
            name="seg-string",
            kind="segment",
            config=json.dumps({"writeKey": f"{SENTINEL}-4", "userIDContextKind": "user"}),
        ),
        destination(
            next(ids),
            name="hub",
            kind="azure-event-hubs",
            on=False,
            config={
                "namespace": "shown-ns",
                "name": "hub",
                "policyName": "send",
                "policyKey": f"{SENTINEL}-5",
            },
        ),
        destination(
            next(ids), name="s3", kind="s3", config={"accessKey": f"{SENTINEL}-6", "bucket": "b"}
        ),
        destination(
            next(ids), name="odd", kind="azure-event-hubs", config={"extra": f"{SENTINEL}-7"}
        ),
    )


def all_bytes(*roots: Path) -> dict[Path, bytes]:
    found = {}
    for root in roots:
        for path in [root] if root.is_file() else root.rglob("*"):
            if path.is_file():
                found[path] = path.read_bytes()
    return found


def test_no_secret_in_the_history_database_or_the_evidence_pack(run, write_json, tmp_path):
    source = write_json(planted())
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "show-config.yaml").write_text(LEAKY_RULE)
    db = tmp_path / "history.db"
    for night in (1, 2):
        result = run(
            "check",
            str(source),
            "--rules",
            str(tmp_path / "rules"),
            "--history",
            str(db),
            "--evidence",
            str(tmp_path / f"pack{night}"),
            "--now",
            f"2026-01-0{night}T02:30:00Z",
            "-f",
            "html:-",
        )
        assert result.exit_code == 1, result.stderr
        assert SENTINEL not in result.stdout + result.stderr
    files = all_bytes(*tmp_path.glob("history.db*"), tmp_path / "pack1", tmp_path / "pack2")
    assert db in files and len(files) > 20
    for path, data in files.items():
        assert SENTINEL.encode() not in data, path
    snapshot = (tmp_path / "pack2" / "input" / "destinations.json").read_text()
    assert "shown-value" in snapshot and "shown-ns" in snapshot  # non-secret fields are kept
    assert f'"_id": "{next(iter(planted()["items"]))["_id"]}"' in snapshot
    assert b"show-config" in files[db]  # the leaky rule's findings were recorded, redacted
