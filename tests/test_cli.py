"""End-to-end CLI tests: real local HTTP server, real SQLite files, the click commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from tests.localserver import LocalServer, Reply

ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour Cranes Return to Service - The Coastal Ledger</title>
<meta name="description" content="The port's two gantry cranes are back after a winter of repairs.">
<meta property="article:published_time" content="2026-03-14T08:30:00+01:00">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<article>
<h1>Harbour Cranes Return to Service</h1>
<p>The port's two gantry cranes returned to service on Friday after a winter of repairs,
the harbour authority said, ending weeks of delays for container ships.</p>
<h2>What changed</h2>
<ul><li>New hoist cables were fitted on both cranes.</li>
<li>The control cabins got heating and new seats.</li></ul>
<p>Dock workers welcomed the news, saying the backlog should clear within a fortnight.
{extra}</p>
</article>
<footer><p>© 2026 The Coastal Ledger</p></footer>
</body></html>
"""
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _run(args: list[str], db: Path, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--db", str(db)] if _takes_db(args) else args,
                                input=stdin)  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


def _takes_db(args: list[str]) -> bool:
    return args[0] not in ("parse",)


def _article(extra: str = "") -> bytes:
    return ARTICLE.replace("{extra}", extra).encode("utf-8")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


def test_scrape_archives_once_then_reports_unchanged(local_server: LocalServer, db: Path) -> None:
    local_server.route("/news/cranes", body=_article(), headers=HTML)
    url = local_server.url("/news/cranes")

    code, out, err = _run(["scrape", url], db)
    assert code == 0, err
    assert out.startswith("new  ")
    assert "Harbour Cranes Return to Service" in out

    code, out, _ = _run(["scrape", url], db)
    assert code == 0
    assert out.startswith("unchanged  ")

    code, out, _ = _run(["export"], db)
    assert code == 0
    assert len(out.splitlines()) == 1


def test_scrape_reports_updated_when_the_article_changes(
    local_server: LocalServer, db: Path
) -> None:
    local_server.route_sequence(
        "/news/cranes",
        [Reply(200, _article(), HTML), Reply(200, _article("A third crane is planned."), HTML)],
    )
    url = local_server.url("/news/cranes")
    assert _run(["scrape", url], db)[1].startswith("new")
    assert _run(["scrape", url], db)[1].startswith("updated")
    record = json.loads(_run(["show", url, "--format", "json"], db)[1])
    assert record["revision"] == 2
    assert "A third crane is planned." in record["body"]


def test_show_json_returns_the_record_fields(local_server: LocalServer, db: Path) -> None:
    local_server.route("/news/cranes", body=_article(), headers=HTML)
    url = local_server.url("/news/cranes")
    _run(["scrape", url], db)

    code, out, _ = _run(["show", url, "--format", "json"], db)
    assert code == 0
    record = json.loads(out)
    assert record["title"] == "Harbour Cranes Return to Service"
    assert record["published"] == "2026-03-14T08:30:00+01:00"
    assert [b["text"] for b in record["bullets"]] == [
        "New hoist cables were fitted on both cranes.",
        "The control cabins got heating and new seats.",
    ]
    assert {b["section"] for b in record["bullets"]} == {"What changed"}
    assert record["body"].startswith("The port's two gantry cranes")
    assert "Home" not in record["body"]
    assert record["revision"] == 1
    for key in ("id", "first_seen", "last_fetched", "word_count", "language", "summary"):
        assert key in record

    code, text, _ = _run(["show", str(record["id"])], db)
    assert code == 0
    assert "Harbour Cranes Return to Service" in text
    assert "- [What changed] New hoist cables" in text


def test_scrape_404_exits_1_with_a_one_line_reason(local_server: LocalServer, db: Path) -> None:
    code, out, err = _run(["scrape", local_server.url("/missing")], db)
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "404" in err
    assert "Traceback" not in err


def test_scrape_not_a_url_exits_nonzero_with_a_clear_message(db: Path) -> None:
    code, _, err = _run(["scrape", "not a url"], db)
    assert code == 1
    assert "not a url" in err
    assert "Traceback" not in err


def test_scrape_refused_connection_is_a_one_line_failure(db: Path) -> None:
    import socket

    with socket.socket() as sock:  # find a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = _run(["scrape", f"http://127.0.0.1:{port}/a"], db)
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_scrape_mixed_inputs_archives_the_good_ones_and_exits_1(
    local_server: LocalServer, db: Path
) -> None:
    local_server.route("/ok", body=_article(), headers=HTML)
    code, out, err = _run(["scrape", local_server.url("/ok"), local_server.url("/gone")], db)
    assert code == 1
    assert out.startswith("new")
    assert "404" in err


def test_scrape_local_file_and_file_url(tmp_path: Path, db: Path) -> None:
    page = tmp_path / "cranes.html"
    page.write_bytes(_article())
    code, out, err = _run(["scrape", str(page)], db)
    assert code == 0, err
    assert out.startswith("new")
    code, out, _ = _run(["scrape", page.as_uri()], db)
    assert code == 0
    assert out.startswith("unchanged")


def test_scrape_json_prints_records(local_server: LocalServer, db: Path) -> None:
    local_server.route("/a", body=_article(), headers=HTML)
    code, out, _ = _run(["scrape", "--json", local_server.url("/a")], db)
    assert code == 0
    assert json.loads(out)["title"] == "Harbour Cranes Return to Service"


def test_parse_prints_one_json_record_per_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    first.write_bytes(_article())
    second.write_bytes(_article("Extra line."))
    code, out, _ = _run(["parse", str(first), str(second), "--url", "https://ledger.example/a"],
                        tmp_path / "unused.db")  # fmt: skip
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 2
    assert records[0]["site"] == "ledger.example"
    assert "Extra line." in records[1]["body"]
    assert not (tmp_path / "unused.db").exists()


def test_parse_reads_stdin_and_reports_missing_files(tmp_path: Path) -> None:
    code, out, _ = _run(["parse", "-"], tmp_path / "x.db", stdin=_article())
    assert code == 0
    assert json.loads(out)["title"] == "Harbour Cranes Return to Service"
    code, _, err = _run(["parse", str(tmp_path / "nope.html")], tmp_path / "x.db")
    assert code == 1
    assert "nope.html" in err


def test_export_csv_and_jsonl_include_archive_fields(local_server: LocalServer, db: Path) -> None:
    local_server.route("/a", body=_article(), headers=HTML)
    _run(["scrape", local_server.url("/a")], db)
    record = json.loads(_run(["export", "--format", "jsonl"], db)[1])
    for key in ("id", "first_seen", "last_fetched", "revision", "bullets"):
        assert key in record
    code, out, _ = _run(["export", "--format", "csv"], db)
    assert code == 0
    header, row = out.splitlines()[:2]
    assert "title" in header.split(",")
    assert "Harbour Cranes Return to Service" in row


def test_search_finds_words_from_bullets(local_server: LocalServer, db: Path) -> None:
    local_server.route("/a", body=_article(), headers=HTML)
    _run(["scrape", local_server.url("/a")], db)
    code, out, _ = _run(["search", "hoist", "--format", "json"], db)
    assert code == 0
    hits = json.loads(out)
    assert [h["title"] for h in hits] == ["Harbour Cranes Return to Service"]
    assert _run(["search", "zeppelin", "--format", "json"], db)[1].strip() == "[]"


def test_query_commands_on_a_missing_archive_fail_clearly(tmp_path: Path) -> None:
    code, _, err = _run(["show", "1"], tmp_path / "missing.db")
    assert code == 1
    assert "missing.db" in err
    assert not (tmp_path / "missing.db").exists()


def test_db_path_comes_from_scraper_db_env(
    local_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_server.route("/a", body=_article(), headers=HTML)
    target = tmp_path / "from-env.db"
    monkeypatch.setenv("SCRAPER_DB", str(target))
    result = CliRunner().invoke(main, ["scrape", local_server.url("/a")])
    assert result.exit_code == 0
    assert target.exists()


def test_history_and_reparse_keep_one_revision_for_unchanged_content(
    local_server: LocalServer, db: Path
) -> None:
    local_server.route("/a", body=_article(), headers=HTML)
    url = local_server.url("/a")
    _run(["scrape", url], db)
    code, out, _ = _run(["reparse"], db)
    assert code == 0
    assert "1 unchanged" in out
    revisions = json.loads(_run(["history", url, "--format", "json"], db)[1])
    assert [r["revision"] for r in revisions] == [1]


def test_usage_error_exits_2(db: Path) -> None:
    code, _, _ = _run(["show", "--format", "yaml", "1"], db)
    assert code == 2


def test_python_dash_m_scraper_runs() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, "-m", "scraper", "--help"], capture_output=True, text=True, env=env,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0
    assert "scrape" in result.stdout


def test_jsonl_export_lines_equal_the_records_show_returns(
    local_server: LocalServer, db: Path
) -> None:
    local_server.route("/a", body=_article(), headers=HTML)
    local_server.route("/b", body=_article("Второй абзац «в кавычках»."), headers=HTML)
    for path in ("/a", "/b"):
        _run(["scrape", local_server.url(path)], db)
    lines = _run(["export"], db)[1].splitlines()
    assert len(lines) == 2
    for line in lines:
        exported = json.loads(line)
        shown = json.loads(_run(["show", str(exported["id"]), "--format", "json"], db)[1])
        assert exported == shown
        assert list(exported) == list(shown)  # same keys in the same order


def test_scrape_prints_the_stored_key_not_a_foreign_canonical(
    local_server: LocalServer, db: Path
) -> None:
    forged = _article().replace(
        b"<title>", b'<link rel="canonical" href="https://victim.example/story"><title>'
    )
    local_server.route("/forged", body=forged, headers=HTML)
    url = local_server.url("/forged")
    code, out, _ = _run(["scrape", url], db)
    assert code == 0
    assert out.split()[1] == url
    assert "victim.example" not in out
    assert json.loads(_run(["show", url, "--format", "json"], db)[1])["canonical_url"] == url
