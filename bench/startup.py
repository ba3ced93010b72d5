"""Start-up time: ``scraper --help`` and ``scraper search X`` on a small archive.

Cron and shell users pay the start-up on every call. Each command runs ``--runs``
times as a fresh subprocess (``python -m scraper ...``, the same code path as the
``scraper`` entry point); the table gives the median and min wall time, next to a bare
``python -c pass`` for the interpreter's own share. The small archive holds
``--records`` generated articles written through ``Archive.save``.

With ``--importtime`` the slowest imports of each command (``python -X importtime``,
cumulative microseconds) are listed, to see what to import lazily.

Run from the repository root::

    python bench/startup.py
    python bench/startup.py --runs 20 --importtime
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `scraper` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchserver import SiteGen, article_record
from bench.crawl_throughput import ROOT, machine, scraper_env

TARGET_MS = 150.0


def make_archive(path: Path, records: int) -> str:
    """A small archive; returns a word that occurs in it (the search query)."""
    from scraper.archiver import Archive
    from scraper.models import Page

    gen = SiteGen(records, hosts=1, base_urls=["https://news.example"])
    with Archive(path) as archive:
        for n in range(records):
            spec = gen.spec(0, n)
            raw = gen.render(spec)
            page = Page(url=spec.url, final_url=spec.url, status=200,
                        headers={"Content-Type": "text/html; charset=utf-8"}, content=raw,
                        text=raw.decode(), encoding="utf-8", elapsed_ms=50,
                        fetched_at=spec.published)  # fmt: skip
            archive.save(article_record(spec), page, parser_version="bench")
    return "council"


def time_runs(cmd: list[str], runs: int) -> list[float]:
    env = scraper_env()
    subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT, check=True)  # warm the caches
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT, check=True)
        times.append((time.perf_counter() - t) * 1000)
    return times


def import_profile(cmd: list[str], top: int) -> list[tuple[int, str]]:
    """(cumulative µs, module) of the slowest top-level-ish imports."""
    if not cmd[0].endswith("python") and "python" not in Path(cmd[0]).name:
        cmd = [sys.executable, "-m", "scraper", *cmd[1:]]  # same code, importable with -X
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], capture_output=True,
                          text=True, env=scraper_env(), cwd=ROOT)  # fmt: skip
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or len(parts) != 3:
            continue
        if not parts[1].strip().isdigit():
            continue  # the header line
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        if depth <= 1:
            rows.append((int(parts[1]), "  " * depth + name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--records", type=int, default=50)
    ap.add_argument("--importtime", action="store_true")
    args = ap.parse_args()
    py = sys.executable
    entry = Path(py).with_name("scraper")  # the console script of an installed package
    scraper = [str(entry)] if entry.exists() else [py, "-m", "scraper"]
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        db = Path(tmp) / "small.db"
        word = make_archive(db, args.records)
        commands = {
            "python -c pass (interpreter alone)": [py, "-c", "pass"],
            "scraper --help": [*scraper, "--help"],
            f"scraper search {word}": [*scraper, "search", word, "--db", str(db)],
            "python -m scraper --help": [py, "-m", "scraper", "--help"],
        }
        results = {name: time_runs(cmd, args.runs) for name, cmd in commands.items()}
        profiles = {}
        if args.importtime:
            profiles = {name: import_profile(cmd, 12) for name, cmd in commands.items()
                        if name.startswith("scraper")}  # fmt: skip
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"### Start-up ({date})\n")
    print(f"Machine: {machine()}  ")
    print(f"{args.runs} runs each after one warm-up run; archive of {args.records} articles.\n")
    print("| command | median ms | min ms | max ms | target |")
    print("|---|---:|---:|---:|---|")
    for name, times in results.items():
        med = statistics.median(times)
        target = "" if "python -c" in name else (
            f"< {TARGET_MS:.0f} ms: {'met' if med < TARGET_MS else 'missed'}")  # fmt: skip
        print(f"| `{name}` | {med:.0f} | {min(times):.0f} | {max(times):.0f} | {target} |")
    for name, rows in profiles.items():
        print(f"\nSlowest imports of `{name}` (cumulative ms, `-X importtime`):\n")
        for micros, module in rows:
            indent = "  " * ((len(module) - len(module.lstrip())) // 2)
            print(f"{indent}- {module.strip()}: {micros / 1000:.1f}")


if __name__ == "__main__":
    main()
