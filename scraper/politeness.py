"""Per-host spacing of requests, kept even when many worker threads share one host.

A request to a host *reserves* the next free slot (last slot + delay) under a lock
and then sleeps outside it, so N threads asking at once are spread N × delay apart
instead of all waking together. When a request ends, :meth:`HostGate.release` pushes
the next slot to at least ``delay`` after that moment: the delay is the quiet time
*between* two requests as the server sees them, even when a response is slow. The
delay of a host is the larger of the configured one and its robots.txt ``Crawl-delay``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["HostGate"]


class HostGate:
    """Enforces a minimum interval between the starts of two requests to one host."""

    def __init__(
        self,
        default_delay: float = 0.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.default_delay = default_delay
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def set_delay(self, host: str, delay: float) -> None:
        """Use ``delay`` seconds for ``host`` (e.g. source delay or a larger Crawl-delay)."""
        with self._lock:
            self._delays[host] = max(0.0, delay)

    def raise_delay(self, host: str, delay: float | None) -> None:
        """Raise the host's delay to ``delay`` if it is larger (robots.txt Crawl-delay)."""
        if delay is None:
            return
        with self._lock:
            current = self._delays.get(host, self.default_delay)
            self._delays[host] = max(current, delay)

    def delay(self, host: str) -> float:
        with self._lock:
            return self._delays.get(host, self.default_delay)

    def ready_at(self, host: str) -> float:
        """Clock time at which a request to ``host`` could start without waiting."""
        with self._lock:
            return self._next.get(host, 0.0)

    def wait(self, host: str) -> float:
        """Block until this thread may send a request to ``host``; returns seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(host, 0.0))
            self._next[host] = slot + self._delays.get(host, self.default_delay)
        pause = slot - now
        if pause > 0:
            self._sleep(pause)
        return max(0.0, pause)

    def release(self, host: str) -> None:
        """A request to ``host`` just ended: keep the next one ``delay`` seconds away."""
        with self._lock:
            delay = self._delays.get(host, self.default_delay)
            if delay > 0:
                self._next[host] = max(self._next.get(host, 0.0), self._clock() + delay)
