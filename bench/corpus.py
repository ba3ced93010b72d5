"""Load the development corpus and score extractions the way its README says.

Why a module: the metadata and content helpers tune against the same numbers the
benchmark prints, so loading and scoring live in one importable place.

The corpus folder comes from ``SCRAPER_CORPUS`` (default ``../shared/corpus`` next to the
repository root). Every ``path`` in the JSONL files is relative to it.

Usage::

    from bench.corpus import load_eval, load_dates, decode, score_body, score_date
    from scraper.parser import parse

    pages = list(load_eval(limit=100))
    arts = [parse(decode(p["html"]), url=p["url"]) for p in pages]
    print(score_body(pages, [a.body for a in arts]))
    # {'precision': 0.93, 'recall': 0.9, 'f1': 0.91, 'accuracy': 0.92, 'page_pass': 0.55, ...}
    print(score_title(pages, [a.title for a in arts]))
    print(score_author(pages, [list(a.authors) for a in arts]))
    print(score_date(pages, [a.published for a in arts]))

    dates = list(load_dates())
    print(score_date(dates, [parse(decode(p["html"]), url=p["url"]).published for p in dates]))

    # which snippets fail on one page:
    print(body_failures(pages[0], arts[0].body))

Run ``python -m bench.corpus`` from the repository root for a quick score of our parser.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "body_failures",
    "bullet_match",
    "corpus_dir",
    "decode",
    "load_bullets",
    "load_dates",
    "load_eval",
    "norm",
    "score_author",
    "score_body",
    "score_bullets",
    "score_date",
    "score_title",
    "split_authors",
]

_REPO_ROOT = Path(__file__).resolve().parent.parent
_SPACES = re.compile(r"\s+")
# Separators between several names in one author string (corpus README).
_AUTHOR_SEP = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)


def corpus_dir() -> Path:
    """The corpus folder: ``$SCRAPER_CORPUS`` or ``<repo>/../shared/corpus``."""
    env = os.environ.get("SCRAPER_CORPUS")
    return Path(env) if env else (_REPO_ROOT.parent / "shared" / "corpus").resolve()


def _load(jsonl: str, limit: int | None) -> Iterator[dict[str, Any]]:
    base = corpus_dir()
    with open(base / jsonl, encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                return
            row = json.loads(line)
            with gzip.open(base / row["path"], "rb") as page:
                row["html"] = page.read()
            yield row


def load_eval(limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Rows of ``trafilatura-eval/expectations.jsonl``, each with ``html`` (raw bytes) added."""
    return _load("trafilatura-eval/expectations.jsonl", limit)


def load_dates(limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Rows of ``dates/dates.jsonl``, each with ``html`` (raw bytes) added."""
    return _load("dates/dates.jsonl", limit)


def decode(raw: bytes) -> str:
    """Decode page bytes once, the same way for every extractor.

    Uses the project's ``scraper.encoding.decode_html`` when it exists; otherwise the
    corpus README's recipe: declared charset if it decodes cleanly, UTF-8, a detector,
    UTF-8 with replacement.
    """
    try:
        from scraper.encoding import decode_html
    except ImportError:
        pass
    else:
        return decode_html(raw)[0]
    found = _META_CHARSET.search(raw[:4096])
    candidates = [found.group(1).decode("ascii").lower()] if found else []
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is not None:
            return str(best)
    except ImportError:
        pass
    return raw.decode("utf-8", errors="replace")


def norm(text: str | None) -> str:
    """NFC, whitespace runs (NBSP included) to one space, stripped; no case folding."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def body_failures(page: dict[str, Any], text: str | None) -> dict[str, list[str]]:
    """The snippets of one page that fail: ``missing`` (with) and ``leaked`` (without)."""
    body = norm(text)
    if not body:
        return {"missing": list(page["with"]), "leaked": []}
    return {
        "missing": [s for s in page["with"] if norm(s) not in body],
        "leaked": [s for s in page["without"] if norm(s) in body],
    }


def score_body(
    pages: Sequence[dict[str, Any]], extracted_texts: Sequence[str | None]
) -> dict[str, float]:
    """Snippet scores summed over pages: a ``with`` found is a TP, a ``without`` found an FP.

    ``None`` or empty text (a crash) misses every ``with`` and passes every ``without``.
    ``page_pass`` is the share of pages where every snippet passes.
    """
    tp = fp = tn = fn = passed = 0
    for page, text in zip(pages, extracted_texts, strict=True):
        fails = body_failures(page, text)
        miss, leak = len(fails["missing"]), len(fails["leaked"])
        tp += len(page["with"]) - miss
        fn += miss
        fp += leak
        tn += len(page["without"]) - leak
        passed += miss == 0 and leak == 0
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
        "accuracy": _ratio(tp + tn, tp + tn + fp + fn),
        "page_pass": _ratio(passed, len(pages)),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "pages": len(pages),
    }


# " | Site", " - Site", " – Site", " — Site", " · Site", " » Site": the last one is cut.
_SITE_SEP = re.compile(r"\s[|\-–—·»]\s")


def _strip_site(title: str) -> str:
    cuts = list(_SITE_SEP.finditer(title))
    return title[: cuts[-1].start()].strip() if cuts else title


def score_title(pages: Sequence[dict[str, Any]], titles: Sequence[str | None]) -> dict[str, float]:
    """Title match rates over pages that have a ``title``.

    ``exact``: equal after :func:`norm`; ``casefold``: equal ignoring case; ``lenient``:
    casefold-equal after dropping one trailing `` | Site`` / `` - Site`` part from the output.
    """
    n = exact = casefold = lenient = 0
    for page, title in zip(pages, titles, strict=True):
        if not page.get("title"):
            continue
        n += 1
        want, got = norm(page["title"]), norm(title)
        if not got:
            continue
        exact += got == want
        same = got.casefold() == want.casefold()
        casefold += same
        lenient += same or _strip_site(got).casefold() == want.casefold()
    return {
        "exact": _ratio(exact, n),
        "casefold": _ratio(casefold, n),
        "lenient": _ratio(lenient, n),
        "pages": n,
    }


def split_authors(value: str | Sequence[str] | None) -> set[str]:
    """Author names as a casefolded set, splitting on ``,`` ``;`` ``&`` and `` and ``."""
    if not value:
        return set()
    items = [value] if isinstance(value, str) else list(value)
    names: set[str] = set()
    for item in items:
        for part in _AUTHOR_SEP.split(norm(item)):
            if part.strip():
                names.add(part.strip().casefold())
    return names


def score_author(
    pages: Sequence[dict[str, Any]], authors: Sequence[str | Sequence[str] | None]
) -> dict[str, float]:
    """Author match rate over pages with an ``author``.

    A match is a casefold-equal normalised string (lists joined with ``, ``) or an equal
    set of names after :func:`split_authors`.
    """
    n = hit = returned = 0
    for page, got in zip(pages, authors, strict=True):
        want = page.get("author")
        if not want:
            continue
        n += 1
        if not got:
            continue
        returned += 1
        want_s = norm(want if isinstance(want, str) else ", ".join(want)).casefold()
        got_s = norm(got if isinstance(got, str) else ", ".join(got)).casefold()
        hit += want_s == got_s or split_authors(want) == split_authors(got)
    return {
        "match": _ratio(hit, n),
        "coverage": _ratio(returned, n),
        "precision": _ratio(hit, returned),
        "pages": n,
    }


def score_date(pages: Sequence[dict[str, Any]], dates: Sequence[str | None]) -> dict[str, float]:
    """Publication-date scores over pages with a ``date`` (first 10 characters must match).

    A ``trafilatura_date`` (16 uncertain ``dates/`` labels) is accepted as well.
    ``accuracy`` = correct / pages, ``coverage`` = returned / pages,
    ``precision`` = correct / returned.
    """
    n = returned = correct = 0
    for page, got in zip(pages, dates, strict=True):
        if not page.get("date"):
            continue
        n += 1
        if not got:
            continue
        returned += 1
        day = str(got)[:10]
        correct += day == page["date"] or day == page.get("trafilatura_date")
    return {
        "accuracy": _ratio(correct, n),
        "coverage": _ratio(returned, n),
        "precision": _ratio(correct, returned),
        "pages": n,
    }


BULLETS_FILE = Path(__file__).resolve().parent / "annotations" / "bullets.jsonl"


def load_bullets(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The hand-made bullet annotations (``bench/annotations/bullets.jsonl``), without HTML.

    Each row: ``path`` (relative to the corpus), ``url``, ``bullets`` (expected texts in
    reading order; ``[]`` for a page whose only lists are navigation) and ``note``.
    Read the page with ``gzip.open(corpus_dir() / row["path"], "rb")``.
    """
    file = Path(path) if path else BULLETS_FILE
    if not file.exists():
        return []
    with open(file, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def bullet_match(predicted: str, expected: str) -> bool:
    """Equal after :func:`norm`, or one contains the other and the shorter is >= 80 % as long."""
    a, b = norm(predicted), norm(expected)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return short in long_ and len(short) >= 0.8 * len(long_)


def score_bullets(
    annotations: Sequence[dict[str, Any]], predicted: Sequence[Sequence[str] | None]
) -> dict[str, float]:
    """Bullet precision and recall, micro-averaged over the annotated pages.

    Each expected bullet can be matched by at most one predicted bullet (first match in
    order, see :func:`bullet_match`); order is not scored. ``None`` (a crash) predicts
    nothing. ``nav_clean`` is the share of navigation-only pages (expected ``[]``) where
    nothing was predicted.
    """
    tp = n_pred = n_exp = nav = nav_clean = 0
    page_p: list[float] = []
    page_r: list[float] = []
    for ann, got in zip(annotations, predicted, strict=True):
        page_tp = 0
        got_list = [g for g in (got or []) if norm(g)]
        expected = list(ann["bullets"])
        n_pred += len(got_list)
        n_exp += len(expected)
        if not expected:
            nav += 1
            nav_clean += not got_list
        free = [True] * len(expected)
        for g in got_list:
            for j, e in enumerate(expected):
                if free[j] and bullet_match(g, e):
                    free[j] = False
                    page_tp += 1
                    break
        tp += page_tp
        if expected:
            page_r.append(_ratio(page_tp, len(expected)))
        if got_list:
            page_p.append(_ratio(page_tp, len(got_list)))
    precision, recall = _ratio(tp, n_pred), _ratio(tp, n_exp)
    return {
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
        "nav_clean": _ratio(nav_clean, nav),
        # Per-page means (each page counts once): pages with many items weigh less here.
        "macro_precision": _ratio(sum(page_p), len(page_p)),
        "macro_recall": _ratio(sum(page_r), len(page_r)),
        "tp": tp,
        "predicted": n_pred,
        "expected": n_exp,
        "pages": len(annotations),
        "nav_pages": nav,
    }


def _main() -> None:
    """Quick score of our parser on the whole corpus (no other tools, no timing)."""
    from scraper.parser import parse

    pages = list(load_eval())
    arts: list[Any] = []
    for p in pages:
        try:
            arts.append(parse(decode(p["html"]), url=p["url"]))
        except Exception:  # a crash scores as empty output
            arts.append(None)
    print("body  ", score_body(pages, [a.body if a else None for a in arts]))
    print("title ", score_title(pages, [a.title if a else None for a in arts]))
    print("author", score_author(pages, [list(a.authors) if a else None for a in arts]))
    print("date  ", score_date(pages, [a.published if a else None for a in arts]))
    dates = list(load_dates())
    got: list[str | None] = []
    for p in dates:
        try:
            got.append(parse(decode(p["html"]), url=p["url"]).published)
        except Exception:
            got.append(None)
    print("dates/", score_date(dates, got))


if __name__ == "__main__":
    _main()
