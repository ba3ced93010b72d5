"""Date parsing: ISO and HTTP dates, visible dates in many languages, URL dates, limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scraper.parser.dates import (
    date_from_url,
    find_dates,
    is_plausible,
    normalize_iso,
    parse_date_text,
    relocalize,
)

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-04-09", "2026-04-09"),
        ("2026-04-09T10:15:00Z", "2026-04-09T10:15:00+00:00"),
        ("2026-04-09T10:15:00+02:00", "2026-04-09T10:15:00+02:00"),
        ("2026-04-09T10:15:00.123-0500", "2026-04-09T10:15:00-05:00"),
        ("2026-04-09T10:15", "2026-04-09T10:15:00"),
        ("2026-04-09 10:15:30", "2026-04-09T10:15:30"),
        ("20260409", "2026-04-09"),
        ("Thu, 09 Apr 2026 10:15:00 GMT", "2026-04-09T10:15:00+00:00"),
        ("April 9, 2026", "2026-04-09"),
    ],
)
def test_normalize_iso_keeps_the_given_precision_and_zone(raw: str, expected: str) -> None:
    assert normalize_iso(raw) == expected


@pytest.mark.parametrize("raw", ["2020-Apr-Sun", "2026-13-01", "not a date", "", "2026-02-30"])
def test_normalize_iso_rejects_values_that_are_not_calendar_days(raw: str) -> None:
    assert normalize_iso(raw) is None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Published 9 April 2026", "en", "2026-04-09"),
        ("Apr 9, 2026", "en", "2026-04-09"),
        ("April 9th, 2026 at 3:15 pm", "en", "2026-04-09T15:15:00"),
        ("2026-04-09", None, "2026-04-09"),
        ("09.04.2026", "de", "2026-04-09"),
        ("am 9. April 2026 um 10:15 Uhr", "de", "2026-04-09T10:15:00"),
        ("9. März 2026", "de", "2026-03-09"),
        ("le 9 avril 2026", "fr", "2026-04-09"),
        ("1er janvier 2026", "fr", "2026-01-01"),
        ("9 de abril de 2026", "es", "2026-04-09"),
        ("9 апреля 2026 г.", "ru", "2026-04-09"),
        ("Апр 9, 2026", "ru", "2026-04-09"),
        ("9 kwietnia 2026", "pl", "2026-04-09"),
        ("9 aprile 2026", "it", "2026-04-09"),
        ("9 de abril de 2026", "pt", "2026-04-09"),
        ("9 april 2026", "nl", "2026-04-09"),
        ("2026年4月9日", "ja", "2026-04-09"),
    ],
)
def test_visible_dates_are_read_in_many_languages(
    text: str, lang: str | None, expected: str
) -> None:
    assert parse_date_text(text, lang=lang, now=NOW) == expected


def test_ambiguous_slash_date_is_month_first_only_in_english() -> None:
    assert parse_date_text("04/09/2026", lang="en", now=NOW) == "2026-04-09"
    assert parse_date_text("04/09/2026", lang="de", now=NOW) is None  # 4 Sep: future
    assert parse_date_text("09/04/2026", lang="fr", now=NOW) == "2026-04-09"


def test_british_english_writes_the_day_first() -> None:
    assert parse_date_text("02/04/2026", lang="en-GB", now=NOW) == "2026-04-02"
    assert parse_date_text("02/04/2026", lang="en-US", now=NOW) == "2026-02-04"


def test_impossible_reading_of_a_numeric_date_is_swapped() -> None:
    assert parse_date_text("13/04/2026", lang="en", now=NOW) == "2026-04-13"


def test_future_and_pre_1995_visible_dates_are_rejected() -> None:
    assert parse_date_text("9 April 2027", now=NOW) is None
    assert parse_date_text("9 April 1990", now=NOW) is None
    assert parse_date_text("21 April 2026", now=NOW) == "2026-04-21"  # within a day


def test_first_plausible_date_wins_over_a_later_one() -> None:
    text = "Termin 9 April 2031, geschrieben am 2. April 2026"
    assert parse_date_text(text, now=NOW) == "2026-04-02"


def test_structured_dates_may_be_old_or_scheduled() -> None:
    assert is_plausible("1989-11-09", structured=True, now=NOW)
    assert is_plausible("2026-05-01T08:00:00+00:00", structured=True, now=NOW)
    assert not is_plausible("1989-11-09", now=NOW)
    assert not is_plausible("2026-05-01T08:00:00+00:00", now=NOW)


def test_aware_and_naive_dates_are_compared_with_an_aware_now() -> None:
    assert is_plausible("2026-04-21T08:00:00", now=NOW)
    assert is_plausible("2026-04-21T08:00:00+02:00", now=NOW)
    assert not is_plausible("2026-04-22T13:00:00+00:00", now=NOW)


def test_copyright_year_ranges_are_not_dates() -> None:
    assert list(find_dates("© 2019-2026 Example Media")) == []


def test_find_dates_reports_positions_in_order() -> None:
    found = list(find_dates("from 2026-04-01 to 9 April 2026"))
    assert [f.iso for f in found] == ["2026-04-01", "2026-04-09"]
    assert found[0].start < found[1].start


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/2026/04/09/some-story/", "2026-04-09"),
        ("https://example.com/news/2026-04-09-some-story", "2026-04-09"),
        ("https://example.com/story_20260409.html", "2026-04-09"),
        ("https://example.com/2026/04/some-story/", None),
        ("https://example.com/2026/13/45/x", None),
        ("https://20260409.example.com/", None),
        (None, None),
    ],
)
def test_date_from_url_needs_a_full_day_in_the_path(url: str | None, expected: str | None) -> None:
    assert date_from_url(url, now=NOW) == expected


def test_date_from_url_rejects_future_days() -> None:
    assert date_from_url("https://example.com/2030/01/02/x", now=NOW) is None


def test_relocalize_uses_a_naive_local_copy_of_the_same_instant() -> None:
    utc = "2023-11-09T01:49:09+00:00"
    assert relocalize(utc, ["2023-11-08 17:49:09"]) == "2023-11-08T17:49:09-08:00"


def test_relocalize_uses_an_offset_copy_of_the_same_instant() -> None:
    utc = "2023-11-09T03:28:35+00:00"
    assert relocalize(utc, ["2023-11-08T22:28:35-05:00"]) == "2023-11-08T22:28:35-05:00"


def test_relocalize_ignores_unrelated_times() -> None:
    utc = "2023-11-09T03:28:35+00:00"
    assert relocalize(utc, ["2023-11-08 17:12:00", "2023-11-01T03:28:35+02:00"]) == utc
    assert relocalize("2023-11-09T03:28:35+01:00", ["2023-11-09 03:28:35"]) == (
        "2023-11-09T03:28:35+01:00"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/news/29-10-2021", "2021-10-29"),
        ("https://example.org/newsroom/23-01-2022-team-wins/17-378.html", "2022-01-23"),
        ("https://example.org/news/05-04-2021-story", None),  # day or month first? unknown
        ("https://example.org/v1.23-01-2022/x", None),
    ],
)
def test_date_from_url_reads_day_first_only_when_unambiguous(
    url: str, expected: str | None
) -> None:
    assert date_from_url(url, now=NOW) == expected
