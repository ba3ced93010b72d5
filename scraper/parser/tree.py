"""Build an lxml tree from whatever bytes or text a page gave us, without failing."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from scraper.errors import ParseError

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Control characters that libxml2 rejects or a terminal would obey (tab, newline and
# carriage return are fine); DEL and the C1 range never belong in text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Numeric character references (&#27; &#x1b;) decode to text after parsing, where the
# raw-character filter above can no longer see them.
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));?")
# As browsers do (WHATWG "numeric character reference end state"): references to
# 0x80-0x9F mean the windows-1252 character of that byte.
_C1_AS_CP1252 = {
    code: bytes([code]).decode("cp1252", errors="ignore") for code in range(0x80, 0xA0)
}


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
    if "&#" in text:
        text = _CHAR_REF.sub(_safe_reference, text)
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


def _safe_reference(match: re.Match[str]) -> str:
    """Drop references to control characters; keep every other reference as written."""
    hex_digits, dec_digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(dec_digits)
    if code in (0x09, 0x0A, 0x0D) or code > 0x10FFFF:
        return match.group(0)
    if 0x80 <= code <= 0x9F:
        return _C1_AS_CP1252[code]
    if code < 0x20 or code == 0x7F:
        return ""
    return match.group(0)
