"""Extraction benchmark: our parser, trafilatura, readability-lxml and htmldate side by side.

Run by hand from the repository root (not in CI; needs the ``bench`` extra and the corpus)::

    python bench/extraction.py                      # whole corpus, markdown table on stdout
    python bench/extraction.py --limit 100          # first 100 pages of each JSONL file
    python bench/extraction.py --only ours,trafilatura
    python bench/extraction.py --profile ours       # cProfile top-20 of our parser
    python bench/extraction.py --json out.json      # raw numbers as well

Each page is read and decoded once (``bench.corpus.decode``); every extractor gets the same
``str`` and the page URL, in a rotating order, and only the extraction call is timed. See
``bench/README.md`` for what is measured and the fairness notes.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `scraper` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import (
    corpus_dir,
    decode,
    load_bullets,
    load_dates,
    load_eval,
    score_author,
    score_body,
    score_bullets,
    score_date,
    score_title,
)

EXTRACTORS = ("ours", "trafilatura", "trafilatura-body", "readability", "htmldate")
# What each tool is scored on; htmldate only finds dates, readability has no date or author.
FIELDS = {
    "ours": {"body", "title", "author", "date", "bullets"},
    "trafilatura": {"body", "title", "author", "date", "bullets"},
    "trafilatura-body": {"body"},
    "readability": {"body", "title", "bullets"},
    "htmldate": {"date"},
}


@dataclass
class Result:
    """What one extractor returned for one page (None = not produced)."""

    body: str | None = None
    title: str | None = None
    authors: Any = None
    date: str | None = None
    bullets: list[str] | None = None


@dataclass
class Tally:
    """Per-extractor results and costs over the run."""

    seconds: float = 0.0
    calls: int = 0
    crashes: int = 0
    empty: int = 0
    results: list[Result] = field(default_factory=list)
    crash_examples: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- extractors


def _block_text(root: Any) -> str:
    """Text of an lxml tree with a newline around every block element (no word gluing)."""
    inline = {"a", "b", "i", "em", "strong", "span", "sub", "sup", "small", "abbr", "code",
              "u", "s", "q", "cite", "mark", "time", "font", "label"}  # fmt: skip
    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag.lower() not in inline
        if block:
            parts.append("\n")
        if tag and el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    return "".join(parts)


def make_ours() -> Callable[[str | bytes, str | None], Result]:
    from scraper.parser import parse

    def run(html: str | bytes, url: str | None) -> Result:
        art = parse(html, url=url)
        return Result(
            body=art.body,
            title=art.title,
            authors=list(art.authors),
            date=art.published,
            bullets=[b.text for b in art.bullets],
        )

    return run


def make_trafilatura() -> Callable[[str | bytes, str | None], Result]:
    import trafilatura

    def run(html: str | bytes, url: str | None) -> Result:
        # One call gives the same text as extract(output_format="txt") plus the metadata.
        doc: Any = trafilatura.bare_extraction(
            html, url=url, include_tables=True, include_comments=False, with_metadata=True
        )
        if doc is None:  # body rejected: ask for the metadata alone, as a user would
            meta = trafilatura.extract_metadata(html, default_url=url)
            return Result(title=meta.title, authors=meta.author, date=meta.date)
        items = None
        if doc.body is not None:
            items = ["".join(i.itertext()) for i in doc.body.iter("item")]
        return Result(doc.text, doc.title, doc.author, doc.date, items)

    return run


def make_trafilatura_body() -> Callable[[str | bytes, str | None], Result]:
    """The body call alone, as most users run it: a speed reference without metadata."""
    import trafilatura

    def run(html: str | bytes, url: str | None) -> Result:
        text = trafilatura.extract(
            html, url=url, include_tables=True, include_comments=False, output_format="txt"
        )
        return Result(body=text)

    return run


def make_readability() -> Callable[[str | bytes, str | None], Result]:
    import lxml.html
    from readability import Document

    def run(html: str | bytes, url: str | None) -> Result:
        doc = Document(html, url=url)
        summary = doc.summary()
        tree = lxml.html.fromstring(summary) if summary.strip() else None
        body = _block_text(tree) if tree is not None else None
        items = ["".join(li.itertext()) for li in tree.iter("li")] if tree is not None else None
        return Result(body=body, title=doc.title(), bullets=items)

    return run


def make_htmldate() -> Callable[[str | bytes, str | None], Result]:
    from htmldate import find_date

    def run(html: str | bytes, url: str | None) -> Result:
        return Result(date=find_date(html, original_date=True, url=url))

    return run


MAKERS = {
    "ours": make_ours,
    "trafilatura": make_trafilatura,
    "trafilatura-body": make_trafilatura_body,
    "readability": make_readability,
    "htmldate": make_htmldate,
}


_WARM_UP_PAGE = (
    "<html lang='en'><head><meta charset='utf-8'><title>Warm-up page | Bench</title>"
    "<meta property='article:published_time' content='2020-01-02T03:04:05+00:00'></head>"
    "<body><nav><ul><li><a href='/'>Home</a></li></ul></nav><article><h1>Warm-up page</h1>"
    "<p class='byline'>By Jane Doe</p>"
    + "<p>This paragraph only makes the extractors load their lazy data before timing.</p>"
    * 8
    + "<ul><li>first point of the list</li><li>second point of the list</li></ul>"
    "</article><footer>Imprint</footer></body></html>"
)


def warm_up(fn: Callable[[str | bytes, str | None], Result]) -> None:
    """One untimed call on a made-up page: first-call imports and caches are not timed."""
    with contextlib.suppress(Exception):
        fn(_WARM_UP_PAGE, "https://example.org/2020/01/02/warm-up.html")


def _make(name: str) -> Callable[[str | bytes, str | None], Result]:
    """The extractor, or one that re-raises its import error on every page (counted as crashes)."""
    try:
        return MAKERS[name]()
    except Exception as exc:
        error = exc

        def broken(html: str | bytes, url: str | None) -> Result:
            raise error

        return broken


def _is_empty(name: str, r: Result) -> bool:
    if name == "htmldate":
        return not r.date
    return not (r.body and r.body.strip())


# --------------------------------------------------------------------------- pages


@dataclass
class Run:
    """One page as benchmarked: which set it belongs to, its row, and the bytes."""

    sets: set[str]
    row: dict[str, Any]


def iter_runs(limit: int | None) -> Iterator[Run]:
    """Eval pages, then dates pages, then annotated pages not already covered.

    A dates page whose file and URL equal an eval page's is run once and scored in both.
    """
    seen: dict[tuple[str, str | None], Run] = {}
    runs: list[Run] = []
    for row in load_eval(limit):
        run = Run({"eval"}, row)
        seen[(row["path"], row["url"])] = run
        runs.append(run)
    for row in load_dates(limit):
        key = (row["path"], row["url"])
        if key in seen:
            seen[key].sets.add("dates")
            row.pop("html")  # same bytes as the eval row's
            seen[key].row["dates_row"] = row
            continue
        run = Run({"dates"}, row)
        seen[key] = run
        runs.append(run)
    by_path = {key[0]: run for key, run in seen.items()}
    base = corpus_dir()
    for ann in load_bullets():
        if ann["path"] in by_path:
            continue
        import gzip

        with gzip.open(base / ann["path"], "rb") as fh:
            row = {"path": ann["path"], "url": ann.get("url"), "html": fh.read()}
        run = Run({"bullets"}, row)
        by_path[ann["path"]] = run
        runs.append(run)
    return iter(runs)


# --------------------------------------------------------------------------- the run


def benchmark(names: list[str], limit: int | None, use_bytes: bool) -> tuple[list[Run], dict]:
    """Run every extractor on every page, interleaved; time only the extraction call."""
    fns = {n: _make(n) for n in names}
    for fn in fns.values():
        warm_up(fn)
    tallies = {n: Tally() for n in names}
    runs = list(iter_runs(limit))
    for i, run in enumerate(runs):
        raw = run.row.pop("html")
        html: str | bytes = raw if use_bytes else decode(raw)
        url = run.row.get("url")
        order = names[i % len(names) :] + names[: i % len(names)]  # rotate: no order bias
        for name in order:
            tally = tallies[name]
            start = time.perf_counter()
            try:
                result = fns[name](html, url)
            except Exception as exc:  # a crash scores as empty output
                tally.seconds += time.perf_counter() - start
                tally.crashes += 1
                if len(tally.crash_examples) < 5:
                    tally.crash_examples.append(f"{run.row['path']}: {type(exc).__name__}: {exc}")
                result = Result()
            else:
                tally.seconds += time.perf_counter() - start
            tally.calls += 1
            tally.empty += _is_empty(name, result)
            tally.results.append(result)
        if (i + 1) % 200 == 0:
            print(f"  {i + 1}/{len(runs)} pages", file=sys.stderr, flush=True)
    return runs, tallies


def score(runs: list[Run], tallies: dict[str, Tally]) -> dict[str, dict[str, Any]]:
    """All scores per extractor."""
    eval_idx = [i for i, r in enumerate(runs) if "eval" in r.sets]
    dates_idx = [i for i, r in enumerate(runs) if "dates" in r.sets]
    eval_rows = [runs[i].row for i in eval_idx]
    dates_rows = [runs[i].row.get("dates_row", runs[i].row) for i in dates_idx]
    path_idx: dict[str, int] = {}
    for i, r in enumerate(runs):
        path_idx.setdefault(r.row["path"], i)
    anns = [a for a in load_bullets() if a["path"] in path_idx]
    out: dict[str, dict[str, Any]] = {}
    for name, t in tallies.items():
        res = t.results
        s: dict[str, Any] = {
            "pages": t.calls,
            "seconds": t.seconds,
            "pages_per_s": t.calls / t.seconds if t.seconds else 0.0,
            "crashes": t.crashes,
            "empty": t.empty,
            "crash_examples": t.crash_examples,
        }
        f = FIELDS[name]
        if "body" in f:
            s["body"] = score_body(eval_rows, [res[i].body for i in eval_idx])
        if "title" in f:
            s["title"] = score_title(eval_rows, [res[i].title for i in eval_idx])
        if "author" in f:
            s["author"] = score_author(eval_rows, [res[i].authors for i in eval_idx])
        if "date" in f:
            s["date_eval"] = score_date(eval_rows, [res[i].date for i in eval_idx])
            s["date_dates"] = score_date(dates_rows, [res[i].date for i in dates_idx])
        if "bullets" in f:
            s["bullets"] = score_bullets(anns, [res[path_idx[a["path"]]].bullets for a in anns])
        out[name] = s
    return out


def write_details(path: str, runs: list[Run], tallies: dict[str, Tally]) -> None:
    """One JSON line per page and tool: what failed, for tuning (snippets, title, date)."""
    from bench.corpus import body_failures, norm

    with open(path, "w", encoding="utf-8") as fh:
        for i, run in enumerate(runs):
            row = run.row
            for name, t in tallies.items():
                res = t.results[i]
                rec: dict[str, Any] = {"path": row["path"], "tool": name, "sets": sorted(run.sets)}
                if "eval" in run.sets and "body" in FIELDS[name]:
                    rec.update(body_failures(row, res.body))
                if "title" in FIELDS[name] and row.get("title"):
                    rec["title"] = {"want": row["title"], "got": res.title,
                                    "ok": norm(res.title) == norm(row["title"])}  # fmt: skip
                if "date" in FIELDS[name]:
                    want = row.get("dates_row", row).get("date") or row.get("date")
                    if want:
                        got = (res.date or "")[:10] or None
                        rec["date"] = {"want": want, "got": res.date, "ok": got == want}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- memory


def _largest_eval_pages(limit: int | None, count: int) -> list[str]:
    """Paths of the ``count`` largest eval pages (by raw size): they set the peaks."""
    sizes = [(len(p["html"]), p["path"]) for p in load_eval(limit)]
    return [path for _size, path in sorted(sizes, reverse=True)[:count]]


def memory_child(name: str, limit: int | None, use_bytes: bool, count: int) -> dict[str, float]:
    """In a fresh process: peak RSS over the pages, then tracemalloc peak per call.

    Uses the ``count`` largest eval pages, read one at a time so the corpus does not count.
    """
    keep = set(_largest_eval_pages(limit, count))

    def pages() -> Iterator[tuple[str | None, str | bytes]]:
        for p in load_eval(limit):
            if p["path"] in keep:
                yield p.get("url"), p["html"] if use_bytes else decode(p["html"])

    fn = MAKERS[name]()
    warm_up(fn)
    gc.collect()
    base_rss = _rss_now_kib()
    for url, html in pages():
        with contextlib.suppress(Exception):
            fn(html, url)
    peak_rss = _proc_status_kib("VmHWM")  # per address space: not inherited across exec
    tracemalloc.start()
    worst = 0
    for url, html in pages():
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        with contextlib.suppress(Exception):
            fn(html, url)
        worst = max(worst, tracemalloc.get_traced_memory()[1] - before)
    tracemalloc.stop()
    return {
        "pages": len(keep),
        "rss_base_mib": base_rss / 1024,
        "rss_peak_mib": peak_rss / 1024,
        "rss_growth_mib": max(0, peak_rss - base_rss) / 1024,
        "tracemalloc_peak_mib": worst / 2**20,
    }


def _rss_now_kib() -> int:
    return _proc_status_kib("VmRSS")


def _proc_status_kib(key: str) -> int:
    """A ``/proc/self/status`` value in KiB (Linux). ``ru_maxrss`` would carry the
    parent's peak over into a child started by fork+exec, so it is not used."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def measure_memory(
    names: list[str], limit: int | None, use_bytes: bool, count: int
) -> dict[str, dict]:
    """One child process per extractor, so their allocations and caches do not mix."""
    out = {}
    for name in names:
        cmd = [sys.executable, __file__, "--memory-child", name, "--memory-pages", str(count)]
        if limit is not None:
            cmd += ["--limit", str(limit)]
        if use_bytes:
            cmd.append("--bytes")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        try:
            out[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            out[name] = {"error": proc.stderr.strip()[-300:]}
    return out


# --------------------------------------------------------------------------- profile


def profile(name: str, limit: int | None, use_bytes: bool) -> str:
    """cProfile of one extractor over the eval pages: top 20 by own time and cumulative."""
    fn = MAKERS[name]()
    htmls = [
        (p.get("url"), p["html"] if use_bytes else decode(p["html"])) for p in load_eval(limit)
    ]
    prof = cProfile.Profile()
    for url, html in htmls:
        prof.enable()
        with contextlib.suppress(Exception):
            fn(html, url)
        prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs()
    buf.write(f"# cProfile of {name} over {len(htmls)} eval pages\n## by own time (tottime)\n")
    stats.sort_stats("tottime").print_stats(20)
    buf.write("## by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(20)
    return buf.getvalue()


# --------------------------------------------------------------------------- report


def machine_info() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {}
    for pkg in ("lxml", "trafilatura", "readability-lxml", "htmldate"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = "-"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = "?"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu} ({os.cpu_count()} logical CPUs)",
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "commit": commit or "?",
    }


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _get(s: dict, *keys: str) -> float | None:
    cur: Any = s
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur


def render(scores: dict, memory: dict, info: dict, wall: float, use_bytes: bool) -> str:
    names = list(scores)
    lines = [
        f"Run {info['date']} · {info['cpu']} · Python {info['python']} · {info['platform']}",
        f"Versions: {info['versions']} · repo commit {info['commit']} · wall time {wall:.0f} s"
        f" · input given as {'raw bytes' if use_bytes else 'one decoded str per page'}",
        "",
        "| metric | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]

    def row(label: str, *keys: str, digits: int = 3) -> None:
        vals = [_f(_get(scores[n], *keys), digits) for n in names]
        lines.append(f"| {label} | " + " | ".join(vals) + " |")

    first = scores[names[0]]
    n_eval = _get(first, "body", "pages") or _get(first, "date_eval", "pages")
    row("body precision (trafilatura-eval)", "body", "precision")
    row("body recall", "body", "recall")
    row("**body F1**", "body", "f1")
    row("body accuracy", "body", "accuracy")
    row("body page pass rate", "body", "page_pass")
    row("title exact", "title", "exact")
    row("title case-insensitive", "title", "casefold")
    row("title lenient (site suffix cut)", "title", "lenient")
    row("author match", "author", "match")
    row("author precision (correct / returned)", "author", "precision")
    for key, label in (("date_eval", "trafilatura-eval"), ("date_dates", "dates/")):
        row(f"date accuracy ({label})", key, "accuracy")
        row(f"date coverage ({label})", key, "coverage")
        row(f"date precision ({label})", key, "precision")
    row("bullet precision (annotated)", "bullets", "precision")
    row("bullet recall (annotated)", "bullets", "recall")
    row("bullet F1", "bullets", "f1")
    row("bullet precision, per-page mean", "bullets", "macro_precision")
    row("bullet recall, per-page mean", "bullets", "macro_recall")
    row("nav-only pages without bullets", "bullets", "nav_clean")
    row("pages/s (extraction call only)", "pages_per_s", digits=1)
    traf = _get(scores.get("trafilatura", {}), "pages_per_s")
    lines.append(
        "| speed ratio to trafilatura | "
        + " | ".join(_f(scores[n]["pages_per_s"] / traf if traf else None, 2) for n in names)
        + " |"
    )
    tb = _get(scores.get("trafilatura-body", {}), "pages_per_s")
    lines.append(
        "| speed ratio to trafilatura body-only | "
        + " | ".join(_f(scores[n]["pages_per_s"] / tb if tb else None, 2) for n in names)
        + " |"
    )
    lines.append(
        "| peak RSS, MiB (process running only this tool) | "
        + " | ".join(_f(_get(memory.get(n, {}), "rss_peak_mib"), 1) for n in names)
        + " |"
    )
    lines.append(
        "| peak RSS growth over warm start, MiB | "
        + " | ".join(_f(_get(memory.get(n, {}), "rss_growth_mib"), 1) for n in names)
        + " |"
    )
    lines.append(
        "| tracemalloc peak per call, MiB (max) | "
        + " | ".join(_f(_get(memory.get(n, {}), "tracemalloc_peak_mib"), 1) for n in names)
        + " |"
    )
    lines.append("| crashes | " + " | ".join(str(scores[n]["crashes"]) for n in names) + " |")
    lines.append("| empty outputs | " + " | ".join(str(scores[n]["empty"]) for n in names) + " |")
    b = _get(first, "bullets", "pages")
    mem_pages = next((m["pages"] for m in memory.values() if "pages" in m), None)
    nd = _get(first, "date_dates", "pages")
    lines += [
        "",
        f"Pages timed per extractor: {first['pages']}; eval pages scored {n_eval};"
        f" dates/ pages scored {nd}; bullet-annotated pages scored {b}.",
        "`–` = not produced by that tool. Crashes and empty outputs score as all `with` missed,"
        " all `without` passed.",
        f"Memory rows: a separate process per tool over the {mem_pages} largest eval pages"
        " (RSS = VmHWM; tracemalloc sees Python allocations only, not libxml2's).",
    ]
    for n in names:
        for ex in scores[n]["crash_examples"]:
            lines.append(f"- crash ({n}): {ex[:200]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, help="first N pages of each JSONL file")
    ap.add_argument("--only", help="comma-separated subset of " + ",".join(EXTRACTORS))
    ap.add_argument("--bytes", action="store_true", help="pass raw bytes instead of one str")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory measurement")
    ap.add_argument("--profile", metavar="NAME", help="print a cProfile top-20 of NAME and stop")
    ap.add_argument("--json", metavar="FILE", help="also write all numbers as JSON")
    ap.add_argument("--details", metavar="FILE", help="per-page failures as JSON lines")
    ap.add_argument(
        "--memory-pages", type=int, default=300, help="largest eval pages used for memory"
    )
    ap.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.memory_child:
        child = memory_child(args.memory_child, args.limit, args.bytes, args.memory_pages)
        print(json.dumps(child))
        return 0
    if args.profile:
        print(profile(args.profile, args.limit, args.bytes))
        return 0
    names = [n.strip() for n in args.only.split(",")] if args.only else list(EXTRACTORS)
    unknown = set(names) - set(EXTRACTORS)
    if unknown:
        ap.error(f"unknown extractor(s): {', '.join(sorted(unknown))}")

    info = machine_info()
    start = time.perf_counter()
    runs, tallies = benchmark(names, args.limit, args.bytes)
    scores = score(runs, tallies)
    if args.details:
        write_details(args.details, runs, tallies)
    memory = (
        {} if args.no_memory else measure_memory(names, args.limit, args.bytes, args.memory_pages)
    )
    wall = time.perf_counter() - start
    print(render(scores, memory, info, wall, args.bytes))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"info": info, "scores": scores, "memory": memory, "wall_s": wall}, fh,
                      indent=1)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
