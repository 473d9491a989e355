"""The LaunchDarkly API client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import traceback
from typing import Any

import pytest
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    DESTINATIONS,
    FORBIDDEN,
    NOT_FOUND,
    UNAUTHORIZED,
    FakeLaunchDarkly,
    Reply,
    destination,
    destinations,
    error,
    fake_ld_fixture,
    free_port,
    html_page,
    http_date,
    loopback_network_fixture,
    ok,
    rate_limited,
    truncated,
)

from auditor import __version__
from auditor.errors import ApiError, OutputError, UsageError
from auditor.io.client import ClientConfig, FetchResult, fetch_destinations, resolve_config
from auditor.io.snapshot import meta_path, write_snapshot

pytestmark = pytest.mark.usefixtures("loopback_network")

TOKEN = "api-SENTINEL-abc123"
NOW = 1_760_000_000.0  # 2025-10-09T08:53:20Z
DOC = destinations(destination())


class Recorder:
    """Stands in for time.sleep and the stderr notifier, so retries are instant and visible."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.lines: list[str] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def notify(self, line: str) -> None:
        self.lines.append(line)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


def fetch(fake: FakeLaunchDarkly, rec: Recorder, **overrides: Any) -> FetchResult:
    config = ClientConfig(base_url=fake.base_url, token=TOKEN, **overrides)
    return fetch_destinations(config, sleep=rec.sleep, notify=rec.notify, wall=lambda: NOW)


def fetch_error(fake: FakeLaunchDarkly, rec: Recorder, **overrides: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        fetch(fake, rec, **overrides)
    return caught.value


# Success


def test_returns_the_exact_bytes_and_sends_the_documented_headers(
    fake_ld: FakeLaunchDarkly, rec: Recorder
) -> None:
    raw = '{ "items" : [],\n  "note": "café" }\n'.encode()
    fake_ld.script(DESTINATIONS, Reply(body=raw, headers={"Content-Type": "application/json"}))

    result = fetch(fake_ld, rec)

    assert result.body == raw
    assert result.sha256 == hashlib.sha256(raw).hexdigest()
    assert result.url == fake_ld.base_url + DESTINATIONS
    assert (result.status, result.api_version, result.pages) == (200, "20240415", 1)
    assert result.fetched_at == "2025-10-09T08:53:20Z"
    assert result.content_type == "application/json"
    [request] = fake_ld.requests
    assert request.headers["Authorization"] == TOKEN
    assert request.headers["LD-API-Version"] == "20240415"
    assert request.headers["User-Agent"] == f"auditor/{__version__}"
    assert request.headers["Accept"] == "application/json"
    assert rec.slept == [] and rec.lines == []


def test_proxy_settings_from_the_environment_are_honoured(
    fake_ld: FakeLaunchDarkly, rec: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", fake_ld.base_url)
    monkeypatch.delenv("NO_PROXY")
    origin = f"http://localhost:{free_port()}"  # nothing listens there: only the proxy answers
    fake_ld.script(DESTINATIONS, ok(DOC))
    config = ClientConfig(base_url=origin, token=TOKEN)

    result = fetch_destinations(config, sleep=rec.sleep, notify=rec.notify)

    assert json.loads(result.body) == DOC
    assert fake_ld.requests[0].target == origin + DESTINATIONS


# Rate limits, server errors, timeouts


@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        pytest.param({"Retry-After": "7"}, 7.0, 7.0, id="retry-after-seconds"),
        pytest.param({"Retry-After": http_date(NOW + 12)}, 12.0, 12.0, id="retry-after-date"),
        pytest.param({"X-Ratelimit-Reset": str(int((NOW + 4.5) * 1000))}, 4.5, 4.5, id="reset-ms"),
        pytest.param({"X-Ratelimit-Reset": str(int((NOW - 30) * 1000))}, 0.0, 0.0, id="reset-past"),
        pytest.param(
            {"Retry-After": "2", "X-Ratelimit-Reset": str(int((NOW + 9) * 1000))},
            2.0,
            2.0,
            id="retry-after-wins",
        ),
        pytest.param({}, 0.5, 1.0, id="no-header-backoff"),
    ],
)
def test_rate_limit_waits_as_the_api_asks_then_succeeds(
    fake_ld: FakeLaunchDarkly, rec: Recorder, headers: dict[str, str], low: float, high: float
) -> None:
    fake_ld.script(DESTINATIONS, rate_limited(**headers), ok(DOC))

    result = fetch(fake_ld, rec)

    assert json.loads(result.body) == DOC
    assert len(fake_ld.requests) == 2
    [waited] = rec.slept
    assert low - 0.01 <= waited <= high + 0.01
    assert rec.lines[0].startswith("rate limited (HTTP 429), retrying in ")


def test_waiting_is_announced_with_the_wait_and_the_retry_count(
    fake_ld: FakeLaunchDarkly, rec: Recorder
) -> None:
    fake_ld.script(DESTINATIONS, rate_limited(**{"Retry-After": "3"}), ok(DOC))
    fetch(fake_ld, rec)
    assert rec.lines == ["rate limited (HTTP 429), retrying in 3 s (retry 1/5)"]


def test_default_notifier_writes_to_stderr(
    fake_ld: FakeLaunchDarkly, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_ld.script(DESTINATIONS, rate_limited(**{"Retry-After": "0"}), ok(DOC))
    fetch_destinations(ClientConfig(base_url=fake_ld.base_url, token=TOKEN), sleep=lambda _: None)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "rate limited (HTTP 429), retrying in 0 s (retry 1/5)" in captured.err


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_with_backoff(
    fake_ld: FakeLaunchDarkly, rec: Recorder, status: int
) -> None:
    fake_ld.script(DESTINATIONS, error(status, "internal", "oops"), ok(DOC))

    result = fetch(fake_ld, rec)

    assert json.loads(result.body) == DOC
    assert len(fake_ld.requests) == 2
    assert 0.5 <= rec.slept[0] <= 1.0
    assert f"server error (HTTP {status})" in rec.lines[0]


def test_a_response_slower_than_the_read_timeout_is_retried(
    fake_ld: FakeLaunchDarkly, rec: Recorder
) -> None:
    fake_ld.script(DESTINATIONS, ok({"items": ["slow"]}, delay=1.5), ok(DOC))

    result = fetch(fake_ld, rec, read_timeout=0.3)

    assert json.loads(result.body) == DOC
    assert "read timeout" in rec.lines[0]


def test_exhausted_retries_fail_with_exit_code_4_naming_the_last_status(
    fake_ld: FakeLaunchDarkly, rec: Recorder
) -> None:
    fake_ld.script(DESTINATIONS, error(503, "unavailable", "down"))

    exc = fetch_error(fake_ld, rec, max_retries=2)

    assert exc.exit_code == 4
    assert "gave up after 3 attempts" in exc.message and "HTTP 503" in exc.message
    assert len(fake_ld.requests) == 3
    assert len(rec.slept) == 2 and rec.slept[1] >= 1.0  # the backoff grows
    assert exc.hint is not None and "--max-retries" in exc.hint


def test_a_wait_past_the_time_budget_fails_at_once_instead_of_sleeping(
    fake_ld: FakeLaunchDarkly, rec: Recorder
) -> None:
    fake_ld.script(DESTINATIONS, rate_limited(**{"Retry-After": "3600"}), ok(DOC))

    exc = fetch_error(fake_ld, rec, total_timeout=60.0)

    assert "60 s time limit" in exc.message
    assert rec.slept == []
    assert len(fake_ld.requests) == 1


def test_an_unreachable_api_is_retried_then_reported(rec: Recorder) -> None:
    config = ClientConfig(base_url=f"http://127.0.0.1:{free_port()}", token=TOKEN, max_retries=1)
    with pytest.raises(ApiError) as caught:
        fetch_destinations(config, sleep=rec.sleep, notify=rec.notify)
    assert "gave up after 2 attempts: could not connect" in caught.value.message
    assert len(rec.slept) == 1


# Errors that retrying cannot fix


@pytest.mark.parametrize(
    ("reply", "said", "hint"),
    [
        pytest.param(UNAUTHORIZED, "Invalid access token", "LD_API_KEY", id="401"),
        pytest.param(
            FORBIDDEN,
            "Access to the requested resource was denied (denied createFlag on",
            "viewProject",
            id="403",
        ),
        pytest.param(NOT_FOUND, "Invalid resource identifier", "--base-url", id="404"),
    ],
)
def test_auth_and_not_found_errors_are_not_retried_and_explain_themselves(
    fake_ld: FakeLaunchDarkly, rec: Recorder, reply: Reply, said: str, hint: str
) -> None:
    fake_ld.script(DESTINATIONS, reply)

    exc = fetch_error(fake_ld, rec)

    assert f"HTTP {reply.status}" in exc.message and said in exc.message
    assert exc.hint is not None and hint in exc.hint
    assert len(fake_ld.requests) == 1 and rec.slept == []


def test_404_hint_names_the_configured_base_url(fake_ld: FakeLaunchDarkly, rec: Recorder) -> None:
    fake_ld.script(DESTINATIONS, NOT_FOUND)
    assert fake_ld.base_url in str(fetch_error(fake_ld, rec).hint)


def test_redirects_are_not_followed(fake_ld: FakeLaunchDarkly, rec: Recorder) -> None:
    moved = f"{fake_ld.base_url}/moved"
    fake_ld.script(DESTINATIONS, Reply(status=302, headers={"Location": moved}))
    fake_ld.script("/moved", ok(DOC))
    exc = fetch_error(fake_ld, rec)
    assert "redirected" in exc.message and moved in exc.message
    assert len(fake_ld.requests) == 1


# Responses that are not one complete JSON object


def test_a_truncated_body_fails_and_leaves_the_previous_snapshot_alone(
    fake_ld: FakeLaunchDarkly, rec: Recorder, tmp_path: Any
) -> None:
    snapshot = tmp_path / "destinations.json"
    snapshot.write_bytes(b'{"items": []}')
    fake_ld.script(DESTINATIONS, truncated(DOC))

    with pytest.raises(ApiError) as caught:
        write_snapshot(snapshot, fetch(fake_ld, rec, max_retries=1))

    assert "cut off mid-body" in caught.value.message
    assert len(fake_ld.requests) == 2  # a dropped connection is worth one more try
    assert snapshot.read_bytes() == b'{"items": []}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["destinations.json"]


@pytest.mark.parametrize("status", [200, 502])
def test_an_html_page_is_reported_not_parsed(
    fake_ld: FakeLaunchDarkly, rec: Recorder, status: int
) -> None:
    fake_ld.script(DESTINATIONS, html_page(status))
    exc = fetch_error(fake_ld, rec, max_retries=1)
    expected = "HTML page instead of JSON" if status == 200 else "HTTP 502"
    assert expected in exc.message


def test_an_html_page_labelled_as_json_is_still_reported_as_html(
    fake_ld: FakeLaunchDarkly, rec: Recorder
) -> None:
    page = html_page(200)
    fake_ld.script(
        DESTINATIONS, Reply(body=page.body, headers={"Content-Type": "application/json"})
    )
    assert "HTML page instead of JSON" in fetch_error(fake_ld, rec).message


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            Reply(body=b'{"items": [', headers={"Content-Type": "application/json"}),
            "is not valid JSON",
            id="broken-json",
        ),
        pytest.param(ok([destination()]), "expected a JSON object", id="json-array"),
        pytest.param(
            Reply(body=json.dumps(DOC).encode(), headers={"Content-Type": "text/plain"}),
            "got content type text/plain",
            id="wrong-content-type",
        ),
    ],
)
def test_non_json_responses_fail_with_one_line(
    fake_ld: FakeLaunchDarkly, rec: Recorder, reply: Reply, expected: str
) -> None:
    fake_ld.script(DESTINATIONS, reply)
    exc = fetch_error(fake_ld, rec)
    assert expected in exc.message and "\n" not in exc.message
    assert len(fake_ld.requests) == 1


# Pagination


def _three_pages(fake: FakeLaunchDarkly) -> None:
    fake.script(DESTINATIONS, ok(destinations(destination("a"), next_href=f"{DESTINATIONS}?p=2")))
    fake.script(f"{DESTINATIONS}?p=2", ok(destinations(destination("b"), next_href="?p=3")))
    fake.script(f"{DESTINATIONS}?p=3", ok(destinations(destination("c"))))


def test_next_links_are_followed_and_items_merged(fake_ld: FakeLaunchDarkly, rec: Recorder) -> None:
    _three_pages(fake_ld)

    result = fetch(fake_ld, rec)

    merged = json.loads(result.body)
    assert [item["_id"] for item in merged["items"]] == ["a", "b", "c"]
    assert "next" not in merged["_links"]
    assert result.pages == 3 and result.sha256 == hashlib.sha256(result.body).hexdigest()
    assert [r.path for r in fake_ld.requests] == [
        DESTINATIONS,
        f"{DESTINATIONS}?p=2",
        f"{DESTINATIONS}?p=3",
    ]


def test_pagination_stops_with_an_error_past_the_page_cap(
    fake_ld: FakeLaunchDarkly, rec: Recorder
) -> None:
    _three_pages(fake_ld)
    exc = fetch_error(fake_ld, rec, max_pages=2)
    assert "more than 2 pages" in exc.message
    assert len(fake_ld.requests) == 2


def test_a_next_link_to_another_host_is_refused(fake_ld: FakeLaunchDarkly, rec: Recorder) -> None:
    port = fake_ld.base_url.rsplit(":", 1)[1]
    elsewhere = f"http://localhost:{port}"  # same server, but not the configured origin
    page = destinations(destination(), next_href=f"{elsewhere}{DESTINATIONS}?p=2")
    fake_ld.script(DESTINATIONS, ok(page))
    fake_ld.script(f"{DESTINATIONS}?p=2", ok(DOC))
    exc = fetch_error(fake_ld, rec)
    assert elsewhere in exc.message
    assert exc.hint is not None and "refusing to send the token" in exc.hint
    assert len(fake_ld.requests) == 1


# The token never shows


def test_the_token_appears_in_no_error_notice_log_or_repr(
    fake_ld: FakeLaunchDarkly,
    rec: Recorder,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    echoed = error(401, "unauthorized", f"Invalid access token {TOKEN}")
    fake_ld.script(DESTINATIONS, rate_limited(**{"Retry-After": "1"}), echoed)
    config = ClientConfig(base_url=fake_ld.base_url, token=TOKEN, max_retries=1)

    with pytest.raises(ApiError) as caught:
        fetch_destinations(config, sleep=rec.sleep)

    exc = caught.value
    texts = [
        exc.message,
        str(exc.hint),
        repr(exc),
        "".join(traceback.format_exception(exc)),
        repr(config),
        capsys.readouterr().err,
        caplog.text,
    ]
    assert "Invalid access token <redacted>" in exc.message
    assert fake_ld.requests[0].headers["Authorization"] == TOKEN  # it was sent, just never shown
    for text in texts:
        assert TOKEN not in text


def test_result_and_snapshot_carry_no_token(
    fake_ld: FakeLaunchDarkly, rec: Recorder, tmp_path: Any
) -> None:
    fake_ld.script(DESTINATIONS, ok(DOC))
    result = fetch(fake_ld, rec)
    write_snapshot(tmp_path / "snap.json", result)
    assert TOKEN not in repr(result)
    assert TOKEN not in meta_path(tmp_path / "snap.json").read_text()


# Configuration


@pytest.mark.parametrize(
    ("base_url", "environ", "instance", "expected"),
    [
        (
            "https://ld.proxy.test/",
            {"LD_BASE_URL": "https://env.test"},
            "eu",
            "https://ld.proxy.test",
        ),
        (None, {"LD_BASE_URL": "https://env.test"}, "eu", "https://env.test"),
        (None, {}, "eu", "https://app.eu.launchdarkly.com"),
        (None, {}, "federal", "https://app.launchdarkly.us"),
        (None, {}, "commercial", "https://app.launchdarkly.com"),
        (None, {}, None, "https://app.launchdarkly.com"),
    ],
)
def test_base_url_precedence(
    base_url: str | None, environ: dict[str, str], instance: str | None, expected: str
) -> None:
    config = resolve_config(
        base_url=base_url, instance=instance, environ={**environ, "LD_API_KEY": TOKEN}
    )
    assert config.base_url == expected
    assert config.token == TOKEN


def test_options_reach_the_config() -> None:
    config = resolve_config(
        base_url=None, instance=None, environ={"LD_API_KEY": TOKEN}, max_retries=0, timeout=9.5
    )
    assert (config.max_retries, config.total_timeout) == (0, 9.5)
    assert TOKEN not in repr(config)


def test_an_unknown_instance_lists_the_choices() -> None:
    with pytest.raises(UsageError, match="commercial, federal, eu"):
        resolve_config(base_url=None, instance="moon", environ={"LD_API_KEY": TOKEN})


@pytest.mark.parametrize(
    ("api_key_env", "environ"),
    [
        ("LD_API_KEY", {}),
        ("LD_API_KEY", {"LD_API_KEY": "  "}),
        ("PROD_TOKEN", {"LD_API_KEY": TOKEN}),
    ],
)
def test_a_missing_token_is_a_usage_error_naming_the_variable(
    api_key_env: str, environ: dict[str, str]
) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_config(base_url=None, instance=None, api_key_env=api_key_env, environ=environ)
    assert caught.value.message == (
        f"no API token: set {api_key_env} (or name another variable with --api-key-env)"
    )


def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_config(
            base_url="http://ld.example.com", instance=None, environ={"LD_API_KEY": TOKEN}
        )
    assert "plain http" in caught.value.message and "ld.example.com" in caught.value.message
    assert TOKEN not in caught.value.message and "\n" not in caught.value.message


@pytest.mark.parametrize(
    "url",
    ["ftp://app.launchdarkly.com", "https://user:pw@ld.example.com", "https://ld.example.com/?x=1"],
)
def test_a_malformed_base_url_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError, match="base URL"):
        resolve_config(base_url=url, instance=None, environ={"LD_API_KEY": TOKEN})


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://127.3.2.1", "http://[::1]:9000", "http://localhost"]
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    config = resolve_config(base_url=url, instance=None, environ={"LD_API_KEY": TOKEN})
    assert config.base_url == url


# Snapshots


def test_snapshot_is_the_body_byte_for_byte_with_a_sidecar(
    fake_ld: FakeLaunchDarkly, rec: Recorder, tmp_path: Any
) -> None:
    raw = b'{"items": [],   "_links": {}}'
    fake_ld.script(DESTINATIONS, Reply(body=raw, headers={"Content-Type": "application/json"}))
    result = fetch(fake_ld, rec)

    sidecar = write_snapshot(tmp_path / "snap.json", result)

    assert (tmp_path / "snap.json").read_bytes() == raw
    meta = json.loads(sidecar.read_text())
    assert sidecar.name == "snap.json.meta.json"
    assert meta["sha256"] == hashlib.sha256(raw).hexdigest()
    assert {k: meta[k] for k in ("base_url", "url", "fetched_at", "status", "api_version")} == {
        "base_url": fake_ld.base_url,
        "url": fake_ld.base_url + DESTINATIONS,
        "fetched_at": "2025-10-09T08:53:20Z",
        "status": 200,
        "api_version": "20240415",
    }


def test_a_failed_snapshot_write_keeps_the_old_file_and_leaves_no_temp(
    fake_ld: FakeLaunchDarkly, rec: Recorder, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "snap.json"
    snapshot.write_bytes(b"old")
    fake_ld.script(DESTINATIONS, ok(DOC))
    result = fetch(fake_ld, rec)

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("auditor.io.snapshot.os.replace", disk_full)
    with pytest.raises(OutputError, match="No space left on device"):
        write_snapshot(snapshot, result)

    assert snapshot.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["snap.json"]
