"""Main-content extraction: body, sections, bullets and boilerplate removal on small pages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.errors import ScraperError
from scraper.parser.content import extract_content
from scraper.parser.profiles import find_profile, parse_profiles, shipped_profiles_text
from scraper.parser.tree import build_tree
from scraper.parser.types import Content, Metadata

LOREM = (
    "The council approved the new budget on Tuesday after a long debate, and the mayor "
    "said the money would go to schools, roads and the public library."
)


def extract(html: str, url: str | None = None, title: str | None = None) -> Content:
    return extract_content(build_tree(html), url, Metadata(title=title))


def para(i: int) -> str:
    return f"<p>Paragraph {i}. {LOREM}</p>"


BOILERPLATE_PAGE = f"""<!doctype html><html><head><title>Budget approved | Daily</title>
<style>.x{{color:red}}</style><script>var tracking = "SCRIPT TEXT";</script></head><body>
<div id="cookie-banner">We use cookies to improve your experience. Accept all cookies.</div>
<header class="site-header"><a href="/">Daily Home</a>
  <nav><ul><li><a href="/politics">Politics menu</a></li><li><a href="/sport">Sport menu</a></li>
  </ul></nav></header>
<div class="wrapper has-sidebar">
 <main>
  <article>
   <h1>Budget approved</h1>
   <div class="byline">By Jane Writer, 9 April 2026</div>
   <div class="share-buttons"><a href="#">Share on Facebook</a> <a href="#">Tweet this</a></div>
   <div class="entry-content">
    {para(1)}{para(2)}
    <h2>What changes</h2>
    {para(3)}
    <ul><li>Schools get more teachers</li><li>Roads are repaired</li></ul>
    <div class="newsletter-signup"><p>Subscribe to our newsletter for daily updates!</p>
      <form><input type="email"><button>Sign up</button></form></div>
    {para(4)}
   </div>
   <div class="post-tags"><a href="/tag/budget">budget tag</a><a href="/tag/city">city tag</a></div>
  </article>
  <section class="related-posts"><h3>Related articles</h3>
   <ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li></ul>
  </section>
  <section id="comments"><h3>3 comments</h3>
   <p>Great article, thanks for the detailed explanation of the budget process here!</p>
  </section>
 </main>
 <aside class="sidebar"><h3>Most read</h3>
  <ul><li><a href="/x">Sidebar headline about trains</a></li>
      <li><a href="/y">Sidebar headline about weather</a></li></ul></aside>
</div>
<footer><p>Copyright 2026 Daily News. All rights reserved. Imprint and privacy.</p></footer>
</body></html>"""


def test_boilerplate_page_keeps_the_article_and_drops_the_furniture() -> None:
    content = extract(BOILERPLATE_PAGE, "https://daily.example/budget", "Budget approved")
    for i in (1, 2, 3, 4):
        assert f"Paragraph {i}." in content.body
    assert "What changes" in content.body
    assert "Schools get more teachers" in content.body
    for junk in (
        "cookies",
        "Politics menu",
        "Daily Home",
        "By Jane Writer",
        "Share on Facebook",
        "newsletter",
        "budget tag",
        "Other story one",
        "Great article",
        "Sidebar headline",
        "Copyright",
        "SCRIPT TEXT",
        "color:red",
        "Budget approved",
        "Related articles",
    ):
        assert junk not in content.body, junk
    assert content.body.startswith("Paragraph 1.")
    assert [b.text for b in content.bullets] == ["Schools get more teachers", "Roads are repaired"]
    assert all(b.section == "What changes" for b in content.bullets)


def test_body_blocks_are_separated_by_blank_lines_and_whitespace_collapsed() -> None:
    html = (
        "<html><body><article><p>One   line\n  here.</p>"
        "<p>Two\u00a0\u00a0words.</p></article></body></html>"
    )
    content = extract(html)
    assert content.body == "One line here.\n\nTwo words."


def test_title_h1_and_a_repeated_title_are_not_in_the_body() -> None:
    html = f"""<html><body><div class="post"><h1>Rain expected</h1><h2>Rain expected</h2>
    {para(1)}{para(2)}</div></body></html>"""
    content = extract(html, title="Rain expected")
    assert "Rain expected" not in content.body
    assert content.body.startswith("Paragraph 1.")


def test_hidden_elements_are_not_text() -> None:
    html = f"""<html><body><article>{para(1)}
    <div style="display: none">Hidden promo text</div><p hidden>Hidden attribute text</p>
    <span aria-hidden="true">Icon label</span>{para(2)}</article></body></html>"""
    content = extract(html)
    assert "Hidden" not in content.body and "Icon label" not in content.body
    assert "Paragraph 2." in content.body


def test_old_table_layout_takes_the_text_cell_not_the_menu_cell() -> None:
    menu = "".join(f'<a href="/p{i}">Menu entry {i}</a><br>' for i in range(12))
    html = f"""<html><body><table width="100%"><tr><td colspan="2"><img src="logo.gif">
    Welcome to the Club site</td></tr><tr><td width="150">{menu}</td>
    <td><font size="2"><b>Annual meeting</b><br><br>{LOREM}<br><br>Second part. {LOREM}
    <br><br>Third part, with details. {LOREM}</font></td></tr>
    <tr><td colspan="2">Webmaster contact | Imprint</td></tr></table></body></html>"""
    content = extract(html)
    assert "Second part." in content.body and "Third part" in content.body
    assert "Menu entry" not in content.body
    assert "Webmaster" not in content.body


def test_data_table_rows_join_cells_with_pipes() -> None:
    html = f"""<html><body><article>{para(1)}<table><tr><th>City</th><th>Rain</th></tr>
    <tr><td>Berlin</td><td>12 mm</td></tr><tr><td>Paris</td><td>8 mm</td></tr></table>
    {para(2)}</article></body></html>"""
    content = extract(html)
    assert "City | Rain\n\nBerlin | 12 mm\n\nParis | 8 mm" in content.body


def test_nested_lists_give_bullets_with_depth_and_text_without_the_sub_list() -> None:
    html = f"""<html><body><article>{para(1)}<ul><li>Fruit<ul><li>Apples</li>
    <li>Pears<ol><li>Williams</li></ol></li></ul></li><li>Vegetables</li></ul>
    {para(2)}</article></body></html>"""
    content = extract(html)
    assert [(b.text, b.depth) for b in content.bullets] == [
        ("Fruit", 0),
        ("Apples", 1),
        ("Pears", 1),
        ("Williams", 2),
        ("Vegetables", 0),
    ]
    assert "Fruit\n\nApples\n\nPears\n\nWilliams\n\nVegetables" in content.body


def test_h2_sections_split_the_text_and_text_before_the_first_heading_is_no_section() -> None:
    html = f"""<html><body><article>{para(1)}<h2>Background</h2>{para(2)}
    <ul><li>First point</li></ul><h3>Reactions</h3>{para(3)}</article></body></html>"""
    content = extract(html)
    assert [s.heading for s in content.sections] == ["Background", "Reactions"]
    assert content.sections[0].text.startswith("Paragraph 2.")
    assert content.sections[0].text.endswith("First point")
    assert content.bullets[0].section == "Background"


def test_navigation_and_related_link_lists_are_not_bullets() -> None:
    links = "".join(f'<li><a href="/s{i}">Story number {i}</a></li>' for i in range(6))
    html = f"""<html><body><nav><ul><li><a href="/">Home</a></li><li><a href="/n">News</a></li>
    </ul></nav><article>{para(1)}{para(2)}<ul>{links}</ul>{para(3)}</article></body></html>"""
    content = extract(html)
    assert content.bullets == ()
    assert "Story number" not in content.body and "Home" not in content.body


def test_bold_lead_ins_start_sections_but_not_bold_sentences() -> None:
    html = f"""<html><body><article>
    <p><strong>Whole bold paragraph that is an emphasised standfirst of the article.</strong></p>
    <p>The <b>mayor</b> said: {LOREM}</p>
    <p><strong>Details.</strong> {LOREM}</p>
    <p><b>Reaction</b>: the opposition criticised the plan.</p>
    <p><strong>A very long bold phrase that is far too long to be a label</strong>. {LOREM}</p>
    </article></body></html>"""
    content = extract(html)
    assert [s.heading for s in content.sections] == ["Details", "Reaction"]
    assert content.sections[0].text.startswith("The council approved")
    assert "long bold phrase" in content.sections[1].text
    assert "Details. The council approved" in content.body


def test_pseudo_bullet_paragraphs_lose_their_markers_in_bullets_and_body() -> None:
    html = f"""<html><body><article>{para(1)}<p>• Bread is cheaper</p><p>• Milk is dearer</p>
    <p>1. Register online</p><p>2. Pay the fee</p><p>3. Collect the card</p>{para(2)}
    </article></body></html>"""
    content = extract(html)
    assert [b.text for b in content.bullets] == [
        "Bread is cheaper",
        "Milk is dearer",
        "Register online",
        "Pay the fee",
        "Collect the card",
    ]
    assert "•" not in content.body and "1. Register" not in content.body
    assert "Register online\n\nPay the fee" in content.body


def test_br_separated_pseudo_bullet_lines_become_separate_bullets() -> None:
    html = f"""<html><body><article>{para(1)}
    <p>You will need:<br>- 200 g flour<br>- 2 eggs<br>- a pinch of salt</p>{para(2)}
    </article></body></html>"""
    content = extract(html)
    assert [b.text for b in content.bullets] == ["200 g flour", "2 eggs", "a pinch of salt"]
    assert "You will need:\n\n200 g flour\n\n2 eggs\n\na pinch of salt" in content.body


def test_lead_and_classification_numbers() -> None:
    html = f"<html><body><article><p>Short.</p>{para(1)}{para(2)}</article></body></html>"
    content = extract(html)
    assert content.lead is not None and content.lead.startswith("Paragraph 1.")
    assert content.paragraphs == 2
    assert content.text_chars == len(content.body)
    assert 0.0 <= content.link_density < 0.1


def test_empty_or_script_only_page_gives_an_empty_body() -> None:
    assert extract("").body == ""
    shell = '<html><body><div id="root"></div><script>render()</script></body></html>'
    content = extract(shell)
    assert content.body == "" and content.bullets == () and content.lead is None


def test_comment_text_after_the_article_is_left_out() -> None:
    comments = "".join(
        f'<li class="comment"><p>Reader {i} wrote a long opinion about the budget, roads, '
        f"schools and everything else in this city, at great length.</p></li>"
        for i in range(8)
    )
    html = f"""<html><body><div class="post">{para(1)}{para(2)}</div>
    <div id="comments"><ol class="commentlist">{comments}</ol></div></body></html>"""
    content = extract(html)
    assert "Reader" not in content.body
    assert "Paragraph 2." in content.body


# --- politsturm.com through its site profile ---------------------------------------------

POLITSTURM = """<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8">
<title>US Secures Paraguay as Military Foothold - Politsturm</title></head>
<body class="post-template-default single single-post postid-1 branch-theme">
<div id="page" class="site"><header id="masthead" class="site-header"><ul class="menuTop">
<li><a href="/">Home</a></li><li><a href="/category/news">News</a></li></ul>
<form id="searchform"><input id="s" name="s" placeholder="Search..."></form></header>
<div class="site-branding" style="display:none"><p class="site-title">Politsturm</p></div>
<div id="content" class="site-content"><div id="primary" class="content-area">
<main id="main" class="site-main">
<article id="post-1" class="content-post-single" itemscope itemtype=http://schema.org/Article>
<meta itemprop="inLanguage" content="ru">
<div class="content-upmeta-single"><div class="microrazmetka" style="display:none">
<span itemprop="headline name"> US Secures Paraguay as Military Foothold</span>
<span itemprop="datePublished">2026-Apr-Thu</span></div></div>
<div class="content-summary-single">
 <div class="content-meta-card"><span class="author-posts-single" itemprop="name">Editor</span>
</div>
 <div class="content-info"><div class="post-date">Apr 09, 2026</div>
  <div class="content-reading-time"><div class="reading-time">1 min</div></div></div>
 <h1 class="content-title-single" itemprop="headline name">
   US Secures Paraguay as Military Foothold </h1>
 <div class="content-image-single"><a data-fancybox="gallery" href="/i.jpg"><img src="/i.jpg">
</a></div>
 <div class="content-text" itemprop="articleBody">
<p>Trump secures a deal with Paraguay, allowing US military forces to operate within the
country to combat “narcoterrorism”.</p>
<p><strong>Details.</strong> Paraguayan lawmakers have approved a Status of Forces Agreement
(SOFA) with the United States, signed in December 2025.</p>
<p>▶ SOFA grants US military personnel and contractors extensive
privileges.<span class="easy-footnote-margin-adjust"></span><span class="easy-footnote">
<a href="#easy-footnote-bottom-1"><sup>1</sup></a></span></p>
<p>▶ Although officially described as temporary, the agreement has no fixed end date.</p>
<p>▶ US officials have hailed the SOFA as a historic step in strengthening security cooperation.</p>
<p><strong>Context.</strong> As part of its broader strategy, the US has instrumentalised the
fight against “narcoterrorism”.</p>
<p>▶ Furthering this campaign, the US recently launched the Shield of the Americas initiative.</p>
<p>▶ Brazil has raised concerns about SOFA and US military activity near the tri-border region.</p>
<p>▶ Paraguay’s president, Santiago Peña, is a close ally of the United States.</p>
<div class="easy-footnote-title"><h4>Notes:</h4></div>
<ol class="easy-footnotes-wrapper"><li class="easy-footnote-single">Source: official
gazette.<a class="easy-footnote-to-top" href="#easy-footnote-1"></a></li></ol>
<div class="content-tags-single"><a class="content-tag" href="/tag/usa/">USA</a>
<a class="content-tag" href="/tag/paraguay/">Paraguay</a></div>
<div class="separator"></div><div class="info-block"></div>
 </div></div><div class="up-button"></div></article>
<div class="main-support"><p>Enjoyed the material?</p><a href="/support-us">Support us!</a></div>
<div class="related-container-title">More:</div>
<div class="related-container">
<article class="related-post" itemscope itemtype="http://schema.org/Article">
<h2><a href="/other">Another story about the region and its politics</a></h2>
<p>An excerpt of the other story that is long enough to look like a paragraph of text
here.</p></article></div>
</main></div></div>
<div id="footer"><div class="footer-wrapper">Politsturm social
links</div></div></div></body></html>"""


def test_politsturm_page_via_profile_gives_sections_and_six_bullets_without_markers() -> None:
    url = "https://us.politsturm.com/us-secures-paraguay-as-military-foothold/"
    assert find_profile(url) is not None
    content = extract(POLITSTURM, url, "US Secures Paraguay as Military Foothold")
    assert content.body.startswith("Trump secures a deal with Paraguay")
    assert [s.heading for s in content.sections] == ["Details", "Context"]
    assert content.sections[0].text.startswith("Paraguayan lawmakers have approved")
    assert "Details. Paraguayan lawmakers" in content.body
    assert len(content.bullets) == 6
    assert [b.section for b in content.bullets] == ["Details"] * 3 + ["Context"] * 3
    assert content.bullets[0].text == (
        "SOFA grants US military personnel and contractors extensive privileges."
    )
    assert all(not b.text.startswith("▶") for b in content.bullets)
    assert "▶" not in content.body
    for junk in (
        "USA",
        "Notes:",
        "official gazette",
        "Enjoyed",
        "More:",
        "Another story",
        "Apr 09",
        "1 min",
        "Editor",
        "Politsturm social",
    ):
        assert junk not in content.body, junk


# --- site profiles --------------------------------------------------------------------------


def test_profile_hosts_match_the_domain_www_and_subdomains_only() -> None:
    assert find_profile("https://politsturm.com/a") is not None
    assert find_profile("https://www.politsturm.com/a") is not None
    assert find_profile("https://us.politsturm.com/a") is not None
    assert find_profile("https://notpolitsturm.com/a") is None
    assert find_profile("https://politsturm.com.evil.example/a") is None
    assert find_profile(None) is None


def test_profile_css_selectors_pick_lxml_elements_and_remove_furniture() -> None:
    tree = build_tree(
        '<html><body><div class="a b" id="x"><p class="easy-footnote-x">1</p>'
        '<span><p>2</p></span><p>keep</p></div><p data-k="v-end">3</p></body></html>'
    )
    (profile,) = parse_profiles(
        "[[profile]]\nname='t'\nhosts=['t.example']\n"
        "body=['section.none', 'div.b:has(> span)']\n"
        "remove=['[class^=easy-footnote]', 'div#x > span']\n"
        "title='p[data-k$=end]'\n"
    )
    (body,) = profile.select_body(tree)
    assert body.get("id") == "x"
    assert body.getroottree().getroot() is tree  # an element of the lxml tree itself
    assert " ".join(body.text_content().split()) == "keep"
    assert profile.select_title(tree) == "3"
    assert not tree.xpath("//@data-scraper-node")  # the temporary marks are gone


def test_profile_file_errors_are_reported() -> None:
    with pytest.raises(ScraperError):
        parse_profiles("[[profile]]\nname = 'x'\n")  # no hosts
    with pytest.raises(ScraperError):
        parse_profiles("[[profile]]\nname='x'\nhosts=['a.com']\nbody=['div::before']\n")
    (profile,) = parse_profiles("[[profile]]\nname='x'\nhosts=['www.A.com']\nbody=['main']\n")
    assert profile.matches("a.com") and not profile.matches("b.com")


def test_shipped_profiles_have_valid_selectors() -> None:
    # Loading skips the selector check (start-up cost); this is where it happens.
    profiles = parse_profiles(shipped_profiles_text(), check=True)
    assert profiles and all(p.hosts and p.body for p in profiles)


def test_politsturm_markup_on_another_host_gives_the_same_structure_without_a_profile() -> None:
    content = extract(POLITSTURM, "https://mirror.example/paraguay", "US Secures Paraguay")
    assert [s.heading for s in content.sections] == ["Details", "Context"]
    assert len(content.bullets) == 6
    assert "official gazette" not in content.body and "USA" not in content.body


def test_kicker_above_the_title_and_byline_lines_under_it_are_not_body() -> None:
    html = f"""<html><body><article><p class="kicker"><a href="/politics">Politics</a></p>
    <h1>Council backs the budget</h1><p>Par Élodie Marchand</p><p>4 min read · Mar 3, 2026</p>
    <p>Short opening line.</p>{para(1)}{para(2)}</article></body></html>"""
    content = extract(html, title="Council backs the budget")
    assert content.body.startswith("Short opening line.")
    assert "Politics" not in content.body and "Marchand" not in content.body


def test_link_rows_and_read_also_lines_are_not_body() -> None:
    html = f"""<html><body><article>{para(1)}
    <p><a href="/print">Print this story</a> | <a href="/mail">Email to a friend</a></p>
    <p><strong>Lire aussi :</strong>
    <a href="/autre">Onze conseillers municipaux démissionnent</a></p>
    <p>Sources: <a href="https://example.org/report">the full report of the commission</a>.</p>
    {para(2)}</article></body></html>"""
    content = extract(html)
    assert "Print this story" not in content.body
    assert "Lire aussi" not in content.body and content.sections == ()
    assert "Sources: the full report of the commission." in content.body


def test_pre_blocks_keep_br_line_breaks_as_spaces() -> None:
    html = f"""<html><body><article>{para(1)}
    <pre><span>critical:<br>  - a.css<br>defer: true</span></pre>{para(2)}
    </article></body></html>"""
    content = extract(html)
    assert "critical: - a.css defer: true" in content.body


def test_standfirst_outside_the_marked_body_is_kept_as_the_start_of_the_body() -> None:
    html = f"""<html><body><article><header><h1>Snow in the Apennines</h1>
    <p class="subtitle">Temperatures will fall across the whole country, and snow is expected
    above 1400 metres from Thursday night.</p></header>
    <div class="article-body">{para(1)}{para(2)}</div></article></body></html>"""
    content = extract(html, title="Snow in the Apennines")
    assert content.body.startswith("Temperatures will fall across the whole country")
    assert "Paragraph 2." in content.body


def test_an_unclosed_button_does_not_swallow_the_article() -> None:
    paras = "".join(para(i) for i in range(1, 5))
    html = f"""<html><body><header><button class="menu-button">Menu
    <main><article>{paras}</article></main></body></html>"""
    content = extract(html)
    assert "Paragraph 2." in content.body


def test_a_page_served_inside_noscript_is_read() -> None:
    paras = "".join(para(i) for i in range(1, 5))
    html = f"""<html><body><noscript><div id="nojs">{paras}</div></noscript>
    <div id="app"></div></body></html>"""
    content = extract(html)
    assert "Paragraph 3." in content.body


_TAGS = ["p", "div", "ul", "li", "ol", "h2", "h3", "strong", "b", "a", "br", "table", "tr", "td"]


@st.composite
def _pages(draw: st.DrawFn) -> str:
    parts = ["<html><body><article>"]
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["open", "close", "text", "marker"]))
        tag = draw(st.sampled_from(_TAGS))
        if kind == "open":
            parts.append(f"<{tag}>")
        elif kind == "close":
            parts.append(f"</{tag}>")
        elif kind == "marker":
            parts.append(draw(st.sampled_from(["▶ ", "- ", "1. ", "2) ", "• ", "Details. "])))
        else:
            parts.append(draw(st.text(min_size=0, max_size=60)))
    return "".join(parts)


@settings(max_examples=150, deadline=None)
@given(_pages())
def test_any_markup_gives_a_consistent_record(html: str) -> None:
    content = extract(html)
    assert content.body == content.body.strip()
    assert "\n\n\n" not in content.body
    assert content.text_chars == len(content.body)
    for bullet in content.bullets:
        assert bullet.text and bullet.text in content.body
        assert bullet.depth >= 0
    for section in content.sections:
        assert section.heading
        assert section.text in content.body


def test_reference_lists_after_a_references_heading_are_not_bullets() -> None:
    refs = "".join(f"<li>Author {i} (2009). A study of things. Journal {i}.</li>" for i in range(4))
    html = f"""<html><body><article>{para(1)}<ul><li>Real point one</li><li>Real point two</li></ul>
    {para(2)}<h2>References</h2><ol>{refs}</ol></article></body></html>"""
    content = extract(html)
    assert [b.text for b in content.bullets] == ["Real point one", "Real point two"]
    assert "Author 1" not in content.body


def test_soft_hyphens_and_ruby_readings_are_not_body_text() -> None:
    html = (
        "<html><body><article>"
        f"<p>Die Kom\xadmu\xadnal\xadpo\xadli\xadtik &shy;bleibt ein Thema. {LOREM}</p>"
        "<p><ruby>法律<rp>(</rp><rt>ほうりつ</rt><rp>)</rp></ruby>ができて、"
        f"<ruby>子<rt>こ</rt></ruby>どもを守ります。 {LOREM}</p>"
        "</article></body></html>"
    )
    body = extract(html).body
    assert "Die Kommunalpolitik bleibt ein Thema." in body
    assert "法律ができて、子どもを守ります。" in body
    assert "\xad" not in body and "ほうりつ" not in body


def test_long_paragraphs_with_a_generated_furniture_word_in_the_class_stay_in_the_body() -> None:
    html = (
        "<html><body><main><article><h1>Table</h1><div>"
        + "".join(f'<p class="tagStyle_z4kq-o_O">Paragraph {i}. {LOREM}</p>' for i in range(3))
        + '<p class="post-tags">tags: budget</p>'
        "</div></article></main></body></html>"
    )
    body = extract(html).body
    assert all(f"Paragraph {i}." in body for i in range(3))
    assert "tags: budget" not in body


def test_an_inline_dateline_that_opens_the_first_sentence_stays_in_it() -> None:
    html = (
        '<html><body><article><div class="entry"><p><span class="dateline">KOBE &#8211; '
        f"</span>A total of 6,000 masks were lost. {LOREM}</p>{para(2)}"
        '<p><span class="date">9 April 2026</span></p></div></article></body></html>'
    )
    body = extract(html).body
    assert body.startswith("KOBE – A total of 6,000 masks were lost.")
    assert "9 April 2026" not in body


def test_print_back_and_related_topic_captions_are_not_body_text() -> None:
    html = (
        "<html><body><article>"
        f"{para(1)}<p>Print Recipe</p><p>zurück zur Listenansicht</p>{para(2)}"
        "<p>Buch bestellen</p><h3>Über den Autor</h3><p>Max writes about trains.</p>"
        "<h3>Temas relacionados</h3><p><a href='/a'>Otra noticia</a></p>"
        "</article></body></html>"
    )
    body = extract(html).body
    assert "Paragraph 1." in body and "Paragraph 2." in body
    for junk in ("Print Recipe", "Listenansicht", "Buch", "Max writes", "Temas", "Otra noticia"):
        assert junk not in body


def test_server_error_lines_and_permalink_captions_are_not_body_text() -> None:
    html = (
        "<html><body><article>"
        "<p>Warning: Creating default object from empty value in "
        "/www/htdocs/wp-includes/classes.php on line 407</p>"
        f"{para(1)}<p>Permalink https://p.example.com/p/RPYx</p>"
        f"<p>Dieses Skript als PDF herunterladen</p>{para(2)}</article></body></html>"
    )
    body = extract(html).body
    assert body.startswith("Paragraph 1.") and "Paragraph 2." in body
    assert "Warning" not in body and "Permalink" not in body and "PDF" not in body


def test_a_trailing_heading_or_lone_link_line_is_not_body_text() -> None:
    html = (
        f"<html><body><article>{para(1)}<h2>Details</h2>{para(2)}"
        "<p><a href='/gallery'>Pictures of the meeting</a></p><h3>News</h3>"
        "</article></body></html>"
    )
    content = extract(html)
    assert content.body.endswith("public library.")
    assert "Details" in content.body
    assert "Pictures of the meeting" not in content.body and "News" not in content.body
