"""The archive's promise end to end: a local site crawled three times, where one
article gains a bullet before the third run (issue 5's acceptance scenario)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from scraper.cli import main
from scraper.crawl import run_crawl
from tests.faults import HTML, listing_html, site_config
from tests.localserver import LocalServer

ARTICLES = {
    "/news/harbor-crane": (
        "Harbor crane returns after repairs",
        "The gantry crane at berth four is working again after a winter of repairs.",
        ["New hoist cables were fitted.", "The cabin got heating."],
    ),
    "/news/school-roof": (
        "School roof repaired before the rains",
        "Workers finished the roof of the Lindenweg primary school on Friday.",
        ["Classes resume on Monday.", "The gym stays closed for a week."],
    ),
    "/news/moscow-delegation": (
        "Делегация из Москвы посетила порт",
        "Делегация из Москвы осмотрела новый причал и обсудила поставки зерна.",
        ["Переговоры продолжатся в мае.", "Порт расширит склад зерна."],
    ),
}


def page(title: str, lead: str, bullets: list[str], lang: str = "en") -> bytes:
    items = "".join(f"<li>{b}</li>" for b in bullets)
    filler = " ".join([lead] * 3)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta property="article:published_time" content="2026-04-09T08:00:00+02:00">'
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>"
        f"<p>{lead}</p><p>{filler}</p><h2>Key points</h2><ul>{items}</ul></article>"
        "<footer>© Harbor Gazette</footer></body></html>"
    ).encode()


def serve(server: LocalServer, extra_bullet: bool = False) -> None:
    server.route("/", 200, listing_html(list(ARTICLES)), HTML)
    for path, (title, lead, bullets) in ARTICLES.items():
        items = bullets + (["The crane will also serve berth five."] if extra_bullet
                           and path == "/news/harbor-crane" else [])  # fmt: skip
        lang = "ru" if "moscow" in path else "en"
        server.route(path, 200, page(title, lead, items, lang), HTML)


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_three_crawls_keep_one_revision_per_change_and_stay_searchable(
    local_server: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    config = site_config(local_server, allow=["/news/"])
    serve(local_server)
    first = run_crawl(config, db_path=db, parse_workers=0)
    assert (first.new, first.failed) == (3, 0)
    second = run_crawl(config, db_path=db, parse_workers=0, refresh=True)
    assert (second.new, second.updated) == (0, 0)
    serve(local_server, extra_bullet=True)
    third = run_crawl(config, db_path=db, parse_workers=0, refresh=True)
    assert (third.new, third.updated) == (0, 1)

    crane = local_server.url("/news/harbor-crane")
    record = json.loads(cli("show", crane, "--db", str(db), "--format", "json"))
    assert record["revision"] == 2
    assert record["bullets"][-1]["text"] == "The crane will also serve berth five."
    history = json.loads(cli("history", crane, "--db", str(db), "--format", "json"))
    assert [h["revision"] for h in history] == [1, 2]
    assert len(history[0]["bullets"]) == 2 and len(history[1]["bullets"]) == 3
    for other in ("/news/school-roof", "/news/moscow-delegation"):
        shown = cli("show", local_server.url(other), "--db", str(db), "--format", "json")
        assert json.loads(shown)["revision"] == 1

    def first_hit(query: str) -> str:
        hits = json.loads(cli("search", query, "--db", str(db), "--format", "json"))
        assert hits, query
        return str(hits[0]["url"])

    assert first_hit("gantry") == crane  # body
    assert first_hit("roof") == local_server.url("/news/school-roof")  # title
    assert first_hit("berth five") == crane  # the new bullet
    assert first_hit("gym OR Lindenweg") == local_server.url("/news/school-roof")
    assert first_hit("Москвы") == local_server.url("/news/moscow-delegation")  # Cyrillic
    assert first_hit("зерна") == local_server.url("/news/moscow-delegation")  # a bullet

    assert "reparsed 3 pages: 0 updated, 3 unchanged, 0 failed" in cli("reparse", "--db", str(db))
    stats = json.loads(cli("stats", "--db", str(db), "--format", "json"))
    assert stats["articles"] == 3 and stats["revisions"] == 4

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"articles", "bullets", "revisions", "pages", "fetches", "articles_fts"} <= names
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
