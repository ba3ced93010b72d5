"""Memory of a long crawl: a 5,000-page ``scraper crawl`` against the bench server.

Starts ``bench/benchserver.py`` with ``--articles`` pages (default 5,000 over 20
hosts, 50 ms latency), runs ``python -m scraper crawl --config ... --quiet`` as a
subprocess and samples, every 0.1 s, the RSS summed over the crawl's process tree
(main process, parse workers, forkserver, resource tracker) and, every 0.2 s, the
number of archived articles (read-only query on the archive while it is written,
every 0.2 s).

Reported: peak RSS (and the peak of each process), RSS when the archive first held
1,000 / 2,500 articles and at the end (5,000), and the growth between the last two
(target: peak < 200 MB, growth < 10 %).

Run from the repository root (~3-5 minutes)::

    python bench/memory.py
    python bench/memory.py --articles 2000 --csv rss.csv
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `scraper` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchserver import start_server
from bench.crawl_throughput import (
    ROOT,
    TreeMonitor,
    machine,
    machine_busy_s,
    scraper_env,
    write_sources,
)

PEAK_TARGET_MB = 200.0
GROWTH_TARGET = 0.10


class ArticleCounter:
    """Counts archived articles at most every ``every`` seconds (read-only)."""

    def __init__(self, db: Path, every: float = 0.2) -> None:
        self.db = db
        self.every = every
        self.last_at = -1.0
        self.count = 0
        self.series: list[tuple[float, int, int]] = []  # (t, rss, articles)

    def __call__(self, t: float, rss: int) -> None:
        if t - self.last_at >= self.every and self.db.exists():
            self.last_at = t
            try:
                conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=0.2)
                try:
                    self.count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                finally:
                    conn.close()
            except sqlite3.Error:
                pass  # not created yet, or busy: keep the last count
        self.series.append((t, rss, self.count))


def rss_at(series: list[tuple[float, int, int]], articles: int) -> tuple[float, int] | None:
    """(t, RSS) of the first sample at which the archive held ``articles``."""
    for t, rss, count in series:
        if count >= articles:
            return t, rss
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--port", type=int, default=8800)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--concurrency", type=int)
    ap.add_argument("--csv", help="write t, rss_mb, articles samples here")
    args = ap.parse_args()
    import subprocess

    with start_server(args.articles, args.hosts, args.port, args.latency) as (_, info), \
            tempfile.TemporaryDirectory(prefix="memorybench-") as tmp:  # fmt: skip
        print(f"server ready: {info['articles']} articles, built in {info['build_s']} s",
              file=sys.stderr, flush=True)  # fmt: skip
        config = Path(tmp) / "sources.toml"
        write_sources(config, info["bases"], args.concurrency)
        db = Path(tmp) / "memory.db"
        counter = ArticleCounter(db)
        cmd = [sys.executable, "-m", "scraper", "crawl", "--config", str(config), "--db",
               str(db), "--quiet"]  # fmt: skip
        busy_before = machine_busy_s()
        started = time.monotonic()
        proc = subprocess.Popen(cmd, env=scraper_env(), cwd=ROOT, stderr=subprocess.PIPE,
                                text=True)  # fmt: skip
        monitor = TreeMonitor(proc.pid, on_sample=counter)
        monitor.start()
        _, err = proc.communicate()
        wall = time.monotonic() - started
        cpu = monitor.finish(None)
        other = max(0.0, (machine_busy_s() - busy_before - cpu) / wall)
        counter.last_at = -1.0
        counter(wall, 0)  # final count after exit
        final = counter.count
    series = counter.series[:-1]
    summary = next((ln for ln in err.splitlines() if ln.startswith("crawl:")), err[-300:])
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"### Memory ({date})\n")
    print(f"Machine: {machine()}  ")
    print(f"{info['articles']} articles on {args.hosts} hosts, {args.latency * 1000:.0f} ms "
          f"latency; crawl exit {proc.returncode}, {final} articles archived in {wall:.0f} s "
          f"({final / wall:.1f} pages/s, {cpu / wall:.2f} cores; other load on the machine "
          f"{other:.2f} cores).  \n`{summary.strip()}`\n")  # fmt: skip
    print("| point | t s | RSS MB (process tree) |\n|---|---:|---:|")
    marks = {}
    for n in (1000, 2500):
        hit = rss_at(series, n)
        marks[n] = hit
        if hit:
            print(f"| after {n:,} articles | {hit[0]:.0f} | {hit[1] / 2**20:.0f} |")
    # The end: the largest RSS over the last 1 % of articles. The sample at the very
    # last article often comes after the parse workers already exited at shutdown.
    tail = [(t, rss) for t, rss, c in series if final and c >= final * 0.99]
    last = max(tail, key=lambda x: x[1]) if tail else None
    if last:
        marks[final] = last
        print(f"| after {final * 0.99:,.0f}-{final:,} articles (max) | {last[0]:.0f} | "
              f"{last[1] / 2**20:.0f} |")  # fmt: skip
    print(
        f"| **peak** | | **{monitor.peak_rss / 2**20:.0f}** (PSS {monitor.peak_pss / 2**20:.0f}) |"
    )
    print("\nPeak RSS per process:\n")
    for key, peak in sorted(monitor.peak_by_proc.items(), key=lambda kv: -kv[1]):
        name = monitor.names.get(key, "?")
        print(f"- pid {key[0]} `{name}`: {peak / 2**20:.0f} MB")
    verdicts = [f"peak < {PEAK_TARGET_MB:.0f} MB: "
                f"{'met' if monitor.peak_rss / 2**20 < PEAK_TARGET_MB else 'missed'}"]  # fmt: skip
    mid = marks.get(2500)
    if mid and last:
        growth = (last[1] - mid[1]) / mid[1]
        verdicts.append(f"growth 2,500 → {final:,}: {growth * 100:+.1f} % (target < 10 %: "
                        f"{'met' if growth < GROWTH_TARGET else 'missed'})")  # fmt: skip
    print("\n" + "; ".join(verdicts))
    if args.csv:
        with open(args.csv, "w") as f:
            f.write("t,rss_mb,articles\n")
            for t, rss, count in series:
                f.write(f"{t:.2f},{rss / 2**20:.1f},{count}\n")


if __name__ == "__main__":
    main()
