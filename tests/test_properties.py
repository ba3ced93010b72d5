"""Property-based tests (hypothesis): what must hold for *any* input, not just the
pages we thought of.

- ``parse()`` returns an Article or raises ParseError, for arbitrary bytes and text
  and for real pages cut, spliced and sprinkled with junk;
- ``normalize_url`` is idempotent and never changes a host except for case and IDNA;
- dates read from visible text are never before 1990 nor more than a day ahead.

Example counts are modest so the file stays fast; the database of failing examples
(``.hypothesis/``) makes any failure found once come back first on the next run.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import idna
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from scraper.errors import ParseError
from scraper.models import PAGE_KINDS, Article
from scraper.normalize import normalize_url
from scraper.parser import parse
from scraper.parser.dates import (
    MONTHS,
    date_from_url,
    find_dates,
    parse_date_text,
    to_datetime,
)
from tests.faults import article_html

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
PAGES = sorted(FIXTURES.glob("*.html"))[:8] if FIXTURES.is_dir() else []
SAMPLE = article_html("sample", bullets=4)

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
# C0 (but tab and newline), DEL and C1: never content, removed from records.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def check_record(html: str | bytes, url: str | None = "https://news.example/2026/04/09/x") -> None:
    """The contract: an Article with sane fields, or a ParseError. Nothing else."""
    try:
        article = parse(html, url=url)
    except ParseError:
        return
    assert isinstance(article, Article)
    assert article.kind in PAGE_KINDS
    assert article.word_count == len(article.body.split())
    assert not CONTROL.search(article.body)
    assert "\x00" not in article.body
    assert all(b.text for b in article.bullets)
    article.to_dict()  # serializable record


# -- parse(): arbitrary input ---------------------------------------------------------------


@FAST
@given(st.binary(max_size=4096))
@example(b"\x00" * 100)
@example(b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00")
@example(b"<?xml version='1.0' encoding='utf-16'?><html><body><p>x</p></body></html>")
def test_parse_arbitrary_bytes_gives_a_record_or_parse_error(raw: bytes) -> None:
    check_record(raw)


@FAST
@given(st.text(max_size=2048))
@example("<html><body><p>\ud800</p></body></html>")
@example("<" * 1000)
def test_parse_arbitrary_text_gives_a_record_or_parse_error(text: str) -> None:
    check_record(text)


TAGS = ["<p>", "</p>", "<ul>", "</ul>", "<li>", "<h2>", "</h2>", "<article>", "</article>",
        "<script>", "</script>", "<table><tr><td>", "<!--", "-->", "<![CDATA[", "<br/>",
        "<time datetime='2031-02-30'>", "<meta charset='utf-16'>", "<base href='javascript:x'>",
        "<a href='//evil'>", "&#0;", "&#x110000;", "&nbsp;", "▶ ", "• ", "1. ", "\x00", "\ufeff",
        "<script type='application/ld+json'>{\"@type\":\"NewsArticle\",\"datePublished\":",
        "<h1>", "</h1>", "<strong>Lead.</strong>"]  # fmt: skip


@st.composite
def tag_soup(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(TAGS), st.text(max_size=40)), max_size=80))
    return "".join(parts)


@FAST
@given(tag_soup())
def test_parse_tag_soup_gives_a_record_or_parse_error(html: str) -> None:
    check_record(html)


@pytest.mark.parametrize("html", ["\x7f", "<p>one \x7f two</p>", "<p>a &#27; b</p>"])
def test_word_count_matches_the_body_once_control_characters_are_removed(html: str) -> None:
    article = parse(html, url="https://news.example/a")
    assert article.word_count == len(article.body.split())
    assert "  " not in article.body


# -- parse(): real pages, mutated -------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, pages: list[bytes]) -> bytes:
    """A real page with a few random edits: cut, delete, duplicate, insert junk or tags."""
    data = bytearray(draw(st.sampled_from(pages)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "delete", "duplicate", "insert", "tag"]))
        i = draw(st.integers(0, len(data)))
        j = draw(st.integers(i, min(len(data), i + 2000)))
        if op == "truncate":
            del data[i:]
        elif op == "delete":
            del data[i:j]
        elif op == "duplicate":
            data[j:j] = data[i:j]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=64))
        else:
            data[i:i] = draw(st.sampled_from(TAGS)).encode()
    return bytes(data)


REAL_PAGES = [SAMPLE] + [p.read_bytes() for p in PAGES]


@SLOW
@given(mutated(REAL_PAGES))
def test_parse_mutated_real_pages_gives_a_record_or_parse_error(raw: bytes) -> None:
    check_record(raw)


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_fixture_page_parses_when_cut_at_any_tenth(page: Path) -> None:
    raw = page.read_bytes()
    for tenth in range(10):
        check_record(raw[: len(raw) * tenth // 10])


# -- normalize_url ------------------------------------------------------------------------------

LABEL = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9\-]{0,10}[a-zA-Z0-9])?", fullmatch=True)
UNICODE_LABEL = st.text(
    alphabet=st.sampled_from("abcxyzäöüßéèçñøåжёфыкирилцаΑβγδ中文字例え日本"),
    min_size=1,
    max_size=8,
)
URL_CHARS = st.text(
    alphabet=st.sampled_from(
        "abcXYZ019-._~!$&'()*+,;=:@/%?# [ ]\"<>\\^`{|}éжü中\t\n\x00%2f%2F%41%7e%zz"
    ),
    max_size=40,
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "HtTpS"]))
    labels = draw(st.lists(st.one_of(LABEL, UNICODE_LABEL), min_size=1, max_size=4))
    host = ".".join(labels)
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":0080", ":65535"]))
    user = draw(st.sampled_from(["", "user@", "u:p@"]))
    return f"{scheme}://{user}{host}{port}{draw(URL_CHARS)}"


def expected_host(raw_host: str) -> str | None:
    """What the host may become: lowercased, IDNA-encoded — nothing else."""
    host = raw_host.lower()
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii").lower()
    except idna.IDNAError:
        return None


@FAST
@given(urls())
@example("HTTP://Example.COM:80/a/./b/../c?utm_source=x&b=2#frag")
@example("https://xn--mnchen-3ya.de/%7efoo")
@example("http://ExAmple.com:0080/")
@example("http://0 ")
def test_normalize_url_is_idempotent_and_keeps_the_host(url: str) -> None:
    first = normalize_url(url)
    if first is None:
        return
    assert normalize_url(first) == first
    parts = urlsplit(first)
    assert parts.scheme in ("http", "https") and not parts.fragment
    # As the URL standard reads an href: leading and trailing C0 controls and spaces
    # are stripped, tabs and newlines removed anywhere.
    stripped = url.strip("".join(map(chr, range(0x21))))
    raw_host = urlsplit(stripped.replace("\t", "").replace("\n", "")).hostname
    assume(raw_host is not None)
    assert raw_host is not None
    want = expected_host(raw_host)
    assert want is None or parts.hostname == want, (url, first)


@FAST
@given(st.text(max_size=200), urls())
def test_normalize_url_of_any_link_text_is_idempotent(href: str, base: str) -> None:
    first = normalize_url(href, base)
    if first is not None:
        assert normalize_url(first) == first
        assert urlsplit(first).scheme in ("http", "https")


# -- dates -------------------------------------------------------------------------------------

MONTH_WORDS = sorted(MONTHS)


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    """Visible text with dates in many shapes, plausible or not (years 0-9999)."""
    y = draw(st.integers(0, 9999))
    yy = draw(st.integers(0, 99))
    m = draw(st.integers(0, 14))
    d = draw(st.integers(0, 35))
    word = draw(st.sampled_from(MONTH_WORDS))
    hh, mm = draw(st.integers(0, 30)), draw(st.integers(0, 70))
    shapes = [
        f"{d} {word} {y}", f"{word} {d}, {y}", f"{y}-{m:02d}-{d:02d}",
        f"{y}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:00+02:00", f"{d:02d}.{m:02d}.{y}",
        f"{d}/{m}/{y}", f"{m}/{d}/{y}", f"{d:02d}.{m:02d}.{yy:02d}", f"{y}年{m}月{d}日",
        f"{d} {word} {y}, {hh}:{mm:02d}", f"Updated {word} {d}, {y} at {hh}:{mm:02d} pm",
    ]  # fmt: skip
    parts = draw(st.lists(st.one_of(st.sampled_from(shapes), st.text(max_size=20)), max_size=5))
    return " ".join(parts)


def assert_plausible(iso: str | None, now: datetime) -> None:
    if iso is None:
        return
    when = to_datetime(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    assert when.year >= 1990, iso
    assert when <= now + timedelta(days=1, minutes=1), iso


@FAST
@given(date_texts(), st.sampled_from([None, "en", "de", "ru", "fr"]))
@example("31 December 2026 23:59", "en")
@example("01.01.1989", None)
def test_visible_text_dates_are_never_before_1990_or_in_the_future(
    text: str, lang: str | None
) -> None:
    assert_plausible(parse_date_text(text, lang=lang, now=NOW), NOW)


@FAST
@given(st.text(max_size=300))
def test_find_dates_gives_real_calendar_dates_for_any_text(text: str) -> None:
    for found in find_dates(text):
        to_datetime(found.iso)  # a real date (no 30 February), whatever its year
        assert 0 <= found.start < found.end <= len(text)


@FAST
@given(
    st.integers(1900, 2100),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from(["/{y}/{m:02d}/{d:02d}/story", "/news/{y}{m:02d}{d:02d}-x", "/{y}-{m}-{d}"]),
)
def test_dates_from_urls_are_plausible(y: int, m: int, d: int, shape: str) -> None:
    url = "https://news.example" + shape.format(y=y, m=m, d=d)
    assert_plausible(date_from_url(url, now=NOW), NOW)


@SLOW
@given(date_texts())
def test_published_from_a_visible_byline_is_plausible(text: str) -> None:
    """Through the whole parser: a page whose only date is visible text."""
    html = (
        "<html><body><article><h1>Council approves the harbor plan</h1>"
        f"<p class='byline'>By Ann Lee · {text}</p>"
        + "<p>The council met on Thursday to approve the plan for the new berth.</p>" * 5
        + "</article></body></html>"
    )
    article = parse(html, url="https://news.example/story")
    now = datetime.now(UTC)
    assert_plausible(article.published, now)
    assert_plausible(article.modified, now)
