"""Main-content extraction (placeholder until the real extractor lands)."""

from __future__ import annotations

import lxml.html

from scraper.parser.types import Content, Metadata


def extract_content(tree: lxml.html.HtmlElement, url: str | None, meta: Metadata) -> Content:
    """Return the main text of the page (placeholder: all paragraphs)."""
    paras = [" ".join(p.text_content().split()) for p in tree.iter("p")]
    paras = [p for p in paras if p]
    body = "\n\n".join(paras)
    return Content(body=body, lead=paras[0] if paras else None, paragraphs=len(paras),
                   text_chars=len(body))
