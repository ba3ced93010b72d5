"""One exception tree for the whole tool.

    ScraperError                 anything this tool raises on purpose
    ├── FetchError               retrieving a URL failed (carries url, status, reason)
    │   ├── InvalidURLError      not a URL we can fetch (bad scheme, no host, missing file)
    │   ├── NetworkError         DNS failure, refused or reset connection
    │   ├── FetchTimeoutError    connect or read timeout
    │   ├── HTTPStatusError      the server answered 4xx/5xx
    │   ├── TooLargeError        body over the size limit (compressed or not)
    │   ├── NotHTMLError         the response is not HTML/XHTML
    │   └── RobotsDisallowedError robots.txt forbids the URL
    ├── ParseError               a page could not be turned into a record
    ├── ArchiveError             the SQLite archive failed or is unusable
    │   └── LockedError          another crawl holds the database lock
    └── ConfigError              sources.toml is invalid (file, key, what is wrong)

"The network failed" and "the server said no" are different types so callers can
decide what to retry; every error has a one-line ``reason`` fit for a log or stderr.
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base of every error this tool raises on purpose."""

    def __init__(self, reason: str, *, url: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url

    def __str__(self) -> str:
        return self.reason


class FetchError(ScraperError):
    """Retrieving a URL failed; ``status`` is the HTTP status when there was one."""

    def __init__(self, reason: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(reason, url=url)
        self.status = status


class InvalidURLError(FetchError):
    """The input is not something we can fetch."""


class NetworkError(FetchError):
    """DNS, refused or reset connection, broken transfer."""


class FetchTimeoutError(FetchError):
    """The server did not connect or answer in time."""


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx/5xx)."""


class TooLargeError(FetchError):
    """The body exceeded the configured size limit."""


class NotHTMLError(FetchError):
    """The response is not an HTML or XHTML document."""


class RobotsDisallowedError(FetchError):
    """robots.txt disallows this URL for our user agent."""


class ParseError(ScraperError):
    """The page could not be parsed into a record."""


class ArchiveError(ScraperError):
    """The archive database failed or cannot be used."""


class LockedError(ArchiveError):
    """Another crawl is running on the same database."""


class ConfigError(ScraperError):
    """The configuration file is invalid."""
