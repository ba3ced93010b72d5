"""Metadata cascades: JSON-LD, meta tags, scoped microdata and markup, on small pages."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html

from scraper.parser.authors import clean_authors
from scraper.parser.metadata import extract_metadata, normalize_language
from scraper.parser.titles import strip_site_name
from scraper.parser.tree import build_tree
from scraper.parser.types import Metadata

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
BODY = "<p>" + "Some article text that is long enough to look like a paragraph. " * 5 + "</p>"


def meta_of(
    html: str, url: str | None = "https://news.example.com/story", headers=None
) -> Metadata:
    return extract_metadata(build_tree(html), url, headers, now=NOW)


def page(head: str = "", body: str = "", lang: str = "en") -> str:
    return f'<!doctype html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


GRAPH = """<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebPage", "@id": "https://news.example.com/story#webpage",
   "name": "Story page | Example News", "datePublished": "2020-01-01T00:00:00+00:00"},
  {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "name": "Home"}]},
  {"@type": "Organization", "@id": "https://news.example.com/#org", "name": "Example News"},
  {"@type": "Person", "@id": "https://news.example.com/#jane", "name": "Jane Doe",
   "url": "https://news.example.com/authors/jane"},
  {"@type": ["NewsArticle"], "headline": "Council approves the new bridge",
   "datePublished": "2026-04-09T10:15:00+02:00", "dateModified": "2026-04-10T08:00:00+02:00",
   "author": {"@id": "https://news.example.com/#jane"},
   "publisher": {"@id": "https://news.example.com/#org"},
   "image": {"@type": "ImageObject", "url": "https://cdn.example.com/bridge.jpg"},
   "keywords": "bridge, council, bridge", "inLanguage": "en-GB",
   "description": "The council voted for the bridge."}
]}
</script>"""


def test_jsonld_graph_gives_the_article_not_the_webpage_or_breadcrumbs() -> None:
    meta = meta_of(page(GRAPH, BODY))
    assert meta.title == "Council approves the new bridge"
    assert meta.published == "2026-04-09T10:15:00+02:00"
    assert meta.modified == "2026-04-10T08:00:00+02:00"
    assert meta.authors == ("Jane Doe",)
    assert meta.site_name == "Example News"
    assert meta.image == "https://cdn.example.com/bridge.jpg"
    assert meta.tags == ("bridge", "council")
    assert meta.page_type == "NewsArticle"
    assert meta.description == "The council voted for the bridge."


def test_broken_jsonld_is_read_leniently() -> None:
    script = """<script type="application/ld+json">
    //<![CDATA[
    <!--
    {"@type": "BlogPosting", "headline": "Broken but readable",
     "datePublished": "2026-04-08",
     "author": [{"@type": "Person", "name": "Ann Lee"}, "Bo Chen",],
     "description": "line one
line two",}
    -->
    //]]>
    </script>"""
    meta = meta_of(page(script, BODY))
    assert meta.title == "Broken but readable"
    assert meta.published == "2026-04-08"
    assert meta.authors == ("Ann Lee", "Bo Chen")


def test_several_objects_in_one_script_and_a_list_are_understood() -> None:
    script = """<script type="application/ld+json">
    [{"@type": "Organization", "name": "Org"}]
    {"@type": "Article", "headline": "Second object", "datePublished": "2026-04-07"}
    </script>"""
    meta = meta_of(page(script, BODY))
    assert meta.title == "Second object"
    assert meta.published == "2026-04-07"


def test_main_entity_nested_in_a_webpage_is_found() -> None:
    script = """<script type="application/ld+json">
    {"@type": "WebPage", "mainEntity": {"@type": "ReportageNewsArticle",
      "headline": "Nested report", "datePublished": "2026-04-06T09:00:00Z",
      "author": {"@type": "Organization", "name": "Wire Service"}}}
    </script>"""
    meta = meta_of(page(script, BODY))
    assert meta.title == "Nested report"
    assert meta.published == "2026-04-06T09:00:00+00:00"
    assert meta.authors == ("Wire Service",)
    assert meta.page_type == "ReportageNewsArticle"


def test_article_whose_url_names_the_page_beats_a_related_article() -> None:
    script = """<script type="application/ld+json">
    [{"@type": "NewsArticle", "headline": "Related story", "url": "https://news.example.com/other",
      "datePublished": "2026-01-01"},
     {"@type": "NewsArticle", "headline": "This story", "url": "https://news.example.com/story",
      "datePublished": "2026-04-05"}]
    </script>"""
    meta = meta_of(page(script, BODY))
    assert meta.title == "This story"
    assert meta.published == "2026-04-05"


def test_is_accessible_for_free_false_marks_the_page_paywalled() -> None:
    script = """<script type="application/ld+json">
    {"@type": "NewsArticle", "headline": "Premium", "isAccessibleForFree": "False"}
    </script>"""
    assert meta_of(page(script, BODY)).paywalled is True
    free = script.replace('"False"', "true")
    assert meta_of(page(free, BODY)).paywalled is False


def test_opengraph_and_article_meta_fill_in_without_jsonld() -> None:
    head = """<title>Harbour reopens after storm | Coast Daily</title>
    <meta property="og:title" content="Harbour reopens after storm">
    <meta property="og:site_name" content="Coast Daily">
    <meta property="og:image" content="/img/harbour.jpg">
    <meta property="og:url" content="https://coast.example.org/harbour">
    <meta property="og:type" content="article">
    <meta property="article:published_time" content="2026-04-09T06:30:00+01:00">
    <meta property="article:modified_time" content="2026-04-09T09:00:00+01:00">
    <meta property="article:tag" content="Harbour">
    <meta property="article:tag" content="Weather, Storms">
    <meta name="author" content="By Mia Wong">
    <meta name="description" content="The harbour is open again.">"""
    meta = meta_of(page(head, BODY), url="https://coast.example.org/harbour?utm_source=x")
    assert meta.title == "Harbour reopens after storm"
    assert meta.published == "2026-04-09T06:30:00+01:00"
    assert meta.modified == "2026-04-09T09:00:00+01:00"
    assert meta.image == "https://coast.example.org/img/harbour.jpg"
    assert meta.canonical_url == "https://coast.example.org/harbour"
    assert meta.tags == ("Harbour", "Weather", "Storms")
    assert meta.authors == ("Mia Wong",)
    assert meta.site_name == "Coast Daily"
    assert meta.page_type == "article"
    assert meta.description == "The harbour is open again."


def test_canonical_link_is_made_absolute_and_beats_og_url() -> None:
    head = """<link rel="canonical" href="/news/story">
    <meta property="og:url" content="https://other.example.com/x">"""
    meta = meta_of(page(head, BODY), url="https://news.example.com/news/story?page=2")
    assert meta.canonical_url == "https://news.example.com/news/story"


def test_dublin_core_and_parsely_metas_are_fallbacks() -> None:
    head = """<meta name="DC.date.issued" content="2026-04-03">
    <meta name="parsely-author" content="Lars Berg">"""
    meta = meta_of(page(head, BODY))
    assert meta.published == "2026-04-03"
    assert meta.authors == ("Lars Berg",)


def test_entities_in_meta_titles_are_decoded() -> None:
    head = '<meta property="og:title" content="Tom &amp;amp; Jerry&#039;s day">'
    assert meta_of(page(head, BODY)).title == "Tom & Jerry's day"


def test_title_suffix_with_site_name_is_removed() -> None:
    for title in (
        "Flood warning issued | Example Times",
        "Flood warning issued - Example Times",
        "Flood warning issued — Example Times",
        "Flood warning issued :: Example Times",
        "Example Times | Flood warning issued",
    ):
        head = f'<title>{title}</title><meta property="og:site_name" content="Example Times">'
        assert meta_of(page(head, BODY)).title == "Flood warning issued", title


def test_unknown_short_site_suffix_is_removed() -> None:
    assert strip_site_name("A long headline about the local election results | Gazette") == (
        "A long headline about the local election results"
    )
    assert strip_site_name("No separators here") == "No separators here"


def test_article_h1_is_preferred_to_a_longer_og_title() -> None:
    head = '<meta property="og:title" content="Flood warning issued for the valley - Example">'
    body = "<article><h1>Flood warning issued for the valley</h1>" + BODY + "</article>"
    assert meta_of(page(head, body)).title == "Flood warning issued for the valley"


def test_logo_h1_is_not_the_title() -> None:
    head = "<title>Flood warning issued for the valley - Example Blog</title>"
    body = (
        '<header class="site-header"><h1 class="site-title">Example Blog</h1></header>'
        '<div class="post"><h2 class="entry-title">Flood warning issued for the valley</h2>'
        + BODY
        + "</div>"
    )
    assert meta_of(page(head, body)).title == "Flood warning issued for the valley"


def test_kicker_in_the_h1_is_dropped_when_metadata_has_the_plain_headline() -> None:
    head = '<meta property="og:title" content="Daten von Rheinmetall gehackt">'
    body = (
        '<article><h1><span class="kicker">Interne Unterlagen</span> '
        "Daten von Rheinmetall gehackt</h1>" + BODY + "</article>"
    )
    assert meta_of(page(head, body, lang="de")).title == "Daten von Rheinmetall gehackt"


POLITSTURM = """<!doctype html><html lang="en-US"><head>
<title>US Secures Paraguay as Military Foothold - Politsturm</title></head>
<body class="single branch-theme"><div id="page" class="site">
<header id="masthead" class="site-header"><ul class="menuTop"><li>Home</li></ul></header>
<main id="main" class="site-main">
<article id="post-7" class="content-post-single" itemscope itemtype=http://schema.org/Article>
  <meta itemprop="inLanguage" content="ru">
  <div class="content-upmeta-single"><div class="microrazmetka" style="display:none">
    <span itemprop="headline name"> US Secures Paraguay as Military Foothold</span>
    <span itemprop="datePublished">2026-Apr-Thu</span>
    <span itemprop="keywords"><a rel="tag" href="/tag/usa/">USA</a> ,
      <a rel="tag" href="/category/news/">News</a></span>
  </div></div>
  <div class="content-summary-single">
    <div class="content-meta-card" itemprop="author" itemscope itemtype="http://schema.org/Person">
      <span class="author-posts-single" itemprop="name">Alex Smith</span>
      <span class="content-date-single" itemprop="datePublished">2026-Apr-Thu</span>
    </div>
    <div class="content-info"><div class="post-date">Apr 09, 2026</div>
      <div class="reading-time">1 min</div></div>
    <h1 class="content-title-single" itemprop="headline name">
      US Secures Paraguay as Military Foothold </h1>
    <div class="content-text" itemprop="articleBody">
      <p>Trump secures a deal with Paraguay.</p>
      <div class="content-tags-single"><a class="content-tag" rel="tag" href="/tag/usa/">USA</a>
        <a class="content-tag" rel="tag" href="/tag/paraguay/">Paraguay</a></div>
    </div>
  </div>
</article>
<div class="related-container-title">More:</div>
<div class="related-container">
  <article class="related-post" itemscope itemtype="http://schema.org/Article">
    <span itemprop="headline">Older story</span>
    <span itemprop="datePublished">2025-12-01</span>
    <div class="post-date">Dec 01, 2025</div>
  </article>
</div>
</main></div></body></html>"""


def test_politsturm_markup_uses_visible_date_and_ignores_hidden_or_related_microdata() -> None:
    meta = meta_of(POLITSTURM, url="https://us.politsturm.com/us-secures-paraguay/")
    assert meta.title == "US Secures Paraguay as Military Foothold"
    assert meta.published == "2026-04-09"
    assert meta.authors == ("Alex Smith",)
    assert meta.language == "en"  # html lang wins over the hard-coded inLanguage "ru"
    # Only the visible tag list: the hidden keywords span also lists the category.
    assert meta.tags == ("USA", "Paraguay")


def test_microdata_of_the_main_article_is_read_and_related_items_ignored() -> None:
    body = """
    <div class="related-posts"><div itemscope itemtype="https://schema.org/NewsArticle">
      <span itemprop="headline">Teaser</span>
      <time itemprop="datePublished" datetime="2026-04-01">1 April</time></div></div>
    <div itemscope itemtype="https://schema.org/NewsArticle">
      <h1 itemprop="headline">Main microdata story</h1>
      <meta itemprop="datePublished" content="2026-04-08T12:00:00+03:00">
      <meta itemprop="dateModified" content="2026-04-09T12:00:00+03:00">
      <div itemprop="author" itemscope itemtype="https://schema.org/Person">
        <span itemprop="name">Olga Ivanova</span></div>
      <div itemscope itemtype="https://schema.org/Comment">
        <time itemprop="datePublished" datetime="2026-04-12">12 April</time></div>
    </div>"""
    meta = meta_of(page("", body + BODY))
    assert meta.title == "Main microdata story"
    assert meta.published == "2026-04-08T12:00:00+03:00"
    assert meta.modified == "2026-04-09T12:00:00+03:00"
    assert meta.authors == ("Olga Ivanova",)


def test_related_article_dates_are_ignored() -> None:
    body = (
        """
    <aside class="sidebar"><ul><li>Old story <time datetime="2026-01-02">2 Jan</time></li>
    </ul></aside>
    <article><h1>Story with a sidebar</h1>
      <p class="byline">Posted on
        <time class="entry-date" datetime="2026-04-11T09:30:00">11 April 2026</time></p>
      """
        + BODY
        + """
      <div class="related-articles"><time datetime="2026-04-15">15 April</time></div>
    </article>"""
    )
    assert meta_of(page("", body)).published == "2026-04-11T09:30:00"


def test_comment_dates_are_never_the_publication_date() -> None:
    body = (
        """<article><h1>Quiet story</h1>"""
        + BODY
        + """</article>
    <section id="comments" class="comments-area"><ol class="comment-list">
      <li class="comment"><time datetime="2026-04-12T10:00:00+00:00">12 April 2026</time> Nice!</li>
    </ol></section>"""
    )
    meta = meta_of(page("", body), url="https://blog.example.com/quiet-story")
    assert meta.published is None
    dated = body.replace("</h1>", '</h1><p class="meta">3 April 2026</p>')
    assert meta_of(page("", dated)).published == "2026-04-03"


def test_updated_and_published_are_kept_apart() -> None:
    body = (
        """<article><h1>Election night</h1>
      <div class="article-meta">Veröffentlicht am 9. April 2026 ·
        Aktualisiert am 10. April 2026</div>
      """
        + BODY
        + "</article>"
    )
    meta = meta_of(page("", body, lang="de"))
    assert meta.published == "2026-04-09"
    assert meta.modified == "2026-04-10"


def test_time_elements_with_updated_class_give_the_modification_date() -> None:
    body = (
        """<article><h1>Story</h1><p class="entry-meta">
      <time class="updated" datetime="2026-04-12T08:00:00+00:00">12 April</time>
      <time class="entry-date published" datetime="2026-04-10T08:00:00+00:00">10 April</time></p>
      """
        + BODY
        + "</article>"
    )
    meta = meta_of(page("", body))
    assert meta.published == "2026-04-10T08:00:00+00:00"
    assert meta.modified == "2026-04-12T08:00:00+00:00"


def test_future_and_too_old_visible_dates_are_rejected_but_structured_ones_kept() -> None:
    body = '<article><h1>Story</h1><p class="date">9 May 2026</p>' + BODY + "</article>"
    assert meta_of(page("", body), url=None).published is None
    old = body.replace("9 May 2026", "9 May 1990")
    assert meta_of(page("", old), url=None).published is None
    head = '<meta property="article:published_time" content="1990-05-09">'
    assert meta_of(page(head, old), url=None).published == "1990-05-09"


def test_copyright_line_is_not_a_date() -> None:
    body = "<article><h1>Story</h1>" + BODY + "</article><div>© 01.01.2026 Example Inc.</div>"
    assert meta_of(page("", body), url=None).published is None


def test_date_in_the_url_is_used_when_the_page_says_nothing() -> None:
    meta = meta_of(page("", "<h1>Story</h1>" + BODY), url="https://x.example/2026/04/02/story/")
    assert meta.published == "2026-04-02"


def test_url_day_overrides_a_distant_structured_date() -> None:
    head = '<meta property="article:published_time" content="2019-01-01T00:00:00+00:00">'
    meta = meta_of(page(head, BODY), url="https://x.example/2026/04/02/story/")
    assert meta.published == "2026-04-02"


def test_utc_timestamp_takes_the_local_offset_that_the_page_reveals() -> None:
    head = '<meta property="article:published_time" content="2023-11-09T01:49:09+00:00">'
    body = '<article><h1>Story</h1><time datetime="2023-11-08 17:49:09">Nov 8</time>' + BODY
    meta = meta_of(page(head, body + "</article>"), url=None)
    assert meta.published == "2023-11-08T17:49:09-08:00"


def test_visible_multilingual_date_near_the_heading_is_found() -> None:
    cases = [
        ("ru", "Опубликовано 9 апреля 2026"),
        ("pl", "Opublikowano 9 kwietnia 2026"),
        ("es", "Publicado el 9 de abril de 2026"),
        ("fr", "Publié le 9 avril 2026"),
    ]
    for lang, line in cases:
        body = f"<div><h1>Title</h1><div>{line}</div>{BODY}</div>"
        assert meta_of(page("", body, lang=lang), url=None).published == "2026-04-09", lang


def test_byline_gives_several_cleaned_authors() -> None:
    body = (
        '<article><h1>Story</h1><p class="byline">By Jane Doe and John Roe | April 9, 2026</p>'
        + BODY
        + "</article>"
    )
    meta = meta_of(page("", body))
    assert meta.authors == ("Jane Doe", "John Roe")
    assert meta.published == "2026-04-09"


def test_author_cleaning_drops_emails_urls_labels_and_staff() -> None:
    assert clean_authors(["By Jane Doe and John Roe"]) == ("Jane Doe", "John Roe")
    assert clean_authors(["Von Max Muster, jane@example.com"]) == ("Max Muster",)
    assert clean_authors(["https://example.com/authors/x"]) == ()
    assert clean_authors(["Staff", "Jane Doe", "jane doe"]) == ("Jane Doe",)
    assert clean_authors(["Jörg Staff"]) == ("Jörg Staff",)


def test_author_cleaning_strips_glued_labels_and_trailing_dates_but_not_name_parts() -> None:
    assert clean_authors(["Veröffentlicht vonChris Jung"]) == ("Chris Jung",)
    assert clean_authors(["Published by"]) == ()
    assert clean_authors(["Günter W. Kienitz at"]) == ("Günter W. Kienitz",)
    assert clean_authors(["John Walk - January 4, 2026"]) == ("John Walk",)
    assert clean_authors(["Perry Bacon Jr."]) == ("Perry Bacon Jr.",)
    assert clean_authors(["Daniel Lemire", "Byron Smith"]) == ("Daniel Lemire", "Byron Smith")
    assert clean_authors(["Dezember", "wordpressadmin", "x[at]example.net"]) == ()
    assert clean_authors(["Grant Tinsley, PhD", "© Kathrin Führes"]) == (
        "Grant Tinsley",
        "Kathrin Führes",
    )
    assert clean_authors(["Glen Owen And Brendan Carlin For The Mail On Sunday"]) == (
        "Glen Owen",
        "Brendan Carlin",
    )
    assert clean_authors(["Mario Rossi e Luca Bianchi"]) == ("Mario Rossi", "Luca Bianchi")


def test_language_cascade_html_lang_then_og_locale_then_header() -> None:
    assert meta_of(page("", BODY, lang="pt-BR")).language == "pt"
    no_lang = "<html><head>{}</head><body>" + BODY + "</body></html>"
    og = no_lang.format('<meta property="og:locale" content="de_DE">')
    assert meta_of(og).language == "de"
    assert meta_of(no_lang.format(""), headers={"Content-Language": "fr-CA"}).language == "fr"
    ld = '<script type="application/ld+json">{"@type":"Article","inLanguage":"es"}</script>'
    assert meta_of(no_lang.format(ld)).language == "es"
    assert normalize_language("x-default") is None
    assert normalize_language("und") is None


def test_tags_fall_back_to_keywords_and_are_deduplicated() -> None:
    head = '<meta name="keywords" content="Energy, energy , Grid,">'
    article = '<meta property="og:type" content="article">'
    assert meta_of(page(head + article, BODY)).tags == ("Energy", "Grid")
    assert meta_of(page(head, BODY)).tags == ()  # a site-wide keyword list is not tags
    news = '<meta name="news_keywords" content="Grid, Power cuts">'
    assert meta_of(page(news, BODY)).tags == ("Grid", "Power cuts")


def test_rel_tag_links_inside_the_article_are_tags() -> None:
    body = (
        "<article><h1>Story</h1>" + BODY + '<a rel="tag" href="/t/a">Alpha</a>'
        '<a rel="tag" href="/t/b">Beta</a></article><a rel="tag" href="/t/c">Gamma</a>'
    )
    assert meta_of(page("", body)).tags == ("Alpha", "Beta")


def test_image_falls_back_to_twitter_image_and_is_absolute() -> None:
    head = '<meta name="twitter:image" content="//cdn.example.com/t.jpg">'
    assert meta_of(page(head, BODY)).image == "https://cdn.example.com/t.jpg"


def test_extract_metadata_does_not_modify_the_tree() -> None:
    tree = build_tree(POLITSTURM)
    before = lxml.html.tostring(tree)
    extract_metadata(tree, "https://us.politsturm.com/x/", None, now=NOW)
    assert lxml.html.tostring(tree) == before


def test_empty_page_gives_empty_metadata() -> None:
    meta = meta_of("", url=None)
    assert meta == Metadata()


def test_headline_with_the_known_site_name_is_stripped() -> None:
    head = """<meta property="og:site_name" content="Piratenpartei">
    <script type="application/ld+json">{"@type": "WebPage",
      "name": "Volksbegehren zum Grundeinkommen - Piratenpartei",
      "datePublished": "2026-04-01"}</script>"""
    assert meta_of(page(head, BODY)).title == "Volksbegehren zum Grundeinkommen"


def test_short_box_label_h1_loses_to_the_metadata_title() -> None:
    head = '<meta property="og:title" content="Coronavirus update: vaccine approval rules">'
    body = "<main><h1>More news</h1>" + BODY + "</main>"
    assert meta_of(page(head, body)).title == "Coronavirus update: vaccine approval rules"


def test_bar_separated_site_part_is_cut_without_a_known_site_name() -> None:
    head = "<title>Alles Neue macht der Mai | Bibliothek 2.0 und mehr</title>"
    assert meta_of(page(head, BODY), url=None).title == "Alles Neue macht der Mai"


def test_visible_tag_links_without_rel_are_tags() -> None:
    body = (
        "<article><h1>Story</h1>" + BODY + '<div class="tags"><a href="/tag/energy/">Energy</a>'
        '<a href="/tag/grid/">Grid</a></div><a href="/about/">About us</a></article>'
    )
    assert meta_of(page("", body)).tags == ("Energy", "Grid")


def test_byline_in_plain_text_of_an_old_table_layout() -> None:
    body = (
        "<table><tr><td><font size=5><b>Flood waters recede</b></font><br>"
        "<font size=1>09.04.2026 | By Harold Jennings</font><br>"
        "<font>Volunteers cleaned the park on Sunday.</font></td></tr></table>"
    )
    meta = meta_of(page("", body), url=None)
    assert meta.authors == ("Harold Jennings",)
    assert meta.published == "2026-04-09"


def test_updated_line_next_to_a_published_time_element_is_the_modification() -> None:
    body = (
        """<article><h1>Story</h1><p class="story__dates">Published
      <time datetime="2026-03-02">March 2, 2026</time> ·
      <span class="story__updated">Updated 2026-03-05 14:10</span></p>"""
        + BODY
        + "</article>"
    )
    meta = meta_of(page("", body))
    assert meta.published == "2026-03-02"
    assert meta.modified == "2026-03-05T14:10:00"


def test_featured_image_from_article_microdata_when_no_og_image() -> None:
    body = (
        """<article itemscope itemtype="http://schema.org/Article"><h1>Story</h1>
      <span itemprop="image" style="display:none">https://cdn.example.com/a.jpg</span>
      """
        + BODY
        + "</article>"
    )
    assert meta_of(page("", body)).image == "https://cdn.example.com/a.jpg"


def test_brand_named_as_author_gives_way_to_a_person_in_the_byline() -> None:
    head = """<meta property="og:site_name" content="National Geographic">
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Goats",
      "author": {"@type": "Organization", "name": "National Geographic"}}</script>"""
    body = '<article><h1>Goats</h1><p class="byline">By Michael Hingston</p>' + BODY
    assert meta_of(page(head, body + "</article>")).authors == ("Michael Hingston",)
    assert meta_of(page(head, BODY)).authors == ("National Geographic",)


def test_date_in_a_page_level_box_is_a_last_resort_but_recent_posts_never_count() -> None:
    body = (
        "<div><h1>Story</h1>" + BODY + "</div>"
        '<aside class="infobox"><p class="date">Datum: 12.01.2026</p></aside>'
    )
    assert meta_of(page("", body, lang="de"), url=None).published == "2026-01-12"
    recent = (
        "<div><h1>Story</h1>" + BODY + "</div>"
        '<aside><ul class="recent-posts"><li><span class="date">12.01.2026</span></li></ul></aside>'
    )
    assert meta_of(page("", recent, lang="de"), url=None).published is None


def test_a_tag_cloud_is_not_the_article_tags() -> None:
    cloud = "".join(f'<a href="/tag/t{i}/">Topic {i}</a>' for i in range(40))
    body = "<article><h1>Story</h1>" + BODY + "</article><div>" + cloud + "</div>"
    assert meta_of(page("", body)).tags == ()


def test_blog_post_title_in_a_plain_h2_is_found_through_the_document_title() -> None:
    head = "<title>Blog Archiv » Podcasts in Plex einbinden</title>"
    body = (
        '<div id="header"><h1><a href="/">Disfunctions</a></h1></div>'
        "<div class='post'><h2>Podcasts in Plex einbinden</h2>" + BODY + "</div>"
    )
    assert meta_of(page(head, body, lang="de"), url=None).title == "Podcasts in Plex einbinden"


def test_date_rendered_by_a_short_inline_script_is_the_last_resort() -> None:
    body = (
        "<h1>Forum post</h1><table><tr><td class='main-text'>"
        '<script>showDate("2020/04/17 01:43:09")</script> views 7</td></tr></table>'
        "<p>A long post text without any date in it at all.</p>"
    )
    assert meta_of(page(body=body)).published == "2020-04-17T01:43:09"
    other = body.replace("showDate", "trackEvent")
    assert meta_of(page(body=other)).published is None
