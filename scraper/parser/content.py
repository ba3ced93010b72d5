"""Find the main text of a page and turn it into body, sections and bullets.

Steps: apply a site profile if one matches the host; prune junk and page furniture
(:mod:`scraper.parser.boilerplate`); choose the main content, preferring elements the page
marks as the article body (``itemprop=articleBody``, ``<article>``, ``entry-content``…) when
text/link-density scoring confirms them, else the best readability-style container plus
its qualifying siblings; clean inside it (title, bylines, link lists); flatten to blocks
(:mod:`scraper.parser.blocks`), mark pseudo-bullets (:mod:`scraper.parser.bullets`) and
derive the sections. Works on the lxml tree throughout, for speed.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from scraper.models import Section
from scraper.parser import boilerplate, profiles
from scraper.parser.blocks import Block, collapse, to_blocks
from scraper.parser.bullets import collect_bullets, mark_pseudo_bullets
from scraper.parser.types import Content, Metadata

__all__ = ["extract_content"]

_MIN_PARA = 25
# Paragraphs of at least this many plain (non-link) characters count as "real text".
_MASS_MIN = 80
_CLIMB_RATIO = 1.5
_TAG_BASE = {
    "div": 5.0,
    "article": 5.0,
    "section": 3.0,
    "main": 3.0,
    "td": 3.0,
    "pre": 3.0,
    "blockquote": 3.0,
    "form": -3.0,
    "ol": -3.0,
    "ul": -3.0,
    "dl": -3.0,
    "li": -3.0,
    "address": -3.0,
    "th": -5.0,
    "h1": -5.0,
    "h2": -5.0,
    "h3": -5.0,
    "h4": -5.0,
}
_POSITIVE = (
    "article",
    "body",
    "content",
    "entry",
    "main",
    "page",
    "post",
    "text",
    "blog",
    "story",
    "single",
    "prose",
)
_NEGATIVE = (
    "comment",
    "footer",
    "sidebar",
    "widget",
    "related",
    "share",
    "social",
    "promo",
    "teaser",
    "meta",
    "nav",
    "menu",
    "banner",
    "ad-",
    "sponsor",
    "author",
    "card",
)
_SCORED = frozenset({"p", "pre", "div", "td", "section", "article", "font", "span", "center"})
_DIRECT_ONLY = frozenset({"div", "td", "section", "article", "font", "span", "center"})
_LIST_LINK_DENSITY = 0.6
_BOX_LINK_DENSITY = 0.5
_LINK_BOX_MAX_PLAIN = 400
_TEASER_MAX = 200
_STRONG_MIN_TEXT = 200
_STANDFIRST_LEVELS = 3
_STANDFIRST_MIN = 60
_STANDFIRST_MAX = 2
_LINK_ROW_MAX = 150
_HEAD_SCAN = 5
_KICKER_MAX = 40
_BYLINE_MAX = 80
_SENTENCE_END = (".", "!", "?", "…", ":", '"', "»", "”", "“", ")")


def extract_content(tree: etree._Element, url: str | None, meta: Metadata) -> Content:
    """Return the page's main text with its structure. Prunes ``tree`` in place."""
    profile = profiles.find_profile(url)
    roots: list[etree._Element] = []
    if profile is not None:
        roots = profile.select_body(tree)
    h1_texts = [collapse("".join(h.itertext())) for h in tree.iter("h1")]
    marked = boilerplate.prune(tree)
    roots = [r for r in roots if _attached(r, tree)]
    if not roots:
        roots = choose_roots(tree, marked)
        if len(roots) == 1:
            roots = _standfirst(roots[0]) + roots
    if not roots:
        return Content()
    density = _link_density_of(roots)
    for root in roots:
        _clean(root)
    blocks = to_blocks(roots)
    blocks = _trim_head(blocks, meta.title)
    blocks = _drop_titles(blocks, meta.title, h1_texts)
    blocks = _drop_furniture_lines(blocks)
    blocks = mark_pseudo_bullets(blocks)
    return _assemble(blocks, density)


def _attached(el: etree._Element, tree: etree._Element) -> bool:
    root = el.getroottree().getroot()
    return root is tree or root is tree.getroottree().getroot()


def _text(el: etree._Element) -> str:
    """All text under ``el`` (works on plain lxml elements too, not only lxml.html)."""
    return "".join(el.itertext())


# --- choosing the main content ---------------------------------------------------------


def choose_roots(
    tree: etree._Element, marked: list[etree._Element] | None = None
) -> list[etree._Element]:
    """The element(s) holding the main text, in document order.

    ``marked`` are the elements the page marks as article body (from pruning).
    """
    body = tree.find("body")
    top = body if body is not None else tree
    scores: dict[etree._Element, float] = {}
    mass: dict[etree._Element, int] = {}
    strong: list[etree._Element] = list(marked or ()) + list(top.iter("article"))
    for el in top.iter(*_SCORED):
        tag = el.tag
        if tag in _DIRECT_ONLY:
            text = (el.text or "") + "".join(c.tail or "" for c in el)
        else:
            text = _text(el)
        text = text.strip()
        length = len(text)
        if length < _MIN_PARA:
            continue
        points = 1.0 + text.count(",") + text.count("，") + text.count("،") + min(length / 100, 3.0)
        if length >= _MASS_MIN:
            plain = length
            if tag not in _DIRECT_ONLY:
                plain -= sum(len(_text(a)) for a in el.iter("a"))
            if plain >= _MASS_MIN:
                for anc in el.iterancestors():
                    mass[anc] = mass.get(anc, 0) + plain
        parent = el.getparent()
        for share in (1.0, 0.5, 1 / 3):
            if parent is None or not isinstance(parent.tag, str):
                break
            if parent not in scores:
                scores[parent] = _initial(parent)
            scores[parent] += points * share
            parent = parent.getparent()
    best = _best_scored(scores)
    chosen = _best_strong(strong)
    if best is None:
        # No paragraph long enough to score: a short page. Take the marked body, else
        # the whole (pruned) page.
        if chosen:
            return [chosen[0]]
        fallback = max(strong, key=_good_text, default=top)
        return [fallback] if _good_text(fallback) > 0 else []
    if chosen is not None:
        s_el, s_good, s_marked = chosen
        inside = best is s_el or any(a is s_el for a in best.iterancestors())
        # The marked body holds the densest text and is wider (lists, headings); never
        # climb past it (pages that list several full articles).
        if inside and (s_marked or _good_text(best) >= 0.5 * s_good):
            return [s_el]
    best = _climb(best, mass, top)
    region = _with_siblings(best, scores)
    if chosen is None:
        return region
    r_good = sum(_good_text(r) for r in region)
    if any(a is best for a in s_el.iterancestors()):
        # The region contains the marked body: prefer the marked body unless it holds
        # only a small part of the text.
        return [s_el] if s_good >= 0.6 * r_good else region
    if s_good >= 0.6 * r_good:
        return [s_el]
    return region


def _standfirst(root: etree._Element) -> list[etree._Element]:
    """Lead paragraphs just before the chosen body, inside the same article.

    Many templates put the standfirst ("chapo", "Vorspann", subtitle) in a header or
    a sibling block outside the element that holds the rest of the text.
    """
    found: list[etree._Element] = []
    node = root
    for _level in range(_STANDFIRST_LEVELS):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        for sib in node.itersiblings(preceding=True):
            if not isinstance(sib.tag, str):
                continue
            paras = [sib] if sib.tag == "p" else list(sib.iter("p"))
            if not paras and sib.tag in ("div", "section") and len(sib) <= 3:
                paras = [sib]  # a standfirst written as a plain <div> of text
            for p in reversed(paras):
                text = " ".join(_text(p).split())
                if (
                    len(text) >= _STANDFIRST_MIN
                    and text.endswith(_SENTENCE_END)
                    and link_density(p) < 0.2
                    and not boilerplate.is_weak_furniture(p)
                ):
                    found.insert(0, p)
            if len(found) >= _STANDFIRST_MAX:
                break
        if parent.tag == "article" or found:
            break
        node = parent
    return found[-_STANDFIRST_MAX:]


def _initial(el: etree._Element) -> float:
    score = _TAG_BASE.get(el.tag, 0.0)
    raw = (el.get("class") or "") + " " + (el.get("id") or "")
    if raw.strip():
        score += _class_weight(raw)
    if el.get("itemprop") == "articleBody":
        score += 35
    return score


@lru_cache(maxsize=8192)
def _class_weight(raw: str) -> float:
    if boilerplate.class_verdict(raw) == boilerplate.BODY:
        return 35.0
    low = raw.lower()
    weight = 25.0 if any(w in low for w in _POSITIVE) else 0.0
    if any(w in low for w in _NEGATIVE):
        weight -= 25.0
    return weight


def _best_scored(scores: dict[etree._Element, float]) -> etree._Element | None:
    if not scores:
        return None
    top = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:5]
    best, best_score = None, float("-inf")
    for el, score in top:
        final = score * (1 - link_density(el))
        scores[el] = final
        if final > best_score:
            best, best_score = el, final
    return best


def _climb(
    best: etree._Element, mass: dict[etree._Element, int], top: etree._Element
) -> etree._Element:
    """Go up while the parent holds clearly more real paragraphs (text split in parts)."""
    cur = best
    for anc in best.iterancestors():
        if anc is top:
            break
        here, there = mass.get(cur, 0), mass.get(anc, 0)
        if there >= here * _CLIMB_RATIO and there - here >= _MASS_MIN:
            cur = anc
    return cur


def _with_siblings(
    best: etree._Element, scores: dict[etree._Element, float]
) -> list[etree._Element]:
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(10.0, scores.get(best, 0.0) * 0.2)
    best_class = best.get("class")
    out = []
    for sib in parent:
        if sib is best:
            out.append(sib)
            continue
        if not isinstance(sib.tag, str):
            continue
        bonus = scores.get(best, 0.0) * 0.2 if best_class and sib.get("class") == best_class else 0
        if scores.get(sib, float("-inf")) + bonus >= threshold:
            out.append(sib)
        elif sib.tag == "p":
            text = collapse(_text(sib))
            density = link_density(sib)
            if (len(text) > 80 and density < 0.25) or (
                0 < len(text) <= 80 and density == 0 and text.endswith(".")
            ):
                out.append(sib)
    return out


def _best_strong(
    candidates: list[etree._Element],
) -> tuple[etree._Element, float, bool] | None:
    """The marked body (or ``<article>``) with the most text; marked bodies first.

    A marked body (``itemprop=articleBody``, ``entry-content``…) wins over a larger
    ``<article>`` when it holds most (80 %) of that text: the article element also carries
    header, byline and footer; with less, the body markup wraps only a part of the text.
    """
    scored = [
        (el, _good_text(el), el.tag != "article" or boilerplate.is_body_marked(el))
        for el in candidates
    ]
    scored = [c for c in scored if c[1] >= _STRONG_MIN_TEXT]
    if not scored:
        return None
    top = max(scored, key=lambda c: c[1])
    marked = [c for c in scored if c[2]]
    if marked:
        best_marked = max(marked, key=lambda c: c[1])
        if best_marked[1] >= top[1] * 0.8:
            return best_marked
    return top


def _good_text(el: etree._Element) -> float:
    text = " ".join(_text(el).split())
    if not text:
        return 0.0
    links = sum(len(" ".join(_text(a).split())) for a in el.iter("a"))
    return max(len(text) - links, 0)


def link_density(el: etree._Element) -> float:
    """Share of the element's text that sits inside links (0 for no text)."""
    total = len(" ".join(_text(el).split()))
    if not total:
        return 0.0
    links = sum(len(" ".join(_text(a).split())) for a in el.iter("a"))
    return min(links / total, 1.0)


def _link_density_of(roots: list[etree._Element]) -> float:
    total = links = 0
    for r in roots:
        total += len(" ".join(_text(r).split()))
        links += sum(len(" ".join(_text(a).split())) for a in r.iter("a"))
    return min(links / total, 1.0) if total else 0.0


# --- cleaning inside the chosen content ---------------------------------------------------


def _clean(root: etree._Element) -> None:
    """Drop title, byline/date/tag boxes and link lists left inside the main content."""
    doomed: list[etree._Element] = []
    stack = list(reversed(root))
    while stack:
        el = stack.pop()
        tag = el.tag
        if not isinstance(tag, str):
            continue
        # A paragraph or heading is text by its tag: a furniture word in its class is a
        # generated name ("tagStyle_z4kqwb") unless the text is as short as a label.
        if boilerplate.is_weak_furniture(el) and _small(el) and _not_text(el, tag):
            doomed.append(el)
            continue
        if tag in ("ul", "ol", "div", "section", "table", "dl") and _link_box(el):
            doomed.append(el)
            continue
        stack.extend(reversed(el))
    for el in doomed:
        boilerplate.drop(el)


def _not_text(el: etree._Element, tag: str) -> bool:
    if tag in boilerplate.INLINE_LABELS and boilerplate.in_sentence(el):
        return False
    return tag not in boilerplate.TEXT_TAGS or _text_len(el) < boilerplate.TEXT_TAG_WEAK_CHARS


def _small(el: etree._Element) -> bool:
    return _text_len(el) < 400


def _text_len(el: etree._Element) -> int:
    return len("".join(el.itertext()).strip())


def _link_box(el: etree._Element) -> bool:
    links = list(el.iter("a"))
    if len(links) < 2:
        return False
    limit = _LIST_LINK_DENSITY if el.tag in ("ul", "ol", "dl") else _BOX_LINK_DENSITY
    total = len(" ".join(_text(el).split()))
    if not total:
        return False
    link_chars = sum(len(" ".join(_text(a).split())) for a in links)
    # A long text with many inline links is still text: only link lists go.
    return link_chars / total > limit and total - link_chars < _LINK_BOX_MAX_PLAIN


def _drop_titles(blocks: list[Block], title: str | None, h1s: list[str]) -> list[Block]:
    titles = {t.casefold() for t in [title or "", *h1s] if t}
    if not titles:
        return blocks
    return [b for b in blocks if not (b.kind in ("h", "p") and b.text.casefold() in titles)]


def _link_line(b: Block) -> bool:
    """A row of links ("Print | Email | Share") or a "Read also: <link>" line."""
    if not b.links:
        return False
    share = b.link_chars / max(len(b.raw), 1)
    if b.links >= 2 and share >= 0.7 and len(b.text) <= _LINK_ROW_MAX:
        return True
    return share >= 0.4 and boilerplate.is_related_line(b.text)


def _trim_head(blocks: list[Block], title: str | None) -> list[Block]:
    """Drop the title, a kicker above it and byline/date lines right under it.

    The title is the first ``h1`` block (or a block equal to the title) near the start.
    Short label blocks before it ("Politics", "Premium") are kickers; short lines after
    it that do not end like a sentence ("By Jane Doe", "4 min read · Mar 3") are bylines.
    Any other ``h1`` is dropped too: the body has no level-1 headings.
    """
    wanted = (title or "").casefold()
    at = None
    for i, b in enumerate(blocks[:_HEAD_SCAN]):
        if (b.kind == "h" and b.level == 1) or (wanted and b.text.casefold() == wanted):
            at = i
            break
    if at is None:
        return [b for b in blocks if not (b.kind == "h" and b.level == 1)]
    before = blocks[:at]
    if all(b.kind in ("p", "h") and len(b.text) <= _KICKER_MAX for b in before):
        before = []
    after = at + 1
    while after < len(blocks) and _byline_like(blocks[after]):
        after += 1
    rest = before + blocks[after:]
    return [b for b in rest if not (b.kind == "h" and b.level == 1)]


def _byline_like(b: Block) -> bool:
    return (
        b.kind == "p"
        and not b.lead
        and len(b.text) <= _BYLINE_MAX
        and not b.text.endswith(_SENTENCE_END)
    )


_LONE_LINK_MAX = 60


def _drop_furniture_lines(blocks: list[Block]) -> list[Block]:
    """Drop ad labels and link captions; cut a trailing "related links" part."""
    out: list[Block] = []
    skipping = False
    for b in blocks:
        if skipping:
            # After a "related" heading, short items are link teasers; text resumes at the
            # next heading or long paragraph.
            if b.kind == "h" or (b.kind == "p" and len(b.text) > _TEASER_MAX):
                skipping = False
            else:
                continue
        if b.kind in ("h", "p") and boilerplate.is_related_heading(b.text):
            skipping = True
            continue
        if b.kind != "pre" and boilerplate.is_furniture_line(b.text):
            continue
        if b.kind == "p" and _link_line(b):
            continue
        out.append(b)
    while out and (out[-1].kind == "h" or _lone_link(out[-1])):
        # A heading with nothing after it titled a part that was removed (related links,
        # a gallery); a lone link at the very end points elsewhere.
        out.pop()
    return out


def _lone_link(b: Block) -> bool:
    return (
        b.kind == "p"
        and b.links == 1
        and len(b.text) <= _LONE_LINK_MAX
        and b.link_chars >= len(b.raw) - 2
    )


# --- assembling the record fields ---------------------------------------------------------


def _assemble(blocks: list[Block], density: float) -> Content:
    body = "\n\n".join(b.text for b in blocks)
    sections: list[Section] = []
    heading: str | None = None
    parts: list[str] = []

    def close() -> None:
        if heading is not None and parts:
            sections.append(Section(heading=heading, text="\n\n".join(parts)))

    for b in blocks:
        if b.kind == "h" and 2 <= b.level <= 4:
            close()
            heading, parts = b.text, []
        elif b.lead and not b.bullet:
            close()
            heading, parts = b.lead, [b.rest]
        elif heading is not None:
            parts.append(b.text)
    close()
    paras = [b for b in blocks if b.kind in ("p", "quote") and not b.bullet]
    lead = next((b.text for b in paras if len(b.text) >= 40), paras[0].text if paras else None)
    return Content(
        body=body,
        sections=tuple(sections),
        bullets=collect_bullets(blocks),
        lead=lead,
        paragraphs=sum(1 for b in paras if len(b.text) >= 80),
        text_chars=len(body),
        link_density=round(density, 3),
    )
