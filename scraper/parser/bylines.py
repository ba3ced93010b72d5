"""Author names from visible markup, when the metadata names nobody.

Two sources, in order: elements marked as bylines (``rel=author``, ``itemprop=author``,
classes with "author"/"byline"/"autor"), then a "By Jane Doe" line right after the
article's heading (old layouts that mark nothing up).
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from scraper.parser.authors import clean_authors
from scraper.parser.datefind import text_after, visible_text
from scraper.parser.scope import Scope

__all__ = ["markup_authors"]

_BYLINE = etree.XPath(
    ".//*[@rel='author' or @itemprop='author' or (@class and (contains(@class, 'uthor')"
    " or contains(@class, 'utor') or contains(@class, 'yline')))]"
)
_BYLINE_SKIP = re.compile(
    r"avatar|image|img|photo|bio|description|about|box|social|share|more|follow|comment",
    re.IGNORECASE,
)
_TEXT_BYLINE = re.compile(
    r"(?:^|[\s|·•,(])(?:By|BY|Von|VON|Par|Por|Door|Av|Автор:?|Від)\s+"
    r"((?:[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄ][\w'’.\-]+)(?:[ \t]+(?:[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄ][\w'’.\-]+|van|von|de|der"
    r"|da|di|la|le)){1,3})"
)


def markup_authors(
    tree: lxml.html.HtmlElement, h1s: list[lxml.html.HtmlElement], scope: Scope
) -> tuple[str, ...]:
    """Names from byline markup, else from a "By …" text line near the heading."""
    return _byline_authors(tree, scope) or _text_byline(tree, h1s, scope)


def _byline_authors(tree: lxml.html.HtmlElement, scope: Scope) -> tuple[str, ...]:
    """Names from visible byline markup (``rel=author``, ``.author``, ``.byline``)."""
    inside: list[str] = []
    outside: list[str] = []
    candidates = _BYLINE(scope.element) if scope.element is not None else []
    if not candidates:
        candidates = _BYLINE(tree)
    for el in candidates:
        if el.tag in ("meta", "link", "img", "script", "style", "body", "html", "article"):
            continue
        attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
        if _BYLINE_SKIP.search(attrs) or scope.excluded(el):
            continue
        text = " ".join(el.text_content().split())
        if not text or len(text) > 120:
            continue
        names = clean_authors([_cut_at_date(text)])
        if not names:
            continue
        (inside if scope.contains(el) else outside).extend(names)
        if len(inside) >= 1:
            break
    return clean_authors(inside or outside, split=False)


_DATE_CUT = re.compile(r"\s(?:on|am|le|el|il|в|dnia|\d{1,2}[./]|\d{4}|—|–|\|)\s.*$|\s+\d.*$")


def _text_byline(
    tree: lxml.html.HtmlElement, h1s: list[lxml.html.HtmlElement], scope: Scope
) -> tuple[str, ...]:
    """A "By Jane Doe" line right after the article's h1, or at the start of the text
    when there is no h1 (old table layouts)."""
    h1 = next((h for h in h1s if scope.contains(h)), h1s[0] if h1s else None)
    if h1 is not None:
        text = text_after(h1, scope, 300, lines=True)
    else:
        body = tree.find("body")
        root = scope.element if scope.element is not None else body
        if root is None:
            root = tree
        text = visible_text(root, scope, 1500, lines=True)
    m = _TEXT_BYLINE.search(text)
    return clean_authors([m.group(1)]) if m else ()


def _cut_at_date(text: str) -> str:
    return _DATE_CUT.sub("", text)
