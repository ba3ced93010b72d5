"""Find article URLs: RSS/Atom feeds, sitemaps, and links on listing pages.

Pure functions (bytes or text in, records out). XML comes from strangers, so it is
parsed without entity expansion, DTD loading or network access, and documents that
declare entities are refused outright (billion laughs, external entities). Truncated
or slightly broken feeds are read as far as they go (libxml2's recover mode, which is
safe once entities are off).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Literal

from lxml import etree

from scraper.errors import ParseError
from scraper.normalize import normalize_url

__all__ = [
    "MAX_XML_BYTES",
    "Discovered",
    "LinkKind",
    "PageLinks",
    "is_xml",
    "page_links",
    "parse_robots_sitemaps",
    "parse_xml",
]

LinkKind = Literal["article", "listing", "feed", "sitemap"]
# Sitemaps may hold 50 MB uncompressed (sitemaps.org); a bit more covers sloppy feeds.
MAX_XML_BYTES = 64 * 1024 * 1024

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+xml")
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Discovered:
    """A URL found somewhere, with what it is expected to be and a date hint.

    ``kind`` is what the URL should lead to ("sitemap" for the children of a sitemap
    index, "article" for feed items and sitemap URLs). ``source_kind`` says where it
    was found: feed, sitemap, page, robots. ``published`` is an ISO 8601 hint (feed
    date, ``news:publication_date`` or ``lastmod``) used to fetch the newest first.
    """

    url: str
    source_kind: str
    kind: LinkKind = "article"
    published: str | None = None


@dataclass(frozen=True, slots=True)
class PageLinks:
    """What a listing page points to: links, pagination, feeds, its canonical URL."""

    links: tuple[str, ...] = ()
    next_pages: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    canonical: str | None = None


# -- XML: feeds and sitemaps -------------------------------------------------------------


def is_xml(content: bytes, content_type: str | None = None) -> bool:
    """Guess whether a response is a feed or sitemap rather than an HTML page."""
    ctype = (content_type or "").lower()
    if "xml" in ctype and "xhtml" not in ctype:
        return True
    if content.startswith(_GZIP_MAGIC):
        return True
    head = content[:512].lstrip(_UTF8_BOM + b" \t\r\n").lower()
    return head.startswith(b"<?xml") and b"<html" not in content[:2048].lower()


def parse_xml(content: bytes, url: str) -> list[Discovered]:
    """Read a feed (RSS 0.9x/1.0/2.0, Atom) or a sitemap (urlset, index, gz, news).

    Raises :class:`ParseError` for documents that are not one of those, that declare
    entities, or that inflate beyond :data:`MAX_XML_BYTES`.
    """
    data = _gunzip(content, url)
    root = _safe_root(data, url)
    name = _local(root)
    if name == "urlset":
        found, entry = _urlset(root, url), "url"
    elif name == "sitemapindex":
        found, entry = _sitemapindex(root, url), "sitemap"
    elif name == "feed":
        found, entry = _atom(root, url), "entry"
    elif name in ("rss", "RDF", "channel"):
        found, entry = _rss(root, url), "item"
    else:
        raise ParseError(f"not a feed or sitemap (root element <{name}>)", url=url)
    if found and _cut_inside_entry(data, entry):
        # A truncated download: the last entry's URL may itself be cut off.
        found.pop()
    return found


# Caches append comments after the root ("<!-- generated in 0.2 s -->"); a comment may
# not contain "-->", so the match cannot run across markup.
_TRAILING_COMMENTS = re.compile(rb"(\s*<!--(?:(?!-->).)*-->)+\s*$", re.DOTALL)
_ROOT_END = re.compile(rb"</[\w.:-]*(urlset|sitemapindex|rss|feed|RDF|channel)\s*>$")


def _cut_inside_entry(data: bytes, entry: str) -> bool:
    """True when the document stops inside its last ``<entry>`` element."""
    tail = _TRAILING_COMMENTS.sub(b"", data[-4096:].rstrip())
    if _ROOT_END.search(tail):
        return False
    return not re.search(rb"</[\w.:-]*" + entry.encode() + rb"\s*>$", tail)


def _gunzip(content: bytes, url: str) -> bytes:
    if not content.startswith(_GZIP_MAGIC):
        return content
    # A bounded inflate: a few KB of gzip can expand to gigabytes.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(content, MAX_XML_BYTES + 1)
    except zlib.error as exc:
        raise ParseError(f"broken gzip data: {exc}", url=url) from exc
    if len(data) > MAX_XML_BYTES:
        raise ParseError(f"XML larger than {MAX_XML_BYTES} bytes once inflated", url=url)
    return data


def _safe_root(content: bytes, url: str) -> etree._Element:
    if len(content) > MAX_XML_BYTES:
        raise ParseError(f"XML larger than {MAX_XML_BYTES} bytes", url=url)
    if not content.startswith(_UTF8_BOM):
        content = content.lstrip(b" \t\r\n")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"unreadable XML: {exc}", url=url) from exc
    if root is None:
        raise ParseError("unreadable XML: no root element", url=url)
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ParseError("XML declares entities (refused: entity expansion attack)", url=url)
    return root


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(el: etree._Element, name: str) -> Iterable[etree._Element]:
    return (c for c in el if _local(c) == name)


def _child_text(el: etree._Element, *names: str) -> str | None:
    for name in names:
        for child in _children(el, name):
            text = "".join(child.itertext()).strip()
            if text:
                return text
    return None


def _urlset(root: etree._Element, url: str) -> list[Discovered]:
    found: list[Discovered] = []
    for entry in _children(root, "url"):
        loc = normalize_url(_child_text(entry, "loc") or "", url)
        if not loc:
            continue
        published = None
        for news in _children(entry, "news"):
            published = _iso_date(_child_text(news, "publication_date"))
            if published:
                break
        published = published or _iso_date(_child_text(entry, "lastmod"))
        found.append(Discovered(loc, "sitemap", "article", published))
    return found


def _sitemapindex(root: etree._Element, url: str) -> list[Discovered]:
    found: list[Discovered] = []
    for entry in _children(root, "sitemap"):
        loc = normalize_url(_child_text(entry, "loc") or "", url)
        if loc:
            found.append(
                Discovered(loc, "sitemap", "sitemap", _iso_date(_child_text(entry, "lastmod")))
            )
    return found


def _rss(root: etree._Element, url: str) -> list[Discovered]:
    # RSS 2.0/0.9x: rss/channel/item; RSS 1.0 (RDF): items are siblings of channel.
    items = [el for el in root.iter() if _local(el) == "item"]
    found: list[Discovered] = []
    for item in items:
        link = _child_text(item, "link")
        if not link:
            for guid in _children(item, "guid"):
                permalink = (guid.get("isPermaLink") or "true").lower() != "false"
                text = (guid.text or "").strip()
                if permalink and text.startswith(("http://", "https://")):
                    link = text
        if not link:
            about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
            link = about
        target = normalize_url(link or "", url)
        if target:
            date = _child_text(item, "pubDate", "date", "published", "updated")
            found.append(Discovered(target, "feed", "article", _iso_date(date)))
    return found


def _atom(root: etree._Element, url: str) -> list[Discovered]:
    found: list[Discovered] = []
    for entry in _children(root, "entry"):
        href = None
        for link in _children(entry, "link"):
            rel = (link.get("rel") or "alternate").lower()
            if rel == "alternate" and link.get("href"):
                href = link.get("href")
                break
        if href is None:
            # Some feeds give only an id that is the permalink.
            ident = _child_text(entry, "id")
            if ident and ident.startswith(("http://", "https://")):
                href = ident
        base = entry.get("{http://www.w3.org/XML/1998/namespace}base") or root.get(
            "{http://www.w3.org/XML/1998/namespace}base"
        )
        target = normalize_url(href or "", normalize_url(base, url) if base else url)
        if target:
            date = _child_text(entry, "published", "issued", "updated", "modified")
            found.append(Discovered(target, "feed", "article", _iso_date(date)))
    return found


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(text: str | None) -> str | None:
    """ISO 8601 from RFC 822 (RSS) or W3C datetime (Atom, sitemaps); None if unreadable."""
    if not text:
        return None
    text = text.strip()
    if _DATE_ONLY.match(text):
        return text
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


# -- robots.txt Sitemap: lines -------------------------------------------------------------


def parse_robots_sitemaps(text: str, url: str) -> list[Discovered]:
    """The ``Sitemap:`` lines of a robots.txt body (absolute http(s) URLs only)."""
    found: list[Discovered] = []
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "sitemap":
            target = normalize_url(value.split("#", 1)[0].strip(), url)
            if target:
                found.append(Discovered(target, "robots", "sitemap"))
    return found


# -- HTML listing pages ---------------------------------------------------------------------


def page_links(html: str | bytes, url: str, *, http_charset: str | None = None) -> PageLinks:
    """Links (http(s) only, normalized, first occurrence order), pagination, feeds, canonical.

    ``<base href>`` is honoured; ``rel=nofollow`` links are kept (news sites put it on
    ordinary article links), ``javascript:``/``mailto:`` and other schemes are dropped.
    """
    from scraper.parser.tree import build_tree

    root = build_tree(html, http_charset)
    base = url
    for el in root.iter("base"):
        href = el.get("href")
        if href:
            base = normalize_url(href, url) or url
        break
    links: dict[str, None] = {}
    next_pages: dict[str, None] = {}
    feeds: dict[str, None] = {}
    canonical = None
    for el in root.iter("a", "link", "area"):
        href = el.get("href")
        if not href:
            continue
        rels = (el.get("rel") or "").lower().split()
        target = normalize_url(href, base)
        if target is None:
            continue
        if el.tag == "link":
            kind = (el.get("type") or "").lower().split(";")[0].strip()
            if "alternate" in rels and kind in _FEED_TYPES:
                feeds[target] = None
            elif "canonical" in rels and canonical is None:
                canonical = target
            elif "next" in rels:
                next_pages[target] = None
            continue
        if "next" in rels:
            next_pages[target] = None
        links[target] = None
    return PageLinks(
        links=tuple(links), next_pages=tuple(next_pages), feeds=tuple(feeds), canonical=canonical
    )
