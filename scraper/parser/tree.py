"""Build an lxml tree from whatever bytes or text a page gave us, without failing."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from scraper.errors import ParseError

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Control characters that libxml2 rejects (tab, newline and carriage return are fine).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def to_text(html: str | bytes, http_charset: str | None = None) -> str:
    """Decode raw page bytes (BOM, meta charset, detection); pass text through."""
    if isinstance(html, str):
        return html
    from scraper.encoding import decode_html

    text, _encoding = decode_html(html, http_charset)
    return text


def build_tree(html: str | bytes, http_charset: str | None = None) -> lxml.html.HtmlElement:
    """Return the root ``<html>`` element; an empty document gives an empty ``<html>``.

    lxml refuses text that still carries an XML encoding declaration, and NUL or other
    control characters, so both are removed first. Raises :class:`ParseError` only for
    input that is not text at all.
    """
    if not isinstance(html, str | bytes):
        raise ParseError(f"expected HTML as str or bytes, got {type(html).__name__}")
    text = to_text(html, http_charset)
    text = _CONTROL.sub("", _XML_DECL.sub("", text, count=1))
    if not text.strip():
        return lxml.html.Element("html")
    parser = lxml.html.HTMLParser(recover=True, remove_comments=True, huge_tree=False)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return lxml.html.Element("html")
    if root is None:
        return lxml.html.Element("html")
    return root
