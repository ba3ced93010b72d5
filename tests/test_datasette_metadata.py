"""The committed Datasette metadata file is the one the schema describes."""

import json
from pathlib import Path

from scraper.schema import datasette_metadata

METADATA = Path(__file__).resolve().parents[1] / "datasette" / "metadata.json"


def test_committed_datasette_metadata_matches_the_schema_descriptions() -> None:
    committed = json.loads(METADATA.read_text(encoding="utf-8"))
    assert committed == datasette_metadata(), (
        "datasette/metadata.json is stale: regenerate it with "
        "python -c 'import json; from scraper.schema import datasette_metadata; "
        "print(json.dumps(datasette_metadata(), indent=2, ensure_ascii=False))'"
    )


def test_datasette_metadata_enables_search_on_articles() -> None:
    articles = datasette_metadata()["databases"]["archive"]["tables"]["articles"]  # type: ignore[index]
    assert articles["fts_table"] == "articles_fts"
    assert articles["fts_pk"] == "id"
