"""The crawl frontier: every URL a crawl knows about, kept in the archive database.

Because it lives in SQLite (not in memory), a killed crawl resumes where it stopped:
URLs still ``queued`` are fetched by the next run. States::

    queued   waiting to be fetched (new, re-queued seeds, or resumed after a crash)
    done     fetched and handled; articles are re-checked by the refresh policy
    failed   a temporary failure (5xx, timeout, network); retried after next_try_at,
             with exponential back-off across runs
    gone     a permanent failure (404, 410, not HTML, too large) or given up after
             MAX_ATTEMPTS temporary ones: never fetched again unless re-seeded
    skipped  robots.txt disallowed it; asked again when rediscovered in a later run

Kinds: article, listing, feed, sitemap, and alias (another name of an archived
article: its redirect target or canonical URL, recorded so it is never fetched again).

Writes go through the archive's connection in explicit transactions
(:mod:`scraper.txn`): grouped by the caller with :meth:`Frontier.transaction`, and,
when the frontier is given the archive's own ``transaction``, inside the archive's
write batch, so a crawl commits discoveries and saves together.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from scraper import txn
from scraper.errors import ArchiveError

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_MAX",
    "MAX_ATTEMPTS",
    "Frontier",
    "FrontierEntry",
    "backoff",
    "utc_now",
]

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=10)
BACKOFF_MAX = timedelta(days=3)

_COLUMNS = (
    "url", "source", "kind", "state", "attempts", "next_try_at", "last_status", "last_error",
    "discovered_at", "fetched_at", "published", "etag", "last_modified",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FrontierEntry:
    """One row of the ``frontier`` table."""

    url: str
    source: str
    kind: str
    state: str = "queued"
    attempts: int = 0
    next_try_at: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    discovered_at: str = ""
    fetched_at: str | None = None
    published: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def backoff(attempts: int) -> timedelta:
    """Wait before retry number ``attempts`` + 1: 10 min, 20 min, 40 min, … capped at 3 days."""
    return min(BACKOFF_MAX, BACKOFF_BASE * (2 ** min(20, max(0, attempts - 1))))


class Frontier:
    """The ``frontier`` table of an archive (part of the schema since version 2)."""

    def __init__(
        self, db: sqlite_utils.Database, *,
        transaction: Callable[[], AbstractContextManager[sqlite3.Connection]] | None = None,
    ) -> None:  # fmt: skip
        """``transaction``: the archive's own (batch-aware) transaction, when the
        frontier shares the archive's connection and its write batch."""
        self.conn: sqlite3.Connection = db.conn
        self._transaction = transaction

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction; nested calls join the outer one (that is the
        batching), which commits or rolls back the whole."""
        if self._transaction is not None:
            return self._transaction()
        return txn.transaction(self.conn, _frontier_error)

    # -- reads -----------------------------------------------------------------------
    def get(self, url: str) -> FrontierEntry | None:
        row = self.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM frontier WHERE url = ?", (url,)
        ).fetchone()
        return _entry(row) if row else None

    def due(self, sources: Sequence[str], now: str | None = None) -> list[FrontierEntry]:
        """Queued URLs of these sources, and failed ones whose back-off has passed."""
        if not sources:
            return []
        now = now or utc_now()
        marks = ", ".join("?" for _ in sources)
        rows = self.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM frontier WHERE source IN ({marks}) AND "
            "(state = 'queued' OR "
            "(state = 'failed' AND (next_try_at IS NULL OR next_try_at <= ?)))",
            (*sources, now),
        ).fetchall()
        return [_entry(r) for r in rows]

    def requeue_feeds(self, sources: Sequence[str]) -> int:
        """Queue every known feed of these sources again (autodiscovered ones too: they
        must be read each run even when the page that named them has not changed)."""
        if not sources:
            return 0
        marks = ", ".join("?" for _ in sources)
        with self.transaction() as conn:
            cur = conn.execute(
                f"UPDATE frontier SET state = 'queued' WHERE source IN ({marks}) AND "
                "kind = 'feed' AND state IN ('done', 'skipped')",
                tuple(sources),
            )
        return cur.rowcount

    def done_articles(self, sources: Sequence[str]) -> list[FrontierEntry]:
        """Articles of these sources that were fetched and handled (re-check candidates)."""
        if not sources:
            return []
        marks = ", ".join("?" for _ in sources)
        rows = self.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM frontier WHERE source IN ({marks}) AND "
            "kind = 'article' AND state = 'done'",
            tuple(sources),
        ).fetchall()
        return [_entry(r) for r in rows]

    def counts(self, source: str | None = None) -> dict[str, int]:
        """URLs per state (all sources, or one)."""
        sql = "SELECT state, count(*) FROM frontier"
        params: tuple[Any, ...] = ()
        if source is not None:
            sql += " WHERE source = ?"
            params = (source,)
        return dict(self.conn.execute(sql + " GROUP BY state", params).fetchall())

    # -- writes ----------------------------------------------------------------------
    def add(
        self, url: str, source: str, kind: str, *, published: str | None = None,
        now: str | None = None,
    ) -> bool:  # fmt: skip
        """Insert a new URL as queued; True when it was not known before."""
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO frontier (url, source, kind, state, discovered_at, "
                "published) VALUES (?, ?, ?, 'queued', ?, ?)",
                (url, source, kind, now or utc_now(), published),
            )
            if cur.rowcount == 0 and published:
                conn.execute(
                    "UPDATE frontier SET published = ? WHERE url = ? AND published IS NULL",
                    (published, url),
                )
        return cur.rowcount > 0

    def requeue(self, url: str, *, kind: str | None = None) -> None:
        """Queue a known URL again (a seed each run, a young article to re-check)."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE frontier SET state = 'queued', kind = coalesce(?, kind) WHERE url = ?",
                (kind, url),
            )

    def mark_done(
        self, url: str, *, status: int | None, at: str | None = None,
        etag: str | None = None, last_modified: str | None = None,
        published: str | None = None, kind: str | None = None,
    ) -> None:  # fmt: skip
        with self.transaction() as conn:
            conn.execute(
                "UPDATE frontier SET state = 'done', attempts = 0, next_try_at = NULL, "
                "last_status = ?, last_error = NULL, fetched_at = ?, "
                "etag = coalesce(?, etag), last_modified = coalesce(?, last_modified), "
                "published = coalesce(?, published), kind = coalesce(?, kind) WHERE url = ?",
                (status, at or utc_now(), etag, last_modified, published, kind, url),
            )

    def mark_failed(
        self, url: str, *, status: int | None, error: str, permanent: bool,
        at: str | None = None, not_before: float | None = None,
    ) -> str:  # fmt: skip
        """Record a failure; returns the new state (``failed`` or ``gone``).

        ``not_before`` (seconds) lengthens the back-off when the server said how long to
        wait (Retry-After)."""
        at = at or utc_now()
        entry = self.get(url)
        attempts = (entry.attempts if entry else 0) + 1
        state = "gone" if permanent or attempts >= MAX_ATTEMPTS else "failed"
        if state == "gone" and not permanent:
            error = f"{error} (gave up after {attempts} attempts)"
        next_try = None
        if state == "failed":
            wait = max(backoff(attempts), timedelta(seconds=not_before or 0))
            next_try = (datetime.fromisoformat(at) + wait).isoformat()
        with self.transaction() as conn:
            conn.execute(
                "UPDATE frontier SET state = ?, attempts = ?, next_try_at = ?, "
                "last_status = ?, last_error = ?, fetched_at = ? WHERE url = ?",
                (state, attempts, next_try, status, error, at, url),
            )
        return state

    def mark_skipped(self, url: str, reason: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE frontier SET state = 'skipped', last_error = ? WHERE url = ?",
                (reason, url),
            )


def _frontier_error(exc: sqlite3.Error) -> ArchiveError:
    return ArchiveError(f"frontier: {exc}")


def _entry(row: Sequence[Any]) -> FrontierEntry:
    return FrontierEntry(**dict(zip(_COLUMNS, row, strict=True)))
