"""What a crawl's parse workers run: one fetched document in, an :class:`Analysis` out.

Kept apart from :mod:`scraper.crawl` so the worker processes import only the parser
and the feed/sitemap readers, not the fetch stack, the archive or sqlite-utils: each
worker starts faster and holds less memory for the whole crawl.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from scraper.models import Article

__all__ = ["Analysis", "ParsePool", "analyse", "parse_stored", "worker_init"]


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a parse worker hands back: an article, links, or discovered URLs."""

    article: Article | None = None
    links: tuple[str, ...] = ()
    next_pages: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    discovered: tuple[tuple[str, str, str | None], ...] = ()  # (url, kind, published)
    error: str | None = None


def analyse(kind: str, final_url: str, text: str, content: bytes,
            headers: Mapping[str, str]) -> Analysis:  # fmt: skip
    """Parse one fetched document (runs in a worker process; never raises)."""
    from scraper.discover import is_xml, page_links, parse_xml
    from scraper.errors import ScraperError

    try:
        if kind in ("feed", "sitemap"):
            if not is_xml(content, _header(headers, "content-type")) and _looks_html(content):
                links = page_links(text or content, final_url)
                return Analysis(error="not a feed or sitemap (an HTML page)", feeds=links.feeds)
            found = parse_xml(content, final_url)
            return Analysis(discovered=tuple((d.url, d.kind, d.published) for d in found))
        if kind == "listing":
            links = page_links(text, final_url)
            return Analysis(links=links.links, next_pages=links.next_pages, feeds=links.feeds)
        from scraper.parser import parse

        article = parse(text, url=final_url, headers=headers)
        if article.kind == "listing":  # an index page where an article was expected
            links = page_links(text, final_url)
            return Analysis(article=article, links=links.links, next_pages=links.next_pages)
        return Analysis(article=article)
    except ScraperError as exc:
        return Analysis(error=exc.reason)
    except Exception as exc:  # a parser bug must cost one URL, not the crawl
        return Analysis(error=f"parser error: {type(exc).__name__}: {exc}")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _looks_html(content: bytes) -> bool:
    head = content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def worker_init(lifeline: Any) -> None:
    """In each parse worker: leave Ctrl-C to the main process (which shuts the pool
    down cleanly) and exit at once when the main process is gone."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv()
        os._exit(0)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def parse_stored(text: str, url: str, headers: Mapping[str, str]) -> Analysis:
    """Parse a stored page again (``scraper reparse``; never raises). ``text`` is the
    raw page decoded with the encoding found when it was fetched, which is what
    ``scrape`` and ``crawl`` parsed then."""
    from scraper.errors import ScraperError
    from scraper.parser import parse

    try:
        return Analysis(article=parse(text, url=url, headers=headers))
    except ScraperError as exc:
        return Analysis(error=exc.reason)
    except Exception as exc:  # a parser bug must cost one page, not the run
        return Analysis(error=f"parser error: {type(exc).__name__}: {exc}")


class ParsePool:
    """Where pages are parsed: worker processes (or one thread when ``workers`` is 0).

    The workers are tied to this process's life: each holds the read end of a pipe
    whose only write end is here, and exits as soon as it reads EOF. A crawl killed by
    SIGKILL or SIGTERM (cron's timeout) therefore leaves no parse process behind.
    """

    def __init__(self, workers: int) -> None:
        self._lifeline: Any = None
        self._reader: Any = None
        if workers <= 0:
            self._executor: Executor = ThreadPoolExecutor(1, thread_name_prefix="parse")
            return
        methods = multiprocessing.get_all_start_methods()
        # Never plain fork: the fetch threads may hold locks at the moment of forking.
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self._reader, self._lifeline = context.Pipe(duplex=False)
        self._executor = ProcessPoolExecutor(
            workers, mp_context=context, initializer=worker_init, initargs=(self._reader,)
        )

    def submit(self, fn: Callable[..., Analysis], *args: Any) -> Future[Analysis]:
        return self._executor.submit(fn, *args)

    def shutdown(self, *, wait: bool) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)
        for end in (self._lifeline, self._reader):
            if end is not None:
                end.close()
        self._lifeline = self._reader = None
