"""Archive at scale: 100,000 realistic records written as the crawl writes them, then
search and export on that archive.

Records come from ``bench/benchserver.py``'s generator (``--sites`` sites, articles
with sections, bullets in ~45 % of them, tags, authors, dates spread over the last
years) together with their raw pages (~50-75 KB of HTML each, as served), generated
in helper processes so the writer's timing holds only archive work. Per article the
writer does what a crawl's main thread does for a new article, inside the crawl's
write batch (``Archive.batched``: one commit per 0.5 s, WAL checkpoints in a thread):

* discovery: ``Frontier.add(url, source, "article")``;
* ``Archive.save(article, page, parser_version=..., packed=...)`` (article, bullets,
  revision, raw page, URL aliases, FTS row);
* ``Archive.record_fetch(outcome)`` and ``Frontier.mark_done(url, ...)``.

As in the crawl, the raw page is hashed and compressed (``archiver.pack``) before it
reaches the writer: the crawl does it in its fetch threads, this benchmark in the
generator process. Its CPU cost is measured and reported separately, and
``--pack-in-writer`` puts it back on the writer's thread.

Records are made in blocks of 2,000 by two processes while the writer waits, then
written. Reported: articles/s of the writer (wall time of writing the blocks, every
commit included), per CPU-second of the writer's thread, database bytes per article
after a WAL checkpoint, raw-page compression (stored / raw bytes). Then on the
finished archive, in-process ``Archive.search`` timings (p50/p95/max over many
queries; each query is run once untimed first): single words across frequency bands,
two-word phrases taken from stored bodies, and single words filtered by site and
date. Finally ``scraper export -o /dev/null`` of every record as a subprocess: wall
time and peak RSS.

Run from the repository root (100k records take ~10+ minutes; write output to a file)::

    python bench/archive_scale.py --records 100000 --db /tmp/scale.db > out.md 2> log.txt
    python bench/archive_scale.py --records 20000
    python bench/archive_scale.py --db /tmp/scale.db --reuse      # only search + export
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `scraper` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchserver import VOCAB, SiteGen, article_record
from bench.crawl_throughput import machine, run_measured, scraper_env

PARSER_VERSION = "bench"
CHUNK = 250
_GEN: SiteGen | None = None


def site_bases(sites: int) -> list[str]:
    return [f"https://www.site{i:03d}.example" for i in range(sites)]


def _init_worker(sites: int, per_site: int) -> None:
    global _GEN
    _GEN = SiteGen(per_site, sites, base_urls=site_bases(sites))


def _make_chunk(args: tuple[int, int, int, bool]) -> tuple[list[Any], float]:
    """Records ``start``..``stop`` (record k = article k // sites of site k % sites),
    with their pages packed as a fetch thread packs them (CPU seconds returned)."""
    from scraper.archiver import pack

    start, stop, sites, packing = args
    assert _GEN is not None
    out = []
    pack_cpu = 0.0
    for k in range(start, stop):
        spec = _GEN.spec(k % sites, k // sites)
        raw = _GEN.render(spec)
        c = time.thread_time()
        packed = pack(raw) if packing else None
        pack_cpu += time.thread_time() - c
        out.append((article_record(spec), raw, f"site{k % sites:03d}", packed))
    return out, pack_cpu


Item = tuple[Any, bytes, str, Any]  # article, raw page, source, packed page (or None)
BLOCK = 2000


def generate(records: int, sites: int, *, packing: bool = True,
             stats: dict[str, float] | None = None) -> Iterator[list[Item]]:  # fmt: skip
    """Blocks of records in order, each built by two helper processes while the writer
    waits: the writer's timing then shares the machine with nothing else (generating
    a 64 KB page costs more CPU than archiving it)."""
    per_site = -(-records // sites)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2, initializer=_init_worker, initargs=(sites, per_site)) as pool:
        for block in range(0, records, BLOCK):
            stop = min(block + BLOCK, records)
            jobs = [(s, min(s + CHUNK, stop), sites, packing) for s in range(block, stop, CHUNK)]
            items: list[Item] = []
            for chunk, pack_cpu in pool.map(_make_chunk, jobs, chunksize=1):
                if stats is not None:
                    stats["pack_cpu"] = stats.get("pack_cpu", 0.0) + pack_cpu
                items.extend(chunk)
            yield items


def write_archive(db: Path, records: int, sites: int, *, pack_in_writer: bool = False
                  ) -> dict[str, Any]:  # fmt: skip
    from scraper.archiver import Archive
    from scraper.frontier import Frontier
    from scraper.models import FetchOutcome, Page

    gen_stats: dict[str, float] = {}
    writer_s = writer_cpu = 0.0
    raw_bytes = 0
    done = 0
    started = time.monotonic()
    last_report = started
    with Archive(db) as archive:
        with archive.batched() as batch:
            frontier = Frontier(archive.db, transaction=archive.transaction)
            for block in generate(records, sites, packing=not pack_in_writer, stats=gen_stats):
                work = []
                for article, raw, source, packed in block:  # what the fetch threads hand over
                    done += 1
                    url = article.url
                    fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
                    page = Page(url=url, final_url=url, status=200,
                                headers={"Content-Type": "text/html; charset=utf-8",
                                         "ETag": f'"{done:x}"', "Content-Encoding": "gzip",
                                         "Last-Modified": "Fri, 20 Nov 2026 18:00:00 GMT"},
                                content=raw, text=raw.decode("utf-8"), encoding="utf-8",
                                elapsed_ms=60, fetched_at=fetched_at)  # fmt: skip
                    outcome = FetchOutcome(
                        url=url, status=200, error=None, bytes=len(raw), elapsed_ms=60,
                        at=fetched_at, final_url=url, kind="article", source=source, outcome="new",
                    )  # fmt: skip
                    raw_bytes += len(raw)
                    work.append((article, page, outcome, source, packed))
                t, c = time.perf_counter(), time.thread_time()
                for article, page, outcome, source, packed in work:
                    url, fetched_at = article.url, page.fetched_at
                    frontier.add(url, source, "article", published=article.published)
                    archive.save(article, page, parser_version=PARSER_VERSION, packed=packed)
                    archive.record_fetch(outcome)
                    with frontier.transaction():
                        frontier.mark_done(url, status=200, at=fetched_at,
                                           published=article.published)  # fmt: skip
                    batch.tick()
                batch.commit()  # nothing is left pending while the next block is made
                writer_s += time.perf_counter() - t
                writer_cpu += time.thread_time() - c
                if time.monotonic() - last_report > 15:
                    last_report = time.monotonic()
                    wall = last_report - started
                    print(f"{done} records, writer {done / writer_s:.0f}/s, wall {wall:.0f} s",
                          file=sys.stderr, flush=True)  # fmt: skip
        commits = batch.commits
        archive.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn = _ro(db)
    stored, raw_total, pages = conn.execute(
        "SELECT sum(length(raw)), sum(raw_size), count(*) FROM pages"
    ).fetchone()
    conn.close()
    size = db.stat().st_size
    return {
        "records": records, "writer_per_s": records / writer_s,
        "writer_per_cpu_s": records / writer_cpu, "commits": commits,
        "pack_ms": gen_stats.get("pack_cpu", 0.0) / records * 1000,
        "pack_in_writer": pack_in_writer, "wall_s": time.monotonic() - started,
        "db_bytes": size, "bytes_per_article": size / records,
        "raw_bytes": raw_bytes, "stored_raw": stored, "raw_total": raw_total, "pages": pages,
        "compression": stored / raw_total if raw_total else 0.0,
    }  # fmt: skip


def compress_level() -> int:
    from scraper import compress

    return compress.ZSTD_LEVEL


def _ro(db: Path) -> Any:
    import sqlite3

    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def pick_queries(db: Path, n: int, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Single words over frequency bands, phrases from stored bodies, filtered queries."""
    rng = random.Random(seed)
    conn = _ro(db)
    count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    sites = [r[0] for r in conn.execute("SELECT DISTINCT site FROM articles LIMIT 500")]
    bodies = [r[0] for r in conn.execute(
        "SELECT body FROM articles WHERE id IN (" + ",".join(
            str(rng.randint(1, count)) for _ in range(n)) + ")")]  # fmt: skip
    newest = conn.execute("SELECT max(published) FROM articles").fetchone()[0] or "2026-12-31"
    conn.close()
    per_band = max(1, n // 2)
    bands = {"common (rank 20-200)": (20, 200), "mid (rank 200-2,000)": (200, 2000),
             "rare (rank 2,000+)": (2000, len(VOCAB))}  # fmt: skip
    words = {name: [VOCAB[rng.randrange(lo, hi)] for _ in range(per_band)]
             for name, (lo, hi) in bands.items()}  # fmt: skip
    common = set(VOCAB[:100])
    phrases = []
    for body in bodies:
        tokens = [t for t in body.replace("\n", " ").split() if t.isalpha()]
        pairs = [(a, b) for a, b in itertools.pairwise(tokens)
                 if not (a.lower() in common and b.lower() in common)]  # fmt: skip
        if pairs:
            a, b = rng.choice(pairs)
            phrases.append(f'"{a} {b}"')
    since = (datetime.fromisoformat(newest[:10]).replace(year=int(newest[:4]) - 1)).date()
    mixed = [w for ws in words.values() for w in ws]
    filtered = [{"query": w, "site": rng.choice(sites), "since": since.isoformat()}
                for w in rng.sample(mixed, min(n, len(mixed)))]  # fmt: skip
    out: dict[str, list[dict[str, Any]]] = {
        f"single word, {name}": [{"query": w} for w in ws] for name, ws in words.items()
    }
    out["phrase (2 words, not both top-100)"] = [{"query": p} for p in phrases[:n]]
    out["word + site + last year"] = filtered
    return out


def time_searches(db: Path, queries: dict[str, list[dict[str, Any]]],
                  repeat: int = 3) -> dict[str, dict[str, Any]]:  # fmt: skip
    from scraper.archiver import Archive

    out = {}
    with Archive(db, readonly=True) as archive:
        for kind, items in queries.items():
            times = []
            worst = (0.0, "")
            hits = []
            for q in items:
                kwargs = {k: v for k, v in q.items() if k != "query"}
                hits.append(len(archive.search(q["query"], **kwargs)))  # warm
                for _ in range(repeat):
                    t = time.perf_counter()
                    archive.search(q["query"], **kwargs)
                    ms = (time.perf_counter() - t) * 1000
                    times.append(ms)
                    worst = max(worst, (ms, q["query"]))
            times.sort()
            out[kind] = {
                "queries": len(items), "p50": statistics.median(times),
                "p95": times[int(len(times) * 0.95) - 1] if times else 0.0,
                "max": times[-1] if times else 0.0, "worst": worst[1],
                "empty": sum(1 for h in hits if h == 0),
            }  # fmt: skip
    return out


def time_export(db: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "scraper", "export", "--db", str(db), "-o", os.devnull]
    code, wall, cpu, mon, _, err = run_measured(cmd, env=scraper_env())
    return {"exit": code, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": mon.peak_rss / 2**20,
            "error": err.strip()[-300:]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--sites", type=int, default=100)
    ap.add_argument("--db", help="archive path (default: a temporary file, deleted)")
    ap.add_argument("--reuse", action="store_true", help="skip writing; use --db as it is")
    ap.add_argument("--queries", type=int, default=40, help="per query kind")
    ap.add_argument(
        "--pack-in-writer",
        action="store_true",
        help="compress raw pages on the writer's thread (not as the crawl does)",
    )
    args = ap.parse_args()
    tmp = None
    if args.db:
        db = Path(args.db)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="archive-scale-")
        db = Path(tmp.name) / "scale.db"
    write = None
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        write = write_archive(db, args.records, args.sites, pack_in_writer=args.pack_in_writer)
    conn = _ro(db)
    records = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    print(f"searching {records} records", file=sys.stderr, flush=True)
    searches = time_searches(db, pick_queries(db, args.queries))
    print("exporting", file=sys.stderr, flush=True)
    export = time_export(db)
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"### Archive at scale ({date})\n")
    print(f"Machine: {machine()}  ")
    print(f"{records} records on {args.sites} sites.\n")
    if write:
        print("| write | articles/s (wall) | per CPU-second | target |\n|---|---:|---:|---|")
        rate = write["writer_per_s"]
        where = ("on the writer's thread" if write["pack_in_writer"]
                 else "compressed before the writer, as in the crawl")  # fmt: skip
        print(f"| crawl write sequence in batches (add + save + record_fetch + mark_done; "
              f"pages {where}; {write['commits']} commits) | {rate:.0f} | "
              f"{write['writer_per_cpu_s']:.0f} | >= 1,000/s: "
              f"{'met' if rate >= 1000 else 'missed'} |")  # fmt: skip
        if not write["pack_in_writer"]:
            print(f"| hashing + zstd-{compress_level()} per page (generator process) | "
                  f"{write['pack_ms']:.2f} ms CPU | | |")  # fmt: skip
        print("\n| storage | value | target |\n|---|---:|---|")
        print(f"| database size | {write['db_bytes'] / 2**20:.0f} MB = "
              f"{write['bytes_per_article'] / 1024:.1f} KB/article | |")  # fmt: skip
        pct = write["compression"] * 100
        print(f"| raw pages | {write['raw_total'] / 2**20:.0f} MB raw → "
              f"{write['stored_raw'] / 2**20:.0f} MB stored = **{pct:.1f} %** "
              f"| <= 25 %: {'met' if write['compression'] <= 0.25 else 'missed'} |")  # fmt: skip
        print(f"| wall time of the write phase | {write['wall_s']:.0f} s (incl. waiting for the "
              "generator) | |\n")  # fmt: skip
    print("| search (in-process) | queries | p50 ms | p95 ms | max ms | slowest query | "
          "no hits | target p95 < 20 ms |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---|---:|---|")
    for kind, r in searches.items():
        print(f"| {kind} | {r['queries']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | "
              f"`{r['worst']}` | {r['empty']} | "
              f"{'met' if r['p95'] < 20 else 'missed'} |")  # fmt: skip
    ok_export = export["wall_s"] <= 10 and export["peak_rss_mb"] < 100
    print(f"\n| export (`scraper export -o /dev/null`, subprocess) | value |\n|---|---:|\n"
          f"| wall | {export['wall_s']:.1f} s |\n| peak RSS | {export['peak_rss_mb']:.0f} MB |\n"
          f"| CPU | {export['cpu_s']:.1f} s |\n| exit | {export['exit']} |\n\n"
          f"Export target (<= 10 s, < 100 MB): {'met' if ok_export else 'missed'}"
          + (f" — {export['error']}" if export["exit"] else ""))  # fmt: skip
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
