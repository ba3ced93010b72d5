"""What the fast search paths promise, on real SQLite archives: a query matching more
than ``WINDOW`` articles ranks only the newest ``WINDOW`` matches (by archive id); with
fewer matches, filters, phrases or operators the hits and their order are exactly those
of a brute-force bm25 query over every match."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper import query
from scraper.archiver import Archive
from scraper.errors import ArchiveError
from tests.test_archiver import make_article, make_page

BM25 = "bm25(articles_fts, 8.0, 1.0, 2.0)"
SITES = ("north.example", "south.example", "east.example")
WORDS = ("harbour", "crane", "strike", "budget", "council", "river", "bridge", "grain")


def save(archive: Archive, n: int, title: str, body: str, **fields: object) -> None:
    url = f"https://{fields.get('site', 'news.example')}/story-{n}"
    article = make_article(url, title=title, body=body, bullets=[], **fields)
    archive.save(article, make_page(url), parser_version="1")


def brute_force(path: Path, match: str, where: str = "", params: tuple = ()) -> list[int]:
    """Every match, best first, ranked over the whole archive: the reference order."""
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute(
            f"SELECT articles_fts.rowid FROM articles_fts"
            f" JOIN articles AS a ON a.id = articles_fts.rowid"
            f" WHERE articles_fts MATCH ? {where} ORDER BY {BM25}, articles_fts.rowid",
            (match, *params))]  # fmt: skip


def ids(hits: list[dict]) -> list[int]:
    return [hit["id"] for hit in hits]


@pytest.fixture
def harbour(tmp_path: Path) -> Iterator[tuple[Archive, Path]]:
    """Eight articles mention "harbour"; the oldest two are the most about it (it is in
    their titles). Only the oldest also mentions "cranes"."""
    path = tmp_path / "harbour.db"
    with Archive(path) as archive:
        save(archive, 1, "Harbour harbour harbour", "The harbour reopened. Cranes moved.")
        save(archive, 2, "Harbour strike ends", "Dock workers at the harbour went back.")
        for n in range(3, 9):
            save(archive, n, f"Council meeting {n}", f"Item {n} on the agenda: the harbour "
                 "fees, the river bridge, the grain silo and the school roof.")  # fmt: skip
        yield archive, path


def test_common_word_ranks_only_the_newest_window_matches(
    harbour: tuple[Archive, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, path = harbour
    monkeypatch.setattr(query, "WINDOW", 3)
    hits = archive.search("harbour", limit=3)
    # The three matches archived last, best first; the two best-ranked overall (ids 1
    # and 2, "harbour" in the title) are older than the window and not returned.
    newest = [i for i in brute_force(path, '"harbour"') if i >= 6]
    assert ids(hits) == newest
    assert sorted(ids(hits)) == [6, 7, 8]
    assert brute_force(path, '"harbour"')[:2] == [1, 2]


def test_same_query_with_a_wide_window_ranks_the_whole_archive(
    harbour: tuple[Archive, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, path = harbour
    monkeypatch.setattr(query, "WINDOW", 8)  # exactly as many as match: no window
    assert ids(archive.search("harbour", limit=10)) == brute_force(path, '"harbour"')
    assert ids(archive.search("harbour", limit=2)) == [1, 2]


def test_date_filter_reaches_matches_older_than_the_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dated.db"
    with Archive(path) as archive:
        save(archive, 1, "Harbour harbour", "The harbour in spring.", published="2026-03-01")
        for n in range(2, 7):
            save(archive, n, f"Notes {n}", "Mostly about fees; the harbour once.",
                 published=f"2026-05-0{n}")  # fmt: skip
        monkeypatch.setattr(query, "WINDOW", 2)
        assert 1 not in ids(archive.search("harbour", limit=2))
        assert ids(archive.search("harbour", until="2026-04-30", limit=2)) == [1]
        assert ids(archive.search("harbour", until="2026-05-02", limit=2)) == [1, 2]  # all
        assert ids(archive.search("harbour", until="2026-05-03", limit=2)) == [2, 3]  # newest


def test_rare_word_of_a_query_proves_few_matches_so_the_ranking_is_full(
    harbour: tuple[Archive, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # "harbour" alone has more matches than the window, but "cranes" occurs once: the
    # query cannot match more than one article, so the oldest one is found.
    archive, path = harbour
    monkeypatch.setattr(query, "WINDOW", 2)
    hits = archive.search("harbour cranes", limit=1)
    assert ids(hits) == [1] == brute_force(path, '"harbour" "cranes"')


def test_phrase_is_ranked_over_every_match_however_many(
    harbour: tuple[Archive, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, path = harbour
    monkeypatch.setattr(query, "WINDOW", 2)
    best = brute_force(path, '"the harbour"')
    assert len(best) == 8 and min(best[:2]) < 7  # the best two are not the newest two
    assert ids(archive.search('"the harbour"', limit=2)) == best[:2]


def test_operators_with_many_matches_use_the_window_too(
    harbour: tuple[Archive, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, path = harbour
    monkeypatch.setattr(query, "WINDOW", 3)
    hits = archive.search("harbour OR strike", limit=3)
    assert ids(hits) == [i for i in brute_force(path, "harbour OR strike") if i >= 6]
    monkeypatch.setattr(query, "WINDOW", 20)
    assert ids(archive.search("harbour OR strike", limit=20)) == brute_force(
        path, "harbour OR strike"
    )


def test_snippets_are_highlighted_on_every_path(
    harbour: tuple[Archive, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, _ = harbour
    monkeypatch.setattr(query, "WINDOW", 3)
    for kwargs in ({}, {"site": "news.example"}):
        for text in ("harbour", "harbour OR strike", '"the harbour"', "cranes"):
            hits = archive.search(text, limit=3, **kwargs)
            assert hits, (text, kwargs)
            assert all("[" in hit["snippet"] and "]" in hit["snippet"] for hit in hits)
            assert all(hit["url"] and hit["title"] for hit in hits)


# -- filters ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, Path]]:
    """120 articles on three sites over six months, words drawn at random (fixed
    seed), some undated."""
    rng = random.Random(11)
    path = tmp_path_factory.mktemp("mixed") / "mixed.db"
    with Archive(path) as archive:
        for n in range(120):
            title = " ".join(rng.choices(WORDS, k=3))
            body = " ".join(rng.choices((*WORDS, "the", "a", "and", "of"), k=rng.randint(5, 60)))
            day = None if n % 17 == 0 else f"2026-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"
            if day and n % 3 == 0:
                day += "T23:30:00+02:00"
            save(archive, n, title, body, site=SITES[n % 3], published=day)
        yield archive, path


FILTERS = [
    {"site": "north.example"},
    {"since": "2026-03-01"},
    {"until": "2026-02-14"},
    {"since": "2026-02-01", "until": "2026-04-30"},
    {"site": "south.example", "since": "2026-04-01"},
    {"site": "east.example", "until": "2026-03-15"},
    {"site": "nowhere.example"},
]


def reference(path: Path, match: str, site=None, since=None, until=None) -> list[int]:
    """Brute force with the filters written out as the documented rules."""
    where, params = "", []
    if site:
        where += " AND a.site = ?"
        params.append(site)
    if since:
        where += " AND a.published >= ?"
        params.append(since)
    if until:
        where += " AND substr(a.published, 1, ?) <= ?"
        params += [len(until), until]
    return brute_force(path, match, where, tuple(params))


def label(filters: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in filters.items())


# The three ways filters are applied: a fetched id list, a list SQLite builds from a
# subquery, a join (see query._restriction).
TIERS = {"id-list": (5000, 15000), "subquery": (4, 15000), "join": (4, 4)}


def use_tier(monkeypatch: pytest.MonkeyPatch, tier: str) -> None:
    id_list_max, subquery_max = TIERS[tier]
    monkeypatch.setattr(query, "ID_LIST_MAX", id_list_max)
    monkeypatch.setattr(query, "SUBQUERY_MAX", subquery_max)


@pytest.mark.parametrize("filters", FILTERS, ids=label)
@pytest.mark.parametrize("tier", TIERS)
def test_filtered_search_equals_brute_force_when_matches_fit_the_window(
    mixed: tuple[Archive, Path], monkeypatch: pytest.MonkeyPatch, filters: dict, tier: str
) -> None:
    archive, path = mixed
    use_tier(monkeypatch, tier)
    queries = [("harbour", '"harbour"'), ('"the harbour"', '"the harbour"'),
               ("crane OR river", "crane OR river"), ("grain bridge", '"grain" "bridge"')]
    for text, match in queries:
        expected = reference(path, match, **filters)
        assert ids(archive.search(text, limit=500, **filters)) == expected, text


@pytest.mark.parametrize("filters", FILTERS[:6], ids=label)
@pytest.mark.parametrize("tier", TIERS)
def test_filtered_search_with_many_matches_ranks_the_newest_filtered_ones(
    mixed: tuple[Archive, Path], monkeypatch: pytest.MonkeyPatch, filters: dict, tier: str
) -> None:
    archive, path = mixed
    use_tier(monkeypatch, tier)
    monkeypatch.setattr(query, "WINDOW", 5)
    expected = reference(path, '"harbour"', **filters)
    assert len(expected) > 5  # the window really applies
    newest = sorted(expected)[-5:]
    hits = archive.search("harbour", limit=5, **filters)
    assert ids(hits) == [i for i in expected if i in newest]
    for hit in hits:
        if "site" in filters:
            assert hit["site"] == filters["site"]
        if "since" in filters:
            assert hit["published"] >= filters["since"]
        if "until" in filters:
            assert hit["published"][:10] <= filters["until"]


def test_limit_takes_the_best_of_the_full_ranking(mixed: tuple[Archive, Path]) -> None:
    archive, path = mixed
    expected = reference(path, '"strike"', site="north.example")
    assert len(expected) > 3
    assert ids(archive.search("strike", site="north.example", limit=3)) == expected[:3]


# -- the index-friendly "until" is the documented prefix rule ----------------------------


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
DATES = st.one_of(st.dates().map(str), st.datetimes().map(lambda d: d.isoformat()))


@settings(max_examples=400, deadline=None)
@given(until=st.one_of(st.dates().map(str), st.datetimes().map(lambda d: d.isoformat()[:16])),
       cut=st.integers(0, 30), tail=st.one_of(TEXT, st.sampled_from(["", "~", "é", "\U0010fffd"])),
       other=st.one_of(st.none(), DATES, TEXT))  # fmt: skip
def test_until_filter_matches_the_prefix_comparison(
    until: str, cut: int, tail: str, other: str | None
) -> None:
    where, params = query._filters(None, None, until)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE articles (published TEXT)")
    # Values sharing a prefix with the bound (and then anything) are where an
    # off-by-one in the rewrite would show.
    conn.executemany("INSERT INTO articles VALUES (?)", [(until[:cut] + tail,), (other,)])
    fast = conn.execute(f"SELECT published FROM articles AS a WHERE 1 {where}", params)
    rule = conn.execute("SELECT published FROM articles WHERE substr(published, 1, ?) <= ?",
                        (len(until), until))  # fmt: skip
    assert sorted(map(str, fast)) == sorted(map(str, rule))


def test_a_limit_larger_than_the_window_widens_it(
    harbour: tuple[Archive, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, path = harbour
    monkeypatch.setattr(query, "WINDOW", 3)
    hits = archive.search("harbour", limit=5)
    assert ids(hits) == [i for i in brute_force(path, '"harbour"') if i >= 4]


def test_malformed_query_is_an_error_even_when_no_article_passes_the_filters(
    harbour: tuple[Archive, Path],
) -> None:
    archive, _ = harbour
    with pytest.raises(ArchiveError, match="invalid search query"):
        archive.search("harbour AND (", site="nowhere.example")
    assert archive.search("harbour AND strike", site="nowhere.example") == []
