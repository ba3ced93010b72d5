"""What kind of page this is: article, listing, empty, paywalled or error (soft 404).

Runs after the content stage, on its numbers and on the pruned tree, so page furniture
(menus, sidebars, related boxes) no longer counts. The order of the checks matters: an
error page is also short, and a paywalled teaser is also short.
"""

from __future__ import annotations

import re

from lxml import etree

from scraper.models import PageKind
from scraper.parser.jsonld import ARTICLE_TYPES
from scraper.parser.types import Content, Metadata

__all__ = ["classify"]

# Soft-404 titles in the languages we see most. Matched against <title>, og/JSON-LD title
# and the page's h1.
_NOT_FOUND = re.compile(
    r"\b404\b|page not found|not found|page (?:does not|doesn't) exist|no longer available"
    r"|seite nicht gefunden|seite wurde nicht gefunden|nicht gefunden|existiert nicht"
    r"|страница не найдена|ничего не найдено|page introuvable|page non trouvée"
    r"|página no encontrada|pagina non trovata|nie znaleziono|strona nie istnieje"
    r"|sivua ei löytynyt|sayfa bulunamadı|сторінку не знайдено",
    re.IGNORECASE,
)
# The schema.org article types the metadata stage recognizes, plus og:type-style
# "posting" values some CMSs emit.
_ARTICLE_TYPES = ARTICLE_TYPES | {"posting"}
_LISTING_TYPES = frozenset(
    {"website", "collectionpage", "itemlist", "searchresultspage", "blog", "profilepage", "webpage"}
)
_EMPTY_CHARS = 100
_ERROR_MAX_CHARS = 1000
_PAYWALL_MAX_CHARS = 2000
_TEASERS_MIN = 6


def classify(tree: etree._Element, meta: Metadata, content: Content, url: str | None) -> PageKind:
    """Say what the page is: ``article``, ``listing``, ``empty``, ``paywalled`` or ``error``."""
    chars = content.text_chars
    if chars < _ERROR_MAX_CHARS and _looks_not_found(tree, meta):
        return "error"
    if meta.paywalled and chars < _PAYWALL_MAX_CHARS:
        return "paywalled"
    if chars < _EMPTY_CHARS:
        return "empty"
    if _looks_listing(tree, meta, content):
        return "listing"
    return "article"


def _looks_not_found(tree: etree._Element, meta: Metadata) -> bool:
    titles = [meta.title or ""]
    title_el = tree.find(".//title")
    if title_el is not None:
        titles.append("".join(title_el.itertext()))
    for h1 in tree.iter("h1"):
        titles.append("".join(h1.itertext()))
        break
    return any(t and len(t) < 150 and _NOT_FOUND.search(t) for t in titles)


def _looks_listing(tree: etree._Element, meta: Metadata, content: Content) -> bool:
    page_type = (meta.page_type or "").lower()
    teasers = _teaser_count(tree)
    if page_type in _ARTICLE_TYPES and content.paragraphs >= 3:
        return False
    if content.link_density >= 0.5 and content.paragraphs < 5:
        return True
    if teasers >= _TEASERS_MIN and teasers >= 2 * content.paragraphs:
        return True
    return (
        page_type in _LISTING_TYPES
        and not meta.published
        and (teasers >= _TEASERS_MIN // 2 or content.paragraphs < 2)
    )


def _teaser_count(tree: etree._Element) -> int:
    """Headings that are links to other pages, and repeated ``<article>`` cards."""
    body = tree.find("body")
    top = body if body is not None else tree
    linked = 0
    for h in top.iter("h2", "h3", "h4"):
        for a in h.iter("a"):
            href = a.get("href") or ""
            if href and not href.startswith("#"):
                linked += 1
                break
    cards = sum(1 for _ in top.iter("article"))
    return max(linked, cards if cards >= 3 else 0)
