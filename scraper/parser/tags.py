"""Article tags: ``article:tag``, JSON-LD keywords, visible tag links, keyword metas.

The first source that gives any tag wins, because mixing them mostly adds the site-wide
SEO keyword list to the editor's tags. Hidden copies (``display:none`` microdata) and
tag clouds outside the article are not the article's tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import lxml.html
from lxml import etree

from scraper.parser.jsonld import LdArticle
from scraper.parser.scope import Scope

__all__ = ["MAX_TAGS", "extract_tags", "split_tags"]

#: Upper bound on tags per article.
MAX_TAGS = 50
# More visible tag links than this is a tag cloud, not an article's tag list.
_MAX_LINK_TAGS = 30
_TAG_META_KEYS = ("news_keywords", "parsely-tags", "sailthru.tags")
_REL_TAGS = etree.XPath(".//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TAG_HINT = re.compile(r"/(?:ta|to|sc|st|et|su|mo|te|ar|la|ме|те)", re.IGNORECASE)
# Links to a tag page: ".../tag/<slug>/" and its translations.
_TAG_HREF = re.compile(
    r"/(?:tag|tags|topic|topics|schlagwort|schlagworte|stichwort|stichworte|etiqueta|etiquetas"
    r"|sujet|sujets|mot-cle|mots-cles|tema|temas|argomento|tagged|label|labels|метка|тег|теги)"
    r"/[^/?#]+/?(?:[?#].*)?$",
    re.IGNORECASE,
)


def split_tags(values: Iterable[str]) -> tuple[str, ...]:
    """Split comma lists, trim, drop empty and over-long items, de-duplicate (any case).

    At most :data:`MAX_TAGS` are kept: beyond that a list is SEO padding.
    """
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        if len(out) >= MAX_TAGS:
            break
        for part in value.split(","):
            tag = " ".join(part.split()).strip("#")
            if tag and len(tag) <= 80 and tag.casefold() not in seen:
                seen.add(tag.casefold())
                out.append(tag)
    return tuple(out)


def _hidden(el: lxml.html.HtmlElement) -> bool:
    """Inside a block hidden from readers (``display:none``, ``hidden``)."""
    node: lxml.html.HtmlElement | None = el
    while node is not None:
        if node.get("hidden") is not None:
            return True
        style = node.get("style")
        if style and _DISPLAY_NONE.search(style):
            return True
        node = node.getparent()
    return False


def extract_tags(
    tree: lxml.html.HtmlElement,
    metas: Mapping[str, list[str]],
    ld: LdArticle | None,
    scope: Scope,
) -> tuple[str, ...]:
    """article:tag, then JSON-LD keywords, then visible rel=tag links, then keywords."""
    tags = split_tags(metas.get("article:tag", []))
    if tags:
        return tags
    if ld and ld.keywords:
        return split_tags(ld.keywords)
    root = scope.element if scope.element is not None else tree
    rel = [
        " ".join(a.text_content().split())
        for a in _REL_TAGS(root)
        if not scope.excluded(a) and not _hidden(a)
    ]
    tags = split_tags(t for t in rel if t)
    if tags:
        return tags
    for base in (root, tree) if root is not tree else (tree,):
        links = [
            " ".join(a.text_content().split())
            for a in base.iter("a")
            if _TAG_HINT.search(a.get("href") or "")
            and _TAG_HREF.search(a.get("href") or "")
            and not scope.excluded(a)
            and not _hidden(a)
        ]
        tags = split_tags(t for t in links if t and len(t) <= 50)
        if len(tags) > _MAX_LINK_TAGS:
            return ()  # a tag cloud or tag index page, not this article's tags
        if tags:
            return tags
    tags = split_tags(v for key in _TAG_META_KEYS for v in metas.get(key, []))
    if tags:
        return tags
    # Plain "keywords" is often one site-wide SEO list; trust it only on pages that
    # declare themselves articles.
    og_type = metas.get("og:type") or [""]
    is_article = ld is not None or og_type[0].lower() == "article"
    return split_tags(metas.get("keywords", [])) if is_article else ()
