"""Fetcher against a real HTTP server on 127.0.0.1: retries, limits, redirects, encodings.

Waits between retries go through an injected ``sleep`` that only records, so the
backoff and Retry-After logic is checked without spending the time.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from scraper.errors import (
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    InvalidURLError,
    NetworkError,
    NotHTMLError,
    TooLargeError,
)
from scraper.fetcher import (
    DEFAULT_USER_AGENT,
    Fetcher,
    FetchSettings,
    is_local_target,
    load_local,
    parse_retry_after,
)
from tests import localserver
from tests.localserver import (
    LocalServer,
    Reply,
    close_mid_body,
    endless_body,
    redirect,
    reset_connection,
    slow_drip,
    slow_headers,
    stall,
    wrong_content_length,
)

local_server = localserver.local_server

HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLE = b"<!DOCTYPE html><html><head><title>T</title></head><body><p>Hello</p></body></html>"
RUSSIAN = "Правительство объявило о новых мерах поддержки экономики."


class Recorder:
    """Stands in for time.sleep: remembers what it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_fetcher(**overrides: object) -> tuple[Fetcher, Recorder]:
    settings = FetchSettings(**{"connect_timeout": 2.0, "read_timeout": 2.0, **overrides})  # type: ignore[arg-type]
    sleeps = Recorder()
    return Fetcher(settings, sleep=sleeps), sleeps


# -- the happy path --------------------------------------------------------------------


def test_fetch_returns_a_complete_page(local_server: LocalServer) -> None:
    local_server.route("/a", body=ARTICLE, headers={**HTML, "ETag": '"v1"'})
    fetcher, sleeps = make_fetcher()
    with fetcher:
        page = fetcher.fetch(local_server.url("/a"))
    assert page.status == 200
    assert page.url == page.final_url == local_server.url("/a")
    assert page.content == ARTICLE
    assert page.text == ARTICLE.decode()
    assert page.encoding == "utf-8"
    assert page.etag == '"v1"'
    assert type(page.headers) is dict
    assert page.redirects == ()
    assert not page.not_modified
    assert page.elapsed_ms >= 0
    fetched = datetime.fromisoformat(page.fetched_at)
    assert fetched.utcoffset() == timedelta(0)
    assert abs((datetime.now(UTC) - fetched).total_seconds()) < 60
    assert sleeps.calls == []


def test_sends_descriptive_user_agent_by_default(local_server: LocalServer) -> None:
    local_server.route("/a", body=ARTICLE, headers=HTML)
    fetcher, _ = make_fetcher()
    with fetcher:
        fetcher.fetch(local_server.url("/a"))
    agent = local_server.requests[-1].headers["User-Agent"]
    assert agent == DEFAULT_USER_AGENT
    assert agent.startswith("news-scraper/") and "+https://" in agent


def test_user_agent_is_overridable(local_server: LocalServer) -> None:
    local_server.route("/a", body=ARTICLE, headers=HTML)
    fetcher, _ = make_fetcher(user_agent="my-archive/2.0 (+mailto:me@example.org)")
    with fetcher:
        fetcher.fetch(local_server.url("/a"))
    assert (
        local_server.requests[-1].headers["User-Agent"] == "my-archive/2.0 (+mailto:me@example.org)"
    )


def test_gzip_encoded_page_is_decompressed(local_server: LocalServer) -> None:
    local_server.route(
        "/gz", body=gzip.compress(ARTICLE), headers={**HTML, "Content-Encoding": "gzip"}
    )
    fetcher, _ = make_fetcher()
    with fetcher:
        assert fetcher.fetch(local_server.url("/gz")).content == ARTICLE


def test_xhtml_is_accepted(local_server: LocalServer) -> None:
    local_server.route("/x", body=ARTICLE, headers={"Content-Type": "application/xhtml+xml"})
    fetcher, _ = make_fetcher()
    with fetcher:
        assert fetcher.fetch(local_server.url("/x")).text.startswith("<!DOCTYPE html>")


def test_one_fetcher_shared_by_threads_uses_a_session_each(local_server: LocalServer) -> None:
    local_server.route("/a", body=ARTICLE, headers=HTML)
    fetcher, _ = make_fetcher()
    results: list[int] = []

    def work() -> None:
        for _ in range(3):
            results.append(fetcher.fetch(local_server.url("/a")).status)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 12
    assert len(fetcher._sessions) == 4
    fetcher.close()
    assert fetcher._sessions == []


# -- retries ---------------------------------------------------------------------------


def test_retries_503_then_succeeds(local_server: LocalServer) -> None:
    local_server.route_sequence("/f", [Reply(503), Reply(503), Reply(200, ARTICLE, HTML)])
    fetcher, sleeps = make_fetcher(backoff_base=0.5, backoff_max=30.0)
    with fetcher:
        page = fetcher.fetch(local_server.url("/f"))
    assert page.status == 200
    assert local_server.hits("/f") == 3
    assert len(sleeps.calls) == 2
    # Exponential with jitter: attempt n waits between half and all of base * 2**(n-1).
    assert 0.25 <= sleeps.calls[0] <= 0.5
    assert 0.5 <= sleeps.calls[1] <= 1.0


def test_gives_up_after_the_configured_attempts(local_server: LocalServer) -> None:
    local_server.route("/down", status=503)
    fetcher, sleeps = make_fetcher(attempts=3)
    with fetcher, pytest.raises(HTTPStatusError) as caught:
        fetcher.fetch(local_server.url("/down"))
    assert caught.value.status == 503
    assert caught.value.reason == "HTTP 503 Service Unavailable"
    assert caught.value.url == local_server.url("/down")
    assert local_server.hits("/down") == 3
    assert len(sleeps.calls) == 2


def test_backoff_never_exceeds_backoff_max(local_server: LocalServer) -> None:
    local_server.route("/down", status=500)
    fetcher, sleeps = make_fetcher(attempts=6, backoff_base=1.0, backoff_max=3.0)
    with fetcher, pytest.raises(HTTPStatusError):
        fetcher.fetch(local_server.url("/down"))
    assert len(sleeps.calls) == 5
    assert all(0 < s <= 3.0 for s in sleeps.calls)


def test_retry_after_seconds_is_honoured(local_server: LocalServer) -> None:
    local_server.route_sequence(
        "/busy", [Reply(503, headers={"Retry-After": "7"}), Reply(200, ARTICLE, HTML)]
    )
    fetcher, sleeps = make_fetcher()
    with fetcher:
        assert fetcher.fetch(local_server.url("/busy")).status == 200
    assert sleeps.calls == [7.0]


def test_retry_after_http_date_is_honoured(local_server: LocalServer) -> None:
    when = formatdate(time.time() + 30, usegmt=True)
    local_server.route_sequence(
        "/busy", [Reply(429, headers={"Retry-After": when}), Reply(200, ARTICLE, HTML)]
    )
    fetcher, sleeps = make_fetcher()
    with fetcher:
        assert fetcher.fetch(local_server.url("/busy")).status == 200
    assert len(sleeps.calls) == 1
    assert 27 <= sleeps.calls[0] <= 30


def test_retry_after_is_capped(local_server: LocalServer) -> None:
    local_server.route_sequence(
        "/busy", [Reply(503, headers={"Retry-After": "86400"}), Reply(200, ARTICLE, HTML)]
    )
    fetcher, sleeps = make_fetcher(retry_after_cap=5.0)
    with fetcher:
        fetcher.fetch(local_server.url("/busy"))
    assert sleeps.calls == [5.0]


def test_429_is_retried(local_server: LocalServer) -> None:
    local_server.route_sequence("/rate", [Reply(429), Reply(200, ARTICLE, HTML)])
    fetcher, sleeps = make_fetcher()
    with fetcher:
        assert fetcher.fetch(local_server.url("/rate")).status == 200
    assert local_server.hits("/rate") == 2
    assert len(sleeps.calls) == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [(404, "HTTP 404 Not Found"), (403, "HTTP 403 Forbidden"), (410, "HTTP 410 Gone")],
)
def test_client_errors_are_not_retried(local_server: LocalServer, status: int, reason: str) -> None:
    local_server.route("/gone", status=status, body=b"<h1>no</h1>", headers=HTML)
    fetcher, sleeps = make_fetcher()
    with fetcher, pytest.raises(HTTPStatusError) as caught:
        fetcher.fetch(local_server.url("/gone"))
    assert caught.value.status == status
    assert caught.value.reason == reason
    assert str(caught.value) == reason
    assert local_server.hits("/gone") == 1
    assert sleeps.calls == []


def test_connection_reset_is_retried(local_server: LocalServer) -> None:
    local_server.route_sequence("/r", [reset_connection, Reply(200, ARTICLE, HTML)])
    fetcher, sleeps = make_fetcher()
    with fetcher:
        assert fetcher.fetch(local_server.url("/r")).content == ARTICLE
    assert local_server.hits("/r") == 2
    assert len(sleeps.calls) == 1


def test_request_slot_wraps_every_request_of_a_fetch(local_server: LocalServer) -> None:
    local_server.route_handler("/old", redirect("/flaky"))
    local_server.route_sequence("/flaky", [Reply(503), Reply(200, ARTICLE, HTML)])
    seen: list[tuple[str, bool]] = []
    open_slots: list[int] = []

    @contextmanager
    def slot(url: str, first: bool) -> Iterator[None]:
        seen.append((url.rsplit("/", 1)[-1], first))
        open_slots.append(1)
        try:
            yield
        finally:
            open_slots.pop()

    fetcher = Fetcher(FetchSettings(), sleep=Recorder(), request_slot=slot)
    with fetcher:
        fetcher.fetch(local_server.url("/old"))
        fetcher.fetch(local_server.url("/old"))
    # first attempt: /old (first) → /flaky 503; retry: /old → /flaky 200; then a new fetch.
    assert seen == [
        ("old", True),
        ("flaky", False),
        ("old", False),
        ("flaky", False),
        ("old", True),
        ("flaky", False),
    ]
    assert open_slots == []


# -- redirects -------------------------------------------------------------------------


def test_redirects_are_followed_and_the_chain_kept(local_server: LocalServer) -> None:
    local_server.route_handler("/old", redirect("/mid", 301))
    local_server.route_handler("/mid", redirect(local_server.url("/new"), 302))
    local_server.route("/new", body=ARTICLE, headers=HTML)
    fetcher, _ = make_fetcher()
    with fetcher:
        page = fetcher.fetch(local_server.url("/old"))
    assert page.url == local_server.url("/old")
    assert page.final_url == local_server.url("/new")
    assert page.redirects == (local_server.url("/old"), local_server.url("/mid"))
    assert page.content == ARTICLE


def test_redirect_loop_fails_clearly_without_retrying(local_server: LocalServer) -> None:
    local_server.route_handler("/a", redirect("/b"))
    local_server.route_handler("/b", redirect("/a"))
    fetcher, sleeps = make_fetcher()
    with fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(local_server.url("/a"))
    assert caught.value.reason.startswith("redirect loop:")
    assert "/a → " in caught.value.reason and "/b → " in caught.value.reason
    assert local_server.hits("/a") == 1
    assert sleeps.calls == []


def test_too_many_redirects(local_server: LocalServer) -> None:
    for n in range(6):
        local_server.route_handler(f"/r{n}", redirect(f"/r{n + 1}"))
    fetcher, _ = make_fetcher(max_redirects=3)
    with fetcher, pytest.raises(FetchError, match=r"too many redirects \(more than 3\)"):
        fetcher.fetch(local_server.url("/r0"))
    assert local_server.hits("/r4") == 0


def test_redirect_to_another_scheme_is_refused(local_server: LocalServer) -> None:
    local_server.route_handler("/evil", redirect("file:///etc/passwd"))
    fetcher, _ = make_fetcher()
    with fetcher, pytest.raises(InvalidURLError, match="'file'"):
        fetcher.fetch(local_server.url("/evil"))


# -- size limits -----------------------------------------------------------------------


def test_refuses_early_when_content_length_is_over_the_limit(local_server: LocalServer) -> None:
    local_server.route("/big", body=b"<p>" + b"x" * 5000, headers=HTML)
    fetcher, sleeps = make_fetcher(max_bytes=1000)
    with fetcher, pytest.raises(TooLargeError, match="Content-Length 5,003 bytes"):
        fetcher.fetch(local_server.url("/big"))
    assert sleeps.calls == []


def test_size_limit_enforced_while_streaming_without_content_length(
    local_server: LocalServer,
) -> None:
    local_server.route("/big", body=b"<p>" + b"x" * 50_000, headers=HTML, content_length=False)
    fetcher, _ = make_fetcher(max_bytes=10_000)
    with fetcher, pytest.raises(TooLargeError, match="body over the 10,000-byte limit"):
        fetcher.fetch(local_server.url("/big"))


def test_endless_body_is_cut_at_the_limit(local_server: LocalServer) -> None:
    local_server.route_handler("/endless", endless_body(headers=HTML))
    fetcher, _ = make_fetcher(max_bytes=200_000)
    started = time.monotonic()
    with fetcher, pytest.raises(TooLargeError):
        fetcher.fetch(local_server.url("/endless"))
    assert time.monotonic() - started < 3


def test_gzip_bomb_is_stopped_after_max_bytes(local_server: LocalServer) -> None:
    bomb = gzip.compress(b" " * (32 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 64_000  # a small download ...
    local_server.route("/bomb", body=bomb, headers={**HTML, "Content-Encoding": "gzip"})
    fetcher, _ = make_fetcher(max_bytes=1024 * 1024)  # ... that inflates 32x past the limit
    started = time.monotonic()
    tracemalloc.start()
    try:
        with fetcher, pytest.raises(TooLargeError, match="body over the 1,048,576-byte limit"):
            fetcher.fetch(local_server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 3
    assert peak < 8 * 1024 * 1024  # inflated a piece at a time, never all 32 MiB


def _compress(encoding: str, data: bytes) -> bytes:
    from urllib3.util.request import ACCEPT_ENCODING

    # requests only offers (Accept-Encoding) what urllib3 can decode here: zstd needs
    # backports.zstd on Python < 3.14, br needs brotli; servers send nothing else.
    if encoding not in ACCEPT_ENCODING.split(","):
        pytest.skip(f"urllib3 here cannot decode {encoding}, so it never asks for it")
    if encoding == "deflate":
        return zlib.compress(data)
    if encoding == "zstd":
        return pytest.importorskip("zstandard").ZstdCompressor().compress(data)
    return bytes(pytest.importorskip("brotli").compress(data, quality=5))


@pytest.mark.parametrize("encoding", ["deflate", "zstd", "br"])
def test_other_content_encodings_are_decoded_and_bounded(
    local_server: LocalServer, encoding: str
) -> None:
    local_server.route(
        "/small", body=_compress(encoding, ARTICLE), headers={**HTML, "Content-Encoding": encoding}
    )
    bomb = _compress(encoding, b" " * (4 * 1024 * 1024))  # 4x over the limit
    local_server.route("/bomb", body=bomb, headers={**HTML, "Content-Encoding": encoding})
    fetcher, _ = make_fetcher(max_bytes=1024 * 1024)
    with fetcher:
        assert fetcher.fetch(local_server.url("/small")).content == ARTICLE
        with pytest.raises(TooLargeError):
            fetcher.fetch(local_server.url("/bomb"))


def test_invalid_utf8_and_nul_bytes_still_give_text(local_server: LocalServer) -> None:
    body = (
        "<html><body><p>Grüße\x00 aus Köln</p>".encode() + b"\xff\xfe\x00<p>end</p></body></html>"
    )
    local_server.route("/bad", body=body, headers=HTML)
    fetcher, _ = make_fetcher()
    with fetcher:
        page = fetcher.fetch(local_server.url("/bad"))
    assert "Grüße aus Köln" in page.text
    assert "\x00" not in page.text and "<p>end</p>" in page.text


# -- timeouts and broken connections ---------------------------------------------------


def test_read_timeout_on_a_stalled_server_is_retried_then_reported(
    local_server: LocalServer,
) -> None:
    local_server.route_handler("/stall", stall(30))
    fetcher, sleeps = make_fetcher(read_timeout=0.3, attempts=2)
    started = time.monotonic()
    with fetcher, pytest.raises(FetchTimeoutError, match="read timeout") as caught:
        fetcher.fetch(local_server.url("/stall"))
    assert time.monotonic() - started < 2.5
    assert local_server.hits("/stall") == 2
    assert len(sleeps.calls) == 1
    assert "127.0.0.1" in caught.value.reason


def test_slow_drip_is_bounded_by_the_total_budget(local_server: LocalServer) -> None:
    body = b"<html><body>" + b"x" * 2000
    local_server.route_handler("/drip", slow_drip(body, chunk=10, interval=0.05, headers=HTML))
    # Every gap (0.05 s) is far below the read timeout; only the budget can stop it.
    fetcher, sleeps = make_fetcher(read_timeout=1.0, total_timeout=0.6)
    started = time.monotonic()
    with fetcher, pytest.raises(FetchTimeoutError, match=r"0\.6s budget"):
        fetcher.fetch(local_server.url("/drip"))
    assert time.monotonic() - started < 2.0
    assert local_server.hits("/drip") == 1  # a blown budget is not retried
    assert sleeps.calls == []


def test_dripping_headers_are_bounded_by_the_total_budget(local_server: LocalServer) -> None:
    local_server.route_handler("/tarpit", slow_headers(interval=0.05))
    fetcher, sleeps = make_fetcher(read_timeout=1.0, total_timeout=0.5)
    started = time.monotonic()
    with fetcher, pytest.raises(FetchTimeoutError, match=r"0\.5s budget"):
        fetcher.fetch(local_server.url("/tarpit"))
    assert time.monotonic() - started < 1.5
    assert sleeps.calls == []


def test_budget_watchdog_does_not_break_the_next_fetch(local_server: LocalServer) -> None:
    local_server.route_handler("/tarpit", slow_headers(interval=0.05))
    local_server.route("/a", body=ARTICLE, headers=HTML)
    fetcher, _ = make_fetcher(read_timeout=1.0, total_timeout=0.3)
    with fetcher:
        with pytest.raises(FetchTimeoutError):
            fetcher.fetch(local_server.url("/tarpit"))
        for _ in range(3):
            assert fetcher.fetch(local_server.url("/a")).content == ARTICLE
            time.sleep(0.15)  # outlive the old attempts' budgets: their timers are cancelled


def test_connection_closed_mid_body_is_a_network_error(local_server: LocalServer) -> None:
    local_server.route_handler("/cut", close_mid_body(ARTICLE * 10, sent=100, headers=HTML))
    fetcher, _ = make_fetcher(attempts=1)
    with fetcher, pytest.raises(NetworkError, match="closed mid-body"):
        fetcher.fetch(local_server.url("/cut"))


def test_content_length_larger_than_the_body_is_a_network_error(
    local_server: LocalServer,
) -> None:
    local_server.route_handler("/short", wrong_content_length(ARTICLE, declared=5000, headers=HTML))
    fetcher, _ = make_fetcher(attempts=1)
    with fetcher, pytest.raises(NetworkError):
        fetcher.fetch(local_server.url("/short"))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_a_short_network_error() -> None:
    port = _closed_port()
    fetcher, sleeps = make_fetcher(attempts=2)
    with fetcher, pytest.raises(NetworkError) as caught:
        fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert caught.value.reason == f"connection refused by 127.0.0.1:{port}"
    assert len(sleeps.calls) == 1  # refused may be a restart: tried again once


def test_unknown_host_is_a_short_dns_error() -> None:
    fetcher, sleeps = make_fetcher()
    with fetcher, pytest.raises(NetworkError) as caught:
        fetcher.fetch("http://no-such-host.invalid/page")
    reason = caught.value.reason
    if "temporarily" in reason:  # a machine without any resolver: retried, may heal
        assert reason == "DNS lookup for no-such-host.invalid failed temporarily"
    else:  # ".invalid" never resolves: a definite answer is not retried
        assert reason == "DNS lookup failed: no such host no-such-host.invalid"
        assert sleeps.calls == []


# -- content types and decoding --------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/json"])
def test_non_html_is_refused(local_server: LocalServer, content_type: str) -> None:
    local_server.route("/file", body=b"%PDF-1.4 ...", headers={"Content-Type": content_type})
    fetcher, sleeps = make_fetcher()
    with fetcher, pytest.raises(NotHTMLError) as caught:
        fetcher.fetch(local_server.url("/file"))
    assert caught.value.reason == f"not HTML: {content_type}"
    assert sleeps.calls == []


def test_non_html_is_returned_when_html_only_is_off(local_server: LocalServer) -> None:
    local_server.route("/feed.xml", body=b"<rss/>", headers={"Content-Type": "application/rss+xml"})
    local_server.route(
        "/logo.png", body=b"\x89PNG\r\n\x1a\n...", headers={"Content-Type": "image/png"}
    )
    fetcher, _ = make_fetcher()
    with fetcher:
        feed = fetcher.fetch(local_server.url("/feed.xml"), html_only=False)
        logo = fetcher.fetch(local_server.url("/logo.png"), html_only=False)
    assert feed.text == "<rss/>"
    assert logo.content.startswith(b"\x89PNG") and logo.text == "" and logo.encoding is None
    assert local_server.requests[0].headers["Accept"] == "*/*"


def test_binary_served_as_html_is_refused(local_server: LocalServer) -> None:
    local_server.route("/fake", body=b"%PDF-1.7\n" + bytes(range(256)), headers=HTML)
    fetcher, _ = make_fetcher()
    with fetcher, pytest.raises(NotHTMLError, match="PDF served as text/html"):
        fetcher.fetch(local_server.url("/fake"))


def test_missing_content_type_is_sniffed(local_server: LocalServer) -> None:
    local_server.route("/page", body=b"\n  <!doctype html><html><p>ok</p></html>")
    local_server.route("/blob", body=b"just some words, no markup")
    fetcher, _ = make_fetcher()
    with fetcher:
        assert fetcher.fetch(local_server.url("/page")).text.strip().startswith("<!doctype")
        with pytest.raises(NotHTMLError, match="no Content-Type"):
            fetcher.fetch(local_server.url("/blob"))


def test_windows_1251_page_without_http_charset_is_decoded_via_meta(
    local_server: LocalServer,
) -> None:
    html = f'<html><head><meta charset="windows-1251"></head><body><p>{RUSSIAN}</p></body></html>'
    local_server.route("/ru", body=html.encode("cp1251"), headers={"Content-Type": "text/html"})
    fetcher, _ = make_fetcher()
    with fetcher:
        page = fetcher.fetch(local_server.url("/ru"))
    assert RUSSIAN in page.text
    assert page.encoding == "windows-1251"


def test_page_mislabelled_as_utf8_is_decoded_right(local_server: LocalServer) -> None:
    french = "Le café était très agréable à Noël, déjà l'été."
    local_server.route(
        "/fr",
        body=f"<html><body><p>{french}</p></body></html>".encode("cp1252"),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    fetcher, _ = make_fetcher()
    with fetcher:
        page = fetcher.fetch(local_server.url("/fr"))
    assert french in page.text
    assert page.encoding == "windows-1252"


# -- conditional GET -------------------------------------------------------------------


def test_conditional_get_sends_validators_and_304_is_not_modified(
    local_server: LocalServer,
) -> None:
    stamp = "Thu, 09 Apr 2026 10:15:00 GMT"

    def handler(h: localserver.RequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_reply(Reply(304, headers={"ETag": '"v1"'}))
        else:
            h.send_reply(Reply(200, ARTICLE, {**HTML, "ETag": '"v1"', "Last-Modified": stamp}))

    local_server.route_handler("/a", handler)
    fetcher, _ = make_fetcher()
    with fetcher:
        first = fetcher.fetch(local_server.url("/a"))
        again = fetcher.fetch(
            local_server.url("/a"), etag=first.etag, last_modified=first.last_modified
        )
    assert not first.not_modified and first.content == ARTICLE
    assert again.not_modified and again.status == 304
    assert again.content == b"" and again.text == ""
    assert again.fetched_at
    sent = local_server.requests[-1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == stamp
    assert "If-None-Match" not in local_server.requests[0].headers


# -- URL checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "not a URL"),
        ("example.com/news/1", "did you mean https://example.com/news/1"),
        ("ftp://example.com/x", "unsupported URL scheme 'ftp'"),
        ("file:///etc/passwd", "unsupported URL scheme 'file'"),
        ("http://", "no host"),
        ("http://example.com:99999/", "invalid URL"),
        ("", "not a URL"),
    ],
)
def test_invalid_urls_are_refused_before_any_request(url: str, fragment: str) -> None:
    fetcher, _ = make_fetcher()
    with fetcher, pytest.raises(InvalidURLError) as caught:
        fetcher.fetch(url)
    assert fragment in caught.value.reason


def test_block_private_refuses_loopback(local_server: LocalServer) -> None:
    local_server.route("/a", body=ARTICLE, headers=HTML)
    fetcher, _ = make_fetcher(block_private=True)
    with fetcher, pytest.raises(InvalidURLError, match="private address"):
        fetcher.fetch(local_server.url("/a"))
    assert local_server.hits("/a") == 0


def test_block_private_spares_allowed_hosts_but_checks_every_redirect(
    local_server: LocalServer,
) -> None:
    local_server.route("/a", body=ARTICLE, headers=HTML)
    local_server.route_handler("/jump", redirect(f"http://localhost:{local_server.port}/a"))
    fetcher, _ = make_fetcher(block_private=True, allow_hosts=frozenset({"127.0.0.1"}))
    with fetcher:
        assert fetcher.fetch(local_server.url("/a")).status == 200
        with pytest.raises(InvalidURLError, match="localhost resolves to a private address"):
            fetcher.fetch(local_server.url("/jump"))


def test_block_private_refuses_a_name_that_rebinds_to_loopback_after_the_check(
    local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: the name's first answer (the check) is public, the next one (the
    # connection) is the loopback server. DNS is the one part faked here: a resolver
    # that changes its answer cannot be set up on loopback.
    local_server.route("/a", body=ARTICLE, headers=HTML)
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    fetcher, sleeps = make_fetcher(block_private=True)
    with fetcher, pytest.raises(InvalidURLError, match=r"private address .*at connection time"):
        fetcher.fetch(f"http://rebind.example:{local_server.port}/a")
    assert local_server.hits("/a") == 0, "the request reached the internal server"
    assert sleeps.calls == [], "a refused address is not retried"


def test_allowed_hosts_and_unguarded_fetchers_connect_to_loopback_as_before(
    local_server: LocalServer,
) -> None:
    local_server.route("/a", body=ARTICLE, headers=HTML)
    guarded, _ = make_fetcher(block_private=True, allow_hosts=frozenset({"127.0.0.1"}))
    plain, _ = make_fetcher()
    with guarded, plain:
        assert guarded.fetch(local_server.url("/a")).status == 200
        assert plain.fetch(f"http://localhost:{local_server.port}/a").status == 200


# -- Retry-After parsing ---------------------------------------------------------------


def test_parse_retry_after_forms() -> None:
    now = time.time()
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(formatdate(now + 60, usegmt=True), now=now) == pytest.approx(60, abs=1)
    assert parse_retry_after(formatdate(now - 60, usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# -- local files -----------------------------------------------------------------------


def test_load_local_reads_a_path_and_a_file_url(tmp_path: Path) -> None:
    html = f'<html><head><meta charset="windows-1251"></head><body><p>{RUSSIAN}</p></body></html>'
    path = tmp_path / "статья 1.html"
    path.write_bytes(html.encode("cp1251"))
    by_path = load_local(str(path))
    by_url = load_local(path.as_uri())
    assert by_path.url == by_url.url == path.resolve().as_uri()
    assert by_path.final_url == by_path.url
    assert RUSSIAN in by_path.text and by_path.encoding == "windows-1251"
    assert by_url.content == by_path.content
    assert by_path.status == 200 and by_path.fetched_at


def test_load_local_missing_file_is_an_invalid_url(tmp_path: Path) -> None:
    with pytest.raises(InvalidURLError, match="no such file"):
        load_local(str(tmp_path / "missing.html"))
    with pytest.raises(InvalidURLError, match="is a directory"):
        load_local(tmp_path.as_uri())


def test_is_local_target(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    assert is_local_target(str(page))
    assert is_local_target(page.as_uri())
    assert is_local_target("file:///does/not/exist.html")
    assert not is_local_target(str(tmp_path / "nope.html"))
    assert not is_local_target("https://example.com/a.html")
    assert not is_local_target("")
