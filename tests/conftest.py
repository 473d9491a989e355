"""Shared fixtures: loopback-only network, golden files, and running the CLI like a user."""

from __future__ import annotations

import ipaddress
import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLE = ROOT / "examples" / "destinations.json"
FIXED_NOW = "2026-01-31T12:00:00Z"

# Tests of the gate and of output formats are about mechanics, not about which rules exist:
# they run these built-in rules only, so that a new built-in rule changes no expectation.
CORE_RULES = (
    "access-not-reported",
    "destination-config-missing",
    "destination-disabled",
    "inverted-grant",
    "unknown-destination-kind",
    "wildcard-action-grant",
    "wildcard-resource-grant",
)


def _other_builtin_rules() -> tuple[str, ...]:
    from auditor.rulebook.ruleset import load_rules

    return tuple(sorted({r.id for r in load_rules()} - set(CORE_RULES)))


OTHER_BUILTIN_RULES = _other_builtin_rules()
CORE_ONLY = tuple(arg for rule in OTHER_BUILTIN_RULES for arg in ("--ignore", rule))
"""`check` arguments that leave only CORE_RULES of the built-in rules (custom rules stay)."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: runs the report in a real headless Chromium (Debian's chromium)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium, browser tests are skipped saying how to enable them; unless required.

    `.ci/run` sets AUDITOR_REQUIRE_BROWSER=1: there a missing browser fails the tests instead,
    so CI can never pass with the browser tests silently skipped.
    """
    from report_browser import HOW_TO_ENABLE, browser_required, chromium_available

    if chromium_available() or browser_required():
        return
    skip = pytest.mark.skip(reason=HOW_TO_ENABLE)
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite golden files from current output"
    )


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like stay on this machine
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may talk to anything but the loopback range."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(address: Any) -> None:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach non-loopback address {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            guard(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            guard(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME; `--update-golden` rewrites the file instead."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file {name} is missing; run pytest --update-golden")
            path.write_text(actual, encoding="utf-8")
        assert actual == path.read_text(encoding="utf-8"), f"output differs from golden {name}"

    return check


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def run() -> Callable[..., Run]:
    """Run the CLI in-process, as `auditor ARGS...`, with optional stdin."""

    def invoke(*args: str, stdin: str | bytes | None = None) -> Run:
        result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def run_process() -> Callable[..., Run]:
    """Run `python -m auditor ARGS...` in a real process."""

    def invoke(*args: str, stdin: bytes | None = None, cwd: Path = ROOT) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "auditor", *args],
            input=stdin,
            capture_output=True,
            cwd=cwd,
            timeout=120,
        )
        return Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())

    return invoke


def destination(
    _id: str = "610addeadbeefaa86ec9a7d4",
    *,
    name: str = "events",
    kind: str = "google-pubsub",
    on: bool = True,
    project: str = "payments",
    environment: str = "production",
    config: Any = None,
    access: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """A destination item shaped like the API's, clean by default."""
    item: dict[str, Any] = {
        "_id": _id,
        "_links": {
            "parent": {"href": "/api/v2/destinations", "type": "application/json"},
            "self": {
                "href": f"/api/v2/destinations/{project}/{environment}/{_id}",
                "type": "application/json",
            },
        },
        "name": name,
        "kind": kind,
        "version": 1,
        # a topic per destination: two default destinations are not duplicate exports
        "config": config if config is not None else {"project": "acme", "topic": f"ld-{_id}"},
        "on": on,
        "_access": access
        if access is not None
        else {
            "allowed": [
                {
                    "action": "updateName",
                    "reason": {
                        "effect": "allow",
                        "resources": [f"proj/{project}:env/{environment}:destination/{_id}"],
                        "actions": ["updateName"],
                        "role_name": "team-lead",
                    },
                }
            ],
            "denied": [],
        },
    }
    item.update(extra)
    return item


def export(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "_links": {"self": {"href": "/api/v2/destinations", "type": "application/json"}},
        "items": list(items),
    }


@pytest.fixture
def write_json(tmp_path: Path) -> Iterator[Callable[[Any, str], Path]]:
    def write(value: Any, name: str = "export.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(value), encoding="utf-8")
        return path

    yield write
