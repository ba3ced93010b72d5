"""Command line: thin click wrappers over the library. Exit codes are decided here only.

0  everything asked for succeeded
1  some inputs failed (each reported on stderr with a one-line reason)
2  usage or configuration error
75 another crawl holds the database lock (EX_TEMPFAIL: cron may simply try again later)
130 the crawl was interrupted (Ctrl-C); the frontier keeps its place

Heavy libraries (requests, lxml, sqlite-utils) are imported inside the commands so that
``scraper --help`` starts fast.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

from scraper import __version__
from scraper.errors import ArchiveError, ConfigError, LockedError, ScraperError

if TYPE_CHECKING:
    from scraper.archiver import Archive

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75
EXIT_INTERRUPTED = 130

DEFAULT_DB = "archive.db"
RECORD_KEYS = (
    "id", "url", "canonical_url", "site", "title", "published", "modified", "authors",
    "language", "summary", "body", "sections", "bullets", "tags", "image", "word_count",
    "kind", "revision", "first_seen", "last_fetched", "last_changed",
)  # fmt: skip

db_option = click.option(
    "--db",
    "db_path",
    envvar="SCRAPER_DB",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite archive (or set SCRAPER_DB).",
)


def _fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _open_archive(db_path: Path, *, readonly: bool = False) -> Archive:
    from scraper.archiver import Archive

    try:
        return Archive(db_path, readonly=readonly)
    except ArchiveError as exc:
        _fail(exc.reason)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scraper")
def main() -> None:
    """Scrape news articles into a clean, queryable SQLite archive.

    \b
    scraper scrape URL_OR_FILE...   fetch, parse and archive pages
    scraper crawl --config sources.toml   keep sites archived (for cron)
    scraper search WORDS            full-text search of the archive
    """


@main.command()
@click.argument("targets", nargs=-1, required=True)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON Lines.")
@click.option("--user-agent", help="User-Agent header to send.")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Read timeout (s).")
def scrape(
    targets: tuple[str, ...], db_path: Path, as_json: bool, user_agent: str | None, timeout: float
) -> None:
    """Fetch, parse and archive each URL or local file.

    Prints one line per input: new, updated or unchanged on stdout, or
    "failed: REASON" on stderr. Exit 1 if any input failed.
    """
    from scraper.fetcher import Fetcher, FetchSettings
    from scraper.pipeline import scrape as scrape_one

    settings = FetchSettings(read_timeout=timeout)
    if user_agent:
        settings = FetchSettings(user_agent=user_agent, read_timeout=timeout)
    failed = False
    with Fetcher(settings) as fetcher, _open_archive(db_path) as archive:
        for target in targets:
            result = scrape_one(target, fetcher=fetcher, archive=archive)
            if not result.ok:
                failed = True
                click.echo(f"failed: {result.error}  {target}", err=True)
            elif as_json and result.article_id is not None:
                click.echo(_dumps(archive.get(result.article_id)))
            else:
                # The archive key is what show/history take afterwards. It is the stored
                # one: the archive refuses a canonical URL that points to another site.
                article = result.article
                stored = archive.get(result.article_id) if result.article_id else None
                key = (stored or {}).get("canonical_url") or result.url
                suffix = f"  {article.title}" if article and article.title else ""
                click.echo(_printable(f"{result.outcome}  {key}{suffix}"))
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@main.command(name="parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--url", help="URL the page was fetched from (resolves links, site, URL dates).")
def parse_cmd(files: tuple[str, ...], url: str | None) -> None:
    """Print the record of each HTML file as one JSON object per line ("-" reads stdin).

    No network and no database.
    """
    from scraper.parser import parse

    failed = False
    for name in files:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            click.echo(f"failed: cannot read {name}: {exc.strerror or exc}", err=True)
            failed = True
            continue
        try:
            article = parse(raw, url=url)
        except ScraperError as exc:
            click.echo(f"failed: {name}: {exc.reason}", err=True)
            failed = True
            continue
        click.echo(_dumps(article.to_dict()))
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@main.command()
@click.argument("url_or_id")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def show(url_or_id: str, db_path: Path, fmt: str) -> None:
    """Print one archived record, found by URL or id."""
    with _open_archive(db_path, readonly=True) as archive:
        record = archive.get(_id_or_url(url_or_id))
    if record is None:
        _fail(f"no archived article for {url_or_id!r}")
    if fmt == "json":
        click.echo(_dumps(record))
    else:
        click.echo(_printable(_render_text(record)))


@main.command()
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv", "warc"]), default="jsonl",
    show_default=True,
)  # fmt: skip
@click.option("--site", help="Only this site (host, without www.).")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-")
def export(
    db_path: Path, fmt: str, site: str | None, since: str | None, until: str | None, output: str
) -> None:
    """Stream archived records (JSON Lines or CSV) or raw pages (WARC)."""
    with _open_archive(db_path, readonly=True) as archive:
        if fmt == "warc":
            from scraper.warc import write_warc

            with click.open_file(output, "wb") as out:
                write_warc(archive, out, site=site)
            return
        try:
            if fmt == "jsonl":
                lines = archive.iter_json_lines(site=site, since=since, until=until)
                first_line = next(lines, None)
            else:
                records = archive.iter_records(site=site, since=since, until=until)
                first = next(records, None)
        except ArchiveError as exc:
            _fail(exc.reason, EXIT_USAGE)
        with click.open_file(output, "w", encoding="utf-8") as out:
            if fmt == "jsonl":
                for line in itertools.chain([first_line] if first_line else [], lines):
                    out.write(line + "\n")
            elif first is not None:
                _write_csv(out, itertools.chain([first], records))


@main.command()
@click.argument("query")
@db_option
@click.option("--site", help="Only this site.")
@click.option("--since", help="Published on or after (YYYY-MM-DD).")
@click.option("--until", help="Published on or before (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def search(
    query: str, db_path: Path, site: str | None, since: str | None, until: str | None,
    limit: int, fmt: str,
) -> None:  # fmt: skip
    """Full-text search over titles, bodies and bullets, best matches first."""
    with _open_archive(db_path, readonly=True) as archive:
        try:
            hits = archive.search(query, site=site, since=since, until=until, limit=limit)
        except ArchiveError as exc:
            _fail(exc.reason, EXIT_USAGE)
    if fmt == "json":
        click.echo(json.dumps(hits, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        _write_csv(sys.stdout, hits)
    else:
        for hit in hits:
            published = (hit.get("published") or "")[:10]
            click.echo(_printable(f"{published:10}  {hit.get('title') or '(no title)'}"))
            click.echo(_printable(f"            {hit.get('canonical_url') or hit.get('url')}"))
            click.echo(_printable(f"            {hit.get('snippet') or ''}"))
        if not hits:
            click.echo("no matches", err=True)


@main.command()
@click.argument("url_or_id")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def history(url_or_id: str, db_path: Path, fmt: str) -> None:
    """Show the revisions of one article, with diffs between them."""
    from scraper.diffs import render_history

    with _open_archive(db_path, readonly=True) as archive:
        revisions = archive.history(_id_or_url(url_or_id))
    if not revisions:
        _fail(f"no archived article for {url_or_id!r}")
    if fmt == "json":
        click.echo(json.dumps(revisions, ensure_ascii=False, indent=2))
    else:
        click.echo(_printable(render_history(revisions)))


@main.command()
@db_option
@click.option("--site", help="Only pages of this site.")
@click.option("--since", help="Only pages fetched on or after this date (YYYY-MM-DD).")
def reparse(db_path: Path, site: str | None, since: str | None) -> None:
    """Rebuild records from stored raw pages after a parser upgrade (no network)."""
    from scraper.pipeline import reparse as reparse_all

    with _open_archive(db_path) as archive:
        counts = reparse_all(archive, site=site, since=since)
    click.echo(
        f"reparsed {counts.pages} pages: {counts.updated} updated, "
        f"{counts.unchanged} unchanged, {counts.failed} failed"
    )
    sys.exit(EXIT_FAILED if counts.failed else EXIT_OK)


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def stats(db_path: Path, fmt: str) -> None:
    """Articles per site and month, fetch outcomes, failures, database size."""
    with _open_archive(db_path, readonly=True) as archive:
        data = archive.stats()
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for section, value in data.items():
        if isinstance(value, dict):
            click.echo(f"{section}:")
            for key, count in value.items():
                click.echo(f"  {key}: {count}")
        elif isinstance(value, list):
            click.echo(f"{section}:")
            for row in value:
                click.echo("  " + "  ".join(f"{k}={v}" for k, v in dict(row).items()))
        else:
            click.echo(f"{section}: {value}")


@main.command()
@click.argument("url", required=False)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--max-pages", type=click.IntRange(min=1), help="Per source and run.")
@click.option("--refresh", is_flag=True, help="Re-check every archived article.")
@click.option("--wait", is_flag=True, help="Wait for a running crawl instead of exiting.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and the summary line.")
@click.option("-v", "--verbose", is_flag=True, help="List every failed URL.")
def crawl(
    url: str | None, config_path: Path | None, db_path: Path, sources: tuple[str, ...],
    max_pages: int | None, refresh: bool, wait: bool, quiet: bool, verbose: bool,
) -> None:  # fmt: skip
    """Crawl the sources of a config file (or one site from URL) into the archive.

    Made for cron: quiet when not on a terminal, safe to overlap (a second crawl on
    the same database exits with code 75), exit 1 when some URLs failed.
    """
    from scraper import crawl as crawl_mod
    from scraper.config import load_config

    if bool(url) == bool(config_path):
        _fail("give either a URL or --config FILE", EXIT_USAGE)
    try:
        config = load_config(config_path) if config_path else crawl_mod.adhoc_config(str(url))
    except ConfigError as exc:
        _fail(exc.reason, EXIT_USAGE)
    show_progress = not quiet and sys.stderr.isatty()
    try:
        summary = crawl_mod.run_crawl(
            config,
            list(sources) or None,
            db_path=db_path,
            max_pages=max_pages,
            refresh=refresh,
            wait=wait,
            progress=show_progress,
        )
    except LockedError as exc:
        _fail(exc.reason, EXIT_LOCKED)
    except ConfigError as exc:
        _fail(exc.reason, EXIT_USAGE)
    except KeyboardInterrupt:
        _fail("interrupted; the next run resumes where this one stopped", EXIT_INTERRUPTED)
    except ArchiveError as exc:
        # The archive itself failed (e.g. locked by a writer far longer than the busy
        # timeout): what was saved is committed; the next run resumes from the frontier.
        _fail(f"crawl stopped: {exc.reason}")
    if verbose:
        for failure in summary.failures:
            click.echo(f"failed: {failure}", err=True)
    click.echo(summary.line(), err=quiet or not sys.stdout.isatty())
    sys.exit(summary.exit_code)


# Control characters (ESC, BEL, CSI…) other than newline and tab: stored text from a
# hostile page must never drive the user's terminal.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    return _CONTROLS.sub("", text)


def _id_or_url(value: str) -> str | int:
    return int(value) if value.isdigit() else value


def _dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False)


def _write_csv(out: IO[str], records: Iterable[dict[str, Any]]) -> None:
    writer: csv.DictWriter[str] | None = None
    for record in records:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(record), extrasaction="ignore")
            writer.writeheader()
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
             for k, v in record.items()}
        )  # fmt: skip


def _render_text(record: dict[str, Any]) -> str:
    lines = [record.get("title") or "(no title)", ""]
    for label, key in (
        ("URL", "canonical_url"), ("Site", "site"), ("Published", "published"),
        ("Modified", "modified"), ("Authors", "authors"), ("Language", "language"),
        ("Tags", "tags"), ("Kind", "kind"), ("Words", "word_count"), ("Revision", "revision"),
        ("First seen", "first_seen"), ("Last fetched", "last_fetched"),
    ):  # fmt: skip
        value = record.get(key)
        if isinstance(value, list):
            value = ", ".join(value)
        if value not in (None, ""):
            lines.append(f"{label + ':':14}{value}")
    lines += ["", record.get("body") or ""]
    bullets = record.get("bullets") or []
    if bullets:
        lines += ["", f"Bullets ({len(bullets)}):"]
        for bullet in bullets:
            section = f"[{bullet['section']}] " if bullet.get("section") else ""
            indent = "  " * int(bullet.get("depth") or 0)
            lines.append(f"  {indent}- {section}{bullet['text']}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    main()
