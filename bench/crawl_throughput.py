"""Crawl throughput: ``scraper crawl`` end to end vs a Scrapy + trafilatura reference.

Starts ``bench/benchserver.py`` (``--articles`` pages over ``--hosts`` loopback hosts,
``--latency`` per response), writes a ``sources.toml`` with one source per host (start
page ``/``, ``allow = ['/news/']``, ``follow = ['/page/\\d+$']``, ``delay = 0``, the
default concurrency unless ``--concurrency`` is given), and runs, one after the other
on the same server:

* **ours**: ``python -m scraper crawl --config sources.toml --db tmp.db --quiet`` as a
  subprocess, fresh database;
* **reference**: ``bench/scrapy_reference.py`` (Scrapy, same concurrency, robots.txt
  obeyed, trafilatura in the callback, title and text into SQLite);
* once at the end, a **bare fetch loop**: the same article URLs with ``requests`` in
  ``concurrency`` threads, nothing parsed or stored (the HTTP client's own ceiling on
  this machine; ``--no-bare`` skips it).

For each: wall time (process start to exit), articles stored, pages/s (= articles /
wall), requests/s as the server counted them, CPU use of the whole process tree in
cores (user + sys over wall: 1.0 = one core busy all the time), peak RSS summed over
the process tree (and peak PSS, which counts shared pages once). The tree is sampled
every 0.1 s with psutil when installed, else from /proc.

Before the crawls the single-core parse rate of ``scraper.parser.parse`` (and of
trafilatura, for context) is measured in this process on ``--parse-sample`` of the
served pages, and the ceiling min(concurrency / latency, 2 x parse rate) is reported.

Run from the repository root (takes about 2-3 minutes)::

    python bench/crawl_throughput.py
    python bench/crawl_throughput.py --concurrency 16 --only ours
    python bench/crawl_throughput.py --json out.json

Prints a markdown table. Uses loopback only (127.0.0.2-127.0.0.21, port 8800).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `scraper` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchserver import SiteGen, server_stats, start_server

ROOT = Path(__file__).resolve().parent.parent
ALLOW = "/news/"
FOLLOW = r"/page/\d+$"


# -- process-tree sampling -----------------------------------------------------------------


class TreeMonitor(threading.Thread):
    """Samples a process and all its descendants: summed RSS (and PSS), CPU seconds.

    CPU: the last user+sys seen of every process (keyed by pid and start time, so a
    reused pid is not merged); a child that exits between two samples loses at most
    one interval. ``finish()`` adds the root's own rusage from ``wait4`` and keeps the
    larger total. ``on_sample(t, rss_bytes)`` is called after every sample.
    """

    def __init__(self, pid: int, interval: float = 0.1, pss_every: int = 5,
                 on_sample: Callable[[float, int], None] | None = None) -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.pss_every = pss_every
        self.on_sample = on_sample
        self.started = time.monotonic()
        self.peak_rss = 0
        self.peak_pss = 0
        self.cpu: dict[tuple[int, float], float] = {}
        self.samples: list[tuple[float, int]] = []
        self.other_cores = 0.0
        self.peak_by_proc: dict[tuple[int, float], int] = {}
        self.names: dict[tuple[int, float], str] = {}
        self._stop_event = threading.Event()
        try:
            import psutil

            self._psutil: Any = psutil
        except ImportError:
            self._psutil = None

    def run(self) -> None:
        i = 0
        while not self._stop_event.is_set():
            self.sample(with_pss=i % self.pss_every == 0)
            i += 1
            self._stop_event.wait(self.interval)

    def sample(self, *, with_pss: bool = False) -> None:
        procs = self._tree_psutil() if self._psutil else self._tree_proc()
        rss = pss = 0
        for key, p_rss, p_cpu, p_pss in procs:
            if p_rss > self.peak_by_proc.get(key, 0):
                self.peak_by_proc[key] = p_rss
            rss += p_rss
            pss += p_pss if with_pss else 0
            self.cpu[key] = max(self.cpu.get(key, 0.0), p_cpu)
        if not procs:
            return
        now = time.monotonic() - self.started
        self.samples.append((now, rss))
        self.peak_rss = max(self.peak_rss, rss)
        if with_pss:
            self.peak_pss = max(self.peak_pss, pss)
        if self.on_sample:
            self.on_sample(now, rss)

    def _tree_psutil(self) -> list[tuple[tuple[int, float], int, float, int]]:
        ps = self._psutil
        out = []
        try:
            root = ps.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except ps.Error:
            return []
        for p in procs:
            try:
                with p.oneshot():
                    times = p.cpu_times()
                    mem = p.memory_info()
                    key = (p.pid, p.create_time())
                    if key not in self.names:
                        self.names[key] = " ".join(p.cmdline()[1:4])[:80]
                pss = 0
                try:
                    pss = p.memory_full_info().pss
                except (ps.Error, AttributeError):
                    pss = mem.rss
                out.append((key, mem.rss, times.user + times.system, pss))
            except ps.Error:
                continue
        return out

    def _tree_proc(self) -> list[tuple[tuple[int, float], int, float, int]]:
        tick = os.sysconf("SC_CLK_TCK")
        page = os.sysconf("SC_PAGE_SIZE")
        stats: dict[int, list[str]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    raw = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                stats[int(entry)] = raw[raw.rindex(")") + 2 :].split()
        children: dict[int, list[int]] = {}
        for pid, fields in stats.items():
            children.setdefault(int(fields[1]), []).append(pid)
        out = []
        todo = [self.pid] if self.pid in stats else []
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, []))
            f = stats[pid]
            cpu = (int(f[11]) + int(f[12])) / tick
            rss = int(f[21]) * page
            out.append(((pid, float(f[19])), rss, cpu, rss))
        return out

    def finish(self, rusage: Any | None) -> float:
        """Stop sampling; CPU seconds of the tree."""
        self._stop_event.set()
        self.join()
        total = sum(self.cpu.values())
        if rusage is not None:
            total = max(total, rusage.ru_utime + rusage.ru_stime)
        return total


def machine_busy_s() -> float:
    """CPU seconds all processes on the machine have used since boot (from /proc/stat)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class RunResult:
    name: str
    articles: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    peak_pss_mb: float
    requests: int
    exit_code: int
    note: str = ""
    other_cores: float = 0.0  # CPU used by everything else on the machine meanwhile
    cpu_split: str = ""  # CPU ms per article by process group
    series: list[tuple[float, int]] = field(default_factory=list)

    @property
    def pages_per_s(self) -> float:
        return self.articles / self.wall_s if self.wall_s else 0.0

    @property
    def cores(self) -> float:
        return self.cpu_s / self.wall_s if self.wall_s else 0.0


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None,
                 on_sample: Callable[[float, int], None] | None = None,
                 ) -> tuple[int, float, float, TreeMonitor, str, str]:  # fmt: skip
    """Run ``cmd`` to completion while sampling its tree: (exit, wall, cpu, monitor, out, err).

    ``monitor.other_cores`` is the CPU everything else on the machine used meanwhile
    (cores), to show how contended the run was."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy_before = machine_busy_s()
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        monitor = TreeMonitor(proc.pid, on_sample=on_sample)
        monitor.start()
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu = monitor.finish(rusage)
        monitor.other_cores = max(0.0, (machine_busy_s() - busy_before - cpu) / wall)
        out.seek(0)
        err.seek(0)
        texts = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return proc.returncode, wall, cpu, monitor, *texts


def scraper_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def write_sources(path: Path, bases: list[str], concurrency: int | None) -> None:
    # block_private stays at its default (true): each source names its own loopback host.
    lines = ["[defaults]", "delay = 0"]
    if concurrency is not None:
        lines.append(f"concurrency = {concurrency}")
    for i, base in enumerate(bases):
        lines += [
            "", "[[sources]]", f'name = "site{i:02d}"', f'start = ["{base}/"]',
            f"allow = ['{ALLOW}']", f"follow = ['{FOLLOW}']",
        ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")


def count_rows(db: Path, table: str = "articles") -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def run_ours(bases: list[str], workdir: Path, concurrency: int | None,
             on_sample: Callable[[float, int], None] | None = None,
             extra: list[str] | None = None, profile: str | None = None) -> RunResult:  # fmt: skip
    config = workdir / "sources.toml"
    write_sources(config, bases, concurrency)
    db = workdir / "tmp.db"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    server_stats(bases[0], reset=True)
    cmd = [sys.executable, "-m", "scraper", "crawl", "--config", str(config), "--db", str(db),
           "--quiet", *(extra or [])]  # fmt: skip
    if profile:
        cmd = [str(Path(sys.executable).with_name("py-spy")), "record", "--subprocesses",
               "--format", "raw", "--rate", "50", "-o", profile, "--", *cmd]  # fmt: skip
    code, wall, cpu, mon, _, err = run_measured(cmd, env=scraper_env(), on_sample=on_sample)
    requests = server_stats(bases[0]).get("requests", 0)
    summary = next((ln for ln in err.splitlines() if ln.startswith("crawl:")), err[-300:])
    articles = max(1, count_rows(db))
    groups: dict[str, float] = {}
    for key, seconds in mon.cpu.items():
        name = mon.names.get(key, "")
        group = ("main process" if key[0] == mon.pid else
                 "parse workers + forkserver" if "forkserver" in name else "other")  # fmt: skip
        groups[group] = groups.get(group, 0.0) + seconds
    split = ", ".join(f"{g} {1000 * sec / articles:.1f}" for g, sec in groups.items())
    return RunResult("ours (scraper crawl)", count_rows(db), wall, cpu, mon.peak_rss / 2**20,
                     mon.peak_pss / 2**20, requests, code, summary.strip(), mon.other_cores,
                     f"CPU ms per article: {split}", mon.samples)  # fmt: skip


_BARE_FETCH = """
import sys, threading
from concurrent.futures import ThreadPoolExecutor
import requests
urls = open(sys.argv[1]).read().split()
local = threading.local()
def get(url):
    session = getattr(local, "session", None) or requests.Session()
    local.session = session
    return len(session.get(url, timeout=30).content)
with ThreadPoolExecutor(int(sys.argv[2])) as pool:
    print(sum(1 for _ in pool.map(get, urls)))
"""


def run_bare_fetch(gen: SiteGen, workdir: Path, concurrency: int) -> RunResult:
    """The same article URLs fetched by a bare ``requests`` loop (``concurrency`` threads,
    one keep-alive session each, nothing parsed or stored): what the HTTP client alone
    reaches on this machine, a practical ceiling next to concurrency / latency."""
    urls = workdir / "urls.txt"
    urls.write_text("\n".join(gen.headline(h, n).url for n in range(gen.per_host)
                               for h in range(gen.hosts)))  # fmt: skip
    server_stats(gen.base(0), reset=True)
    cmd = [sys.executable, "-c", _BARE_FETCH, str(urls), str(concurrency)]
    code, wall, cpu, mon, out, err = run_measured(cmd)
    requests = server_stats(gen.base(0)).get("requests", 0)
    fetched = int(out.strip() or 0)
    return RunResult(f"bare fetch loop (requests, {concurrency} threads, no parse/store)",
                     fetched, wall, cpu, mon.peak_rss / 2**20, mon.peak_pss / 2**20, requests,
                     code, err.strip()[-200:], mon.other_cores)  # fmt: skip


def run_reference(bases: list[str], workdir: Path, concurrency: int) -> RunResult:
    db = workdir / "reference.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    server_stats(bases[0], reset=True)
    cmd = [sys.executable, str(ROOT / "bench" / "scrapy_reference.py"), "--db", str(db),
           "--concurrency", str(concurrency), "--allow", ALLOW, "--follow", FOLLOW]  # fmt: skip
    for base in bases:
        cmd += ["--start", base + "/"]
    code, wall, cpu, mon, out, err = run_measured(cmd)
    requests = server_stats(bases[0]).get("requests", 0)
    note = out.strip().splitlines()[-1] if out.strip() else err[-300:]
    return RunResult("reference (Scrapy + trafilatura)", count_rows(db), wall, cpu,
                     mon.peak_rss / 2**20, mon.peak_pss / 2**20, requests, code,
                     note.strip(), mon.other_cores)  # fmt: skip


# -- parse rate ------------------------------------------------------------------------------


def parse_rates(gen: SiteGen, sample: int) -> dict[str, float]:
    """Single-core pages/s of our parser and of trafilatura on served pages (same bytes),
    decoded once outside the timing as the crawl's fetcher does."""
    import trafilatura

    from scraper.encoding import decode_html
    from scraper.parser import parse

    pages = []
    step = max(1, gen.hosts * gen.per_host // sample)
    for i in range(0, gen.hosts * gen.per_host, step):
        host, n = i % gen.hosts, i // gen.hosts
        raw = gen.article_html(host, n)
        pages.append((decode_html(raw, "utf-8")[0], gen.headline(host, n).url))
        if len(pages) >= sample:
            break
    parse(pages[0][0], url=pages[0][1])  # warm-up: first-call imports
    trafilatura.bare_extraction(pages[0][0], url=pages[0][1], with_metadata=True)
    t, c = time.perf_counter(), time.thread_time()
    for text, url in pages:
        parse(text, url=url)
    ours, ours_cpu = len(pages) / (time.perf_counter() - t), len(pages) / (time.thread_time() - c)
    t, c = time.perf_counter(), time.thread_time()
    for text, url in pages:
        trafilatura.bare_extraction(text, url=url, include_tables=True, include_comments=False,
                                    with_metadata=True)  # fmt: skip
    traf, traf_cpu = len(pages) / (time.perf_counter() - t), len(pages) / (time.thread_time() - c)
    return {"ours": ours, "trafilatura": traf, "ours_cpu": ours_cpu,
            "trafilatura_cpu": traf_cpu, "pages": len(pages)}  # fmt: skip


# -- profile ---------------------------------------------------------------------------------


def summarize_profile(path: str, top: int = 15) -> str:
    """Shares of CPU samples from py-spy's raw output, per process: own time by function
    and inclusive time of the project's functions."""
    from collections import Counter, defaultdict

    own: dict[str, Counter[str]] = defaultdict(Counter)
    incl: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    waiting: Counter[str] = Counter()
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        depth = sum(1 for f in frames if f.startswith("process "))
        proc = {1: "main process", 2: "forkserver"}.get(depth, "parse workers")
        frames = frames[depth:] or ["(process start)"]
        n = int(count)
        leaf = _short(frames[-1])
        if leaf.split(" (")[0] in _WAITING:
            waiting[proc] += n
            continue
        totals[proc] += n
        own[proc][leaf] += n
        seen = set()
        for frame in frames:
            if "scraper/" in frame or "sqlite" in frame or "zstd" in frame.lower():
                name = _short(frame)
                if name not in seen:
                    seen.add(name)
                    incl[proc][name] += n
    groups = ", ".join(f"{k} {v} busy / {waiting[k]} waiting" for k, v in totals.items())
    out = [f"Profile ({path}): samples per process group (waiting ones dropped): {groups}"]
    for proc, total in totals.items():
        out.append(f"\n{proc}: own time (top {top})\n")
        out += [f"- {100 * n / total:.1f} % {name}" for name, n in own[proc].most_common(top)]
        out.append(f"\n{proc}: inclusive, project code (top {top})\n")
        out += [f"- {100 * n / total:.1f} % {name}" for name, n in incl[proc].most_common(top)]
    return "\n".join(out)


# Leaf frames that are a thread waiting (py-spy cannot always tell idle threads apart).
_WAITING = frozenset({
    "Condition.wait", "_worker", "Event.wait", "SocketIO.readinto", "_PollLikeSelector.select",
    "EpollSelector.select", "select", "SemLock.__enter__", "Connection._recv", "sleep",
    "wait_result_broken_or_wakeup", "Queue.get", "_wait_for_tstate_lock", "Thread.join",
    "Connection._send", "main",
})  # fmt: skip


def _short(frame: str) -> str:
    """``func (path/to/file.py:12)`` → ``func (file.py)``."""
    name, _, where = frame.partition(" (")
    file = where.rsplit(":", 1)[0].rsplit("/", 2)
    return f"{name} ({'/'.join(file[-2:])})" if where else name


# -- report ----------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")  # fmt: skip


def table(results: list[RunResult]) -> str:
    rows = [
        "| crawler | articles | wall s | pages/s | requests/s | CPU (cores) | CPU ms/article | "
        "peak RSS MB | peak PSS MB | other load (cores) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rows.append(
            f"| {r.name} | {r.articles} | {r.wall_s:.1f} | {r.pages_per_s:.1f} | "
            f"{r.requests / r.wall_s:.1f} | {r.cores:.2f} | "
            f"{1000 * r.cpu_s / max(1, r.articles):.1f} | {r.peak_rss_mb:.0f} | "
            f"{r.peak_pss_mb:.0f} | {r.other_cores:.2f} |"
        )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--port", type=int, default=8800)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--concurrency", type=int, help="default: the crawl's default")
    ap.add_argument("--parse-sample", type=int, default=200)
    ap.add_argument("--only", choices=("ours", "reference"))
    ap.add_argument("--rounds", type=int, default=2, help="runs of each, interleaved")
    ap.add_argument("--no-bare", dest="bare", action="store_false",
                    help="skip the bare requests loop (practical fetch ceiling)")  # fmt: skip
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--profile", metavar="FILE",
                    help="profile one run of our crawl (py-spy), raw stacks to FILE")  # fmt: skip
    args = ap.parse_args()

    from scraper.config import Defaults

    concurrency = args.concurrency or Defaults().concurrency
    gen = SiteGen(-(-args.articles // args.hosts), args.hosts, args.port)
    rates = parse_rates(gen, args.parse_sample)
    print(f"parse rate (1 core, {rates['pages']} served pages): ours {rates['ours']:.1f} "
          f"pages/s, trafilatura {rates['trafilatura']:.1f} pages/s", file=sys.stderr)  # fmt: skip
    results: list[RunResult] = []
    with start_server(args.articles, args.hosts, args.port, args.latency) as (server, info), \
            tempfile.TemporaryDirectory(prefix="crawlbench-") as tmp:  # fmt: skip
        print(f"server ready: {info['articles']} articles, mean page {info['mean_page_kb']} KB, "
              f"built in {info['build_s']} s", file=sys.stderr)  # fmt: skip
        bases = info["bases"]
        server_cpu_before = _cpu_of(server.pid)
        if args.profile:
            r = run_ours(bases, Path(tmp), args.concurrency, profile=args.profile)
            print(f"profiled run: {r.pages_per_s:.1f} pages/s; {r.note}", file=sys.stderr)
            print(summarize_profile(args.profile))
            return
        for round_no in range(args.rounds):
            # Alternate the order each round, so load from elsewhere hits both alike.
            order = ["ours", "reference"] if round_no % 2 == 0 else ["reference", "ours"]
            for which in order:
                if args.only not in (None, which):
                    continue
                if which == "ours":
                    results.append(run_ours(bases, Path(tmp), args.concurrency))
                else:
                    results.append(run_reference(bases, Path(tmp), concurrency))
                r = results[-1]
                print(f"{which}: {r.pages_per_s:.1f} pages/s, other load {r.other_cores:.2f} "
                      f"cores; {r.note}", file=sys.stderr, flush=True)  # fmt: skip
        if args.bare and args.only is None:
            results.append(run_bare_fetch(gen, Path(tmp), concurrency))
            r = results[-1]
            print(f"bare fetch: {r.pages_per_s:.1f} pages/s", file=sys.stderr, flush=True)
        server_cpu = _cpu_of(server.pid) - server_cpu_before
    busy = sum(r.wall_s for r in results)
    ceiling_fetch = concurrency / args.latency
    ceiling_parse = 2 * rates["ours"]
    ceiling = min(ceiling_fetch, ceiling_parse)
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"### Crawl throughput ({date})\n")
    print(f"Machine: {machine()}  ")
    print(f"{info['articles']} articles on {args.hosts} hosts, {args.latency * 1000:.0f} ms "
          f"latency, mean page {info['mean_page_kb']} KB, concurrency {concurrency}, delay 0. "
          f"Bench server used {server_cpu / busy if busy else 0:.2f} cores while crawls "
          "ran.\n")  # fmt: skip
    print(table(results))
    print()
    print(f"- parse rate, one core, {rates['pages']} served pages: ours "
          f"{rates['ours']:.1f} pages/s wall ({rates['ours_cpu']:.1f} per CPU-second), "
          f"trafilatura (with metadata) {rates['trafilatura']:.1f} pages/s wall "
          f"({rates['trafilatura_cpu']:.1f} per CPU-second)")  # fmt: skip
    print(f"- ceiling with the CPU-time parse rate (what an idle machine would allow): "
          f"min({ceiling_fetch:.0f}, {2 * rates['ours_cpu']:.0f}) = "
          f"{min(ceiling_fetch, 2 * rates['ours_cpu']):.0f} pages/s")  # fmt: skip
    print(f"- ceiling = min(concurrency / latency = {ceiling_fetch:.0f}, 2 x parse rate = "
          f"{ceiling_parse:.0f}) = **{ceiling:.0f} pages/s**")  # fmt: skip
    bare = next((r for r in results if r.name.startswith("bare")), None)
    if bare:
        print(f"- practical fetch ceiling (bare requests loop, same URLs, same concurrency): "
              f"{bare.pages_per_s:.1f} pages/s")  # fmt: skip
    ours_runs = [r.pages_per_s for r in results if r.name.startswith("ours")]
    ref_runs = [r.pages_per_s for r in results if r.name.startswith("reference")]
    ours = statistics.median(ours_runs) if ours_runs else None
    ref = statistics.median(ref_runs) if ref_runs else None
    if ours is not None:
        print(f"- ours: median {ours:.1f} pages/s over {len(ours_runs)} runs")
        pct = ours / ceiling * 100
        print(f"- ours / ceiling = **{pct:.0f} %** (target >= 80 %: "
              f"{'met' if pct >= 80 else 'missed'})")  # fmt: skip
    if ref:
        print(f"- reference: median {ref:.1f} pages/s over {len(ref_runs)} runs")
    if ours is not None and ref:
        ratio = ours / ref
        print(f"- ours / reference = **{ratio:.2f}x** (target >= 1.0x: "
              f"{'met' if ratio >= 1 else 'missed'})")  # fmt: skip
    for r in results:
        split = f"; {r.cpu_split}" if r.cpu_split else ""
        print(f"- {r.name}: exit {r.exit_code}; {r.note}{split}")
    if args.json:
        data = {"date": date, "machine": machine(), "rates": rates, "ceiling": ceiling,
                "concurrency": concurrency, "latency": args.latency,
                "results": [asdict(r) | {"pages_per_s": r.pages_per_s, "cores": r.cores}
                            for r in results]}  # fmt: skip
        Path(args.json).write_text(json.dumps(data, indent=2))


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


__all__ = ["RunResult", "TreeMonitor", "machine", "run_measured", "run_ours", "write_sources"]

if __name__ == "__main__":
    main()
