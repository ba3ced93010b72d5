"""Bullet points: list items and pseudo-bullet paragraphs, markers removed.

Pseudo-bullets are paragraphs (or ``<br>``-separated lines of one paragraph) that start
with a bullet character followed by a space. To avoid false positives:

* distinctive symbols (``▶ • ► ■ ✓ ● …``) count on a single paragraph;
* ASCII-like dashes and asterisks (``- – — *``) count only in a run of at least two
  consecutive paragraphs (or lines) with the same marker, because a lone leading dash is
  more often a dialogue dash or an interjection than a list;
* numbering (``1.`` / ``1)``) counts only as a run of at least two consecutive numbers,
  so "1. FC Köln ..." or "3. Oktober ..." at the start of a paragraph stays a paragraph;
* a marker needs a following space: "-5 °C" or "•text" are not bullets.

Markers are removed from the body text too.
"""

from __future__ import annotations

import re

from scraper.models import Bullet
from scraper.parser.blocks import Block, collapse

STRONG_MARKERS = frozenset("▶►▸▹▷•●◦○■□▪▫◆◇✓✔✗✘☑☐➤➢➔→⇒◉※♦")
WEAK_MARKERS = frozenset("-–—*+")
_NUMBERED = re.compile(r"(\d{1,2})([.)])\s+(?=\S)")
_MIN_RUN = 2


def split_marker(text: str) -> tuple[str, str] | None:
    """Return (marker key, text without marker) when ``text`` opens with a bullet marker.

    The key identifies the marker style: the symbol itself, or ``"1."``/``"1)"`` style
    numbering encoded as ``"#.<n>"`` / ``"#)<n>"`` so runs can be checked.
    """
    text = text.lstrip()
    if len(text) < 3:
        return None
    first = text[0]
    if first in STRONG_MARKERS or first in WEAK_MARKERS:
        if not text[1].isspace():
            return None
        rest = text[1:].lstrip()
        return (first, rest) if rest else None
    if first.isdigit():
        m = _NUMBERED.match(text)
        if m:
            return f"#{m.group(2)}{m.group(1)}", text[m.end() :]
    return None


def pseudo_bullets(texts: list[str]) -> list[str | None]:
    """For consecutive paragraph texts, the marker-free text of each pseudo-bullet.

    ``None`` where the text is not a pseudo-bullet by the rules of the module docstring.
    """
    found = [split_marker(t) for t in texts]
    out: list[str | None] = [None] * len(texts)
    i = 0
    while i < len(found):
        hit = found[i]
        if hit is None:
            i += 1
            continue
        key = hit[0]
        if key in STRONG_MARKERS:
            out[i] = hit[1]
            i += 1
            continue
        j = i + 1
        if key.startswith("#"):
            num = int(key[2:])
            while (
                j < len(found)
                and (h := found[j]) is not None
                and h[0] == (f"#{key[1]}{num + (j - i)}")
            ):
                j += 1
        else:
            while j < len(found) and (h := found[j]) is not None and h[0] == key:
                j += 1
        if j - i >= _MIN_RUN:
            for k in range(i, j):
                hk = found[k]
                assert hk is not None
                out[k] = hk[1]
        i = j
    return out


def mark_pseudo_bullets(blocks: list[Block]) -> list[Block]:
    """Find pseudo-bullets among paragraph blocks; split ``<br>`` bullet lines.

    Returns a new block list: pseudo-bullet paragraphs are flagged ``bullet`` with their
    marker removed; a paragraph whose ``<br>`` lines are bullets becomes one block per
    line (a leading line without a marker stays a paragraph).
    """
    expanded: list[Block] = []
    for b in blocks:
        if b.kind == "p" and "\n" in b.raw:
            expanded.extend(_split_lines(b))
        else:
            expanded.append(b)
    # Runs are checked over consecutive paragraph blocks only.
    out: list[Block] = []
    run: list[Block] = []
    items: list[Block | None] = [*expanded, None]
    for item in items:
        if item is not None and item.kind == "p" and not item.bullet:
            run.append(item)
            continue
        if run:
            out.extend(_mark_run(run))
            run = []
        if item is not None:
            if item.kind == "li":
                _strip_li_marker(item)
            out.append(item)
    return out


def _mark_run(run: list[Block]) -> list[Block]:
    stripped = pseudo_bullets([b.text for b in run])
    for b, text in zip(run, stripped, strict=True):
        if text is not None:
            b.text = text
            b.bullet = True
            b.lead = None
    return run


def _split_lines(block: Block) -> list[Block]:
    lines = [collapse(x) for x in block.raw.split("\n")]
    lines = [x for x in lines if x]
    if len(lines) < 2:
        return [block]
    stripped = pseudo_bullets(lines)
    # The first line may be an intro ("Ingredients:"); every other line must be a bullet.
    body = stripped[1:] if stripped[0] is None else stripped
    if not body or any(s is None for s in body) or (len(body) < 2 and stripped[0] is None):
        return [block]
    out: list[Block] = []
    if stripped[0] is None:
        first = Block("p", lines[0], raw=lines[0], lead=block.lead)
        if block.lead:
            first.rest = _rest_after(lines[0], block.lead)
            if not first.rest:
                first.lead = None
        out.append(first)
    for text in body:
        assert text is not None
        out.append(Block("p", text, raw=text, bullet=True))
    return out


def _rest_after(line: str, label: str) -> str:
    if not line.startswith(label):
        return ""
    return line[len(label) :].lstrip(".:—–-| ").strip()


def _strip_li_marker(block: Block) -> None:
    """List items sometimes repeat a marker in their text ("• item"): drop it."""
    hit = split_marker(block.text)
    if hit is not None and hit[0] in STRONG_MARKERS | WEAK_MARKERS:
        block.text = hit[1]
    block.bullet = True


def collect_bullets(blocks: list[Block]) -> tuple[Bullet, ...]:
    """Bullets in reading order, each with the heading of its section (or None)."""
    section: str | None = None
    out: list[Bullet] = []
    for b in blocks:
        if b.kind == "h" and 2 <= b.level <= 4:
            section = b.text
        elif b.lead:
            section = b.lead
        if b.bullet:
            out.append(Bullet(text=b.text, section=section, depth=b.depth))
    return tuple(out)
