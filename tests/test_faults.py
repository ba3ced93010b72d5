"""Misbehaving servers and hostile pages, through the real stack.

One crawl of a small site on 127.0.0.1 meets every fault at once (they run in parallel,
so the whole crawl costs about as much as its slowest fault); each test then checks
what happened to one URL in the ``fetches`` log, the frontier and the archive. The
timing and memory bounds are generous ceilings, not benchmarks: they catch a fetch
that hangs or a body that is held whole, not a slow machine.

Fetcher- and parser-level tests below cover the bounds that a crawl cannot show
directly (memory of a bomb, time of a pathological tree).
"""

from __future__ import annotations

import contextlib
import re
import resource
import sqlite3
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from scraper.crawl import CrawlSummary, run_crawl
from scraper.discover import parse_xml
from scraper.errors import FetchError, ParseError, TooLargeError
from scraper.fetcher import Fetcher, FetchSettings
from scraper.parser import parse
from tests import localserver
from tests.faults import (
    HTML,
    article_html,
    big_page,
    billion_laughs,
    fetch_rows,
    gzip_bomb,
    gzip_bytes,
    listing_html,
    site_config,
)
from tests.localserver import (
    LocalServer,
    Reply,
    RequestHandler,
    close_mid_body,
    endless_body,
    redirect,
    reset_connection,
    slow_drip,
    stall,
    wrong_content_length,
)

local_server = localserver.local_server

RUSSIAN = "Правительство объявило о новых мерах поддержки экономики и рыбной отрасли."
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
CRAWL_CEILING_S = 30.0  # the slowest fault (a stall, retried 4 times) takes about 7 s


# -- the faulty site ----------------------------------------------------------------------


def _retry_after_date(seconds: float) -> localserver.Handler:
    """429 with Retry-After as an HTTP date ``seconds`` ahead, then the article."""
    state = {"n": 0}

    def handler(h: RequestHandler) -> None:
        state["n"] += 1
        if state["n"] == 1:
            when = formatdate(time.time() + seconds, usegmt=True)
            h.send_reply(Reply(429, b"slow down", {"Retry-After": when, **HTML}))
        else:
            h.send_reply(Reply(200, article_html("429-date"), HTML))

    return handler


def _storm() -> localserver.Handler:
    """500, 502, 503, 504, 500, ... for ever."""
    codes = iter([500, 502, 503, 504] * 100)

    def handler(h: RequestHandler) -> None:
        h.send_reply(Reply(next(codes), b"<h1>oops</h1>", HTML))

    return handler


def _nested(depth: int) -> bytes:
    return b"<html><body>" + b"<div><span>" * depth + b"deep text" + b"</span></div>" * depth


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def build_fault_site(server: LocalServer) -> dict[str, str]:
    """Route every fault; returns {path: what it is} for the articles linked from /."""
    good = ["/news/good-1", "/news/good-2", "/news/good-3"]
    faults: dict[str, localserver.Handler | Reply | list[Reply]] = {
        "/news/stall": stall(60),
        "/news/stall-after-headers": stall(60, after_headers=True),
        "/news/drip": slow_drip(article_html("drip"), chunk=20, interval=0.2, headers=HTML),
        "/news/reset": reset_connection,
        "/news/cut": close_mid_body(article_html("cut"), sent=300, headers=HTML),
        "/news/short": wrong_content_length(article_html("short"), declared=50_000, headers=HTML),
        "/news/429-seconds": [
            Reply(429, b"slow down", {"Retry-After": "1", **HTML}),
            Reply(200, article_html("429-seconds"), HTML),
        ],
        "/news/429-date": _retry_after_date(2),
        "/news/storm": _storm(),
        "/news/loop": redirect("/news/loop-b"),
        "/news/loop-b": redirect("/news/loop"),
        "/news/chain-0": redirect("/news/chain-1"),
        "/news/gzip-bomb": gzip_bomb(),
        "/news/endless": endless_body(headers=HTML),
        "/news/huge": big_page(),
        "/news/huge-unsized": big_page(declare_length=False),
        "/news/binary": Reply(200, PNG, HTML),
        "/news/wrong-charset": Reply(
            200,
            f"<html><head><title>Новости</title></head><body><h1>Новости</h1>"
            f"{('<p>' + RUSSIAN + '</p>') * 6}</body></html>".encode("cp1251"),
            HTML,  # says utf-8; the bytes are windows-1251
        ),
        "/news/bad-bytes": Reply(
            200,
            article_html("bad-bytes")
            .replace(b"Paragraph 1", b"Para\x00graph\xff\xfe 1")
            .replace(b"Paragraph 2", b"Paragraph\xc3\x28 2"),
            HTML,
        ),
        "/news/nested": Reply(200, _nested(100_000), HTML),
        "/news/gone": Reply(404, b"not here", HTML),
    }
    for i in range(1, 16):  # 15 hops: over the limit of 10
        faults[f"/news/chain-{i}"] = redirect(f"/news/chain-{i + 1}")
    faults["/news/chain-16"] = Reply(200, article_html("chain-end"), HTML)

    linked = good + [p for p in faults if p not in ("/news/loop-b",)
                     and not re.fullmatch(r"/news/chain-\d+", p)] + ["/news/chain-0"]  # fmt: skip
    server.route("/", 200, listing_html(linked), HTML)
    for path in good:
        server.route(path, 200, article_html(path.rsplit("/", 1)[1]), HTML)
    for path, answer in faults.items():
        if isinstance(answer, Reply):
            server.route(path, answer.status, answer.body, answer.headers)
        elif isinstance(answer, list):
            server.route_sequence(path, answer)
        else:
            server.route_handler(path, answer)

    base = server.base_url
    feed_items = "".join(
        f"<item><title>Feed {i}</title><link>{base}/news/feed-{i}</link></item>"
        for i in range(1, 4)
    )
    for i in range(1, 4):
        server.route(f"/news/feed-{i}", 200, article_html(f"feed-{i}"), HTML)
    xml = {"Content-Type": "application/xml"}
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{feed_items}'
    server.route("/feed-truncated.xml", 200, rss[: rss.rindex("</item>") + 7 + 12], xml)
    server.route("/feed-garbage.xml", 200, b"\x00\x01{not xml at all]]>\xff", xml)
    server.route("/feed-laughs.xml", 200, billion_laughs(
        f'<rss version="2.0"><channel><item><title>&lol9;</title>'
        f"<link>{base}/news/laughs-item</link></item></channel></rss>"), xml)  # fmt: skip
    urls = "".join(f"<url><loc>{base}/news/map-{i}</loc></url>" for i in range(1, 3))
    for i in range(1, 3):
        server.route(f"/news/map-{i}", 200, article_html(f"map-{i}"), HTML)
    sitemap = f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}">{urls}<url><loc>{base}/ne'
    server.route("/sitemap-truncated.xml", 200, sitemap, xml)
    server.route(
        "/sitemap-laughs.xml",
        200,
        billion_laughs(
            f'<urlset xmlns="{SITEMAP_NS}"><url><loc>{base}/news/&lol9;</loc></url></urlset>'
        ),
        xml,
    )
    bomb = gzip_bytes(80)  # 80 MiB of spaces in ~80 KB
    server.route("/sitemap-bomb.xml.gz", 200, bomb, {"Content-Type": "application/x-gzip"})
    server.route("/sitemap-html.xml", 200, listing_html(["/news/good-1"]), HTML)
    return {p: p for p in linked}


@dataclass(frozen=True)
class CrawlResult:
    summary: CrawlSummary
    db: Path
    rows: dict[str, list[dict[str, Any]]]
    server: LocalServer
    elapsed: float
    traced_peak: int

    def last(self, path: str) -> dict[str, Any]:
        assert path in self.rows, f"{path} was never recorded in fetches"
        return self.rows[path][-1]

    def frontier_state(self, path: str) -> str:
        with sqlite3.connect(self.db) as conn:
            row = conn.execute(
                "SELECT state FROM frontier WHERE url = ?", (self.server.url(path),)
            ).fetchone()
        assert row is not None, f"{path} is not in the frontier"
        return str(row[0])

    def archived(self) -> set[str]:
        with sqlite3.connect(self.db) as conn:
            urls = [r[0] for r in conn.execute("SELECT canonical_url FROM articles")]
        return {"/" + u.split("/", 3)[3] for u in urls}


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrawlResult]:
    server = LocalServer()
    try:
        build_fault_site(server)
        base = server.base_url
        config = site_config(
            server,
            concurrency=40,
            feeds=[f"{base}/feed-truncated.xml", f"{base}/feed-garbage.xml",
                   f"{base}/feed-laughs.xml"],
            sitemaps=[f"{base}/sitemap-truncated.xml", f"{base}/sitemap-laughs.xml",
                      f"{base}/sitemap-bomb.xml.gz", f"{base}/sitemap-html.xml"],
        )  # fmt: skip
        db = tmp_path_factory.mktemp("faults") / "archive.db"
        tracemalloc.start()
        started = time.monotonic()
        try:
            summary = run_crawl(config, db_path=db, parse_workers=0)
            elapsed = time.monotonic() - started
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        yield CrawlResult(summary, db, fetch_rows(db), server, elapsed, peak)
    finally:
        server.stop()


# -- the crawl as a whole ------------------------------------------------------------------


def test_faulty_site_crawl_finishes_in_bounded_time_and_memory(faulty_crawl: CrawlResult) -> None:
    assert faulty_crawl.elapsed < CRAWL_CEILING_S
    # A 4 GiB bomb, an endless body and two 100 MB pages passed through this crawl;
    # only bounded pieces of them (10 MiB limit each, 64 MiB for an inflated sitemap)
    # may ever be held, even all at the same time.
    assert faulty_crawl.traced_peak < 300 * 1024 * 1024


def test_faulty_site_crawl_exits_1_and_completes_the_good_urls(faulty_crawl: CrawlResult) -> None:
    assert faulty_crawl.summary.exit_code == 1
    good = {"/news/good-1", "/news/good-2", "/news/good-3", "/news/feed-1", "/news/feed-2",
            "/news/map-1", "/news/map-2", "/news/429-seconds", "/news/429-date",
            "/news/bad-bytes", "/news/wrong-charset"}  # fmt: skip
    assert good <= faulty_crawl.archived()


def test_every_failure_is_listed_in_the_summary_with_a_reason(faulty_crawl: CrawlResult) -> None:
    failures = "\n".join(faulty_crawl.summary.failures)
    for path in ("/news/stall", "/news/reset", "/news/storm", "/news/loop", "/news/gzip-bomb",
                 "/feed-laughs.xml", "/sitemap-laughs.xml"):  # fmt: skip
        assert faulty_crawl.server.url(path) + ": " in failures
    assert faulty_crawl.summary.failed == len(faulty_crawl.summary.failures)


# -- one URL each ----------------------------------------------------------------------------

FAILED = [
    # path, reason pattern, frontier state afterwards, at least this many requests
    ("/news/stall", r"^read timeout: 127\.0\.0\.1:\d+ sent nothing for 1s$", "failed", 4),
    ("/news/stall-after-headers", r"^read timeout", "failed", 4),
    ("/news/drip", r"^timeout: no complete answer within the 4s budget$", "failed", 1),
    ("/news/reset", r"^connection reset by 127\.0\.0\.1:\d+$", "failed", 4),
    (
        "/news/cut",
        r"^connection closed mid-body by 127\.0\.0\.1:\d+ \(got [\d,]+ of [\d,]+ bytes\)$",
        "failed",
        4,
    ),
    ("/news/short", r"^connection closed mid-body", "failed", 4),
    ("/news/storm", r"^HTTP 50[0234] ", "failed", 4),
    ("/news/loop", r"^redirect loop: .*/news/loop → .*/news/loop-b → .*/news/loop$", "failed", 1),
    ("/news/chain-0", r"^too many redirects \(more than 10\)$", "failed", 1),
    ("/news/gzip-bomb", r"^too large: body over the 10,485,760-byte limit$", "gone", 1),
    ("/news/endless", r"^too large: body over the 10,485,760-byte limit$", "gone", 1),
    (
        "/news/huge",
        r"^too large: Content-Length 104,857,600 bytes over the 10,485,760-byte "
        r"limit$",
        "gone",
        1,
    ),
    ("/news/huge-unsized", r"^too large: body over the 10,485,760-byte limit$", "gone", 1),
    ("/news/binary", r"^not HTML: PNG image served as text/html$", "gone", 1),
    ("/news/gone", r"^HTTP 404 Not Found$", "gone", 1),
    ("/feed-garbage.xml", r"^unreadable XML", "failed", 1),
    (
        "/feed-laughs.xml",
        r"^XML declares entities \(refused: entity expansion attack\)$",
        "failed",
        1,
    ),
    ("/sitemap-laughs.xml", r"^XML declares entities", "failed", 1),
    ("/sitemap-bomb.xml.gz", r"^XML larger than \d+ bytes once inflated$", "failed", 1),
    ("/sitemap-html.xml", r"^not a feed or sitemap \(an HTML page\)$", "failed", 1),
]


@pytest.mark.parametrize(("path", "reason", "state", "tries"), FAILED,
                         ids=[f[0] for f in FAILED])  # fmt: skip
def test_fault_is_recorded_as_failed_with_a_clear_reason(
    faulty_crawl: CrawlResult, path: str, reason: str, state: str, tries: int
) -> None:
    row = faulty_crawl.last(path)
    assert row["outcome"] == "failed"
    assert row["error"] and re.search(reason, row["error"]), row["error"]
    assert row["source"] == "test"
    assert row["elapsed_ms"] < 15_000
    assert faulty_crawl.frontier_state(path) == state
    assert faulty_crawl.server.hits(path) >= tries
    # Retryable faults are retried within the run, permanent ones are not.
    if state == "gone" or tries == 1:
        assert faulty_crawl.server.hits(path) == 1


def test_binary_served_as_html_is_skipped_not_counted_as_a_crawl_failure(
    faulty_crawl: CrawlResult,
) -> None:
    # A PDF or image linked from an article is not the site's fault: logged, not failed.
    failures = "\n".join(faulty_crawl.summary.failures)
    assert "/news/binary" not in failures
    assert faulty_crawl.last("/news/binary")["outcome"] == "failed"


def test_429_with_retry_after_seconds_is_retried_after_the_wait(faulty_crawl: CrawlResult) -> None:
    asked = [r.time for r in faulty_crawl.server.requests if r.path == "/news/429-seconds"]
    assert len(asked) == 2
    assert asked[1] - asked[0] >= 0.9
    assert faulty_crawl.last("/news/429-seconds")["outcome"] == "new"


def test_429_with_retry_after_http_date_is_retried_after_the_wait(
    faulty_crawl: CrawlResult,
) -> None:
    asked = [r.time for r in faulty_crawl.server.requests if r.path == "/news/429-date"]
    assert len(asked) == 2
    assert asked[1] - asked[0] >= 0.9  # HTTP dates have whole seconds: 2 s ahead is ≥ 1 s
    assert faulty_crawl.last("/news/429-date")["outcome"] == "new"


def test_wrong_declared_charset_still_archives_readable_text(faulty_crawl: CrawlResult) -> None:
    with sqlite3.connect(faulty_crawl.db) as conn:
        body = conn.execute(
            "SELECT body FROM articles WHERE canonical_url LIKE '%/news/wrong-charset'"
        ).fetchone()[0]
    assert RUSSIAN in body


def test_invalid_utf8_and_nul_bytes_are_archived_without_nul(faulty_crawl: CrawlResult) -> None:
    with sqlite3.connect(faulty_crawl.db) as conn:
        body = conn.execute(
            "SELECT body FROM articles WHERE canonical_url LIKE '%/news/bad-bytes'"
        ).fetchone()[0]
    assert "\x00" not in body
    assert "Paragraph 3 of bad-bytes" in body


def test_100000_nested_tags_end_as_a_non_article_not_a_hang(faulty_crawl: CrawlResult) -> None:
    row = faulty_crawl.last("/news/nested")
    assert row["outcome"] in ("skipped", "failed", "new")
    assert "/news/nested" not in faulty_crawl.archived() or row["outcome"] == "new"


def test_truncated_feed_gives_the_items_before_the_cut(faulty_crawl: CrawlResult) -> None:
    assert faulty_crawl.last("/feed-truncated.xml")["outcome"] == "ok"
    assert {"/news/feed-1", "/news/feed-2"} <= faulty_crawl.archived()


def test_truncated_sitemap_gives_the_urls_before_the_cut(faulty_crawl: CrawlResult) -> None:
    assert faulty_crawl.last("/sitemap-truncated.xml")["outcome"] == "ok"
    assert {"/news/map-1", "/news/map-2"} <= faulty_crawl.archived()


def test_entity_bombs_are_never_expanded_into_urls(faulty_crawl: CrawlResult) -> None:
    assert faulty_crawl.server.hits("/news/laughs-item") == 0
    assert not [p for p in faulty_crawl.rows if "lol" in p]


def test_failed_urls_back_off_across_runs(faulty_crawl: CrawlResult) -> None:
    with sqlite3.connect(faulty_crawl.db) as conn:
        row = conn.execute(
            "SELECT attempts, next_try_at, last_error FROM frontier WHERE url = ?",
            (faulty_crawl.server.url("/news/storm"),),
        ).fetchone()
    attempts, next_try_at, last_error = row
    assert attempts == 1 and next_try_at and last_error.startswith("HTTP 50")


# -- a later run heals --------------------------------------------------------------------


def test_a_url_that_failed_is_archived_by_a_later_run_once_it_heals(
    local_server: LocalServer, tmp_path: Path
) -> None:
    local_server.route("/", 200, listing_html(["/news/ok", "/news/flaky"]), HTML)
    local_server.route("/news/ok", 200, article_html("ok"), HTML)
    local_server.route("/news/flaky", 503, b"down", {"Retry-After": "0", **HTML})
    db = tmp_path / "a.db"
    first = run_crawl(site_config(local_server), db_path=db, parse_workers=0)
    assert first.exit_code == 1 and first.new == 1

    local_server.route("/news/flaky", 200, article_html("flaky"), HTML)
    with sqlite3.connect(db) as conn:  # pretend the back-off time has passed
        conn.execute("UPDATE frontier SET next_try_at = '2000-01-01T00:00:00+00:00' "
                     "WHERE state = 'failed'")  # fmt: skip
    second = run_crawl(site_config(local_server), db_path=db, parse_workers=0)
    assert second.exit_code == 0 and second.new == 1
    assert local_server.hits("/news/ok") == 1  # the good one is not fetched again
    rows = fetch_rows(db)["/news/flaky"]
    assert [r["outcome"] for r in rows] == ["failed", "new"]


# -- robots.txt that misbehaves -----------------------------------------------------------


def _robots_site(server: LocalServer, robots: localserver.Handler | Reply) -> None:
    server.route("/", 200, listing_html(["/news/one", "/news/secret/two"]), HTML)
    server.route("/news/one", 200, article_html("one"), HTML)
    server.route("/news/secret/two", 200, article_html("two"), HTML)
    server.route("/real-robots.txt", 200, "User-agent: *\nDisallow: /news/secret/\n",
                 {"Content-Type": "text/plain"})  # fmt: skip
    if isinstance(robots, Reply):
        server.route("/robots.txt", robots.status, robots.body, robots.headers)
    else:
        server.route_handler("/robots.txt", robots)


def test_robots_txt_5xx_4xx_redirect_and_garbage(tmp_path: Path) -> None:
    from scraper.config import config_from_dict

    cases: dict[str, localserver.Handler | Reply] = {
        "r5xx": Reply(500, b"oops", {"Retry-After": "0"}),
        "r404": Reply(404, b"nothing here"),
        "r403": Reply(403, b"forbidden"),
        "redirect": redirect("/real-robots.txt", 301),
        "garbage": Reply(
            200,
            PNG[:100] + b"\n<html><body>Disallow everything!</body></html>",
            {"Content-Type": "text/plain"},
        ),
        "html": Reply(200, listing_html(["/x"]), HTML),
    }
    servers = {name: LocalServer() for name in cases}
    try:
        for name, answer in cases.items():
            _robots_site(servers[name], answer)
        config = config_from_dict({
            "defaults": {"delay": 0.0, "timeout": 1.0, "robots": True},
            "sources": [{"name": n, "start": [s.url("/")], "allow": ["/news/"]}
                        for n, s in servers.items()],
        })  # fmt: skip
        started = time.monotonic()
        summary = run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
        assert time.monotonic() - started < 20
    finally:
        for server in servers.values():
            server.stop()

    def asked(name: str, path: str) -> bool:
        return servers[name].hits(path) > 0

    # 5xx: RFC 9309 "complete disallow" for now; nothing else asked, the URL stays queued.
    assert [r.path for r in servers["r5xx"].requests if r.path != "/robots.txt"] == []
    assert any("robots.txt" in f for f in summary.failures)
    assert summary.exit_code == 1
    with sqlite3.connect(tmp_path / "a.db") as conn:
        state = conn.execute("SELECT state FROM frontier WHERE url = ?",
                             (servers["r5xx"].url("/"),)).fetchone()[0]  # fmt: skip
    assert state == "queued"
    # 4xx: no rules at all.
    for name in ("r404", "r403"):
        assert asked(name, "/news/one") and asked(name, "/news/secret/two")
    # A redirect is followed and the rules found there obeyed.
    assert asked("redirect", "/real-robots.txt")
    assert asked("redirect", "/news/one") and not asked("redirect", "/news/secret/two")
    # Garbage and an HTML page forbid nothing.
    for name in ("garbage", "html"):
        assert asked(name, "/news/one") and asked(name, "/news/secret/two")


# -- the fetcher's own bounds -------------------------------------------------------------


def _traced(fn: Any) -> tuple[Any, int, float]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        try:
            result: Any = fn()
        except Exception as exc:  # returned for the caller to check
            result = exc
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak, elapsed


def test_4_gib_gzip_bomb_stops_at_the_limit_in_bounded_memory(local_server: LocalServer) -> None:
    local_server.route_handler("/bomb", gzip_bomb(4 * 1024**3))
    settings = FetchSettings(max_bytes=2 * 1024 * 1024, read_timeout=2, attempts=1)
    with Fetcher(settings) as fetcher:
        result, peak, elapsed = _traced(lambda: fetcher.fetch(local_server.url("/bomb")))
    assert isinstance(result, TooLargeError)
    assert elapsed < 10
    assert peak < 16 * 1024 * 1024


def test_100_mb_page_without_length_is_cut_in_bounded_memory(local_server: LocalServer) -> None:
    local_server.route_handler("/big", big_page(100 * 1024 * 1024, declare_length=False))
    settings = FetchSettings(max_bytes=4 * 1024 * 1024, read_timeout=2, attempts=1)
    with Fetcher(settings) as fetcher:
        result, peak, elapsed = _traced(lambda: fetcher.fetch(local_server.url("/big")))
    assert isinstance(result, TooLargeError) and "body over" in result.reason
    assert elapsed < 10
    assert peak < 24 * 1024 * 1024


def test_100_mb_page_with_length_is_refused_before_reading(local_server: LocalServer) -> None:
    local_server.route_handler("/big", big_page(100 * 1024 * 1024))
    with Fetcher(FetchSettings(read_timeout=2, attempts=3)) as fetcher:
        result, peak, elapsed = _traced(lambda: fetcher.fetch(local_server.url("/big")))
    assert isinstance(result, TooLargeError) and "Content-Length 104,857,600" in result.reason
    assert elapsed < 5 and peak < 4 * 1024 * 1024
    assert local_server.hits("/big") == 1


def test_process_memory_stays_bounded_after_the_faulty_crawl(faulty_crawl: CrawlResult) -> None:
    # ru_maxrss is the whole pytest process's peak (KiB on Linux): a GiB-sized body would
    # show here even if tracemalloc missed a C-level buffer.
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert peak_kib < 1024 * 1024


# -- parser-level bounds --------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        _nested(100_000),
        b"<html><body>" + b"<b>" * 100_000 + b"text",
        b"<ul>" + b"<li><ul>" * 100_000,
        b"<table><tr><td>" * 100_000,
        b"<p>" + b"<a href='/x'>" * 100_000,
        "<div>" * 50_000 + "текст" + "</div>" * 50_000,
    ],
    ids=["div-span", "unclosed-b", "nested-lists", "tables", "anchors", "text"],
)
def test_100000_nested_tags_parse_in_bounded_time(html: bytes | str) -> None:
    started = time.monotonic()
    try:
        article = parse(html, url="https://news.example/2026/04/deep")
    except ParseError:
        pass
    else:
        assert article.kind in ("article", "listing", "empty", "paywalled", "error")
    assert time.monotonic() - started < 10


def test_sitemap_gzip_bomb_is_refused_in_bounded_time_and_memory() -> None:
    bomb = gzip_bytes(1024, b"<url>")  # 1 GiB in about 1 MB
    result, peak, elapsed = _traced(lambda: parse_xml(bomb, "https://news.example/sitemap.xml.gz"))
    assert isinstance(result, ParseError) and "once inflated" in result.reason
    assert elapsed < 10
    assert peak < 160 * 1024 * 1024  # the 64 MiB inflate cap, not the GiB


# -- truncated XML: the cut-off entry -------------------------------------------------------


def test_truncated_sitemap_does_not_yield_the_cut_off_url() -> None:
    doc = (
        f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}">'
        "<url><loc>https://news.example/2026/04/first-story</loc></url>"
        "<url><loc>https://news.example/2026/04/second-sto"
    ).encode()
    urls = [d.url for d in parse_xml(doc, "https://news.example/sitemap.xml")]
    assert urls == ["https://news.example/2026/04/first-story"]


def test_truncated_feed_does_not_yield_the_cut_off_url() -> None:
    doc = (
        b'<?xml version="1.0"?><rss version="2.0"><channel>'
        b"<item><link>https://news.example/2026/04/first-story</link></item>"
        b"<item><link>https://news.example/2026/04/second-sto"
    )
    urls = [d.url for d in parse_xml(doc, "https://news.example/feed")]
    assert urls == ["https://news.example/2026/04/first-story"]


# -- the command line tells cron the truth ---------------------------------------------------


def test_cli_crawl_exit_code_is_1_with_failures_listed_then_0_once_healed(
    local_server: LocalServer, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from scraper.cli import main

    paths = ["/news/good", "/news/reset", "/news/nested", "/news/bomb"]
    local_server.route("/", 200, listing_html(paths), HTML)
    local_server.route("/news/good", 200, article_html("good"), HTML)
    local_server.route_handler("/news/reset", reset_connection)
    local_server.route("/news/nested", 200, _nested(100_000), HTML)
    local_server.route_handler("/news/bomb", gzip_bomb())
    toml = tmp_path / "sources.toml"
    toml.write_text(
        "[defaults]\ndelay = 0.0\ntimeout = 1.0\nrobots = false\n"
        f'[[sources]]\nname = "cli"\nstart = ["{local_server.url("/")}"]\n'
        "allow = ['/news/']\n"
    )
    db = tmp_path / "a.db"
    runner = CliRunner()
    # The default parse process pool is used here: hostile pages go through it too.
    first = runner.invoke(main, ["crawl", "--config", str(toml), "--db", str(db), "-v"])
    assert first.exit_code == 1, first.output
    assert f"failed: {local_server.url('/news/reset')}: connection reset by" in first.output
    assert f"failed: {local_server.url('/news/bomb')}: too large" in first.output
    assert re.search(r"crawl: \d+ discovered, .* 1 new, .* 2 failed in [\d.]+ s", first.output)

    local_server.route("/news/reset", 200, article_html("reset"), HTML)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE frontier SET next_try_at = '2000-01-01' WHERE state = 'failed'")
    second = runner.invoke(main, ["crawl", "--config", str(toml), "--db", str(db), "-q"])
    assert second.exit_code == 0, second.output
    assert "1 new" in second.output and "0 failed" in second.output


# -- a server that drips its headers ------------------------------------------------------------


def _header_drip(seconds: float) -> localserver.Handler:
    """Status line, then one header byte every 0.1 s for ``seconds`` (each gap far below
    any read timeout), then the end of the headers and a small page."""

    def handler(h: RequestHandler) -> None:
        h.close_connection = True
        try:
            h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Drip: ")
            h.wfile.flush()
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if h.stopping.wait(0.1):
                    return
                h.wfile.write(b"a")
                h.wfile.flush()
            body = article_html("drip")
            h.wfile.write(b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:
            return

    return handler


def test_headers_dripped_slowly_are_bounded_by_the_budget(local_server: LocalServer) -> None:
    local_server.route_handler("/drip-headers", _header_drip(4.0))
    settings = FetchSettings(read_timeout=1.0, total_timeout=1.0, attempts=1)
    started = time.monotonic()
    with Fetcher(settings) as fetcher, contextlib.suppress(FetchError):
        fetcher.fetch(local_server.url("/drip-headers"))
    assert time.monotonic() - started < 2.5


# -- a host that asks for an hour's pause ----------------------------------------------------


def test_retry_after_of_an_hour_defers_the_url_instead_of_sleeping(
    local_server: LocalServer, tmp_path: Path
) -> None:
    import subprocess
    import sys

    paths = ["/news/limited-1", "/news/limited-2"]
    local_server.route("/", 200, listing_html(paths), HTML)
    for path in paths:
        local_server.route(path, 429, b"slow down", {"Retry-After": "3600", **HTML})
    toml = tmp_path / "sources.toml"
    toml.write_text(
        "[defaults]\ndelay = 0.0\ntimeout = 1.0\nrobots = false\n"
        f'[[sources]]\nname = "limited"\nstart = ["{local_server.url("/")}"]\n'
        "allow = ['/news/']\n"
    )
    db = tmp_path / "a.db"
    script = (
        "from scraper.config import load_config; from scraper.crawl import run_crawl; "
        f"import sys; s = run_crawl(load_config({str(toml)!r}), db_path={str(db)!r}, "
        "parse_workers=0); sys.exit(s.exit_code)"
    )
    repo = Path(__file__).resolve().parent.parent
    try:
        done = subprocess.run([sys.executable, "-c", script], cwd=repo, timeout=8)
    except subprocess.TimeoutExpired:
        pytest.fail("the crawl was still sleeping on Retry-After after 8 s")
    assert done.returncode == 1
    with sqlite3.connect(db) as conn:
        states = {s for (s,) in conn.execute("SELECT state FROM frontier WHERE url LIKE '%lim%'")}
    assert states == {"failed"}


def test_robots_txt_5xx_is_recorded_in_fetches(local_server: LocalServer, tmp_path: Path) -> None:
    _robots_site(local_server, Reply(503, b"down", {"Retry-After": "0"}))
    db = tmp_path / "a.db"
    summary = run_crawl(site_config(local_server, robots=True), db_path=db, parse_workers=0)
    assert summary.exit_code == 1
    with sqlite3.connect(db) as conn:
        errors = [e for (e,) in conn.execute("SELECT error FROM fetches WHERE error IS NOT NULL")]
    assert any("robots.txt" in e and "503" in e for e in errors), errors


def test_a_deferred_url_waits_as_long_as_retry_after_asked(
    local_server: LocalServer, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    local_server.route("/", 200, listing_html(["/news/limited"]), HTML)
    local_server.route("/news/limited", 429, b"slow down", {"Retry-After": "3600", **HTML})
    db = tmp_path / "a.db"
    run_crawl(site_config(local_server), db_path=db, parse_workers=0)
    with sqlite3.connect(db) as conn:
        next_try, error = conn.execute(
            "SELECT next_try_at, last_error FROM frontier WHERE url = ?",
            (local_server.url("/news/limited"),),
        ).fetchone()
    assert "3600" in error or "1 h" in error, error
    assert datetime.fromisoformat(next_try) >= datetime.now(UTC) + timedelta(minutes=55)


# -- big but legitimate sitemaps ---------------------------------------------------------------


def test_an_uncompressed_12_mb_sitemap_is_read(local_server: LocalServer, tmp_path: Path) -> None:
    title = "A long headline about the harbor council and its decisions " * 7
    entry = (
        "<url><loc>{base}/news/{i}</loc><news:news><news:publication><news:name>Gazette"
        "</news:name><news:language>en</news:language></news:publication>"
        "<news:publication_date>2026-04-09</news:publication_date>"
        f"<news:title>{title}</news:title></news:news></url>"
    )
    base = local_server.base_url
    body = (
        f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(entry.format(base=base, i=i) for i in range(20_000))
        + "</urlset>"
    ).encode()
    assert 11 * 1024 * 1024 < len(body) < 50 * 1000 * 1000
    local_server.route("/sitemap.xml", 200, body, {"Content-Type": "application/xml"})
    config = site_config(local_server, start=[], sitemaps=[local_server.url("/sitemap.xml")])
    db = tmp_path / "a.db"
    run_crawl(config, db_path=db, max_pages=1, parse_workers=0)
    row = fetch_rows(db)["/sitemap.xml"][-1]
    assert row["outcome"] == "ok", row["error"]
