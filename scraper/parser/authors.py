"""Author names: split bylines, strip labels, drop what is not a person's name.

Bylines come as "By Jane Doe and John Roe", "Von Max Muster | 09.04.2026",
"Par Marie Curie, Paris", with emails, profile URLs, dates or "Staff" mixed in. The
record wants the names only, de-duplicated, in page order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scraper.parser.dates import MONTHS

__all__ = ["clean_authors", "looks_like_name"]

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
# Leading labels in several languages: "By", "Von", "Par", "Por", "Autor:", "Text:".
_LABEL = re.compile(
    r"^\s*[~\-–—|·•:©]*\s*(?:(?:post\s+author|written|posted|published|reported|text|texto"
    r"|photos?|fotos?|story|pressemitteilung|im\s+wortlaut"
    r"|veröffentlicht|eingestellt|geschrieben|verfasst|publiziert|erstellt|ein\s+beitrag"
    r"|beitrag|artikel|publié|publicado|pubblicato|opublikowano|опубликовано)\s+)?"
    r"(?:by|von|vom|par|por|di|da|door|przez|av|от|автор(?:ы)?|autor(?:in|en|es|a)?"
    r"|auteur|author(?:s)?|text|texto|redakteur(?:in)?|napisał(?:a)?|kirjoittaja)"
    r"(?=[\s:\-–—]|(?-i:[A-ZÀ-ÖØ-Þ]))\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# Words that end a name: a date or place line glued to the byline ("Jane Doe at 10:15",
# "Sara Zinnecker Stand", "John Walk - January").
_TAIL = re.compile(
    r"\s+(?:at|am|on|le|el|il|um|stand|updated|aktualisiert|published|veröffentlicht|"
    r"mo|di|mi|do|fr|sa|so|mon|tue|wed|thu|fri|sat|sun|for|für|pour|para)\b.*$"
    r"|\s+[\-–—|]\s+.*$"
    r"|\s+(?:chefredakteur(?:in)?|redakteur(?:in)?|editor|reporter|correspondent"
    r"|journalist(?:in)?)$",
    re.IGNORECASE,
)
# "SauerDo", "vonChris": a lowercase-uppercase seam where two words were glued together.
_GLUED_DAY = re.compile(r"(?<=[a-zäöüß])(?:Mo|Di|Mi|Do|Fr|Sa|So|Mon|Tue|Wed|Thu|Fri|Sat|Sun)$")
_SPLIT = re.compile(
    r"\s*(?:,|;|\||/|&|\+|\band\b|\bund\b|\bet\b|\by\b|\be\b(?!\.)|\bi\b|\bou\b|\bor\b|\bи\b"
    r"|\boraz\b|\bja\b|\ben\b)\s*",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d")
_EV = re.compile(r"\be\.\s?V\.")
# Tokens that are not a person's name on their own (labels, placeholders, roles,
# academic suffixes split off by a comma, weekdays of a glued date line).
_NOT_NAMES = frozenset(
    line.strip()
    for line in """
    staff|staff writer|staff writers|staff reporter|admin|administrator|editor|editors
    the editors|guest|anonymous|unknown|none|null|author|autor|by|von|par|por|wordpress
    user|webmaster|posted|published|updated|share|follow|more|contact|email|facebook
    twitter|instagram|linkedin|read more|photo|photos|no author|published by|posted on
    posted by|veröffentlicht am|publiziert am|veröffentlicht von|geschrieben von
    gesponserte inhalte|sponsored|advertisement|anzeige|redaktion|newsroom|veröffentlicht
    publiziert|stand|datum|quelle|source|copier|nachricht|agencies|phd|md|msc|mba|dr|prof
    monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch
    donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche
    """.replace("\n", "|").split("|")
    if line.strip()
)
_MONTH_WORDS = frozenset(MONTHS)
_TRAILING_ROLE = re.compile(
    r"\s*[,(\-–—|]\s*(?:staff writer|senior|editor|reporter|correspondent|contributor|"
    r"redakteur|redaktion|korrespondent|journalist|photographer|fotograf).*$",
    re.IGNORECASE,
)


def looks_like_name(text: str) -> bool:
    """A short run of words without digits, URLs or sentence punctuation."""
    if not text or len(text) > 60 or len(text) < 2:
        return False
    if _DIGITS.search(text) or _URL.search(text) or "[at]" in text or "(at)" in text:
        return False
    folded = text.casefold()
    if folded in _NOT_NAMES or "admin" in folded or folded in _MONTH_WORDS:
        return False
    words = text.split()
    if len(words) > 5:
        return False
    return not any(c in text for c in '!?:;{}<>="“”«»')


def _tidy(part: str) -> str:
    part = _LABEL.sub("", part)
    part = _TAIL.sub("", part)
    part = _GLUED_DAY.sub("", part)
    part = part.strip(" ,;:-–—|·•()[]'\"~©")
    # Keep the dot of "Jr." or an initial, drop a sentence full stop.
    if part.endswith(".") and len(part.rsplit(" ", 1)[-1]) > 3:
        part = part.rstrip(".")
    return part


def _pieces(raw: str) -> list[str]:
    text = _EV.sub("e.V.", " ".join(raw.split()))
    text = _URL.sub(" ", text)
    for _ in range(2):
        text = _LABEL.sub("", text)
    text = _TRAILING_ROLE.sub("", text)
    out = []
    for part in _SPLIT.split(text):
        part = _tidy(part)
        if part:
            out.append(part)
    return out


def clean_authors(values: Iterable[str], *, split: bool = True) -> tuple[str, ...]:
    """Names from raw author strings, cleaned, de-duplicated (case-insensitively)."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in values:
        if not raw:
            continue
        parts = _pieces(raw) if split else [_tidy(" ".join(raw.split()))]
        for name in parts:
            if not looks_like_name(name):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                out.append(name)
    return tuple(out)
