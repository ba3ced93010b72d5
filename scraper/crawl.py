"""One crawl run: frontier → fetch → parse → archive, for cron.

Threads and processes:

* the **main thread** owns the database (archive and frontier writes happen only
  here, so there is one writer) and schedules work;
* a **thread pool** fetches (``concurrency`` requests in flight across hosts, one at a
  time per host when it has a delay, each start spaced by :class:`HostGate`);
* a **process pool** (two workers on two cores) parses pages, feeds and sitemaps, so
  CPU-bound parsing never starves fetching. ``parse_workers=0`` parses in a thread.

Order of work: feeds and sitemaps first, then listing pages, then new articles
(newest first when a date hint is known), then re-checks of archived articles.

Refresh policy: an archived article younger than ``refresh_days`` (by its published
date, else the date it was discovered) is checked again once a quarter of its age has
passed since the last check (at least an hour), so fresh news is re-read while it is
being corrected and old news is left alone; ``refresh=True`` re-checks every archived
article. A re-check is a conditional GET with the stored ``ETag``/``Last-Modified``:
an unchanged article costs a 304 and no download. Feeds, sitemaps and listing pages
are read again every run, also conditionally (a sitemap whose ``lastmod`` in the
index predates our last read is skipped).

Failures: 404/410 and other permanent answers mark the URL ``gone`` (never asked
again); timeouts, resets and 5xx back off across runs (see :mod:`scraper.frontier`).
Every request outcome is recorded in the archive's ``fetches`` table.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scraper.analysis import Analysis, ParsePool, analyse
from scraper.config import CrawlConfig, SourceConfig, config_from_dict
from scraper.discover import MAX_XML_BYTES
from scraper.errors import (
    ConfigError,
    FetchError,
    HTTPStatusError,
    InvalidURLError,
    NotHTMLError,
    RobotsDisallowedError,
    TooLargeError,
)
from scraper.fetcher import Fetcher, FetchSettings, RetryLaterError
from scraper.frontier import Frontier, FrontierEntry, utc_now
from scraper.lock import CrawlLock
from scraper.models import Article, FetchOutcome, Page
from scraper.normalize import normalize_url, same_site
from scraper.politeness import HostGate
from scraper.robots import RobotsPolicy, robots_url

if TYPE_CHECKING:  # the parse workers import this module: keep the archiver out of them
    from scraper.archiver import PackedBody

__all__ = ["CrawlSummary", "ProgressUpdate", "adhoc_config", "run_crawl"]

# Answers that will not change by asking again.
PERMANENT_STATUSES = frozenset({400, 404, 405, 410, 414, 501})
# Pagination followed when a source has no follow rules (besides rel="next" links).
DEFAULT_PAGINATION = re.compile(r"/page/\d+/?$|[?&](?:page|paged)=\d+(?:&|$)", re.IGNORECASE)
# The longest pause between two attempts at one URL that a run sits out (Retry-After);
# a longer one defers the URL to a later run instead of stalling this one.
MAX_RETRY_WAIT_S = 30.0
# The shortest interval between two re-checks of one article (see _due_for_recheck).
MIN_RECHECK_S = 3600.0
_RANK = {"feed": 0, "sitemap": 0, "listing": 1, "article": 2}


# -- public records -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    """What one run did; ``line()`` is the cron-friendly one-line summary."""

    discovered: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    failures: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when every fetched URL succeeded, 1 when some failed."""
        return 1 if self.failed else 0

    def line(self) -> str:
        return (
            f"crawl: {self.discovered} discovered, {self.fetched} fetched, {self.new} new, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped, "
            f"{self.failed} failed in {self.seconds:.1f} s"
        )


@dataclass(frozen=True, slots=True)
class ProgressUpdate:
    """Sent to a progress callback after each handled URL."""

    url: str
    outcome: str
    done: int
    pending: int


def adhoc_config(url: str) -> CrawlConfig:
    """The config of ``scraper crawl URL``: that page's same-site links, its feeds and
    the sitemaps in its robots.txt, with the default politeness settings."""
    start = normalize_url(url)
    if start is None or not url.strip().lower().startswith(("http://", "https://")):
        raise ConfigError(f"not an absolute http(s) URL: {url!r}")
    host = urlsplit(start).hostname or "site"
    return config_from_dict({"sources": [{"name": host, "start": [start]}]}, path=start)


def run_crawl(
    config: CrawlConfig,
    source_names: list[str] | tuple[str, ...] | None = None,
    *,
    db_path: str | Path,
    max_pages: int | None = None,
    progress: bool | Callable[[ProgressUpdate], None] | None = None,
    refresh: bool = False,
    wait: bool = False,
    parse_workers: int | None = None,
) -> CrawlSummary:
    """Crawl the selected sources (all by default) into the archive at ``db_path``.

    Takes the database's crawl lock first (:class:`~scraper.errors.LockedError` when
    another crawl holds it, unless ``wait``). ``max_pages`` overrides every source's
    limit; ``progress=True`` draws a tqdm bar on stderr, a callable receives
    :class:`ProgressUpdate` records. ``parse_workers`` is the size of the parsing
    process pool (default: up to two; 0 parses in a thread).
    """
    sources = config.select(list(source_names) if source_names else None)
    if max_pages is not None:
        sources = tuple(replace(s, max_pages=max_pages) for s in sources)
    with CrawlLock(db_path, wait=wait):
        from scraper.archiver import Archive

        with Archive(db_path) as archive:
            run = _Run(archive, sources, refresh=refresh, progress=progress,
                       parse_workers=parse_workers)  # fmt: skip
            return run.execute()


# -- work items ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Task:
    url: str
    source: str
    kind: str
    published: str | None = None
    recheck: bool = False
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class _Fetched:
    """What a fetch worker hands back to the main thread."""

    task: _Task
    page: Page | None = None
    error: FetchError | None = None
    verdict: str = "allowed"  # allowed | disallowed | unavailable
    robots_reason: str | None = None
    robots_status: int | None = None
    robots_sitemaps: tuple[str, ...] = ()
    elapsed_ms: int = 0
    at: str = ""


# -- the run ------------------------------------------------------------------------------


@dataclass
class _Counts:
    discovered: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)


class _Run:
    def __init__(
        self,
        archive: Any,
        sources: tuple[SourceConfig, ...],
        *,
        refresh: bool,
        progress: bool | Callable[[ProgressUpdate], None] | None,
        parse_workers: int | None,
    ) -> None:
        self.archive = archive
        self.frontier = Frontier(archive.db, transaction=archive.transaction)
        self.sources = {s.name: s for s in sources}
        self.refresh = refresh
        self.counts = _Counts()
        self.gate = HostGate()
        self.parse_workers = (
            min(2, os.cpu_count() or 1) if parse_workers is None else max(0, parse_workers)
        )
        self.concurrency = max((s.concurrency for s in sources), default=1)
        self._fetchers: dict[tuple[Any, ...], _PoliteFetcher] = {}
        self._fetchers_lock = threading.Lock()
        self._robots: dict[tuple[Any, ...], RobotsPolicy] = {}
        self._heaps: dict[str, list[tuple[tuple[Any, ...], _Task]]] = {}
        self._in_flight: dict[str, int] = {}
        self._scheduled: set[str] = set()  # URLs queued or fetched in this run
        self._touched: set[str] = set()  # URLs whose rediscovery was handled this run
        self._denied: set[str] = set()
        self._robots_hosts: set[str] = set()
        self._robots_failed: set[str] = set()
        self._budget = {s.name: s.max_pages for s in sources}
        self._seq = itertools.count()
        self._done = 0
        self._progress = _make_progress(progress)

    # -- top level ----------------------------------------------------------------------
    def execute(self) -> CrawlSummary:
        started = time.monotonic()
        with self.frontier.transaction():
            self._seed()
        with self.frontier.transaction():
            for entry in self.frontier.due(list(self.sources)):
                self._schedule_entry(entry)
        try:
            # Many saves per commit (each one still atomic): see Archive.batched.
            with self.archive.batched() as self._batch:
                self._loop()
        finally:
            for fetcher in self._fetchers.values():
                fetcher.close()
            self._progress.close()
        c = self.counts
        return CrawlSummary(
            discovered=c.discovered, fetched=c.fetched, new=c.new, updated=c.updated,
            unchanged=c.unchanged, skipped=c.skipped, failed=c.failed,
            failures=tuple(c.failures), seconds=round(time.monotonic() - started, 2),
        )  # fmt: skip

    def _seed(self) -> None:
        """Seeds are read again every run, whatever happened to them before."""
        for source in self.sources.values():
            for kind, urls in (("feed", source.feeds), ("sitemap", source.sitemaps),
                               ("listing", source.start)):  # fmt: skip
                for url in urls:
                    if not self.frontier.add(url, source.name, kind):
                        self.frontier.requeue(url, kind=kind)
                    self._touched.add(url)
        self.frontier.requeue_feeds(list(self.sources))
        for entry in self.frontier.done_articles(list(self.sources)):
            if self.refresh or self._due_for_recheck(entry, self.sources[entry.source]):
                self.frontier.requeue(entry.url)

    def _loop(self) -> None:
        fetch_pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="fetch")
        # Up to `concurrency` more tasks wait in the pool's queue, so a fetch thread that
        # finishes starts the next request at once, even while this thread is busy
        # (a commit, a burst of results): +6 % pages/s on the crawl benchmark. Still
        # `concurrency` requests at a time; per-host limits count queued tasks too.
        queue_size = 2 * self.concurrency
        self._parse_pool = ParsePool(self.parse_workers)
        fetching: dict[Future[Any], _Task] = {}
        parsing: dict[Future[Any], tuple[_Task, Page, int, ParsePool, Future[Any] | None]] = {}
        # New articles' raw pages are hashed and compressed here while they are parsed
        # (zstd releases the GIL), off the writer and off the fetch slots.
        pack_pool = ThreadPoolExecutor(1, thread_name_prefix="pack")
        from scraper.archiver import pack

        backlog = 4 * max(1, self.parse_workers) + self.concurrency

        def submit_parse(task: _Task, page: Page, tries: int, packed: Future[Any] | None) -> None:
            job = self._parse_pool.submit(
                analyse,
                task.kind,
                page.final_url,
                # Half the bytes through the pipe: pages are parsed from their decoded
                # text, feeds and sitemaps from their raw bytes (XML declares its own
                # encoding; a gzipped sitemap has no text).
                "" if task.kind in ("feed", "sitemap") else page.text,
                page.content if task.kind in ("feed", "sitemap") else b"",
                dict(page.headers),
            )
            parsing[job] = (task, page, tries, self._parse_pool, packed)

        try:
            while True:
                can_submit = len(parsing) < backlog
                if can_submit:
                    for task in self._ready_tasks(queue_size - len(fetching)):
                        fetching[fetch_pool.submit(self._fetch, task)] = task
                if not fetching and not parsing:
                    self._batch.commit()  # nothing in flight: don't sit on uncommitted work
                    pause = self._next_ready_in()
                    if pause is None:
                        break
                    time.sleep(min(max(pause, 0.001), 1.0))
                    continue
                timeout = None
                if can_submit and len(fetching) < queue_size:
                    timeout = self._next_ready_in()
                commit_in = self._batch.due_in()
                if commit_in is not None:
                    timeout = commit_in if timeout is None else min(timeout, commit_in)
                done, _ = wait([*fetching, *parsing], timeout=timeout, return_when=FIRST_COMPLETED)
                for future in done:
                    if future in fetching:
                        task = fetching.pop(future)
                        self._in_flight[_host(task.url)] -= 1
                        try:
                            result: _Fetched = future.result()
                        except Exception as exc:  # a bug must cost one URL, not the crawl
                            error = FetchError(f"internal error: {type(exc).__name__}: {exc}")
                            result = _Fetched(task, error=error, at=utc_now())
                        page = self._handle_fetch(result)
                        if page is not None:
                            fresh = task.kind == "article" and not task.recheck
                            packing = pack_pool.submit(pack, page.content) if fresh else None
                            submit_parse(task, page, 0, packing)
                        continue
                    task, page, tries, pool, packed = parsing.pop(future)
                    try:
                        analysis: Analysis = future.result()
                    except BrokenProcessPool:
                        # A worker died (killed, out of memory): new pool, one more try.
                        if pool is self._parse_pool:
                            pool.shutdown(wait=False)
                            self._parse_pool = ParsePool(self.parse_workers)
                        if tries == 0:
                            submit_parse(task, page, 1, packed)
                            continue
                        analysis = Analysis(error="the parser process died on this page")
                    self._handle_analysis(task, page, analysis, _packed(packed))
                self._batch.tick()
        finally:
            fetch_pool.shutdown(wait=True, cancel_futures=True)
            pack_pool.shutdown(wait=True, cancel_futures=True)
            self._parse_pool.shutdown(wait=True)

    # -- scheduling ---------------------------------------------------------------------
    def _schedule_entry(self, entry: FrontierEntry, *, recheck: bool = False) -> None:
        source = self.sources.get(entry.source)
        if source is None or entry.url in self._scheduled:
            return
        if source.is_denied(entry.url) and entry.url not in source.seeds:
            self.frontier.mark_skipped(entry.url, "denied by the source's rules")
            return
        etag, last_modified = entry.etag, entry.last_modified
        if entry.kind == "article" and entry.fetched_at is not None:
            # A re-check (after the new articles): a conditional GET with the validators
            # of the stored page.
            recheck = True
            etag, last_modified = self.archive.validators(entry.url) or (None, None)
        task = _Task(entry.url, entry.source, entry.kind, entry.published, recheck,
                     etag, last_modified)  # fmt: skip
        self._push(task)

    def _push(self, task: _Task) -> None:
        self._scheduled.add(task.url)
        host = _host(task.url)
        self.gate.raise_delay(host, self.sources[task.source].delay)
        rank = _RANK.get(task.kind, 2) + (1 if task.recheck else 0)
        ts = _timestamp(task.published)
        key = (rank, 0 if ts is not None else 1, -(ts or 0.0), next(self._seq))
        heapq.heappush(self._heaps.setdefault(host, []), (key, task))
        self._progress.grow()

    def _ready_tasks(self, slots: int) -> list[_Task]:
        """Up to ``slots`` tasks whose host may be asked now, best priority first."""
        picked: list[_Task] = []
        now = time.monotonic()
        while len(picked) < slots:
            best_host = None
            best_key: tuple[Any, ...] | None = None
            for host, heap in self._heaps.items():
                if not heap or self._in_flight.get(host, 0) >= self._host_limit(host):
                    continue
                if self.gate.ready_at(host) > now:
                    continue
                if best_key is None or heap[0][0] < best_key:
                    best_host, best_key = host, heap[0][0]
            if best_host is None:
                break
            heap = self._heaps[best_host]
            _, task = heapq.heappop(heap)
            if not heap:
                del self._heaps[best_host]
            if self._budget.get(task.source, 0) <= 0:
                continue  # stays queued in the frontier for the next run
            self._budget[task.source] -= 1
            self._in_flight[best_host] = self._in_flight.get(best_host, 0) + 1
            picked.append(task)
        return picked

    def _host_limit(self, host: str) -> int:
        return 1 if self.gate.delay(host) > 0 else self.concurrency

    def _next_ready_in(self) -> float | None:
        """Seconds until some queued task's host is free; None when nothing is queued."""
        now = time.monotonic()
        soonest: float | None = None
        for host, heap in list(self._heaps.items()):
            if heap and self._budget.get(heap[0][1].source, 0) <= 0:
                # The head's source is out of budget: drop what cannot run this run
                # (it stays queued in the frontier for the next one).
                heap[:] = [item for item in heap if self._budget.get(item[1].source, 0) > 0]
                heapq.heapify(heap)
            if not heap:
                del self._heaps[host]
                continue
            if self._in_flight.get(host, 0) >= self._host_limit(host):
                continue  # a busy host wakes the loop when its fetch completes
            wait_s = max(0.0, self.gate.ready_at(host) - now)
            soonest = wait_s if soonest is None else min(soonest, wait_s)
        return soonest

    # -- fetching (worker threads) ------------------------------------------------------
    def _fetch(self, task: _Task) -> _Fetched:
        source = self.sources[task.source]
        started = time.monotonic()
        at = utc_now()
        verdict, reason = "allowed", None
        sitemaps: tuple[str, ...] = ()
        host = _host(task.url)
        policy = self._robots_for(source) if source.robots else None
        if policy is not None:
            verdict = policy.check(task.url)
            rules = policy.rules_for(task.url)
            reason, sitemaps = rules.reason, rules.sitemaps
            self.gate.raise_delay(host, policy.crawl_delay(task.url))
            if verdict != "allowed":
                return _Fetched(task, verdict=verdict, robots_reason=reason,
                                robots_status=rules.status, at=at)  # fmt: skip
        fetcher = self._fetcher(source, xml=task.kind in ("feed", "sitemap"))
        self.gate.wait(host)
        try:
            page = fetcher.fetch(task.url, robots=policy, etag=task.etag,
                                 last_modified=task.last_modified,
                                 html_only=task.kind in ("article", "listing"))  # fmt: skip
        except FetchError as exc:
            return _Fetched(task, error=exc, robots_sitemaps=sitemaps, at=at,
                            elapsed_ms=int((time.monotonic() - started) * 1000))  # fmt: skip
        return _Fetched(task, page=page, robots_sitemaps=sitemaps, at=at,
                        elapsed_ms=page.elapsed_ms)  # fmt: skip

    def _fetcher(self, source: SourceConfig, *, xml: bool = False) -> _PoliteFetcher:
        """One fetcher per distinct settings (connections are pooled per fetcher)."""
        with self._fetchers_lock:
            return self._fetcher_locked(source, xml=xml)

    def _fetcher_locked(self, source: SourceConfig, *, xml: bool = False) -> _PoliteFetcher:
        key = (source.user_agent, source.timeout, source.block_private, source.seed_hosts, xml)
        fetcher = self._fetchers.get(key)
        if fetcher is None:
            settings = FetchSettings(
                user_agent=source.user_agent,
                connect_timeout=min(10.0, source.timeout),
                read_timeout=source.timeout,
                block_private=source.block_private,
                # Hosts the source names itself may be private (an intranet site, tests).
                allow_hosts=source.seed_hosts,
                # Sitemaps may be 50 MB uncompressed (sitemaps.org); discover.py bounds
                # them again once inflated. Pages keep the fetcher's 10 MiB default.
                max_bytes=MAX_XML_BYTES if xml else FetchSettings.max_bytes,
                # A longer Retry-After defers the URL to a later run (frontier).
                defer_after=MAX_RETRY_WAIT_S,
            )
            fetcher = self._fetchers[key] = _PoliteFetcher(settings, self.gate)
        return fetcher

    def _robots_for(self, source: SourceConfig) -> RobotsPolicy:
        """One policy (and robots.txt cache) per user agent and fetcher settings."""
        key = (source.user_agent, source.timeout, source.block_private, source.seed_hosts)
        with self._fetchers_lock:
            policy = self._robots.get(key)
            if policy is None:
                fetcher = self._fetcher_locked(source)

                def fetch_robots(robots_url: str) -> Page:
                    self.gate.wait(_host(robots_url))
                    return fetcher.fetch(robots_url, html_only=False)

                policy = self._robots[key] = RobotsPolicy(fetch_robots, source.user_agent)
        return policy

    # -- results (main thread) ----------------------------------------------------------
    def _handle_fetch(self, result: _Fetched) -> Page | None:
        """Record the fetch; return the page when it needs parsing."""
        task = result.task
        source = self.sources[task.source]
        self._robots_discoveries(source, task.url, result.robots_sitemaps)
        if result.verdict == "disallowed":
            self.frontier.mark_skipped(task.url, "disallowed by robots.txt")
            self._record(task, None, outcome="skipped", error="disallowed by robots.txt",
                         at=result.at)  # fmt: skip
            self.counts.skipped += 1
            self._finish(task, "skipped")
            return None
        if result.verdict == "unavailable":
            # RFC 9309: an unreachable robots.txt means "not now"; the URL stays queued.
            host = _host(task.url)
            if host not in self._robots_failed:
                self._robots_failed.add(host)
                reason = result.robots_reason or "robots.txt unavailable"
                reason += "; the host's URLs wait for a later run"
                robots_task = _Task(robots_url(task.url), task.source, "robots")
                self._record(robots_task, None, outcome="failed", status=result.robots_status,
                             error=reason, at=result.at)  # fmt: skip
                self._fail(task, None, reason, count_only=True)
            self.counts.skipped += 1
            self._finish(task, "deferred")
            return None
        if result.error is not None:
            exc = result.error
            if isinstance(exc, RobotsDisallowedError):
                self.frontier.mark_skipped(task.url, exc.reason)
                self._record(task, None, outcome="skipped", error=exc.reason, at=result.at)
                self.counts.skipped += 1
                self._finish(task, "skipped")
                return None
            permanent = _is_permanent(exc)
            state = self.frontier.mark_failed(
                task.url, status=exc.status, error=exc.reason, permanent=permanent,
                at=result.at,
                not_before=exc.wait if isinstance(exc, _DeferredError | RetryLaterError) else None,
            )  # fmt: skip
            self._record(task, None, outcome="failed", error=exc.reason, status=exc.status,
                         elapsed_ms=result.elapsed_ms, at=result.at)  # fmt: skip
            if isinstance(exc, NotHTMLError) and task.kind == "article":
                self.counts.skipped += 1
                self._finish(task, "skipped")
                return None
            self._fail(task, exc.status, exc.reason, gone=state == "gone")
            return None
        page = result.page
        assert page is not None
        self.counts.fetched += 1
        final = normalize_url(page.final_url) or task.url
        # An article link that lands on another site is not archived under this source
        # (feeds and sitemaps may live elsewhere, e.g. a feed service).
        off_site = task.kind == "article" and not (
            source.is_same_site(final) or source.is_article(final)
        )
        if final != task.url and (source.is_denied(final) or off_site):
            why = "off the source's site" if off_site else "to a URL the source denies"
            reason = f"redirected {why}: {final}"
            self.frontier.mark_skipped(task.url, reason)
            self._record(task, page, outcome="skipped", error=reason)
            self.counts.skipped += 1
            self._finish(task, "skipped")
            return None
        if page.not_modified or (task.recheck and self._same_as_stored(page)):
            self._not_modified(task, page)
            return None
        return page

    def _same_as_stored(self, page: Page) -> bool:
        """Is this re-checked page byte-for-byte the stored copy? Then it is not parsed
        again (servers without ETag/Last-Modified still cost no parse and no write)."""
        from scraper import query

        conn = self.archive.db.conn
        article_id = query.resolve(conn, page.url, prefer_alias=True)
        if article_id is None:
            return False
        row = conn.execute(
            "SELECT raw_sha256 FROM pages WHERE article_id = ? ORDER BY id DESC LIMIT 1",
            (article_id,),
        ).fetchone()
        return row is not None and row[0] == hashlib.sha256(page.content).hexdigest()

    def _not_modified(self, task: _Task, page: Page) -> None:
        if task.kind == "article":
            saved = self.archive.mark_not_modified(page.final_url, page.fetched_at)
            if saved is None:
                saved = self.archive.mark_not_modified(task.url, page.fetched_at)
            if saved is None:
                # The archive lost the article the validators came from: fetch it in full.
                self._scheduled.discard(task.url)
                self._budget[task.source] = self._budget.get(task.source, 0) + 1
                self._push(replace(task, etag=None, last_modified=None))
                return
            self.counts.unchanged += 1
        self.frontier.mark_done(task.url, status=page.status, at=page.fetched_at or utc_now())
        self._record(task, page, outcome="not_modified")
        self._finish(task, "unchanged")

    def _handle_analysis(self, task: _Task, page: Page, analysis: Analysis,
                         packed: PackedBody | None = None) -> None:  # fmt: skip
        source = self.sources[task.source]
        if analysis.error is not None:
            for feed in analysis.feeds:
                self._discover(source, feed, "feed")
            state = self.frontier.mark_failed(task.url, status=page.status, error=analysis.error,
                                              permanent=False)  # fmt: skip
            self._record(task, page, outcome="failed", error=analysis.error)
            self._fail(task, page.status, analysis.error, gone=state == "gone")
            return
        etag = page.etag if task.kind != "article" else None
        modified = page.last_modified if task.kind != "article" else None
        if task.kind in ("feed", "sitemap"):
            with self.frontier.transaction():
                for url, kind, published in analysis.discovered:
                    self._discover(source, url, kind, published, via=task.kind)
                self.frontier.mark_done(task.url, status=page.status, at=page.fetched_at,
                                        etag=etag, last_modified=modified)  # fmt: skip
            self._record(task, page, outcome="ok")
            self._finish(task, "ok")
            return
        article = analysis.article
        if task.kind == "listing" or (article is not None and article.kind != "article"):
            with self.frontier.transaction():
                if task.kind == "listing" or (article is not None and article.kind == "listing"):
                    self._follow_links(source, analysis)
                self.frontier.mark_done(task.url, status=page.status, at=page.fetched_at,
                                        etag=etag, last_modified=modified)  # fmt: skip
            kind = article.kind if article is not None else "listing"
            if task.kind == "article":
                self.counts.skipped += 1
                self._record(task, page, outcome="skipped", kind=kind)
                self._finish(task, "skipped")
            else:
                self._record(task, page, outcome="ok", kind=kind)
                self._finish(task, "ok")
            return
        assert article is not None
        from scraper.parser import PARSER_VERSION

        article = _trusted_canonical(article, page, source)
        saved = self.archive.save(article, page, parser_version=PARSER_VERSION, packed=packed)
        setattr(self.counts, saved.outcome, getattr(self.counts, saved.outcome) + 1)
        self._record(task, page, outcome=saved.outcome, kind=article.kind)
        with self.frontier.transaction():
            # Other names of this article (redirect target, canonical URL) are "alias":
            # known, never fetched on their own, never re-checked (this URL is).
            aliases = {normalize_url(page.final_url), normalize_url(article.canonical_url or "")}
            for alias in aliases - {None, task.url}:
                assert alias is not None
                self.frontier.add(alias, task.source, "alias", published=article.published)
                self.frontier.mark_done(alias, status=page.status, at=page.fetched_at,
                                        kind="alias")  # fmt: skip
                self._scheduled.add(alias)
                self._touched.add(alias)
            self.frontier.mark_done(task.url, status=page.status, at=page.fetched_at,
                                    published=article.published)  # fmt: skip
        self._finish(task, saved.outcome)

    # -- discovery ----------------------------------------------------------------------
    def _follow_links(self, source: SourceConfig, analysis: Analysis) -> None:
        for feed in analysis.feeds:
            self._discover(source, feed, "feed")
        next_pages = set(analysis.next_pages)
        for url in analysis.links + tuple(u for u in analysis.next_pages if u not in
                                          analysis.links):  # fmt: skip
            if source.is_denied(url):
                if url not in self._denied:
                    self._denied.add(url)
                    self.counts.skipped += 1
                continue
            if source.is_followed(url):
                self._discover(source, url, "listing")
            elif not source.follow and (url in next_pages or DEFAULT_PAGINATION.search(url)):
                # Without follow rules, pagination is followed: rel="next" links and the
                # common /page/N/, ?page=N, ?paged=N forms, on the source's own site.
                if source.is_same_site(url):
                    self._discover(source, url, "listing")
            elif url in next_pages:
                continue
            elif source.is_article(url):
                self._discover(source, url, "article")

    def _robots_discoveries(self, source: SourceConfig, url: str, sitemaps: Iterable[str]) -> None:
        host = urlsplit(url).hostname or ""
        key = f"{source.name} {host}"
        if not sitemaps or key in self._robots_hosts or host not in source.seed_hosts:
            return
        self._robots_hosts.add(key)
        with self.frontier.transaction():
            for sitemap in sitemaps:
                self._discover(source, sitemap, "sitemap", via="robots")

    def _discover(self, source: SourceConfig, url: str, kind: str,
                  published: str | None = None, *, via: str = "page") -> None:  # fmt: skip
        """Queue a URL found in a page, feed, sitemap or robots.txt, if the rules allow."""
        if kind == "article" and not source.is_article(url):
            if source.is_denied(url) and url not in self._denied:
                self._denied.add(url)
                self.counts.skipped += 1
            return
        if kind != "article" and source.is_denied(url):
            return
        if url in self._touched:
            return
        self._touched.add(url)
        if self.frontier.add(url, source.name, kind, published=published):
            if kind == "article":
                self.counts.discovered += 1
            self._schedule_entry(FrontierEntry(url, source.name, kind, published=published))
            return
        entry = self.frontier.get(url)
        if entry is None or entry.source != source.name:
            return
        if entry.state in ("queued", "failed"):
            return  # already loaded from the frontier (or backing off)
        if entry.state == "gone" or entry.kind == "alias":
            return
        if entry.kind == "article" and entry.state == "done":
            if not (self.refresh or self._due_for_recheck(entry, source)):
                return
            self.frontier.requeue(url)
            self._schedule_entry(replace(entry, state="queued"), recheck=True)
            return
        lastmod, read_at = _timestamp(published), _timestamp(entry.fetched_at)
        if entry.kind == "sitemap" and lastmod and read_at and lastmod < read_at:
            return  # the index says this child sitemap has not changed since we read it
        self.frontier.requeue(url)
        self._schedule_entry(replace(entry, state="queued"))

    def _due_for_recheck(self, entry: FrontierEntry, source: SourceConfig) -> bool:
        """Refresh policy: articles younger than ``refresh_days`` are re-checked, each
        time after a quarter of its age has passed (at least an hour): often while news
        is fresh and still being corrected, rarely later, never after ``refresh_days``."""
        now = datetime.now(UTC).timestamp()
        born = _timestamp(entry.published) or _timestamp(entry.discovered_at)
        if born is None:
            return False
        age = now - born
        if age > timedelta(days=source.refresh_days).total_seconds():
            return False
        checked = _timestamp(entry.fetched_at)
        return checked is None or now - checked >= max(MIN_RECHECK_S, age / 4)

    # -- bookkeeping --------------------------------------------------------------------
    def _record(self, task: _Task, page: Page | None, *, outcome: str, error: str | None = None,
                kind: str | None = None, status: int | None = None, elapsed_ms: int = 0,
                at: str | None = None) -> None:  # fmt: skip
        self.archive.record_fetch(
            FetchOutcome(
                url=task.url,
                status=page.status if page is not None else status,
                error=error,
                bytes=len(page.content) if page is not None else 0,
                elapsed_ms=page.elapsed_ms if page is not None else elapsed_ms,
                at=(page.fetched_at if page is not None else None) or at or utc_now(),
                final_url=page.final_url if page is not None else None,
                kind=kind or (task.kind if task.kind != "article" else None),
                source=task.source,
                outcome=outcome,
            )
        )

    def _fail(self, task: _Task, status: int | None, reason: str, *, gone: bool = False,
              count_only: bool = False) -> None:  # fmt: skip
        self.counts.failed += 1
        suffix = " (gone: not retried)" if gone else ""
        where = _host(task.url) if count_only else task.url
        self.counts.failures.append(f"{where}: {reason}{suffix}")
        if not count_only:
            self._finish(task, "failed")

    def _finish(self, task: _Task, outcome: str) -> None:
        self._done += 1
        self._progress.update(ProgressUpdate(task.url, outcome, self._done, self._pending()))

    def _pending(self) -> int:
        return sum(len(h) for h in self._heaps.values())


@dataclass
class _FetchState:
    """Per-thread state of one :meth:`_PoliteFetcher.fetch` call."""

    url: str
    host: str
    robots: RobotsPolicy | None
    first: bool = True


class _DeferredError(FetchError):
    """The server asked for a longer pause than a crawl run waits: try in a later run."""

    def __init__(self, reason: str, *, url: str | None, wait: float) -> None:
        super().__init__(reason, url=url)
        self.wait = wait


class _PoliteFetcher(Fetcher):
    """A Fetcher whose every request after the first of a fetch (redirect hops, retries)
    also waits for its host's slot and, for a hop to a new URL, asks robots.txt: the
    delay holds between *all* requests a server sees, and a redirect never leads into a
    disallowed folder. The crawl handles the first request itself (robots check, slot)
    before calling :meth:`fetch`.

    TODO(fetcher): this overrides the private ``Fetcher._get`` (one HTTP request); a
    public ``before_request(url)`` hook in FetchSettings would be cleaner.
    ``test_redirect_hops_keep_the_delay_and_robots`` in tests/test_crawl.py catches a
    rename.
    """

    def __init__(self, settings: FetchSettings, gate: HostGate) -> None:
        super().__init__(settings, sleep=self._pause)
        self._gate = gate
        self._states = threading.local()

    def _pause(self, seconds: float) -> None:
        """Wait between two attempts, unless the server asks for more than a run waits
        (Retry-After: 3600): then give the URL up for this run, the frontier defers it."""
        if seconds > MAX_RETRY_WAIT_S:
            stack = getattr(self._states, "stack", None)
            url = stack[-1].url if stack else None
            raise _DeferredError(
                f"the server asked to wait {seconds:.0f} s before retrying (Retry-After); "
                "deferred to a later run",
                url=url,
                wait=seconds,
            )
        time.sleep(seconds)

    def fetch(self, url: str, *, robots: RobotsPolicy | None = None, **kwargs: Any) -> Page:
        # A stack: asking robots.txt about a redirect target fetches that host's
        # robots.txt from inside this fetch, on the same thread.
        stack: list[_FetchState] = self._states.__dict__.setdefault("stack", [])
        state = _FetchState(url, _host(url), robots)
        stack.append(state)
        try:
            return super().fetch(url, **kwargs)
        finally:
            stack.pop()
            self._gate.release(state.host)

    def _get(self, session: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        state: _FetchState = self._states.stack[-1]
        host = _host(url)
        if state.first:
            state.first = False
        else:
            if state.robots is not None:
                verdict = state.robots.check(url)
                if verdict == "disallowed":
                    raise RobotsDisallowedError(f"redirected to {url}, disallowed by robots.txt")
                if verdict == "unavailable":
                    # Not retried inside this fetch (not a NetworkError): the frontier
                    # backs the URL off until a later run.
                    raise FetchError(f"redirected to {url}: robots.txt unavailable, try later")
            self._gate.wait(host)
        state.host = host
        try:
            return super()._get(session, url, *args, **kwargs)
        finally:
            self._gate.release(host)


def _packed(packing: Future[Any] | None) -> PackedBody | None:
    """The packed page, or None to let the archive compress it (re-checks, failures)."""
    if packing is None:
        return None
    try:
        result: PackedBody = packing.result()
    except Exception:  # e.g. MemoryError on a huge page: the writer will try itself
        return None
    return result


def _trusted_canonical(article: Article, page: Page, source: SourceConfig) -> Article:
    """The article keyed by its rel=canonical only when that URL is on the fetched
    page's site or on a site the source names: a page must not be able to write its
    record over another site's article by claiming its URL."""
    final = normalize_url(page.final_url) or page.url
    canonical = normalize_url(article.canonical_url or "")
    if canonical is None or canonical == final:
        return article
    if same_site(urlsplit(canonical).hostname, urlsplit(final).hostname):
        return article
    if source.is_same_site(canonical):
        return article
    host = (urlsplit(final).hostname or "").lower()
    site = host[4:] if host.startswith("www.") else host
    return replace(article, canonical_url=final, site=site or None)


def _is_permanent(exc: FetchError) -> bool:
    if isinstance(exc, NotHTMLError | TooLargeError | InvalidURLError):
        return True
    return isinstance(exc, HTTPStatusError) and exc.status in PERMANENT_STATUSES


def _host(url: str) -> str:
    return (urlsplit(url).netloc or "").lower()


def _timestamp(value: str | None) -> float | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


# -- progress -----------------------------------------------------------------------------


class _NoProgress:
    def grow(self) -> None:
        pass

    def update(self, update: ProgressUpdate) -> None:
        pass

    def close(self) -> None:
        pass


class _CallbackProgress(_NoProgress):
    def __init__(self, callback: Callable[[ProgressUpdate], None]) -> None:
        self.callback = callback

    def update(self, update: ProgressUpdate) -> None:
        self.callback(update)


class _BarProgress(_NoProgress):
    """A tqdm bar on stderr whose total grows as URLs are discovered."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=0, unit="url", file=sys.stderr, dynamic_ncols=True, leave=False)

    def grow(self) -> None:
        self.bar.total = (self.bar.total or 0) + 1  # drawn with the next update

    def update(self, update: ProgressUpdate) -> None:
        self.bar.set_postfix_str(update.outcome, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _make_progress(progress: bool | Callable[[ProgressUpdate], None] | None) -> _NoProgress:
    if progress is True:
        return _BarProgress()
    if callable(progress):
        return _CallbackProgress(progress)
    return _NoProgress()
