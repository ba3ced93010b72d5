"""Publication and modification dates from the page markup (not from metadata).

Looked at in order of trust: ``<time datetime>`` elements, elements whose class or id
says "date" (``entry-date``, ``post-date``, ``byline``, ``meta`` …), then the text near
the article's heading. Blocks that are not the article (comments, related teasers,
sidebars, the page footer) are skipped, and a date introduced by "Updated" /
"Aktualisiert" / "Mis à jour" / "Обновлено" … counts as a modification.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import lxml.html
from lxml import etree

from scraper.parser.dates import find_dates, is_plausible, normalize_iso
from scraper.parser.scope import Scope, own_excluded

__all__ = ["MarkupDates", "find_markup_dates", "text_after", "visible_text"]

_DATEISH = etree.XPath(
    ".//*[@class][contains(@class, 'date') or contains(@class, 'Date')"
    " or contains(@class, 'time') or contains(@class, 'datum') or contains(@class, 'publi')"
    " or contains(@class, 'byline') or contains(@class, 'meta') or contains(@class, 'posted')"
    " or contains(@class, 'info') or contains(@class, 'author') or contains(@class, 'submitted')]"
)
_MODIFIED_ELEMENTS = etree.XPath(
    ".//*[@class][contains(@class, 'updated') or contains(@class, 'modified')"
    " or contains(@class, 'Updated') or contains(@class, 'aktualisiert')]"
)
_ITEMPROP_DATES = etree.XPath(
    ".//*[@itemprop='datePublished' or @itemprop='dateCreated' or @itemprop='dateModified']"
)
_CLASS_OK = re.compile(
    r"date|time|datum|fecha|publi|posted|byline|meta|dateline|info|created|submitted|zeit"
    r"|author",
    re.IGNORECASE,
)
_MODIFIED_CLASS = re.compile(r"updated|modified|aktualisiert|last-?edit|changed", re.IGNORECASE)
_PUBLISHED_CLASS = re.compile(r"publish|entry-date|post-date|created|pubdate", re.IGNORECASE)
_MODIFIED_WORDS = re.compile(
    r"\b(?:updated|last\s+modified|modified|edited|revised|aktualisiert|aktualisierung"
    r"|geändert|zuletzt\s+\w+|stand|mis\s+à\s+jour|actualis[ée]e?|modifi[ée]e?|actualizado"
    r"|actualización|aggiornato|aggiornamento|atualizado|atualização|bijgewerkt"
    r"|gewijzigd|обновлено|обновлен[оа]?|изменено|оновлено|zaktualizowano|aktualizacja"
    r"|päivitetty|güncellendi|güncelleme)\W{0,3}(?:\w+\W{1,3})?$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright|&copy;)\W*(?:\w+\W+){0,3}$", re.IGNORECASE)
_MAX_TEXT = 400
_NEAR_H1_CHARS = 1000
_SCAN_CHARS = 6000
_H1 = etree.XPath("//h1")


@dataclass(frozen=True, slots=True)
class MarkupDates:
    """Best visible publication and modification dates, and where the first came from."""

    published: str | None = None
    modified: str | None = None
    source: str | None = None


def _is_modified_context(before: str) -> bool:
    return bool(_MODIFIED_WORDS.search(before[-60:]))


def _text_dates(text: str, lang: str | None, now: datetime | None) -> list[tuple[str, bool]]:
    """(iso, is_modified) for each plausible date in a short text."""
    out: list[tuple[str, bool]] = []
    for f in find_dates(text, lang=lang):
        before = text[max(0, f.start - 60) : f.start]
        if _COPYRIGHT.search(before[-30:]):
            continue
        if not is_plausible(f.iso, now=now):
            continue
        out.append((f.iso, _is_modified_context(before)))
    return out


def _preceding_text(el: lxml.html.HtmlElement) -> str:
    """Up to ~60 characters of text right before ``el`` inside its parent."""
    parent = el.getparent()
    if parent is None:
        return ""
    chunks: list[str] = []
    prev = el.getprevious()
    while prev is not None and sum(len(c) for c in chunks) < 60:
        if prev.tail:
            chunks.append(prev.tail)
        chunks.append(prev.text_content())
        prev = prev.getprevious()
    if prev is None and parent.text:
        chunks.append(parent.text)
    return " ".join(reversed(chunks))[-60:]


def find_markup_dates(
    tree: lxml.html.HtmlElement,
    scope: Scope,
    *,
    lang: str | None = None,
    now: datetime | None = None,
    want_published: bool = True,
) -> MarkupDates:
    """Search the markup for the article's dates (first match of each kind wins).

    Elements inside the article scope are preferred over the rest of the page. With
    ``want_published=False`` (the metadata already gave it) only the cheap ``<time>``
    pass runs, to find a modification date.
    """
    pub_in: list[tuple[str, str]] = []
    pub_out: list[tuple[str, str]] = []
    mod: list[str] = []

    def add(iso: str, modified: bool, el: lxml.html.HtmlElement, source: str) -> None:
        if modified:
            mod.append(iso)
        elif scope.element is None or scope.contains(el):
            pub_in.append((iso, source))
        else:
            pub_out.append((iso, source))

    for el in _ITEMPROP_DATES(tree if scope.element is None else scope.element):
        if scope.excluded(el):
            continue
        raw = el.get("content") or el.get("datetime") or el.text_content()
        iso = normalize_iso(raw)
        if iso and is_plausible(iso, now=now, structured=True):
            add(iso, el.get("itemprop") == "dateModified", el, "itemprop")
    for el in tree.iter("time", "abbr"):
        if el.tag == "abbr" and not el.get("title"):
            continue
        if scope.excluded(el):
            continue
        cls = f"{el.get('class') or ''} {el.get('itemprop') or ''}"
        raw = el.get("datetime") or el.get("content") or el.get("title")
        iso = normalize_iso(raw) if raw else None
        if iso is None:
            text = el.text_content()
            found = _text_dates(text[:_MAX_TEXT], lang, now) if text else []
            iso = found[0][0] if found else None
        if iso is None or not is_plausible(iso, now=now):
            continue
        published_class = bool(_PUBLISHED_CLASS.search(cls))
        modified = not published_class and (
            bool(_MODIFIED_CLASS.search(cls)) or _is_modified_context(_preceding_text(el))
        )
        add(iso, modified, el, "time")
    if not mod and scope.element is not None:
        mod.extend(_modified_by_class(scope.element, scope, lang, now))
    if not want_published:
        return MarkupDates(None, mod[0] if mod else None, None)
    roots = [tree] if scope.element is None else [scope.element, tree]
    for root in roots:
        if pub_in or (pub_out and root is tree):
            break
        for el in _DATEISH(root):
            if el.tag in ("time", "html", "body", "script", "style", "meta", "link"):
                continue
            attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
            if not _CLASS_OK.search(attrs) or scope.excluded(el):
                continue
            text = el.text_content()
            if not text or len(text) > _MAX_TEXT * 2:
                continue
            found = _text_dates(text[:_MAX_TEXT], lang, now)
            if not found:
                continue
            class_modified = bool(_MODIFIED_CLASS.search(attrs))
            for iso, modified in found:
                add(iso, modified or class_modified, el, "class")
            if pub_in or pub_out:
                break
    if not pub_in and not pub_out:
        near = _near_heading(tree, scope, lang, now)
        if near:
            iso, modified = near
            if modified:
                mod.append(iso)
            else:
                pub_in.append((iso, "text"))
    best = (pub_in or pub_out)[0] if (pub_in or pub_out) else None
    return MarkupDates(
        best[0] if best else None, mod[0] if mod else None, best[1] if best else None
    )


def _modified_by_class(
    root: lxml.html.HtmlElement, scope: Scope, lang: str | None, now: datetime | None
) -> list[str]:
    """Dates in elements whose class says "updated"/"modified" (outside comments etc.)."""
    for el in _MODIFIED_ELEMENTS(root):
        if el.tag in ("body", "html", "article") or scope.excluded(el):
            continue
        text = el.get("datetime") or el.get("title") or el.text_content()
        if not text or len(text) > _MAX_TEXT:
            continue
        iso = normalize_iso(text) if el.tag in ("time", "abbr") else None
        if iso is None:
            found = _text_dates(text, lang, now)
            iso = found[0][0] if found else None
        if iso and is_plausible(iso, now=now):
            return [iso]
    return []


_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "select",
        "option",
        "button",
        "iframe",
        "textarea",
        "head",
        "title",
        "meta",
        "link",
        "figure",
        "figcaption",
    }
)


def _collect_text(
    el: lxml.html.HtmlElement, out: list[str], budget: list[int], page_level: bool
) -> None:
    """Append the visible text of ``el`` (without its tail) while the budget lasts."""
    if budget[0] <= 0:
        return
    tag = el.tag
    if not isinstance(tag, str) or tag in _SKIP_TAGS or own_excluded(el, page_level):
        return
    if el.text:
        out.append(el.text)
        budget[0] -= len(el.text)
    for child in el:
        if budget[0] <= 0:
            return
        _collect_text(child, out, budget, page_level)
        if child.tail:
            out.append(child.tail)
            budget[0] -= len(child.tail)


def text_after(el: lxml.html.HtmlElement, scope: Scope, limit: int, *, lines: bool = False) -> str:
    """Visible text that follows ``el`` in document order, about ``limit`` characters.

    With ``lines=True`` the text nodes stay on separate lines (for line-bound patterns
    like bylines); otherwise all whitespace is collapsed to single spaces.
    """
    out: list[str] = []
    budget = [limit]
    if el.tail:
        out.append(el.tail)
        budget[0] -= len(el.tail)
    node: lxml.html.HtmlElement | None = el
    while node is not None and budget[0] > 0:
        for sib in node.itersiblings():
            if budget[0] <= 0:
                break
            if isinstance(sib.tag, str) and not scope.excluded(sib):
                _collect_text(sib, out, budget, not scope.contains(sib))
            if sib.tail:
                out.append(sib.tail)
                budget[0] -= len(sib.tail)
        node = node.getparent()
        if node is not None and node.tag == "body":
            break
    if lines:
        return "\n".join(" ".join(chunk.split()) for chunk in out if chunk.strip())
    return " ".join(" ".join(out).split())


def _text_before(el: lxml.html.HtmlElement, scope: Scope, limit: int) -> str:
    """Visible text of the siblings right before ``el`` (same parent), nearest last."""
    chunks: list[str] = []
    size = 0
    for sib in el.itersiblings(preceding=True):
        if size > limit:
            break
        if sib.tail:
            chunks.append(sib.tail)
        if isinstance(sib.tag, str) and not scope.excluded(sib):
            out: list[str] = []
            _collect_text(sib, out, [limit], not scope.contains(sib))
            text = " ".join(out)
            chunks.append(text)
            size += len(text)
    parent = el.getparent()
    if parent is not None and parent.text:
        chunks.append(parent.text)
    return " ".join(" ".join(reversed(chunks)).split())[-limit:]


def visible_text(
    root: lxml.html.HtmlElement, scope: Scope, limit: int, *, lines: bool = False
) -> str:
    """About ``limit`` characters of the visible text of ``root`` (boilerplate skipped)."""
    out: list[str] = []
    _collect_text(root, out, [limit], scope.element is None)
    if lines:
        return "\n".join(" ".join(chunk.split()) for chunk in out if chunk.strip())
    return " ".join(" ".join(out).split())


def _near_heading(
    tree: lxml.html.HtmlElement, scope: Scope, lang: str | None, now: datetime | None
) -> tuple[str, bool] | None:
    """The first date in the text right after the article's ``<h1>``, else right before
    it, else the first date of the article (or page) text."""
    h1s = [h for h in _H1(tree) if not scope.excluded(h)]
    h1 = next((h for h in h1s if scope.contains(h)), h1s[0]) if h1s else None
    if h1 is not None:
        found = _text_dates(text_after(h1, scope, _NEAR_H1_CHARS), lang, now)
        if found:
            return found[0]
        found = _text_dates(_text_before(h1, scope, 300), lang, now)
        if found:
            return found[-1]
    root = scope.element
    if root is None:
        body = tree.find("body")
        root = body if body is not None else tree
    out: list[str] = []
    _collect_text(root, out, [_SCAN_CHARS], scope.element is None)
    found = _text_dates(" ".join(" ".join(out).split()), lang, now)
    return found[0] if found else None
