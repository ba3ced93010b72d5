"""Compression of raw pages in the archive.

Each ``pages`` row names its codec, so the default can change without rewriting old
rows. zstd level 9 was chosen with ``bench/storage.py`` on 961 real news pages (138 MB
of HTML): ratio 5.56 against zlib-6's 5.09 (9% less disk), while compressing faster
(65 vs 41 MB/s, ~1.4 ms for a median page) and decompressing 4x faster (1269 vs 296
MB/s), which is what ``reparse`` and WARC export pay. Brotli stores 3-5% less at
similar write speeds but reads 3x slower and would be one more runtime dependency.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import zstandard

from scraper.errors import ArchiveError

DEFAULT = "zstd"
ZSTD_LEVEL = 9

# zstd contexts are not thread-safe; a fresh context per call costs microseconds.
_COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    # The 4-byte frame checksum turns silent bit rot into a clear error on read.
    "zstd": lambda raw: zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_checksum=True).compress(
        raw
    ),
    "zlib": lambda raw: zlib.compress(raw, 6),
    "none": bytes,
}
_DECOMPRESS: dict[str, Callable[[bytes], bytes]] = {
    # max_output_size guards frames written without a content size.
    "zstd": lambda blob: zstandard.ZstdDecompressor().decompress(
        blob, max_output_size=1 << 30
    ),
    "zlib": zlib.decompress,
    "none": bytes,
}


def compress(raw: bytes, method: str = DEFAULT) -> bytes:
    """Compress ``raw`` with the named codec."""
    try:
        return _COMPRESS[method](raw)
    except KeyError:
        raise ArchiveError(f"unknown compression {method!r}") from None


def decompress(blob: bytes, method: str) -> bytes:
    """Undo :func:`compress`; a damaged blob is an :class:`ArchiveError`, not a crash."""
    codec = _DECOMPRESS.get(method)
    if codec is None:
        raise ArchiveError(f"unknown compression {method!r}")
    try:
        return codec(blob)
    except (zstandard.ZstdError, zlib.error) as exc:
        raise ArchiveError(f"stored page is damaged ({method}): {exc}") from exc
