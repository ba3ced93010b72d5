"""Every saved page in fixtures/pages/ must parse into the record written beside it.

Each ``<name>.json`` is a hand-written expected record (what a careful reader says the
page is), not parser output; ``<name>.html`` is the raw page bytes, in whatever encoding
the page declares. The parser gets the bytes exactly as a fetcher would, plus the page
URL from the JSON.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
FIXTURES = sorted(p.stem for p in PAGES.glob("*.json"))

RECORD_KEYS = (
    "url",
    "canonical_url",
    "site",
    "title",
    "published",
    "modified",
    "authors",
    "language",
    "summary",
    "body",
    "sections",
    "bullets",
    "tags",
    "image",
    "word_count",
    "kind",
)
# Fields compared as plain values (body, sections and bullets get their own checks).
SCALAR_FIELDS = tuple(k for k in RECORD_KEYS if k not in ("body", "sections", "bullets"))

_SPACES = re.compile(r"[^\S\n]+")


def _expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _squeeze(text: str | None) -> str | None:
    """Collapse runs of whitespace inside lines; line breaks and everything else must match."""
    return None if text is None else _SPACES.sub(" ", text)


def _first_difference(got: str, want: str) -> str:
    """Point at where two long texts part ways, so a failure is readable."""
    for i, (a, b) in enumerate(zip(got, want, strict=False)):
        if a != b:
            start = max(0, i - 60)
            return (
                f"first difference at char {i}:\n"
                f"  got:  {got[start : i + 60]!r}\n  want: {want[start : i + 60]!r}"
            )
    return f"one is a prefix of the other (got {len(got)} chars, want {len(want)} chars)"


def test_fixture_set_is_not_empty() -> None:
    assert len(FIXTURES) >= 14, f"expected at least 14 fixtures, found {FIXTURES}"


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_is_complete_and_consistent(name: str) -> None:
    """The expected record has every record key, a page beside it and a true word count."""
    expected = _expected(name)
    assert (PAGES / f"{name}.html").is_file(), f"{name}.html is missing"
    missing = [k for k in RECORD_KEYS if k not in expected]
    extra = [k for k in expected if k not in RECORD_KEYS]
    assert not missing, f"{name}.json lacks record keys {missing}"
    assert not extra, f"{name}.json has unknown keys {extra}"
    assert expected["url"], f"{name}.json needs the page url to pass to the parser"
    words = len(expected["body"].split())
    assert expected["word_count"] == words, f"word_count {expected['word_count']} != {words}"
    for bullet in expected["bullets"]:
        assert set(bullet) == {"text", "section", "depth"}, f"bad bullet keys {sorted(bullet)}"
    for section in expected["sections"]:
        assert set(section) == {"heading", "text"}, f"bad section keys {sorted(section)}"


@pytest.mark.parametrize("name", FIXTURES)
def test_page_parses_into_expected_record(name: str) -> None:
    """Every field of the parsed record equals the hand-written truth."""
    from scraper.parser import parse

    expected = _expected(name)
    raw = (PAGES / f"{name}.html").read_bytes()
    got = parse(raw, url=expected["url"]).to_dict()

    for field in SCALAR_FIELDS:
        assert got[field] == expected[field], (
            f"{name}: field {field!r}\n  got:  {got[field]!r}\n  want: {expected[field]!r}"
        )

    got_body, want_body = _squeeze(got["body"]) or "", _squeeze(expected["body"]) or ""
    assert got_body == want_body, f"{name}: field 'body' differs; " + _first_difference(
        got_body, want_body
    )

    got_sections = [(s["heading"], _squeeze(s["text"])) for s in got["sections"]]
    want_sections = [(s["heading"], _squeeze(s["text"])) for s in expected["sections"]]
    assert [h for h, _ in got_sections] == [h for h, _ in want_sections], (
        f"{name}: section headings\n  got:  {[h for h, _ in got_sections]}\n"
        f"  want: {[h for h, _ in want_sections]}"
    )
    assert got_sections == want_sections, f"{name}: field 'sections' texts differ: " + "; ".join(
        f"[{h}] " + _first_difference(g or "", w or "")
        for (h, g), (_, w) in zip(got_sections, want_sections, strict=True)
        if g != w
    )

    got_bullets = [(b["text"], b["section"], b["depth"]) for b in got["bullets"]]
    want_bullets = [(b["text"], b["section"], b["depth"]) for b in expected["bullets"]]
    assert got_bullets == want_bullets, (
        f"{name}: field 'bullets' differs ({len(got_bullets)} got, {len(want_bullets)} want)\n"
        + "\n".join(
            f"  #{i}: got {g!r}\n       want {w!r}"
            for i, (g, w) in enumerate(zip(got_bullets, want_bullets, strict=False))
            if g != w
        )
    )
