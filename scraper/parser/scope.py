"""Where the article is on the page, and which blocks never speak for it.

Dates, authors and titles are only trusted when they come from the main article, not
from comments, related-article teasers, sidebars or the page footer. Both the metadata
and the microdata readers use these helpers; they only read the tree.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

__all__ = ["Scope", "find_scope", "is_excluded", "own_excluded"]

# Class/id tokens of blocks that belong to something else than the article itself.
_EXCLUDE = re.compile(
    r"(?:^|[\s_\-])(?:comment|commentlist|kommentar|comentario|reactions?|replies|reply|respond"
    r"|disqus|related|relatedposts|similar|recommend|recommended|widget-?area|widgets|popular|recent"
    r"|trending|most-?read|more-?(?:stories|news|articles|from)|also|read-?more|weitere"
    r"|verwandt|newsletter|cookie|share|sharing|sharedaddy|social|nav|navbar|navigation|menu"
    r"|breadcrumbs?|promo|advert|advertisement|banner|carousel|slider|masthead|site-?header"
    r"|calendar|archive|tag-?cloud|rail)(?:s|es)?(?=$|[\s_\-\d])",
    re.IGNORECASE,
)
_EXCLUDED_TAGS = frozenset({"nav", "noscript", "select", "button"})
# <aside> is a sidebar, except when it is the article's own meta box.
_ASIDE_OK = re.compile(r"meta|date|byline|author|info|head", re.IGNORECASE)
# WordPress and other CMSs put taxonomy slugs into classes ("tag-comment",
# "category-newsletter"); they say nothing about the block itself.
# Layout modifiers ("has-sidebar", "sticky-sidebar-parent") describe the container of a
# sidebar, not the sidebar.
_TAXONOMY = re.compile(
    r"(?<![\w-])(?:category|tag|post_tag|topic|section|format|ressort|has|with|no|sticky|show"
    r"|hide|is)-\S+"
)
# Outside the article, the page footer holds copyright years and teasers; inside it,
# a <footer> is where many themes print "Posted on <date> by <author>", and German CMSs
# call the article's own lead block a "teaser".
_PAGE_ONLY_TAGS = frozenset({"footer", "aside"})
_PAGE_ONLY = re.compile(
    r"(?:^|[\s_\-])(?<!post-)(?<!entry-)(?<!article-)(?<!story-)(?:footer|foot|teaser|sidebar)"
    r"(?:s|es)?(?=$|[\s_\-\d])",
    re.IGNORECASE,
)

_ARTICLE_ITEMTYPE = re.compile(r"(?:Article|BlogPosting|Report|Posting)\b", re.IGNORECASE)
# One traversal for both: Article itemscopes and role=main containers.
_MARKED = etree.XPath("//*[@itemtype or @role='main']")


class Scope:
    """The main article element (or ``None``) plus a memo of exclusion checks."""

    __slots__ = ("_memo", "element", "microdata")

    def __init__(
        self,
        element: lxml.html.HtmlElement | None,
        microdata: bool,
        anchor: lxml.html.HtmlElement | None = None,
    ) -> None:
        self.element = element
        # True when the element is an itemscope of an Article type.
        self.microdata = microdata
        # The blocks that hold the article (or its h1) can never be "not the article",
        # whatever their class says (Blogger's "widget Blog", a theme's "#sidebar").
        self._memo: dict[lxml.html.HtmlElement, bool] = {}
        for start in (element, anchor):
            node = start
            while node is not None:
                self._memo[node] = False
                node = node.getparent()

    def excluded(self, el: lxml.html.HtmlElement) -> bool:
        """Whether ``el`` sits in a comment/related/sidebar/footer block (memoised)."""
        return is_excluded(el, self.element, self._memo)

    def contains(self, el: lxml.html.HtmlElement) -> bool:
        """Whether ``el`` is inside the article element."""
        root = self.element
        if root is None:
            return False
        node: lxml.html.HtmlElement | None = el
        while node is not None:
            if node is root:
                return True
            node = node.getparent()
        return False


def own_excluded(el: lxml.html.HtmlElement, page_level: bool) -> bool:
    """Whether this element itself (not its ancestors) marks a non-article block."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _EXCLUDED_TAGS:
        return True
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    if page_level and tag in _PAGE_ONLY_TAGS and not (tag == "aside" and _ASIDE_OK.search(attrs)):
        return True
    if len(attrs) < 2:
        return False
    if "-" in attrs:
        attrs = _TAXONOMY.sub(" ", attrs)
    return bool(_EXCLUDE.search(attrs) or (page_level and _PAGE_ONLY.search(attrs)))


def is_excluded(
    el: lxml.html.HtmlElement,
    scope: lxml.html.HtmlElement | None = None,
    memo: dict[lxml.html.HtmlElement, bool] | None = None,
) -> bool:
    """Whether ``el`` or an ancestor (up to ``scope``) is a block that is not the article.

    Ancestors above ``scope`` are checked too, but there a footer counts as the page's.
    """
    chain: list[lxml.html.HtmlElement] = []
    node: lxml.html.HtmlElement | None = el
    page_level = scope is None
    result = False
    while node is not None:
        if memo is not None and node in memo:
            result = memo[node]
            break
        if node is scope:
            page_level = True
            chain.append(node)
            node = scope.getparent()
            continue
        chain.append(node)
        if node.tag in ("body", "html"):
            break
        if own_excluded(node, page_level):
            result = True
            break
        node = node.getparent()
    if memo is not None:
        for item in chain:
            memo[item] = result
    return result


def find_scope(
    tree: lxml.html.HtmlElement, h1s: list[lxml.html.HtmlElement] | None = None
) -> Scope:
    """The element holding the main article.

    Order: the first Article-typed itemscope outside related blocks; the ``<article>``
    that holds the page's ``<h1>``; the first ``<article>`` outside related blocks when
    it is the only one; ``<main>``. ``None`` when nothing fits (the whole page then).
    """
    if h1s is None:
        h1s = list(tree.iter("h1"))
    anchor = next((h for h in h1s if not is_excluded(h)), h1s[0] if h1s else None)
    marked = _MARKED(tree)
    for el in marked:
        if el.tag == "html" or el.tag == "body" or el.get("itemtype") is None:
            continue
        if (
            el.get("itemscope") is not None
            and _ARTICLE_ITEMTYPE.search(el.get("itemtype") or "")
            and not is_excluded(el)
        ):
            return Scope(el, True, anchor)
    blocks = list(tree.iter("article", "main"))
    articles = [a for a in blocks if a.tag == "article" and not is_excluded(a)]
    if articles:
        for h1 in h1s:
            node = h1.getparent()
            while node is not None:
                if node in articles:
                    return Scope(node, False, h1)
                node = node.getparent()
        if len(articles) == 1:
            return Scope(articles[0], False, anchor)
    mains = [m for m in blocks if m.tag == "main"] or [m for m in marked if m.get("role") == "main"]
    if mains:
        return Scope(mains[0], False, anchor)
    return Scope(None, False, anchor)
