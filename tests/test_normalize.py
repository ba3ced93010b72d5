"""URL normalization: one article, one URL, however it is linked."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.normalize import is_tracking_param, normalize_url, same_site


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM/a", "http://example.com/a"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("http://example.com/a#section-2", "http://example.com/a"),
        ("http://example.com/a/./b/../c", "http://example.com/a/c"),
        ("http://example.com/%7Euser/%e2%82%ac", "http://example.com/~user/%E2%82%AC"),
        ("http://example.com/a b/ü", "http://example.com/a%20b/%C3%BC"),
        ("https://bücher.de/x", "https://xn--bcher-kva.de/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("  http://example.com/a\n", "http://example.com/a"),
    ],
)
def test_normalizes_to_canonical_form(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


def test_drops_tracking_params_but_keeps_meaningful_ones_in_order() -> None:
    url = (
        "https://example.com/story?id=7&utm_source=tw&UTM_Medium=x&page=2&fbclid=abc"
        "&gclid=1&dclid=2&mc_cid=3&mc_eid=4&yclid=5&_ga=6&igshid=7&ref_src=8&a=1"
    )
    assert normalize_url(url) == "https://example.com/story?id=7&page=2&a=1"


def test_drops_query_entirely_when_only_tracking() -> None:
    assert normalize_url("https://example.com/s?utm_source=x&utm_campaign=y") == (
        "https://example.com/s"
    )


def test_keeps_encoded_reserved_characters_in_query() -> None:
    # %26 is a literal "&" inside a value: decoding it would split the parameter.
    assert normalize_url("http://e.com/?q=a%26b&x=%3d") == "http://e.com/?q=a%26b&x=%3D"


def test_resolves_relative_links_against_base() -> None:
    base = "https://news.example.org/section/index.html"
    assert normalize_url("../2024/story", base) == "https://news.example.org/2024/story"
    assert normalize_url("//cdn.example.org/x", base) == "https://cdn.example.org/x"
    assert normalize_url("?page=2", base) == "https://news.example.org/section/index.html?page=2"


@pytest.mark.parametrize(
    "raw",
    [
        "mailto:someone@example.com",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "data:text/html,hi",
        "tel:+123",
        "",
        "http://",
        "http://exa mple.com/",
        "http://example.com:99999/",
        "http://example.com:abc/",
    ],
)
def test_rejects_non_http_and_broken_urls(raw: str) -> None:
    assert normalize_url(raw) is None


def test_fragment_only_link_resolves_to_the_page_itself() -> None:
    assert normalize_url("#comments", "https://e.com/a?x=1") == "https://e.com/a?x=1"


def test_tracking_param_names() -> None:
    assert is_tracking_param("utm_content")
    assert is_tracking_param("FBCLID")
    assert not is_tracking_param("id")
    assert not is_tracking_param("ref")


def test_same_site_ignores_case_and_www() -> None:
    assert same_site("WWW.Example.com", "example.com")
    assert not same_site("news.example.com", "example.com")
    assert not same_site(None, "example.com")


_host = st.from_regex(r"[A-Za-z0-9]{1,10}(\.[A-Za-z0-9]{1,8}){0,2}\.[A-Za-z]{2,5}", fullmatch=True)
_path = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="#?"), max_size=30
)
_query = st.lists(
    st.tuples(
        st.sampled_from(["id", "utm_source", "page", "fbclid", "q", "a%26b", "x y"]),
        st.text(max_size=8),
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP"]),
    host=_host,
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    path=_path,
    query=_query,
    fragment=st.text(max_size=5),
)
def test_normalization_is_idempotent_and_keeps_the_host(
    scheme: str, host: str, port: str, path: str, query: list[tuple[str, str]], fragment: str
) -> None:
    q = "&".join(f"{k}={v}" for k, v in query)
    url = f"{scheme}://{host}{port}/{path}" + (f"?{q}" if q else "") + f"#{fragment}"
    once = normalize_url(url)
    if once is None:
        return
    assert normalize_url(once) == once
    assert urlsplit(once).hostname == host.lower()
    assert "#" not in once
    assert "utm_source=" not in once and "fbclid=" not in once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = normalize_url(text, "https://example.com/a/b")
    if result is not None:
        assert result.startswith(("http://", "https://"))
        assert normalize_url(result) == result
