"""Turn one HTML page into an :class:`~scraper.models.Article`. Pure: no network, clock or database.

Stages: build an lxml tree, read the page's metadata (JSON-LD, meta tags, microdata,
markup), then find the main content (body, sections, bullets), then classify the page.
The metadata stage runs first because the content stage prunes the tree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from scraper.models import Article, Bullet, Section
from scraper.parser.content import extract_content
from scraper.parser.kind import classify
from scraper.parser.metadata import extract_metadata
from scraper.parser.tree import build_tree

PARSER_VERSION = "1"

__all__ = ["PARSER_VERSION", "parse"]

_SUMMARY_CHARS = 300


def parse(
    html: str | bytes, url: str | None = None, *, headers: Mapping[str, str] | None = None
) -> Article:
    """Parse a page into a record.

    ``url`` resolves relative links and feeds date-from-URL; ``headers`` (optional HTTP
    response headers) give ``Content-Language`` and the charset of raw bytes.
    """
    charset = _charset(headers)
    tree = build_tree(html, charset)
    meta = extract_metadata(tree, url, headers)
    content = extract_content(tree, url, meta)
    kind = classify(tree, meta, content, url)
    canonical = meta.canonical_url or url
    return _without_controls(Article(
        url=url,
        canonical_url=canonical,
        site=_site(canonical or url),
        title=meta.title,
        published=meta.published,
        modified=meta.modified,
        authors=meta.authors,
        language=meta.language,
        summary=meta.description or _shorten(content.lead),
        body=content.body,
        sections=content.sections,
        bullets=content.bullets,
        tags=meta.tags,
        image=meta.image,
        word_count=len(content.body.split()),
        kind=kind,
    ))


# C0 and C1 control characters other than newline and tab. Raw ones are dropped when
# the tree is built, but character references (&#27;) come back as text; a terminal
# would run them as escape sequences when the record is shown.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(" {2,}")


def _without_controls(article: Article) -> Article:
    def clean(text: str | None) -> str | None:
        return _CONTROLS.sub("", text) if text else text

    def clean_all(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_CONTROLS.sub("", t) for t in texts)

    fields = (article.title, article.body, article.summary, *article.authors, *article.tags)
    texts = [*fields, *(s.heading + s.text for s in article.sections)]
    texts += [b.text + (b.section or "") for b in article.bullets]
    if not any(t and _CONTROLS.search(t) for t in texts):
        return article
    body = _SPACES.sub(" ", _CONTROLS.sub("", article.body))
    return replace(
        article,
        title=clean(article.title),
        body=body,
        word_count=len(body.split()),
        summary=clean(article.summary),
        authors=clean_all(article.authors),
        tags=clean_all(article.tags),
        sections=tuple(
            Section(_CONTROLS.sub("", s.heading), _CONTROLS.sub("", s.text))
            for s in article.sections
        ),
        bullets=tuple(
            Bullet(_CONTROLS.sub("", b.text), clean(b.section), b.depth) for b in article.bullets
        ),
    )


def _charset(headers: Mapping[str, str] | None) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == "content-type" and "charset=" in value.lower():
            return value.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'") or None
    return None


def _site(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    return host or None


def _shorten(text: str | None) -> str | None:
    if not text:
        return None
    if len(text) <= _SUMMARY_CHARS:
        return text
    cut = text[:_SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"
