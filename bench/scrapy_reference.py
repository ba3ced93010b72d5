"""The reference crawler for ``bench/crawl_throughput.py``: Scrapy + trafilatura + SQLite.

What news-please does in essence: a Scrapy spider reads listing pages, follows article
links, extracts each article with trafilatura in the callback (in the reactor thread,
as news-please does) and an item pipeline writes title and text to SQLite, one commit
per item. Same politeness as our crawl in the benchmark: robots.txt obeyed, no delay,
``--concurrency`` requests in flight in total.

Run (from the repository root, with the bench server up)::

    python bench/scrapy_reference.py --db ref.db --concurrency 4 \\
        --start http://127.0.0.2:8800/ --start http://127.0.0.3:8800/ \\
        --allow /news/ --follow '/page/\\d+$'

Prints one JSON line with the item count and wall time when done. Needs ``scrapy``
(``pip install scrapy``; part of the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
import trafilatura
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class SQLitePipeline:
    """Title and text of every extracted article into one table."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> SQLitePipeline:
        return cls(crawler.settings.get("REFERENCE_DB"))

    def open_spider(self, spider: scrapy.Spider | None = None) -> None:
        self.conn = sqlite3.connect(self.path)
        # The same durability as our archive (WAL, synchronous=NORMAL): no fsync per
        # commit, which would otherwise dominate on slow disks.
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS articles (id INTEGER PRIMARY KEY, url TEXT UNIQUE,"
            " title TEXT, text TEXT, published TEXT)"
        )

    def process_item(self, item: dict[str, Any], spider: scrapy.Spider | None = None) -> Any:
        assert self.conn is not None
        self.conn.execute(
            "INSERT OR REPLACE INTO articles (url, title, text, published) VALUES (?, ?, ?, ?)",
            (item["url"], item["title"], item["text"], item["published"]),
        )
        self.conn.commit()
        self.count += 1
        return item

    def close_spider(self, spider: scrapy.Spider | None = None) -> None:
        if self.conn is not None:
            self.conn.close()


class ReferenceSpider(scrapy.Spider):
    """Listing pages → article links (``allow``) and more listing pages (``follow``)."""

    name = "reference"

    def __init__(self, starts: list[str], allow: str, follow: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = starts
        self.allow = re.compile(allow)
        self.follow = re.compile(follow)
        self.hosts = {urlsplit(u).netloc for u in starts}
        self.failed = 0

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc not in self.hosts:
                continue
            if self.follow.search(url):
                yield response.follow(url, callback=self.parse)
            elif self.allow.search(url):
                yield response.follow(url, callback=self.parse_article)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        doc = trafilatura.bare_extraction(
            response.text, url=response.url, include_tables=True, include_comments=False,
            with_metadata=True,
        )  # fmt: skip
        if doc is None:
            self.failed += 1
            return
        # trafilatura 2 returns a Document (1.x: a dict unless as_dict=False).
        data = doc if isinstance(doc, dict) else {k: getattr(doc, k, None)
                                                  for k in ("title", "text", "date")}  # fmt: skip
        yield {"url": response.url, "title": data.get("title"), "text": data.get("text"),
               "published": data.get("date")}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--start", action="append", required=True, help="listing page (repeat)")
    ap.add_argument("--allow", required=True, help="regex of article URLs")
    ap.add_argument("--follow", required=True, help="regex of listing pages to follow")
    ap.add_argument("--db", required=True)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    started = time.monotonic()
    process = CrawlerProcess(
        settings={
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "DOWNLOAD_DELAY": 0,
            "ROBOTSTXT_OBEY": True,
            "AUTOTHROTTLE_ENABLED": False,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
            "USER_AGENT": "scrapy-reference (+bench)",
            "ITEM_PIPELINES": {SQLitePipeline: 300},
            "REFERENCE_DB": args.db,
        }
    )
    crawler = process.create_crawler(ReferenceSpider)
    process.crawl(crawler, starts=args.start, allow=args.allow, follow=args.follow)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(json.dumps({
        "items": stats.get("item_scraped_count", 0),
        "responses": stats.get("response_received_count", 0),
        "extraction_failed": getattr(crawler.spider, "failed", None),
        "seconds": round(time.monotonic() - started, 2),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
