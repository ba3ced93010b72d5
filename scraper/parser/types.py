"""Intermediate results of the parser stages (internal, but typed)."""

from __future__ import annotations

from dataclasses import dataclass

from scraper.models import Bullet, Section


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the page says about itself, from JSON-LD, meta tags, microdata and markup.

    Produced by :func:`scraper.parser.metadata.extract_metadata` before the content
    stage, which may prune the tree.
    """

    title: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    description: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    canonical_url: str | None = None
    site_name: str | None = None
    # isAccessibleForFree: false (or a known paywall marker) was found.
    paywalled: bool = False
    # JSON-LD @type of the main entity, or og:type ("NewsArticle", "article", "website"...).
    page_type: str | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """The main text of the page, with its structure and the numbers used to classify it."""

    body: str = ""
    sections: tuple[Section, ...] = ()
    bullets: tuple[Bullet, ...] = ()
    # First real paragraph of the body (summary fallback).
    lead: str | None = None
    # Signals for page-kind classification.
    paragraphs: int = 0
    text_chars: int = 0
    link_density: float = 0.0
