"""JSON-LD: lenient loading and picking the page's own article entity.

Real pages ship broken JSON-LD (trailing commas, raw control characters, HTML comments,
CDATA wrappers, several objects in one script), nest the article in ``@graph`` or
``mainEntity``, and list related items, breadcrumbs and the publisher next to it. This
module tolerates the first and sorts out the second.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import lxml.html

__all__ = ["ARTICLE_TYPES", "LdArticle", "find_article", "is_jsonld", "load_blocks", "read_article"]

_WRAPPERS = re.compile(r"<!--|-->|<!\[CDATA\[|\]\]>|^\s*//.*$", re.MULTILINE)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_BAD_ESCAPE = re.compile(r"\\(?![\"\\/bfnrtu])")

#: schema.org types whose entity is the article itself.
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "liveblogposting",
        "socialmediaposting",
        "discussionforumposting",
        "techarticle",
        "scholarlyarticle",
        "report",
        "satiricalarticle",
        "advertisercontentarticle",
        "medicalscholarlyarticle",
    }
)
# Entities that describe the page when no article entity exists (recipes, plain pages).
_FALLBACK_TYPES = frozenset(
    {
        "recipe",
        "webpage",
        "itempage",
        "howto",
        "review",
        "videoobject",
        "event",
        "blog",
        "creativework",
    }
)
# Keys under which nested entities belong to the same article (not to other items).
_DESCEND = ("@graph", "mainEntity", "mainentity")


@dataclass(frozen=True, slots=True)
class LdArticle:
    """The fields of the chosen entity, already reduced to plain strings."""

    type: str | None = None
    headline: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    image: str | None = None
    description: str | None = None
    language: str | None = None
    free: bool | None = None
    publisher: str | None = None
    url: str | None = None
    # Every datePublished/dateCreated of any entity, to recover a local UTC offset.
    all_dates: tuple[str, ...] = ()


def _loads(text: str) -> list[Any]:
    """Parse one script's text, repairing the usual breakage; several objects allowed."""
    text = text.strip()
    if not text:
        return []
    try:
        return [json.loads(text, strict=False)]
    except ValueError:
        pass
    text = _WRAPPERS.sub("", text).strip().rstrip(";")
    text = _TRAILING_COMMA.sub(r"\1", text)
    try:
        return [json.loads(text, strict=False)]
    except ValueError:
        pass
    text = _BAD_ESCAPE.sub("", text)
    decoder = json.JSONDecoder(strict=False)
    out: list[Any] = []
    pos, end = 0, len(text)
    while pos < end:
        while pos < end and text[pos] in " \t\r\n,;":
            pos += 1
        if pos >= end:
            break
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except ValueError:
            break
        out.append(obj)
    return out


def is_jsonld(script: lxml.html.HtmlElement) -> bool:
    """Whether a ``<script>`` element holds JSON-LD."""
    return "ld+json" in (script.get("type") or "").lower()


def load_blocks(scripts: Iterable[str]) -> list[Any]:
    """Every JSON-LD object in these script texts, parsed leniently (broken ones skipped)."""
    out: list[Any] = []
    for text in scripts:
        out.extend(_loads(text or ""))
    return out


def _types(node: dict[str, Any]) -> list[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return [
        v.rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip().lower()
        for v in values
        if isinstance(v, str)
    ]


def _walk(obj: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Entities in document order, following only lists, @graph and mainEntity."""
    if depth > 6:
        return
    if isinstance(obj, list):
        for item in obj:
            yield from _walk(item, depth + 1)
    elif isinstance(obj, dict):
        yield obj
        for key in _DESCEND:
            if key in obj:
                yield from _walk(obj[key], depth + 1)


def _index(obj: Any, ids: dict[str, dict[str, Any]], depth: int = 0) -> None:
    """Map every ``@id`` to its fullest entity, to resolve ``{"@id": ...}`` references."""
    if depth > 12:
        return
    if isinstance(obj, list):
        for item in obj:
            _index(item, ids, depth + 1)
    elif isinstance(obj, dict):
        ident = obj.get("@id")
        if isinstance(ident, str) and len(obj) > 1:
            prev = ids.get(ident)
            if prev is None or len(obj) > len(prev):
                ids[ident] = obj
        for value in obj.values():
            if isinstance(value, list | dict):
                _index(value, ids, depth + 1)


def find_article(
    blocks: list[Any], *, page_url: str | None = None
) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
    """The entity that describes the page's own article, and the ``@id`` index.

    Article types win over fallback types (Recipe, WebPage); among several articles the
    one whose ``url`` / ``@id`` / ``mainEntityOfPage`` names the page wins, else the first.
    """
    ids: dict[str, dict[str, Any]] = {}
    _index(blocks, ids)
    articles: list[dict[str, Any]] = []
    fallbacks: list[dict[str, Any]] = []
    for ent in _walk(blocks):
        types = _types(ent)
        if any(t in ARTICLE_TYPES for t in types):
            articles.append(ent)
        elif any(t in _FALLBACK_TYPES for t in types):
            fallbacks.append(ent)
    if not articles:
        best = [f for f in fallbacks if f.get("datePublished") or f.get("author")]
        return (best[0] if best else (fallbacks[0] if fallbacks else None)), ids
    if len(articles) > 1 and page_url:
        key = _url_key(page_url)
        for ent in articles:
            for field in ("url", "@id", "mainEntityOfPage"):
                val = ent.get(field)
                if isinstance(val, dict):
                    val = val.get("@id") or val.get("url")
                if isinstance(val, str) and key and _url_key(val) == key:
                    return ent, ids
    with_headline = [a for a in articles if a.get("headline") or a.get("name")]
    return (with_headline or articles)[0], ids


def _url_key(url: str) -> str:
    url = url.split("#", 1)[0].split("?", 1)[0]
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/").lower()


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = html.unescape(value)
    value = " ".join(value.split())
    return value or None


def _resolve(value: Any, ids: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
        return ids.get(value["@id"], value)
    return value


def _names(value: Any, ids: dict[str, dict[str, Any]]) -> list[str]:
    """Author names from a Person/Organization/list/string, never URLs."""
    value = _resolve(value, ids)
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(_names(item, ids))
        return out
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            return [n for n in (_text(x) for x in name) if n]
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName') or ''} {value.get('familyName') or ''}"
        text = _text(name)
        return [text] if text else []
    text = _text(value)
    return [text] if text else []


def _image(value: Any, ids: dict[str, dict[str, Any]]) -> str | None:
    value = _resolve(value, ids)
    if isinstance(value, list):
        for item in value:
            found = _image(item, ids)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return _text(value.get("url") or value.get("contentUrl") or value.get("@id"))
    return _text(value)


def _keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(_keywords(item))
        return out
    if isinstance(value, dict):
        value = value.get("name")
    if not isinstance(value, str):
        return []
    return [k.strip() for k in value.split(",") if k.strip()]


def _free(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("false", "no", "0"):
            return False
        if low in ("true", "yes", "1"):
            return True
    return None


def read_article(scripts: Iterable[str], *, page_url: str | None = None) -> LdArticle | None:
    """Read the page's article entity from JSON-LD script texts (``None`` if none)."""
    blocks = load_blocks(scripts)
    if not blocks:
        return None
    ent, ids = find_article(blocks, page_url=page_url)
    if ent is None:
        return None
    types = _types(ent)
    publisher = _resolve(ent.get("publisher"), ids)
    pub_names = _names(publisher, ids) if publisher else []
    free = _free(ent.get("isAccessibleForFree"))
    part = ent.get("hasPart")
    if free is None and isinstance(part, dict | list):
        parts = part if isinstance(part, list) else [part]
        if any(isinstance(p, dict) and _free(p.get("isAccessibleForFree")) is False for p in parts):
            free = False
    all_dates = tuple(
        d
        for e in _walk(blocks)
        for key in ("datePublished", "dateCreated")
        if (d := _text(e.get(key)))
    )
    headline = _text(ent.get("headline")) or _text(ent.get("name"))
    language = _text(ent.get("inLanguage"))
    return LdArticle(
        type=_raw_type(ent),
        headline=headline,
        published=_text(ent.get("datePublished"))
        or _text(ent.get("dateCreated"))
        or (_text(ent.get("uploadDate")) if "videoobject" in types else None),
        modified=_text(ent.get("dateModified")),
        authors=tuple(_names(ent.get("author") or ent.get("creator"), ids)),
        keywords=tuple(_keywords(ent.get("keywords"))),
        image=_image(ent.get("image") or ent.get("thumbnailUrl"), ids),
        description=_text(ent.get("description")),
        language=language,
        free=free,
        publisher=pub_names[0] if pub_names else None,
        url=_text(ent.get("url")),
        all_dates=all_dates,
    )


def _raw_type(ent: dict[str, Any]) -> str | None:
    raw = ent.get("@type")
    if isinstance(raw, list):
        raw = next((r for r in raw if isinstance(r, str)), None)
    if not isinstance(raw, str):
        return None
    return raw.rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip() or None
