"""Shared fixtures for the report tests: exports to audit, golden files, the network guard."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import OTHER_BUILTIN_RULES

from auditor.audit import AuditOptions, gate_fails, run_audit
from auditor.models import AuditResult, Source
from auditor.outputs import RenderOptions, render

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
GOLDEN = TESTS / "golden"
ARTIFACTS = ROOT / "test-artifacts"
NOW = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
FIXTURE_EXPORT = "tests/data/report-export.json"
UPDATE_GOLDEN = os.environ.get("AUDITOR_UPDATE_GOLDEN") == "1"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def source(data: bytes, path: str = "<test>") -> Source:
    return Source(path=path, sha256=hashlib.sha256(data).hexdigest(), data=data)


def audit(doc: Mapping[str, Any] | bytes, *, path: str = "<test>", **options: Any) -> AuditResult:
    """Run the real audit on an export given as a dict or as bytes, at the fixed NOW."""
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode("utf-8")
    options.setdefault("ignore", OTHER_BUILTIN_RULES)  # see conftest.CORE_RULES
    return run_audit(source(data, path), AuditOptions(now=NOW, **options))


def accept(result: AuditResult, rule_id: str, status: str, waiver: Any = None) -> AuditResult:
    """`result` with `rule_id`'s findings marked waived or baselined, and the verdict redone."""
    findings = tuple(
        replace(f, status=status, waiver=waiver) if f.rule_id == rule_id else f
        for f in result.findings
    )
    passed = not result.problems and not any(gate_fails(f, result.fail_on) for f in findings)
    return replace(result, findings=findings, passed=passed)


def fixture_result() -> AuditResult:
    """The golden files' audit: tests/data/report-export.json, one finding waived, one baselined."""
    result = audit((ROOT / FIXTURE_EXPORT).read_bytes(), path=FIXTURE_EXPORT)
    waiver = {
        "reason": "Segment export paused during vendor migration | see <CHG-42>",
        "owner": "@data-platform",
        "expires": "2026-03-01",
    }
    result = accept(result, "destination-disabled", "waived", waiver)
    return accept(result, "access-not-reported", "baselined")


def rendered(fmt: str, result: AuditResult, **options: Any) -> str:
    return render(fmt, result, RenderOptions(**options))


def check_golden(name: str, actual: str, *, update: bool = False) -> None:
    """Compare with tests/golden/NAME; `update` or AUDITOR_UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / name
    if update or UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path} is missing; run with AUDITOR_UPDATE_GOLDEN=1 to create it"
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name} differs from its golden file (AUDITOR_UPDATE_GOLDEN=1)"


def destination(
    name: str,
    kind: str,
    *,
    index: int,
    on: bool = True,
    project: str | None = "payments",
    environment: str = "production",
    config: Any = None,
    allowed: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """One export item; `allowed` statements become its `_access.allowed` entries.

    `project=None` leaves out the self link, so the destination has no project.
    """
    dest_id = f"d{index:023d}"
    item: dict[str, Any] = {"_id": dest_id, "name": name, "kind": kind, "on": on, "config": config}
    if project is not None:  # without a self link, the project and environment are unknown
        href = f"/api/v2/destinations/{project}/{environment}/{dest_id}"
        item["_links"] = {"self": {"href": href}}
    if allowed is not None:
        item["_access"] = {
            "allowed": [{"action": a, "reason": dict(s)} for s in allowed for a in s["actions"]],
            "denied": [],
        }
    return item


def export(*items: Mapping[str, Any]) -> dict[str, Any]:
    return {"items": list(items)}


@pytest.fixture(name="loopback_only_network")
def loopback_only_network_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any name lookup or connection from this process that is not for loopback."""
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def check(host: Any) -> None:
        if host is not None and host not in LOOPBACK:
            raise AssertionError(f"test tried to reach {host!r}; only loopback is allowed")

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            check(address[0])
        real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        check(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
