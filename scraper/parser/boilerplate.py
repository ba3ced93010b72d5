"""Remove what is not article text before the main content is chosen.

Pruning happens in one pass over the lxml tree: junk tags go first (scripts, forms
controls, media), then hidden elements, then page furniture recognised by tag, ARIA role
or class/id words (navigation, sidebars, share/cookie/newsletter boxes, comments, related
links, bylines). An element that holds the page's ``h1`` or a marked-up article body is
never removed by a class/id guess: page wrappers often carry words like ``has-sidebar``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

# Never text: dropped with their content, keeping the tail text.
JUNK_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "canvas",
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "map",
    "button",
    "input",
    "select",
    "textarea",
    "option",
    "link",
    "meta",
    "dialog",
    "menu",
    "picture",
    "source",
    "figcaption",
)
# Page furniture by tag: removed unless they hold the article (see module docstring);
# a form survives when it holds a long text (ASP.NET pages wrap everything in one).
FURNITURE_TAGS = frozenset({"nav", "aside", "footer"})
FURNITURE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "search", "dialog", "alertdialog", "menu", "menubar"}
)
# Roles that content blocks carry too (tabs and accordions of text, info boxes): such an
# element survives when it holds a long text, like the layout class words below.
LAYOUT_ROLES = frozenset({"complementary", "tablist", "toolbar", "status", "alert"})


def _words(text: str) -> list[str]:
    return text.split()


_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
# Responsive visibility classes ("hidden-xs", "l-hidden-s"): shown on other screens.
_RESPONSIVE = re.compile(
    r"\bhidden[ -](?:xs|sm|md|lg|xl|s|m|l|mobile|tablet|desktop|print)\b|\blabel[ -]+hidden\b"
)

# Class/id words that mark furniture whatever its size (comments can be longer than the
# article, and navigation blocks may hold long blurbs). Matched against each word of the
# class and id (split on -, _, spaces and camelCase); prefixes end with "*".
_STRONG_WORDS = _words(
    """
comment* disqus cookie* consent* gdpr nav* menu* subnav sidenav breadcrumb*
footer* pagination pager paging skip* login* signin register mobilemenu hamburger backtotop
totop scrolltop jump* postmeta* entry-utility footnote* endnote* reflist references
editsection
"""
)
# Furniture words that page wrappers and content blocks also carry ("node-promoted",
# "share-zone", "Section--Ads", "l-sidebar-fixed l-article-body-segment"): such an element
# survives when it holds a long text with few links.
_LAYOUT_WORDS = _words(
    """
respond reply related* recommend* newsletter* subscri* signup share* sharing social* sociable
addthis shariff sharedaddy advert* ad ads adv adsense adslot sponsor* promo* outbrain* taboola*
newsticker ticker rating* vote votes voting poll polls shop cart survey feedback follow* rss
teaser-list teasers morelink readmore moreposts morestories trending* popular* mostread
mostviewed nextpost prevpost previous postnav adblock donate* donation* support-us
sidebar* masthead topbar toolbar* banner* offcanvas drawer dropdown* popup* modal* overlay
lightbox print-only printfriendly paywall*
"""
)
# Words that mark small furniture (bylines, dates, tags, captions): removed only when
# the element holds little text.
_WEAK_WORDS = _words(
    """
widget* meta* byline* author* date* time* dateline posted published updated tag tags tagged
taglist tagcloud keyword* categor* caption* credit* copyright* disclaimer* info* source*
header* head topic* breaking headline-list reading readingtime
wp-caption-text hidden sr-only visually-hidden screen-reader*
"""
)
# Words of marked-up article bodies: such elements are never pruned.
BODY_WORDS = frozenset(
    _words(
        """articlebody article-body article-content article-text articletext articlecontent
    entry-content entrycontent post-content postcontent post-body postbody post-text
    story-body storybody story-content storycontent content-text body-text bodytext
    article__body article__content c-article-body rich-text richtext field-body
    text-content main-text article-main"""
    )
)


def _word_regex(words: list[str]) -> re.Pattern[str]:
    """One regex for a word list: exact words, or prefixes for words ending in ``*``."""
    exact = sorted((w for w in words if not w.endswith("*")), key=len, reverse=True)
    prefixes = sorted((w[:-1] for w in words if w.endswith("*")), key=len, reverse=True)
    alts = []
    if exact:
        alts.append("(?:" + "|".join(map(re.escape, exact)) + ")(?![a-z0-9])")
    if prefixes:
        alts.append("(?:" + "|".join(map(re.escape, prefixes)) + ")")
    return re.compile("(?<![a-z0-9])(?:" + "|".join(alts) + ")")


_STRONG = _word_regex(_STRONG_WORDS)
_LAYOUT = _word_regex(_LAYOUT_WORDS)
_WEAK = _word_regex(_WEAK_WORDS)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WEAK_MAX_CHARS = 400
_SUBSTANTIAL_CHARS = 500
TEXT_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "main"})
TEXT_TAG_WEAK_CHARS = 150
_NOSCRIPT_TEXT = 500
_BUTTON_TEXT = 300


# Verdicts on an element's class/id string.
NONE, BODY, STRONG, WEAK, LAYOUT = 0, 1, 2, 3, 4


@lru_cache(maxsize=8192)
def class_verdict(raw: str) -> int:
    """Classify a ``class + " " + id`` string: body marker, strong/weak furniture or none.

    Cached: pages repeat the same class strings many times.
    """
    if not raw.strip():
        return NONE
    if any(tok in BODY_WORDS for tok in raw.lower().replace("_", "-").split()):
        return BODY
    low = (_CAMEL.sub(r"\1 \2", raw) if not raw.islower() else raw).lower().replace("_", " ")
    low = _RESPONSIVE.sub(" ", low)
    if _STRONG.search(low):
        return STRONG
    if _LAYOUT.search(low):
        return LAYOUT
    if _WEAK.search(low):
        return WEAK
    return NONE


# Priority when class and id disagree: a body marker wins, then the strongest furniture.
_RANK = {BODY: 5, STRONG: 4, LAYOUT: 3, WEAK: 2, NONE: 0}


def _class_id_verdict(el: etree._Element) -> int:
    """Verdict on class and id, looked up separately: ids are often unique per page
    ("post-406"), so caching the pair would miss every time."""
    cls = el.get("class")
    ident = el.get("id")
    a = class_verdict(cls) if cls else NONE
    b = class_verdict(ident) if ident else NONE
    return a if _RANK[a] >= _RANK[b] else b


def is_body_marked(el: etree._Element) -> bool:
    """True for an element the page marks as the article body (microdata or class)."""
    if "articleBody" in (el.get("itemprop") or ""):
        return True
    return _class_id_verdict(el) == BODY


def is_hidden(el: etree._Element) -> bool:
    """Hidden by attribute or inline style (what a reader never sees)."""
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def prune(root: etree._Element) -> list[etree._Element]:
    """Remove junk, hidden elements and page furniture from ``root`` in place.

    Returns the elements the page marks as its article body, in document order (they are
    kept), so the content stage need not search for them again.
    """
    _unwrap_noscript_text(root)
    etree.strip_elements(root, *JUNK_TAGS, with_tail=False)
    body = root.find("body")
    top = body if body is not None else root
    anchors: list[etree._Element] = []
    marked: list[etree._Element] = []
    furniture: list[tuple[etree._Element, int]] = []
    for el in _CANDIDATES(top):
        tag = el.tag
        if el is top:
            continue
        if tag == "h1":
            anchors.append(el)
        verdict = _verdict(el, tag)
        if verdict == BODY:
            marked.append(el)
        elif verdict != NONE:
            furniture.append((el, verdict))
    keep: set[etree._Element] = set()
    for a in anchors + marked:
        keep.add(a)
        for anc in a.iterancestors():
            if anc in keep:
                break
            keep.add(anc)
    page = top.getroottree().getroot()
    for el, verdict in furniture:
        if el in keep or el.getroottree().getroot() is not page:
            continue  # protected, or inside an already removed subtree
        if verdict == LAYOUT and _substantial(el):
            continue
        drop(el)
    return [m for m in marked if _attached(m, top)]


def _attached(el: etree._Element, top: etree._Element) -> bool:
    return any(anc is top for anc in el.iterancestors())


# Only elements with one of these attributes or tags can be furniture or anchors: skipping
# the bare ones (most <p>, <a>, <span>, <li>) halves the work of the pass.
_CANDIDATES = etree.XPath(
    "descendant-or-self::*[@class or @id or @style or @hidden or @aria-hidden or @role"
    " or @itemprop or self::nav or self::aside or self::footer or self::form or self::header"
    " or self::h1]"
)


def _verdict(el: etree._Element, tag: str) -> int:
    """BODY, STRONG (drop), WEAK (drop: small enough) or NONE for one element."""
    if "articleBody" in (el.get("itemprop") or ""):
        return BODY
    if is_hidden(el):
        return STRONG
    if tag in FURNITURE_TAGS:
        return STRONG
    if tag == "form":
        return LAYOUT
    role = el.get("role")
    if role:
        if role in FURNITURE_ROLES:
            return STRONG
        if role in LAYOUT_ROLES:
            return LAYOUT
    verdict = _class_id_verdict(el)
    if verdict in (STRONG, LAYOUT) and tag in TEXT_TAGS:
        # Paragraphs, headings and <main> are text by their tag; a class word there is
        # an anchor id ("nav_section_1") or a generated name ("Layout_Main__2pNav").
        return WEAK if _text_len(el) < TEXT_TAG_WEAK_CHARS else NONE
    if tag == "header" and verdict != BODY:
        return STRONG if _text_len(el) < _WEAK_MAX_CHARS else NONE
    if verdict == WEAK and tag in INLINE_LABELS and in_sentence(el):
        return NONE
    if verdict == WEAK:
        limit = TEXT_TAG_WEAK_CHARS if tag in TEXT_TAGS else _WEAK_MAX_CHARS
        return WEAK if _text_len(el) < limit and not _structured(el) else NONE
    return verdict


INLINE_LABELS = frozenset({"span", "em", "strong", "b", "i", "small"})


def in_sentence(el: etree._Element) -> bool:
    """An inline label that opens a paragraph's running text ("<span class=dateline>KOBE –
    </span>A total of …"): the sentence goes on after it, so it is part of the text."""
    parent = el.getparent()
    if parent is None or parent.tag != "p" or not (el.tail or "").strip():
        return False
    return _text_len(parent) >= TEXT_TAG_WEAK_CHARS


def _structured(el: etree._Element) -> bool:
    """Holds a heading or several paragraphs: a (short) post, not a byline or tag box.

    WordPress puts "category-x tag-y" on the post wrapper itself.
    """
    paragraphs = 0
    for child in el.iter("h1", "h2", "h3", "p"):
        paragraphs += 1 if child.tag == "p" else 2
        if paragraphs >= 2:
            return True
    return False


def _unwrap_noscript_text(root: etree._Element) -> None:
    """Keep a real text found in a ``<noscript>`` (pages that serve it there) or in a
    ``<button>`` (an unclosed button makes the parser nest the rest of the page in it)."""
    for el in list(root.iter("noscript", "button")):
        limit = _NOSCRIPT_TEXT if el.tag == "noscript" else _BUTTON_TEXT
        if _text_len(el) >= limit:
            if el.tag == "button":
                el.attrib.clear()  # the button's class ("menu-button") is not the text's
            el.tag = "div"


def is_weak_furniture(el: etree._Element) -> bool:
    """Furniture-like class or id, strong or weak (checked again inside the chosen body)."""
    return _class_id_verdict(el) in (STRONG, WEAK, LAYOUT)


def _substantial(el: etree._Element) -> bool:
    """A long text with few links: an article, not a menu or a sidebar."""
    total = len("".join(el.itertext()).strip())
    if total < _SUBSTANTIAL_CHARS:
        return False
    links = sum(len("".join(a.itertext()).strip()) for a in el.iter("a"))
    return total - links >= _SUBSTANTIAL_CHARS and links < total * 0.5


def _text_len(el: etree._Element) -> int:
    return len("".join(el.itertext()).strip())


def drop(el: etree._Element) -> None:
    """Remove ``el`` and its subtree but keep its tail text in the document."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# Short lines that are page furniture in any position: ad labels and link captions
# ("read more", "back"), in the languages we see most.
_FURNITURE_LINE = re.compile(
    r"^[\W_]*(?:anzeige|werbung|advertisement|advertising|sponsored|sponsored content|ad|ads"
    r"|reklama|publicidad|publicité|pubblicità|mainos|реклама|read more|continue reading"
    r"|weiterlesen|mehr lesen|mehr erfahren|lire la suite|en savoir plus|leer más|seguir leyendo"
    r"|czytaj więcej|czytaj dalej|читать далее|подробнее|zurück|zurück zur übersicht|back"
    r"|back to top|nach oben|share|share this|teilen|drucken|print|e-mail|email|tweet"
    r"|pin it|facebook|twitter|whatsapp|linkedin|weiter|print recipe|rezept drucken|drukuj"
    r"|imprimir|imprimer|pdf version|explore further|kommentare schreiben|kommentar schreiben"
    r"|zurück zur (?:listenansicht|vorherigen seite|startseite)|back to (?:list|overview)"
    r"|quellen ausblenden|valora esta noticia|write a comment|leave a comment|permalink"
    r"|permalien|buch bestellen|möchten sie (?:den|diesen) artikel teilen"
    r"|(?:jetzt )?(?:zum )?(?:kostenlosen )?newsletter (?:anmelden|abonnieren)"
    r"|subscribe to (?:our )?newsletter|(?:[\w ]{0,30} )?als pdf herunterladen"
    r"|download (?:as )?pdf|info zur bewertung)[\W_]*$"
    # A permalink caption with its short URL.
    r"|^(?:permalink|permalien)\W*https?://\S+$",
    re.IGNORECASE,
)
# An error message the server's PHP printed into the page.
_SERVER_ERROR = re.compile(
    r"^(?:warning|notice|deprecated|fatal error|parse error|strict standards): "
    r".{0,250} on line \d+\W*$",
    re.IGNORECASE,
)
# Headings that introduce links to other pages, after which nothing is article text.
_RELATED_HEADING = re.compile(
    r"^[\W_]*(?:related|related (?:posts|articles|stories|content|links)|more (?:on|about) "
    r"this|more from|more stories|read (?:also|more)|also read|you (?:may|might) also like"
    r"|recommended|ähnliche (?:beiträge|artikel)|verwandte (?:beiträge|artikel|themen)"
    r"|mehr zum thema|mehr dazu|lesen sie auch|lesen sie mehr|das könnte sie auch interessieren"
    r"|weitere (?:artikel|beiträge|meldungen|nachrichten|themen)|auch interessant"
    r"|à lire aussi|lire aussi|sur le même sujet|leer también|te puede interesar"
    r"|noticias relacionadas|temas relacionados|czytaj także|czytaj też|zobacz także"
    r"|читайте также|empfehlungen aus der redaktion|das könnte dich (?:auch )?interessieren"
    r"|mehr interessantes|themen im artikel|mehr aus (?:der|dem) ressort"
    r"|über (?:den|die) autor(?:in)?|about the author|zum autor|zur autorin"
    r"|похожие (?:статьи|материалы)|tags|schlagwörter|schlagworte"
    r"|references|footnotes|bibliography|einzelnachweise|anmerkungen|fußnoten"
    r"|quellenangaben|références|referencias|przypisy|bibliografia|примечания"
    r"|источники)\b.{0,40}$",
    re.IGNORECASE,
)
_LINE_MAX = 60
_RELATED_LINE_MAX = 200


_COPYRIGHT_LINE = re.compile(
    r"^(?:©|\(c\)|copyright\b)|all rights reserved|alle rechte vorbehalten"
    r"|tous droits réservés|todos los derechos reservados|wszelkie prawa zastrzeżone"
    r"|все права защищены",
    re.IGNORECASE,
)
_COPYRIGHT_MAX = 150


def is_furniture_line(text: str) -> bool:
    """An ad label, a lone link caption ("Anzeige", "Read more", "Zurück"), a copyright
    line or a server error message."""
    if len(text) <= _LINE_MAX and _FURNITURE_LINE.match(text):
        return True
    if len(text) <= 300 and _SERVER_ERROR.match(text):
        return True
    return len(text) <= _COPYRIGHT_MAX and bool(_COPYRIGHT_LINE.search(text))


def is_related_line(text: str) -> bool:
    """A paragraph like "Read also: <linked headline>" (the caller checks the link)."""
    head, sep, _rest = text.partition(":")
    return bool(sep) and len(text) <= _RELATED_LINE_MAX and is_related_heading(head)


def is_related_heading(text: str) -> bool:
    """A heading that introduces related links ("Mehr zum Thema", "Related articles")."""
    return len(text) <= _LINE_MAX and bool(_RELATED_HEADING.match(text))
