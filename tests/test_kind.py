"""Page kind: article, listing, empty, paywalled, error."""

from __future__ import annotations

from scraper.parser.content import extract_content
from scraper.parser.kind import classify
from scraper.parser.tree import build_tree
from scraper.parser.types import Metadata

TEXT = (
    "The regional parliament voted on the new transport law late on Thursday evening, "
    "after months of negotiations between the coalition partners and the opposition."
)


def kind_of(html: str, meta: Metadata | None = None, url: str = "https://news.example/a") -> str:
    meta = meta or Metadata()
    tree = build_tree(html)
    content = extract_content(tree, url, meta)
    return classify(tree, meta, content, url)


def article_html(paragraphs: int = 6) -> str:
    body = "".join(f"<p>{i}. part: {TEXT}</p>" for i in range(paragraphs))
    return (
        "<html><head><title>Transport law passed</title></head><body><article>"
        f"<h1>Transport law passed</h1>{body}</article></body></html>"
    )


def test_a_normal_news_page_is_an_article() -> None:
    meta = Metadata(title="Transport law passed", published="2026-04-09", page_type="NewsArticle")
    assert kind_of(article_html(), meta) == "article"


def test_a_category_page_of_teaser_cards_is_a_listing() -> None:
    cards = "".join(
        f'<article class="card"><h2><a href="/story-{i}">Headline number {i} about the city'
        f"</a></h2><p>Short teaser {i} for the story.</p></article>"
        for i in range(12)
    )
    html = (
        "<html><head><title>Politics</title></head><body><main><h1>Politics</h1>"
        f"{cards}</main></body></html>"
    )
    assert kind_of(html, Metadata(title="Politics", page_type="website")) == "listing"


def test_a_javascript_shell_is_empty() -> None:
    html = (
        '<html><head><title>App</title><script src="app.js"></script></head><body>'
        '<div id="root"></div><noscript>Enable JavaScript.</noscript></body></html>'
    )
    assert kind_of(html) == "empty"


def test_a_teaser_behind_a_paywall_marker_is_paywalled_but_a_full_text_is_not() -> None:
    teaser = "<html><body><article><h1>Exclusive</h1><p>" + TEXT + "</p></article></body></html>"
    assert kind_of(teaser, Metadata(title="Exclusive", paywalled=True)) == "paywalled"
    assert kind_of(article_html(20), Metadata(paywalled=True, page_type="NewsArticle")) == "article"


def test_soft_404_pages_are_errors_in_several_languages() -> None:
    for title in ("Page not found", "Seite nicht gefunden", "Страница не найдена", "Error 404"):
        html = (
            f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
            "<p>Sorry, the page you asked for is gone. Try the search.</p></body></html>"
        )
        assert kind_of(html) == "error", title


def test_an_article_mentioning_404_in_a_long_text_is_still_an_article() -> None:
    meta = Metadata(title="Why the 404 page matters", page_type="BlogPosting")
    assert kind_of(article_html(8), meta) == "article"
