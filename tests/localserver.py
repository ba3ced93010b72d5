"""A real HTTP server on 127.0.0.1 for tests: canned answers, sequences and faults.

Tests talk to real sockets instead of mocks so the whole stack (requests, urllib3,
decompression, timeouts) is exercised. The server binds an ephemeral port, serves each
request on its own thread and logs every request it sees.

Usage with the pytest fixture (from any test module)::

    from tests import localserver
    from tests.localserver import LocalServer, Reply, slow_drip

    local_server = localserver.local_server  # the shared pytest fixture

    def test_fetches_article(local_server: LocalServer) -> None:
        local_server.route("/a", body=b"<html>...</html>",
                           headers={"Content-Type": "text/html; charset=utf-8"})
        local_server.route_sequence("/flaky", [Reply(503), Reply(503), Reply(200, b"ok")])
        local_server.route_handler("/slow", slow_drip(b"<html>" * 100, interval=0.05))
        page = fetcher.fetch(local_server.url("/a"))
        assert local_server.requests[-1].headers["User-Agent"].startswith("news-scraper")
        assert local_server.hits("/flaky") == 3

(Binding the fixture by assignment rather than ``from tests.localserver import
local_server`` keeps ruff quiet: an imported name shadowed by a test argument is F811.
The import form works too with ``# noqa`` on both lines.) Without pytest:
``with LocalServer() as srv: ...`` or ``srv = LocalServer(); ...; srv.stop()``.
Request headers in ``requests`` keep the case the client sent ("User-Agent").

Routing: exact ``path?query`` first, then the path without its query; anything else
is a 404. A sequence replays its replies in order and repeats the last one forever.

Fault helpers (pass the result to :meth:`LocalServer.route_handler`):
``slow_drip``, ``slow_headers``, ``stall``, ``reset_connection``, ``close_mid_body``,
``wrong_content_length``, ``endless_body``, ``redirect``. A custom handler is any
``fn(handler: RequestHandler) -> None``; it writes the answer itself through
``handler.send_response`` / ``send_header`` / ``end_headers`` / ``handler.wfile``, and
can wait on ``handler.stopping`` (a ``threading.Event``) so a stalled answer ends as
soon as the server stops instead of holding teardown.
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = [
    "Handler",
    "LocalServer",
    "RecordedRequest",
    "Reply",
    "RequestHandler",
    "close_mid_body",
    "endless_body",
    "local_server",
    "redirect",
    "reset_connection",
    "slow_drip",
    "slow_headers",
    "stall",
    "wrong_content_length",
]


@dataclass(frozen=True)
class Reply:
    """One canned answer.

    ``delay`` sleeps before answering (interrupted when the server stops).
    ``content_length=False`` omits Content-Length and closes the connection after the
    body, so the client can only find the end by EOF (a stream of unknown size).
    """

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_length: bool = True


@dataclass(frozen=True)
class RecordedRequest:
    """What the server saw: method, path with query, headers, arrival time (monotonic)."""

    method: str
    path: str
    headers: dict[str, str]
    time: float


class RequestHandler(BaseHTTPRequestHandler):
    """Dispatches to the owning :class:`LocalServer`'s routes."""

    protocol_version = "HTTP/1.1"  # keep-alive, like real servers
    server: _Server

    @property
    def stopping(self) -> threading.Event:
        """Set when the server is stopping; wait on it instead of ``time.sleep``."""
        return self.server.owner._stopping

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def send_reply(self, reply: Reply) -> None:
        """Write a canned answer (used by routes; handy in custom handlers too)."""
        if reply.delay and self.stopping.wait(reply.delay):
            return
        self.send_response(reply.status)
        header_names = {k.lower() for k in reply.headers}
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if reply.content_length and "content-length" not in header_names:
            self.send_header("Content-Length", str(len(reply.body)))
        if not reply.content_length:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD" and reply.status not in (204, 304):
            try:
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _dispatch(self) -> None:
        owner = self.server.owner
        owner._record(self)
        handler = owner._resolve(self.path)
        if handler is None:
            self.send_reply(Reply(404, b"not found", {"Content-Type": "text/plain"}))
            return
        handler(self)


Handler = Callable[[RequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a stalled handler must not hold stop()
    allow_reuse_address = True
    request_queue_size = 128  # many workers at once must not overflow the listen backlog
    owner: LocalServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-answer is normal in fault tests; other errors print."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 with an ephemeral port, started at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, Handler] = {}
        self._requests: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), RequestHandler)
        self._httpd.owner = self
        self.host = "127.0.0.1"
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    # -- addresses -----------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` on this server."""
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    # -- routes --------------------------------------------------------------------
    def route(
        self,
        path: str,
        status: int = 200,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        *,
        delay: float = 0.0,
        content_length: bool = True,
    ) -> None:
        """Answer every request to ``path`` with the same reply (str bodies are UTF-8)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        reply = Reply(status, data, dict(headers or {}), delay, content_length)
        self.route_handler(path, lambda h: h.send_reply(reply))

    def route_sequence(self, path: str, replies: Sequence[Reply | Handler]) -> None:
        """Answer successive requests with successive replies; the last one repeats.

        Items may be :class:`Reply` objects or handlers (e.g. ``reset_connection``).
        """
        if not replies:
            raise ValueError("route_sequence needs at least one reply")
        items = list(replies)
        counter = iter(range(len(items) - 1))
        lock = threading.Lock()

        def handler(h: RequestHandler) -> None:
            with lock:
                index = next(counter, len(items) - 1)
            item = items[index]
            if isinstance(item, Reply):
                h.send_reply(item)
            else:
                item(h)

        self.route_handler(path, handler)

    def route_handler(self, path: str, fn: Handler) -> None:
        """Let ``fn(handler)`` write the whole answer for ``path`` (faults, custom logic)."""
        with self._lock:
            self._routes[path] = fn

    def _resolve(self, path: str) -> Handler | None:
        with self._lock:
            return self._routes.get(path) or self._routes.get(path.split("?", 1)[0])

    # -- request log ---------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def hits(self, path: str) -> int:
        """How many requests asked for ``path`` (query ignored unless given)."""
        return sum(
            1 for r in self.requests if r.path == path or r.path.split("?", 1)[0] == path
        )

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _record(self, h: RequestHandler) -> None:
        entry = RecordedRequest(h.command, h.path, dict(h.headers.items()), time.monotonic())
        with self._lock:
            self._requests.append(entry)

    # -- lifecycle -----------------------------------------------------------------
    def stop(self) -> None:
        """Stop serving; stalled handlers waiting on ``stopping`` return at once."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A fresh :class:`LocalServer` per test, stopped afterwards."""
    server = LocalServer()
    try:
        yield server
    finally:
        server.stop()


# -- fault helpers ---------------------------------------------------------------------


def _headers_only(
    h: RequestHandler,
    status: int,
    headers: Mapping[str, str] | None,
    content_length: int | None,
    default_type: str = "text/html; charset=utf-8",
) -> None:
    h.send_response(status)
    merged = {"Content-Type": default_type, **dict(headers or {})}
    for key, value in merged.items():
        h.send_header(key, value)
    if content_length is not None:
        h.send_header("Content-Length", str(content_length))
    h.send_header("Connection", "close")
    h.close_connection = True
    h.end_headers()
    h.wfile.flush()


def slow_drip(
    body: bytes,
    *,
    chunk: int = 1,
    interval: float = 0.1,
    headers: Mapping[str, str] | None = None,
    content_length: bool = True,
) -> Handler:
    """Send ``body`` ``chunk`` bytes at a time, ``interval`` seconds apart.

    Each gap is shorter than a read timeout, so only a total time budget stops it.
    """

    def handler(h: RequestHandler) -> None:
        _headers_only(h, 200, headers, len(body) if content_length else None)
        try:
            for start in range(0, len(body), chunk):
                if h.stopping.wait(interval):
                    return
                h.wfile.write(body[start : start + chunk])
                h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    return handler


def slow_headers(*, interval: float = 0.1, limit: float = 60.0) -> Handler:
    """A tarpit: send the status line, then one header byte every ``interval`` seconds.

    Each gap is shorter than a read timeout and the headers never end (for ``limit``
    seconds), so only a wall-clock budget on the whole request stops the client.
    """

    def handler(h: RequestHandler) -> None:
        h.close_connection = True
        try:
            h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Tarpit: ")
            h.wfile.flush()
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline and not h.stopping.wait(interval):
                h.wfile.write(b"a")
                h.wfile.flush()
        except OSError:
            return

    return handler


def stall(seconds: float, *, after_headers: bool = False) -> Handler:
    """Say nothing for ``seconds`` (before the status line, or after the headers)."""

    def handler(h: RequestHandler) -> None:
        if after_headers:
            _headers_only(h, 200, None, 100)
        if h.stopping.wait(seconds):
            return
        h.close_connection = True

    return handler


def reset_connection(h: RequestHandler) -> None:
    """Abort the TCP connection with a RST (SO_LINGER 0) without answering."""
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.close_connection = True
    h.connection.close()


def close_mid_body(body: bytes, *, sent: int, headers: Mapping[str, str] | None = None) -> Handler:
    """Promise ``len(body)`` bytes, send the first ``sent`` and close."""

    def handler(h: RequestHandler) -> None:
        _headers_only(h, 200, headers, len(body))
        h.wfile.write(body[:sent])
        h.wfile.flush()
        h.connection.shutdown(socket.SHUT_RDWR)

    return handler


def wrong_content_length(
    body: bytes, *, declared: int, headers: Mapping[str, str] | None = None
) -> Handler:
    """Declare ``declared`` bytes in Content-Length but send ``body`` and close."""

    def handler(h: RequestHandler) -> None:
        _headers_only(h, 200, headers, declared)
        try:
            h.wfile.write(body)
            h.wfile.flush()
            h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            return

    return handler


def endless_body(
    chunk: bytes = b"<p>" + b"x" * 1021 + b"</p>",
    *,
    headers: Mapping[str, str] | None = None,
) -> Handler:
    """Stream ``chunk`` forever (no Content-Length) until the client hangs up."""

    def handler(h: RequestHandler) -> None:
        _headers_only(h, 200, headers, None)
        try:
            while not h.stopping.is_set():
                h.wfile.write(chunk)
        except OSError:
            return

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    """Answer with a redirect to ``location`` (absolute or relative)."""

    def handler(h: RequestHandler) -> None:
        h.send_reply(Reply(status, b"", {"Location": location}))

    return handler
