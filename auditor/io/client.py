"""Read Data Export destinations from the live LaunchDarkly API, with retries and rate limits."""

from __future__ import annotations

import email.utils
import hashlib
import ipaddress
import json
import math
import random
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from auditor import __version__
from auditor.errors import ApiError, UsageError
from auditor.io import strictjson
from auditor.io.limits import DEFAULT_MAX_INPUT_SIZE, too_large
from auditor.io.tokenscrub import TokenScrubber

API_VERSION = "20240415"
DESTINATIONS_PATH = "/api/v2/destinations"
INSTANCES: dict[str, str] = {
    "commercial": "https://app.launchdarkly.com",
    "federal": "https://app.launchdarkly.us",
    "eu": "https://app.eu.launchdarkly.com",
}
CHUNK_SIZE = 1 << 16
MESSAGE_LIMIT = 300
"""Characters of an API error's own message (and of each field it names) that are shown."""
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
_RETRY_HINT = "the API may be busy or down; try again later, or raise --max-retries / --timeout"


@dataclass(frozen=True, kw_only=True)
class ClientConfig:
    """Where and how to call the API; `max_retries` counts retries after the first attempt."""

    base_url: str
    token: str = field(repr=False)
    max_retries: int = 5
    total_timeout: float = 120.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_pages: int = 100
    max_body: int = DEFAULT_MAX_INPUT_SIZE
    """Bytes the responses may add up to (`--max-input-size`); counted as they arrive."""


@dataclass(frozen=True, kw_only=True)
class FetchResult:
    """One complete destinations document as fetched; never partial."""

    body: bytes
    base_url: str
    url: str
    status: int
    api_version: str
    fetched_at: str
    sha256: str
    content_type: str
    pages: int = 1


def resolve_config(
    *,
    base_url: str | None,
    instance: str | None,
    api_key_env: str = "LD_API_KEY",
    environ: Mapping[str, str],
    max_retries: int | None = None,
    timeout: float | None = None,
    max_body: int | None = None,
) -> ClientConfig:
    """Pick the base URL (--base-url > LD_BASE_URL > --instance > commercial) and the token."""
    if instance is not None and instance not in INSTANCES:
        raise UsageError(f"unknown instance {instance!r}; choose one of {', '.join(INSTANCES)}")
    chosen = base_url or environ.get("LD_BASE_URL") or INSTANCES[instance or "commercial"]
    token = environ.get(api_key_env, "").strip()
    if not token:
        raise UsageError(
            f"no API token: set {api_key_env} (or name another variable with --api-key-env)"
        )
    if not (token.isascii() and token.isprintable()) or any(ch.isspace() for ch in token):
        raise UsageError(f"the API token in {api_key_env} contains spaces or control characters")
    if max_retries is not None and max_retries < 0:
        raise UsageError(f"--max-retries must be 0 or more, not {max_retries}")
    if timeout is not None and timeout <= 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {timeout:g}")
    defaults = ClientConfig(base_url="", token="")
    return ClientConfig(
        base_url=_check_base_url(chosen),
        token=token,
        max_retries=defaults.max_retries if max_retries is None else max_retries,
        total_timeout=defaults.total_timeout if timeout is None else timeout,
        max_body=defaults.max_body if max_body is None else max_body,
    )


def _check_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"base URL {url!r} is not an http(s) URL like https://app.launchdarkly.com"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError(
            "base URL must be scheme://host[:port][/path], without credentials or query"
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise UsageError(f"refusing to send the API token over plain http to {parts.hostname}")
    return url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _print_stderr(line: str) -> None:
    print(line, file=sys.stderr)


class _TokenAuth(requests.auth.AuthBase):
    """Sends the token as the bare `Authorization` value; explicit auth also keeps ~/.netrc out."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._token
        return request

    def __repr__(self) -> str:
        return "_TokenAuth(<redacted>)"


def fetch_destinations(
    config: ClientConfig,
    *,
    sleep: Callable[[float], None] = time.sleep,
    notify: Callable[[str], None] = _print_stderr,
    clock: Callable[[], float] = time.monotonic,
    wall: Callable[[], float] = time.time,
    on_page: Callable[[int, int], None] | None = None,
) -> FetchResult:
    """GET /api/v2/destinations and every `_links.next` page after it.

    `on_page(pages, bytes)` is told of each page received (for a progress display).

    A single page is returned byte for byte. When the API paginates, the pages' `items` are
    concatenated into the first page's document (its `_links.next` removed) and `body` is that
    merged document re-serialised as indented UTF-8 JSON; `sha256` is of that body.
    Raises ApiError (exit 4) for anything short of one complete JSON object.
    """
    with open_reader(
        config, sleep=sleep, notify=notify, clock=clock, wall=wall, on_page=on_page
    ) as reader:
        return reader.fetch_all()


@contextmanager
def open_reader(
    config: ClientConfig,
    *,
    sleep: Callable[[float], None] = time.sleep,
    notify: Callable[[str], None] = _print_stderr,
    clock: Callable[[], float] = time.monotonic,
    wall: Callable[[], float] = time.time,
    on_page: Callable[[int, int], None] | None = None,
) -> Iterator[Reader]:
    """A reader of the API whose requests share one deadline, byte budget and retry budget."""
    with requests.Session() as session:
        session.auth = _TokenAuth(config.token)
        session.headers.update(
            {
                "LD-API-Version": API_VERSION,
                "User-Agent": f"auditor/{__version__}",
                "Accept": "application/json",
            }
        )
        _refuse_clear_proxy(session, config.base_url + DESTINATIONS_PATH)
        reader = Reader(config, session, sleep, notify, clock, wall, on_page=on_page)
        reader.deadline = clock() + config.total_timeout
        yield reader


def _refuse_clear_proxy(session: requests.Session, url: str) -> None:
    """Refuse plain http through a proxy off this machine: the proxy would read the token.

    The proxy is the one requests would use (`HTTP_PROXY`, `ALL_PROXY`, less `NO_PROXY`).
    Over https a proxy only relays the encrypted bytes (CONNECT), so that stays allowed.
    """
    if urlsplit(url).scheme != "http":
        return
    proxies = session.merge_environment_settings(url, {}, None, None, None)["proxies"]
    proxy = requests.utils.select_proxy(url, proxies)
    if not proxy:
        return
    host = urlsplit(proxy if "://" in proxy else f"http://{proxy}").hostname or proxy
    if not _is_loopback(host):
        raise UsageError(
            f"refusing to send the API token over plain http through the proxy at {host}",
            hint="use an https base URL (a proxy then relays only encrypted bytes),"
            " or exempt the API's host in NO_PROXY",
        )


@dataclass
class Reader:
    """Requests to one API with retries, rate limits and limits shared by all of them."""

    config: ClientConfig
    session: requests.Session
    sleep: Callable[[float], None]
    notify: Callable[[str], None]
    clock: Callable[[], float]
    wall: Callable[[], float]
    deadline: float = 0.0
    received: int = 0
    """Bytes of the pages accepted so far, against `config.max_body`."""
    retries: int = 0
    """Retries spent so far, against `config.max_retries` (one budget for every request)."""
    on_page: Callable[[int, int], None] | None = None
    scrubber: TokenScrubber = field(init=False)

    def __post_init__(self) -> None:
        self.scrubber = TokenScrubber(self.config.token)

    def fetch_all(self) -> FetchResult:
        first, items, urls, response = self.collect(DESTINATIONS_PATH, "destinations")
        if len(urls) == 1:
            body = self._scrubbed(response.content, first)
            return self._result(urls[0], response, body, pages=1)
        links = {k: v for k, v in first["_links"].items() if k != "next"}
        merged = {**first, "_links": links, "items": items}
        body = json.dumps(merged, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
        body = self._scrubbed(body, merged)
        return self._result(urls[0], response, body, len(urls), "application/json")

    def collect(
        self, path: str, what: str
    ) -> tuple[dict[str, Any], list[Any], list[str], requests.Response]:
        """GET `path` and every `_links.next` page: (first page, all items, URLs, last response)."""
        seen = [self.config.base_url + path]
        response = self._get_with_retries(seen[0])
        first = document = self._parse(response, seen[0])
        self.received += len(response.content)
        if self.on_page is not None:
            self.on_page(1, self.received)
        # before anything is saved: the shape of a list (an account list may have no items)
        items = self._items(first, seen[0]) if what == "destinations" or "items" in first else []
        while (href := _next_href(document)) is not None:
            if len(seen) >= self.config.max_pages:
                raise self._error(
                    f"the API returned more than {self.config.max_pages} pages of {what}",
                    "stopped following `_links.next`; nothing was saved",
                )
            url = self._resolve_next(seen[-1], href)
            if url in seen:
                raise self._error(f"the API's next-page link loops back to {url}", None)
            seen.append(url)
            response = self._get_with_retries(url)
            document = self._parse(response, url)
            self.received += len(response.content)
            items.extend(self._items(document, url))
            if self.on_page is not None:
                self.on_page(len(seen), self.received)
        return first, items, seen, response

    def _scrubbed(self, body: bytes, document: Any) -> bytes:
        """The body with the token scrubbed from every string, should the API echo it."""
        try:
            scrubbed = self.scrubber.body(body, document)
        except RecursionError:
            raise self._error("the response echoes the API token; it was not saved", None) from None
        return body if scrubbed is None else scrubbed

    def _result(
        self,
        url: str,
        response: requests.Response,
        body: bytes,
        pages: int,
        content_type: str | None = None,
    ) -> FetchResult:
        fetched = datetime.fromtimestamp(self.wall(), UTC).isoformat(timespec="seconds")
        return FetchResult(
            body=body,
            base_url=self.config.base_url,
            url=url,
            status=response.status_code,
            api_version=response.headers.get("LD-API-Version", API_VERSION),
            fetched_at=fetched.replace("+00:00", "Z"),
            sha256=hashlib.sha256(body).hexdigest(),
            content_type=content_type or response.headers.get("Content-Type", ""),
            pages=pages,
        )

    def _get_with_retries(self, url: str) -> requests.Response:
        retries = self.config.max_retries
        attempt = 0
        while True:
            outcome = self._attempt(url, attempt)
            if isinstance(outcome, requests.Response):
                return outcome
            if self.retries >= retries:
                raise self._error(
                    f"gave up after {_attempts(attempt + 1)}: {outcome.problem} from {url}",
                    _RETRY_HINT,
                ) from outcome.cause
            wait = outcome.wait
            if self.clock() + wait > self.deadline:
                raise self._error(
                    f"{outcome.problem} from {url}; waiting {_seconds(wait)} more would pass"
                    f" the {_seconds(self.config.total_timeout)} time limit",
                    _RETRY_HINT,
                ) from outcome.cause
            attempt += 1
            self.retries += 1
            line = (
                f"{outcome.problem}, retrying in {_seconds(wait)} (retry {self.retries}/{retries})"
            )
            self.notify(self._scrub(line))
            self.sleep(wait)

    def _attempt(self, url: str, attempt: int) -> requests.Response | _Retry:
        """One GET; a Response to act on, or why and how long to wait before the next one."""
        backoff = min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt) * random.uniform(0.5, 1.0)
        remaining = max(self.deadline - self.clock(), 0.001)
        timeout = (
            min(self.config.connect_timeout, remaining),
            min(self.config.read_timeout, remaining),
        )
        try:
            response = self.session.get(url, timeout=timeout, allow_redirects=False, stream=True)
            self._read_body(response, url)
        except requests.exceptions.SSLError as exc:
            raise self._error(
                f"TLS verification failed for {url}",
                "behind a TLS-inspecting proxy? point REQUESTS_CA_BUNDLE at its CA certificate",
            ) from exc
        except requests.exceptions.ConnectTimeout as exc:
            return _Retry("connection timed out", backoff, exc)
        except requests.exceptions.ReadTimeout as exc:
            return _Retry("no response within the read timeout", backoff, exc)
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            return _Retry("response cut off mid-body", backoff, exc)
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc):
                return _Retry("response stalled past the read timeout", backoff, exc)
            return _Retry(f"could not connect ({_reason(exc)})", backoff, exc)
        except requests.exceptions.RequestException as exc:
            raise self._error(f"could not request {url}: {_reason(exc)}", None) from exc
        declared = response.headers.get("Content-Length", "")
        encoded = "Content-Encoding" in response.headers
        if declared.isdigit() and not encoded and int(declared) != len(response.content):
            return _Retry("response cut off mid-body", backoff, None)
        if response.status_code == 429:
            wait = self._rate_limit_wait(response)
            return _Retry("rate limited (HTTP 429)", backoff if wait is None else wait, None)
        if response.status_code >= 500:
            return _Retry(f"server error (HTTP {response.status_code})", backoff, None)
        return response

    def _read_body(self, response: requests.Response, url: str) -> None:
        """Read the body, refusing it once the pages would pass `max_body`, or once the time
        limit passes (neither is retried).

        A server that sends a byte at a time never trips a read timeout, so the deadline is
        checked between reads, and no read waits longer than the time that is left.
        """
        left = self.config.max_body - self.received
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > left:
            self._refuse(response, url)
        chunks: list[bytes] = []
        size = 0
        while chunk := self._read_some(response, url):
            size += len(chunk)
            if size > left:
                self._refuse(response, url)
            chunks.append(chunk)
        response._content = b"".join(chunks)

    def _read_some(self, response: requests.Response, url: str) -> bytes:
        """What the server has sent of the body so far (b"" at its end), within the deadline."""
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            self._late(response, url)
        raw = response.raw
        sock = getattr(getattr(raw, "_connection", None), "sock", None)
        if sock is not None:
            sock.settimeout(max(min(self.config.read_timeout, remaining), 0.001))
        try:
            return bytes(raw.read1(CHUNK_SIZE, decode_content=True))
        except urllib3.exceptions.ReadTimeoutError as exc:
            if self.clock() >= self.deadline:
                self._late(response, url)
            raise requests.exceptions.ConnectionError(exc) from exc
        except urllib3.exceptions.ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from exc
        except urllib3.exceptions.DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from exc
        except urllib3.exceptions.SSLError as exc:
            raise requests.exceptions.SSLError(exc) from exc

    def _late(self, response: requests.Response, url: str) -> NoReturn:
        response.close()
        raise self._error(
            f"the response from {url} was still arriving when the"
            f" {_seconds(self.config.total_timeout)} time limit passed",
            "the API or the network is slow; try again later, or raise --timeout",
        )

    def _refuse(self, response: requests.Response, url: str) -> NoReturn:
        response.close()
        raise self._error(too_large(f"the response from {url}", self.config.max_body), None)

    def _rate_limit_wait(self, response: requests.Response) -> float | None:
        """Seconds the API asks for: Retry-After (seconds or HTTP date), else X-Ratelimit-Reset."""
        retry_after = response.headers.get("Retry-After", "").strip()
        if retry_after:
            seconds = _number(retry_after)
            if seconds is not None:
                return max(seconds, 0.0)
            try:
                when = email.utils.parsedate_to_datetime(retry_after)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                when = when if when.tzinfo else when.replace(tzinfo=UTC)
                return max(when.timestamp() - self.wall(), 0.0)
        reset_ms = _number(response.headers.get("X-Ratelimit-Reset", "").strip())
        return None if reset_ms is None else max(reset_ms / 1000 - self.wall(), 0.0)

    def _parse(self, response: requests.Response, url: str) -> dict[str, Any]:
        """The response as a JSON object, or ApiError saying what came back instead."""
        status = response.status_code
        if 300 <= status < 400:
            raise self._error(
                f"the API redirected {url} to {response.headers.get('Location', '?')}",
                "set --base-url to the address the API is served from",
            )
        if status >= 400:
            error = self._error(
                f"HTTP {status} {response.reason} from {url}{self._api_message(response)}",
                self._status_hint(status),
            )
            error.status = status
            raise error
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media == "text/html" or response.content.lstrip()[:1] == b"<":
            raise self._error(
                f"got an HTML page instead of JSON from {url} (HTTP {status})",
                "check --base-url: it must be the LaunchDarkly API, not a web or proxy login page",
            )
        if media != "application/json" and not media.endswith("+json"):
            raise self._error(f"expected JSON from {url}, got content type {media or 'none'}", None)
        try:
            document = strictjson.loads(response.content)
        except (ValueError, RecursionError) as exc:
            raise self._error(f"the response from {url} is not valid JSON ({exc})", None) from exc
        if not isinstance(document, dict):
            kind = type(document).__name__
            raise self._error(f"expected a JSON object from {url}, got a JSON {kind}", None)
        return document

    def _status_hint(self, status: int) -> str | None:
        base = self.config.base_url
        return {
            401: "the token is invalid or expired: check LD_API_KEY (or the variable named by"
            f" --api-key-env) and that the token belongs to the instance at {base}",
            403: "the token's role cannot read Data Export destinations: it needs viewProject"
            " on proj/* (the Reader role has it); destinations live under"
            " proj/*:env/*:destination/*",
            404: f"no destinations endpoint at {base}: check --base-url, LD_BASE_URL or --instance",
        }.get(status)

    def get_document(self, path: str) -> dict[str, Any]:
        """GET one JSON object (no pagination), within the shared budgets."""
        url = self.config.base_url + path
        response = self._get_with_retries(url)
        document = self._parse(response, url)
        self.received += len(response.content)
        return document

    def _items(self, document: dict[str, Any], url: str) -> list[Any]:
        items = document.get("items")
        if not isinstance(items, list):
            raise self._error(
                f"the response from {url} is not a destinations list (no `items` array);"
                " nothing was saved",
                "check --base-url: it must be the LaunchDarkly API",
            )
        return list(items)

    def _api_message(self, response: requests.Response) -> str:
        """': <message>' from a LaunchDarkly error body, with the denied action when it names
        one; each part scrubbed of the token, then cut to MESSAGE_LIMIT characters."""
        try:
            body = json.loads(response.content)
        except (ValueError, RecursionError):
            return ""
        if not isinstance(body, dict) or not isinstance(body.get("message"), str):
            return ""
        text = f": {self.scrubber.cut(body['message'], MESSAGE_LIMIT)}"
        access = body.get("access")
        if isinstance(access, dict) and access.get("action") and access.get("resource"):
            action, resource = (
                self.scrubber.cut(str(access[key]), MESSAGE_LIMIT) for key in ("action", "resource")
            )
            text += f" (denied {action} on {resource})"
        return text

    def _resolve_next(self, current: str, href: str) -> str:
        """The next page's URL; only ever on the configured host, so the token goes nowhere else."""
        url = self.config.base_url + href if href.startswith("/") else urljoin(current, href)
        here, there = urlsplit(self.config.base_url), urlsplit(url)
        if (here.scheme, here.netloc) != (there.scheme, there.netloc):
            raise self._error(
                f"the API's next-page link points to {there.scheme}://{there.netloc}",
                "refusing to send the token to a host other than the configured base URL",
            )
        return url

    def _scrub(self, text: str) -> str:
        """One line, with the token, or any piece of it (should anything echo it), replaced."""
        return " ".join(self.scrubber.text(text).split())

    def _error(self, message: str, hint: str | None) -> ApiError:
        return ApiError(self._scrub(message), hint=None if hint is None else self._scrub(hint))


@dataclass(frozen=True)
class _Retry:
    problem: str
    wait: float
    cause: Exception | None


def _next_href(document: dict[str, Any]) -> str | None:
    links = document.get("_links")
    nxt = links.get("next") if isinstance(links, dict) else None
    href = nxt.get("href") if isinstance(nxt, dict) else None
    return href if isinstance(href, str) and href else None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _reason(exc: Exception) -> str:
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
    return match.group(1).strip() if match else type(exc).__name__


def _seconds(value: float) -> str:
    return f"{round(value, 1):g} s"


def _attempts(n: int) -> str:
    return "1 attempt" if n == 1 else f"{n} attempts"


_Fetcher = Reader
"""The former name of `Reader`."""
