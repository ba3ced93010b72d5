"""Site profiles: known CSS selectors per host, read from ``scraper/data/profiles.toml``.

A profile names the body element of a site's article pages and the furniture inside it
(tags, share widgets, footnote back-links), so the generic extraction does not have to
guess there. The data format is documented at the top of the TOML file.

This is where beautifulsoup4 earns its place: selectors are full CSS (soupsieve, the
engine behind ``BeautifulSoup.select``), which profile authors know, while only pages of
a profiled host pay for the extra BeautifulSoup tree; every other page is read from the
lxml tree alone. The elements soupsieve picks are found again in the lxml tree through
a temporary numbering attribute, so the rest of the parser keeps working on lxml.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from lxml import etree

from scraper.errors import ScraperError

__all__ = ["Profile", "find_profile", "load_profiles", "parse_profiles"]


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
        picked = _select(tree, {"remove": self.remove, "body": self.body})
        for el in picked["remove"]:
            _drop(el)
        return picked["body"][:1]

    def select_title(self, tree: etree._Element) -> str | None:
        """Text of the title element, whitespace collapsed, or None."""
        return _first_text(tree, self.title)

    def select_date_text(self, tree: etree._Element) -> str | None:
        """Text of the visible date element (to be parsed by the date stage), or None."""
        return _first_text(tree, self.date)


_MARK = "data-scraper-node"


def _select(
    tree: etree._Element, groups: dict[str, tuple[str, ...]]
) -> dict[str, list[etree._Element]]:
    """For each group, the lxml elements its CSS selectors match (for ``body``: those of
    the first selector that matches anything), found with soupsieve on a BeautifulSoup
    copy of ``tree``."""
    from bs4 import BeautifulSoup

    nodes: list[etree._Element] = []
    for el in tree.iter():
        if isinstance(el.tag, str):
            el.set(_MARK, str(len(nodes)))
            nodes.append(el)
    try:
        soup = BeautifulSoup(etree.tostring(tree, encoding="unicode", method="html"), "lxml")
    finally:
        etree.strip_attributes(tree, _MARK)
    out: dict[str, list[etree._Element]] = {}
    for name, selectors in groups.items():
        found: list[etree._Element] = []
        for selector in selectors:
            for tag in soup.select(selector):
                mark = tag.get(_MARK)
                if isinstance(mark, str) and mark.isdigit() and int(mark) < len(nodes):
                    found.append(nodes[int(mark)])
            if found and name == "body":
                break
        out[name] = found
    return out


def _first_text(tree: etree._Element, selector: str | None) -> str | None:
    if not selector:
        return None
    for el in _select(tree, {"text": (selector,)})["text"]:
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


def shipped_profiles_text() -> str:
    return resources.files("scraper").joinpath("data/profiles.toml").read_text("utf-8")


@lru_cache(maxsize=1)
def load_profiles() -> tuple[Profile, ...]:
    """All shipped profiles, read once from the package data.

    Their selectors are not compiled here (a test checks them): compiling the first
    selector costs soupsieve ~0.4 s of regex building, which every parse worker of
    every crawl paid at start-up even when no page came from a profiled site.
    """
    return parse_profiles(shipped_profiles_text(), check=False)


def parse_profiles(text: str, *, check: bool = True) -> tuple[Profile, ...]:
    """Profiles from TOML text; raises ScraperError on a malformed file or (when
    ``check``) a malformed selector."""
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
            if selector and check:
                _check_selector(selector)
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


def _check_selector(selector: str) -> None:
    """Fail when the profiles are loaded, not on the first page of that site."""
    import soupsieve

    try:
        soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, NotImplementedError) as exc:
        raise ScraperError(f"invalid CSS selector {selector!r} in site profiles: {exc}") from exc
