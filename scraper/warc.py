"""Export stored raw pages as WARC 1.1, so the archive opens in web-archive replay
tools (pywb, ReplayWeb.page) and can be exchanged with other archives.

Each stored capture becomes a ``response`` record with the original status and
headers, after one ``warcinfo`` record. The archive keeps bodies decoded (requests
undoes gzip/br and chunking), so ``Content-Encoding`` and ``Transfer-Encoding`` are
dropped and ``Content-Length`` is set to the stored length: otherwise a replay tool
would try to gunzip plain HTML.
"""

from __future__ import annotations

import http
import io
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper import __version__

if TYPE_CHECKING:
    from scraper.archiver import Archive

_WARC_SPEC = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
_DROPPED_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def write_warc(
    archive: Archive, out: IO[bytes], *, site: str | None = None, gzip: bool = True
) -> int:
    """Write every stored capture (of ``site``, if given) to ``out``; return how many
    response records were written. Streams: one page in memory at a time."""
    writer = WARCWriter(out, gzip=gzip, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            getattr(out, "name", None) if isinstance(getattr(out, "name", None), str) else None,
            {
                "software": f"news-scraper/{__version__}",
                "format": "WARC File Format 1.1",
                "conformsTo": _WARC_SPEC,
                "description": "raw pages from a news-scraper archive"
                + (f" (site {site})" if site else ""),
            },
        )
    )  # fmt: skip
    count = 0
    for page in archive.iter_pages(site=site, latest_only=False):
        headers = [
            (name, value)
            for name, value in page.headers.items()
            if name.lower() not in _DROPPED_HEADERS
        ]
        headers.append(("Content-Length", str(len(page.content))))
        http_headers = StatusAndHeaders(_status_line(page.status), headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            page.final_url,
            "response",
            payload=io.BytesIO(page.content),
            length=len(page.content),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": _warc_date(page.fetched_at)},
        )
        writer.write_record(record)
        count += 1
    return count


def _status_line(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _warc_date(value: str) -> str:
    """WARC-Date is UTC with a Z; a stored time without a zone is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
