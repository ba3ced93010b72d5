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


_DASHES = str.maketrans({"–": "-", "—": "-", "’": "'"})


def _norm(text: str) -> str:
    return " ".join(text.translate(_DASHES).split()).casefold().strip(" .:!?\"'«»“”„")


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text or None


def strip_site_name(title: str, site_names: Sequence[str] = (), *, guess: bool = True) -> str:
    """Remove a site-name part from the start or end of a document title.

    A part equal to (or contained in) a known site name or the host name goes first;
    otherwise, with one separator, the shorter side is taken as the site name when it
    is clearly shorter (only with ``guess``).
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
            if (
                p == s
                or compact_p == compact_s
                or (
                    len(p) >= 3
                    and (compact_p in compact_s or compact_s in compact_p)
                    and len(p) <= len(s) + 12
                )
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
    if guess and (not sites or len(parts) == len(_split(title))):
        # No known site name matched: cut the last part when it is much shorter, or
        # after a " | " (the conventional site separator) when it is not longer.
        first, last = parts[0][0], parts[-1][0]
        bar = title[parts[-2][2] : parts[-1][1]].strip() in ("|", "::", "»", "·")
        if (
            len(parts) == 2
            and len(last.split()) <= 4
            and (len(last) * 2 < len(first) or (bar and len(last) <= len(first)))
        ):
            parts.pop()
        elif (
            len(parts) == 2
            and len(first.split()) <= 3
            and len(first) * 2 < len(last)
            and title[parts[0][2] : parts[1][1]].strip() in ("|", "::", "»", "·")
        ):
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
        parts.append((title[pos : m.start()], pos, m.start()))
        pos = m.end()
    parts.append((title[pos:], pos, len(title)))
    return [p for p in parts if p[0].strip()]


def choose_title(
    *,
    headline: str | None,
    og_title: str | None,
    headings: Sequence[str],
    doc_title: str | None,
    trusted: str | None = None,
    subheadings: Sequence[str] = (),
    other: Sequence[str | None] = (),
    site_names: Sequence[str] = (),
) -> str | None:
    """Pick the title: a visible heading that the metadata confirms, else the metadata.

    ``headings`` are the page's h1 texts (article first) followed by title-like h2/h3
    texts; ``subheadings`` are the first plain h2s (blogs put the post title there when
    the h1 is the blog's name), used only when the metadata confirms them. A heading
    wins when it equals a metadata title, one of its separator-delimited parts, or a
    long prefix of it. A heading that equals the site-name part of ``<title>`` is the
    logo, not the title.
    """
    headline, og_title, doc_title = _clean(headline), _clean(og_title), _clean(doc_title)
    others = [c for c in (_clean(o) for o in other) if c]
    sites = [s for s in site_names if s]
    site_keys = {_norm(s) for s in sites}
    metas = [c for c in (headline, og_title, *others, doc_title) if c]
    full = {_norm(c) for c in metas}
    parts: set[str] = set()
    edge_parts: set[str] = set()
    for cand in (og_title, doc_title, *others):
        if not cand:
            continue
        split = [p[0] for p in _split(cand)]
        if len(split) > 1:
            parts.update(_norm(p) for p in split)
            edge_parts.update((_norm(split[0]), _norm(split[-1])))
    cleaned = [_clean(h) for h in headings]
    candidates = [h for h in cleaned if h and len(h) < 400 and _norm(h) not in site_keys]
    subs = [c for c in (_clean(h) for h in subheadings) if c and len(c) < 400]
    subs = [h for h in subs if _norm(h) not in site_keys and h not in candidates]
    for h in (*candidates, *subs):
        # A heading that is exactly a metadata title is confirmed twice over.
        if _norm(h) in full and _norm(h) not in parts:
            return h
    trusted = _clean(trusted)
    meta_titles = [c for c in (headline, og_title, *others, doc_title) if c]
    if trusted and _generic_label(trusted, meta_titles):
        trusted = None
    if (
        trusted
        and _norm(trusted) not in site_keys
        and len(trusted) < 300
        and not (trusted.endswith(":") and len(trusted) < 40)
    ):
        # An h1 that is "Kicker Headline" while the metadata says "Headline": the
        # kicker is a separate line for readers, so the metadata form wins.
        key = _norm(trusted)
        for cand in (headline, og_title, *others):
            c = _norm(cand) if cand else ""
            if cand and len(c) >= 10 and len(c) < len(key) and key.endswith(c):
                return cand
        return trusted
    first_h1 = candidates[0] if candidates else None
    for h in (*candidates, *subs):
        key = _norm(h)
        if not key:
            continue
        if key in full and key not in parts:
            return h
        if key in parts:
            # The heading is one part of "A | B": the title, unless the other parts of a
            # two-part title are longer and it is the repeated site name.
            if key in edge_parts and _is_logo(key, metas):
                continue
            return h
        for cand in metas:
            c = _norm(cand)
            if len(key) >= 10 and (c.startswith(key) or c.endswith(key)):
                return h
            if len(c) >= 10 and key.startswith(c):
                return h
    if headline and _norm(headline) not in site_keys:
        return strip_site_name(headline, sites, guess=False)
    for option in (og_title, *others, doc_title):
        if option and _norm(option) not in site_keys:
            stripped = strip_site_name(option, [*sites, *_logo_parts(candidates, metas)])
            if _norm(stripped) not in site_keys:
                return stripped
    return first_h1


def _generic_label(heading: str, metas: Sequence[str]) -> bool:
    """A one- or two-word h1 ("Hinweis", "More news") that no metadata title mentions
    is a box label, not the article's title."""
    if len(heading.split()) > 2 or not metas:
        return False
    key = _norm(heading)
    return not any(key in _norm(m) for m in metas)


def _is_logo(key: str, metas: Sequence[str]) -> bool:
    """Whether ``key`` is the site-name part of a multi-part metadata title."""
    for cand in metas:
        split = [_norm(p[0]) for p in _split(cand)]
        if len(split) > 1 and key in (split[0], split[-1]) and key != max(split, key=len):
            return True
    return False


def _logo_parts(headings: Sequence[str], metas: Sequence[str]) -> list[str]:
    return [h for h in headings[:1] if _is_logo(_norm(h), metas)]
