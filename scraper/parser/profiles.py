"""Site profiles: known CSS selectors per host, read from ``scraper/data/profiles.toml``.

A profile names the body element of a site's article pages and the furniture inside it
(tags, share widgets, footnote back-links), so the generic extraction does not have to
guess there. The data format is documented at the top of the TOML file. Selectors are a
small CSS subset translated to XPath here, so the hot path needs neither BeautifulSoup
nor another dependency.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from lxml import etree

from scraper.errors import ScraperError

__all__ = ["Profile", "css_to_xpath", "find_profile", "load_profiles"]


@dataclass(frozen=True, slots=True)
class Profile:
    """Selectors of one site (see the TOML file for the meaning of each field)."""

    name: str
    hosts: tuple[str, ...]
    body: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    title: str | None = None
    date: str | None = None

    def matches(self, host: str) -> bool:
        """True when ``host`` (lowercase, without ``www.``) is one of the profile's hosts."""
        for pattern in self.hosts:
            if pattern.startswith("*."):
                if host.endswith(pattern[1:]):
                    return True
            elif host == pattern:
                return True
        return False

    def select_body(self, tree: etree._Element) -> list[etree._Element]:
        """Remove the profile's furniture from ``tree`` and return the body element.

        An empty list when no body selector matches (the page is not an article page of
        this site's known layout): the generic extraction then takes over.
        """
        for selector in self.remove:
            for el in _xpath(selector)(tree):
                _drop(el)
        for selector in self.body:
            found = _xpath(selector)(tree)
            if found:
                return [found[0]]
        return []

    def select_title(self, tree: etree._Element) -> str | None:
        """Text of the title element, whitespace collapsed, or None."""
        return _first_text(tree, self.title)

    def select_date_text(self, tree: etree._Element) -> str | None:
        """Text of the visible date element (to be parsed by the date stage), or None."""
        return _first_text(tree, self.date)


def _first_text(tree: etree._Element, selector: str | None) -> str | None:
    if not selector:
        return None
    for el in _xpath(selector)(tree):
        text = " ".join("".join(el.itertext()).split())
        if text:
            return text
    return None


def _drop(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


@lru_cache(maxsize=1)
def load_profiles() -> tuple[Profile, ...]:
    """All shipped profiles, read once from the package data."""
    data = resources.files("scraper").joinpath("data/profiles.toml").read_text("utf-8")
    return parse_profiles(data)


def parse_profiles(text: str) -> tuple[Profile, ...]:
    """Profiles from TOML text; raises ScraperError on a malformed file or selector."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScraperError(f"invalid site profiles: {exc}") from exc
    out = []
    for item in raw.get("profile", []):
        try:
            profile = Profile(
                name=str(item["name"]),
                hosts=tuple(h.lower().removeprefix("www.") for h in item["hosts"]),
                body=tuple(item.get("body", ())),
                remove=tuple(item.get("remove", ())),
                title=item.get("title"),
                date=item.get("date"),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ScraperError(f"invalid site profile {item!r}: {exc}") from exc
        for selector in (*profile.body, *profile.remove, profile.title, profile.date):
            if selector:
                _xpath(selector)  # fail early on a selector we cannot translate
        out.append(profile)
    return tuple(out)


def find_profile(url: str | None) -> Profile | None:
    """The profile whose hosts match ``url``'s host, or None."""
    if not url:
        return None
    profiles = load_profiles()
    if not profiles:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.")
    if not host:
        return None
    for profile in profiles:
        if profile.matches(host):
            return profile
    return None


# --- a small CSS-to-XPath translator --------------------------------------------------------

_TOKEN = re.compile(
    r"""(?:
      (?P<comb>\s*>\s*)
    | (?P<tag>[a-zA-Z*][a-zA-Z0-9-]*)
    | \.(?P<cls>[\w-]+)
    | \#(?P<id>[\w-]+)
    | \[\s*(?P<attr>[\w:-]+)\s*(?:(?P<op>[\^$*~]?=)\s*(?P<val>"[^"]*"|'[^']*'|[^\]\s]+)\s*)?\]
    | (?P<space>\s+)
    )""",
    re.VERBOSE,
)


@lru_cache(maxsize=256)
def _xpath(selector: str) -> etree.XPath:
    return etree.XPath(css_to_xpath(selector))


def css_to_xpath(selector: str) -> str:
    """Translate a CSS selector of the supported subset into an XPath expression."""
    groups = [g.strip() for g in selector.split(",")]
    if not all(groups):
        raise ScraperError(f"empty group in selector {selector!r}")
    return " | ".join(_group(g) for g in groups)


def _group(selector: str) -> str:
    """One compound-selector chain: steps joined by descendant or child axes."""
    path = "descendant-or-self::"
    step_tag = ""
    conds: list[str] = []
    in_step = False
    axis = ""  # axis before the next step: "" (first), "/descendant::" or "/"
    pos = 0
    text = selector.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ScraperError(f"unsupported CSS selector {selector!r} at {text[pos:]!r}")
        pos = m.end()
        if m.group("comb") or m.group("space"):
            if not in_step:
                raise ScraperError(f"misplaced combinator in selector {selector!r}")
            path += (step_tag or "*") + "".join(f"[{c}]" for c in conds)
            step_tag, conds, in_step = "", [], False
            axis = "/" if m.group("comb") else "/descendant::"
            continue
        if not in_step:
            path += axis
            in_step = True
        if m.group("tag"):
            step_tag = m.group("tag").lower()
        elif m.group("cls"):
            conds.append(_has_word("@class", m.group("cls")))
        elif m.group("id"):
            conds.append(f"@id={_quote(m.group('id'))}")
        else:
            conds.append(_attr(m.group("attr"), m.group("op"), m.group("val")))
    if not in_step:
        raise ScraperError(f"selector {selector!r} ends with a combinator")
    return path + (step_tag or "*") + "".join(f"[{c}]" for c in conds)


def _attr(name: str, op: str | None, raw: str | None) -> str:
    attr = f"@{name}"
    if op is None or raw is None:
        return attr
    value = raw[1:-1] if raw[:1] in "\"'" else raw
    q = _quote(value)
    if op == "=":
        return f"{attr}={q}"
    if op == "^=":
        return f"starts-with({attr}, {q})"
    if op == "*=":
        return f"contains({attr}, {q})"
    if op == "$=":
        return f"substring({attr}, string-length({attr}) - {len(value) - 1})={q}"
    return _has_word(attr, value)


def _has_word(attr: str, word: str) -> str:
    return f"contains(concat(' ', normalize-space({attr}), ' '), {_quote(' ' + word + ' ')})"


def _quote(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise ScraperError(f"selector value with both quote kinds: {value!r}")
