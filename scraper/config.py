"""``sources.toml``: what to crawl and how politely, validated before anything is fetched.

Schema (every key optional except ``sources[].name`` and at least one of
``start``/``feeds``/``sitemaps``)::

    [defaults]
    user_agent = "..."        # string
    delay = 1.0               # seconds between two requests to one host (>= 0)
    concurrency = 4           # requests in flight across hosts (1..64)
    timeout = 20              # seconds to connect / between bytes (> 0)
    max_pages = 1000          # fetches per source and run (>= 1)
    refresh_days = 7          # re-check archived articles younger than this (>= 0)
    block_private = true      # refuse hosts on private/loopback addresses ...
                              # ... unless a source names the host in start/feeds/sitemaps
    robots = true             # obey robots.txt

    [[sources]]
    name = "example"          # unique, required
    start = ["https://..."]   # listing pages whose links are read
    feeds = ["https://..."]   # RSS/Atom; more are autodiscovered on start pages
    sitemaps = ["https://..."]# more are read from robots.txt Sitemap: lines
    allow = ['regex', ...]    # article URLs (re.search); default: same site as the seeds
    deny = ['regex', ...]     # never fetched
    follow = ['regex', ...]   # listing pages to follow (pagination); not archived;
                              # default: rel="next" links and /page/N/, ?page=N, ?paged=N
    # ...and any [defaults] key, overriding it for this source

Every problem is a :class:`~scraper.errors.ConfigError` naming the file, the key
(``sources[1].allow[0]``) and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scraper.errors import ConfigError
from scraper.normalize import normalize_url, same_site

__all__ = [
    "DEFAULT_USER_AGENT",
    "CrawlConfig",
    "Defaults",
    "SourceConfig",
    "config_from_dict",
    "load_config",
    "with_overrides",
]

DEFAULT_USER_AGENT = "news-scraper/0.1 (+https://github.com/news-scraper/news-scraper)"


@dataclass(frozen=True, slots=True)
class Defaults:
    """Crawl settings; each source may override any of them."""

    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 1.0
    concurrency: int = 4
    timeout: float = 20.0
    max_pages: int = 1000
    refresh_days: float = 7.0
    block_private: bool = True
    robots: bool = True


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One site (or section) to crawl, with the defaults merged in."""

    name: str
    start: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()
    follow: tuple[re.Pattern[str], ...] = ()
    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 1.0
    concurrency: int = 4
    timeout: float = 20.0
    max_pages: int = 1000
    refresh_days: float = 7.0
    block_private: bool = True
    robots: bool = True

    @property
    def seeds(self) -> tuple[str, ...]:
        """Every URL the source names explicitly."""
        return self.start + self.feeds + self.sitemaps

    @property
    def seed_hosts(self) -> frozenset[str]:
        """Hosts named explicitly: private-address blocking never applies to them."""
        return frozenset((urlsplit(u).hostname or "").lower() for u in self.seeds)

    def is_same_site(self, url: str) -> bool:
        """Is the URL on a host the source names (``www.`` and case ignored)?"""
        host = urlsplit(url).hostname
        return any(same_site(host, seed) for seed in self.seed_hosts)

    def is_denied(self, url: str) -> bool:
        return any(p.search(url) for p in self.deny)

    def is_article(self, url: str) -> bool:
        """Would this URL be fetched as an article? (allow rules, else same site; no deny)"""
        if self.is_denied(url):
            return False
        if self.allow:
            return any(p.search(url) for p in self.allow)
        return self.is_same_site(url)

    def is_followed(self, url: str) -> bool:
        """Is this a listing page to follow (follow rules, same site as a seed, no deny)?"""
        if self.is_denied(url) or not any(p.search(url) for p in self.follow):
            return False
        return self.is_same_site(url)


@dataclass(frozen=True, slots=True)
class CrawlConfig:
    """A whole ``sources.toml``: defaults and the sources with defaults merged."""

    sources: tuple[SourceConfig, ...]
    defaults: Defaults = field(default_factory=Defaults)
    path: str | None = None

    def select(self, names: list[str] | tuple[str, ...] | None) -> tuple[SourceConfig, ...]:
        """The named sources (all when ``names`` is empty); unknown names are a ConfigError."""
        if not names:
            return self.sources
        known = {s.name: s for s in self.sources}
        missing = [n for n in names if n not in known]
        if missing:
            where = f"{self.path}: " if self.path else ""
            raise ConfigError(
                f"{where}no source named {', '.join(map(repr, missing))} "
                f"(known: {', '.join(known) or 'none'})"
            )
        return tuple(known[n] for n in dict.fromkeys(names))


_DEFAULT_FIELDS = {f.name: f for f in fields(Defaults)}
_LIST_KEYS = ("start", "feeds", "sitemaps")
_REGEX_KEYS = ("allow", "deny", "follow")
_SOURCE_KEYS = {"name", *_LIST_KEYS, *_REGEX_KEYS, *_DEFAULT_FIELDS}


def load_config(path: str | Path) -> CrawlConfig:
    """Read and validate ``sources.toml``; raise ConfigError on the first problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return config_from_dict(data, str(path))


def config_from_dict(data: Mapping[str, Any], path: str = "<config>") -> CrawlConfig:
    """Validate an already-parsed TOML document (also used by tests and ad-hoc crawls)."""
    _check_keys(data, {"defaults", "sources"}, "", path)
    raw_defaults = data.get("defaults", {})
    if not isinstance(raw_defaults, Mapping):
        raise ConfigError(f"{path}: defaults: expected a table, got {_type(raw_defaults)}")
    _check_keys(raw_defaults, set(_DEFAULT_FIELDS), "defaults.", path)
    defaults = Defaults(
        **{k: _setting(k, v, f"defaults.{k}", path) for k, v in raw_defaults.items()}
    )
    raw_sources = data.get("sources")
    if raw_sources is None:
        raise ConfigError(f"{path}: sources: missing (add at least one [[sources]] table)")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{path}: sources: expected a non-empty array of [[sources]] tables")
    sources = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_sources):
        source = _source(raw, defaults, f"sources[{i}]", path)
        if source.name in seen:
            raise ConfigError(f"{path}: sources[{i}].name: duplicate source name {source.name!r}")
        seen.add(source.name)
        sources.append(source)
    return CrawlConfig(sources=tuple(sources), defaults=defaults, path=path)


def _source(raw: Any, defaults: Defaults, key: str, path: str) -> SourceConfig:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: {key}: expected a table, got {_type(raw)}")
    _check_keys(raw, _SOURCE_KEYS, f"{key}.", path)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{path}: {key}.name: required, a non-empty string")
    values: dict[str, Any] = {"name": name.strip()}
    for list_key in _LIST_KEYS:
        values[list_key] = tuple(_urls(raw.get(list_key, []), f"{key}.{list_key}", path))
    if not (values["start"] or values["feeds"] or values["sitemaps"]):
        raise ConfigError(f"{path}: {key}: give at least one URL in start, feeds or sitemaps")
    for regex_key in _REGEX_KEYS:
        values[regex_key] = tuple(_regexes(raw.get(regex_key, []), f"{key}.{regex_key}", path))
    merged = {
        k: _setting(k, raw[k], f"{key}.{k}", path) if k in raw else getattr(defaults, k)
        for k in _DEFAULT_FIELDS
    }
    return SourceConfig(**values, **merged)


def _check_keys(table: Mapping[str, Any], allowed: set[str], prefix: str, path: str) -> None:
    for k in table:
        if k not in allowed:
            hint = ", ".join(sorted(allowed))
            raise ConfigError(f"{path}: {prefix}{k}: unknown key (expected one of: {hint})")


def _setting(name: str, value: Any, key: str, path: str) -> Any:
    expected = _DEFAULT_FIELDS[name].type
    if expected in ("str", str):
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}: {key}: expected a non-empty string, got {_type(value)}")
        if any(c in value for c in "\r\n\x00"):
            raise ConfigError(f"{path}: {key}: must be a single line")
        return value.strip()
    if expected in ("bool", bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: {key}: expected true or false, got {_type(value)}")
        return value
    if expected in ("int", int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}: {key}: expected an integer, got {_type(value)}")
        low, high = {"concurrency": (1, 64), "max_pages": (1, 10**9)}[name]
        if not low <= value <= high:
            raise ConfigError(f"{path}: {key}: must be between {low} and {high}, got {value}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}: {key}: expected a number, got {_type(value)}")
    number = float(value)
    if name == "timeout" and not number > 0:
        raise ConfigError(f"{path}: {key}: must be greater than 0, got {value}")
    if number < 0 or number != number or number == float("inf"):
        raise ConfigError(f"{path}: {key}: must be a finite number >= 0, got {value}")
    return number


def _urls(value: Any, key: str, path: str) -> list[str]:
    if isinstance(value, str):
        raise ConfigError(f'{path}: {key}: expected an array of URLs, e.g. ["{value}"]')
    if not isinstance(value, list):
        raise ConfigError(f"{path}: {key}: expected an array of URLs, got {_type(value)}")
    urls = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ConfigError(f"{path}: {key}[{i}]: expected a URL string, got {_type(item)}")
        url = normalize_url(item)
        if url is None or not item.strip().lower().startswith(("http://", "https://")):
            raise ConfigError(f"{path}: {key}[{i}]: not an absolute http(s) URL: {item!r}")
        urls.append(url)
    return list(dict.fromkeys(urls))


def _regexes(value: Any, key: str, path: str) -> list[re.Pattern[str]]:
    if isinstance(value, str):
        raise ConfigError(f"{path}: {key}: expected an array of regexes, e.g. ['{value}']")
    if not isinstance(value, list):
        raise ConfigError(f"{path}: {key}: expected an array of regexes, got {_type(value)}")
    patterns = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ConfigError(f"{path}: {key}[{i}]: expected a regex string, got {_type(item)}")
        try:
            patterns.append(re.compile(item))
        except re.error as exc:
            raise ConfigError(
                f"{path}: {key}[{i}]: bad regular expression {item!r}: {exc}"
            ) from exc
    return patterns


def _type(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "an array", dict: "a table"}  # fmt: skip
    for kind, label in names.items():
        if type(value) is kind:
            return f"{label} ({value!r})" if kind in (bool, int, float, str) else label
    return type(value).__name__


def with_overrides(config: CrawlConfig, **changes: Any) -> CrawlConfig:
    """A copy with some settings changed on every source (e.g. a CLI ``--max-pages``)."""
    sources = tuple(replace(s, **changes) for s in config.sources)
    return replace(config, sources=sources)
