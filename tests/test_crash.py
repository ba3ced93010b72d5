"""Crash safety: a crawl killed with SIGKILL at bad moments leaves a sound archive that
the next run completes without duplicates.

The crawl runs in a child process against a slow local site. Some kills are timed
from outside (during fetches, once articles are being written); others are placed
exactly, by a child that wraps one archiver or frontier step and kills itself with
SIGKILL halfway through a transaction — the worst moment there is.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.config import load_config
from scraper.crawl import run_crawl
from tests.faults import HTML, article_html, count_articles, listing_html, write_config
from tests.localserver import LocalServer

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

REPO = Path(__file__).resolve().parent.parent
ARTICLES = [f"/news/story-{i:02d}" for i in range(12)]
CHILD_TIMEOUT_S = 30


@pytest.fixture
def slow_site() -> Iterator[LocalServer]:
    """Twelve articles (with bullets, some long), each answered after 0.1 s."""
    server = LocalServer()
    try:
        server.route("/", 200, listing_html(ARTICLES), HTML)
        for i, path in enumerate(ARTICLES):
            body = article_html(path.rsplit("/", 1)[1], bullets=5 + i, filler=20 * (i % 3))
            server.route(path, 200, body, HTML, delay=0.1)
        yield server
    finally:
        server.stop()



def start_cli_crawl(toml: Path, db: Path) -> subprocess.Popen[bytes]:
    """The crawl as cron runs it, in its own process group (so that what it leaves
    behind can be found and cleaned up: see :func:`reap_group`)."""
    return subprocess.Popen(
        [sys.executable, "-m", "scraper", "crawl", "--config", str(toml), "--db", str(db), "-q"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def live_members(pgid: int) -> list[int]:
    """Pids of the non-zombie processes in process group ``pgid`` (Linux /proc)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            pids.append(int(stat.parent.name))
    return pids


def reap_group(pgid: int) -> None:
    """SIGKILL whatever is left of a killed crawl's process group (its parse pool)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def run_dying_child(
    toml: Path, db: Path, target: str, kill_on_call: int, *, refresh: bool = False
) -> int:
    """Run a crawl whose ``target`` (``module:attr`` or ``module:Class.method``) kills the
    process with SIGKILL right after its ``kill_on_call``-th call returns."""
    script = textwrap.dedent(f"""
        import importlib, os, signal, sys
        from scraper.config import load_config
        from scraper.crawl import run_crawl
        module_name, attr = {target!r}.split(":")
        owner = importlib.import_module(module_name)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        if not hasattr(owner, name):
            sys.exit(3)  # the step this test instruments was renamed
        original = getattr(owner, name)
        calls = [0]
        def dying(*args, **kwargs):
            result = original(*args, **kwargs)
            calls[0] += 1
            if calls[0] == {kill_on_call}:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        setattr(owner, name, dying)
        run_crawl(load_config({str(toml)!r}), db_path={str(db)!r}, parse_workers=0,
                  refresh={refresh!r})
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, timeout=CHILD_TIMEOUT_S, capture_output=True
    )
    assert proc.returncode != 3, f"{target} no longer exists: update this test"
    return proc.returncode


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the crawl process itself (the crash), then clean up its orphans."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    reap_group(proc.pid)


def wait_for(condition: object, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    while not condition():  # type: ignore[operator]
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"the crawl ended (code {proc.returncode}) before {what}: {err}")
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)



# -- what must hold after any crash ---------------------------------------------------------


def assert_sound(db: Path) -> None:
    """Integrity, and every article whole: page, revision, bullets, index entry."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        schema = {"articles", "bullets", "revisions", "pages", "urls", "fetches", "articles_fts"}
        if not tables & schema:  # killed before the schema was created: nothing half-made
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
            return
        assert schema <= tables, f"half a schema: {sorted(tables)}"
        # FTS5's own check that the index matches the articles it indexes.
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        rows = conn.execute(
            "SELECT a.id, a.canonical_url, a.revision, "
            "(SELECT count(*) FROM pages p WHERE p.article_id = a.id), "
            "(SELECT count(*) FROM bullets b WHERE b.article_id = a.id), "
            "(SELECT record FROM revisions r WHERE r.article_id = a.id "
            " AND r.revision = a.revision) FROM articles a"
        ).fetchall()
        for article_id, url, _revision, pages, bullets, record in rows:
            assert pages >= 1, f"article {article_id} ({url}) has no page row"
            assert record is not None, f"article {article_id} ({url}) has no revision row"
            expected = len(json.loads(record)["bullets"])
            assert expected > 0, f"test articles all have bullets: {url}"
            assert bullets == expected, f"{url}: {bullets} bullet rows, record has {expected}"
        orphans = conn.execute(
            "SELECT (SELECT count(*) FROM bullets WHERE article_id NOT IN "
            "(SELECT id FROM articles)) + (SELECT count(*) FROM pages WHERE article_id NOT IN "
            "(SELECT id FROM articles)) + (SELECT count(*) FROM revisions WHERE article_id "
            "NOT IN (SELECT id FROM articles))"
        ).fetchone()[0]
        assert orphans == 0
    finally:
        conn.close()


def assert_complete_without_duplicates(db: Path, server: LocalServer) -> None:
    conn = sqlite3.connect(db)
    try:
        per_url = dict(
            conn.execute("SELECT canonical_url, count(*) FROM articles GROUP BY canonical_url")
        )
        pages = conn.execute(
            "SELECT count(*) FROM pages GROUP BY article_id HAVING count(*) > 1"
        ).fetchall()
        news = conn.execute(
            "SELECT url, count(*) FROM fetches WHERE outcome = 'new' GROUP BY url "
            "HAVING count(*) > 1"
        ).fetchall()
    finally:
        conn.close()
    assert sorted(per_url) == sorted(server.url(p) for p in ARTICLES)
    assert set(per_url.values()) == {1}
    assert pages == [], "an article got a second identical raw page"
    assert news == [], "an article was archived as new twice"


# -- kills timed from outside ---------------------------------------------------------------


def test_kill_during_fetches_then_rerun_completes_the_rest(
    slow_site: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    toml = write_config(tmp_path, slow_site, name="crash")
    proc = start_cli_crawl(toml, db)
    try:
        wait_for(lambda: sum(slow_site.hits(p) for p in ARTICLES) >= 3, proc, "3 article GETs")
    finally:
        kill(proc)
    assert proc.returncode == -signal.SIGKILL
    assert_sound(db)
    before = {p: slow_site.hits(p) for p in ARTICLES}
    archived = archived_paths(db)
    assert len(archived) < len(ARTICLES)

    summary = run_crawl(load_config(toml), db_path=db, parse_workers=0)
    assert summary.exit_code == 0
    assert_sound(db)
    assert_complete_without_duplicates(db, slow_site)
    # Articles archived before the kill are not downloaded again: an article's save and
    # its frontier mark are committed together (the same write batch) or not at all.
    again = [p for p in archived if slow_site.hits(p) > before[p]]
    assert again == []


def archived_paths(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {
            "/" + u.split("/", 3)[3] for (u,) in conn.execute("SELECT canonical_url FROM articles")
        }


def test_kill_while_articles_are_being_written_then_rerun(
    slow_site: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    toml = write_config(tmp_path, slow_site, name="crash")
    proc = start_cli_crawl(toml, db)
    try:
        wait_for(lambda: count_articles(db) >= 2, proc, "2 articles were written")
    finally:
        kill(proc)
    assert_sound(db)
    summary = run_crawl(load_config(toml), db_path=db, parse_workers=0)
    assert summary.exit_code == 0
    assert_sound(db)
    assert_complete_without_duplicates(db, slow_site)


def test_repeated_kills_at_varied_moments_never_corrupt_and_finally_complete(
    slow_site: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    toml = write_config(tmp_path, slow_site, name="crash")
    for delay in (0.6, 1.0, 1.4):  # interpreter start-up is ~0.5 s: before and after writes
        proc = start_cli_crawl(toml, db)
        try:
            time.sleep(delay)
        finally:
            kill(proc)
        if db.exists():
            assert_sound(db)
    summary = run_crawl(load_config(toml), db_path=db, parse_workers=0)
    assert summary.exit_code == 0
    assert_sound(db)
    assert_complete_without_duplicates(db, slow_site)


# -- kills placed inside a transaction --------------------------------------------------------


def test_kill_inside_an_article_save_rolls_the_whole_save_back(
    slow_site: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    toml = write_config(tmp_path, slow_site, name="crash")
    # The 3rd article's raw page is written (bullets, revision, article row before it)
    # but the transaction is not committed when the process dies.
    code = run_dying_child(toml, db, "scraper.archiver:_store_page", kill_on_call=3)
    assert code == -signal.SIGKILL
    assert_sound(db)
    # The third save left no trace. The crawl commits its writes in batches (at most
    # 0.5 s old), so the two saves before it are there only if their batch was
    # committed before the kill: all of a batch or none of it, never half a save.
    assert count_articles(db) <= 2

    summary = run_crawl(load_config(toml), db_path=db, parse_workers=0)
    assert summary.exit_code == 0
    assert_sound(db)
    assert_complete_without_duplicates(db, slow_site)


def test_kill_inside_an_article_update_keeps_the_previous_revision_whole(
    slow_site: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    toml = write_config(tmp_path, slow_site, name="crash")
    assert run_crawl(load_config(toml), db_path=db, parse_workers=0).new == len(ARTICLES)
    # Every article is edited; the re-crawl dies inside the second update, after the old
    # bullets were deleted and the new ones inserted.
    for i, path in enumerate(ARTICLES):
        edited = article_html(path.rsplit("/", 1)[1], bullets=2 + i, paragraphs=6)
        slow_site.route(path, 200, edited, HTML, delay=0.05)
    code = run_dying_child(
        toml, db, "scraper.archiver:_insert_bullets", kill_on_call=2, refresh=True
    )
    assert code == -signal.SIGKILL
    assert_sound(db)
    with sqlite3.connect(db) as conn:
        revisions = sorted(r for (r,) in conn.execute("SELECT revision FROM articles"))
    # The interrupted update left revision 1 whole; the update before it is there only
    # if its write batch was committed before the kill (all of a batch or none).
    assert revisions.count(2) <= 1
    assert revisions.count(1) == len(ARTICLES) - revisions.count(2)


def test_kill_while_queueing_a_listings_links_loses_no_link(
    slow_site: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    toml = write_config(tmp_path, slow_site, name="crash")
    # Frontier.add call 1 is the seed; calls 2.. are the listing's links, added in one
    # transaction with the listing's "done" mark. Die after the 5th.
    code = run_dying_child(toml, db, "scraper.frontier:Frontier.add", kill_on_call=5)
    assert code == -signal.SIGKILL
    assert_sound(db)
    with sqlite3.connect(db) as conn:
        states = dict(conn.execute("SELECT url, state FROM frontier"))
    assert states.get(slow_site.url("/")) == "queued", "listing marked done without its links"
    assert len(states) in (1, 1 + len(ARTICLES))  # all of the batch or none of it

    summary = run_crawl(load_config(toml), db_path=db, parse_workers=0)
    assert summary.exit_code == 0
    assert_complete_without_duplicates(db, slow_site)


# -- what a dead crawl leaves behind ------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_no_process_outlives_a_killed_crawl(
    slow_site: LocalServer, tmp_path: Path, sig: signal.Signals
) -> None:
    proc = start_cli_crawl(write_config(tmp_path, slow_site, name="crash"), tmp_path / "archive.db")
    try:
        wait_for(lambda: sum(slow_site.hits(p) for p in ARTICLES) >= 2, proc, "2 article GETs")
        os.kill(proc.pid, sig)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 2.0
        while live_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = live_members(proc.pid)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reap_group(proc.pid)
    assert left == [], f"{len(left)} processes still running 2 s after the crawl died"
