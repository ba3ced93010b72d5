"""Crawl runs against fixtures/site ("The Harbor Gazette") served on 127.0.0.1.

Every test uses a real HTTP server, a real SQLite archive and the real fetcher and
parser; the request log of the server is the witness of what the crawler asked for.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scraper.config import CrawlConfig, config_from_dict
from scraper.crawl import CrawlSummary, ProgressUpdate, adhoc_config, run_crawl
from scraper.errors import ArchiveError, ConfigError, LockedError
from scraper.lock import CrawlLock
from scraper.politeness import HostGate
from tests import localserver
from tests.localserver import LocalServer, Reply, RequestHandler, redirect

local_server = localserver.local_server

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site"
REPO = Path(__file__).resolve().parent.parent

ARTICLES = {
    "/2026/04/port-expansion-approved/",
    "/2026/04/storm-closes-coastal-road/",
    "/2026/04/council-budget-vote/",
    "/2026/04/ferry-timetable-changes/",
    "/2026/04/flaky-story/",
    "/2026/03/library-reopens/",
    "/2026/03/fishing-quota-dispute/",
    "/2026/03/moscow-delegation/",
    "/2026/02/school-roof-repair/",
    "/2026/02/harbor-history/",
}


# -- the site ---------------------------------------------------------------------------


def _content_type(rel: str) -> str:
    if rel.endswith(".html"):
        # The windows-1251 article declares its charset only in <meta>.
        return "text/html" if "moscow" in rel else "text/html; charset=utf-8"
    if rel.endswith(".gz"):
        return "application/x-gzip"
    if rel.endswith(".xml"):
        return "application/xml"
    return "text/plain; charset=utf-8"


def _answer(body: bytes, content_type: str, *, etag: bool = True) -> localserver.Handler:
    """Serve ``body`` with an ETag and honour If-None-Match (a 304 has no body)."""
    tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'

    def handler(h: RequestHandler) -> None:
        if not etag:
            h.send_reply(Reply(200, body, {"Content-Type": content_type}))
        elif h.headers.get("If-None-Match") == tag:
            h.send_reply(Reply(304, b"", {"ETag": tag}))
        else:
            h.send_reply(Reply(200, body, {"Content-Type": content_type, "ETag": tag}))

    return handler


def serve_site(server: LocalServer, *, skip: tuple[str, ...] = (), etag: bool = True) -> None:
    """Route every fixture file ({{BASE}} filled in, x/index.html served as x/)."""
    base = server.base_url.encode()
    for path in sorted(SITE.rglob("*")):
        rel = path.relative_to(SITE).as_posix()
        if not path.is_file() or rel == "README.md":
            continue
        raw = path.read_bytes()
        if rel.endswith(".gz"):
            body = gzip.compress(gzip.decompress(raw).replace(b"{{BASE}}", base), mtime=0)
        else:
            body = raw.replace(b"{{BASE}}", base).replace(b"{{PORT}}", str(server.port).encode())
        route = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        if route not in skip:
            server.route_handler(route, _answer(body, _content_type(rel), etag=etag))
    server.route_handler("/2025/12/old-harbor-story/", redirect("/2026/02/harbor-history/", 301))


def site_text(rel: str, server: LocalServer) -> bytes:
    return (SITE / rel).read_bytes().replace(b"{{BASE}}", server.base_url.encode())


def harbor_config(server: LocalServer, **settings: Any) -> CrawlConfig:
    source: dict[str, Any] = {
        "name": "harbor",
        "start": [server.url("/")],
        "feeds": [server.url("/feed.xml")],
        "allow": [r"/\d{4}/\d{2}/"],
        "deny": ["/tag/", "/author/"],
        "follow": [r"/page/\d+/$"],
    }
    source.update(settings)
    return config_from_dict({"defaults": {"delay": 0.0}, "sources": [source]})


def article_paths(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT canonical_url FROM articles ORDER BY id").fetchall()
    return ["/" + r[0].split("/", 3)[3] for r in rows]


def gets(server: LocalServer, path: str) -> list[localserver.RecordedRequest]:
    return [r for r in server.requests if r.path.split("?")[0] == path]


# -- the whole site ---------------------------------------------------------------------


def test_crawls_the_site_once_politely_then_incrementally(
    local_server: LocalServer, tmp_path: Path
) -> None:
    serve_site(local_server)
    local_server.route_sequence(
        "/2026/04/flaky-story/",
        [
            Reply(503, b"busy", {"Retry-After": "1"}),
            Reply(503, b"busy", {"Retry-After": "1"}),
            _answer(site_text("2026/04/flaky-story/index.html", local_server),
                    "text/html; charset=utf-8"),
        ],
    )  # fmt: skip
    db = tmp_path / "archive.db"
    config = harbor_config(local_server, delay=0.2, allow=[], follow=[r"/page/\d+/$"])

    first = run_crawl(config, db_path=db)

    # Exactly the articles, once each (variants with tracking params and fragments
    # deduplicated, the redirect resolved, the windows-1251 article decoded).
    paths = article_paths(db)
    assert sorted(paths) == sorted(ARTICLES)
    for path in ARTICLES - {"/2026/04/flaky-story/", "/2026/02/harbor-history/"}:
        assert len(gets(local_server, path)) == 1, path
    assert len(gets(local_server, "/2026/04/flaky-story/")) == 3
    with sqlite3.connect(db) as conn:
        title = conn.execute(
            "SELECT title FROM articles WHERE canonical_url LIKE '%moscow-delegation/'"
        ).fetchone()[0]
        gone = conn.execute(
            "SELECT state, last_status FROM frontier WHERE url LIKE '%deleted-story/'"
        ).fetchone()
        schemes = {u.split(":")[0] for (u,) in conn.execute("SELECT url FROM frontier")}
    assert title == "Делегация из Москвы посетила порт"
    assert gone == ("gone", 404)
    assert schemes == {"http"}

    # robots.txt disallows /private/ (linked from every page): never requested.
    # Deny rules: /tag/ and /author/ never requested either.
    requested = [r.path for r in local_server.requests]
    assert requested[0] == "/robots.txt"
    assert not [p for p in requested if p.startswith(("/private/", "/tag/", "/author/"))]

    # The per-host delay holds between every two requests, redirect hops included.
    times = [r.time for r in local_server.requests]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.19, gaps

    assert first.new == 10
    assert first.failed == 1 and first.exit_code == 1
    assert "deleted-story" in first.failures[0]
    assert "1 failed" in first.line()

    # Second run, re-checking everything: conditional GETs only, no full download,
    # and the 404 is not asked again.
    local_server.clear_requests()
    second = run_crawl(harbor_config(local_server, allow=[]), db_path=db, refresh=True,
                       parse_workers=0)  # fmt: skip
    article_requests = [r for r in local_server.requests if r.path in ARTICLES]
    assert article_requests, "refresh re-checks archived articles"
    assert all(r.headers.get("If-None-Match") for r in article_requests)
    assert not gets(local_server, "/2026/01/deleted-story/")
    assert second.new == 0 and second.updated == 0
    assert second.unchanged == len({r.path for r in article_requests})
    assert second.exit_code == 0
    assert sorted(article_paths(db)) == sorted(ARTICLES)


def test_recheck_of_identical_bytes_is_not_parsed_or_stored_again(
    local_server: LocalServer, tmp_path: Path
) -> None:
    serve_site(local_server, etag=False)  # a server without validators
    db = tmp_path / "a.db"
    config = harbor_config(local_server, start=[], robots=False)
    run_crawl(config, db_path=db, parse_workers=0)
    second = run_crawl(config, db_path=db, refresh=True, parse_workers=0)
    assert second.unchanged == 3 and second.new == 0 and second.updated == 0
    with sqlite3.connect(db) as conn:
        outcomes = conn.execute(
            "SELECT status, outcome FROM fetches WHERE url LIKE '%/2026/%' ORDER BY rowid"
        ).fetchall()
        pages = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    assert outcomes[3:] == [(200, "not_modified")] * 3
    assert pages == 3


def test_redirect_hops_keep_the_delay_and_robots(local_server: LocalServer, tmp_path: Path) -> None:
    serve_site(local_server, skip=("/", "/robots.txt"))
    local_server.route("/robots.txt", 200, "User-agent: *\nDisallow: /private/\n")
    links = '<a href="/2026/go/1/">a</a> <a href="/2026/go/secret/">b</a>'
    local_server.route(
        "/", 200, f"<html><body>{links}</body></html>", {"Content-Type": "text/html"}
    )
    local_server.route_handler("/2026/go/1/", redirect("/2026/go/2/"))
    local_server.route_handler("/2026/go/2/", redirect("/2026/04/port-expansion-approved/"))
    local_server.route_handler("/2026/go/secret/", redirect("/private/draft-story/"))
    config = harbor_config(local_server, feeds=[], allow=["/2026/"], delay=0.2)
    summary = run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    assert article_paths(tmp_path / "a.db") == ["/2026/04/port-expansion-approved/"]
    assert not gets(local_server, "/private/draft-story/")
    times = [r.time for r in local_server.requests]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.19
    assert summary.new == 1 and summary.skipped == 1 and summary.failed == 0
    with sqlite3.connect(tmp_path / "a.db") as conn:
        state = conn.execute("SELECT state FROM frontier WHERE url LIKE '%/go/secret/'").fetchone()[
            0
        ]
    assert state == "skipped"


def test_article_link_redirecting_off_site_is_not_archived(
    local_server: LocalServer, tmp_path: Path
) -> None:
    serve_site(local_server, skip=("/", "/robots.txt"))
    local_server.route("/", 200, '<a href="/2026/04/moved/">m</a>', {"Content-Type": "text/html"})
    elsewhere = f"http://localhost:{local_server.port}/2026/04/port-expansion-approved/"
    local_server.route_handler("/2026/04/moved/", redirect(elsewhere))
    allow = ["^" + re.escape(local_server.url("/")) + r"\d{4}/"]  # this host only
    config = harbor_config(local_server, feeds=[], robots=False, block_private=False,
                           allow=allow)  # fmt: skip
    summary = run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    assert article_paths(tmp_path / "a.db") == []
    assert summary.skipped == 1 and summary.failed == 0


# -- discovery from each kind of source ------------------------------------------------


def test_discovers_articles_from_an_rss_feed(local_server: LocalServer, tmp_path: Path) -> None:
    serve_site(local_server)
    config = harbor_config(local_server, start=[], robots=False)
    summary = run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    assert sorted(article_paths(tmp_path / "a.db")) == [
        "/2026/04/flaky-story/",
        "/2026/04/port-expansion-approved/",
        "/2026/04/storm-closes-coastal-road/",
    ]
    assert summary.discovered == 3 and summary.new == 3 and summary.exit_code == 0


def test_discovers_articles_from_sitemap_index_gz_and_news_sitemap(
    local_server: LocalServer, tmp_path: Path
) -> None:
    serve_site(local_server)
    config = harbor_config(local_server, start=[], feeds=[], robots=False,
                           sitemaps=[local_server.url("/sitemap_index.xml")])  # fmt: skip
    run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    paths = article_paths(tmp_path / "a.db")
    assert sorted(paths) == sorted([
        "/2026/03/library-reopens/", "/2026/03/fishing-quota-dispute/",
        "/2026/02/school-roof-repair/", "/2026/04/port-expansion-approved/",
        "/2026/04/ferry-timetable-changes/", "/2026/03/moscow-delegation/",
    ])  # fmt: skip
    with sqlite3.connect(tmp_path / "a.db") as conn:
        hints = dict(conn.execute("SELECT url, published FROM frontier WHERE kind = 'article'"))
    assert hints[local_server.url("/2026/02/school-roof-repair/")] == "2026-02-14"  # lastmod


def test_fetches_the_newest_feed_items_first(local_server: LocalServer, tmp_path: Path) -> None:
    serve_site(local_server)
    config = harbor_config(local_server, start=[], feeds=[local_server.url("/atom.xml")],
                           robots=False, delay=0.05)  # fmt: skip
    run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    # atom.xml lists the 7 April story before the 9 April one.
    assert [r.path for r in local_server.requests if r.path in ARTICLES] == [
        "/2026/04/port-expansion-approved/",
        "/2026/04/council-budget-vote/",
    ]


def test_reads_sitemaps_named_in_robots_txt(local_server: LocalServer, tmp_path: Path) -> None:
    serve_site(local_server)
    config = harbor_config(local_server, start=[], feeds=[local_server.url("/rdf.xml")])
    run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    paths = article_paths(tmp_path / "a.db")
    assert "/2026/04/ferry-timetable-changes/" in paths  # from the RSS 1.0 feed
    assert "/2026/02/school-roof-repair/" in paths  # only in the gz sitemap of robots.txt
    assert gets(local_server, "/sitemap_index.xml")


def test_autodiscovers_feeds_and_follows_pagination_per_rules(
    local_server: LocalServer, tmp_path: Path
) -> None:
    serve_site(local_server)
    # No follow rules: common pagination is followed (rel="next", /page/N/).
    config = harbor_config(local_server, feeds=[], robots=False, follow=[])
    run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    assert gets(local_server, "/feed.xml") and gets(local_server, "/atom.xml")
    assert gets(local_server, "/page/2/") and gets(local_server, "/page/3/")
    assert "/2026/03/fishing-quota-dispute/" in article_paths(tmp_path / "a.db")
    # Follow rules replace that default: pagination they do not match is not read.
    local_server.clear_requests()
    config = harbor_config(local_server, feeds=[], robots=False, follow=["/archive/"])
    run_crawl(config, db_path=tmp_path / "b.db", parse_workers=0)
    assert gets(local_server, "/") and not gets(local_server, "/page/2/")


# -- failures across runs ---------------------------------------------------------------


def test_robots_txt_503_defers_the_host_until_it_answers(
    local_server: LocalServer, tmp_path: Path
) -> None:
    serve_site(local_server, skip=("/robots.txt",))
    local_server.route("/robots.txt", 503, b"down", {"Retry-After": "0"})
    config = harbor_config(local_server)
    first = run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    assert [r.path for r in local_server.requests if r.path != "/robots.txt"] == []
    assert first.failed == 1 and "robots.txt" in first.failures[0]
    with sqlite3.connect(tmp_path / "a.db") as conn:
        states = {s for (s,) in conn.execute("SELECT state FROM frontier")}
    assert states == {"queued"}

    local_server.route("/robots.txt", 200, site_text("robots.txt", local_server),
                       {"Content-Type": "text/plain"})  # fmt: skip
    second = run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    assert second.new > 0 and gets(local_server, "/feed.xml")


def test_resumes_after_the_crawl_is_killed(local_server: LocalServer, tmp_path: Path) -> None:
    serve_site(local_server)
    db = tmp_path / "archive.db"
    toml = tmp_path / "sources.toml"
    toml.write_text(textwrap.dedent(f"""
        [defaults]
        delay = 0.25
        [[sources]]
        name = "harbor"
        start = ["{local_server.url("/")}"]
        sitemaps = ["{local_server.url("/sitemap_index.xml")}"]
        allow = ['/\\d{{4}}/\\d{{2}}/']
        follow = ['/page/\\d+/$']
        deny = ['/tag/', '/author/']
    """))  # fmt: skip
    script = (
        "from scraper.config import load_config; from scraper.crawl import run_crawl; "
        f"run_crawl(load_config({str(toml)!r}), db_path={str(db)!r}, parse_workers=0)"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    try:
        deadline = time.monotonic() + 20
        while sum(1 for r in local_server.requests if r.path in ARTICLES) < 3:
            assert time.monotonic() < deadline, "the crawl never reached the articles"
            assert proc.poll() is None, "the crawl ended before it could be killed"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    killed_run = [r.path for r in local_server.requests if r.path in ARTICLES]

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        queued = conn.execute("SELECT count(*) FROM frontier WHERE state = 'queued'").fetchone()
    assert queued[0] > 0

    local_server.clear_requests()
    summary = run_crawl(toml_config(toml), db_path=db, parse_workers=0)
    rerun = [r.path for r in local_server.requests if r.path in ARTICLES]
    assert sorted(article_paths(db)) == sorted(ARTICLES)
    assert len(article_paths(db)) == len(set(article_paths(db)))
    # Only the page in flight at the kill may be asked twice.
    assert len(set(killed_run) & set(rerun)) <= 1
    assert summary.exit_code == 1  # the 404 of the deleted story


def toml_config(path: Path) -> CrawlConfig:
    from scraper.config import load_config

    return load_config(path)


def test_max_pages_leaves_the_rest_queued_for_the_next_run(
    local_server: LocalServer, tmp_path: Path
) -> None:
    serve_site(local_server)
    config = harbor_config(local_server, start=[], robots=False)
    first = run_crawl(config, db_path=tmp_path / "a.db", max_pages=2, parse_workers=0)
    assert first.fetched == 2 and first.new == 1  # the feed, then the newest article
    second = run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    assert second.new == 2
    assert len(article_paths(tmp_path / "a.db")) == 3


def test_retry_after_longer_than_a_run_waits_defers_the_url(
    local_server: LocalServer, tmp_path: Path
) -> None:
    serve_site(local_server, skip=("/2026/04/flaky-story/",))
    local_server.route("/2026/04/flaky-story/", 429, b"slow down", {"Retry-After": "3600"})
    config = harbor_config(local_server, start=[], robots=False)
    started = time.monotonic()
    summary = run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    assert time.monotonic() - started < 5
    assert summary.new == 2 and summary.failed == 1 and "Retry-After" in summary.failures[0]
    assert len(gets(local_server, "/2026/04/flaky-story/")) == 1
    with sqlite3.connect(tmp_path / "a.db") as conn:
        state, next_try = conn.execute(
            "SELECT state, next_try_at FROM frontier WHERE url LIKE '%flaky-story/'"
        ).fetchone()
    assert state == "failed" and next_try > datetime.now(UTC).isoformat()


# -- security ---------------------------------------------------------------------------


def test_private_hosts_not_named_by_the_source_are_refused(
    local_server: LocalServer, tmp_path: Path
) -> None:
    # "localhost" is the same server under a name the source does not give: refused,
    # whether linked directly or reached through a redirect from the named host.
    other = f"http://localhost:{local_server.port}/2026/04/elsewhere/"
    page = f'<html><body><a href="{other}">x</a> <a href="/2026/04/jump/">y</a></body></html>'
    local_server.route("/", 200, page, {"Content-Type": "text/html"})
    local_server.route_handler("/2026/04/jump/", redirect(other))
    local_server.route(
        "/2026/04/elsewhere/",
        200,
        site_text("2026/04/port-expansion-approved/index.html", local_server),
        {"Content-Type": "text/html"},
    )
    config = harbor_config(local_server, feeds=[], robots=False, allow=["/2026/"])
    summary = run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    assert not gets(local_server, "/2026/04/elsewhere/")
    assert len(gets(local_server, "/2026/04/jump/")) == 1
    assert summary.failed == 2
    assert all("private address" in failure for failure in summary.failures)


def test_a_canonical_on_another_site_is_not_trusted(
    local_server: LocalServer, tmp_path: Path
) -> None:
    victim = "https://other-news.example/2026/04/real-story/"
    forged = site_text("2026/04/council-budget-vote/index.html", local_server).replace(
        local_server.url("/2026/04/council-budget-vote/").encode(), victim.encode()
    )
    serve_site(local_server, skip=("/2026/04/port-expansion-approved/",))
    local_server.route("/2026/04/port-expansion-approved/", 200, forged,
                       {"Content-Type": "text/html"})  # fmt: skip
    config = harbor_config(local_server, start=[], robots=False)
    run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    with sqlite3.connect(tmp_path / "a.db") as conn:
        keys = {u for (u,) in conn.execute("SELECT canonical_url FROM articles")}
        aliases = {u for (u,) in conn.execute("SELECT url FROM frontier")}
    assert victim not in keys and victim not in aliases
    assert local_server.url("/2026/04/port-expansion-approved/") in keys


# -- locking ----------------------------------------------------------------------------


def test_second_crawl_on_the_same_database_is_refused(
    local_server: LocalServer, tmp_path: Path
) -> None:
    serve_site(local_server)
    db = tmp_path / "a.db"
    with CrawlLock(db), pytest.raises(LockedError) as caught:
        run_crawl(harbor_config(local_server), db_path=db, parse_workers=0)
    assert f"pid {os.getpid()}" in str(caught.value)
    assert local_server.requests == []


def test_lock_wait_blocks_until_the_holder_ends(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    holder = CrawlLock(db)
    holder.acquire()
    threading.Timer(0.3, holder.release).start()
    started = time.monotonic()
    with CrawlLock(db, wait=True):
        assert time.monotonic() - started >= 0.25


def test_lock_is_released_when_the_holder_is_killed(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    script = f"from scraper.lock import CrawlLock; CrawlLock({str(db)!r}).acquire(); print(1)"
    proc = subprocess.Popen([sys.executable, "-c", script + "; import time; time.sleep(60)"],
                            cwd=REPO, stdout=subprocess.PIPE)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"1"
    with pytest.raises(LockedError, match=f"pid {proc.pid}"):
        CrawlLock(db).acquire()
    proc.kill()
    proc.wait(timeout=10)
    with CrawlLock(db) as lock:
        assert lock.held


def test_lock_in_a_missing_directory_is_an_archive_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="cannot create the crawl lock"):
        CrawlLock(tmp_path / "no-such-dir" / "a.db").acquire()


def test_frontier_backs_off_temporary_failures_across_runs(tmp_path: Path) -> None:
    from scraper.archiver import Archive
    from scraper.frontier import MAX_ATTEMPTS, Frontier, backoff

    with Archive(tmp_path / "a.db") as archive:
        frontier = Frontier(archive.db)
        assert frontier.add("http://h/a", "s", "article")
        assert not frontier.add("http://h/a", "s", "article")
        frontier.add("http://h/b", "s", "article")
        at = "2026-04-09T10:00:00+00:00"
        assert frontier.mark_failed("http://h/a", status=503, error="busy", permanent=False,
                                    at=at) == "failed"  # fmt: skip
        assert frontier.mark_failed("http://h/b", status=404, error="gone", permanent=True,
                                    at=at) == "gone"  # fmt: skip
        assert [e.url for e in frontier.due(["s"], "2026-04-09T10:05:00+00:00")] == []
        assert [e.url for e in frontier.due(["s"], "2026-04-09T10:10:00+00:00")] == ["http://h/a"]
        assert backoff(1) < backoff(2) < backoff(3) and backoff(30) == backoff(40)
        for _ in range(MAX_ATTEMPTS - 1):
            state = frontier.mark_failed("http://h/a", status=503, error="busy", permanent=False)
        assert state == "gone"
        entry = frontier.get("http://h/a")
        assert entry is not None and "gave up" in (entry.last_error or "")
        # The frontier lives in the archive database: a new connection sees it.
    with Archive(tmp_path / "a.db") as archive:
        assert Frontier(archive.db).counts() == {"gone": 2}


# -- small parts ------------------------------------------------------------------------


def test_host_gate_gives_concurrent_threads_successive_slots() -> None:
    # A frozen clock: every thread asks at the same instant and must be given its own
    # slot, one delay after the other (the real-time check is in the site crawl test).
    pauses: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            pauses.append(round(seconds, 6))

    gate = HostGate(clock=lambda: 100.0, sleep=sleep)
    gate.set_delay("h", 0.1)
    threads = [threading.Thread(target=gate.wait, args=("h",)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(pauses) == [0.1, 0.2, 0.3]
    gate.wait("other-host")  # another host is not held back
    assert len(pauses) == 3


def test_host_gate_counts_the_delay_from_the_end_of_a_request() -> None:
    now = [0.0]
    gate = HostGate(clock=lambda: now[0], sleep=lambda s: None)
    gate.set_delay("h", 1.0)
    gate.wait("h")
    now[0] = 5.0  # a slow response ends at t=5
    gate.release("h")
    assert gate.ready_at("h") == 6.0


def test_progress_callback_sees_every_handled_url(
    local_server: LocalServer, tmp_path: Path
) -> None:
    serve_site(local_server)
    updates: list[ProgressUpdate] = []
    config = harbor_config(local_server, start=[], robots=False)
    run_crawl(config, db_path=tmp_path / "a.db", progress=updates.append, parse_workers=0)
    assert [u.outcome for u in updates].count("new") == 3
    assert updates[-1].done == 4 and updates[-1].pending == 0


def test_adhoc_config_crawls_one_site() -> None:
    config = adhoc_config("https://News.Example.org/world/?utm_source=x#top")
    source = config.sources[0]
    assert source.start == ("https://news.example.org/world/",)
    assert source.is_article("https://news.example.org/2026/a")
    assert not source.is_article("https://elsewhere.example/2026/a")
    with pytest.raises(ConfigError):
        adhoc_config("file:///etc/passwd")


def test_summary_line_and_exit_code() -> None:
    summary = CrawlSummary(discovered=3, fetched=4, new=2, unchanged=1, seconds=1.25)
    assert summary.exit_code == 0
    assert summary.line() == (
        "crawl: 3 discovered, 4 fetched, 2 new, 0 updated, 1 unchanged, 0 skipped, "
        "0 failed in 1.2 s"
    )
