"""``reparse`` on real archives: parse workers (real processes) and the in-process
path give the records the pages were archived with, and a changed parser result
becomes a new revision."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper import pipeline
from scraper.archiver import Archive
from scraper.fetcher import Fetcher

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every fixture page scraped (as a local file) into one archive."""
    db = tmp_path_factory.mktemp("reparse") / "archive.db"
    with Archive(db) as archive, Fetcher() as fetcher:
        for page in sorted(PAGES.glob("*.html")):
            result = pipeline.scrape(str(page), fetcher=fetcher, archive=archive)
            assert result.outcome == "new", (page.name, result.error)
    return db


@pytest.mark.parametrize("workers", [0, 2])
def test_reparse_of_unchanged_pages_keeps_every_record_at_its_revision(
    archived: Path, tmp_path: Path, workers: int
) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(archived.read_bytes())
    pages = len(list(PAGES.glob("*.html")))
    with Archive(db) as archive:
        before = [_content(r) for r in archive.iter_records()]
        counts = pipeline.reparse(archive, workers=workers)
        after = [_content(r) for r in archive.iter_records()]
        assert archive.check() == []
    assert (counts.pages, counts.unchanged, counts.updated, counts.failed) == (pages, pages, 0, 0)
    assert after == before


def test_reparse_in_workers_stores_what_the_new_parser_reads(
    archived: Path, tmp_path: Path
) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(archived.read_bytes())
    with Archive(db) as archive:
        before = [_content(r) for r in archive.iter_records()]
        # As if an older parser had read these pages differently: every stored hash
        # differs from what the parser reads now, so each record gets a revision.
        archive.db.execute("UPDATE articles SET content_hash = 'from an older parser'")
        counts = pipeline.reparse(archive, workers=2)
        records = list(archive.iter_records())
        assert archive.check() == []
    assert counts.updated == len(records) and counts.failed == 0
    assert [r["revision"] for r in records] == [2] * len(records)
    assert [_content(r) for r in records] == before


def _content(record: dict[str, object]) -> tuple[object, ...]:
    keys = ("canonical_url", "title", "published", "authors", "body", "bullets", "sections")
    return tuple(record[k] for k in keys)
