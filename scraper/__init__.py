"""News scraper and archiver: fetch pages politely, parse them into records, keep them in SQLite."""

from __future__ import annotations

__version__ = "0.1.0"

from scraper.errors import ScraperError
from scraper.models import Article, Bullet, Page, Section

__all__ = ["Article", "Bullet", "Page", "ScraperError", "Section", "__version__", "parse"]


def parse(html: str | bytes, url: str | None = None) -> Article:
    """Parse one page into a record (see :func:`scraper.parser.parse`)."""
    from scraper.parser import parse as _parse

    return _parse(html, url)
