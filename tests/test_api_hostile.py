"""A hostile or broken API: echoed tokens, clear-text proxies, dripping bodies, wrong shapes.

Every server here is on 127.0.0.1; the proxy "off this machine" is a documentation address
(192.0.2.1, TEST-NET-1) that auditor must refuse before it connects anywhere.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FakeLaunchDarkly,
    Reply,
    destination,
    destinations,
    error,
    fake_ld_fixture,
    loopback_network_fixture,
    ok,
)

from auditor.errors import ApiError, UsageError
from auditor.io.client import ClientConfig, fetch_destinations

pytestmark = pytest.mark.usefixtures("loopback_network")

TOKEN = "api-0f3c9a27-5b1e-4d8a-9c6f-2e7b1d4a8c90"
DOC = destinations(destination())
REMOTE_PROXY = "http://192.0.2.1:3128"


def pieces(token: str = TOKEN, size: int = 8) -> list[str]:
    return [token[i : i + size] for i in range(len(token) - size + 1)]


def shows_token(text: str) -> bool:
    """Whether `text` holds the token or any 8 consecutive characters of it."""
    return any(piece in text for piece in pieces())


@pytest.fixture
def api_env(fake_ld: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch) -> FakeLaunchDarkly:
    monkeypatch.setenv("LD_API_KEY", TOKEN)
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    return fake_ld


def fetch_error(fake: FakeLaunchDarkly) -> ApiError:
    config = ClientConfig(base_url=fake.base_url, token=TOKEN, max_retries=0)
    with pytest.raises(ApiError) as caught:
        fetch_destinations(config, sleep=lambda _: None, notify=lambda _: None)
    return caught.value


# Item 3: the token is scrubbed before a message is cut, in pieces too, and from bodies


def test_a_message_cut_inside_the_token_shows_none_of_it(fake_ld: FakeLaunchDarkly) -> None:
    fake_ld.script(DESTINATIONS, error(401, "unauthorized", "x" * 280 + TOKEN))
    exc = fetch_error(fake_ld)
    assert "HTTP 401" in exc.message
    assert "x" * 280 in exc.message  # the message is still shown, up to the cut
    assert not shows_token(exc.message)


def test_a_token_split_across_the_fields_of_an_error_shows_no_piece(
    fake_ld: FakeLaunchDarkly,
) -> None:
    access = {"action": TOKEN[12:26], "resource": TOKEN[26:]}
    fake_ld.script(DESTINATIONS, error(403, "forbidden", f"denied for {TOKEN[:12]}", access=access))
    exc = fetch_error(fake_ld)
    assert "denied for <redacted> (denied <redacted> on <redacted>)" in exc.message
    assert not shows_token(exc.message + str(exc.hint))


def test_a_body_echoing_the_token_is_saved_without_it(
    run, api_env: FakeLaunchDarkly, tmp_path: Path
) -> None:
    echoed = destinations(destination(name=f"created with {TOKEN}"))
    api_env.script(DESTINATIONS, ok(echoed))
    out = tmp_path / "snapshot.json"
    result = run("fetch", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    saved = out.read_text(encoding="utf-8")
    assert not shows_token(saved)
    assert json.loads(saved)["items"][0]["name"] == "created with <redacted>"
    meta = json.loads((tmp_path / "snapshot.json.meta.json").read_text())
    assert meta["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_a_body_spelling_the_token_with_escapes_is_scrubbed_too(
    run, api_env: FakeLaunchDarkly, tmp_path: Path
) -> None:
    text = json.dumps(destinations(destination(name=f"by {TOKEN}")), ensure_ascii=True)
    escaped = text.replace(TOKEN, "".join(f"\\u{ord(c):04x}" for c in TOKEN))
    api_env.script(
        DESTINATIONS, Reply(body=escaped.encode(), headers={"Content-Type": "application/json"})
    )
    out = tmp_path / "snapshot.json"
    assert run("fetch", "-o", str(out)).exit_code == 0
    assert not shows_token(json.loads(out.read_text())["items"][0]["name"])


def test_plain_http_through_a_remote_proxy_is_refused_before_connecting(
    run, api_env: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HTTP_PROXY", REMOTE_PROXY)
    monkeypatch.delenv("NO_PROXY")
    api_env.script(DESTINATIONS, ok(DOC))
    result = run("fetch", "-o", str(tmp_path / "snapshot.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: refusing to send the API token over plain http through the proxy at 192.0.2.1\n"
    )
    assert api_env.requests == []  # and the loopback guard saw no connection attempt
    assert not (tmp_path / "snapshot.json").exists()


def test_no_proxy_exempts_a_loopback_api_from_a_remote_proxy(
    run, api_env: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HTTP_PROXY", REMOTE_PROXY)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    api_env.script(DESTINATIONS, ok(DOC))
    assert run("fetch", "-o", str(tmp_path / "snapshot.json")).exit_code == 0


def test_https_through_a_remote_proxy_stays_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", REMOTE_PROXY)
    monkeypatch.setenv("HTTP_PROXY", REMOTE_PROXY)
    monkeypatch.delenv("NO_PROXY", raising=False)
    from auditor.io.client import _refuse_clear_proxy

    with requests.Session() as session:
        _refuse_clear_proxy(session, "https://app.launchdarkly.com/api/v2/destinations")
        with pytest.raises(UsageError):
            _refuse_clear_proxy(session, "http://127.0.0.1:8080/api/v2/destinations")


# Item 7: the time limit holds while a body drips in


class DrippingServer:
    """Sends a complete header, then the body one byte every `interval` seconds."""

    def __init__(self, body: bytes, interval: float) -> None:
        self.body = body
        self.interval = interval
        self.sent = 0
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.recv(65536)
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
            )
            try:
                conn.sendall(head.encode())
                for byte in self.body:
                    if self.stop.wait(self.interval):
                        return
                    conn.sendall(bytes([byte]))
                    self.sent += 1
            except OSError:
                return  # the client hung up: what this test wants

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.fixture
def dripping(monkeypatch: pytest.MonkeyPatch) -> Iterator[DrippingServer]:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    body = json.dumps(DOC).encode()
    server = DrippingServer(body, interval=0.05)  # all of it would take about 40 s
    yield server
    server.close()


def test_timeout_bounds_a_body_that_drips_in(
    run, dripping: DrippingServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LD_API_KEY", TOKEN)
    out = tmp_path / "snapshot.json"
    result = run("fetch", "--base-url", dripping.base_url, "--timeout", "1", "-o", str(out))
    assert result.exit_code == 4, result.stderr
    assert "was still arriving when the 1 s time limit passed" in result.stderr
    assert dripping.sent < len(dripping.body) // 2
    assert not out.exists()


# Item 9: only a destinations list is saved


@pytest.mark.parametrize("body", [{"foo": 1}, {"items": "x"}, {"items": {"a": 1}}])
def test_fetch_saves_nothing_that_is_not_a_destinations_list(
    run, api_env: FakeLaunchDarkly, tmp_path: Path, body: object
) -> None:
    api_env.script(DESTINATIONS, ok(body))
    out = tmp_path / "snapshot.json"
    out.write_text("last good snapshot")
    result = run("fetch", "-o", str(out))
    assert result.exit_code == 4
    assert "is not a destinations list (no `items` array)" in result.stderr
    assert out.read_text() == "last good snapshot"
    assert {p.name for p in tmp_path.iterdir()} == {"snapshot.json"}


def test_check_api_save_keeps_the_last_snapshot_on_a_wrong_shape(
    run, api_env: FakeLaunchDarkly, tmp_path: Path
) -> None:
    api_env.script(DESTINATIONS, ok({"items": "x"}))
    saved = tmp_path / "audited.json"
    saved.write_text("last good snapshot")
    result = run("check", "--api", "--save", str(saved), "-f", "json")
    assert result.exit_code == 4
    assert saved.read_text() == "last good snapshot"
