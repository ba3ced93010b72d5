"""Several processes on one archive: overlapping crawls, readers during a crawl, two
``scrape`` runs of one URL at once. No "database is locked" may reach the user.

Crawls run in child processes (``python -m scraper``) against a slow local site so
that the overlap is real; the readers run through click's CliRunner in this process
(their own SQLite connections) and once as a child process too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import EXIT_LOCKED, main
from tests import localserver
from tests.faults import HTML, article_html, count_articles, listing_html, write_config
from tests.localserver import LocalServer

local_server = localserver.local_server

REPO = Path(__file__).resolve().parent.parent
ARTICLES = [f"/news/item-{i:02d}" for i in range(10)]
TIMEOUT_S = 60


@pytest.fixture
def slow_site() -> Iterator[LocalServer]:
    server = LocalServer()
    try:
        server.route("/", 200, listing_html(ARTICLES), HTML)
        for path in ARTICLES:
            server.route(path, 200, article_html(path.rsplit("/", 1)[1]), HTML, delay=0.15)
        yield server
    finally:
        server.stop()



def cli(*args: str) -> subprocess.Popen[str]:
    """``python -m scraper ARGS`` in its own process group (see :func:`stop`)."""
    return subprocess.Popen(
        [sys.executable, "-m", "scraper", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[str]) -> None:
    """Kill a child that is still running, and its parse pool with it."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def wait_until(condition: object, proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():  # type: ignore[operator]
        assert proc.poll() is None, f"the crawl ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)



# -- two crawls, one database -----------------------------------------------------------------


def test_second_crawl_exits_75_at_once_and_with_wait_runs_after_the_first(
    slow_site: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    toml = write_config(tmp_path, slow_site, name="slow")
    first = cli("crawl", "--config", str(toml), "--db", str(db), "-q")
    try:
        wait_until(lambda: slow_site.hits("/") > 0, first, "the first crawl started")
        started = time.monotonic()
        refused = CliRunner().invoke(main, ["crawl", "--config", str(toml), "--db", str(db)])
        assert time.monotonic() - started < 5
        assert refused.exit_code == EXIT_LOCKED
        assert f"another crawl (pid {first.pid}) is running" in refused.output
        assert "database is locked" not in refused.output
        assert first.poll() is None, "the first crawl ended too soon to overlap"
        waiting = cli("crawl", "--config", str(toml), "--db", str(db), "-q", "--wait")
        out2, err2 = waiting.communicate(timeout=TIMEOUT_S)
        _, err1 = first.communicate(timeout=TIMEOUT_S)
    finally:
        stop(first)
    assert first.returncode == 0, err1
    assert waiting.returncode == 0, err2
    assert "database is locked" not in err1 + err2
    assert "0 new" in out2 + err2  # the waiting crawl found everything archived
    assert count_articles(db) == len(ARTICLES)
    # Neither the refused nor the waiting crawl fetched an article again.
    assert all(slow_site.hits(p) == 1 for p in ARTICLES)


# -- readers during a crawl --------------------------------------------------------------------


def test_search_export_show_and_stats_work_during_a_crawl(
    slow_site: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    toml = write_config(tmp_path, slow_site, name="slow")
    crawl = cli("crawl", "--config", str(toml), "--db", str(db), "-q")
    outputs: list[tuple[list[str], int, str]] = []
    try:
        wait_until(lambda: count_articles(db) >= 1, crawl, "the first article was archived")
        child_search = cli("search", "council", "--db", str(db), "--format", "json")
        runner = CliRunner()
        rounds = 0
        while crawl.poll() is None or rounds < 2:
            for args in (
                ["search", "council", "--db", str(db)],
                ["search", "harbor OR berth", "--db", str(db), "--format", "json"],
                ["export", "--db", str(db)],
                ["export", "--db", str(db), "--format", "csv"],
                ["stats", "--db", str(db)],
                ["show", slow_site.url(ARTICLES[0]), "--db", str(db)],
            ):
                result = runner.invoke(main, args)
                outputs.append((args, result.exit_code, result.output))
            rounds += 1
            assert rounds < 500, "the crawl never ended"
        _, child_err = child_search.communicate(timeout=TIMEOUT_S)
        _, crawl_err = crawl.communicate(timeout=TIMEOUT_S)
    finally:
        stop(crawl)
    assert crawl.returncode == 0, crawl_err
    assert child_search.returncode == 0, child_err
    assert "database is locked" not in child_err + crawl_err
    assert len(outputs) >= 12
    for args, code, output in outputs:
        # "show" may run before ARTICLES[0] is archived; everything else must succeed.
        if args[0] == "show" and code == 1 and "no archived article" in output:
            continue
        assert code == 0, (args, output)
        assert "locked" not in output, (args, output)
    last_export = [o for a, c, o in outputs if a[:1] == ["export"] and len(a) == 3][-1]
    assert len(last_export.splitlines()) == len(ARTICLES)


def test_crawl_waits_for_another_writer_instead_of_failing(
    slow_site: LocalServer, tmp_path: Path
) -> None:
    """Someone (Datasette, sqlite-utils, a reparse) holds a write transaction for a
    while: the crawl's writes wait for it (busy timeout) rather than fail."""
    from scraper.archiver import Archive
    from scraper.config import load_config
    from scraper.crawl import run_crawl

    db = tmp_path / "archive.db"
    toml = write_config(tmp_path, slow_site, name="slow")
    Archive(db).close()  # schema in place
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
    timer.start()
    try:
        started = time.monotonic()
        summary = run_crawl(load_config(toml), db_path=db, parse_workers=0)
        waited = time.monotonic() - started
    finally:
        timer.join()
        holder.close()
    assert summary.exit_code == 0 and summary.new == len(ARTICLES)
    assert waited >= 0.9  # it really had to wait for the other writer


# -- two scrapes of one URL at once ----------------------------------------------------------


def test_two_processes_scraping_one_url_at_once_make_one_article(
    local_server: LocalServer, tmp_path: Path
) -> None:
    local_server.route("/news/same", 200, article_html("same"), HTML, delay=0.3)
    db = tmp_path / "fresh.db"  # neither process finds a schema: both create it
    url = local_server.url("/news/same")
    procs = [cli("scrape", url, "--db", str(db)) for _ in range(2)]
    results = [p.communicate(timeout=TIMEOUT_S) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err
    outcomes = sorted(out.split()[0] for out, _ in results)
    assert outcomes == ["new", "unchanged"]  # the later save sees the earlier commit
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        assert conn.execute("SELECT revision FROM articles").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM fetches").fetchone()[0] == 2
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert local_server.hits("/news/same") == 2


# -- a write lock held longer than the busy timeout ------------------------------------------


@pytest.fixture
def locked_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An archive whose write lock another connection holds; busy timeout cut to 0.3 s
    (instead of 30 s) so the wait runs out quickly."""
    import scraper.archiver as archiver

    db = tmp_path / "archive.db"
    archiver.Archive(db).close()
    monkeypatch.setattr(archiver, "BUSY_TIMEOUT_S", 0.3)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield db
    finally:
        holder.close()


def test_readers_still_work_while_the_write_lock_is_held(locked_db: Path) -> None:
    for args in (["search", "harbor"], ["export"], ["stats"]):
        result = CliRunner().invoke(main, [*args, "--db", str(locked_db)])
        assert result.exit_code == 0, result.output


def test_crawl_on_a_database_locked_too_long_fails_with_one_line_not_a_traceback(
    locked_db: Path,
) -> None:
    result = CliRunner().invoke(main, ["crawl", "http://127.0.0.1:9/", "--db", str(locked_db)])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (1, EXIT_LOCKED)
    assert result.output.startswith("error: ")


def test_a_write_to_an_archive_busy_too_long_is_a_clear_locked_error(locked_db: Path) -> None:
    from scraper.archiver import Archive
    from scraper.errors import LockedError
    from scraper.models import FetchOutcome

    outcome = FetchOutcome(url="https://news.example/a", status=200, error=None, bytes=0,
                           elapsed_ms=0, at="2026-04-09T10:00:00+00:00")  # fmt: skip
    with Archive(locked_db) as archive, pytest.raises(LockedError) as caught:
        archive.record_fetch(outcome)
    assert "locked by another process" in caught.value.reason
    assert "not a usable archive" not in caught.value.reason
