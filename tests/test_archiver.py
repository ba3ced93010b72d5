"""Archive writes on real SQLite files: revisions, raw pages, transactions, schema,
read-only opens, concurrency and crash safety.

Records are built directly (not parsed) so these tests pin the archive's behaviour
independently of the parser. ``make_article`` / ``make_page`` are shared with
``tests/test_query.py``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from scraper import compress, schema
from scraper.archiver import Archive, SaveResult, content_hash
from scraper.errors import ArchiveError, LockedError
from scraper.models import Article, Bullet, FetchOutcome, Page, Section

ROOT = Path(__file__).resolve().parents[1]


def make_article(url: str | None = "https://news.example/a", **changes: Any) -> Article:
    """A plausible record; keyword arguments override fields (lists become tuples)."""
    fields: dict[str, Any] = {
        "url": url,
        "canonical_url": url,
        "site": "news.example",
        "title": "Harbour cranes return to service",
        "published": "2026-03-14T08:30:00+01:00",
        "modified": None,
        "authors": ("Ann Reporter",),
        "language": "en",
        "summary": "The cranes are back.",
        "body": "The port's two gantry cranes returned to service on Friday.\n\n"
        "New hoist cables were fitted.\n\nDock workers welcomed the news.",
        "sections": (Section("What changed", "New hoist cables were fitted."),),
        "bullets": (Bullet("New hoist cables were fitted.", "What changed"),),
        "tags": ("port",),
        "image": None,
        "word_count": 20,
        "kind": "article",
    }
    for key, value in changes.items():
        fields[key] = tuple(value) if isinstance(value, list) else value
    return Article(**fields)


def make_page(
    url: str = "https://news.example/a",
    body: bytes = b"<html><body><p>cranes</p></body></html>",
    *,
    fetched_at: str = "2026-03-15T10:00:00+00:00",
    headers: dict[str, str] | None = None,
    final_url: str | None = None,
    redirects: tuple[str, ...] = (),
) -> Page:
    return Page(
        url=url,
        final_url=final_url or url,
        status=200,
        headers=headers if headers is not None else {"Content-Type": "text/html; charset=utf-8"},
        content=body,
        text=body.decode("utf-8", "replace"),
        encoding="utf-8",
        elapsed_ms=12,
        fetched_at=fetched_at,
        redirects=redirects,
    )


def count(archive: Archive, table: str, where: str = "1", params: tuple[Any, ...] = ()) -> int:
    sql = f"SELECT count(*) FROM {table} WHERE {where}"
    return int(archive.db.execute(sql, params).fetchone()[0])


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(tmp_path / "archive.db") as opened:
        yield opened


# -- revisions ---------------------------------------------------------------------------


def test_first_save_is_new_revision_1_with_bullets_page_and_revision_row(archive: Archive) -> None:
    result = archive.save(make_article(), make_page(), parser_version="1")
    assert result == SaveResult("new", result.article_id, 1)
    record = archive.get(result.article_id)
    assert record is not None
    assert record["title"] == "Harbour cranes return to service"
    assert record["bullets"] == [
        {"text": "New hoist cables were fitted.", "section": "What changed", "depth": 0}
    ]
    assert record["first_seen"] == record["last_fetched"] == record["last_changed"]
    assert [count(archive, t) for t in ("revisions", "pages", "bullets")] == [1, 1, 1]


def test_saving_same_content_twice_is_unchanged_and_writes_no_revision(archive: Archive) -> None:
    first = archive.save(make_article(), make_page(), parser_version="1")
    later = make_page(fetched_at="2026-03-16T10:00:00+00:00")
    second = archive.save(make_article(), later, parser_version="1")
    assert second == SaveResult("unchanged", first.article_id, 1)
    assert count(archive, "revisions") == 1
    assert count(archive, "pages") == 1  # identical raw bytes: no second copy
    record = archive.get(first.article_id)
    assert record is not None
    assert record["last_fetched"] == "2026-03-16T10:00:00+00:00"
    assert record["last_changed"] == "2026-03-15T10:00:00+00:00"
    fetched_at = archive.db.execute("SELECT fetched_at FROM pages").fetchone()[0]
    assert fetched_at == "2026-03-16T10:00:00+00:00"


def test_unchanged_content_does_not_rewrite_bullets(archive: Archive) -> None:
    archive.save(make_article(), make_page(), parser_version="1")
    before = archive.db.execute("SELECT rowid FROM bullets").fetchall()
    archive.save(make_article(), make_page(), parser_version="1")
    assert archive.db.execute("SELECT rowid FROM bullets").fetchall() == before


def test_edited_article_gets_next_revision_and_its_bullets_are_replaced(archive: Archive) -> None:
    archive.save(make_article(), make_page(), parser_version="1")
    edited = make_article(
        bullets=[Bullet("New hoist cables were fitted.", "What changed"),
                 Bullet("Cabins got heating.", "What changed")],
    )  # fmt: skip
    result = archive.save(edited, make_page(body=b"<p>v2</p>", fetched_at="2026-03-17T09:00:00Z"),
                          parser_version="1")  # fmt: skip
    assert (result.outcome, result.revision) == ("updated", 2)
    record = archive.get("https://news.example/a")
    assert record is not None
    assert [b["text"] for b in record["bullets"]] == [
        "New hoist cables were fitted.", "Cabins got heating."
    ]
    assert record["revision"] == 2
    assert record["last_changed"] == "2026-03-17T09:00:00Z"
    assert count(archive, "bullets") == 2
    assert count(archive, "revisions") == 2
    assert count(archive, "pages") == 2
    third = archive.save(edited, make_page(body=b"<p>v2</p>"), parser_version="1")
    assert (third.outcome, third.revision) == ("unchanged", 2)


def test_revision_row_keeps_the_full_record_as_it_was(archive: Archive) -> None:
    archive.save(make_article(title="Old title"), make_page(), parser_version="1")
    archive.save(make_article(title="New title"), make_page(), parser_version="2")
    rows = archive.db.execute(
        "SELECT revision, parser_version, record FROM revisions ORDER BY revision"
    ).fetchall()
    assert [(r[0], r[1], json.loads(r[2])["title"]) for r in rows] == [
        (1, "1", "Old title"), (2, "2", "New title")
    ]


def test_metadata_outside_the_hash_is_refreshed_without_a_revision(archive: Archive) -> None:
    archive.save(make_article(tags=["port"]), make_page(), parser_version="1")
    result = archive.save(make_article(tags=["port", "shipping"], authors=["B. Writer"]),
                          make_page(), parser_version="2")  # fmt: skip
    assert result.outcome == "unchanged"
    record = archive.get(result.article_id)
    assert record is not None
    assert (record["tags"], record["authors"]) == (["port", "shipping"], ["B. Writer"])
    assert count(archive, "revisions") == 1


def test_new_nesting_depth_alone_rewrites_bullets_and_keeps_the_index_sound(
    archive: Archive,
) -> None:
    archive.save(make_article(bullets=[Bullet("Cabins  got heating.", "S", 0)]), make_page(),
                 parser_version="1")  # fmt: skip
    result = archive.save(make_article(bullets=[Bullet("Cabins got heating.", "S", 1)]),
                          make_page(), parser_version="2")  # fmt: skip
    assert (result.outcome, result.revision) == ("unchanged", 1)
    record = archive.get(result.article_id)
    assert record is not None and record["bullets"][0]["depth"] == 1
    assert archive.check() == []
    assert len(archive.search("heating")) == 1


def test_content_hash_ignores_whitespace_and_non_content_fields() -> None:
    base = make_article()
    assert content_hash(base) == content_hash(
        dataclasses.replace(base, body=base.body.replace(" ", "  "), tags=("other",),
                            summary="different", word_count=99)
    )  # fmt: skip
    assert content_hash(base) != content_hash(dataclasses.replace(base, modified="2026-03-20"))
    assert content_hash(base) != content_hash(
        dataclasses.replace(base, bullets=(Bullet("New hoist cables were fitted.", "Other"),))
    )


# -- raw pages, aliases, 304s -----------------------------------------------------------------


def test_raw_page_is_stored_compressed_with_its_codec_and_hash(archive: Archive) -> None:
    body = b"<html>" + b"<p>The cranes are back in service.</p>" * 200 + b"</html>"
    archive.save(make_article(), make_page(body=body), parser_version="1")
    size, compression, stored = archive.db.execute(
        "SELECT raw_size, compression, length(raw) FROM pages"
    ).fetchone()
    assert (size, compression) == (len(body), "zstd")
    assert stored < size / 10
    assert next(archive.iter_pages()).content == body


def test_unchanged_record_with_different_raw_bytes_keeps_the_new_copy(archive: Archive) -> None:
    archive.save(make_article(), make_page(body=b"<p>a</p><!-- t=1 -->"), parser_version="1")
    result = archive.save(make_article(), make_page(body=b"<p>a</p><!-- t=2 -->"),
                          parser_version="1")  # fmt: skip
    assert result.outcome == "unchanged"
    assert count(archive, "pages") == 2
    assert next(archive.iter_pages()).content == b"<p>a</p><!-- t=2 -->"


def test_same_raw_bytes_refresh_validators_of_the_stored_copy(archive: Archive) -> None:
    archive.save(make_article(), make_page(headers={"ETag": '"v1"'}), parser_version="1")
    archive.save(make_article(), make_page(headers={"ETag": '"v2"', "Last-Modified": "Mon"}),
                 parser_version="1")  # fmt: skip
    assert count(archive, "pages") == 1
    assert archive.validators("https://news.example/a") == ('"v2"', "Mon")


def test_article_is_found_by_fetched_url_and_redirect_sources(archive: Archive) -> None:
    article = make_article(url="https://news.example/a?utm_source=x",
                           canonical_url="https://news.example/a")  # fmt: skip
    page = make_page("https://news.example/old-a", final_url="https://news.example/a?utm_source=x",
                     redirects=("https://news.example/old-a",))  # fmt: skip
    result = archive.save(article, page, parser_version="1")
    for url in ("https://news.example/a", "https://news.example/a?utm_source=x",
                "https://news.example/old-a"):  # fmt: skip
        record = archive.get(url)
        assert record is not None and record["id"] == result.article_id
    assert archive.get("https://news.example/unknown") is None


def test_moved_article_conditional_get_uses_where_the_url_leads_now(archive: Archive) -> None:
    archive.save(make_article("https://news.example/old-slug"),
                 make_page("https://news.example/old-slug", headers={"ETag": '"old"'}),
                 parser_version="1")  # fmt: skip
    moved = make_page("https://news.example/old-slug", b"<p>moved</p>", headers={"ETag": '"new"'},
                      final_url="https://news.example/new-slug")  # fmt: skip
    result = archive.save(make_article("https://news.example/new-slug", title="Renamed"), moved,
                          parser_version="1")  # fmt: skip
    assert result.outcome == "new"
    assert archive.validators("https://news.example/old-slug") == ('"new"', None)
    marked = archive.mark_not_modified("https://news.example/old-slug", "2026-05-01")
    assert marked is not None and marked.article_id == result.article_id
    old = archive.get("https://news.example/old-slug")  # the record keyed by that URL
    assert old is not None and old["id"] != result.article_id


def test_reparse_reading_a_new_canonical_url_moves_the_article_not_forks_it(
    archive: Archive,
) -> None:
    first = archive.save(make_article(canonical_url="https://news.example/a?p=1"),
                         make_page(), parser_version="1")  # fmt: skip
    (stored,) = archive.iter_pages()
    result = archive.save(make_article(), stored, parser_version="2")
    assert (result.outcome, result.article_id) == ("unchanged", first.article_id)
    assert count(archive, "articles") == 1
    record = archive.get("https://news.example/a?p=1")  # the old key still leads to it
    assert record is not None and record["canonical_url"] == "https://news.example/a"


def test_page_claiming_another_sites_canonical_url_cannot_overwrite_its_article(
    archive: Archive,
) -> None:
    victim = archive.save(make_article(title="The real story"), make_page(), parser_version="1")
    forged = make_article("https://news.example/a", title="Forged story", site="news.example")
    evil_page = make_page("https://evil.example/story", b"<p>forged</p>")
    result = archive.save(forged, evil_page, parser_version="1")
    assert result.outcome == "new" and result.article_id != victim.article_id
    real = archive.get("https://news.example/a")
    assert real is not None and (real["title"], real["revision"]) == ("The real story", 1)
    fake = archive.get("https://evil.example/story")
    assert fake is not None
    assert (fake["canonical_url"], fake["site"]) == ("https://evil.example/story", "evil.example")
    # Nor can it take over conditional GETs of the victim's URL.
    assert archive.validators("https://news.example/a") is None
    marked = archive.mark_not_modified("https://news.example/a", "2026-05-01")
    assert marked is not None and marked.article_id == victim.article_id


def test_canonical_on_the_same_site_or_from_a_local_file_is_trusted(archive: Archive) -> None:
    www_page = make_page("https://www.news.example/a?ref=rss")
    www = archive.save(make_article("https://news.example/a"), www_page, parser_version="1")
    local = make_page("file:///home/me/page.html")
    again = archive.save(make_article("https://news.example/a"), local, parser_version="1")
    assert again.article_id == www.article_id
    assert count(archive, "articles") == 1


def test_record_without_canonical_url_is_keyed_by_its_url(archive: Archive) -> None:
    result = archive.save(make_article(canonical_url=None), None, parser_version="1")
    record = archive.get("https://news.example/a")
    assert record is not None and record["id"] == result.article_id
    assert count(archive, "pages") == 0


def test_record_without_any_url_is_refused(archive: Archive) -> None:
    with pytest.raises(ArchiveError, match="without a URL"):
        archive.save(make_article(url=None, canonical_url=None), None, parser_version="1")


def test_mark_not_modified_bumps_last_fetched_without_a_revision(archive: Archive) -> None:
    first = archive.save(make_article(), make_page(headers={"ETag": '"e"'}), parser_version="1")
    result = archive.mark_not_modified("https://news.example/a", "2026-04-01T00:00:00+00:00")
    assert result == SaveResult("unchanged", first.article_id, 1)
    record = archive.get(first.article_id)
    assert record is not None and record["last_fetched"] == "2026-04-01T00:00:00+00:00"
    assert count(archive, "revisions") == 1
    assert archive.mark_not_modified("https://news.example/never", "2026-04-01") is None


def test_a_304_page_cannot_be_saved_as_content(archive: Archive) -> None:
    page = dataclasses.replace(make_page(body=b""), status=304, not_modified=True)
    with pytest.raises(ArchiveError, match="mark_not_modified"):
        archive.save(make_article(), page, parser_version="1")


def test_validators_are_none_for_unknown_urls_and_pages_without_them(archive: Archive) -> None:
    assert archive.validators("https://news.example/a") is None
    archive.save(make_article(), make_page(headers={}), parser_version="1")
    assert archive.validators("https://news.example/a") is None


def test_record_fetch_appends_every_outcome(archive: Archive) -> None:
    archive.record_fetch(FetchOutcome("https://x.example/1", 404, "HTTP 404", 0, 5, "2026-01-01",
                                      outcome="failed"))  # fmt: skip
    archive.record_fetch(FetchOutcome("https://x.example/1", 200, None, 10, 5, "2026-01-02",
                                      outcome="new", kind="article", source="x"))  # fmt: skip
    rows = archive.db.execute("SELECT status, error, outcome, source FROM fetches ORDER BY id")
    assert rows.fetchall() == [(404, "HTTP 404", "failed", None), (200, None, "new", "x")]


# -- transactions and integrity ---------------------------------------------------------------


def test_constraint_failure_mid_save_leaves_no_partial_article(archive: Archive) -> None:
    # A bullet without text violates NOT NULL after the article row was inserted.
    broken = make_article(bullets=[Bullet("fine"), Bullet(None)])  # type: ignore[arg-type]
    with pytest.raises(ArchiveError):
        archive.save(broken, make_page(), parser_version="1")
    for table in ("articles", "bullets", "revisions", "pages", "urls"):
        assert count(archive, table) == 0, table
    assert archive.search("cranes") == []
    assert archive.save(make_article(), make_page(), parser_version="1").outcome == "new"
    assert archive.check() == []


def test_exception_during_an_update_keeps_the_previous_revision_whole(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive.save(make_article(), make_page(), parser_version="1")

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("scraper.archiver._insert_revision", explode)
    with pytest.raises(RuntimeError):
        archive.save(make_article(title="Edited"), make_page(body=b"v2"), parser_version="1")
    record = archive.get("https://news.example/a")
    assert record is not None
    assert (record["title"], record["revision"]) == ("Harbour cranes return to service", 1)
    assert count(archive, "bullets") == 1 and count(archive, "pages") == 1
    assert [h["title"] for h in archive.search("harbour")] == ["Harbour cranes return to service"]
    assert archive.search("edited") == []
    assert archive.check() == []


def test_integrity_check_passes_after_saves_updates_and_a_manual_delete(archive: Archive) -> None:
    for n in range(5):
        archive.save(make_article(f"https://news.example/{n}"), make_page(f"https://news.example/{n}"),
                     parser_version="1")  # fmt: skip
    archive.save(make_article("https://news.example/1", body="Rewritten body."),
                 make_page("https://news.example/1", b"v2"), parser_version="1")  # fmt: skip
    archive.db.execute("DELETE FROM articles WHERE canonical_url = ?", ("https://news.example/2",))
    assert archive.check() == []
    assert count(archive, "bullets", "article_id NOT IN (SELECT id FROM articles)") == 0
    assert len(archive.search("gantry")) == 3  # 0, 3, 4: 1 was rewritten, 2 deleted


# -- schema, pragmas, migrations -------------------------------------------------------------


def test_new_archive_has_wal_schema_version_and_documented_tables(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with Archive(path) as archive:
        assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert archive.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert archive.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 30000
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert set(schema.TABLES) <= set(archive.db.table_names())
        fks = {(fk.table, fk.other_table) for fk in archive.db.table("bullets").foreign_keys}
        assert fks == {("bullets", "articles")}


def test_every_table_and_column_is_described_for_readme_and_datasette(archive: Archive) -> None:
    assert set(schema.DESCRIPTIONS) == set(schema.TABLES)
    for table, (_, columns) in schema.DESCRIPTIONS.items():
        actual = [r[1] for r in archive.db.execute(f"PRAGMA table_info({table})")]
        assert list(columns) == actual, table
    metadata = json.loads(json.dumps(schema.datasette_metadata()))
    articles = metadata["databases"]["archive"]["tables"]["articles"]
    assert (articles["fts_table"], articles["fts_pk"]) == ("articles_fts", "id")


def test_empty_file_is_migrated_and_current_archive_reopens_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    ours = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    with Archive(path) as archive:
        archive.save(make_article(), make_page(), parser_version="1")
        objects = archive.db.execute(ours).fetchall()
    with Archive(path) as again:
        assert again.db.execute(ours).fetchall() == objects
        assert count(again, "articles") == 1


def test_migrations_run_step_by_step_from_an_older_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    with Archive(path) as archive:
        archive.save(make_article(), make_page(), parser_version="1")
    steps: list[int] = []
    now = schema.SCHEMA_VERSION

    def add_column(conn: sqlite3.Connection) -> None:
        steps.append(now + 1)
        conn.execute("ALTER TABLE articles ADD COLUMN paywall TEXT")

    def fill_it(conn: sqlite3.Connection) -> None:
        steps.append(now + 2)
        conn.execute("UPDATE articles SET paywall = 'none'")

    migrations = {**schema.MIGRATIONS, now + 1: add_column, now + 2: fill_it}
    monkeypatch.setattr(schema, "MIGRATIONS", migrations)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", now + 2)
    with Archive(path) as archive:
        assert steps == [now + 1, now + 2]
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == now + 2
        assert archive.db.execute("SELECT paywall FROM articles").fetchone()[0] == "none"
    with Archive(path):
        assert steps == [now + 1, now + 2]  # already current: nothing runs again


def test_version_1_archive_gains_the_frontier_table_and_site_date_index(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, target=1) == 1
    # Crawls of version 1 created the frontier table themselves: it must survive as is.
    conn.execute("CREATE TABLE frontier (url TEXT PRIMARY KEY, source TEXT NOT NULL, "
                 "kind TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'queued', attempts INTEGER "
                 "NOT NULL DEFAULT 0, next_try_at TEXT, last_status INTEGER, last_error TEXT, "
                 "discovered_at TEXT NOT NULL, fetched_at TEXT, published TEXT, etag TEXT, "
                 "last_modified TEXT)")  # fmt: skip
    conn.execute("INSERT INTO frontier (url, source, kind, discovered_at) "
                 "VALUES ('https://news.example/a', 'news', 'article', '2026-01-01')")  # fmt: skip
    conn.close()
    with Archive(path) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == 2
        indexes = {r[0] for r in archive.db.execute("SELECT name FROM sqlite_master "
                                                    "WHERE type = 'index'")}  # fmt: skip
        assert {"idx_articles_site_published", "frontier_source_state"} <= indexes
        assert "idx_articles_site" not in indexes
        assert count(archive, "frontier") == 1
        archive.save(make_article(), make_page(), parser_version="1")
        assert archive.search("cranes", site="news.example")[0]["id"] == 1


def test_failed_migration_step_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.db"
    Archive(path).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE articles ADD COLUMN x TEXT")
        conn.execute("ALTER TABLE no_such_table ADD COLUMN y TEXT")

    now = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "MIGRATIONS", {**schema.MIGRATIONS, now + 1: broken})
    monkeypatch.setattr(schema, "SCHEMA_VERSION", now + 1)
    with pytest.raises(ArchiveError, match="cannot upgrade"):
        Archive(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == now
    assert "x" not in [r[1] for r in conn.execute("PRAGMA table_info(articles)")]
    conn.close()


def test_archive_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(ArchiveError, match="newer"):
        Archive(path)
    with pytest.raises(ArchiveError, match="newer"):
        Archive(path, readonly=True)


def test_other_sqlite_database_or_junk_file_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE articles (x)")
    conn.close()
    with pytest.raises(ArchiveError, match=r"other\.db: not a news-scraper archive"):
        Archive(other)
    with pytest.raises(ArchiveError, match="not a news-scraper archive"):
        Archive(other, readonly=True)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ArchiveError, match=r"junk\.db"):
        Archive(junk)


# -- read-only opens and concurrency -----------------------------------------------------------


def test_readonly_open_of_a_missing_file_fails_without_creating_it(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(ArchiveError, match=r"no archive at .*missing\.db"):
        Archive(path, readonly=True)
    assert not path.exists()


def test_readonly_archive_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        archive.save(make_article(), make_page(), parser_version="1")
    with Archive(path, readonly=True) as reader:
        with pytest.raises(ArchiveError, match="read-only"):
            reader.save(make_article(title="x"), make_page(), parser_version="1")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.db.execute("DELETE FROM fetches")
        assert reader.get(1) is not None


def test_readonly_reader_is_not_blocked_by_an_open_write_transaction(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        archive.save(make_article(), make_page(), parser_version="1")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE articles SET title = 'uncommitted'")
    try:
        started = time.monotonic()
        with Archive(path, readonly=True) as reader:
            record = reader.get(1)
            hits = reader.search("harbour")
            records = list(reader.iter_records())
        assert time.monotonic() - started < 2
        assert record is not None and record["title"] == "Harbour cranes return to service"
        assert len(hits) == 1 and len(records) == 1
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_reader_sees_commits_made_while_it_is_open(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as writer, Archive(path, readonly=True) as reader:
        assert reader.get("https://news.example/a") is None
        writer.save(make_article(), make_page(), parser_version="1")
        assert reader.get("https://news.example/a") is not None


def test_a_write_lock_held_past_the_busy_timeout_is_a_locked_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        archive.save(make_article(), make_page(), parser_version="1")
    monkeypatch.setattr("scraper.archiver.BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Archive(path) as archive:
            with pytest.raises(LockedError, match="locked by another process"):
                archive.save(make_article(title="x"), make_page(), parser_version="1")
            assert archive.get(1) is not None  # reads still work
    finally:
        holder.close()


def test_two_writers_saving_the_same_url_at_once_make_one_article(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    Archive(path).close()
    outcomes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        try:
            with Archive(path) as archive:
                barrier.wait()
                for n in range(10):
                    url = f"https://news.example/{n}"
                    outcomes.append(archive.save(make_article(url), make_page(url),
                                                 parser_version="1").outcome)  # fmt: skip
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == ["new"] * 10 + ["unchanged"] * 30
    with Archive(path) as archive:
        assert count(archive, "articles") == 10 and count(archive, "revisions") == 10
        assert archive.check() == []


def test_one_archive_shared_by_threads_serializes_writes(archive: Archive) -> None:
    def work(worker: int) -> None:
        for n in range(15):
            url = f"https://news.example/{worker}/{n}"
            archive.save(make_article(url), make_page(url), parser_version="1")
            archive.record_fetch(FetchOutcome(url, 200, None, 1, 1, "2026-01-01", outcome="new"))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert count(archive, "articles") == 60 and count(archive, "fetches") == 60
    assert archive.check() == []


_WRITER = textwrap.dedent(
    """
    import sys
    from tests.test_archiver import make_article, make_page
    from scraper.archiver import Archive
    from scraper.models import Bullet
    archive = Archive(sys.argv[1])
    n = 0
    while True:
        url = f"https://news.example/{n % 40}"
        bullets = [Bullet(f"point {n} {i}", "S") for i in range(5)]
        archive.save(make_article(url, body=f"body {n} " * 200, bullets=bullets),
                     make_page(url, f"<html>{n}</html>".encode() * 500), parser_version="1")
        n += 1
        if n == 5:
            print("ready", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("delay", [0.05, 0.3, 0.8])
def test_sigkill_during_writes_leaves_a_sound_archive_with_whole_articles(
    tmp_path: Path, delay: float
) -> None:
    path = tmp_path / "a.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE,
                            env=env, cwd=ROOT)  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with Archive(path) as archive:
        assert archive.check() == []
        assert count(archive, "articles") > 0
        # Every article has its 5 bullets, a page, and a revision row per revision.
        assert count(archive, "articles",
                     "(SELECT count(*) FROM bullets WHERE article_id = articles.id) != 5") == 0
        assert count(archive, "articles", "id NOT IN (SELECT article_id FROM pages)") == 0
        assert count(archive, "articles",
                     "revision != (SELECT count(*) FROM revisions WHERE article_id = articles.id)"
                     ) == 0  # fmt: skip
        result = archive.save(make_article("https://news.example/new"), None, parser_version="1")
        assert result.outcome == "new"


# -- compression ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["zstd", "zlib", "none"])
def test_every_stored_codec_round_trips(method: str) -> None:
    raw = "<p>Москва café</p>".encode() * 100
    assert compress.decompress(compress.compress(raw, method), method) == raw


def test_damaged_or_unknown_compression_is_an_archive_error() -> None:
    blob = compress.compress(b"<html>" * 100)
    with pytest.raises(ArchiveError, match="damaged"):
        compress.decompress(blob[:-5] + b"xxxxx", "zstd")
    with pytest.raises(ArchiveError, match="unknown compression"):
        compress.decompress(blob, "lzma")


def test_pages_stored_with_an_older_codec_still_read_back(archive: Archive) -> None:
    archive.save(make_article(), make_page(body=b"<p>old codec</p>"), parser_version="1")
    archive.db.execute("UPDATE pages SET compression = 'zlib', raw = ?",
                       (compress.compress(b"<p>old codec</p>", "zlib"),))  # fmt: skip
    assert next(archive.iter_pages()).content == b"<p>old codec</p>"
