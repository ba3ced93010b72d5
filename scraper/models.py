"""Frozen records that cross module boundaries.

Dicts appear only at the JSON and SQLite edges (``to_dict`` / ``from_dict``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

PageKind = Literal["article", "listing", "empty", "paywalled", "error"]
PAGE_KINDS: tuple[str, ...] = ("article", "listing", "empty", "paywalled", "error")


@dataclass(frozen=True, slots=True)
class Section:
    """A headed part of the article: a ``h2``-``h4`` heading or a bold lead-in."""

    heading: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"heading": self.heading, "text": self.text}


@dataclass(frozen=True, slots=True)
class Bullet:
    """One list item or pseudo-bullet paragraph, marker removed.

    ``section`` is the heading of the section it belongs to (None before the first
    heading); ``depth`` is 0 for top-level items and grows with list nesting.
    """

    text: str
    section: str | None = None
    depth: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "section": self.section, "depth": self.depth}


@dataclass(frozen=True, slots=True)
class Article:
    """The record of one page: what ``scraper parse`` prints and the archive stores."""

    url: str | None
    canonical_url: str | None
    site: str | None
    title: str | None
    published: str | None
    modified: str | None
    authors: tuple[str, ...]
    language: str | None
    summary: str | None
    body: str
    sections: tuple[Section, ...]
    bullets: tuple[Bullet, ...]
    tags: tuple[str, ...]
    image: str | None
    word_count: int
    kind: PageKind = "article"

    def to_dict(self) -> dict[str, Any]:
        """The JSON record, keys in the documented order."""
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "site": self.site,
            "title": self.title,
            "published": self.published,
            "modified": self.modified,
            "authors": list(self.authors),
            "language": self.language,
            "summary": self.summary,
            "body": self.body,
            "sections": [s.to_dict() for s in self.sections],
            "bullets": [b.to_dict() for b in self.bullets],
            "tags": list(self.tags),
            "image": self.image,
            "word_count": self.word_count,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Article:
        """Rebuild a record from its JSON form (archive rows, revisions)."""
        return cls(
            url=data.get("url"),
            canonical_url=data.get("canonical_url"),
            site=data.get("site"),
            title=data.get("title"),
            published=data.get("published"),
            modified=data.get("modified"),
            authors=tuple(data.get("authors") or ()),
            language=data.get("language"),
            summary=data.get("summary"),
            body=data.get("body") or "",
            sections=tuple(
                Section(heading=s["heading"], text=s.get("text", ""))
                for s in data.get("sections") or ()
            ),
            bullets=tuple(
                Bullet(text=b["text"], section=b.get("section"), depth=int(b.get("depth", 0)))
                for b in data.get("bullets") or ()
            ),
            tags=tuple(data.get("tags") or ()),
            image=data.get("image"),
            word_count=int(data.get("word_count") or 0),
            kind=data.get("kind") or "article",
        )


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched response, decoded.

    ``url`` is what was asked for, ``final_url`` where redirects ended. ``content`` is
    the raw (decompressed) body; ``text`` is it decoded with ``encoding``.
    ``not_modified`` is True for a 304 answer to a conditional GET (then ``content``
    is empty and the stored copy is still current).
    """

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    text: str
    encoding: str | None
    elapsed_ms: int
    fetched_at: str
    redirects: tuple[str, ...] = ()
    not_modified: bool = False

    @property
    def etag(self) -> str | None:
        return _header(self.headers, "etag")

    @property
    def last_modified(self) -> str | None:
        return _header(self.headers, "last-modified")

    @property
    def content_type(self) -> str | None:
        return _header(self.headers, "content-type")


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """One request outcome for the ``fetches`` log (success or failure)."""

    url: str
    status: int | None
    error: str | None
    bytes: int
    elapsed_ms: int
    at: str
    final_url: str | None = None
    kind: str | None = None
    source: str | None = None
    outcome: str | None = None  # new / updated / unchanged / failed / skipped / not_modified

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "error": self.error,
            "bytes": self.bytes,
            "elapsed_ms": self.elapsed_ms,
            "at": self.at,
            "kind": self.kind,
            "source": self.source,
            "outcome": self.outcome,
        }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that works on plain dicts too."""
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


__all__ = ["PAGE_KINDS", "Article", "Bullet", "FetchOutcome", "Page", "PageKind", "Section"]

