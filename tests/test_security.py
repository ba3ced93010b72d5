"""Pages, feeds and sitemaps are written by strangers: what they may make us do.

- links are followed only over http(s) and within the source's rules (``file:``,
  ``javascript:``, ``data:`` and friends are dropped; ``file://`` only works as an
  explicit command-line argument);
- with ``block_private`` (on by default for crawls) hosts on private, loopback or
  link-local addresses are refused unless the source names them;
- XML and HTML are parsed without entity expansion or external loads;
- every SQL statement is parameterized: hostile URLs, titles and queries are data;
- no markup or terminal control sequence from a page reaches the output.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.archiver import Archive
from scraper.cli import main
from scraper.crawl import run_crawl
from scraper.discover import page_links, parse_xml
from scraper.errors import ConfigError, InvalidURLError, ParseError
from scraper.fetcher import Fetcher, FetchSettings
from scraper.parser import PARSER_VERSION, parse
from tests import localserver
from tests.faults import HTML, article_html, fetch_rows, listing_html, site_config
from tests.localserver import LocalServer, redirect

local_server = localserver.local_server

HOSTILE = "'; DROP TABLE articles; --"


def frontier_urls(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [u for (u,) in conn.execute("SELECT url FROM frontier")]


# -- which links are followed -----------------------------------------------------------------


def test_crawl_follows_only_http_links_within_the_rules(
    local_server: LocalServer, tmp_path: Path
) -> None:
    port = local_server.port
    links = [
        "file:///etc/passwd",
        "javascript:fetch('/news/js')",
        " JAVASCRIPT:fetch('/news/js2')",
        "java\tscript:fetch('/news/js3')",
        "data:text/html,<a href=/news/data>x</a>",
        f"ftp://127.0.0.1:{port}/news/ftp",
        "mailto:desk@example.invalid?subject=/news/mail",
        "vbscript:msgbox('/news/vb')",
        "/news/allowed",
        f"//127.0.0.1:{port}/news/protocol-relative",
        "/elsewhere/not-allowed",
        "/news/denied/x",
    ]
    extra = (
        "<link rel='alternate' type='application/rss+xml' href='file:///etc/feed.xml'>"
        "<map><area href='file:///etc/shadow'></map>"
        "<iframe src='/news/iframe'></iframe><img src='/news/img'>"
    )
    local_server.route("/", 200, listing_html(links, extra=extra), HTML)
    for path in ("/news/allowed", "/news/protocol-relative", "/news/denied/x"):
        local_server.route(path, 200, article_html(path.rsplit("/", 1)[1]), HTML)
    db = tmp_path / "a.db"
    summary = run_crawl(site_config(local_server, deny=["/denied/"]), db_path=db, parse_workers=0)
    asked = {r.path for r in local_server.requests}
    assert asked == {"/", "/news/allowed", "/news/protocol-relative"}
    assert all(u.startswith("http://127.0.0.1:") for u in frontier_urls(db))
    assert summary.exit_code == 0


def test_base_href_with_another_scheme_is_ignored() -> None:
    links = page_links(
        "<html><head><base href='file:///etc/'></head><body><a href='passwd'>x</a>"
        "<a href='javascript:void(0)'>y</a></body></html>",
        "https://news.example/section/",
    )
    assert links.links == ("https://news.example/section/passwd",)


def test_feed_and_sitemap_urls_with_other_schemes_are_dropped() -> None:
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel>'
        b"<item><link>file:///etc/passwd</link></item>"
        b"<item><link>javascript:alert(1)</link></item>"
        b"<item><guid>data:text/html,hi</guid></item>"
        b"<item><link>https://news.example/ok</link></item></channel></rss>"
    )
    sitemap = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>file:///etc/passwd</loc></url><url><loc>gopher://x/1</loc></url>"
        b"<url><loc>https://news.example/ok2</loc></url></urlset>"
    )
    assert [d.url for d in parse_xml(feed, "https://news.example/feed")] == [
        "https://news.example/ok"
    ]
    assert [d.url for d in parse_xml(sitemap, "https://news.example/s.xml")] == [
        "https://news.example/ok2"
    ]


def test_redirect_to_a_file_url_is_refused(local_server: LocalServer, tmp_path: Path) -> None:
    local_server.route("/", 200, listing_html(["/news/trap"]), HTML)
    local_server.route_handler("/news/trap", redirect("file:///etc/passwd"))
    db = tmp_path / "a.db"
    summary = run_crawl(site_config(local_server), db_path=db, parse_workers=0)
    error = fetch_rows(db)["/news/trap"][-1]["error"]
    assert error == "redirect to a URL scheme 'file' (only http and https are fetched)"
    assert summary.exit_code == 1


def test_file_urls_work_only_as_explicit_command_line_arguments(tmp_path: Path) -> None:
    page = tmp_path / "saved.html"
    page.write_bytes(article_html("saved"))
    db = tmp_path / "a.db"
    result = CliRunner().invoke(main, ["scrape", page.as_uri(), "--db", str(db)])
    assert result.exit_code == 0, result.output
    with pytest.raises(ConfigError, match="not an absolute http"):
        from scraper.config import config_from_dict

        config_from_dict({"sources": [{"name": "x", "start": [page.as_uri()]}]})
    crawl = CliRunner().invoke(main, ["crawl", page.as_uri(), "--db", str(db)])
    assert crawl.exit_code == 2


# -- private addresses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1",
        "2130706433",
        "0x7f000001",
        "0.0.0.0",
        "localhost",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "[fe80::1]",
        "[fd00::1]",
        "100.64.0.1",  # carrier-grade NAT: not "private" to Python 3.11, not global either
    ],
)
def test_block_private_refuses_internal_addresses_in_any_spelling(host: str) -> None:
    with (
        Fetcher(FetchSettings(block_private=True, attempts=1, connect_timeout=1)) as fetcher,
        pytest.raises(InvalidURLError, match="private address"),
    ):
        fetcher.fetch(f"http://{host}:9/latest/meta-data")


def test_crawl_refuses_private_hosts_found_in_feeds_unless_named(
    local_server: LocalServer, tmp_path: Path
) -> None:
    port = local_server.port
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<item><link>http://localhost:{port}/news/internal</link></item>"
        f"<item><link>http://127.0.0.1:{port}/news/named</link></item>"
        "<item><link>http://169.254.169.254/news/metadata</link></item>"
        "</channel></rss>"
    )
    local_server.route("/feed.xml", 200, feed, {"Content-Type": "application/rss+xml"})
    for path in ("/news/internal", "/news/named"):
        local_server.route(path, 200, article_html(path.rsplit("/", 1)[1]), HTML)
    config = site_config(local_server, start=[], feeds=[local_server.url("/feed.xml")],
                         allow=["/news/"], block_private=True)  # fmt: skip
    db = tmp_path / "a.db"
    summary = run_crawl(config, db_path=db, parse_workers=0)
    assert local_server.hits("/news/named") == 1  # 127.0.0.1 is named by the source
    assert local_server.hits("/news/internal") == 0
    failures = "\n".join(summary.failures)
    assert "localhost resolves to a private address" in failures
    assert "169.254.169.254 resolves to a private address" in failures


def test_crawl_without_block_private_fetches_internal_hosts(
    local_server: LocalServer, tmp_path: Path
) -> None:
    other = f"http://localhost:{local_server.port}/news/internal"
    local_server.route("/", 200, listing_html([other]), HTML)
    local_server.route("/news/internal", 200, article_html("internal"), HTML)
    config = site_config(local_server, allow=["/news/"], block_private=False)
    summary = run_crawl(config, db_path=tmp_path / "a.db", parse_workers=0)
    assert summary.new == 1 and local_server.hits("/news/internal") == 1


def test_named_host_redirecting_to_a_private_host_is_refused(
    local_server: LocalServer, tmp_path: Path
) -> None:
    target = f"http://localhost:{local_server.port}/news/internal"
    local_server.route("/", 200, listing_html(["/news/jump"]), HTML)
    local_server.route_handler("/news/jump", redirect(target))
    local_server.route("/news/internal", 200, article_html("internal"), HTML)
    db = tmp_path / "a.db"
    run_crawl(site_config(local_server, block_private=True), db_path=db, parse_workers=0)
    assert local_server.hits("/news/internal") == 0
    assert "private address" in (fetch_rows(db)["/news/jump"][-1]["error"] or "")


# -- XML and HTML entities ------------------------------------------------------------------------


def test_external_entities_and_dtds_are_never_loaded(local_server: LocalServer) -> None:
    local_server.route("/evil.dtd", 200, '<!ENTITY leak SYSTEM "file:///etc/passwd">',
                       {"Content-Type": "application/xml-dtd"})  # fmt: skip
    dtd = local_server.url("/evil.dtd")
    documents = [
        f'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "{dtd}"><urlset>'
        "<url><loc>https://news.example/&leak;</loc></url></urlset>",
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % ext SYSTEM "{dtd}"> %ext;]>'
        "<rss><channel><item><link>https://news.example/&leak;</link></item></channel></rss>",
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<rss><channel><item><link>https://news.example/&x;</link></item></channel></rss>",
    ]
    for doc in documents:
        try:
            found = parse_xml(doc.encode(), "https://news.example/feed")
        except ParseError:
            continue
        # Entities stay unexpanded text (or the document is refused): nothing is read.
        assert all("root:" not in d.url and "/bin/" not in d.url for d in found), found
    assert local_server.hits("/evil.dtd") == 0


def test_billion_laughs_is_refused_without_expanding() -> None:
    from tests.faults import billion_laughs

    doc = billion_laughs(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://news.example/&lol9;</loc></url></urlset>"
    )
    with pytest.raises(ParseError, match="declares entities"):
        parse_xml(doc, "https://news.example/sitemap.xml")


def test_html_doctype_entities_are_not_expanded() -> None:
    html = (
        "<!DOCTYPE html [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><html><body><article>"
        "<h1>Story</h1>" + "<p>&x; The council met on Thursday about the berth.</p>" * 5
        + "</article></body></html>"
    )  # fmt: skip
    article = parse(html, url="https://news.example/a")
    assert "root:" not in article.body


# -- SQL is data ---------------------------------------------------------------------------------


def test_hostile_strings_in_pages_urls_and_queries_do_nothing_bad(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    url = f"https://news.example/it's/{HOSTILE.replace(' ', '-')}\"x"
    page = article_html("q").replace(
        b"<h1>", f"<h1>{HOSTILE} \" ' `".encode() + b" "
    )  # title and body carry the payload
    with Archive(db) as archive:
        saved = archive.save(parse(page, url=url), None, parser_version=PARSER_VERSION)
        normal = archive.save(
            parse(article_html("plain"), url="https://other.example/plain"), None,
            parser_version=PARSER_VERSION,
        )  # fmt: skip
    assert saved.outcome == normal.outcome == "new"

    runner = CliRunner()
    for query in (HOSTILE, "' OR 1=1 --", '" OR "1"="1', "x'); DELETE FROM articles; --"):
        result = runner.invoke(main, ["search", query, "--db", str(db), "--format", "json"])
        assert result.exit_code in (0, 2), result.output
    # A site filter that would match everything if it were pasted into the SQL.
    for site in ("' OR '1'='1", "x' OR 1=1 --", HOSTILE):
        found = runner.invoke(main, ["search", "council", "--db", str(db), "--site", site,
                                     "--format", "json"])  # fmt: skip
        assert found.exit_code == 0 and json.loads(found.output) == []
        exported = runner.invoke(main, ["export", "--db", str(db), "--site", site])
        assert exported.exit_code == 0 and exported.output == ""
    since = runner.invoke(main, ["export", "--db", str(db), "--since", "2999' OR '1'='1"])
    assert "news.example" not in since.output  # refused as not a date
    shown = runner.invoke(main, ["show", url, "--db", str(db), "--format", "json"])
    assert shown.exit_code == 0 and HOSTILE in json.loads(shown.output)["title"]
    assert runner.invoke(main, ["history", url, "--db", str(db)]).exit_code == 0

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
        stored = conn.execute("SELECT canonical_url FROM articles WHERE id = ?",
                              (saved.article_id,)).fetchone()[0]  # fmt: skip
    assert "'" in stored and "DROP" in stored


def test_hostile_urls_in_a_crawl_are_stored_as_data(
    local_server: LocalServer, tmp_path: Path
) -> None:
    path = "/news/it's-o'clock;--DROP-TABLE-frontier"
    local_server.route("/", 200, listing_html([path]), HTML)
    local_server.route(path, 200, article_html("clock"), HTML)
    db = tmp_path / "a.db"
    summary = run_crawl(site_config(local_server), db_path=db, parse_workers=0)
    assert summary.new == 1 and summary.exit_code == 0
    assert local_server.url(path) in frontier_urls(db)


# -- nothing from a page is executed or rendered -------------------------------------------------

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape_page() -> str:
    return (
        "<html><head><title>Hi &#27;]0;pwned&#7; there</title></head><body><article>"
        "<h1>Headline &#27;[2J&#27;[31mred&#27;]0;pwned&#7;</h1>"
        + "<p>The council met &#27;[1mtoday&#x9b;0m about the harbor and its berth.</p>" * 5
        + "<ul><li>&#27;[5mblinking bullet</li><li>plain bullet</li></ul></article></body></html>"
    )


def _script_page() -> str:
    return (
        "<html><body><article><h1>Title <b>bold</b><script>alert(1)</script></h1>"
        + "<p>Text <img src=x onerror=alert(2)> more <iframe src='javascript:alert(3)'>"
        "</iframe>words about the council and the harbor.</p>"
        * 5
        + "<script>document.write('<p>injected</p>')</script><style>p{}</style>"
        "</article></body></html>"
    )


def test_markup_never_reaches_the_record() -> None:
    record = json.dumps(parse(_script_page(), url="https://news.example/a").to_dict())
    for needle in ("<script", "onerror", "<img", "<iframe", "<b>", "injected", "p{}", "alert(2)"):
        assert needle not in record


def test_script_text_inside_the_headline_is_not_part_of_the_title() -> None:
    article = parse(_script_page(), url="https://news.example/a")
    assert article.title == "Title bold"


def test_control_characters_from_character_references_are_removed() -> None:
    article = parse(_escape_page(), url="https://news.example/a")
    texts = [article.title or "", article.body, article.summary or ""]
    texts += [b.text for b in article.bullets]
    assert not [t for t in texts if CONTROL.search(t)]


def test_show_never_prints_terminal_escape_sequences(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.save(parse(_escape_page(), url="https://news.example/a"), None,
                     parser_version=PARSER_VERSION)  # fmt: skip
    # color=True: as on a terminal, where click does not strip escape sequences.
    shown = CliRunner().invoke(
        main, ["show", "https://news.example/a", "--db", str(db)], color=True
    )
    assert shown.exit_code == 0
    assert "\x1b" not in shown.output and "\x07" not in shown.output


def test_export_with_a_malformed_date_is_a_usage_error(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Archive(db).close()
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--since", "2999' OR 1=1"])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2 and "not a date" in result.output


# -- one site cannot rewrite another site's articles ---------------------------------------------


def test_a_cross_site_canonical_cannot_overwrite_another_sites_article(
    local_server: LocalServer, tmp_path: Path
) -> None:
    from scraper.config import config_from_dict

    victim = local_server.url("/a/news/story")  # on 127.0.0.1
    local_server.route("/a/", 200, listing_html(["/a/news/story"]), HTML)
    local_server.route("/a/news/story", 200, article_html("story", title="The real story"), HTML)
    evil = article_html("evil", title="Forged story").replace(
        b"<title>", f"<link rel='canonical' href='{victim}'><title>".encode()
    )
    local_server.route("/b/", 200, listing_html(["/b/news/evil"]), HTML)
    local_server.route("/b/news/evil", 200, evil, HTML)

    def source(name: str, start: str) -> dict[str, object]:
        return {"name": name, "start": [start], "allow": ["/news/"]}

    db = tmp_path / "a.db"
    defaults = {"delay": 0.0, "timeout": 1.0, "robots": False}
    honest = config_from_dict({"defaults": defaults,
                               "sources": [source("a", local_server.url("/a/"))]})  # fmt: skip
    other = f"http://localhost:{local_server.port}/b/"  # another host, same server
    hostile = config_from_dict({"defaults": defaults, "sources": [source("b", other)]})
    assert run_crawl(honest, db_path=db, parse_workers=0).new == 1
    run_crawl(hostile, db_path=db, parse_workers=0)
    with sqlite3.connect(db) as conn:
        title, revision = conn.execute(
            "SELECT title, revision FROM articles WHERE canonical_url = ?", (victim,)
        ).fetchone()
    assert (title, revision) == ("The real story", 1)
