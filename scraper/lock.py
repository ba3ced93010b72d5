"""One crawl per database: an advisory ``flock`` on ``<db>.lock``.

The kernel drops the lock when the holding process dies (even by SIGKILL), so a
crashed crawl never leaves a stale lock behind; the file itself is left in place on
purpose (deleting it would let two processes lock two different inodes). The holder
writes its pid into the file so the refusal can name it. Readers (``search``,
``export``) never take this lock: SQLite's WAL mode lets them read during a crawl.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from scraper.errors import ArchiveError, LockedError

__all__ = ["CrawlLock", "lock_path"]


def lock_path(db_path: str | Path) -> Path:
    """``archive.db`` → ``archive.db.lock`` (next to the database)."""
    db = Path(db_path)
    return db.with_name(db.name + ".lock")


class CrawlLock:
    """Hold the crawl lock of a database for the duration of a ``with`` block.

    ``wait=False`` raises :class:`~scraper.errors.LockedError` at once when another
    process holds it; ``wait=True`` blocks until it is free (``timeout`` seconds at most
    when given).
    """

    def __init__(
        self, db_path: str | Path, *, wait: bool = False, timeout: float | None = None
    ) -> None:
        self.db_path = Path(db_path)
        self.path = lock_path(db_path)
        self.wait = wait
        self.timeout = timeout
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ArchiveError(f"cannot create the crawl lock {self.path}: {reason}") from exc
        try:
            self._lock(fd)
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def _lock(self, fd: int) -> None:
        if self.wait and self.timeout is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            return
        deadline = time.monotonic() + (self.timeout or 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if not self.wait or time.monotonic() >= deadline:
                    raise LockedError(self._message(fd)) from None
                time.sleep(0.1)

    def _message(self, fd: int) -> str:
        holder = _read_pid(fd)
        who = f"pid {holder}" if holder else "another process"
        return (
            f"another crawl ({who}) is running on {self.db_path}; "
            f"try again later or use --wait (lock file: {self.path})"
        )

    def __enter__(self) -> CrawlLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        data = os.pread(fd, 32, 0)
    except OSError:
        return None
    text = data.decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None
