"""What a page says about itself: per-field cascades over JSON-LD, meta tags, microdata
and markup, producing :class:`~scraper.parser.types.Metadata`.

Runs before the content stage and only reads the tree. Each field takes the first
source that gives a usable value, most structured first, because structured metadata is
written by the publisher for machines while visible markup is written for readers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from scraper.parser.authors import clean_authors
from scraper.parser.bylines import markup_authors
from scraper.parser.datefind import find_markup_dates
from scraper.parser.dates import date_from_url, is_plausible, normalize_iso, relocalize
from scraper.parser.jsonld import LdArticle, is_jsonld, read_article
from scraper.parser.microdata import Microdata, read_microdata
from scraper.parser.scope import Scope, find_scope
from scraper.parser.tags import extract_tags
from scraper.parser.titles import choose_title
from scraper.parser.types import Metadata

__all__ = ["extract_metadata", "normalize_language"]

_PUBLISHED_KEYS = (
    "article:published_time",
    "article:published",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "dc.created",
    "citation_publication_date",
    "citation_date",
    "article.published",
    "article_date_original",
    "original-publish-date",
    "publish-date",
    "publish_date",
    "publishdate",
    "published_time",
    "published-date",
    "publication_date",
    "publication-date",
    "pubdate",
    "pub_date",
    "date_published",
    "date",
    "datecreated",
    "created",
    "creation_date",
    "release_date",
    "displaydate",
    "og:pubdate",
    "rnews:datepublished",
    "cxenseparse:recs:publishtime",
    "bt:pubdate",
    "sailthru.pubdate",
    "article:post_date",
    "live_date",
    "dc.date.published",
)
_MODIFIED_KEYS = (
    "article:modified_time",
    "article:modified",
    "og:updated_time",
    "article:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "modified_time",
    "last-modified",
    "lastmod",
    "revised",
    "updated",
    "modified",
    "date_modified",
    "dc.modified",
)
_AUTHOR_KEYS = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "citation_author",
    "dc.creator.name",
    "author_name",
    "cxenseparse:author",
    "og:article:author",
    "article:author_name",
)
_TITLE_KEYS = ("title", "dc.title", "dcterms.title", "parsely-title", "sailthru.title", "headline")
_DESCRIPTION_KEYS = (
    "description",
    "og:description",
    "twitter:description",
    "dc.description",
    "dcterms.description",
)
_SITE_KEYS = (
    "og:site_name",
    "application-name",
    "apple-mobile-web-app-title",
    "publisher",
    "dc.publisher",
)
_IMAGE_KEYS = ("og:image", "og:image:url", "og:image:secure_url")
_TWITTER_IMAGE_KEYS = ("twitter:image", "twitter:image:src")

# Publication dates that page scripts hand to analytics or app state
# ("published_at": "2019-03-02T06:22:28+01:00", "publishedFirst": "28.01.2020 15:28").
_SCRIPT_PUBLISHED = re.compile(
    r"[\"']?(?:date_?published|published(?:_?(?:at|date|time|first|on))?|publish_?(?:date|time)"
    r"|first_?publish\w*|pub_?date|created_?at|date_?created|creation_?date)[\"']?\s*[:=]\s*"
    r"[\"']([0-9][0-9:\-./T +Z]{7,30})[\"']",
    re.IGNORECASE,
)
# "publication_date": "2020-02-17 21:18:11" style assignments in inline scripts.
_SCRIPT_DATE = re.compile(
    r"(?:publi|creat|date)\w*[\"']?\s*[:=,]\s*[\"']"
    r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+\-]\d{2}:?\d{2})?)[\"']",
    re.IGNORECASE,
)
# A short inline script that renders the date where it stands:
# <script>showDate("2020/04/17 01:43:09")</script>, writeTime('2019-03-02').
_SCRIPT_RENDERED = re.compile(
    r"\w*(?:date|time)\w*\s*\(\s*[\"']"
    r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?)[\s\"']",
    re.IGNORECASE,
)
_SCRIPT_RENDERED_MAX = 300
_TITLE_CLASS = re.compile(r"title|headline|heading|name", re.IGNORECASE)
_LOGO = re.compile(r"logo|brand|site-?title|site-?name|blog-?title|masthead|navbar", re.I)
_ARTICLE_HEADER = re.compile(r"entry|post|article|story|content|page-header", re.I)
_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{1,8})*$")
_NOT_LANGS = frozenset({"und", "mul", "zxx", "xx"})


class _Page:
    """What one pass over the tree's ``meta``/``link``/``script``/``title``/``h1`` gives."""

    __slots__ = ("canonical", "h1s", "jsonld", "metas", "title")

    def __init__(self) -> None:
        self.metas: dict[str, list[str]] = {}
        self.canonical: str | None = None
        self.jsonld: list[str] = []
        self.title: str | None = None
        self.h1s: list[lxml.html.HtmlElement] = []


def _index_page(tree: lxml.html.HtmlElement) -> _Page:
    """One pass over the few tags metadata lives in (cheap: lxml filters by tag in C)."""
    page = _Page()
    metas = page.metas
    for el in tree.iter("meta", "link", "script", "title", "h1"):
        tag = el.tag
        if tag == "h1":
            page.h1s.append(el)
            continue
        if tag == "script":
            if el.text and is_jsonld(el):
                page.jsonld.append(el.text)
            continue
        if tag == "title":
            if page.title is None:
                text = el.text_content()
                page.title = html.unescape(text) if "&" in text else text
            continue
        if tag == "link":
            if page.canonical is None:
                rel = (el.get("rel") or "").lower().split()
                if "canonical" in rel and el.get("href"):
                    page.canonical = el.get("href")
            continue
        content = el.get("content")
        if content is None:
            content = el.get("value")
        if content is None:
            continue
        content = content.strip()
        if not content:
            continue
        if "&" in content:
            content = html.unescape(content)
        itemprop = el.get("itemprop")
        if itemprop is not None and _inside_itemscope(el):
            continue  # microdata of some item: read with its scope, not as page metadata
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                metas.setdefault(key.strip().lower(), []).append(content)
    return page


def _inside_itemscope(el: lxml.html.HtmlElement) -> bool:
    node = el.getparent()
    while node is not None:
        if node.get("itemscope") is not None:
            return True
        node = node.getparent()
    return False


def _first(metas: Mapping[str, list[str]], keys: Iterable[str]) -> str | None:
    for key in keys:
        values = metas.get(key)
        if values:
            return values[0]
    return None


def _absolute(link: str | None, base: str | None) -> str | None:
    if not link:
        return None
    link = link.strip()
    if not link or link.startswith(("data:", "javascript:")):
        return None
    if base:
        try:
            link = urljoin(base, link)
        except ValueError:
            return None
    elif link.startswith("//"):
        link = "https:" + link
    return link if link.startswith(("http://", "https://")) or not base else None


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def normalize_language(value: str | None) -> str | None:
    """The primary language subtag, lowercase (``en-US`` → ``en``, ``pt_BR`` → ``pt``)."""
    if not value:
        return None
    value = value.split(",")[0].strip()
    m = _LANG.match(value)
    if not m:
        return None
    primary = m.group(1).lower()
    return None if primary in _NOT_LANGS else primary


def _first_date(
    values: Iterable[str | None],
    now: datetime | None,
    *,
    structured: bool = True,
    lang: str | None = None,
) -> str | None:
    for value in values:
        iso = normalize_iso(value, lang=lang) if value else None
        if iso and is_plausible(iso, now=now, structured=structured):
            return iso
    return None


def _is_logo_heading(el: lxml.html.HtmlElement) -> bool:
    """An h1 used for the site logo or name (inside the page header or a logo link)."""
    node: lxml.html.HtmlElement | None = el
    depth = 0
    while node is not None and depth < 6:
        if (
            node.tag == "header"
            and depth > 0
            and not _ARTICLE_HEADER.search(node.get("class") or "")
        ):
            return True
        attrs = f"{node.get('class') or ''} {node.get('id') or ''}"
        if _LOGO.search(attrs):
            return True
        node = node.getparent()
        depth += 1
    return False


def _headings(
    tree: lxml.html.HtmlElement, h1s: list[lxml.html.HtmlElement], scope: Scope
) -> tuple[list[str], list[str], str | None]:
    """Title candidates (article h1s, other h1s, title-like h2/h3), plain h2s, and the
    trusted heading.

    The trusted heading is the article's own h1 or, failing that, the only h1 on the
    page that is not a logo: readers take it as the title even when metadata differs.
    """
    inside: list[str] = []
    outside: list[str] = []
    plain: list[str] = []
    for h1 in h1s:
        text = heading_text(h1)
        if not text:
            continue
        logo = _is_logo_heading(h1)
        if scope.contains(h1) and not logo:
            inside.append(text)
        else:
            outside.append(text)
            if not logo and not scope.excluded(h1):
                plain.append(text)
    root = scope.element if scope.element is not None else tree
    extra: list[str] = []
    subs: list[str] = []
    for el in root.iter("h2", "h3"):
        if len(extra) >= 3 and len(subs) >= 5:
            break
        titled = bool(_TITLE_CLASS.search(f"{el.get('class') or ''} {el.get('itemprop') or ''}"))
        if (titled and len(extra) >= 3) or (not titled and (len(subs) >= 5 or el.tag != "h2")):
            continue
        if scope.excluded(el):
            continue
        text = heading_text(el)
        if text:
            (extra if titled else subs).append(text)
    trusted = inside[0] if inside else (plain[0] if len(plain) == 1 else None)
    return [*inside, *outside, *extra], subs, trusted


def _local_candidates(
    tree: lxml.html.HtmlElement,
    metas: Mapping[str, list[str]],
    ld: LdArticle | None,
    needle: str,
) -> Iterator[str]:
    """Publication timestamps written elsewhere on the page (for :func:`relocalize`).

    ``needle`` is the ":MM:SS" of the UTC timestamp: a local copy of the same instant
    shares it, so scripts without it are not scanned.
    """
    if ld:
        yield from ld.all_dates
    for key in _PUBLISHED_KEYS:
        yield from metas.get(key, ())
    for el in tree.iter("time"):
        value = el.get("datetime")
        if value:
            yield value
    for el in tree.iter("script"):
        text = el.text
        if text and len(text) < 500_000 and needle in text:
            for m in _SCRIPT_DATE.finditer(text):
                yield m.group(1)


def _days_apart(a: str, b: str) -> int:
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)
    except ValueError:
        return 0


def _script_published(tree: lxml.html.HtmlElement, now: datetime | None) -> str | None:
    """Last resort: a publication date that an inline script states as data."""
    for el in tree.iter("script"):
        text = el.text
        if not text or len(text) > 500_000 or is_jsonld(el):
            continue
        if len(text) <= _SCRIPT_RENDERED_MAX and (m := _SCRIPT_RENDERED.search(text)):
            iso = normalize_iso(m.group(1))
            if iso and is_plausible(iso, now=now):
                return iso
        if (
            "ublish" not in text
            and "reated" not in text
            and "ub_date" not in text
            and ("ubDate" not in text and "pubdate" not in text)
        ):
            continue
        for m in _SCRIPT_PUBLISHED.finditer(text):
            iso = normalize_iso(m.group(1))
            if iso and is_plausible(iso, now=now):
                return iso
    return None


def _language(
    tree: lxml.html.HtmlElement,
    metas: Mapping[str, list[str]],
    headers: Mapping[str, str] | None,
    ld: LdArticle | None,
    micro: Microdata,
) -> tuple[str | None, str | None]:
    """The raw language tag (for date parsing) and the normalised language.

    ``<html lang>`` first: themes hard-code JSON-LD/microdata ``inLanguage`` (politsturm's
    English site says "ru"), so those come last.
    """
    lang_tag = next(
        (
            t.strip()
            for t in (
                tree.get("lang"),
                tree.get("xml:lang"),
                _first(metas, ("og:locale",)),
                _header(headers, "content-language"),
            )
            if t and normalize_language(t)
        ),
        None,
    )
    language = (
        normalize_language(tree.get("lang") or tree.get("xml:lang"))
        or normalize_language(_first(metas, ("og:locale",)))
        or normalize_language(_header(headers, "content-language"))
        or normalize_language(_first(metas, ("content-language", "dc.language", "language")))
        or normalize_language(ld.language if ld else None)
        or normalize_language(micro.language)
    )
    return lang_tag, language


def _dates(
    tree: lxml.html.HtmlElement,
    url: str | None,
    canonical: str | None,
    metas: Mapping[str, list[str]],
    ld: LdArticle | None,
    micro: Microdata,
    scope: Scope,
    lang_tag: str | None,
    now: datetime | None,
) -> tuple[str | None, str | None]:
    """Publication and modification dates: metadata, URL, markup, scripts, in that order."""
    # Meta tags before JSON-LD: where the two disagree on this corpus, the meta tag is
    # right about 5 times in 6 (JSON-LD is more often templated or cached).
    published = _first_date(
        (v for key in _PUBLISHED_KEYS for v in metas.get(key, [])), now, lang=lang_tag
    )
    published = published or _first_date([ld.published if ld else None], now, lang=lang_tag)
    published = published or _first_date(micro.published, now, lang=lang_tag)
    url_day = date_from_url(url, now=now) or date_from_url(canonical, now=now)
    if published and url_day and _days_apart(published, url_day) > 1:
        # A day in the URL path is fixed when the article is first published; a
        # structured date far from it is usually a re-save or a template default.
        published = url_day
    modified = _first_date(
        [
            ld.modified if ld else None,
            *(v for k in _MODIFIED_KEYS for v in metas.get(k, [])),
            *micro.modified,
        ],
        now,
        lang=lang_tag,
    )
    if published is None:
        published = url_day
    if published is None or modified is None:
        found = find_markup_dates(
            tree, scope, lang=lang_tag, now=now, want_published=published is None
        )
        published = published or found.published
        modified = modified or found.modified
    if published is None:
        published = _script_published(tree, now)
    if published is None:
        # Nothing anywhere else: accept a date in a page-level box (aside, teaser,
        # footer, sidebar) too. Comments, related and recent-post lists stay excluded.
        body = tree.find("body")
        if body is not None:
            relaxed = find_markup_dates(tree, Scope(body, False), lang=lang_tag, now=now)
            published = relaxed.published
    if published and published.endswith("+00:00"):
        published = relocalize(published, _local_candidates(tree, metas, ld, published[13:19]))
    if published and modified and modified[:10] < published[:10]:
        modified = None
    return published, modified


def _authors(
    tree: lxml.html.HtmlElement,
    url: str | None,
    metas: Mapping[str, list[str]],
    ld: LdArticle | None,
    micro: Microdata,
    scope: Scope,
    h1s: list[lxml.html.HtmlElement],
    site_names: list[str],
) -> tuple[str, ...]:
    """JSON-LD, meta tags, microdata, then byline markup.

    A "name" that is only the site or publisher (JSON-LD ``author: Organization`` set to
    the brand, ``<meta name=author content=example.com>``) is kept only when no source
    names a person.
    """
    brand = {_brand_key(s) for s in site_names}
    host = urlsplit(url).hostname if url else None
    if host:
        brand.add(_brand_key(host.removeprefix("www.")))
        brand.add(_brand_key(host.removeprefix("www.").split(".")[0]))
    fallback: tuple[str, ...] = ()
    meta_authors = [
        v
        for key in _AUTHOR_KEYS
        for v in metas.get(key, [])
        if not v.startswith(("http://", "https://", "/"))
    ]
    sources = (
        lambda: clean_authors(ld.authors) if ld else (),
        lambda: clean_authors(meta_authors),
        lambda: clean_authors(micro.authors),
        lambda: markup_authors(tree, h1s, scope),
    )
    for source in sources:
        names = source()
        if not names:
            continue
        if all(_brand_key(n) in brand for n in names):
            fallback = fallback or names
            continue
        return names
    return fallback


def _brand_key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def extract_metadata(
    tree: lxml.html.HtmlElement,
    url: str | None,
    headers: Mapping[str, str] | None,
    *,
    now: datetime | None = None,
) -> Metadata:
    """Read the page's metadata without modifying ``tree``.

    ``now`` (default: the current time) bounds visible dates: anything more than a day
    later is rejected as a misread, as is anything before 1995.
    """
    page = _index_page(tree)
    metas, canonical_raw = page.metas, page.canonical
    ld = read_article(page.jsonld, page_url=url) if page.jsonld else None
    scope = find_scope(tree, page.h1s)
    micro = (
        read_microdata(scope.element)
        if scope.microdata and scope.element is not None
        else Microdata()
    )

    # Language first: its full tag (region included) decides day-first vs month-first
    # numeric dates.
    lang_tag, language = _language(tree, metas, headers, ld, micro)

    canonical = _absolute(canonical_raw, url) or _absolute(_first(metas, ("og:url",)), url)
    base = canonical if url is None else url

    published, modified = _dates(tree, url, canonical, metas, ld, micro, scope, lang_tag, now)

    site_names = [s for s in (_first(metas, _SITE_KEYS), ld.publisher if ld else None) if s]
    headings, subheadings, trusted = _headings(tree, page.h1s, scope)
    title = choose_title(
        headline=(ld.headline if ld else None) or micro.headline,
        og_title=_first(metas, ("og:title", "twitter:title")),
        headings=headings,
        subheadings=subheadings,
        trusted=trusted,
        doc_title=page.title,
        other=[_first(metas, _TITLE_KEYS)],
        site_names=site_names,
    )

    authors = _authors(tree, url, metas, ld, micro, scope, page.h1s, site_names)

    image = (
        _absolute(_first(metas, _IMAGE_KEYS), base)
        or _absolute(ld.image if ld else None, base)
        or _absolute(_first(metas, _TWITTER_IMAGE_KEYS), base)
        or _absolute(micro.image, base)
    )
    description = _first(metas, _DESCRIPTION_KEYS) or (ld.description if ld else None)
    if description:
        description = " ".join(description.split()) or None

    return Metadata(
        title=title,
        published=published,
        modified=modified,
        authors=authors,
        language=language,
        description=description,
        image=image,
        tags=extract_tags(tree, metas, ld, scope),
        canonical_url=canonical,
        site_name=site_names[0] if site_names else None,
        paywalled=bool(ld and ld.free is False),
        page_type=(ld.type if ld else None) or _first(metas, ("og:type",)),
    )


_CODE_TAGS = ("script", "style", "noscript", "template")
_READABLE_TEXT = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]"
)


def heading_text(el: lxml.html.HtmlElement) -> str:
    """A heading's text as a reader sees it: whitespace collapsed, and no text of a
    ``<script>`` or ``<style>`` that a CMS (or an attacker) put inside the heading."""
    if next(el.iter(*_CODE_TAGS), None) is None:
        return " ".join(el.text_content().split())
    return " ".join("".join(_READABLE_TEXT(el)).split())
