"""Shared pieces of the diff and review tests: snapshots, change files, running both commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from conftest import ROOT, destination, export

EXAMPLE_CHANGE = ROOT / "examples" / "change.yaml"
SECRET = "SENTINEL-c0ffee-91"
AUDIT_STREAM = "610addeadbeefaa86ec9a7d4"


def off_patch(ident: str = AUDIT_STREAM, project: str = "payments", env: str = "production"):
    return {
        "method": "PATCH",
        "path": f"/api/v2/destinations/{project}/{env}/{ident}",
        "body": [{"op": "replace", "path": "/on", "value": False}],
    }


def write_change(tmp_path: Path, calls: Any, name: str = "change.yaml") -> Path:
    """A change file; YAML unless `name` ends in .json."""
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(calls, indent=2), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(calls, sort_keys=False), encoding="utf-8")
    return path


def two_destinations() -> dict[str, Any]:
    """A clean pubsub destination in payments/production and one in web/staging."""
    return export(
        destination(AUDIT_STREAM, name="payments-events"),
        destination(
            "6523f1c0a9e7b2d4c8f01a14", name="web-staging", project="web", environment="staging"
        ),
    )


def ids(report: dict[str, Any], status: str) -> list[str]:
    return [f["rule_id"] for f in report["findings"][status]]
