"""robots.txt with RFC 9309 semantics, fetched by the real fetcher from 127.0.0.1."""

from __future__ import annotations

import threading

import pytest

from scraper.fetcher import Fetcher, FetchSettings
from scraper.models import Page
from scraper.robots import MAX_CRAWL_DELAY, RobotsPolicy, robots_url
from tests import localserver
from tests.localserver import LocalServer, redirect

local_server = localserver.local_server

UA = "news-scraper/0.1 (+https://github.com/news-scraper/news-scraper)"
RULES = """# a comment
User-agent: BadBot
Disallow: /

User-agent: news-scraper
Disallow: /private/
Disallow: /*.pdf$
Allow: /private/press/
Crawl-delay: 2.5

User-agent: *
Disallow: /

Sitemap: /sitemap_index.xml
Sitemap: https://cdn.example.org/news-sitemap.xml
"""


@pytest.fixture
def fetcher() -> Fetcher:
    # One attempt: the policy, not the fetcher's retries, is under test.
    return Fetcher(FetchSettings(attempts=1, user_agent=UA))


def policy_for(fetcher: Fetcher, **kwargs: float) -> RobotsPolicy:
    def fetch(url: str) -> Page:
        return fetcher.fetch(url, html_only=False)

    return RobotsPolicy(fetch, UA, **kwargs)


def test_rules_for_our_agent_group(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route("/robots.txt", 200, RULES, {"Content-Type": "text/plain"})
    policy = policy_for(fetcher)
    assert policy.check(local_server.url("/2026/04/story/")) == "allowed"
    assert policy.check(local_server.url("/private/draft/")) == "disallowed"
    assert policy.check(local_server.url("/private/press/release/")) == "allowed"
    assert policy.check(local_server.url("/files/report.pdf")) == "disallowed"
    assert policy.check(local_server.url("/files/report.pdf?x=1")) == "allowed"
    assert policy.crawl_delay(local_server.url("/")) == 2.5
    assert policy.sitemaps(local_server.url("/")) == (
        local_server.url("/sitemap_index.xml"),
        "https://cdn.example.org/news-sitemap.xml",
    )


def test_robots_txt_is_fetched_once_per_host(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route("/robots.txt", 200, RULES, {"Content-Type": "text/plain"})
    policy = policy_for(fetcher)
    threads = [
        threading.Thread(target=policy.check, args=(local_server.url(f"/a/{i}"),)) for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    policy.allowed(local_server.url("/b"))
    assert local_server.hits("/robots.txt") == 1
    assert local_server.requests[0].headers["User-Agent"] == UA


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_4xx_means_everything_is_allowed(
    local_server: LocalServer, fetcher: Fetcher, status: int
) -> None:
    local_server.route("/robots.txt", status, b"no", {"Content-Type": "text/plain"})
    policy = policy_for(fetcher)
    assert policy.check(local_server.url("/private/x")) == "allowed"
    assert policy.crawl_delay(local_server.url("/")) is None


@pytest.mark.parametrize("status", [429, 500, 503])
def test_5xx_and_429_mean_not_now(local_server: LocalServer, fetcher: Fetcher, status: int) -> None:
    local_server.route("/robots.txt", status, b"busy", {"Content-Type": "text/plain"})
    policy = policy_for(fetcher)
    assert policy.check(local_server.url("/2026/story")) == "unavailable"
    assert not policy.allowed(local_server.url("/2026/story"))
    assert str(status) in (policy.rules_for(local_server.url("/")).reason or "")


def test_unreachable_server_means_not_now(fetcher: Fetcher) -> None:
    with LocalServer() as gone:
        url = gone.url("/x")
    assert policy_for(fetcher).check(url) == "unavailable"


def test_unavailable_is_asked_again_after_retry_after(
    local_server: LocalServer, fetcher: Fetcher
) -> None:
    local_server.route("/robots.txt", 503, b"busy", {"Content-Type": "text/plain"})
    policy = policy_for(fetcher, retry_after=0.0)
    assert policy.check(local_server.url("/a")) == "unavailable"
    local_server.route("/robots.txt", 200, "User-agent: *\nDisallow: /a\n",
                       {"Content-Type": "text/plain"})  # fmt: skip
    assert policy.check(local_server.url("/a")) == "disallowed"
    assert local_server.hits("/robots.txt") == 2


def test_redirects_are_followed(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route_handler("/robots.txt", redirect("/real-robots.txt", 301))
    local_server.route("/real-robots.txt", 200, "User-agent: *\nDisallow: /secret/\n",
                       {"Content-Type": "text/plain"})  # fmt: skip
    policy = policy_for(fetcher)
    assert policy.check(local_server.url("/secret/a")) == "disallowed"
    assert policy.check(local_server.url("/open/a")) == "allowed"


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\x01\x02 binary garbage \xff\xfe",
        b"<html><body><h1>Welcome to our site</h1></body></html>",
        b"",
    ],
)
def test_garbage_allows_everything(
    local_server: LocalServer, fetcher: Fetcher, body: bytes
) -> None:
    local_server.route("/robots.txt", 200, body, {"Content-Type": "text/html"})
    assert policy_for(fetcher).check(local_server.url("/anything")) == "allowed"


def test_crawl_delay_is_capped(local_server: LocalServer, fetcher: Fetcher) -> None:
    local_server.route("/robots.txt", 200, "User-agent: *\nCrawl-delay: 86400\n",
                       {"Content-Type": "text/plain"})  # fmt: skip
    assert policy_for(fetcher).crawl_delay(local_server.url("/")) == MAX_CRAWL_DELAY


def test_robots_url_keeps_scheme_host_and_port() -> None:
    assert robots_url("https://Example.org:8443/a/b?c=1") == "https://Example.org:8443/robots.txt"
