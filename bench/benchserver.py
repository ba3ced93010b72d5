"""A loopback news network for the crawl benchmarks: many hosts, realistic pages, latency.

Serves ``--hosts`` sites on ``127.0.0.2``, ``127.0.0.3``, ... (Linux routes all of
127.0.0.0/8 to loopback, so each address is a distinct host to a crawler), each on its
own listener at ``--port``. Every site has ``--articles / --hosts`` articles under
``/news/<section>/<yyyy>/<mm>/<slug>-<n>``, paginated listing pages ``/`` and
``/page/<k>`` (newest first, ``rel=next``), ``/robots.txt`` allowing everything, and
404 for anything else. Every answer waits ``--latency`` seconds first, in the thread of
its own connection, so concurrent requests overlap as they would against real servers.

Pages are built from templates (cookie banner, header with inline SVG logo and ~40 nav
links, inline CSS, JSON-LD, analytics and ad-config scripts, figure with ``srcset``,
in-body ads and a "read also" box, tags, share bar, related and most-read rails, a
footer, and on some hosts a ``__NEXT_DATA__``-style state blob repeating the text), so
sizes (about 50-100 KB) and compressibility are close to real news pages. Article text
is pseudo-English drawn from a Zipf-distributed vocabulary, deterministic per page.
All pages are generated and gzip-compressed before the server says it is ready, so
serving costs the benchmark machine almost no CPU. Clients that accept gzip get gzip.

Run (from the repository root)::

    python bench/benchserver.py --articles 2000 --hosts 20 --port 8800 --latency 0.05

It prints ``ready {json}`` on stdout when listening. ``GET /__stats`` on any host
returns request counts per kind as JSON (``?reset=1`` zeroes them); it is not linked
from any page. :func:`start_server` runs it as a child process for other scripts, and
:class:`SiteGen` / :func:`article_record` give the same pages and their expected
records to in-process benchmarks (parse rate, archive writes).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_PORT = 8800
DEFAULT_HOSTS = 20
DEFAULT_ARTICLES = 2000
DEFAULT_LATENCY = 0.05
PER_PAGE = 20  # teasers per listing page
EPOCH = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # newest article; older ones every few hours

SECTIONS = ("politics", "world", "business", "economy", "technology", "science", "health",
            "sport", "culture", "opinion", "local", "environment")  # fmt: skip

# The most frequent English words, in rough frequency order; rarer words are made up.
_COMMON_TEXT = (
    "the of and to a in that is was he for it with as his on be at by i this had not are but "
    "from or have an they which one you were her all she there would their we him been has "
    "when who will more no if out so said what up its about into than them can only other "
    "new some could time these two may then do first any my now such like our over man me "
    "even most made after also did many before must through back years where much your way "
    "well down should because each just those people how too little state good very make "
    "world still own see men work long get here between both life being under never day same "
    "another know while last might us great old year off come since against go came right "
    "used take three government city council police minister report week month officials "
    "president company market election public court health school water plan million percent "
    "according spokesman told statement region members program national local budget vote"
)
COMMON = _COMMON_TEXT.split()
_ONSET_TEXT = "b br c ch cl d dr f fl g gr h j k l m n p pl pr r s sh st t tr v w z"
_ONSETS = [*_ONSET_TEXT.split(), ""]
_NUCLEI = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "y")
_CODAS = ("", "", "n", "r", "s", "t", "l", "nd", "st", "rt", "ng", "m", "ck", "x")


def _vocabulary(size: int = 24_000) -> tuple[list[str], list[float]]:
    """Common words first, then made-up ones; Zipf weights (s = 1.05) by rank."""
    rng = random.Random(1)
    words = list(COMMON)
    seen = set(words)
    while len(words) < size:
        syllables = rng.choice((1, 2, 2, 2, 3, 3, 4))
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS) for _ in range(syllables)
        )
        if 2 <= len(word) <= 14 and word not in seen:
            seen.add(word)
            words.append(word)
    cum: list[float] = []
    total = 0.0
    for rank in range(1, size + 1):
        total += 1.0 / rank**1.05
        cum.append(total)
    return words, cum


VOCAB, VOCAB_CUM = _vocabulary()
_TABLE_BITS = 20


def _sampling_table() -> list[str]:
    """2**20 slots, each word filling a share of them equal to its probability, so a
    draw is one random 20-bit index (much faster than weighted ``random.choices``)."""
    size, total = 1 << _TABLE_BITS, VOCAB_CUM[-1]
    table: list[str] = []
    for word, cum in zip(VOCAB, VOCAB_CUM, strict=True):
        table.extend([word] * (round(cum / total * size) - len(table)))
    return table


_TABLE = _sampling_table()
NAMES = ("Maria Keller", "John Okafor", "Ana Lima", "Piotr Nowak", "Sara Lindqvist",
         "Ahmed Haddad", "Emily Chen", "Lucas Moreau", "Keiko Tanaka", "David Rossi",
         "Olga Petrova", "Tom Becker", "Fatima Zahra", "Liam Murphy", "Chloe Dubois")  # fmt: skip


@dataclass(frozen=True)
class Headline:
    """What a teaser or link to an article shows."""

    host: int
    n: int
    url: str
    title: str
    section: str
    published: str
    image: str
    dek: str


@dataclass(frozen=True)
class ArticleSpec:
    """What a generated article says; the page shows it, :func:`article_record` stores it."""

    host: int
    n: int
    url: str
    title: str
    summary: str
    section: str
    authors: tuple[str, ...]
    published: str
    tags: tuple[str, ...]
    image: str
    blocks: tuple[tuple[str, Any], ...]  # ("p", text) | ("h2", text) | ("ul", (items...))


class SiteGen:
    """Deterministic pages of a network of ``hosts`` sites with ``per_host`` articles each.

    ``base(i)`` is the site's root URL; by default ``http://127.0.0.{2+i}:{port}``.
    """

    def __init__(self, per_host: int, hosts: int = DEFAULT_HOSTS, port: int = DEFAULT_PORT,
                 base_urls: list[str] | None = None) -> None:  # fmt: skip
        self.per_host = per_host
        self.hosts = hosts
        self.bases = base_urls or [f"http://127.0.0.{2 + i}:{port}" for i in range(hosts)]
        self._chrome = [_HostChrome(i, self.bases[i]) for i in range(hosts)]
        self._heads: dict[tuple[int, int], Headline] = {}

    def base(self, host: int) -> str:
        return self.bases[host]

    def pages_per_host(self) -> int:
        return max(1, -(-self.per_host // PER_PAGE))

    # -- article ------------------------------------------------------------------------
    def headline(self, host: int, n: int) -> Headline:
        """Title, URL, date and teaser of article ``n`` of site ``host`` (n = 0 is the
        newest); cached, because every page shows 16 other headlines."""
        cached = self._heads.get((host, n))
        if cached is not None:
            return cached
        if len(self._heads) > 200_000:
            self._heads.clear()
        rng = random.Random(host * 1_000_003 + n)
        section = SECTIONS[rng.randrange(len(SECTIONS))]
        published = EPOCH - timedelta(hours=n * 7 + host, minutes=rng.randrange(60))
        title = _sentence(rng, rng.randint(6, 13), end="")
        slug = "-".join(w.lower() for w in title.split()[:7])
        url = f"{self.bases[host]}/news/{section}/{published:%Y/%m}/{slug}-{n}"
        image = f"{self.bases[host]}/media/{_hex(rng, 16)}/{slug[:40]}.jpg"
        dek = _sentence(rng, rng.randint(12, 24))
        head = Headline(host, n, url, title, section,
                        published.isoformat(timespec="seconds"), image, dek)  # fmt: skip
        self._heads[(host, n)] = head
        return head

    def spec(self, host: int, n: int) -> ArticleSpec:
        """The whole article ``n`` of site ``host``."""
        head = self.headline(host, n)
        rng = random.Random(host * 2_000_029 + n)
        blocks: list[tuple[str, Any]] = []
        n_paras = rng.randint(7, 22)
        heads = set(rng.sample(range(3, n_paras), k=min(rng.randint(0, 3), n_paras - 3)))
        list_at = rng.randrange(2, n_paras) if rng.random() < 0.45 else -1
        for i in range(n_paras):
            if i in heads:
                blocks.append(("h2", _sentence(rng, rng.randint(3, 7), end="")))
            blocks.append(("p", _paragraph(rng)))
            if i == list_at:
                items = tuple(_sentence(rng, rng.randint(5, 16))
                              for _ in range(rng.randint(3, 7)))  # fmt: skip
                blocks.append(("ul", items))
        first = blocks[0][1]
        summary = first if len(first) <= 200 else first[:200].rsplit(" ", 1)[0] + "…"
        authors = tuple(rng.sample(NAMES, k=rng.choice((1, 1, 1, 2))))
        tags = tuple(dict.fromkeys(w.capitalize() for w in _words(rng, rng.randint(2, 6))
                                   if len(w) > 3))  # fmt: skip
        return ArticleSpec(host, n, head.url, head.title, summary, head.section, authors,
                           head.published, tags, head.image, tuple(blocks))  # fmt: skip

    def article_path(self, host: int, n: int) -> str:
        return urlsplit(self.headline(host, n).url).path

    def article_html(self, host: int, n: int) -> bytes:
        return self.render(self.spec(host, n))

    def render(self, spec: ArticleSpec) -> bytes:
        """The page of an article (also for specs made outside this site's numbering)."""
        host, n = spec.host, spec.n
        rng = random.Random(host * 7_919 + n * 104_729)
        per_host = max(self.per_host, 1)
        related = [self.headline(host, (n + k * 13 + 1) % per_host) for k in range(6)]
        most_read = [self.headline(host, (n * 3 + k * 29 + 5) % per_host) for k in range(10)]
        return self._chrome[host].article(spec, related, most_read, rng).encode("utf-8")

    # -- listing and robots ---------------------------------------------------------------
    def listing_html(self, host: int, page: int) -> bytes | None:
        """Listing page ``page`` (1-based) of site ``host``; None past the last one."""
        pages = self.pages_per_host()
        if not 1 <= page <= pages:
            return None
        first = (page - 1) * PER_PAGE
        specs = [self.headline(host, n)
                 for n in range(first, min(first + PER_PAGE, self.per_host))]  # fmt: skip
        nxt = f"/page/{page + 1}" if page < pages else None
        rng = random.Random(host * 31 + page)
        return self._chrome[host].listing(specs, page, nxt, rng).encode("utf-8")

    @staticmethod
    def robots() -> bytes:
        return b"# bench site\nUser-agent: *\nAllow: /\n"

    def all_paths(self, host: int) -> Iterator[tuple[str, str]]:
        """Every (path, kind) the site serves."""
        yield "/robots.txt", "robots"
        yield "/", "listing"
        for page in range(2, self.pages_per_host() + 1):
            yield f"/page/{page}", "listing"
        for n in range(self.per_host):
            yield self.article_path(host, n), "article"


def article_record(spec: ArticleSpec) -> Any:
    """The record our parser is expected to give for the page (TEAM.md conventions)."""
    from scraper.models import Article, Bullet, Section

    body: list[str] = []
    sections: list[Section] = []
    bullets: list[Bullet] = []
    heading: str | None = None
    current: list[str] = []
    for kind, value in spec.blocks:
        if kind == "h2":
            if heading is not None:
                sections.append(Section(heading, "\n\n".join(current)))
            heading, current = value, []
            body.append(value)
            continue
        texts = list(value) if kind == "ul" else [value]
        if kind == "ul":
            bullets.extend(Bullet(t, heading, 0) for t in texts)
        body.extend(texts)
        current.extend(texts)
    if heading is not None:
        sections.append(Section(heading, "\n\n".join(current)))
    text = "\n\n".join(body)
    site = urlsplit(spec.url).hostname or ""
    return Article(
        url=spec.url, canonical_url=spec.url, site=site.removeprefix("www."), title=spec.title,
        published=spec.published, modified=None, authors=spec.authors, language="en",
        summary=spec.summary, body=text, sections=tuple(sections), bullets=tuple(bullets),
        tags=spec.tags, image=spec.image, word_count=len(text.split()), kind="article",
    )  # fmt: skip


# -- text -----------------------------------------------------------------------------------


def _words(rng: random.Random, k: int) -> list[str]:
    mask, table = (1 << _TABLE_BITS) - 1, _TABLE
    return [table[i & mask] for i in memoryview(rng.randbytes(4 * k)).cast("I")]


def _sentence(rng: random.Random, k: int, end: str = ".") -> str:
    words = _words(rng, k)
    # A few proper nouns and numbers, as news text has.
    for _ in range(k // 6):
        i = rng.randrange(k)
        words[i] = words[i].capitalize() if rng.random() < 0.7 else str(rng.randint(2, 2026))
    text = " ".join(words)
    return text[0].upper() + text[1:] + end


def _paragraph(rng: random.Random) -> str:
    sentences = [_sentence(rng, rng.randint(8, 28)) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.15:
        sentences.append(f"“{_sentence(rng, rng.randint(6, 18))}” said {rng.choice(NAMES)}.")
    return " ".join(sentences)


def _hex(rng: random.Random, n: int) -> str:
    return format(rng.getrandbits(4 * n), f"0{n}x")


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


# -- templates --------------------------------------------------------------------------------


class _HostChrome:
    """The parts of a site that every page shares (built once per host)."""

    def __init__(self, host: int, base: str) -> None:
        rng = random.Random(10_000 + host)
        self.base = base
        self.host = host
        self.name = " ".join(w.capitalize() for w in _words(rng, 2)) + rng.choice(
            (" Times", " Herald", " Gazette", " Post", " Daily", " Courier", " Tribune")
        )
        self.next_data = host % 3 != 0  # two hosts in three render with a JS state blob
        self.prefix = rng.choice(("c", "css", "sc", "tw", "m"))
        cls = [f"{self.prefix}-{_hex(rng, 6)}" for _ in range(200)]
        self.cls = cls
        rules = []
        for name in cls:
            props = rng.sample(_CSS_PROPS, k=rng.randint(2, 7))
            body = ";".join(f"{p}:{rng.choice(v)}" for p, v in props)
            rules.append(f".{name}{{{body}}}")
            if rng.random() < 0.3:
                rules.append(f"@media (min-width:{rng.choice((640, 768, 1024, 1280))}px)"
                             f"{{.{name}{{{body}}}}}")  # fmt: skip
        self.css = "".join(rules)
        self.svg = _svg(rng)
        nav_words = [w.capitalize() for w in _words(rng, 60) if len(w) > 2][:36]
        self.nav = "".join(
            f'<li class="{cls[1]}"><a class="{cls[2]}" href="/section/{w.lower()}">{w}</a></li>'
            for w in dict.fromkeys(list(SECTIONS) + nav_words)
        )
        cols = []
        for c in range(5):
            links = "".join(
                f'<li><a href="/{w.lower()}/{_hex(rng, 4)}">{w.capitalize()}</a></li>'
                for w in _words(rng, 10)
            )
            cols.append(f'<div class="{cls[10 + c]}"><h4>{_sentence(rng, 2, "")}</h4>'
                        f"<ul>{links}</ul></div>")  # fmt: skip
        self.footer = "".join(cols)
        ads = {f"slot_{k}": {"id": f"/{rng.randint(10**6, 10**7)}/{_hex(rng, 8)}",
                             "sizes": [[300, 250], [728, 90], [970, 250]][: rng.randint(1, 3)],
                             "targeting": {w: _hex(rng, 6) for w in _words(rng, 4)}}
               for k in range(18)}  # fmt: skip
        self.ad_config = json.dumps({"site": self.name, "slots": ads, "lazy": True,
                                     "consent": {"vendors": [rng.randint(1, 999)
                                                             for _ in range(120)]}})  # fmt: skip
        self.scripts = "".join(
            f'<script src="/static/js/{n}.{_hex(rng, 12)}.js" defer></script>'
            for n in ("runtime", "vendor", "main", "article", "comments", "consent", "ads")
        )
        self.fonts = "".join(
            f'<link rel="preload" as="font" crossorigin href="/static/fonts/{n}.{_hex(rng, 10)}'
            '.woff2">'
            for n in ("serif-regular", "serif-bold", "sans-regular", "sans-bold")
        )
        self.css_href = f"/static/css/main.{_hex(rng, 12)}.css"

    def _head(self, title: str, extra: str) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_esc(title)}</title>{extra}{self.fonts}"
            f'<link rel="stylesheet" href="{self.css_href}"><style>{self.css}</style>'
            f"<script>window.adConfig={self.ad_config};</script></head>"
        )

    def _top(self, rng: random.Random) -> str:
        c = self.cls
        return (
            f'<div class="cookie-banner {c[20]}" role="dialog"><p>We and our '
            f"{rng.randint(100, 900)} partners use cookies to personalise content and ads, "
            "to provide social media features and to analyse our traffic.</p>"
            '<button class="accept">Accept all</button><button>Manage choices</button></div>'
            f'<header class="site-header {c[0]}"><a class="logo" href="/" aria-label="{self.name}">'
            f'{self.svg}</a><nav class="{c[3]}" aria-label="Sections"><ul>{self.nav}</ul></nav>'
            f'<form class="{c[4]}" action="/search"><input name="q" placeholder="Search">'
            '</form><a class="subscribe" href="/subscribe">Subscribe</a></header>'
        )

    def _bottom(self) -> str:
        return (
            f'<footer class="{self.cls[9]}">{self.footer}<p class="copyright">© 2026 '
            f"{self.name}. All rights reserved.</p></footer>{self.scripts}</body></html>"
        )

    def _teaser(self, spec: Headline, rng: random.Random, tag: str = "h3") -> str:
        c = self.cls
        return (
            f'<div class="{c[30]} teaser"><a href="{urlsplit(spec.url).path}"><img '
            f'src="{spec.image}?w=320" alt="" width="320" height="180" loading="lazy"></a>'
            f'<{tag} class="{c[31]}"><a href="{urlsplit(spec.url).path}">{_esc(spec.title)}'
            f'</a></{tag}><p class="{c[32]}">{_esc(spec.dek)}</p>'
            f'<span class="{c[33]}">{spec.published[:10]}</span></div>'
        )

    def article(self, spec: ArticleSpec, related: list[Headline], most_read: list[Headline],
                rng: random.Random) -> str:  # fmt: skip
        c = self.cls
        jsonld = json.dumps({
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": spec.title,
            "description": spec.summary, "datePublished": spec.published,
            "author": [{"@type": "Person", "name": a} for a in spec.authors],
            "image": [spec.image], "mainEntityOfPage": spec.url, "articleSection": spec.section,
            "publisher": {"@type": "Organization", "name": self.name,
                          "logo": {"@type": "ImageObject", "url": f"{self.base}/logo.png"}},
        }, ensure_ascii=False)  # fmt: skip
        meta = (
            f'<meta name="description" content="{_esc(spec.summary)}">'
            f'<link rel="canonical" href="{spec.url}">'
            '<meta property="og:type" content="article">'
            f'<meta property="og:title" content="{_esc(spec.title)}">'
            f'<meta property="og:description" content="{_esc(spec.summary)}">'
            f'<meta property="og:url" content="{spec.url}">'
            f'<meta property="og:image" content="{spec.image}">'
            f'<meta property="og:site_name" content="{_esc(self.name)}">'
            f'<meta property="article:published_time" content="{spec.published}">'
            f'<meta property="article:section" content="{spec.section}">'
            + "".join(f'<meta property="article:tag" content="{_esc(t)}">' for t in spec.tags)
            + '<meta name="twitter:card" content="summary_large_image">'
            f'<script type="application/ld+json">{jsonld}</script>'
            f'<script>window.dataLayer=[{{"pageId":"{_hex(rng, 24)}","section":'
            f'"{spec.section}","words":{sum(len(str(v).split()) for _, v in spec.blocks)},'
            f'"authors":{json.dumps(list(spec.authors))},"ab":"{_hex(rng, 8)}"}}];</script>'
        )
        body: list[str] = []
        for i, (kind, value) in enumerate(spec.blocks):
            if kind == "p":
                body.append(f"<p>{_esc(value)}</p>")
            elif kind == "h2":
                body.append(f"<h2>{_esc(value)}</h2>")
            else:
                body.append("<ul>" + "".join(f"<li>{_esc(t)}</li>" for t in value) + "</ul>")
            if i == 3:
                body.append(f'<div class="ad {c[40]}" id="ad-{_hex(rng, 6)}" data-slot="slot_2">'
                            "<span>Advertisement</span></div>")  # fmt: skip
            if i == 6 and related:
                r = related[0]
                link = f'<a href="{urlsplit(r.url).path}">{_esc(r.title)}</a>'
                body.append(f'<aside class="read-also {c[41]}"><strong>Read also:</strong> '
                            f"{link}</aside>")  # fmt: skip
        srcset = ", ".join(f"{spec.image}?w={w}&sig={_hex(rng, 20)} {w}w"
                           for w in (480, 768, 1024, 1600))  # fmt: skip
        byline = " and ".join(
            f'<a rel="author" href="/author/{a.lower().replace(" ", "-")}">{a}</a>'
            for a in spec.authors
        )
        tags = "".join(f'<li><a href="/tag/{t.lower()}">{_esc(t)}</a></li>' for t in spec.tags)
        share = "".join(
            f'<a class="{c[50]}" href="https://{s}/share?u={spec.url}" rel="nofollow">{s}</a>'
            for s in ("facebook.example", "x.example", "linkedin.example", "mail.example")
        )
        related_html = "".join(self._teaser(r, rng) for r in related)
        most = "".join(
            f'<li><a href="{urlsplit(m.url).path}">{_esc(m.title)}</a></li>' for m in most_read
        )
        state = ""
        if self.next_data:
            state_obj = {"props": {"pageProps": {
                "article": {"id": _hex(rng, 24), "url": spec.url, "title": spec.title,
                            "authors": list(spec.authors), "published": spec.published,
                            "content": [{"type": k, "value": v} for k, v in spec.blocks]},
                "related": [{"title": r.title, "url": r.url, "image": r.image} for r in related],
                "mostRead": [{"title": m.title, "url": m.url} for m in most_read],
            }}, "buildId": _hex(rng, 20), "page": "/news/[section]/[slug]"}  # fmt: skip
            state = (f'<script id="__NEXT_DATA__" type="application/json">'
                     f"{json.dumps(state_obj, ensure_ascii=False)}</script>")  # fmt: skip
        return (
            self._head(f"{spec.title} | {self.name}", meta)
            + f'<body class="article-page {c[5]}">{self._top(rng)}'
            f'<nav class="breadcrumb {c[6]}"><a href="/">Home</a> › '
            f'<a href="/section/{spec.section}">{spec.section.capitalize()}</a></nav>'
            f'<main class="{c[7]}"><article class="post {c[8]}" data-id="{spec.n}">'
            f'<header class="{c[12]}"><h1 class="{c[13]}">{_esc(spec.title)}</h1>'
            f'<div class="byline {c[14]}">By {byline}</div>'
            f'<time class="{c[15]}" datetime="{spec.published}">{spec.published[:10]}</time>'
            f'</header><figure class="{c[16]}"><img src="{spec.image}" srcset="{srcset}" '
            f'sizes="(max-width: 768px) 100vw, 768px" alt="{_esc(spec.title[:60])}">'
            f"<figcaption>{_esc(_sentence(rng, 10))} Photo: {rng.choice(NAMES)}</figcaption>"
            f'</figure><div class="article-body {c[17]}">{"".join(body)}</div>'
            f'<ul class="tags {c[18]}">{tags}</ul><div class="share {c[19]}">{share}</div>'
            f'</article><aside class="related {c[21]}"><h2>Related</h2>{related_html}</aside>'
            f'<aside class="most-read {c[22]}"><h2>Most read</h2><ol>{most}</ol></aside>'
            f"</main>{state}{self._bottom()}"
        )

    def listing(self, specs: list[Headline], page: int, nxt: str | None,
                rng: random.Random) -> str:  # fmt: skip
        extra = f'<link rel="next" href="{nxt}">' if nxt else ""
        teasers = "".join(self._teaser(s, rng, "h2") for s in specs)
        more = f'<a class="next" href="{nxt}">Older stories</a>' if nxt else ""
        return (
            self._head(f"{self.name} — latest news, page {page}", extra)
            + f'<body class="front {self.cls[5]}">{self._top(rng)}'
            f'<main class="listing {self.cls[7]}"><h1>Latest news</h1>{teasers}'
            f'<div class="pagination">{more}</div></main>{self._bottom()}'
        )


_CSS_PROPS = [
    ("display", ("block", "flex", "grid", "inline-block", "none")),
    ("margin", ("0", "0 auto", "8px 0", "16px 0 24px", "0 12px")),
    ("padding", ("0", "4px 8px", "12px", "16px 24px", "0 16px")),
    ("font-size", ("12px", "14px", "1rem", "1.125rem", "1.5rem", "2.25rem")),
    ("line-height", ("1.2", "1.4", "1.5", "1.65")),
    ("color", ("#111", "#222", "#555", "#767676", "#c00", "#0a58ca", "rgba(0,0,0,.72)")),
    ("background", ("#fff", "#f5f5f5", "transparent", "#0b1f33", "linear-gradient(#fff,#eee)")),
    ("font-family", ("Georgia,serif", "'Source Sans',Arial,sans-serif", "inherit")),
    ("border-bottom", ("1px solid #ddd", "2px solid #111", "0")),
    ("grid-template-columns", ("repeat(3,1fr)", "2fr 1fr", "repeat(auto-fill,minmax(240px,1fr))")),
    ("position", ("relative", "absolute", "sticky")),
    ("z-index", ("1", "10", "100", "9999")),
    ("transition", ("opacity .2s ease", "transform .3s cubic-bezier(.2,.8,.2,1)")),
    ("max-width", ("100%", "680px", "1200px", "calc(100% - 32px)")),
    ("text-transform", ("uppercase", "none")),
    ("letter-spacing", (".02em", ".08em", "0")),
]


def _svg(rng: random.Random) -> str:
    points = " ".join(f"{rng.uniform(0, 200):.2f},{rng.uniform(0, 40):.2f}" for _ in range(220))
    return (f'<svg viewBox="0 0 200 40" width="200" height="40"><path d="M{points}Z" '
            'fill="currentColor"/></svg>')  # fmt: skip


# -- server -----------------------------------------------------------------------------------


@dataclass
class _Site:
    host: int
    pages: dict[str, tuple[bytes, bytes, str]]  # path -> (gzip body, etag, content type)


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "benchserver/1"
    site: _Site
    latency: float
    state: _State

    def setup(self) -> None:
        super().setup()
        # Headers and body are two writes: without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/__stats":
            with self.state.lock:
                data = json.dumps(dict(self.state.counts)).encode()
                if "reset" in parse_qs(parts.query):
                    self.state.counts.clear()
            self._send(200, data, "application/json", gz=False)
            return
        time.sleep(self.latency)
        entry = self.site.pages.get(parts.path)
        kind = _kind(parts.path) if entry is not None else "missing"
        with self.state.lock:
            self.state.counts[kind] += 1
            self.state.counts["requests"] += 1
        if entry is None:
            self._send(404, b"<html><body><h1>Not found</h1></body></html>", "text/html", gz=False)
            return
        body, etag, ctype = entry
        self._send(200, body, ctype, gz=True, etag=etag)

    def _send(self, status: int, body: bytes, ctype: str, *, gz: bool,
              etag: bytes | None = None) -> None:  # fmt: skip
        accepts_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "")
        if gz and not accepts_gzip:
            body, gz = gzip.decompress(body), False
        self.send_response(status)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if gz:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        if etag:
            self.send_header("ETag", etag.decode())
            self.send_header("Last-Modified", "Fri, 20 Nov 2026 18:00:00 GMT")
        self.send_header("Cache-Control", "max-age=60")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _kind(path: str) -> str:
    if path == "/robots.txt":
        return "robots"
    if path == "/" or path.startswith("/page/"):
        return "listing"
    return "article"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients closing idle keep-alive connections (a reset) are normal here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def build_sites(gen: SiteGen) -> list[_Site]:
    """Every page of every host, gzip-compressed once (level 6, as web servers do)."""
    sites = []
    for host in range(gen.hosts):
        pages: dict[str, tuple[bytes, bytes, str]] = {}
        for path, kind in gen.all_paths(host):
            if kind == "robots":
                raw, ctype = gen.robots(), "text/plain"
            elif kind == "listing":
                page = 1 if path == "/" else int(path.rsplit("/", 1)[1])
                raw, ctype = gen.listing_html(host, page) or b"", "text/html"
            else:
                n = int(path.rsplit("-", 1)[1])
                raw, ctype = gen.article_html(host, n), "text/html"
            etag = b'"' + hashlib.blake2b(raw, digest_size=8).hexdigest().encode() + b'"'
            pages[path] = (gzip.compress(raw, 6, mtime=0), etag, ctype)
        sites.append(_Site(host, pages))
    return sites


def serve(articles: int, hosts: int, port: int, latency: float) -> None:
    """Build the pages, listen on every host and serve until killed."""
    started = time.monotonic()
    gen = SiteGen(-(-articles // hosts), hosts, port)
    sites = build_sites(gen)
    state = _State()
    servers = []
    for site in sites:
        handler = type("Handler", (_Handler,), {"site": site, "latency": latency,
                                                "state": state})  # fmt: skip
        server = _Server((f"127.0.0.{2 + site.host}", port), handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    raw_total = sum(len(gzip.decompress(b)) for s in sites for b, _, _ in s.pages.values())
    pages = sum(len(s.pages) for s in sites)
    info = {"hosts": hosts, "articles": gen.per_host * hosts, "port": port,
            "latency": latency, "bases": gen.bases, "build_s": round(time.monotonic() - started, 1),
            "mean_page_kb": round(raw_total / pages / 1024, 1)}  # fmt: skip
    print("ready " + json.dumps(info), flush=True)
    with suppress(KeyboardInterrupt):
        threading.Event().wait()


@contextmanager
def start_server(articles: int = DEFAULT_ARTICLES, hosts: int = DEFAULT_HOSTS,
                 port: int = DEFAULT_PORT, latency: float = DEFAULT_LATENCY,
                 ) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:  # fmt: skip
    """Run the server in a child process; yields (process, ready info)."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--articles", str(articles),
         "--hosts", str(hosts), "--port", str(port), "--latency", str(latency)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("ready "):
            raise RuntimeError(f"bench server did not start (exit {proc.poll()}): {line!r}")
        yield proc, json.loads(line[6:])
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_stats(base: str, *, reset: bool = False) -> dict[str, int]:
    """Request counts since the last reset (all hosts together)."""
    import urllib.request

    url = f"{base}/__stats" + ("?reset=1" if reset else "")
    with urllib.request.urlopen(url, timeout=10) as resp:
        return dict(json.loads(resp.read()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, help="in total")
    ap.add_argument("--hosts", type=int, default=DEFAULT_HOSTS)
    ap.add_argument("--port", type=int, default=DEFAULT_PORT)
    ap.add_argument("--latency", type=float, default=DEFAULT_LATENCY, help="seconds")
    ap.add_argument("--sample", metavar="DIR", help="write host 0's first pages here and exit")
    args = ap.parse_args()
    if args.sample:
        gen = SiteGen(-(-args.articles // args.hosts), args.hosts, args.port)
        out = Path(args.sample)
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_bytes(gen.listing_html(0, 1) or b"")
        for n in range(3):
            (out / f"article-{n}.html").write_bytes(gen.article_html(0, n))
        print(f"wrote {out}/index.html and article-0..2.html")
        return
    serve(args.articles, args.hosts, args.port, args.latency)


if __name__ == "__main__":
    main()
