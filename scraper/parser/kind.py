"""Page-kind classification (placeholder until the real classifier lands)."""

from __future__ import annotations

import lxml.html

from scraper.models import PageKind
from scraper.parser.types import Content, Metadata


def classify(
    tree: lxml.html.HtmlElement, meta: Metadata, content: Content, url: str | None
) -> PageKind:
    """Say what the page is: article, listing, empty, paywalled or error."""
    if content.text_chars < 100:
        return "empty"
    return "article"
