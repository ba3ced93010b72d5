"""Discovery: feeds, sitemaps, robots Sitemap: lines and listing-page links, read safely."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from scraper.discover import (
    Discovered,
    is_xml,
    page_links,
    parse_robots_sitemaps,
    parse_xml,
)
from scraper.errors import ParseError

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site"
BASE = "http://news.example.org"


def fixture(name: str) -> bytes:
    """A fixture file with its {{BASE}} placeholders filled (gzip files too)."""
    raw = (SITE / name).read_bytes()
    if name.endswith(".gz"):
        return gzip.compress(gzip.decompress(raw).replace(b"{{BASE}}", BASE.encode()))
    return raw.replace(b"{{BASE}}", BASE.encode()).replace(b"{{PORT}}", b"80")


def test_rss2_items_with_dates_and_tracking_dropped() -> None:
    found = parse_xml(fixture("feed.xml"), f"{BASE}/feed.xml")
    assert [d.url for d in found] == [
        f"{BASE}/2026/04/port-expansion-approved/",
        f"{BASE}/2026/04/storm-closes-coastal-road/",
        f"{BASE}/2026/04/flaky-story/",
    ]
    assert found[0] == Discovered(
        f"{BASE}/2026/04/port-expansion-approved/", "feed", "article", "2026-04-09T10:15:00+00:00"
    )


def test_atom_entries_use_alternate_links() -> None:
    found = parse_xml(fixture("atom.xml"), f"{BASE}/atom.xml")
    assert [(d.url, d.published) for d in found] == [
        (f"{BASE}/2026/04/council-budget-vote/", "2026-04-07T09:00:00+00:00"),
        (f"{BASE}/2026/04/port-expansion-approved/", "2026-04-09T10:15:00+00:00"),
    ]
    assert all(d.source_kind == "feed" for d in found)


def test_rss1_rdf_items() -> None:
    found = parse_xml(fixture("rdf.xml"), f"{BASE}/rdf.xml")
    assert [(d.url, d.published) for d in found] == [
        (f"{BASE}/2026/04/ferry-timetable-changes/", "2026-04-06T07:30:00+00:00")
    ]


def test_rss091_with_relative_links_and_guid_permalink() -> None:
    xml = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
    <rss version="0.91"><channel><title>t</title>
      <item><title>A</title><link>/news/a.html</link></item>
      <item><title>B</title><guid>https://other.example/b</guid>
        <pubDate>Tue, 07 Apr 2026 09:00:00 GMT</pubDate></item>
      <item><title>C no link</title></item>
    </channel></rss>"""
    found = parse_xml(xml, "https://site.example/rss")
    assert [(d.url, d.published) for d in found] == [
        ("https://site.example/news/a.html", None),
        ("https://other.example/b", "2026-04-07T09:00:00+00:00"),
    ]


def test_sitemap_index_lists_child_sitemaps() -> None:
    found = parse_xml(fixture("sitemap_index.xml"), f"{BASE}/sitemap_index.xml")
    assert [(d.url, d.kind) for d in found] == [
        (f"{BASE}/sitemap-articles.xml.gz", "sitemap"),
        (f"{BASE}/news-sitemap.xml", "sitemap"),
    ]


def test_gzipped_sitemap_with_lastmod() -> None:
    found = parse_xml(fixture("sitemap-articles.xml.gz"), f"{BASE}/sitemap-articles.xml.gz")
    assert len(found) == 4
    assert found[2] == Discovered(f"{BASE}/2026/02/school-roof-repair/", "sitemap", "article",
                                  "2026-02-14")  # fmt: skip


def test_google_news_sitemap_publication_dates() -> None:
    found = parse_xml(fixture("news-sitemap.xml"), f"{BASE}/news-sitemap.xml")
    assert [(d.url, d.published) for d in found] == [
        (f"{BASE}/2026/04/ferry-timetable-changes/", "2026-04-06T07:30:00+00:00"),
        (f"{BASE}/2026/03/moscow-delegation/", "2026-03-18T11:00:00+03:00"),
    ]


def test_truncated_feed_yields_the_complete_items() -> None:
    data = fixture("feed.xml")
    cut = data[: data.index(b"flaky-story")]
    found = parse_xml(cut + b"cut-off-sto", f"{BASE}/feed.xml")
    # The item cut in the middle of its <link> is dropped, not queued as a bogus URL.
    assert [d.url for d in found] == [
        f"{BASE}/2026/04/port-expansion-approved/",
        f"{BASE}/2026/04/storm-closes-coastal-road/",
    ]


def test_truncated_sitemap_drops_only_the_cut_off_entry() -> None:
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    one = b"<url><loc>https://n.example/a</loc></url>"
    cut = head + one + b"<url><loc>https://n.example/second-sto"
    assert [d.url for d in parse_xml(cut, f"{BASE}/s.xml")] == ["https://n.example/a"]
    # Cut right after a complete entry: nothing is lost.
    assert len(parse_xml(head + one + one.replace(b"/a", b"/b"), f"{BASE}/s.xml")) == 2
    # A complete document with a cache comment after the root keeps every entry.
    whole = head + one + b"<!-- <url> -->" + one.replace(b"/a", b"/b") + b"</urlset>"
    whole += b"\n<!-- generated in 0.02 s -->\n<!-- cached -->\n"
    assert len(parse_xml(whole, f"{BASE}/s.xml")) == 2


def test_billion_laughs_is_refused_quickly() -> None:
    lol = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    xml = b'<?xml version="1.0"?><!DOCTYPE urlset [' + lol + b"]><urlset><url><loc>&lol9;</loc>"
    xml += b"</url></urlset>"
    start = time.monotonic()
    with pytest.raises(ParseError, match="entities"):
        parse_xml(xml, f"{BASE}/sitemap.xml")
    assert time.monotonic() - start < 1.0


def test_external_entity_is_refused() -> None:
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><item><link>http://a.example/&x;</link></item></channel></rss>"
    )
    with pytest.raises(ParseError):
        parse_xml(xml, f"{BASE}/feed.xml")


def test_gzip_bomb_is_refused_without_inflating_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    import scraper.discover as discover

    monkeypatch.setattr(discover, "MAX_XML_BYTES", 1_000_000)
    bomb = gzip.compress(b"<urlset>" + b" " * 20_000_000 + b"</urlset>")
    assert len(bomb) < 100_000
    with pytest.raises(ParseError, match="larger"):
        parse_xml(bomb, f"{BASE}/sitemap.xml.gz")


@pytest.mark.parametrize("data", [b"", b"garbage, not xml at all", b"<html><body>hi</body></html>"])
def test_non_feeds_raise_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_xml(data, f"{BASE}/feed")


def test_only_http_links_from_feeds() -> None:
    xml = b"""<rss><channel>
      <item><link>javascript:alert(1)</link></item>
      <item><link>file:///etc/passwd</link></item>
      <item><link>ftp://x.example/a</link></item>
      <item><link>https://ok.example/a</link></item></channel></rss>"""
    assert [d.url for d in parse_xml(xml, f"{BASE}/feed")] == ["https://ok.example/a"]


def test_robots_sitemap_lines() -> None:
    text = fixture("robots.txt").decode()
    text += "sitemap: /relative-sitemap.xml\nSitemap: ftp://x/y\n"
    found = parse_robots_sitemaps(text, f"{BASE}/robots.txt")
    assert [d.url for d in found] == [f"{BASE}/sitemap_index.xml", f"{BASE}/relative-sitemap.xml"]
    assert {d.kind for d in found} == {"sitemap"}


def test_listing_page_links_are_normalized_and_deduplicated() -> None:
    links = page_links(fixture("index.html"), f"{BASE}/")
    assert links.feeds == (f"{BASE}/feed.xml", f"{BASE}/atom.xml")
    assert links.next_pages == (f"{BASE}/page/2/",)
    storm = [u for u in links.links if "storm" in u]
    assert storm == [f"{BASE}/2026/04/storm-closes-coastal-road/"]
    assert all(u.startswith("http") for u in links.links)
    assert f"{BASE}/tag/politics/" in links.links  # rules, not discovery, decide what is denied


def test_windows_1251_page_links() -> None:
    raw = fixture("2026/03/moscow-delegation/index.html")
    links = page_links(raw, f"{BASE}/2026/03/moscow-delegation/")
    assert links.canonical == f"{BASE}/2026/03/moscow-delegation/"


def test_base_href_is_honoured() -> None:
    html = '<html><head><base href="https://cdn.example/news/"></head><body><a href="a">x</a>'
    assert page_links(html, "https://site.example/").links == ("https://cdn.example/news/a",)


def test_is_xml_tells_feeds_from_pages() -> None:
    assert is_xml(b"<?xml version='1.0'?><rss/>")
    assert is_xml(b"", "application/rss+xml; charset=utf-8")
    assert is_xml(gzip.compress(b"<urlset/>"))
    assert not is_xml(b"<!DOCTYPE html><html></html>", "text/html")
