"""schema.org microdata (``itemprop``) of the main article only.

Related posts often carry their own Article microdata, and themes hide a second copy of
the fields (sometimes with unusable dates), so properties are read only from the chosen
article itemscope and never from nested items other than the author.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html
from lxml import etree

__all__ = ["Microdata", "read_microdata"]

_PROPS = etree.XPath(".//*[@itemprop]")


@dataclass(frozen=True, slots=True)
class Microdata:
    """Raw property values (dates still unparsed) of one Article itemscope."""

    headline: str | None = None
    published: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    language: str | None = None
    image: str | None = None


def _value(el: lxml.html.HtmlElement) -> str:
    tag = el.tag
    if tag == "meta":
        return el.get("content") or ""
    if tag == "time":
        return el.get("datetime") or el.text_content()
    if el.get("content"):
        return el.get("content") or ""
    return el.text_content()


def _owner(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The itemscope a property belongs to (its nearest itemscope ancestor)."""
    node = el.getparent()
    while node is not None:
        if node.get("itemscope") is not None:
            return node
        node = node.getparent()
    return None


def _person_name(el: lxml.html.HtmlElement) -> str:
    if el.get("itemscope") is None:
        return " ".join(_value(el).split())
    for prop in _PROPS(el):
        if "name" in (prop.get("itemprop") or "").split() and _owner(prop) is el:
            return " ".join(_value(prop).split())
    return ""


def read_microdata(scope: lxml.html.HtmlElement) -> Microdata:
    """Read headline, dates, authors and language owned by the ``scope`` itemscope."""
    headline: str | None = None
    published: list[str] = []
    modified: list[str] = []
    authors: list[str] = []
    language: str | None = None
    image: str | None = None
    for el in _PROPS(scope):
        props = (el.get("itemprop") or "").split()
        owner = _owner(el)
        if owner is not scope:
            continue
        for prop in props:
            if prop == "headline" and headline is None:
                text = " ".join(_value(el).split())
                headline = text or None
            elif prop in ("datePublished", "dateCreated"):
                published.append(_value(el).strip())
            elif prop == "dateModified":
                modified.append(_value(el).strip())
            elif prop in ("author", "creator"):
                name = _person_name(el)
                if name:
                    authors.append(name)
            elif prop == "inLanguage" and language is None:
                language = _value(el).strip() or None
            elif prop in ("image", "thumbnailUrl") and image is None:
                image = _link(el)
    return Microdata(headline, tuple(published), tuple(modified), tuple(authors), language, image)


def _link(el: lxml.html.HtmlElement) -> str | None:
    """A URL-valued property: ``src``/``href``/``content``, or the text itself."""
    if el.get("itemscope") is not None:
        for prop in _PROPS(el):
            if "url" in (prop.get("itemprop") or "").split():
                return _link(prop)
        return None
    value = el.get("src") or el.get("href") or el.get("content") or el.text_content()
    value = value.strip() if value else ""
    return value if value and " " not in value else None
