"""robots.txt, read once per host and obeyed as RFC 9309 says.

- 2xx: the rules apply (protego: wildcards, ``$``, Allow/Disallow precedence,
  ``Crawl-delay``, ``Sitemap:``); a body that is not robots.txt at all allows everything.
- 4xx (except 429): there are no rules, everything is allowed.
- 5xx, 429 or an unreachable server: assume everything is disallowed *for now*; the
  verdict is "unavailable" so the crawl keeps the URLs queued and asks again later.
- Redirects are followed by the fetcher (RFC 9309 asks for at least five hops).

The fetch itself is injected (a callable returning a :class:`~scraper.models.Page` or
raising :class:`~scraper.errors.FetchError`), so the crawl can route it through its
per-host politeness gate and its fetcher settings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from protego import Protego

from scraper.discover import parse_robots_sitemaps
from scraper.errors import FetchError, NotHTMLError, TooLargeError
from scraper.models import Page

__all__ = ["MAX_CRAWL_DELAY", "RobotsPolicy", "RobotsRules", "Verdict", "robots_url"]

Verdict = Literal["allowed", "disallowed", "unavailable"]
# A hostile or careless Crawl-delay of hours would stall a cron run; cap what we honour.
MAX_CRAWL_DELAY = 30.0


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one host's robots.txt said, and when we asked."""

    origin: str
    state: Literal["rules", "allow_all", "unavailable"]
    checked_at: float
    parser: Protego | None = None
    sitemaps: tuple[str, ...] = ()
    reason: str | None = None
    status: int | None = None


def robots_url(url: str) -> str:
    """``scheme://host[:port]/robots.txt`` for any URL on that origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


class RobotsPolicy:
    """Answers "may we fetch this URL?" for any number of hosts, thread-safely.

    Each origin's robots.txt is fetched at most once per ``ttl`` seconds (an
    unavailable one is asked again after ``retry_after`` seconds); threads asking about
    the same origin wait for the one fetch instead of each sending their own.
    """

    def __init__(
        self,
        fetch: Callable[[str], Page],
        user_agent: str,
        *,
        ttl: float = 24 * 3600.0,
        retry_after: float = 300.0,
    ) -> None:
        self._fetch = fetch
        self._user_agent = user_agent
        self._ttl = ttl
        self._retry_after = retry_after
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def check(self, url: str) -> Verdict:
        """allowed, disallowed, or unavailable (robots.txt could not be read: try later)."""
        rules = self.rules_for(url)
        if rules.state == "unavailable":
            return "unavailable"
        if rules.parser is None:
            return "allowed"
        return "allowed" if rules.parser.can_fetch(url, self._user_agent) else "disallowed"

    def allowed(self, url: str) -> bool:
        return self.check(url) == "allowed"

    def crawl_delay(self, url: str) -> float | None:
        """The host's Crawl-delay for our user agent (capped at :data:`MAX_CRAWL_DELAY`)."""
        rules = self.rules_for(url)
        if rules.parser is None:
            return None
        try:
            delay = rules.parser.crawl_delay(self._user_agent)
        except (TypeError, ValueError):
            return None
        if delay is None or delay < 0:
            return None
        return min(float(delay), MAX_CRAWL_DELAY)

    def sitemaps(self, url: str) -> tuple[str, ...]:
        """Absolute sitemap URLs named in the host's robots.txt."""
        return self.rules_for(url).sitemaps

    def rules_for(self, url: str) -> RobotsRules:
        """The cached rules of the URL's origin, fetching robots.txt when due."""
        origin = robots_url(url)
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            cached = self._rules.get(origin)
            if cached is not None and not self._expired(cached):
                return cached
            rules = self._load(origin)
            self._rules[origin] = rules
            return rules

    def _expired(self, rules: RobotsRules) -> bool:
        age = time.monotonic() - rules.checked_at
        return age > (self._retry_after if rules.state == "unavailable" else self._ttl)

    def _load(self, origin: str) -> RobotsRules:
        now = time.monotonic()
        try:
            page = self._fetch(origin)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return RobotsRules(origin, "allow_all", now, reason=f"robots.txt {exc.status}")
            if isinstance(exc, TooLargeError | NotHTMLError):
                # Not a usable robots.txt, but the server answered: nothing is forbidden.
                return RobotsRules(origin, "allow_all", now, reason=f"robots.txt: {exc.reason}")
            return RobotsRules(
                origin, "unavailable", now, reason=f"robots.txt: {exc.reason}", status=exc.status
            )
        if page.status >= 500 or page.status == 429:
            return RobotsRules(
                origin, "unavailable", now, reason=f"robots.txt {page.status}", status=page.status
            )
        if page.status >= 400:
            return RobotsRules(origin, "allow_all", now, reason=f"robots.txt {page.status}")
        text = page.text or page.content.decode("utf-8", "replace")
        try:
            parser = Protego.parse(text)
        except Exception:  # protego is lenient, but this is a stranger's file
            return RobotsRules(origin, "allow_all", now, reason="robots.txt unreadable")
        sitemaps = tuple(d.url for d in parse_robots_sitemaps(text, page.final_url or origin))
        return RobotsRules(origin, "rules", now, parser=parser, sitemaps=sitemaps)
