"""decode_html: labels, BOMs, meta declarations, detection and pages that lie."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.encoding import charset_from_content_type, decode_html, normalize_charset

RUSSIAN = (
    "Правительство объявило о новых мерах поддержки. "
    "Съешь же ещё этих мягких французских булок, да выпей чаю."
)
FRENCH = "Le café était très agréable à Noël, déjà l'été — « très » cher."


def page(body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>t</title></head>"
        f"<body><p>{body}</p></body></html>"
    )


def test_windows_1251_russian_via_meta_charset() -> None:
    raw = page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251")
    text, encoding = decode_html(raw)
    assert RUSSIAN in text
    assert encoding == "windows-1251"


def test_windows_1251_via_http_equiv_with_x_label() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=x-cp1251">'
    text, encoding = decode_html(page(RUSSIAN, head).encode("cp1251"))
    assert RUSSIAN in text
    assert encoding == "windows-1251"


def test_windows_1251_from_http_charset_without_meta() -> None:
    text, encoding = decode_html(page(RUSSIAN).encode("cp1251"), "windows-1251")
    assert RUSSIAN in text
    assert encoding == "windows-1251"


def test_server_default_latin1_header_yields_to_page_meta() -> None:
    """Old servers send ISO-8859-1 for everything; the page's own declaration is better."""
    raw = page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251")
    text, encoding = decode_html(raw, "ISO-8859-1")
    assert RUSSIAN in text
    assert encoding == "windows-1251"


def test_russian_without_any_label_is_detected() -> None:
    long_text = " ".join([RUSSIAN] * 5)
    text, encoding = decode_html(page(long_text).encode("cp1251"))
    assert long_text in text
    assert encoding == "windows-1251"


def test_iso_8859_1_label_means_windows_1252_like_browsers() -> None:
    """0x93/0x94 are curly quotes in windows-1252 but C1 controls in real ISO-8859-1."""
    raw = page("Il a dit \x93bonjour\x94 au café.").encode("latin-1")
    text, encoding = decode_html(raw, "iso-8859-1")
    assert "Il a dit “bonjour” au café." in text
    assert encoding == "windows-1252"


def test_iso_8859_1_page_declared_in_meta() -> None:
    raw = page(FRENCH, '<meta charset="ISO-8859-1">').encode("cp1252")
    text, _ = decode_html(raw)
    assert FRENCH in text


def test_windows_1252_undefined_bytes_do_not_break_decoding() -> None:
    text, encoding = decode_html(page("caf\xe9 \x81").encode("latin-1"), "latin1")
    assert "café \x81" in text
    assert encoding == "windows-1252"


def test_utf8_bom_beats_a_wrong_http_label() -> None:
    raw = codecs.BOM_UTF8 + page(FRENCH).encode("utf-8")
    text, encoding = decode_html(raw, "iso-8859-1")
    assert FRENCH in text
    assert not text.startswith("\ufeff")
    assert encoding == "utf-8"


@pytest.mark.parametrize(
    ("codec", "expected"), [("utf-16-le", "utf-16le"), ("utf-16-be", "utf-16be")]
)
def test_utf16_with_bom(codec: str, expected: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    raw = bom + page(RUSSIAN, '<meta charset="utf-16">').encode(codec)
    text, encoding = decode_html(raw, "utf-8")
    assert RUSSIAN in text
    assert text.startswith("<!DOCTYPE html>")
    assert encoding == expected


def test_utf16_without_bom_is_recognised() -> None:
    text, encoding = decode_html(page(FRENCH).encode("utf-16-le"), "utf-8")
    assert FRENCH in text
    assert encoding == "utf-16le"


def test_latin1_page_mislabelled_as_utf8_falls_through() -> None:
    raw = page(FRENCH, '<meta charset="utf-8">').encode("cp1252")
    text, encoding = decode_html(raw, "utf-8")
    assert FRENCH in text
    assert "\ufffd" not in text
    assert encoding == "windows-1252"


def test_utf8_page_mislabelled_as_single_byte_is_read_as_utf8() -> None:
    raw = page(RUSSIAN, '<meta charset="windows-1251">').encode("utf-8")
    text, encoding = decode_html(raw, "windows-1251")
    assert RUSSIAN in text
    assert encoding == "utf-8"


def test_one_corrupt_byte_does_not_throw_a_long_utf8_page_to_guesswork() -> None:
    raw = page(" ".join([RUSSIAN] * 10)).encode("utf-8")
    cut = raw.index("мягких".encode()) + 1
    broken = raw[:cut] + b"\xff" + raw[cut + 1 :]
    text, encoding = decode_html(broken, "utf-8")
    assert encoding == "utf-8"
    assert text.count("Правительство") == 10


def test_no_charset_at_all_utf8() -> None:
    text, encoding = decode_html(page(RUSSIAN + FRENCH).encode("utf-8"))
    assert RUSSIAN + FRENCH in text
    assert encoding == "utf-8"


def test_no_charset_at_all_latin1() -> None:
    text, encoding = decode_html(page(FRENCH).encode("cp1252"))
    assert FRENCH in text
    assert encoding == "windows-1252"


def test_plain_ascii_is_utf8() -> None:
    assert decode_html(b"<p>hello</p>") == ("<p>hello</p>", "utf-8")


def test_xml_declaration_encoding() -> None:
    raw = ('<?xml version="1.0" encoding="windows-1251"?>' + page(RUSSIAN)).encode("cp1251")
    text, encoding = decode_html(raw)
    assert RUSSIAN in text
    assert encoding == "windows-1251"


def test_meta_inside_comment_is_ignored() -> None:
    raw = page(FRENCH, '<!-- <meta charset="koi8-r"> -->').encode("utf-8")
    assert decode_html(raw)[1] == "utf-8"


def test_nul_bytes_are_removed() -> None:
    text, encoding = decode_html(b"<p>a\x00b</p>\x00", "utf-8")
    assert text == "<p>ab</p>"
    assert encoding == "utf-8"


def test_utf7_label_is_refused() -> None:
    raw = b'<meta charset="utf-7"><p>+ADw-script+AD4-</p>'
    text, encoding = decode_html(raw, "utf-7")
    assert "+ADw-script" in text
    assert encoding == "utf-8"


def test_unknown_label_is_ignored() -> None:
    text, encoding = decode_html(page(FRENCH).encode("utf-8"), "utf-88")
    assert FRENCH in text
    assert encoding == "utf-8"


def test_empty_input() -> None:
    assert decode_html(b"") == ("", "utf-8")


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("latin1", "cp1252"),
        ("ISO-8859-1", "cp1252"),
        ("us-ascii", "cp1252"),
        (" 'utf8' ", "utf-8"),
        ("UTF-8", "utf-8"),
        ("x-cp1251", "cp1251"),
        ("windows-1251", "cp1251"),
        ("koi8-r", "koi8-r"),
        ("gb2312", "gb18030"),
        ("shift_jis", "cp932"),
        ("iso-8859-9", "cp1254"),
        ("utf-7", None),
        ("base64", None),
        ("nonsense", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_charset_reads_labels_like_browsers(label: str | None, codec: str | None) -> None:
    assert normalize_charset(label) == codec


@pytest.mark.parametrize(
    ("header", "charset"),
    [
        ("text/html; charset=windows-1251", "windows-1251"),
        ('text/html; charset="UTF-8"', "UTF-8"),
        ("text/html;charset=utf-8;q=1", "utf-8"),
        ("text/html", None),
        (None, None),
    ],
)
def test_charset_from_content_type(header: str | None, charset: str | None) -> None:
    assert charset_from_content_type(header) == charset


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=600), label=st.sampled_from([None, "utf-8", "latin1", "utf-16", "x"]))
def test_decode_html_never_raises(raw: bytes, label: str | None) -> None:
    text, encoding = decode_html(raw, label)
    assert isinstance(text, str)
    assert "\x00" not in text
    assert codecs.lookup(encoding.replace("windows-", "cp"))


def test_short_utf8_page_with_a_few_broken_bytes_stays_utf8() -> None:
    raw = "<p>Grüße aus Köln</p>".encode() + b"\xff\xfe<p>end</p>"
    text, encoding = decode_html(raw, "utf-8")
    assert encoding == "utf-8"
    assert "Grüße aus Köln" in text and "<p>end</p>" in text


def test_ascii_page_labelled_utf16_by_the_server_is_read_as_ascii() -> None:
    text, encoding = decode_html(page(FRENCH).encode("utf-8"), "utf-16")
    assert FRENCH in text
    assert encoding == "utf-8"
