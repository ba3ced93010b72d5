"""Turn the chosen body elements into a flat list of text blocks in reading order.

A block is what the record's ``body`` joins with blank lines: a paragraph, a heading, a
list item, a quote paragraph, a table row (cells joined by `` | ``) or a pre block.
Inline markup is flattened; ``<br>`` is kept as a line break (``raw``) so that the bullet
stage can split ``<br>``-separated pseudo-bullet lines, and a double ``<br>`` ends a
paragraph. A paragraph that opens with a short bold phrase records it as ``lead`` (a
possible bold lead-in section heading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

_BLOCK_TAG_NAMES = """p div section article main header footer aside nav h1 h2 h3 h4 h5 h6
ul ol li dl dt dd blockquote pre table thead tbody tfoot tr td th caption figure figcaption
form center details summary address hr fieldset legend body html"""
BLOCK_TAGS = frozenset(_BLOCK_TAG_NAMES.split())
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BOLD = frozenset({"strong", "b"})
# Not reading text: images, and ruby annotations (the reading aid printed above
# East Asian characters, with its fallback parentheses), which would otherwise be
# spliced into the middle of the words they annotate.
_SKIP_INLINE = frozenset({"img", "rt", "rp"})
_WS = re.compile(r"\s+")
_PARA_BREAK = re.compile(r"\n[ \t\r\f\v\xa0]*\n")
# Bold lead-in: short label; punctuation ends it or starts the text after it.
_LEAD_END = (".", ":", "—", "–", "-", "|")
_LEAD_MAX_WORDS = 6
_LEAD_MAX_CHARS = 60
_MAX_DEPTH = 300
_LAYOUT_CELL_CHARS = 600


@dataclass(slots=True)
class Block:
    """One unit of body text. ``raw`` keeps ``<br>`` line breaks as ``\\n``."""

    kind: str  # "p" | "h" | "li" | "quote" | "row" | "pre"
    text: str
    raw: str = ""
    level: int = 0  # heading level (1-6)
    depth: int = 0  # list nesting depth of an "li"
    lead: str | None = None  # bold lead-in label, punctuation stripped
    rest: str = ""  # paragraph text after the lead-in label
    bullet: bool = False  # list item or pseudo-bullet
    links: int = 0  # number of links in the block
    link_chars: int = 0  # characters of link text (whitespace included)


def collapse(text: str) -> str:
    """Whitespace runs (NBSP and other Unicode spaces too) become one space.

    Soft hyphens (``&shy;``) are dropped: they are only line-break hints, and left in
    they split words for search and for anyone comparing the text.
    """
    if "\xad" in text:
        text = text.replace("\xad", "")
    return _WS.sub(" ", text).strip()


class _Writer:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.bold_start: int = -1  # index in buf where an opening bold began
        self.bold_text: str | None = None
        self.links = 0
        self.link_chars = 0

    def add(self, text: str | None) -> None:
        if text:
            self.buf.append(text)

    def empty(self) -> bool:
        return not "".join(self.buf).strip()

    def flush(self, kind: str, level: int, depth: int) -> None:
        raw = "".join(self.buf)
        lead = self.bold_text
        links, link_chars = self.links, self.link_chars
        self.buf = []
        self.bold_text = None
        self.bold_start = -1
        self.links = self.link_chars = 0
        if not raw.strip():
            return
        pieces = _PARA_BREAK.split(raw) if kind in ("p", "quote") else [raw]
        pieces = [p for p in pieces if p.strip()]
        if len(pieces) > 1:
            links = link_chars = 0  # unknown per piece; not a link row
        for i, piece in enumerate(pieces):
            text = collapse(piece)
            if not text:
                continue
            block = Block(
                kind,
                text,
                raw=piece.strip(),
                level=level,
                depth=depth,
                links=links,
                link_chars=link_chars,
            )
            if i == 0 and lead and kind in ("p", "quote"):
                _set_lead(block, lead)
            self.blocks.append(block)


def _set_lead(block: Block, bold: str) -> None:
    """Record a bold lead-in if the opening bold phrase is short and text follows."""
    label = collapse(bold)
    if not label or len(label) > _LEAD_MAX_CHARS or len(label.split()) > _LEAD_MAX_WORDS:
        return
    if not block.text.startswith(label):
        return
    rest = block.text[len(label) :].lstrip()
    if label.endswith(_LEAD_END):
        heading = label.rstrip("".join(_LEAD_END) + " ")
    elif rest[:1] in _LEAD_END:
        heading = label
        rest = rest[1:].lstrip()
    else:
        return
    if not heading or len(rest) < 2 or not any(c.isalpha() for c in heading):
        return
    block.lead = heading
    block.rest = rest


def to_blocks(roots: list[etree._Element]) -> list[Block]:
    """Flatten ``roots`` (siblings of the main content, in order) into blocks."""
    w = _Writer()
    for root in roots:
        _walk(root, w, "p", 0, 0, 0, top=True)
        w.flush("p", 0, 0)
    return w.blocks


def _walk(
    el: etree._Element,
    w: _Writer,
    kind: str,
    level: int,
    depth: int,
    lists: int,
    top: bool = False,
    nest: int = 0,
) -> None:
    tag = el.tag
    if not isinstance(tag, str):  # comment or processing instruction
        if not top:
            w.add(el.tail)
        return
    if nest > _MAX_DEPTH:
        w.add("".join(el.itertext()))
        if not top:
            w.add(el.tail)
        return
    if tag not in BLOCK_TAGS:
        _inline(el, w, kind, level, depth, lists, nest)
        if not top:
            w.add(el.tail)
        return
    w.flush(kind, level, depth)
    if tag == "pre":
        text = _pre_text(el)
        if text.strip():
            w.blocks.append(Block("pre", collapse(text), raw=text.strip()))
    elif tag == "table":
        _table(el, w, lists, nest)
    elif tag == "hr":
        pass
    else:
        nkind, nlevel, ndepth, nlists = kind, level, depth, lists
        if tag in HEADINGS:
            nkind, nlevel = "h", HEADINGS[tag]
        elif tag in ("ul", "ol"):
            nlists = lists + 1
        elif tag == "li":
            nkind, ndepth = "li", max(lists - 1, 0)
        elif tag == "blockquote":
            nkind = "quote"
        elif kind not in ("li", "quote", "h"):
            nkind = "p"
        w.add(el.text)
        for child in el:
            _walk(child, w, nkind, nlevel, ndepth, nlists, nest=nest + 1)
        w.flush(nkind, nlevel, ndepth)
    if not top:
        w.add(el.tail)


def _inline(
    el: etree._Element, w: _Writer, kind: str, level: int, depth: int, lists: int, nest: int
) -> None:
    tag = el.tag
    if tag == "br":
        w.buf.append("\n")
        return
    if tag in _SKIP_INLINE:
        return
    bold = tag in _BOLD and w.bold_start < 0 and w.bold_text is None and w.empty()
    if bold:
        w.bold_start = len(w.buf)
    start = len(w.buf)
    w.add(el.text)
    for child in el:
        _walk(child, w, kind, level, depth, lists, nest=nest + 1)
    if tag == "a":
        w.links += 1
        w.link_chars += sum(len(x) for x in w.buf[start:])
    if bold and w.bold_start >= 0:
        w.bold_text = "".join(w.buf[w.bold_start :])
        w.bold_start = -1


def _pre_text(el: etree._Element) -> str:
    """Text of a ``<pre>`` with ``<br>`` as a line break (itertext drops it)."""
    parts: list[str] = []
    _pre_parts(el, parts)
    return "".join(parts)


def _pre_parts(el: etree._Element, parts: list[str]) -> None:
    parts.append(el.text or "")
    for child in el:
        if child.tag == "br":
            parts.append("\n")
        elif isinstance(child.tag, str):
            _pre_parts(child, parts)
        parts.append(child.tail or "")


def _table(table: etree._Element, w: _Writer, lists: int, nest: int) -> None:
    """A data table becomes one block per row; a layout table is walked like a div."""
    rows = [r for r in table.iter("tr") if _owner(r) is table]
    if _is_layout(table, rows):
        w.add(table.text)
        for child in table:
            _walk(child, w, "p", 0, 0, lists, nest=nest + 1)
        w.flush("p", 0, 0)
        return
    for row in rows:
        cells = [collapse("".join(c.itertext())) for c in row if c.tag in ("td", "th")]
        text = " | ".join(c for c in cells if c)
        if text:
            w.blocks.append(Block("row", text, raw=text))


def _owner(row: etree._Element) -> etree._Element | None:
    for anc in row.iterancestors("table"):
        return anc
    return None


def _is_layout(table: etree._Element, rows: list[etree._Element]) -> bool:
    if table.find(".//table") is not None:
        return True
    for row in rows:
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            blocks = sum(1 for c in cell if c.tag in ("p", "div", "ul", "ol", "h2", "h3"))
            if blocks >= 2:
                return True
            if len("".join(cell.itertext())) > _LAYOUT_CELL_CHARS:
                return True
    return False
