"""Extra fault handlers and a tiny news site for the reliability tests.

The handlers plug into :meth:`tests.localserver.LocalServer.route_handler` like the
helpers at the end of ``tests/localserver.py``; they stream what they send, so a
"4 GiB" gzip bomb or a "100 MB" page never exists in memory on the server side either.

Deflate cannot compress better than about 1032:1, so a bomb that inflates to GiBs
needs a few MB on the wire; the point of the test is that the *client* stops after
its limit, having read only kilobytes of it.
"""

from __future__ import annotations

import sqlite3
import struct
import zlib
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

from scraper.config import CrawlConfig, config_from_dict
from tests.localserver import Handler, LocalServer, RequestHandler

__all__ = [
    "BILLION_LAUGHS_DTD",
    "HTML",
    "article_html",
    "big_page",
    "billion_laughs",
    "count_articles",
    "fetch_rows",
    "gzip_bomb",
    "gzip_bytes",
    "listing_html",
    "site_config",
]

HTML = {"Content-Type": "text/html; charset=utf-8"}

# -- pages ------------------------------------------------------------------------------


def article_html(
    slug: str,
    *,
    title: str | None = None,
    paragraphs: int = 4,
    bullets: int = 3,
    filler: int = 0,
) -> bytes:
    """A plausible article page: h1, byline with a date, paragraphs, a bulleted list.

    ``filler`` adds that many extra paragraphs (bigger pages make writes last longer).
    """
    title = title or f"Story {slug} about the harbor council"
    paras = "".join(
        f"<p>Paragraph {i} of {slug}: the council met on Thursday to discuss the new berth, "
        f"the rail spur and the noise barrier that residents asked for last winter.</p>"
        for i in range(paragraphs + filler)
    )
    items = "".join(f"<li>Point {i} of {slug}: a concrete decision was taken.</li>"
                    for i in range(bullets))  # fmt: skip
    lst = f"<h2>Key points</h2><ul>{items}</ul>" if bullets else ""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        "<meta property='article:published_time' content='2026-04-09T10:15:00+00:00'>"
        "</head><body><header><a href='/'>Home</a></header><main><article>"
        f"<h1>{title}</h1><div class='byline'>By Ann Lee · "
        "<time datetime='2026-04-09T10:15:00+00:00'>9 April 2026</time></div>"
        f"{paras}{lst}</article></main><footer>© The Test Gazette</footer></body></html>"
    ).encode()


def listing_html(links: Iterable[str], *, extra: str = "") -> bytes:
    """A front page linking to ``links`` (paths or absolute URLs)."""
    items = "".join(
        f"<li><a href='{escape(href)}'>Headline for {escape(href)}</a></li>" for href in links
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>The Test Gazette</title>"
        f"</head><body><h1>Latest news</h1><ul>{items}</ul>{extra}</body></html>"
    ).encode()


# -- hostile XML --------------------------------------------------------------------------

BILLION_LAUGHS_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def billion_laughs(body: str) -> bytes:
    """``body`` (which may use ``&lol9;``, 10^9 "lol"s) behind the billion-laughs DTD."""
    return (BILLION_LAUGHS_DTD + body).encode()


# -- streaming handlers ---------------------------------------------------------------------


def _start(h: RequestHandler, headers: Mapping[str, str], length: int | None) -> None:
    h.send_response(200)
    for key, value in headers.items():
        h.send_header(key, value)
    if length is not None:
        h.send_header("Content-Length", str(length))
    h.send_header("Connection", "close")
    h.close_connection = True
    h.end_headers()


class _GzipParts:
    """Pieces of a gzip stream of ``fill`` repeated, built from one deflate segment.

    A full flush after each MiB makes the segments independent of each other, so the
    same compressed bytes stand for every MiB and nothing big is ever compressed.
    """

    def __init__(self, fill: bytes = b"\0") -> None:
        self.mib = (fill * (1024 * 1024 // len(fill) + 1))[: 1024 * 1024]
        deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.head = (
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
            + deflater.compress(self.mib)
            + deflater.flush(zlib.Z_FULL_FLUSH)
        )
        self.segment = deflater.compress(self.mib) + deflater.flush(zlib.Z_FULL_FLUSH)
        self.end = deflater.flush(zlib.Z_FINISH)

    def trailer(self, crc: int, size: int) -> bytes:
        return self.end + struct.pack("<II", crc, size & 0xFFFFFFFF)


def gzip_bytes(inflated_mib: int, fill: bytes = b" ") -> bytes:
    """A complete gzip file of ``inflated_mib`` MiB of ``fill`` (about 1 KB per MiB)."""
    parts = _GzipParts(fill)
    crc = 0
    for _ in range(inflated_mib):
        crc = zlib.crc32(parts.mib, crc)
    body = parts.head + parts.segment * (inflated_mib - 1)
    return body + parts.trailer(crc, inflated_mib * len(parts.mib))


def gzip_bomb(inflated: int = 4 * 1024**3, *, headers: Mapping[str, str] | None = None) -> Handler:
    """``Content-Encoding: gzip`` whose body inflates to ``inflated`` bytes of zeros,
    streamed lazily (about 4 MB on the wire for 4 GiB; the client should stop early)."""
    parts = _GzipParts()
    merged = {**HTML, "Content-Encoding": "gzip", **dict(headers or {})}
    count = max(1, inflated // len(parts.mib))

    def handler(h: RequestHandler) -> None:
        _start(h, merged, None)
        crc = zlib.crc32(parts.mib)
        try:
            h.wfile.write(parts.head)
            for _ in range(count - 1):
                if h.stopping.is_set():
                    return
                h.wfile.write(parts.segment)
                crc = zlib.crc32(parts.mib, crc)
            h.wfile.write(parts.trailer(crc, count * len(parts.mib)))
        except OSError:
            return

    return handler


def big_page(
    size: int = 100 * 1024 * 1024,
    *,
    declare_length: bool = True,
    headers: Mapping[str, str] | None = None,
) -> Handler:
    """An HTML page of ``size`` bytes, generated while it is sent (64 KiB at a time)."""
    block = (b"<p>" + b"news " * 12_000 + b"</p>\n")[: 64 * 1024]
    merged = {**HTML, **dict(headers or {})}

    def handler(h: RequestHandler) -> None:
        _start(h, merged, size if declare_length else None)
        sent = 0
        try:
            h.wfile.write(b"<!DOCTYPE html><html><body>")
            sent += 27
            while sent < size and not h.stopping.is_set():
                piece = block[: size - sent]
                h.wfile.write(piece)
                sent += len(piece)
        except OSError:
            return

    return handler


# -- crawl helpers -------------------------------------------------------------------------


def site_config(server: LocalServer, **source: Any) -> CrawlConfig:
    """A one-source config for ``server``: front page ``/``, no delay, short timeouts,
    robots.txt off unless asked; keys in ``source`` override the source table."""
    table: dict[str, Any] = {
        "name": "test",
        "start": [server.url("/")],
        "allow": [r"/news/"],
        "robots": False,
        "timeout": 1.0,
        "concurrency": 16,
    }
    table.update(source)
    return config_from_dict({"defaults": {"delay": 0.0}, "sources": [table]})


def fetch_rows(db: Path) -> dict[str, list[dict[str, Any]]]:
    """The ``fetches`` log grouped by URL path (query kept), oldest first."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT * FROM fetches ORDER BY id").fetchall()
    finally:
        conn.close()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        path = "/" + row["url"].split("/", 3)[3]
        grouped.setdefault(path, []).append(dict(row))
    return grouped


def write_config(tmp_path: Path, server: LocalServer, *, name: str) -> Path:
    """A sources.toml for a subprocess crawl of ``server``'s /news/ articles."""
    toml = tmp_path / "sources.toml"
    toml.write_text(
        "[defaults]\ndelay = 0.0\nconcurrency = 2\ntimeout = 5\nrobots = false\n"
        f'[[sources]]\nname = "{name}"\nstart = ["{server.url("/")}"]\n'
        "allow = ['/news/']\n"
    )
    return toml


def count_articles(db: Path) -> int:
    """Articles in ``db`` read by another process (0 before the schema exists)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:  # schema not created yet
        return 0
