"""A fake LaunchDarkly API on 127.0.0.1: scripted replies, injected faults, recorded requests."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

DESTINATIONS = "/api/v2/destinations"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True, kw_only=True)
class Reply:
    """One scripted response. `declared_length` > len(body) drops the connection mid-body."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    declared_length: int | None = None


@dataclass(frozen=True, kw_only=True)
class Seen:
    """One request as the server received it."""

    target: str
    path: str
    headers: dict[str, str]


class FakeLaunchDarkly:
    """Replies to each path from its script in order; the last reply repeats; unknown paths 404."""

    def __init__(self, port: int = 0) -> None:
        self.scripts: dict[str, deque[Reply]] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self.scripts[path] = deque(replies)

    def next_reply(self, target: str, headers: dict[str, str]) -> Reply:
        parts = urlsplit(target)  # a proxied request carries an absolute URL
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        with self._lock:
            self.requests.append(Seen(target=target, path=path, headers=headers))
            queue = self.scripts.get(path)
            if not queue:
                return error(404, "not_found", "Invalid resource identifier")
            return queue.popleft() if len(queue) > 1 else queue[0]

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.01)  # a short poll keeps shutdown fast

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(fake: FakeLaunchDarkly) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            reply = fake.next_reply(self.path, dict(self.headers.items()))
            time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                length = reply.declared_length or len(reply.body)
                self.send_header("Content-Length", str(length))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply.body)
                self.wfile.flush()
            except OSError:
                pass  # the client gave up (read timeout); nothing to tell it
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# Replies shaped like the real API's (spec examples and a real 403 body).


def _json(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8")


def _json_headers() -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8"}


def destination(
    ident: str = "610addeadbeefaa86ec9a7d4",
    *,
    name: str = "example-destination",
    kind: str = "google-pubsub",
    on: bool = True,
    project: str = "my-project",
    environment: str = "my-environment",
) -> dict[str, Any]:
    statement = {
        "effect": "allow",
        "resources": ["proj/*:env/*:destination/*"],
        "actions": ["*"],
        "role_name": "Admin",
    }
    return {
        "_id": ident,
        "_links": {
            "parent": {"href": DESTINATIONS, "type": "application/json"},
            "self": {
                "href": f"{DESTINATIONS}/{project}/{environment}/{ident}",
                "type": "application/json",
            },
        },
        "name": name,
        "kind": kind,
        "version": 1,
        "config": {"project": "test-prod", "topic": "ld-pubsub-test-192301"},
        "on": on,
        "_access": {
            "allowed": [{"action": "updateOn", "reason": statement}],
            "denied": [],
        },
    }


def destinations(*items: dict[str, Any], next_href: str | None = None) -> dict[str, Any]:
    links: dict[str, Any] = {"self": {"href": DESTINATIONS, "type": "application/json"}}
    if next_href is not None:
        links["next"] = {"href": next_href, "type": "application/json"}
    return {"_links": links, "items": list(items)}


def ok(document: Any, **kwargs: Any) -> Reply:
    return Reply(body=_json(document), headers=_json_headers(), **kwargs)


def error(status: int, code: str, message: str, **extra: Any) -> Reply:
    return Reply(
        status=status,
        body=_json({"code": code, "message": message, **extra}),
        headers=_json_headers(),
    )


def rate_limited(**headers: str) -> Reply:
    limited = error(429, "rate_limited", "You've exceeded the API rate limit. Try again later.")
    return Reply(status=429, body=limited.body, headers={**limited.headers, **headers})


def http_date(epoch_seconds: float) -> str:
    return formatdate(epoch_seconds, usegmt=True)


UNAUTHORIZED = error(401, "unauthorized", "Invalid access token")
FORBIDDEN = error(  # the real body quoted in launchdarkly/ldcli#87
    403,
    "forbidden",
    "Access to the requested resource was denied",
    reason={"effect": "deny"},
    access={"action": "createFlag", "resource": "proj/default:env/test:flag/my-new-flag"},
)
NOT_FOUND = error(404, "not_found", "Invalid resource identifier")


def html_page(status: int = 200) -> Reply:
    page = b"<!DOCTYPE html><html><body><h1>Bad Gateway</h1></body></html>"
    return Reply(status=status, body=page, headers={"Content-Type": "text/html; charset=utf-8"})


def truncated(document: Any) -> Reply:
    body = _json(document)
    return Reply(body=body[: len(body) // 2], headers=_json_headers(), declared_length=len(body))


def free_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(name="fake_ld")
def fake_ld_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLaunchDarkly]:
    """A running fake API; proxy variables cleared so requests go straight to it."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeLaunchDarkly()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(name="loopback_network")
def loopback_network_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any name lookup or connection that is not for the loopback interface."""
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def check(host: Any) -> None:
        if host not in LOOPBACK:
            raise AssertionError(f"test tried to reach {host!r}; only loopback is allowed")

    def connect(self: socket.socket, address: Any) -> None:
        check(address[0] if isinstance(address, tuple) else address)
        real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        check(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def main() -> None:
    """Demo: `python tests/fakeapi.py [PORT]`, then LD_BASE_URL=<printed URL> auditor fetch."""
    fake = FakeLaunchDarkly(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    second = destination("610addeadbeefaa86ec9a7d5", name="kinesis-prod", kind="kinesis", on=False)
    fake.script(DESTINATIONS, ok(destinations(destination(), second)))
    print(f"fake LaunchDarkly API at {fake.base_url} (any token works); Ctrl-C stops it")
    try:
        fake._serve()
    except KeyboardInterrupt:
        fake._server.server_close()


if __name__ == "__main__":
    main()
