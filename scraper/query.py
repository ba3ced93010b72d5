"""Reads from the archive: records, search, history, raw pages, stats.

Functions take a ``sqlite3.Connection`` so they work on the read-only connections
the query commands use; :class:`scraper.archiver.Archive` wraps them. Streaming reads
page through the table by id in small batches: memory stays constant, no read
transaction is held open between batches (so WAL checkpoints proceed during a long
export), and the same connection may write while a caller iterates (``reparse``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scraper import compress
from scraper.errors import ArchiveError
from scraper.models import Page

BATCH = 200

# bm25 weights for (title, body, bullets): a word in the title says more about what
# an article is about than the same word somewhere in a long body.
_BM25 = "bm25(articles_fts, 8.0, 1.0, 2.0)"

_RECORD_COLUMNS = """
    a.id, a.url, a.canonical_url, a.site, a.title, a.published, a.modified, a.authors,
    a.language, a.summary, a.body, a.sections, a.tags, a.image, a.word_count, a.kind,
    a.revision, a.first_seen, a.last_fetched, a.last_changed,
    (SELECT json_group_array(json_object('text', text, 'section', section, 'depth', depth))
       FROM (SELECT text, section, depth FROM bullets
              WHERE article_id = a.id ORDER BY position)) AS bullets
"""
_RECORD_ORDER = (
    "url", "canonical_url", "site", "title", "published", "modified", "authors", "language",
    "summary", "body", "sections", "bullets", "tags", "image", "word_count", "kind",
    "id", "revision", "first_seen", "last_fetched", "last_changed",
)  # fmt: skip
_JSON_COLUMNS = frozenset({"authors", "sections", "tags", "bullets"})


@dataclass(frozen=True, slots=True)
class StoredPage(Page):
    """A raw page from the archive, usable wherever a fetched :class:`Page` is
    (``reparse`` hands it straight back to ``Archive.save``)."""

    page_id: int = 0
    article_id: int = 0


# -- lookups ----------------------------------------------------------------------------


def resolve(
    conn: sqlite3.Connection, url_or_id: str | int, *, prefer_alias: bool = False
) -> int | None:
    """Article id for an id, a canonical URL, or any URL the article was fetched from
    (redirect sources included).

    ``prefer_alias`` asks "where did fetching this URL lead last time?" (conditional
    GETs): if a moved article's old URL is now another article's redirect source, the
    alias wins over the old canonical URL.
    """
    if isinstance(url_or_id, str) and url_or_id.strip().isdigit():
        url_or_id = int(url_or_id)  # "12" from a command line is an id, never a URL
    if isinstance(url_or_id, int):
        row = conn.execute("SELECT id FROM articles WHERE id = ?", (url_or_id,)).fetchone()
        return row[0] if row else None
    by_canonical = ("SELECT id FROM articles WHERE canonical_url = ?", (url_or_id,))
    by_alias = ("SELECT article_id FROM urls WHERE url = ?", (url_or_id,))
    for sql, params in (by_alias, by_canonical) if prefer_alias else (by_canonical, by_alias):
        row = conn.execute(sql, params).fetchone()
        if row:
            return int(row[0])
    return None


def get(conn: sqlite3.Connection, url_or_id: str | int) -> dict[str, Any] | None:
    article_id = resolve(conn, url_or_id)
    if article_id is None:
        return None
    cursor = conn.execute(f"SELECT {_RECORD_COLUMNS} FROM articles AS a WHERE a.id = ?",
                          (article_id,))  # fmt: skip
    row = cursor.fetchone()
    return _record([d[0] for d in cursor.description], row) if row else None


def validators(conn: sqlite3.Connection, url: str) -> tuple[str | None, str | None] | None:
    article_id = resolve(conn, url, prefer_alias=True)
    if article_id is None:
        return None
    row = conn.execute(
        "SELECT etag, last_modified FROM pages WHERE article_id = ? ORDER BY id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    if row is None or (row[0] is None and row[1] is None):
        return None
    return row[0], row[1]


def iter_records(
    conn: sqlite3.Connection, *, site: str | None = None, since: str | None = None,
    until: str | None = None, lock: AbstractContextManager[Any] | None = None,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Records (as :func:`get`) by id. Arguments are checked now, not at first ``next``."""
    where, params = _filters(site, since, until)
    sql = (
        f"SELECT {_RECORD_COLUMNS} FROM articles AS a WHERE a.id > ? {where}"
        " ORDER BY a.id LIMIT ?"
    )
    return (_record(names, row) for names, row in _batches(conn, sql, params, BATCH, lock))


def _json_line_sql() -> str:
    """One ``json_object(...)`` building a whole record in SQLite, keys in record order;
    stored JSON columns go in as they are (``json(...)``), never decoded in Python."""
    parts = []
    for key in _RECORD_ORDER:
        if key == "bullets":
            value = (
                "(SELECT json_group_array(json_object('text', text, 'section', section,"
                " 'depth', depth)) FROM (SELECT text, section, depth FROM bullets"
                " WHERE article_id = a.id ORDER BY position))"
            )
        elif key in _JSON_COLUMNS:
            value = f"json(a.{key})"
        else:
            value = f"a.{key}"
        parts.append(f"'{key}', {value}")
    return "json_object(" + ", ".join(parts) + ")"


_JSON_LINE = _json_line_sql()


def iter_json_lines(
    conn: sqlite3.Connection, *, site: str | None = None, since: str | None = None,
    until: str | None = None, lock: AbstractContextManager[Any] | None = None,
) -> Iterator[str]:  # fmt: skip
    """The records of :func:`iter_records` as compact JSON text, built by SQLite: an
    export of a large archive spends its time writing, not re-encoding JSON."""
    where, params = _filters(site, since, until)
    sql = (
        f"SELECT a.id, {_JSON_LINE} FROM articles AS a WHERE a.id > ? {where}"
        " ORDER BY a.id LIMIT ?"
    )
    return (row[1] for _names, row in _batches(conn, sql, params, BATCH, lock))


def _batches(
    conn: sqlite3.Connection, sql: str, params: list[Any], size: int,
    lock: AbstractContextManager[Any] | None,
) -> Iterator[tuple[list[str], tuple[Any, ...]]]:  # fmt: skip
    """Keyset pagination: ``sql`` takes ``id > ?`` first and ``LIMIT ?`` last and
    selects the id first. ``lock`` (the archive's write lock) is held per batch only,
    so a batch never sees another thread's half-done transaction."""
    last_id = 0
    while True:
        with lock or nullcontext():
            cursor = conn.execute(sql, (last_id, *params, size))
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        for row in rows:
            yield names, row
        if len(rows) < size:
            return
        last_id = rows[-1][0]
        del rows  # let the batch go before the next one is fetched


def history(conn: sqlite3.Connection, url_or_id: str | int) -> list[dict[str, Any]]:
    article_id = resolve(conn, url_or_id)
    if article_id is None:
        return []
    out = []
    for revision, fetched_at, digest, parser_version, record in conn.execute(
        "SELECT revision, fetched_at, content_hash, parser_version, record FROM revisions"
        " WHERE article_id = ? ORDER BY revision",
        (article_id,),
    ):
        out.append({
            "revision": revision, "fetched_at": fetched_at, "content_hash": digest,
            "parser_version": parser_version, **json.loads(record),
        })  # fmt: skip
    return out


def iter_pages(
    conn: sqlite3.Connection, *, site: str | None = None, since: str | None = None,
    latest_only: bool = True, lock: AbstractContextManager[Any] | None = None,
) -> Iterator[StoredPage]:  # fmt: skip
    clauses: list[str] = []
    params: list[Any] = []
    if site:
        clauses.append("a.site = ?")
        params.append(_site(site))
    if since:
        clauses.append("p.fetched_at >= ?")
        params.append(_date_arg("since", since))
    if latest_only:
        clauses.append("p.id = (SELECT max(id) FROM pages WHERE article_id = p.article_id)")
    where = "".join(f" AND {c}" for c in clauses)
    sql = (
        "SELECT p.id, p.article_id, p.url, p.final_url, p.status, p.headers, p.fetched_at,"
        " p.encoding, p.compression, p.raw FROM pages AS p JOIN articles AS a"
        f" ON a.id = p.article_id WHERE p.id > ? {where} ORDER BY p.id LIMIT ?"
    )
    # Raw pages are big: smaller batches keep memory flat.
    return (_stored_page(row) for _, row in _batches(conn, sql, params, BATCH // 4, lock))


def _stored_page(row: tuple[Any, ...]) -> StoredPage:
    page_id, article_id, url, final_url, status, headers, fetched_at, enc, codec, raw = row
    content = compress.decompress(raw, codec)
    return StoredPage(
        url=url, final_url=final_url or url, status=status or 200,
        headers=json.loads(headers or "{}"), content=content, text=_decode(content, enc),
        encoding=enc, elapsed_ms=0, fetched_at=fetched_at, page_id=page_id,
        article_id=article_id,
    )  # fmt: skip


# -- search ----------------------------------------------------------------------------

# A query matching more articles than this ranks only the WINDOW matches archived last
# (see search()). bm25 costs one to two microseconds per matching row, so ranking a
# word found in most of a 100,000-article archive takes ~100 ms; finding where the
# window starts costs well under a millisecond, because FTS5 walks a word's matches in
# rowid order without scoring them. 2,000 keeps such a word at ~5 ms. Read at call
# time, so tests can lower it.
WINDOW = 2000
# Filters selecting at most ID_LIST_MAX articles are applied as a list of their ids
# (fetched once), up to SUBQUERY_MAX as a list SQLite builds from a subquery, beyond
# that as a join (see _restriction).
ID_LIST_MAX = 5000
SUBQUERY_MAX = 15_000


def search(
    conn: sqlite3.Connection, text: str, *, site: str | None = None, since: str | None = None,
    until: str | None = None, limit: int = 20, mark: tuple[str, str] = ("[", "]"),
    window: int | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Ranked full-text hits with a highlighted snippet.

    A plain phrase (``U.S. "troops" (Paraguay)``) is searched word by word (all words
    must occur; quoted parts as phrases). FTS5 syntax (AND, OR, NOT, NEAR(), prefix*,
    ^initial, title:/body:/bullets: filters) is honoured when used; if it is then
    malformed the error says so plainly.

    Ranking is bm25 (title weighs 8, body 1, bullets 2). When more than ``window``
    (default :data:`WINDOW`, never less than ``limit``) articles match, after the site
    and date filters, only the ``window`` matches archived last (highest ids) are
    ranked: the best of the most recently archived matches, not of the whole archive.
    That keeps a word found in half the archive as fast to search as a rare one;
    ``since``/``until`` move the window to older articles. With at most ``window``
    matches the order is exactly the full bm25 order. A query with a phrase (two or
    more words in quotes, or ``U.S.``) is always ranked in full: matching the phrase
    costs more than ranking its matches, so a window would save nothing.
    """
    match = fts_query(text)
    where, params = _filters(site, since, until)
    limit = max(1, int(limit))
    size = max(limit, int(WINDOW if window is None else window))  # never fewer than asked
    try:
        ranks, scan = _ranked(conn, match, where, params, limit, size)
        hits = _with_snippets(conn, match, ranks, mark, scan=scan) if ranks else []
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "fts5" in message or "syntax error" in message or "no such column" in message:
            raise ArchiveError(
                f"invalid search query {text!r}: {message.removeprefix('fts5: ')}"
                ' (put words in "double quotes" to search for them literally)'
            ) from exc
        raise
    for hit in hits:  # one line for tables and terminals: paragraph breaks become spaces
        hit["snippet"] = " ".join((hit["snippet"] or "").split())
    return hits


def _ranked(
    conn: sqlite3.Connection, match: str, where: str, params: list[Any], limit: int,
    window: int,
) -> tuple[dict[int, float], bool]:  # fmt: skip
    """Article id → bm25 rank of the best ``limit`` matches (see :func:`search`), and
    whether few enough articles match between those ids that the snippet step should
    scan that range rather than look each id up."""
    parts = _plain_parts(match)
    join, cond, few = "", "", False
    args: list[Any] = []
    if where:
        restriction = _restriction(conn, where, params, window)
        if restriction is None:  # no article passes the filters; still check the syntax
            conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid = 0", (match,)
            ).fetchall()
            return {}, False
        join, cond, args, few = restriction
    phrase = parts is not None and any(len(words) > 1 for words in parts)
    bounded = parts is not None and not phrase and _some_word_at_most(conn, parts, window)
    source = f"articles_fts{join} WHERE articles_fts MATCH ?{cond}"
    windowed = False
    if not (few or bounded or phrase):
        oldest = conn.execute(
            f"SELECT articles_fts.rowid FROM {source}"
            " ORDER BY articles_fts.rowid DESC LIMIT 1 OFFSET ?",
            (match, *args, window - 1),
        ).fetchone()
        if oldest is not None:  # more than `window` matches: rank the newest ones
            source += " AND articles_fts.rowid >= ?"
            args.append(oldest[0])
            windowed = True
    # Only the ids and ranks of the best page: no snippets, no other columns yet.
    ranks = dict(conn.execute(
        f"SELECT articles_fts.rowid, {_BM25} AS rank FROM {source}"
        " ORDER BY rank, articles_fts.rowid LIMIT ?",
        (match, *args, limit)).fetchall())  # fmt: skip
    # Scanning is cheap when the words are single tokens and at most ~window of them
    # match in the range (a filter's window may hold far more unfiltered matches).
    scan = parts is not None and not phrase and (bounded or (windowed and not where))
    return ranks, scan


def _restriction(
    conn: sqlite3.Connection, where: str, params: list[Any], window: int
) -> tuple[str, str, list[Any], bool] | None:
    """How the ranking query applies the filters: (join, conditions, their arguments,
    whether at most ``window`` articles pass), or None if none does.

    The FTS index is walked once either way; what differs is the check per match.
    Checking membership in a list of the passing ids costs ~0.1 µs and computes bm25
    only for members; a join costs a row lookup (~1.5 µs) per match, which only pays
    when nearly every article passes. The ids' span also bounds the walk (free for
    FTS5), which helps a date filter whenever ids follow dates, in either direction.
    """
    ids = [row[0] for row in conn.execute(
        f"SELECT a.id FROM articles AS a WHERE 1 {where} LIMIT ?",
        (*params, ID_LIST_MAX + 1))]  # fmt: skip
    if not ids:
        return None
    # "+" keeps SQLite from turning the list into one FTS lookup per id, each of which
    # would recompute bm25's corpus statistics.
    span = " AND articles_fts.rowid BETWEEN ? AND ?"
    if len(ids) <= ID_LIST_MAX:
        members = " AND +articles_fts.rowid IN (SELECT value FROM json_each(?))"
        return "", span + members, [min(ids), max(ids), json.dumps(ids)], len(ids) <= window
    count, low, high = conn.execute(
        f"SELECT count(*), min(id), max(id) FROM (SELECT a.id AS id FROM articles AS a"
        f" WHERE 1 {where} LIMIT ?)",
        (*params, SUBQUERY_MAX + 1),
    ).fetchone()
    if count <= SUBQUERY_MAX:  # SQLite builds the list itself
        members = f" AND +articles_fts.rowid IN (SELECT a.id FROM articles AS a WHERE 1 {where})"
        return "", span + members, [low, high, *params], False
    low, high = conn.execute(
        f"SELECT min(a.id), max(a.id) FROM articles AS a WHERE 1 {where}", params
    ).fetchone()
    join = " JOIN articles AS a ON a.id = articles_fts.rowid"
    return join, span + where, [low, high, *params], False


def _plain_parts(match: str) -> list[list[str]] | None:
    """The words of each quoted part of a plain expression (all parts required), or
    None for an expression with operators."""
    if not re.fullmatch(r'\s*(?:"(?:[^"]|"")*"\s*)+', match):
        return None
    return [
        re.findall(r"[^\W_]+", part.replace('""', '"'))
        for part in re.findall(r'"((?:[^"]|"")*)"', match)
    ]


def _some_word_at_most(conn: sqlite3.Connection, parts: list[list[str]], window: int) -> bool:
    """True if some word occurs in at most ``window`` articles: then so many at most
    match a plain expression, which requires every word. Counting one word's articles
    (stopping at ``window + 1``) only walks its list of rowids, so this costs far less
    than looking for the window's start, a full evaluation when matches are few."""
    for word in dict.fromkeys(w for words in parts for w in words):
        count = conn.execute(
            "SELECT count(*) FROM"
            " (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)",
            (_quote(word), window + 1),
        ).fetchone()[0]
        if count <= window:
            return True
    return False


def _with_snippets(
    conn: sqlite3.Connection, match: str, ranks: dict[int, float], mark: tuple[str, str],
    *, scan: bool,
) -> list[dict[str, Any]]:  # fmt: skip
    """The hits' columns and snippets, best first. FTS5 finds the ranked ids either
    one lookup each (costly for a common word: ~0.1 ms) or, when ``scan``, by walking
    the matches between the lowest and highest of them."""
    if scan:
        where = (
            "articles_fts.rowid BETWEEN ? AND ?"
            " AND +articles_fts.rowid IN (SELECT value FROM json_each(?))"
        )
        args: list[Any] = [min(ranks), max(ranks), json.dumps(list(ranks))]
    else:
        where = f"articles_fts.rowid IN ({','.join('?' * len(ranks))})"
        args = list(ranks)
    cursor = conn.execute(
        "SELECT a.id, a.url, a.canonical_url, a.site, a.title, a.published,"
        " snippet(articles_fts, -1, ?, ?, '…', 16) AS snippet"
        " FROM articles_fts JOIN articles AS a ON a.id = articles_fts.rowid"
        f" WHERE articles_fts MATCH ? AND {where}",
        (mark[0], mark[1], match, *args),
    )
    names = [d[0] for d in cursor.description]
    hits = [dict(zip(names, row, strict=True)) for row in cursor]
    for hit in hits:
        hit["rank"] = ranks[hit["id"]]
    hits.sort(key=lambda hit: (hit["rank"], hit["id"]))
    return hits


_QUERY_TOKEN = re.compile(r'"(?:[^"]|"")*"|[()]|[^\s()"]+|"')
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_COLUMNS = ("title", "body", "bullets")
_ADVANCED = re.compile(
    r'(?:^|[\s(])(?:AND|OR|NOT)(?=[\s()"]|$)|\bNEAR\s*\(|\w\*|(?:^|\s)\^|\b(?:title|body|bullets):'
)


def fts_query(text: str) -> str:
    """Turn what a user typed into an FTS5 MATCH expression.

    Without FTS operators every word is quoted, so punctuation (``U.S.``, ``C++``,
    ``e-mail``, a stray ``"``) can never be a syntax error. With operators, the
    structure is kept and only words that FTS5 could not read bare are quoted.
    """
    if not text or not text.strip():
        raise ArchiveError("empty search query")
    text = text.replace("\x00", " ")  # FTS5 would read a NUL as the end of the string
    advanced = bool(_ADVANCED.search(text))
    tokens = _QUERY_TOKEN.findall(text)
    balanced = _parens_balanced(tokens)
    out: list[str] = []
    for token in tokens:
        if token == '"':  # an unpaired quote: punctuation, not syntax
            continue
        if token.startswith('"'):
            if _has_word(token):
                out.append(token)
            continue
        if token in "()":
            if advanced and balanced:
                out.append(token)
            continue
        if advanced:
            out.append(_advanced_word(token))
        elif _has_word(token):
            out.append(_quote(token))
    expression = " ".join(t for t in out if t)
    if not expression:
        raise ArchiveError(f"search query {text!r} has no words to search for")
    return expression


def _advanced_word(token: str) -> str:
    if token.endswith(",") and len(token) > 1:  # "NEAR(a b, 5)": keep the comma
        return _advanced_word(token[:-1]) + ","
    if token in _OPERATORS or token == "NEAR" or re.fullmatch(r",?\d*,?", token):
        return token
    initial = "^" if token.startswith("^") else ""
    core = token[1:] if initial else token
    column = ""
    head, sep, rest = core.partition(":")
    if sep and head in _COLUMNS:
        column, core = head + ":", rest
    prefix = "*" if core.endswith("*") else ""
    core = core.rstrip("*")
    if not _has_word(core):
        return column + core if column and not core else ""
    bare = all(c.isalnum() or c == "_" or ord(c) > 127 for c in core)
    word = core if bare and core not in _OPERATORS and core != "NEAR" else _quote(core)
    return f"{column}{initial}{word}{prefix}"


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _has_word(token: str) -> bool:
    return any(c.isalnum() for c in token)


def _parens_balanced(tokens: list[str]) -> bool:
    depth = 0
    for token in tokens:
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth < 0:
            return False
    return depth == 0


# -- stats and checks ---------------------------------------------------------------------


def stats(conn: sqlite3.Connection, path: Path) -> dict[str, Any]:
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return conn.execute(sql).fetchall()

    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    raw_size, stored = conn.execute(
        "SELECT coalesce(sum(raw_size), 0), coalesce(sum(length(raw)), 0) FROM pages"
    ).fetchone()
    return {
        "articles": rows("SELECT count(*) FROM articles")[0][0],
        "revisions": rows("SELECT count(*) FROM revisions")[0][0],
        "pages": rows("SELECT count(*) FROM pages")[0][0],
        "fetches": rows("SELECT count(*) FROM fetches")[0][0],
        "sites": {
            site or "(none)": n
            for site, n in rows(
                "SELECT site, count(*) AS n FROM articles GROUP BY site ORDER BY n DESC, site"
            )
        },
        "months": {
            month or "(undated)": n
            for month, n in rows(
                "SELECT substr(published, 1, 7) AS month, count(*) FROM articles"
                " GROUP BY month ORDER BY month DESC"
            )
        },
        "fetch_outcomes": {
            outcome or "(none)": n
            for outcome, n in rows(
                "SELECT outcome, count(*) AS n FROM fetches GROUP BY outcome ORDER BY n DESC"
            )
        },
        "failures": {
            reason: n
            for reason, n in rows(
                "SELECT coalesce(error, 'HTTP ' || status, 'unknown') AS reason, count(*) AS n"
                " FROM fetches WHERE outcome = 'failed' OR error IS NOT NULL"
                " GROUP BY reason ORDER BY n DESC, reason LIMIT 50"
            )
        },
        "raw_bytes": raw_size,
        "stored_raw_bytes": stored,
        "db_bytes": size,
        "schema_version": conn.execute("PRAGMA user_version").fetchone()[0],
    }


def check(conn: sqlite3.Connection) -> list[str]:
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    problems += [f"foreign key: {tuple(r)}" for r in conn.execute("PRAGMA foreign_key_check")]
    try:
        # Cross-checks the index against the content view too (rank = 1).
        conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        # A read-only connection cannot run the check (it is an INSERT command).
        if "readonly" not in str(exc) and "read-only" not in str(exc):
            problems.append(f"articles_fts: {exc}")
    return problems


# -- helpers ----------------------------------------------------------------------------


def _filters(site: str | None, since: str | None, until: str | None) -> tuple[str, list[Any]]:
    """SQL for the published-date window. Dates compare as text on the date part, so
    ``until=2026-04-09`` includes an article published at 2026-04-09T23:00+02:00."""
    clauses: list[str] = []
    params: list[Any] = []
    if site:
        clauses.append("a.site = ?")
        params.append(_site(site))
    if since:
        clauses.append("a.published >= ?")
        params.append(_date_arg("since", since))
    if until:
        value = _date_arg("until", until)
        # "The first len(value) characters are <= value" is the same test as "less
        # than value with its last character incremented", and this one can use the
        # index on published.
        clauses.append("a.published < ?")
        params.append(value[:-1] + chr(ord(value[-1]) + 1))
    return "".join(f" AND {c}" for c in clauses), params


def _date_arg(name: str, value: str) -> str:
    value = value.strip()
    try:
        if len(value) == 10:
            date.fromisoformat(value)
        else:
            datetime.fromisoformat(value)
    except ValueError:
        raise ArchiveError(f"--{name}: {value!r} is not a date (YYYY-MM-DD)") from None
    return value


def _site(site: str) -> str:
    site = site.strip().lower()
    return site[4:] if site.startswith("www.") else site


def _record(names: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    raw = dict(zip(names, row, strict=True))
    for name in _JSON_COLUMNS:
        raw[name] = json.loads(raw[name]) if raw[name] else []
    return {name: raw[name] for name in _RECORD_ORDER}


def _decode(content: bytes, encoding: str | None) -> str:
    try:
        return content.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")
