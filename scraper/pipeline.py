"""One page through the pipeline: fetch (or read a local file) → parse → archive.

Shared by ``scraper scrape``, ``scraper reparse`` and the crawl, so that every path
records the same outcome in ``fetches`` and the archive stays idempotent.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scraper.errors import FetchError, InvalidURLError, ScraperError
from scraper.models import Article, FetchOutcome, Page

if TYPE_CHECKING:
    from scraper.analysis import Analysis
    from scraper.archiver import Archive
    from scraper.fetcher import Fetcher


@dataclass(frozen=True, slots=True)
class ScrapeResult:
    """What happened to one input: ``outcome`` is new/updated/unchanged/failed."""

    target: str
    outcome: str
    url: str | None = None
    article: Article | None = None
    article_id: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"


def check_target(target: str) -> None:
    """Reject inputs that are neither an http(s) URL nor a local file, before any I/O."""
    from scraper.fetcher import is_local_target

    if is_local_target(target):
        return
    parts = urlsplit(target.strip())
    if parts.scheme in ("http", "https") and parts.hostname:
        return
    if parts.scheme and parts.scheme not in ("http", "https", "file"):
        raise InvalidURLError(f"unsupported URL scheme {parts.scheme!r}", url=target)
    raise InvalidURLError(f"not an http(s) URL or an existing file: {target!r}", url=target)


def scrape(target: str, *, fetcher: Fetcher, archive: Archive | None) -> ScrapeResult:
    """Fetch, parse and (when ``archive`` is given) store one URL or local file.

    Expected failures become a ``failed`` result with a one-line reason (and a row in
    ``fetches``); only programming errors propagate.
    """
    from scraper.fetcher import is_local_target, load_local

    started = _now()
    try:
        check_target(target)
        if is_local_target(target):
            page = load_local(target)
        else:
            etag, last_modified = (archive.validators(target) if archive else None) or (None, None)
            page = fetcher.fetch(target.strip(), etag=etag, last_modified=last_modified)
        if page.not_modified and archive is not None:
            saved = archive.mark_not_modified(page.final_url, page.fetched_at)
            _log(archive, page, outcome="unchanged")
            if saved is not None:
                return ScrapeResult(
                    target, "unchanged", page.final_url, article_id=saved.article_id
                )
            # The archive lost the article it sent validators for: fetch it in full.
            page = fetcher.fetch(target.strip())
        return _parse_and_save(target, page, archive)
    except FetchError as exc:
        if archive is not None:
            archive.record_fetch(
                FetchOutcome(
                    url=exc.url or target,
                    status=exc.status,
                    error=exc.reason,
                    bytes=0,
                    elapsed_ms=_ms_since(started),
                    at=started.isoformat(timespec="seconds"),
                    outcome="failed",
                )
            )
        return ScrapeResult(target, "failed", exc.url or target, error=exc.reason)
    except ScraperError as exc:
        return ScrapeResult(target, "failed", target, error=exc.reason)


def _parse_and_save(target: str, page: Page, archive: Archive | None) -> ScrapeResult:
    from scraper.parser import PARSER_VERSION, parse

    article = parse(page.text, url=page.final_url, headers=page.headers)
    if archive is None:
        return ScrapeResult(target, "parsed", page.final_url, article=article)
    saved = archive.save(article, page, parser_version=PARSER_VERSION)
    _log(archive, page, outcome=saved.outcome, kind=article.kind)
    return ScrapeResult(
        target, saved.outcome, page.final_url, article=article, article_id=saved.article_id
    )


def _log(archive: Archive, page: Page, *, outcome: str, kind: str | None = None) -> None:
    archive.record_fetch(
        FetchOutcome(
            url=page.url,
            final_url=page.final_url,
            status=page.status,
            error=None,
            bytes=len(page.content),
            elapsed_ms=page.elapsed_ms,
            at=page.fetched_at,
            kind=kind,
            outcome=outcome,
        )
    )


# Below this many articles, reparse parses in-process: starting worker processes costs
# more than it saves.
SMALL = 200


@dataclass(frozen=True, slots=True)
class ReparseCounts:
    pages: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0


def reparse(
    archive: Archive, *, site: str | None = None, since: str | None = None,
    workers: int | None = None,
) -> ReparseCounts:  # fmt: skip
    """Rebuild records from the stored raw pages, with no network.

    A record whose content changed gets a new revision; the others stay as they are.
    Pages are parsed in ``workers`` processes (default: up to two; 0 parses here),
    a few ahead of the single writer, which saves in the archive's write batches:
    re-reading a large archive after a parser upgrade uses both cores.
    """
    from concurrent.futures.process import BrokenProcessPool

    from scraper.analysis import Analysis, ParsePool, parse_stored
    from scraper.parser import PARSER_VERSION

    if workers is None:
        workers = min(2, os.cpu_count() or 1) if archive.count_articles() >= SMALL else 0
    pages = updated = unchanged = failed = 0
    ahead: deque[tuple[Page, Future[Analysis]]] = deque()
    pool = ParsePool(workers)

    def submit(page: Page) -> tuple[Page, Future[Analysis]]:
        return page, pool.submit(parse_stored, page.text, page.final_url, dict(page.headers))
    try:
        with archive.batched() as batch:
            stream = _latest_pages(archive, site=site, since=since)
            while True:
                stored = next(stream, None)
                if stored is not None:
                    pages += 1
                    ahead.append(submit(stored))
                    if len(ahead) < 4 * max(1, workers):
                        continue
                if not ahead:
                    break
                page, job = ahead.popleft()
                try:
                    analysis = job.result()
                except BrokenProcessPool:  # a worker died (killed, out of memory)
                    analysis = Analysis(error="the parser process died on this page")
                    pool.shutdown(wait=False)
                    pool = ParsePool(workers)
                    ahead = deque(submit(p) for p, _ in ahead)
                if analysis.article is None:
                    failed += 1
                    continue
                saved = archive.save(analysis.article, page, parser_version=PARSER_VERSION)
                batch.tick()
                if saved.outcome == "updated":
                    updated += 1
                else:
                    unchanged += 1
    finally:
        pool.shutdown(wait=True)
    return ReparseCounts(pages=pages, updated=updated, unchanged=unchanged, failed=failed)


def _latest_pages(archive: Archive, *, site: str | None, since: str | None) -> Iterator[Page]:
    yield from archive.iter_pages(site=site, since=since)


def _now() -> datetime:
    return datetime.now(UTC)


def _ms_since(start: datetime) -> int:
    return int((_now() - start).total_seconds() * 1000)
