"""Archive reads on real SQLite files: full-text search (ranking, filters, Cyrillic,
accents, punctuation, bad syntax), records, history, raw pages, stats, WARC export."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from scraper import query
from scraper.archiver import Archive
from scraper.errors import ArchiveError
from scraper.models import Bullet
from scraper.warc import write_warc
from tests.test_archiver import make_article, make_page


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(tmp_path / "archive.db") as opened:
        yield opened


@pytest.fixture
def news(archive: Archive) -> Archive:
    """Four articles on two sites, in English, Russian and French."""
    articles = [
        make_article(
            "https://news.example/paraguay", title="US secures Paraguay as military foothold",
            published="2026-04-09T10:15:00+00:00",
            body="Paraguayan lawmakers approved the agreement.\n\nU.S. troops may enter.",
            bullets=[Bullet("SOFA grants US military personnel immunity.", "Details")],
        ),
        make_article(
            "https://news.example/budget", title="City budget passes", published="2026-03-01",
            body="The council passed the budget. A footnote mentions Paraguay once.",
            bullets=[Bullet("Parks get more money.", None)],
        ),
        make_article(
            "https://ru.example/moscow", site="ru.example", title="В Москве открыли новый мост",
            published="2026-04-20", body="Мост через реку открыли в субботу.", bullets=[],
            language="ru",
        ),
        make_article(
            "https://ru.example/cafe", site="ru.example", title="Le café de la gare rouvre",
            published=None, body="Le café rouvre après travaux.", bullets=[], language="fr",
        ),
    ]  # fmt: skip
    for article in articles:
        url = article.canonical_url
        assert url is not None
        archive.save(article, make_page(url), parser_version="1")
    return archive


def titles(hits: list[dict]) -> list[str]:
    return [h["title"] for h in hits]


# -- search --------------------------------------------------------------------------------


def test_search_finds_words_from_title_body_and_bullets(news: Archive) -> None:
    assert titles(news.search("foothold")) == ["US secures Paraguay as military foothold"]
    assert titles(news.search("lawmakers")) == ["US secures Paraguay as military foothold"]
    assert titles(news.search("immunity")) == ["US secures Paraguay as military foothold"]
    assert titles(news.search("parks")) == ["City budget passes"]
    assert news.search("zeppelin") == []


def test_search_handles_cyrillic_in_any_case(news: Archive) -> None:
    assert titles(news.search("Москве")) == ["В Москве открыли новый мост"]
    assert titles(news.search("москве")) == ["В Москве открыли новый мост"]
    assert titles(news.search("МОСТ")) == ["В Москве открыли новый мост"]


def test_search_ignores_accents_both_ways(news: Archive) -> None:
    assert titles(news.search("cafe")) == ["Le café de la gare rouvre"]
    assert titles(news.search("café")) == ["Le café de la gare rouvre"]
    assert titles(news.search("apres")) == ["Le café de la gare rouvre"]


def test_search_ranks_the_article_about_the_word_first(news: Archive) -> None:
    hits = news.search("paraguay")
    assert titles(hits) == ["US secures Paraguay as military foothold", "City budget passes"]
    assert hits[0]["rank"] < hits[1]["rank"]


def test_search_hits_carry_url_published_and_highlighted_snippet(news: Archive) -> None:
    (hit,) = news.search("lawmakers")
    assert hit["url"] == "https://news.example/paraguay"
    assert hit["published"] == "2026-04-09T10:15:00+00:00"
    assert "[lawmakers]" in hit["snippet"]
    assert "\n" not in news.search("troops")[0]["snippet"]  # body paragraphs, one line
    assert set(hit) >= {"id", "url", "canonical_url", "site", "title", "published", "snippet"}


def test_search_filters_by_site_and_published_window(news: Archive) -> None:
    assert titles(news.search("paraguay", site="www.NEWS.example")) == [
        "US secures Paraguay as military foothold", "City budget passes"
    ]
    assert news.search("paraguay", site="ru.example") == []
    assert titles(news.search("paraguay", since="2026-04-01")) == [
        "US secures Paraguay as military foothold"
    ]
    assert titles(news.search("paraguay", until="2026-03-31")) == ["City budget passes"]
    # until is inclusive of the whole day even when published has a time.
    assert len(news.search("paraguay", since="2026-04-09", until="2026-04-09")) == 1


def test_search_limit(news: Archive) -> None:
    assert len(news.search("paraguay", limit=1)) == 1


def test_plain_phrase_with_punctuation_just_works(news: Archive) -> None:
    for text in ('U.S. "troops" (Paraguay)', "U.S. troops", 'say "hello', "foothold!",
                 "C++ (paraguay", "e-mail: paraguay", "troops)", "NEAR paraguay"):  # fmt: skip
        news.search(text)  # never a syntax error
    assert titles(news.search('U.S. "troops" (Paraguay)')) == [
        "US secures Paraguay as military foothold"
    ]


def test_fts_syntax_is_honoured_when_used(news: Archive) -> None:
    assert sorted(titles(news.search("parks OR foothold"))) == [
        "City budget passes", "US secures Paraguay as military foothold"
    ]
    assert titles(news.search("paraguay NOT foothold")) == ["City budget passes"]
    assert titles(news.search("footh*")) == ["US secures Paraguay as military foothold"]
    assert len(news.search("foot*")) == 2  # foothold, footnote
    assert titles(news.search("title:paraguay")) == ["US secures Paraguay as military foothold"]
    assert titles(news.search("NEAR(lawmakers approved, 2)")) == [
        "US secures Paraguay as military foothold"
    ]


@pytest.mark.parametrize("text", ["troops AND", "OR paraguay", "(troops OR) AND x"])
def test_malformed_fts_query_is_a_clear_archive_error(news: Archive, text: str) -> None:
    with pytest.raises(ArchiveError, match="invalid search query") as info:
        news.search(text)
    assert "double quotes" in str(info.value)


@pytest.mark.parametrize("text", ["", "   ", "!!! ...", '"'])
def test_query_without_words_is_a_clear_error(news: Archive, text: str) -> None:
    with pytest.raises(ArchiveError, match="search query"):
        news.search(text)


def test_fts_query_quotes_plain_words_and_keeps_operators() -> None:
    assert query.fts_query('U.S. "troops" (Paraguay)') == '"U.S." "troops" "Paraguay"'
    assert query.fts_query('say "hello') == '"say" "hello"'
    assert query.fts_query("U.S. OR troops") == '"U.S." OR troops'
    assert query.fts_query("(a OR b) AND c*") == "( a OR b ) AND c*"
    assert query.fts_query("title:U.S. AND x") == 'title:"U.S." AND x'


def test_bad_date_filter_is_a_clear_error_raised_before_streaming(news: Archive) -> None:
    with pytest.raises(ArchiveError, match="not a date"):
        news.search("paraguay", since="last tuesday")
    with pytest.raises(ArchiveError, match="not a date"):
        news.iter_records(until="2026-13-45")  # no next() needed
    with pytest.raises(ArchiveError, match="not a date"):
        news.iter_pages(since="yesterday")


# -- records -------------------------------------------------------------------------------


def test_get_by_id_canonical_url_or_alias(news: Archive) -> None:
    record = news.get("https://news.example/budget")
    assert record is not None
    assert news.get(record["id"]) == record
    assert news.get(str(record["id"])) == record
    assert news.get(999) is None
    keys = list(record)
    assert keys[:16] == list(make_article().to_dict())
    assert keys[16:] == ["id", "revision", "first_seen", "last_fetched", "last_changed"]


def test_iter_records_filters_and_streams_across_batches(archive: Archive) -> None:
    total = query.BATCH * 2 + 7
    for n in range(total):
        url = f"https://news.example/{n}"
        month = "2026-01-15" if n % 2 else "2026-02-15"
        archive.save(make_article(url, published=month), None, parser_version="1")
    records = archive.iter_records()
    assert iter(records) is records  # a generator, not a list
    ids = [r["id"] for r in records]
    assert ids == sorted(ids) and len(ids) == total
    assert sum(1 for _ in archive.iter_records(since="2026-02-01")) == (total + 1) // 2
    assert sum(1 for _ in archive.iter_records(until="2026-01-31")) == total // 2
    assert sum(1 for _ in archive.iter_records(site="other.example")) == 0


def test_export_memory_stays_flat_as_the_archive_grows(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query, "BATCH", 20)

    def peak_while_exporting() -> int:
        tracemalloc.start()
        for _ in archive.iter_records():
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    body = "word " * 1000
    for n in range(3 * query.BATCH):
        archive.save(make_article(f"https://news.example/{n}", body=body), None, parser_version="1")
    small = peak_while_exporting()
    for n in range(3 * query.BATCH, 8 * query.BATCH):
        archive.save(make_article(f"https://news.example/{n}", body=body), None, parser_version="1")
    assert peak_while_exporting() < small * 1.5


def test_writes_during_iteration_on_the_same_archive_work(archive: Archive) -> None:
    for n in range(query.BATCH + 5):
        url = f"https://news.example/{n}"
        archive.save(make_article(url), make_page(url), parser_version="1")
    seen = 0
    for page in archive.iter_pages():
        archive.save(make_article(page.url, title="Reparsed"), page, parser_version="2")
        seen += 1
    assert seen == query.BATCH + 5
    assert archive.check() == []


# -- history and pages -----------------------------------------------------------------------


def test_history_lists_revisions_oldest_first_with_records(archive: Archive) -> None:
    archive.save(make_article(title="First"), make_page(fetched_at="2026-01-01T00:00:00Z"),
                 parser_version="1")  # fmt: skip
    archive.save(make_article(title="First"), make_page(fetched_at="2026-01-02T00:00:00Z"),
                 parser_version="1")  # fmt: skip
    archive.save(make_article(title="Second"), make_page(fetched_at="2026-01-03T00:00:00Z"),
                 parser_version="1")  # fmt: skip
    revisions = archive.history("https://news.example/a")
    assert [(r["revision"], r["title"], r["fetched_at"]) for r in revisions] == [
        (1, "First", "2026-01-01T00:00:00Z"), (2, "Second", "2026-01-03T00:00:00Z")
    ]
    assert revisions[0]["content_hash"] != revisions[1]["content_hash"]
    assert revisions[0]["bullets"][0]["text"] == "New hoist cables were fitted."
    assert archive.history("https://news.example/none") == []


def test_iter_pages_gives_latest_copy_per_article_or_every_capture(archive: Archive) -> None:
    archive.save(make_article(), make_page(body=b"<p>one</p>", fetched_at="2026-01-01"),
                 parser_version="1")  # fmt: skip
    archive.save(make_article(title="x"), make_page(body=b"<p>two</p>", fetched_at="2026-02-01"),
                 parser_version="1")  # fmt: skip
    archive.save(make_article("https://news.example/b"), make_page("https://news.example/b"),
                 parser_version="1")  # fmt: skip
    latest = list(archive.iter_pages())
    assert [p.content for p in latest] == [b"<p>two</p>", make_page().content]
    assert latest[0].headers == {"Content-Type": "text/html; charset=utf-8"}
    assert latest[0].text == "<p>two</p>"
    assert len(list(archive.iter_pages(latest_only=False))) == 3
    assert len(list(archive.iter_pages(since="2026-01-15", latest_only=False))) == 2
    assert list(archive.iter_pages(site="elsewhere.example")) == []


# -- stats -----------------------------------------------------------------------------------


def test_stats_counts_sites_months_outcomes_and_failures(news: Archive) -> None:
    from scraper.models import FetchOutcome

    news.record_fetch(FetchOutcome("https://x/1", 404, "HTTP 404", 0, 1, "2026-01-01",
                                   outcome="failed"))  # fmt: skip
    news.record_fetch(FetchOutcome("https://x/2", 404, "HTTP 404", 0, 1, "2026-01-01",
                                   outcome="failed"))  # fmt: skip
    news.record_fetch(FetchOutcome("https://x/3", 200, None, 9, 1, "2026-01-01", outcome="new"))
    data = news.stats()
    assert data["articles"] == 4
    assert data["sites"] == {"news.example": 2, "ru.example": 2}
    assert data["months"] == {"2026-04": 2, "2026-03": 1, "(undated)": 1}
    assert data["fetch_outcomes"] == {"failed": 2, "new": 1}
    assert data["failures"] == {"HTTP 404": 2}
    assert data["db_bytes"] > 0 and data["pages"] == 4


# -- WARC ------------------------------------------------------------------------------------


def test_warc_export_reads_back_with_original_headers(archive: Archive) -> None:
    page = make_page(body="<p>Москва</p>".encode(), fetched_at="2026-04-09T12:00:00+02:00",
                     headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"abc"',
                              "Content-Encoding": "gzip", "Content-Length": "5"})  # fmt: skip
    archive.save(make_article(), page, parser_version="1")
    archive.save(make_article("https://other.example/x", site="other.example"),
                 make_page("https://other.example/x"), parser_version="1")  # fmt: skip
    out = io.BytesIO()
    assert write_warc(archive, out) == 2
    out.seek(0)
    records, digests = [], []
    for r in ArchiveIterator(out, check_digests=True):
        records.append((r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers,
                        r.http_headers, r.content_stream().read()))  # fmt: skip
        digests.append(r.digest_checker.passed)
    assert [r[0] for r in records] == ["warcinfo", "response", "response"]
    assert digests[1:] == [True, True]  # block and payload digests verified by warcio
    _, uri, warc_headers, http_headers, body = records[1]
    assert uri == "https://news.example/a"
    assert warc_headers.protocol == "WARC/1.1"
    assert warc_headers.get_header("WARC-Date") == "2026-04-09T10:00:00Z"
    assert http_headers.get_statuscode() == "200"
    assert http_headers.get_header("ETag") == '"abc"'
    assert http_headers.get_header("Content-Encoding") is None  # body is stored decoded
    assert http_headers.get_header("Content-Length") == str(len(body))
    assert body.decode() == "<p>Москва</p>"


def test_warc_export_of_one_site(archive: Archive) -> None:
    archive.save(make_article(), make_page(), parser_version="1")
    archive.save(make_article("https://other.example/x", site="other.example"),
                 make_page("https://other.example/x"), parser_version="1")  # fmt: skip
    out = io.BytesIO()
    assert write_warc(archive, out, site="other.example", gzip=False) == 1
    out.seek(0)
    uris = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(out)
            if r.rec_type == "response"]  # fmt: skip
    assert uris == ["https://other.example/x"]


def test_readonly_archive_serves_every_read(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        archive.save(make_article(), make_page(), parser_version="1")
    with Archive(path, readonly=True) as reader:
        assert reader.get(1) is not None
        assert len(reader.search("cranes")) == 1
        assert len(list(reader.iter_records())) == 1
        assert len(reader.history(1)) == 1
        assert len(list(reader.iter_pages())) == 1
        assert reader.stats()["articles"] == 1
        assert reader.check() == []
        assert write_warc(reader, io.BytesIO()) == 1


# -- property: no query text can crash search ------------------------------------------------


@pytest.fixture(scope="module")
def shared_archive(tmp_path_factory: pytest.TempPathFactory):
    with Archive(tmp_path_factory.mktemp("fts") / "archive.db") as opened:
        opened.save(make_article(), make_page(), parser_version="1")
        yield opened


_QUERY_ALPHABET = st.sampled_from(
    [*'abcXYZ мост café 0123 "\'()*^:-+.,;!?&|{}[]<>/\\~`@#$%=_\t\n', "AND", "OR", "NOT", "NEAR"]
)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=40), st.lists(_QUERY_ALPHABET, max_size=12).map(" ".join)))
def test_any_query_text_gives_hits_or_a_clear_archive_error(
    shared_archive: Archive, text: str
) -> None:
    try:
        hits = shared_archive.search(text)
    except ArchiveError as exc:
        assert "search query" in str(exc)
        if "invalid search query" in str(exc):
            # Only text that uses FTS operators may be rejected as malformed.
            assert query._ADVANCED.search(text)
    else:
        assert isinstance(hits, list)
