"""The article title: headline metadata, the article's ``<h1>`` and ``<title>`` reconciled.

``<title>`` and often ``og:title`` carry the site name (" | Site", " - Site",
"Site | Title"). The ``<h1>`` is the cleanest source when it agrees with the metadata;
when it does not (a logo h1, a section name), the metadata headline wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["choose_title", "strip_site_name"]

_SEP = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|«|/|:)\s+|\s*(?:\||::|»|«)\s*")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold().strip(" .:!?\"'«»“”„")


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text or None


def strip_site_name(title: str, site_names: Sequence[str] = ()) -> str:
    """Remove a site-name part from the start or end of a document title.

    A part equal to (or contained in) a known site name or the host name goes first;
    otherwise, with one separator, the shorter side is taken as the site name when it
    is clearly shorter.
    """
    parts = _split(title)
    if len(parts) < 2:
        return title
    sites = [_norm(s) for s in site_names if s and _norm(s)]

    def is_site(part: str) -> bool:
        p = _norm(part)
        if not p:
            return True
        for s in sites:
            compact_p, compact_s = p.replace(" ", ""), s.replace(" ", "")
            if p == s or compact_p == compact_s or (
                len(p) >= 3 and (compact_p in compact_s or compact_s in compact_p)
                and len(p) <= len(s) + 12
            ):
                return True
        return False

    # Drop site-name parts from both ends.
    while len(parts) > 1 and is_site(parts[-1][0]):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0][0]):
        parts.pop(0)
    if len(parts) == 1:
        return parts[0][0]
    if not sites or len(parts) == len(_split(title)):
        # No known site name matched: cut the last part when it is much shorter.
        first, last = parts[0][0], parts[-1][0]
        if len(parts) == 2 and len(last.split()) <= 4 and len(last) * 2 < len(first):
            parts.pop()
        elif len(parts) == 2 and len(first.split()) <= 3 and len(first) * 2 < len(last):
            parts.pop(0)
        elif len(parts) > 2 and len(last.split()) <= 4:
            parts.pop()
    start = parts[0][1]
    end = parts[-1][2]
    return title[start:end].strip()


def _split(title: str) -> list[tuple[str, int, int]]:
    """Parts of a title between separators, with their character spans."""
    parts: list[tuple[str, int, int]] = []
    pos = 0
    for m in _SEP.finditer(title):
        parts.append((title[pos:m.start()], pos, m.start()))
        pos = m.end()
    parts.append((title[pos:], pos, len(title)))
    return [p for p in parts if p[0].strip()]


def choose_title(
    *,
    headline: str | None,
    og_title: str | None,
    h1: str | None,
    doc_title: str | None,
    other: Sequence[str | None] = (),
    site_names: Sequence[str] = (),
) -> str | None:
    """Pick the title from the candidates (already whitespace-normalised or raw)."""
    headline, og_title, h1, doc_title = (
        _clean(headline), _clean(og_title), _clean(h1), _clean(doc_title)
    )
    others = [c for c in (_clean(o) for o in other) if c]
    sites = [s for s in site_names if s]
    site_keys = {_norm(s) for s in sites}
    meta = [c for c in (headline, og_title, *others, doc_title) if c]
    if h1 and _norm(h1) not in site_keys and len(h1) < 400:
        h = _norm(h1)
        for cand in meta:
            c = _norm(cand)
            if c == h or (len(h) >= 10 and (c.startswith(h) or c.endswith(h) or h in c)):
                return h1
            if len(c) >= 10 and h.startswith(c):
                return h1
    for option in (headline, og_title, *others):
        if option and _norm(option) not in site_keys:
            return strip_site_name(option, sites) if option is not headline else option
    if doc_title:
        stripped = strip_site_name(doc_title, sites)
        if h1 and _norm(stripped) not in site_keys and _norm(h1) not in site_keys:
            return stripped
        return stripped if _norm(stripped) not in site_keys else (h1 or stripped)
    return h1
