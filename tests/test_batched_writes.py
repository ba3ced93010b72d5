"""Batched archive writes (``Archive.batched``, ``scraper.txn``) on real SQLite files:
commits grouped, all-or-nothing on failure, the full-text index right after updates
inside one batch, background WAL checkpoints, and pre-packed raw pages."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from scraper import compress, txn
from scraper.archiver import Archive, pack
from scraper.errors import ArchiveError
from scraper.models import Bullet, FetchOutcome
from tests.test_archiver import count, make_article, make_page


def url(n: int) -> str:
    return f"https://news.example/{n}"


def save(archive: Archive, n: int, **changes: Any) -> None:
    body = changes.pop("raw", f"<html><body><p>page {n}</p></body></html>".encode())
    archive.save(make_article(url(n), **changes), make_page(url(n), body), parser_version="1")


def committed(db: Path, sql: str = "SELECT count(*) FROM articles") -> int:
    """What another process would see now."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def test_batched_saves_are_committed_together_at_the_tick_after_the_batch_fills(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive, archive.batched(max_writes=3, max_seconds=60) as batch:
        save(archive, 1)
        save(archive, 2)
        batch.tick()
        assert committed(db) == 0, "a reader saw a batch before its commit"
        save(archive, 3)
        save(archive, 4)
        assert committed(db) == 0, "a commit happened inside a unit of work"
        batch.tick()
        assert committed(db) == 4 and batch.commits == 1
        save(archive, 5)
    assert committed(db) == 5, "the end of the block commits the rest"


def test_tick_commits_a_batch_older_than_max_seconds(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive, archive.batched(max_writes=1000, max_seconds=0.05) as batch:
        save(archive, 1)
        batch.tick()
        assert committed(db) == 0 and batch.due_in() is not None
        time.sleep(0.06)
        assert batch.due_in() == 0.0
        batch.tick()
        assert committed(db) == 1 and batch.due_in() is None


def test_failed_write_rolls_back_the_whole_batch_and_the_next_one_starts_clean(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive, archive.batched(max_writes=1000, max_seconds=60):
        save(archive, 1)
        with archive.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS side (x INTEGER)")
            conn.execute("INSERT INTO side VALUES (1)")
        broken = make_article(url(2), bullets=[Bullet(None)])  # type: ignore[list-item]
        with pytest.raises(ArchiveError):
            archive.save(broken, make_page(url(2)), parser_version="1")
        assert count(archive, "articles") == 0, "the batch was not rolled back"
        save(archive, 3)
    side = "SELECT count(*) FROM sqlite_master WHERE name = 'side'"
    assert committed(db, side) == 0, "a write of the failed batch survived"
    with Archive(db, readonly=True) as reader:
        assert [r["canonical_url"] for r in reader.iter_records()] == [url(3)]
        assert reader.check() == []


def test_interrupt_inside_a_batched_write_keeps_no_half_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "archive.db"

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    with Archive(db) as archive:
        with pytest.raises(KeyboardInterrupt), archive.batched(max_writes=1000, max_seconds=60):
            save(archive, 1)
            monkeypatch.setattr("scraper.archiver._insert_revision", interrupted)
            save(archive, 2)
        monkeypatch.undo()
        assert count(archive, "articles") == 0 and count(archive, "bullets") == 0
        assert archive.check() == []
        save(archive, 4)  # the archive is usable again, outside any batch
    assert committed(db) == 1


def test_article_saved_and_edited_in_one_batch_is_indexed_once_as_edited(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        with archive.batched(max_writes=1000, max_seconds=60):
            save(archive, 1, body="Gantry cranes idle.", raw=b"v1")
            save(archive, 1, body="Tugboats arrive early.", raw=b"v2")
            save(archive, 1, body="Tugboats arrive early.", raw=b"v2",
                 bullets=[Bullet("New hoist cables were fitted.", "What changed", 1)])  # fmt: skip
            save(archive, 2, body="Gantry cranes idle.")
        assert archive.check() == []
        assert [h["id"] for h in archive.search("tugboats")] == [1]
        assert [h["canonical_url"] for h in archive.search("gantry")] == [url(2)]
        assert archive.get(url(1))["revision"] == 2  # type: ignore[index]


def test_other_threads_wait_for_the_batch_instead_of_joining_it(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    done = threading.Event()
    with Archive(db) as archive:
        with archive.batched(max_writes=1000, max_seconds=60):
            save(archive, 1)

            def other() -> None:
                save(archive, 2)
                done.set()

            thread = threading.Thread(target=other)
            thread.start()
            assert not done.wait(0.2), "another thread wrote into the open batch"
        thread.join(5)
        assert done.is_set()
    assert committed(db) == 2


def test_frontier_style_writes_share_the_batch_through_archive_transaction(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive, archive.batched(max_writes=1000, max_seconds=60):
        at = "2026-03-15T10:00:00+00:00"
        archive.record_fetch(
            FetchOutcome(url=url(1), status=200, error=None, bytes=1, elapsed_ms=1, at=at)
        )
        with archive.transaction() as conn:
            assert conn.in_transaction
        assert committed(db, "SELECT count(*) FROM fetches") == 0
    assert committed(db, "SELECT count(*) FROM fetches") == 1


def test_checkpointer_moves_the_wal_into_the_database_while_the_batch_runs(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    filler = "Harbour cranes and hoist cables. " * 400
    with Archive(db) as archive:
        size_before = db.stat().st_size
        with archive.batched(max_writes=20, max_seconds=60) as batch:
            assert archive.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
            for n in range(60):
                save(archive, n, body=f"{filler} {n}", raw=filler.encode() + bytes([n]))
                batch.tick()
            deadline = time.monotonic() + 10
            while db.stat().st_size <= size_before and time.monotonic() < deadline:
                time.sleep(0.05)
            assert db.stat().st_size > size_before, "no checkpoint copied the WAL"
        assert archive.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
        assert archive.check() == []


def test_checkpoints_run_on_the_writers_connection_when_no_second_one_opens() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)

    def refuse() -> sqlite3.Connection:
        raise ArchiveError("cannot open")

    checkpointer = txn.Checkpointer(conn, refuse)
    checkpointer.start()
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    checkpointer.stop()


def test_packed_page_is_stored_as_given_and_reads_back_byte_for_byte(tmp_path: Path) -> None:
    raw = "<html><body><p>Grüße aus dem Hafen</p></body></html>".encode() * 50
    packed = pack(raw)
    assert packed.size == len(raw) and packed.method == compress.DEFAULT
    assert compress.decompress(packed.blob, packed.method) == raw
    with Archive(tmp_path / "archive.db") as archive:
        archive.save(make_article(url(1)), make_page(url(1), raw), parser_version="1",
                     packed=packed)  # fmt: skip
        stored = next(archive.iter_pages())
        assert stored.content == raw
        row = archive.db.execute("SELECT raw, raw_sha256, raw_size FROM pages").fetchone()
        assert row == (packed.blob, packed.sha256, len(raw))


def test_packed_body_of_another_page_is_refused(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        with pytest.raises(ArchiveError, match="packed body"):
            archive.save(make_article(url(1)), make_page(url(1), b"<p>one</p>"),
                         parser_version="1", packed=pack(b"<p>another page</p>"))  # fmt: skip
        assert count(archive, "articles") == 0
