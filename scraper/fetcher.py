"""HTTP fetching: one polite, bounded, retrying GET per URL, returned as a decoded Page.

This is the only module that knows requests, urllib3 and tenacity; everything they raise
is translated here into the :mod:`scraper.errors` tree with a one-line reason.

What a fetch guarantees:

* **Bounded.** Connect and read timeouts per socket operation, plus a wall-clock budget
  per attempt (``total_timeout``, default connect + 3 × read timeout), so a server
  dripping one byte at a time, in its headers or its body, cannot hold a worker. The body
  is read in pieces of at most one socket read each (``read1``) and counted *after*
  decompression, so neither a huge page nor a gzip bomb gets past ``max_bytes``; a
  Content-Length over the limit is refused before reading.
* **Retried when it may heal.** Connection failures, timeouts and 408/429/500/502/503/
  504 are retried with exponential backoff and jitter; ``Retry-After`` (seconds or an
  HTTP date) is honoured up to ``retry_after_cap``. DNS "no such host", 4xx, "too
  large", "not HTML" and a blown total budget are not retried: trying again would not
  change the answer.
* **Redirects under our control.** Followed by hand (at most ``max_redirects``) so the
  chain is kept in ``Page.redirects``, loops are reported as loops, every hop is checked
  for scheme and (with ``block_private``) for private addresses.
* **HTML only when asked.** With ``html_only`` (the default), only ``text/html`` and
  ``application/xhtml+xml`` pass; a missing Content-Type is sniffed; binary files
  labelled ``text/html`` are caught by their magic bytes.

Threads: ``requests.Session`` is not documented as thread-safe, so each thread that
calls :meth:`Fetcher.fetch` gets its own session (kept in a ``threading.local`` and
reused for all that thread's fetches, so connections are pooled per worker). One
``Fetcher`` can therefore be shared by all crawl workers; :meth:`Fetcher.close` closes
every session it made.

The budget is enforced by a watchdog timer that shuts down the socket in flight, so it
holds while headers drip in too. Through an HTTP proxy (``HTTP_PROXY``) only the checks
between body reads apply.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

import requests
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from scraper.encoding import charset_from_content_type, decode_html
from scraper.errors import (
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    InvalidURLError,
    NetworkError,
    NotHTMLError,
    TooLargeError,
)
from scraper.models import Page

__all__ = [
    "DEFAULT_USER_AGENT",
    "HTML_TYPES",
    "RETRYABLE_STATUSES",
    "FetchSettings",
    "Fetcher",
    "RetryLaterError",
    "is_local_target",
    "load_local",
    "parse_retry_after",
]

DEFAULT_USER_AGENT = "news-scraper/0.1 (+https://github.com/news-scraper/news-scraper)"
RETRYABLE_STATUSES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})
HTML_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES: frozenset[int] = frozenset({301, 302, 303, 307, 308})

_CHUNK = 64 * 1024
_ACCEPT_HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"RIFF", "RIFF media"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x00\x00\x00", "binary data"),
    (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg media"),
    (b"\x7fELF", "executable"),
)


@dataclass(frozen=True)
class FetchSettings:
    """Every knob of the fetcher, with its default in one place."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    max_bytes: int = 10 * 1024 * 1024  # enforced while streaming and after decompression
    attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_cap: float = 120.0
    max_redirects: int = 10
    block_private: bool = False
    total_timeout: float | None = None  # per attempt; None: connect + 3 × read timeout
    # Hosts exempt from block_private (a source that names an intranet host on purpose).
    allow_hosts: frozenset[str] = frozenset()
    # A Retry-After longer than this is not waited for: fetch() raises RetryLaterError
    # at once, so a crawl can defer the URL to a later run (None: wait, capped).
    defer_after: float | None = None

    @property
    def budget(self) -> float:
        """Wall-clock seconds one attempt may take, redirects and body included."""
        if self.total_timeout is not None:
            return self.total_timeout
        return self.connect_timeout + 3 * self.read_timeout


class _RetryableStatusError(HTTPStatusError):
    """A 408/429/5xx answer; remembers how long the server asked us to wait."""

    def __init__(self, reason: str, *, url: str, status: int, retry_after: float | None):
        super().__init__(reason, url=url, status=status)
        self.retry_after = retry_after


class RetryLaterError(HTTPStatusError):
    """The server asked for a pause (Retry-After) longer than ``defer_after``."""

    def __init__(self, reason: str, *, url: str, status: int, wait: float) -> None:
        super().__init__(reason, url=url, status=status)
        self.wait = wait


class _BudgetExceededError(FetchTimeoutError):
    """The attempt used up its whole wall-clock budget: a retry would do the same."""


class _NoSuchHostError(NetworkError):
    """DNS says the host does not exist: not worth retrying."""


def _is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, _BudgetExceededError | _NoSuchHostError):
        return False
    return isinstance(exc, _RetryableStatusError | NetworkError | FetchTimeoutError)


# -- the wall-clock watchdog -------------------------------------------------------------
#
# Socket timeouts bound each read, not the sum of them: a server that sends one header
# byte every few seconds would never trip them. So each attempt arms a timer; the
# connection in use registers its socket when it starts reading the response, and the
# timer shuts that socket down when the budget is spent, which wakes the blocked read.

_current = threading.local()


class _Watchdog:
    """Shuts down the in-flight socket of one attempt when its budget runs out."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.fired = False
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        _current.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _current.watchdog = None

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            fired = self.fired
        if fired and sock is not None:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sock = self._sock
        if sock is not None:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to stop
        sock.shutdown(socket.SHUT_RDWR)


def _register_socket(sock: socket.socket | None) -> None:
    watchdog: _Watchdog | None = getattr(_current, "watchdog", None)
    if watchdog is not None:
        watchdog.watch(sock)


class _PrivatePeerError(OSError):
    """A connection reached an address that is not globally routable although the name
    resolved to a public one a moment before (DNS rebinding)."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} connected to a private address ({address})")
        self.host = host
        self.address = address


def _check_peer(host: str, sock: socket.socket) -> None:
    """With ``block_private`` (set per attempt in ``_current.private_guard``): the
    address the socket really connected to must be public. This runs before a byte is
    sent (before TLS too), so a name that rebinds to an internal address between the
    DNS check of the URL and the connection learns nothing and reaches nothing."""
    allowed: frozenset[str] | None = getattr(_current, "private_guard", None)
    if allowed is None or host.lower().strip("[]") in allowed:
        return
    try:
        peer = str(sock.getpeername()[0])
    except OSError:
        return  # not connected after all: the request fails on its own
    address = ipaddress.ip_address(peer.split("%", 1)[0])
    if not address.is_global or address.is_multicast:
        sock.close()
        raise _PrivatePeerError(host, str(address))


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(self.host, sock)
        return sock

    def getresponse(self) -> urllib3.connection.HTTPResponse:  # type: ignore[override]
        _register_socket(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(self.host, sock)
        return sock

    def getresponse(self) -> urllib3.connection.HTTPResponse:  # type: ignore[override]
        _register_socket(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _watched_adapter() -> HTTPAdapter:
    """A requests adapter whose (direct) connections report their socket to the watchdog."""
    adapter = HTTPAdapter()
    adapter.poolmanager.pool_classes_by_scheme = {
        "http": _WatchedHTTPPool,
        "https": _WatchedHTTPSPool,
    }
    return adapter


class Fetcher:
    """Fetches URLs into :class:`~scraper.models.Page` records; safe to share between threads.

    ``sleep`` is what waits between attempts; tests inject a recorder so retries with
    backoff or ``Retry-After`` cost no real time.

    ``request_slot(url, first)``, when given, is entered around every HTTP request (each
    redirect hop and each retry; ``first`` is True only for the first request of a
    :meth:`fetch`), until the response headers arrive. A crawl uses it to keep its
    per-host delay between *all* requests a server sees.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        request_slot: Callable[[str, bool], AbstractContextManager[object]] | None = None,
    ) -> None:
        self.settings = settings or FetchSettings()
        self._sleep = sleep
        self._request_slot = request_slot
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------
    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close every session this fetcher opened (from any thread)."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        self._local = threading.local()  # a later fetch opens fresh sessions
        for session in sessions:
            session.close()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self.settings.user_agent
            adapter = _watched_adapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            with self._lock:
                self._sessions.append(session)
            self._local.session = session
        return session

    # -- the one public operation ----------------------------------------------------
    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        html_only: bool = True,
    ) -> Page:
        """GET ``url`` with retries; a 304 to the conditional GET gives ``not_modified``.

        Raises :class:`~scraper.errors.FetchError` subclasses with a one-line reason.
        """
        url = url.strip()
        _check_url(url, url)
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        started = time.monotonic()
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        self._local.requests_sent = 0

        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.settings.attempts)),
            wait=self._wait,
            retry=retry_if_exception(_is_retryable),
            sleep=self._sleep,
            reraise=True,
        )
        page: Page = retrying(self._attempt, url, conditional, html_only)
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return _replace_timing(page, elapsed_ms, fetched_at)

    def _wait(self, state: RetryCallState) -> float:
        """Retry-After when the server gave one (capped), else backoff with jitter."""
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatusError) and exc.retry_after is not None:
            return min(exc.retry_after, self.settings.retry_after_cap)
        ceiling = min(
            self.settings.backoff_max,
            self.settings.backoff_base * 2 ** (state.attempt_number - 1),
        )
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # "equal jitter"

    def _attempt(self, url: str, conditional: Mapping[str, str], html_only: bool) -> Page:
        """One try; a Retry-After beyond ``defer_after`` ends the fetch at once."""
        try:
            return self._attempt_in_budget(url, conditional, html_only)
        except _RetryableStatusError as exc:
            limit = self.settings.defer_after
            if limit is not None and exc.retry_after is not None and exc.retry_after > limit:
                raise RetryLaterError(
                    f"{exc.reason}; the server asked to wait {exc.retry_after:.0f} s "
                    "(Retry-After)",
                    url=exc.url or url,
                    status=exc.status or 503,
                    wait=exc.retry_after,
                ) from exc
            raise

    def _attempt_in_budget(
        self, url: str, conditional: Mapping[str, str], html_only: bool
    ) -> Page:
        """One try within the wall-clock budget (see the watchdog above)."""
        settings = self.settings
        _current.private_guard = (
            frozenset(h.lower().strip("[]") for h in settings.allow_hosts)
            if settings.block_private
            else None
        )
        with _Watchdog(settings.budget) as watchdog:
            try:
                page = self._attempt_unguarded(url, conditional, html_only)
            except FetchError as exc:
                # A socket shut by the watchdog surfaces as whatever the cut left behind
                # (a reset, a short body, headers without a body): report the real cause.
                if watchdog.fired and not isinstance(exc, _BudgetExceededError):
                    raise _budget_error(self.settings, url) from exc
                raise
            if watchdog.fired:
                raise _budget_error(self.settings, url)
            return page

    def _attempt_unguarded(
        self, url: str, conditional: Mapping[str, str], html_only: bool
    ) -> Page:
        """Follow redirects by hand, then read a bounded body."""
        settings = self.settings
        deadline = time.monotonic() + settings.budget
        session = self._session()
        headers = {"Accept": _ACCEPT_HTML if html_only else "*/*", **conditional}
        chain: list[str] = []
        current = url
        while True:
            if settings.block_private:
                _refuse_private(current, url, settings.allow_hosts)
            response = self._get(session, current, headers, url, deadline)
            status = response.status_code
            if status in REDIRECT_STATUSES and response.headers.get("Location"):
                response.close()
                target = urljoin(current, response.headers["Location"].strip())
                chain.append(current)
                if target in chain:
                    loop = " → ".join([*chain, target])
                    raise FetchError(f"redirect loop: {_shorten(loop)}", url=url, status=status)
                if len(chain) > settings.max_redirects:
                    raise FetchError(
                        f"too many redirects (more than {settings.max_redirects})",
                        url=url,
                        status=status,
                    )
                _check_url(target, url, redirect=True)
                current = target
                continue
            break

        with response:
            return self._finish(response, url, current, tuple(chain), html_only, deadline)

    def _get(
        self,
        session: requests.Session,
        url: str,
        headers: Mapping[str, str],
        original: str,
        deadline: float,
    ) -> requests.Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _budget_error(self.settings, original)
        timeout = (
            min(self.settings.connect_timeout, remaining),
            min(self.settings.read_timeout, remaining),
        )
        first = getattr(self._local, "requests_sent", 0) == 0
        self._local.requests_sent = getattr(self._local, "requests_sent", 0) + 1
        slot = self._request_slot(url, first) if self._request_slot else nullcontext()
        try:
            with slot:
                return session.get(
                    url, headers=dict(headers), timeout=timeout, stream=True, allow_redirects=False
                )
        except Exception as exc:  # translated into our tree, never leaked
            raise _translate(exc, original, self.settings) from exc

    def _finish(
        self,
        response: requests.Response,
        url: str,
        final_url: str,
        redirects: tuple[str, ...],
        html_only: bool,
        deadline: float,
    ) -> Page:
        status = response.status_code
        headers = dict(response.headers)
        if status == 304:
            return Page(
                url=url,
                final_url=final_url,
                status=304,
                headers=headers,
                content=b"",
                text="",
                encoding=None,
                elapsed_ms=0,
                fetched_at="",
                redirects=redirects,
                not_modified=True,
            )
        if status >= 300:
            reason = _status_reason(status, response.reason)
            if status in RETRYABLE_STATUSES:
                raise _RetryableStatusError(
                    reason,
                    url=url,
                    status=status,
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                )
            if status < 400:
                reason += " without a Location to follow"
            raise HTTPStatusError(reason, url=url, status=status)

        content_type = response.headers.get("Content-Type")
        media_type = _media_type(content_type)
        if html_only and media_type and media_type not in HTML_TYPES:
            raise NotHTMLError(f"not HTML: {media_type}", url=url, status=status)

        declared = response.headers.get("Content-Length", "").strip()
        limit = self.settings.max_bytes
        if declared.isdigit() and int(declared) > limit:
            raise TooLargeError(
                f"too large: Content-Length {int(declared):,} bytes over the "
                f"{limit:,}-byte limit",
                url=url,
                status=status,
            )

        content = self._read_body(response, url, deadline)

        if html_only:
            binary = _binary_kind(content)
            if binary is not None:
                label = media_type or "no Content-Type"
                raise NotHTMLError(f"not HTML: {binary} served as {label}", url=url, status=status)
            if not media_type and not _looks_like_html(content):
                raise NotHTMLError(
                    "not HTML: no Content-Type and the body does not look like HTML",
                    url=url,
                    status=status,
                )
        if html_only or media_type is None or _is_textual(media_type):
            text, encoding = decode_html(content, charset_from_content_type(content_type))
        else:
            text, encoding = "", None
        return Page(
            url=url,
            final_url=final_url,
            status=status,
            headers=headers,
            content=content,
            text=text,
            encoding=encoding,
            elapsed_ms=0,
            fetched_at="",
            redirects=redirects,
        )

    def _read_body(self, response: requests.Response, url: str, deadline: float) -> bytes:
        """Read the decompressed body, stopping at ``max_bytes`` and at the deadline."""
        limit = self.settings.max_bytes
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in _decoded_chunks(response):
                size += len(chunk)
                if size > limit:
                    raise TooLargeError(
                        f"too large: body over the {limit:,}-byte limit",
                        url=url,
                        status=response.status_code,
                    )
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise _budget_error(self.settings, url)
        except FetchError:
            raise
        except Exception as exc:
            raise _translate(exc, url, self.settings) from exc
        return b"".join(chunks)


def _decoded_chunks(response: requests.Response) -> Iterator[bytes]:
    """Decompressed body pieces, each from at most one socket read.

    ``read1`` returns after a single read, so the caller regains control between the
    drips of a slow server; urllib3 bounds each decompression step by the requested
    size, so a bomb is inflated a piece at a time.
    """
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if read1 is None:  # urllib3 < 2.3
        yield from raw.stream(_CHUNK, decode_content=True)
        return
    while True:
        chunk = read1(_CHUNK, decode_content=True)
        if not chunk:
            return
        yield chunk


# -- URL checks ------------------------------------------------------------------------


def _check_url(url: str, original: str, *, redirect: bool = False) -> None:
    """Refuse anything but an absolute http(s) URL with a host."""
    what = "redirect to" if redirect else "not a URL:"
    if not url or any(c in url for c in "\r\n\t") or " " in url.strip():
        raise InvalidURLError(f"{what} {_shorten(url)!r}", url=original)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError(f"invalid URL {_shorten(url)!r}: {exc}", url=original) from None
    scheme = parts.scheme.lower()
    if not scheme:
        hint = f" (did you mean https://{url}?)" if "." in url.split("/")[0] else ""
        raise InvalidURLError(f"{what} {_shorten(url)!r}{hint}", url=original)
    if scheme not in ("http", "https"):
        prefix = "redirect to a" if redirect else "unsupported"
        raise InvalidURLError(
            f"{prefix} URL scheme {scheme!r} (only http and https are fetched)", url=original
        )
    if not parts.hostname:
        raise InvalidURLError(f"no host in URL {_shorten(url)!r}", url=original)
    if port == 0:
        raise InvalidURLError(f"invalid port in URL {_shorten(url)!r}", url=original)


def _refuse_private(url: str, original: str, allowed: frozenset[str]) -> None:
    """With ``block_private``: refuse hosts that resolve to internal addresses (SSRF).

    Checked on every redirect hop, before the request. The check resolves the name
    itself; the connection is checked again on the address it really reached
    (:func:`_check_peer`), which is what stops DNS rebinding.
    """
    host = urlsplit(url).hostname or ""
    if host in {h.lower().strip("[]") for h in allowed}:
        return
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise _dns_error(host, exc, original) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        # Anything not globally routable: private, loopback, link-local, CGNAT
        # (100.64/10, which is_private misses), reserved, multicast, unspecified.
        if not address.is_global or address.is_multicast:
            raise InvalidURLError(
                f"refused: {host} resolves to a private address ({address})", url=original
            )


# -- error translation -----------------------------------------------------------------


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (args, __cause__, MaxRetryError.reason)."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
        stack.extend(a for a in current.args if isinstance(a, BaseException))
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def _translate(exc: BaseException, url: str, settings: FetchSettings) -> FetchError:
    """One exception from requests/urllib3/sockets → our error with a short reason."""
    host = urlsplit(url).netloc or url
    chain = list(_causes(exc))

    def has(*types: type[BaseException]) -> BaseException | None:
        return next((e for e in chain if isinstance(e, types)), None)

    if has(
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
        urllib3.exceptions.LocationParseError,
        UnicodeError,
    ):
        return InvalidURLError(f"invalid URL {_shorten(url)!r}", url=url)
    peer = has(_PrivatePeerError)
    if isinstance(peer, _PrivatePeerError):
        return InvalidURLError(
            f"refused: {peer.host} resolves to a private address ({peer.address}) "
            "at connection time", url=url,
        )  # fmt: skip
    gai = has(socket.gaierror)
    if gai is not None or has(urllib3.exceptions.NameResolutionError):
        return _dns_error(urlsplit(url).hostname or host, gai, url)
    # Before the timeouts: urllib3's NewConnectionError subclasses ConnectTimeoutError.
    if has(ConnectionRefusedError):
        return NetworkError(f"connection refused by {host}", url=url)
    if has(ConnectionResetError, BrokenPipeError):
        return NetworkError(f"connection reset by {host}", url=url)
    if has(requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError):
        return FetchTimeoutError(
            f"connect timeout: {host} did not accept a connection within "
            f"{settings.connect_timeout:g}s",
            url=url,
        )
    if has(
        requests.exceptions.ReadTimeout,
        urllib3.exceptions.ReadTimeoutError,
        TimeoutError,
        socket.timeout,
    ):
        return FetchTimeoutError(
            f"read timeout: {host} sent nothing for {settings.read_timeout:g}s", url=url
        )
    incomplete = has(http.client.IncompleteRead)
    if incomplete is not None:
        partial = getattr(incomplete, "partial", b"")  # bytes in http.client, int in urllib3
        got = partial if isinstance(partial, int) else len(partial or b"")
        expected = getattr(incomplete, "expected", None)
        detail = f" (got {got:,} of {got + expected:,} bytes)" if isinstance(expected, int) else ""
        return NetworkError(f"connection closed mid-body by {host}{detail}", url=url)
    if has(http.client.RemoteDisconnected):
        return NetworkError(f"{host} closed the connection without answering", url=url)
    if has(urllib3.exceptions.DecodeError, requests.exceptions.ContentDecodingError):
        return NetworkError(f"corrupt compressed body from {host}", url=url)
    if has(requests.exceptions.SSLError, urllib3.exceptions.SSLError):
        return NetworkError(f"TLS error talking to {host}", url=url)
    if has(requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError):
        return NetworkError(f"broken response from {host}", url=url)
    if has(http.client.HTTPException):
        return NetworkError(f"malformed response from {host}", url=url)
    if has(OSError, requests.exceptions.ConnectionError):
        return NetworkError(f"network error talking to {host}", url=url)
    return NetworkError(f"request to {host} failed: {type(exc).__name__}", url=url)


def _dns_error(host: str, exc: BaseException | None, url: str) -> NetworkError:
    temporary = isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_AGAIN
    if temporary:
        return NetworkError(f"DNS lookup for {host} failed temporarily", url=url)
    return _NoSuchHostError(f"DNS lookup failed: no such host {host}", url=url)


def _budget_error(settings: FetchSettings, url: str) -> FetchTimeoutError:
    return _BudgetExceededError(
        f"timeout: no complete answer within the {settings.budget:g}s budget", url=url
    )


# -- small helpers ---------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _status_reason(status: int, phrase: str | None) -> str:
    if not phrase:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
    return f"HTTP {status} {phrase}".strip()


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return media or None


def _is_textual(media_type: str) -> bool:
    return (
        media_type.startswith("text/")
        or media_type.endswith(("+xml", "+json", "/xml", "/json"))
        or media_type in HTML_TYPES
    )


def _binary_kind(content: bytes) -> str | None:
    """A name for a binary format recognised by its magic bytes, else None."""
    head = content[:16]
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _looks_like_html(content: bytes) -> bool:
    """Sniff a body without Content-Type, as browsers do for unlabeled responses."""
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x0c").lower()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore").lower()
    markers = (b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<meta", b"<p>")
    return head.startswith(markers) or any(m in head for m in markers[:4])


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _replace_timing(page: Page, elapsed_ms: int, fetched_at: str) -> Page:
    return Page(
        url=page.url,
        final_url=page.final_url,
        status=page.status,
        headers=page.headers,
        content=page.content,
        text=page.text,
        encoding=page.encoding,
        elapsed_ms=elapsed_ms,
        fetched_at=fetched_at,
        redirects=page.redirects,
        not_modified=page.not_modified,
    )


# -- local files -----------------------------------------------------------------------


def is_local_target(target: str) -> bool:
    """True for a ``file://`` URL or a path to an existing local file or directory."""
    stripped = target.strip()
    if stripped.lower().startswith("file:"):
        return True
    if "://" in stripped or not stripped:
        return False
    try:
        return Path(stripped).expanduser().exists()
    except (OSError, ValueError):
        return False


def load_local(target: str, *, max_bytes: int | None = None) -> Page:
    """Read a local file or ``file://`` URL into a Page (url = the file's ``file://`` URI).

    Raises InvalidURLError when the file is missing, a directory, unreadable or too big.
    """
    stripped = target.strip()
    path = _local_path(stripped)
    started = time.monotonic()
    fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
    if not path.exists():
        raise InvalidURLError(f"no such file: {path}", url=target)
    if path.is_dir():
        raise InvalidURLError(f"is a directory, not a page: {path}", url=target)
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise TooLargeError(
                f"too large: {path} has {size:,} bytes, over the {max_bytes:,}-byte limit",
                url=target,
            )
        content = path.read_bytes()
    except OSError as exc:
        raise InvalidURLError(f"cannot read {path}: {exc.strerror or exc}", url=target) from None
    text, encoding = decode_html(content)
    uri = path.resolve().as_uri()
    return Page(
        url=uri,
        final_url=uri,
        status=200,
        headers={},
        content=content,
        text=text,
        encoding=encoding,
        elapsed_ms=int((time.monotonic() - started) * 1000),
        fetched_at=fetched_at,
    )


def _local_path(target: str) -> Path:
    if not target.lower().startswith("file:"):
        return Path(target).expanduser()
    parts = urlsplit(target)
    if parts.netloc not in ("", "localhost"):
        raise InvalidURLError(
            f"file URL on another host is not supported: {_shorten(target)!r}", url=target
        )
    return Path(url2pathname(unquote(parts.path)))
