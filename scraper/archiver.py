"""The SQLite archive: one row per article (keyed by canonical URL), its bullets, its
revisions, the raw pages it came from, a fetch log and a full-text index.

This module is the one home of archive writes; their SQLite errors become
:class:`~scraper.errors.ArchiveError` here. Every article write (article + bullets +
page + revision + FTS row + URL aliases) is one transaction, or a part of an
:meth:`Archive.batched` batch that commits or rolls back as a whole, so a crash or a
killed process leaves either the whole save or none of it. WAL mode lets readers
(``search``, ``export``) run while a crawl writes. The schema lives in
:mod:`scraper.schema`; reads live in :mod:`scraper.query`.

The hot write path uses plain prepared SQL (the sqlite3 module caches the statements)
rather than sqlite-utils' ``insert``/``update``, which re-derive the SQL and convert
every value on each call: measured at ~15 % of a save. sqlite-utils stays the
archive's ad-hoc interface (:attr:`Archive.db`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlsplit

from scraper import compress, schema, txn
from scraper import query as reads
from scraper.errors import ArchiveError, LockedError
from scraper.models import Article, FetchOutcome, Page
from scraper.normalize import same_site
from scraper.query import StoredPage

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["Archive", "PackedBody", "SaveResult", "StoredPage", "content_hash", "pack"]

BUSY_TIMEOUT_S = 30.0

_T = TypeVar("_T")

# Record fields that are not part of the content hash: a parser upgrade may change
# them without the article having changed, so they are refreshed in place.
_METADATA_FIELDS = (
    "site", "authors", "language", "summary", "sections", "tags", "image", "word_count", "kind",
)  # fmt: skip
_JSON_FIELDS = frozenset({"authors", "sections", "tags"})

_FTS_OLD = "SELECT title, body, bullets FROM articles_fts_source WHERE id = ?"
_FTS_DELETE = (
    "INSERT INTO articles_fts(articles_fts, rowid, title, body, bullets) "
    "VALUES ('delete', ?, ?, ?, ?)"
)
_FTS_INSERT = "INSERT INTO articles_fts(rowid, title, body, bullets) VALUES (?, ?, ?, ?)"


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What :meth:`Archive.save` did: ``outcome`` is "new", "updated" or "unchanged"."""

    outcome: str
    article_id: int
    revision: int


@dataclass(frozen=True, slots=True)
class PackedBody:
    """A raw page hashed and compressed for storage (see :func:`pack`)."""

    sha256: str
    size: int
    method: str
    blob: bytes


def pack(content: bytes) -> PackedBody:
    """Hash and compress a raw page ahead of :meth:`Archive.save`.

    Pure CPU work that needs no database: a crawl runs it in its fetch threads (zstd
    releases the GIL), so the single writer only stores bytes. Compression was the
    largest single cost of a save (~1.2 ms of ~3.4 ms for a 64 KB page).
    """
    return PackedBody(hashlib.sha256(content).hexdigest(), len(content), compress.DEFAULT,
                      compress.compress(content))  # fmt: skip


def content_hash(article: Article) -> str:
    """SHA-256 over what a reader would call the content: title, body, bullets (text
    and section) and dates, whitespace- and Unicode-normalized.

    Fetch time, parser version and metadata such as tags are left out on purpose, so
    refetching or reparsing an unchanged article never makes a new revision.
    """
    payload = {
        "title": _norm(article.title),
        "body": _norm(article.body),
        "bullets": [[_norm(b.text), _norm(b.section)] for b in article.bullets],
        "published": _norm(article.published),
        "modified": _norm(article.modified),
    }
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _norm(text: str | None) -> str | None:
    if text is None:
        return None
    text = str(text)
    if not text.isascii():  # ASCII is already NFC (isascii is O(1))
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


class Archive:
    """An archive database file. Use as a context manager, or call :meth:`close`.

    ``readonly=True`` opens the file with ``mode=ro`` (query commands): it never
    creates, migrates or writes, and a missing file is an error. A writable open
    creates the file if needed and upgrades an older schema. One instance may be
    shared by threads: writes are serialized by a lock.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._lock = threading.RLock()
        self._conn = _connect(self.path, readonly=readonly)
        try:
            if readonly:
                schema.check_version(self._conn)
            else:
                schema.migrate(self._conn)
        except ArchiveError as exc:
            self._conn.close()
            raise ArchiveError(f"{self.path}: {exc.reason}") from exc
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            if _is_busy(exc):
                raise _archive_error(exc, self.path, None) from exc
            raise ArchiveError(f"{self.path} is not a usable archive: {exc}") from exc
        self._db: sqlite_utils.Database | None = None
        self._batch: txn.WriteBatch | None = None

    # -- lifecycle --------------------------------------------------------------

    @property
    def db(self) -> sqlite_utils.Database:
        """The sqlite-utils view of the archive (writes, ad-hoc queries).

        Made on first use: read-only commands (search, show, export) never pay for
        importing sqlite-utils, which is most of their start-up time.
        """
        if self._db is None:
            import sqlite_utils

            # No plugin hooks: third-party sqlite-utils plugins have no business here.
            self._db = sqlite_utils.Database(self._conn, execute_plugins=False)
        return self._db

    def close(self) -> None:
        if self._batch is not None:
            self._batch.commit()
        if not self.readonly:
            # Keeps the query planner's statistics fresh; cheap when nothing changed.
            with suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
        self._conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writes -----------------------------------------------------------------

    def save(
        self, article: Article, page: Page | None, *, parser_version: str,
        packed: PackedBody | None = None,
    ) -> SaveResult:  # fmt: skip
        """Store a parsed record (and the page it came from) in one transaction.

        New canonical URL → revision 1, "new". Same content hash → "unchanged": only
        ``last_fetched`` moves (and metadata outside the hash is refreshed if the parser
        now reads it differently). Different hash → next revision, "updated". The raw
        page is stored only when its bytes differ from the latest stored copy.
        ``packed`` is the page's body already hashed and compressed by :func:`pack`.
        """
        if page is not None and page.not_modified:
            raise ArchiveError("a 304 answer has no page to store; use mark_not_modified()",
                               url=page.url)  # fmt: skip
        key = _archive_key(article, page)
        if not key:
            raise ArchiveError("cannot archive a record without a URL")
        now = page.fetched_at if page is not None else _now()
        digest = content_hash(article)
        record = article.to_dict()
        if key != record["canonical_url"]:
            record["canonical_url"] = key
            record["site"] = _site(key) or record["site"]
        # Hash and compress before taking the write lock: other processes wait for it.
        if packed is not None and (page is None or packed.size != len(page.content)):
            raise ArchiveError("the packed body is not this page's", url=key)
        if packed is None and page is not None:
            sha = hashlib.sha256(page.content).hexdigest()
            blob = self._compress_if_new(page, sha, key)
            packed = PackedBody(sha, len(page.content), compress.DEFAULT, blob) if blob else None
        else:
            sha = packed.sha256 if packed is not None else ""
        with self._write(key) as conn:
            row = conn.execute(
                "SELECT id, revision, content_hash FROM articles WHERE canonical_url = ?", (key,)
            ).fetchone()
            if row is None and isinstance(page, StoredPage):
                row = _rekey(conn, page.article_id, key)
            if row is None:
                article_id = self._insert_article(conn, record, digest, now, parser_version)
                result = SaveResult("new", article_id, 1)
            elif row[2] == digest:
                self._refresh_unchanged(conn, row[0], record, now, parser_version)
                result = SaveResult("unchanged", row[0], row[1])
            else:
                self._update_article(conn, row[0], row[1] + 1, record, digest, now,
                                     parser_version)  # fmt: skip
                result = SaveResult("updated", row[0], row[1] + 1)
            if page is not None:
                _store_page(conn, result.article_id, page, sha, packed,
                            first=result.outcome == "new")  # fmt: skip
            # Only URLs really fetched (or the key) may point at the article: a record's
            # own claims about other URLs must not redirect lookups of them.
            urls = [key, *([page.url, page.final_url, *page.redirects] if page else [article.url])]
            _add_aliases(conn, result.article_id, urls)
        return result

    def _compress_if_new(self, page: Page, sha: str, key: str) -> bytes | None:
        """The compressed body, unless it equals the latest stored copy (then None)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT p.raw_sha256 FROM pages AS p JOIN articles AS a ON a.id = p.article_id"
                " WHERE a.canonical_url = ? ORDER BY p.id DESC LIMIT 1",
                (key,),
            ).fetchone()
        if row is not None and row[0] == sha:
            return None
        return compress.compress(page.content)

    def mark_not_modified(self, url: str, fetched_at: str) -> SaveResult | None:
        """Record a 304 (or an identical refetch) for ``url``: bump ``last_fetched`` and
        the stored page's ``fetched_at``. None when the URL is not archived."""
        with self._write(url) as conn:
            article_id = reads.resolve(conn, url, prefer_alias=True)
            if article_id is None:
                return None
            conn.execute(
                "UPDATE articles SET last_fetched = max(last_fetched, ?) WHERE id = ?",
                (fetched_at, article_id),
            )
            conn.execute(
                "UPDATE pages SET fetched_at = max(fetched_at, ?) WHERE id = "
                "(SELECT max(id) FROM pages WHERE article_id = ?)",
                (fetched_at, article_id),
            )
            revision = conn.execute(
                "SELECT revision FROM articles WHERE id = ?", (article_id,)
            ).fetchone()[0]
        return SaveResult("unchanged", article_id, revision)

    def record_fetch(self, outcome: FetchOutcome) -> None:
        """Append one request outcome (success or failure) to ``fetches``."""
        with self._write(outcome.url) as conn:
            _insert_row(conn, "fetches", outcome.to_dict())

    def rebuild_fts(self) -> None:
        """Rebuild the full-text index from ``articles`` and ``bullets`` (repair tool)."""
        with self._write() as conn:
            conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")

    @contextmanager
    def batched(
        self, *, max_writes: int = 1000, max_seconds: float = 0.5
    ) -> Iterator[txn.WriteBatch]:
        """Group the writes made inside the block into few commits (a crawl's writer).

        A commit happens after ``max_writes`` writes or ``max_seconds``; the caller
        should :meth:`~scraper.txn.WriteBatch.tick` the batch when idle. A failed write
        rolls back the open batch (all or nothing); what the block wrote is committed
        when it ends. See :class:`scraper.txn.WriteBatch`.
        """
        if self._batch is not None:
            yield self._batch
            return
        batch = txn.WriteBatch(self._conn, self._lock, self._translator(None),
                               max_writes=max_writes, max_seconds=max_seconds)  # fmt: skip
        checkpointer = txn.Checkpointer(self._conn, lambda: _connect(self.path, readonly=False))
        self._batch = batch
        checkpointer.start()
        try:
            yield batch
        finally:
            self._batch = None
            try:
                batch.commit()
            finally:
                checkpointer.stop()

    def transaction(
        self, url: str | None = None
    ) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A write transaction on the archive's connection (nestable, batch-aware):
        for other tables kept in the archive, such as the crawl frontier."""
        return self._write(url)

    @contextmanager
    def _write(self, url: str | None = None) -> Iterator[sqlite3.Connection]:
        """One write: a transaction of its own, or a part of the open batch."""
        if self.readonly:
            raise ArchiveError(f"{self.path} is open read-only", url=url)
        with self._lock:
            batch = self._batch
            if batch is not None:
                with batch.write(self._translator(url)) as conn:
                    yield conn
            else:
                with txn.transaction(self._conn, self._translator(url)) as conn:
                    yield conn

    def _index(self, conn: sqlite3.Connection, article_id: int, record: dict[str, Any]) -> None:
        """Add the article to the full-text index, from the values just written.

        They must be exactly what ``articles_fts_source`` gives back for the row (the
        index is told the same text again when the row changes): title, body, and the
        bullet texts in order joined by newlines (NULL when none). In a batch the
        statement runs at commit time (see :meth:`scraper.txn.WriteBatch.defer`).
        """
        texts = [b.get("text") for b in record["bullets"] if b.get("text") is not None]
        params = (article_id, record.get("title"), record.get("body"),
                  "\n".join(texts) if texts else None)  # fmt: skip
        self._fts(conn, _FTS_INSERT, params)

    def _unindex(self, conn: sqlite3.Connection, article_id: int) -> None:
        """Take the article's *current* text out of the index (before it changes)."""
        old = conn.execute(_FTS_OLD, (article_id,)).fetchone()
        if old is not None:
            self._fts(conn, _FTS_DELETE, (article_id, *old))

    def _fts(self, conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> None:
        if self._batch is not None and self._batch.open:
            self._batch.defer(sql, params)
        else:
            conn.execute(sql, params)

    def _translator(self, url: str | None) -> txn.Translate:
        return lambda exc: _archive_error(exc, self.path, url)

    def _insert_article(
        self, conn: sqlite3.Connection, record: dict[str, Any], digest: str, now: str,
        parser_version: str,
    ) -> int:  # fmt: skip
        row = _article_row(record)
        row.update(
            revision=1, content_hash=digest, first_seen=now, last_fetched=now, last_changed=now,
            parser_version=parser_version,
        )  # fmt: skip
        article_id = _insert_row(conn, "articles", row)
        _insert_bullets(conn, article_id, record["bullets"])
        _insert_revision(conn, article_id, 1, now, digest, parser_version, record, row)
        self._index(conn, article_id, record)
        return article_id

    def _update_article(
        self, conn: sqlite3.Connection, article_id: int, revision: int, record: dict[str, Any],
        digest: str, now: str, parser_version: str,
    ) -> None:  # fmt: skip
        # The external-content index must be told the *old* text before it changes.
        self._unindex(conn, article_id)
        row = _article_row(record)
        del row["url"]  # the URL it was first found at stays
        row.update(
            revision=revision, content_hash=digest, last_changed=now, parser_version=parser_version,
        )  # fmt: skip
        _update_row(conn, "articles", article_id, row)
        conn.execute(
            "UPDATE articles SET last_fetched = max(last_fetched, ?) WHERE id = ?",
            (now, article_id),
        )
        conn.execute("DELETE FROM bullets WHERE article_id = ?", (article_id,))
        _insert_bullets(conn, article_id, record["bullets"])
        _insert_revision(conn, article_id, revision, now, digest, parser_version, record, row)
        self._index(conn, article_id, record)

    def _refresh_unchanged(
        self, conn: sqlite3.Connection, article_id: int, record: dict[str, Any], now: str,
        parser_version: str,
    ) -> None:  # fmt: skip
        conn.execute(
            "UPDATE articles SET last_fetched = max(last_fetched, ?) WHERE id = ?",
            (now, article_id),
        )
        fresh = _article_row(record)
        stored = conn.execute(
            f"SELECT {', '.join(_METADATA_FIELDS)} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        changed = {
            name: fresh[name]
            for name, old in zip(_METADATA_FIELDS, stored, strict=True)
            if fresh[name] != old
        }
        if changed:
            changed["parser_version"] = parser_version
            _update_row(conn, "articles", article_id, changed)
        # Bullet text and section are hashed; only nesting depth can differ here.
        depths = [b["depth"] for b in record["bullets"]]
        stored_depths = [
            r[0] for r in conn.execute(
                "SELECT depth FROM bullets WHERE article_id = ? ORDER BY position", (article_id,)
            )
        ]  # fmt: skip
        if depths != stored_depths:
            # The texts may differ in whitespace only: re-index so the index always
            # holds exactly what the content view returns.
            self._unindex(conn, article_id)
            conn.execute("DELETE FROM bullets WHERE article_id = ?", (article_id,))
            _insert_bullets(conn, article_id, record["bullets"])
            self._index(conn, article_id, record)

    # -- reads (see scraper.query) -------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(ETag, Last-Modified) of the latest stored page for ``url``, for a
        conditional GET; None when the URL is unknown or no validator was stored."""
        with self._reading():
            return reads.validators(self._conn, url)

    def get(self, url_or_id: str | int) -> dict[str, Any] | None:
        """One record by id, canonical URL or any URL it was fetched from, with
        ``id``, ``revision``, ``first_seen``, ``last_fetched`` and ``last_changed``."""
        with self._reading():
            return reads.get(self._conn, url_or_id)

    def iter_records(
        self, *, site: str | None = None, since: str | None = None, until: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every record (as :meth:`get`), oldest id first, streamed in constant memory;
        ``since``/``until`` are inclusive dates on ``published``."""
        records = reads.iter_records(self._conn, site=site, since=since, until=until,
                                     lock=self._lock)  # fmt: skip
        return self._translating(records)

    def iter_json_lines(
        self, *, site: str | None = None, since: str | None = None, until: str | None = None
    ) -> Iterator[str]:
        """:meth:`iter_records` as JSON text, one record per item (for JSONL export)."""
        lines = reads.iter_json_lines(self._conn, site=site, since=since, until=until,
                                      lock=self._lock)  # fmt: skip
        return self._translating(lines)

    def search(
        self, query: str, *, site: str | None = None, since: str | None = None,
        until: str | None = None, limit: int = 20,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Full-text search, best match first: id, url, canonical_url, site, title,
        published, snippet (matches in [brackets]), rank. See :func:`scraper.query.search`."""
        with self._reading():
            return reads.search(self._conn, query, site=site, since=since, until=until,
                                limit=limit)  # fmt: skip

    def history(self, url_or_id: str | int) -> list[dict[str, Any]]:
        """Revisions oldest first: revision, fetched_at, content_hash, parser_version
        and the record as it was. Empty when the article is unknown."""
        with self._reading():
            return reads.history(self._conn, url_or_id)

    def iter_pages(
        self, *, site: str | None = None, since: str | None = None, latest_only: bool = True
    ) -> Iterator[StoredPage]:
        """Stored raw pages, decompressed, with their headers: by default the latest
        page of each article (what ``reparse`` needs); ``latest_only=False`` gives
        every stored capture (WARC). ``since`` filters on ``fetched_at``."""
        pages = reads.iter_pages(self._conn, site=site, since=since, latest_only=latest_only,
                                 lock=self._lock)  # fmt: skip
        return self._translating(pages)

    def count_articles(self) -> int:
        with self._reading():
            return int(self._conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def stats(self) -> dict[str, Any]:
        """Articles per site and month, fetch outcomes, failures by reason, sizes."""
        with self._reading():
            return reads.stats(self._conn, self.path)

    def check(self) -> list[str]:
        """Problems found by SQLite's and FTS5's integrity checks (empty when sound)."""
        with self._reading():
            return reads.check(self._conn)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise _archive_error(exc, self.path, None) from exc

    def _translating(self, items: Iterator[_T]) -> Iterator[_T]:
        """Streams hold the lock per batch only; their SQLite errors still become
        ArchiveError."""
        try:
            yield from items
        except sqlite3.Error as exc:
            raise _archive_error(exc, self.path, None) from exc


# -- helpers -------------------------------------------------------------------------


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """Open the file with the pragmas every archive connection needs.

    ``isolation_level=None``: transactions are explicit (``BEGIN IMMEDIATE`` in
    :meth:`Archive._write`), never opened behind our back by the sqlite3 module.
    """
    try:
        if readonly:
            if not path.is_file():
                raise ArchiveError(f"no archive at {path}")
            uri = f"file:{quote(str(path.resolve()))}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S,
                                   check_same_thread=False, isolation_level=None)  # fmt: skip
        else:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False,
                                   isolation_level=None)  # fmt: skip
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if readonly:
            conn.execute("PRAGMA query_only = ON")
        else:
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across process crashes in WAL mode; only an OS crash or
            # power loss can drop the last commits, and never corrupts the file.
            conn.execute("PRAGMA synchronous = NORMAL")
        # Reading the schema proves the file really is an SQLite database.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        if _is_busy(exc):
            raise _archive_error(exc, path, None) from exc
        raise ArchiveError(f"cannot open archive {path}: {exc}") from exc
    return conn


def _archive_error(exc: sqlite3.Error, path: Path, url: str | None) -> ArchiveError:
    """A busy database is a LockedError: temporary, so cron can simply try again."""
    if _is_busy(exc):
        return LockedError(
            f"archive {path} is locked by another process (waited {BUSY_TIMEOUT_S:g} s)", url=url
        )
    return ArchiveError(f"archive {path}: {exc}", url=url)


def _is_busy(exc: sqlite3.Error) -> bool:
    message = str(exc)
    return "database is locked" in message or "database is busy" in message


def _insert_row(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> int:
    """INSERT one row; the statement text depends only on the keys, so it is prepared
    once and reused from the connection's statement cache."""
    names = ", ".join(row)
    marks = ", ".join("?" * len(row))
    cur = conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                       [_sql_value(v) for v in row.values()])  # fmt: skip
    assert cur.lastrowid is not None
    return cur.lastrowid


def _update_row(conn: sqlite3.Connection, table: str, row_id: int, row: dict[str, Any]) -> None:
    assignments = ", ".join(f"{name} = ?" for name in row)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?",
                 [*map(_sql_value, row.values()), row_id])  # fmt: skip


def _sql_value(value: Any) -> Any:
    """Lists and dicts are stored as JSON text (what sqlite-utils did for us)."""
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False)
    return value


def _article_row(record: dict[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in record.items() if k != "bullets"}
    for name in _JSON_FIELDS:
        row[name] = json.dumps(row.get(name) or [], ensure_ascii=False)
    return row


def _insert_bullets(
    conn: sqlite3.Connection, article_id: int, bullets: list[dict[str, Any]]
) -> None:
    conn.executemany(
        "INSERT INTO bullets (article_id, position, section, depth, text) VALUES (?, ?, ?, ?, ?)",
        [
            (article_id, position, b.get("section"), int(b.get("depth") or 0), b.get("text"))
            for position, b in enumerate(bullets)
        ],
    )


def _insert_revision(
    conn: sqlite3.Connection, article_id: int, revision: int, fetched_at: str, digest: str,
    parser_version: str, record: dict[str, Any], row: dict[str, Any],
) -> None:  # fmt: skip
    conn.execute(
        "INSERT INTO revisions (article_id, revision, fetched_at, content_hash, parser_version,"
        " record) VALUES (?, ?, ?, ?, ?, ?)",
        (article_id, revision, fetched_at, digest, parser_version, _record_json(record, row)),
    )  # fmt: skip


def _record_json(record: dict[str, Any], row: dict[str, Any]) -> str:
    """The record as JSON, reusing the JSON the article row already holds for its list
    fields (sections repeat most of the body: encoding them twice was measurable)."""
    parts = []
    for key, value in record.items():
        encoded = row[key] if key in _JSON_FIELDS else json.dumps(value, ensure_ascii=False)
        parts.append(f"{json.dumps(key)}: {encoded}")
    return "{" + ", ".join(parts) + "}"


def _store_page(
    conn: sqlite3.Connection, article_id: int, page: Page, sha: str, packed: PackedBody | None,
    *, first: bool = False,
) -> None:  # fmt: skip
    """Keep a new raw copy only when the bytes changed; otherwise refresh the latest
    copy's fetch time and validators (they may change without the body changing).
    ``sha`` is the body's SHA-256; ``packed`` the body compressed ahead of time, if it
    looked new then."""
    headers = json.dumps(dict(page.headers), ensure_ascii=False)
    latest = None if first else conn.execute(  # a new article has no stored page yet
        "SELECT id, raw_sha256 FROM pages WHERE article_id = ? ORDER BY id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    if latest is not None and latest[1] == sha:
        conn.execute(
            "UPDATE pages SET fetched_at = max(fetched_at, ?), etag = ?, last_modified = ?,"
            " headers = ?, status = ?, final_url = ? WHERE id = ?",
            (page.fetched_at, page.etag, page.last_modified, headers, page.status,
             page.final_url, latest[0]),
        )  # fmt: skip
        return
    if packed is None:
        packed = PackedBody(sha, len(page.content), compress.DEFAULT,
                            compress.compress(page.content))  # fmt: skip
    conn.execute(
        "INSERT INTO pages (article_id, url, final_url, status, headers, etag, last_modified,"
        " fetched_at, encoding, raw_sha256, raw_size, compression, raw)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (article_id, page.url, page.final_url, page.status, headers, page.etag,
         page.last_modified, page.fetched_at, page.encoding, sha, packed.size,
         packed.method, packed.blob),
    )  # fmt: skip


def _archive_key(article: Article, page: Page | None) -> str | None:
    """The canonical URL, unless a fetched page names another site's URL as its
    canonical: then the page's own URL. Otherwise any page on the web could overwrite
    (and add revisions to) another site's archived article by claiming its URL."""
    fetched = (page.final_url or page.url) if page is not None else article.url
    canonical = article.canonical_url
    web = bool(fetched) and urlsplit(fetched or "").scheme in ("http", "https")
    if canonical and web and not same_site(urlsplit(canonical).hostname,
                                           urlsplit(fetched or "").hostname):  # fmt: skip
        return fetched
    return canonical or article.url or fetched


def _site(url: str) -> str | None:
    host = urlsplit(url).hostname
    return host[4:] if host and host.startswith("www.") else host


def _rekey(conn: sqlite3.Connection, article_id: int, key: str) -> tuple[int, int, str] | None:
    """A reparse that reads a different canonical URL from a stored page is still about
    that page's article: move the article to the new key instead of forking a copy."""
    conn.execute("UPDATE articles SET canonical_url = ? WHERE id = ?", (key, article_id))
    row = conn.execute(
        "SELECT id, revision, content_hash FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    return (row[0], row[1], row[2]) if row else None


def _add_aliases(conn: sqlite3.Connection, article_id: int, urls: list[str | None]) -> None:
    """Every URL the article was reached by points at it (the latest save wins)."""
    conn.executemany(
        "INSERT INTO urls (url, article_id) VALUES (?, ?)"
        " ON CONFLICT(url) DO UPDATE SET article_id = excluded.article_id",
        [(u, article_id) for u in dict.fromkeys(u for u in urls if u)],
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
