"""Turn the bytes of a web page into text the way a careful browser would.

Order of evidence, most trusted first:

1. a byte-order mark (as in browsers, a BOM beats every label: it cannot be an accident);
2. the HTTP ``charset`` — if it decodes cleanly;
3. ``<meta charset>``, ``<meta http-equiv="Content-Type">`` or an XML declaration in the
   first 4 KB — if it decodes cleanly;
4. detection: UTF-8 first (valid UTF-8 with non-ASCII bytes is almost never an
   accident), then charset-normalizer;
5. UTF-8 with replacement characters.

Labels are read as the WHATWG Encoding Standard says browsers read them, because that
is what page authors tested against: ``latin1``/``iso-8859-1``/``ascii`` mean
windows-1252, ``gb2312`` means GB18030's subset, ``x-cp1251`` means windows-1251,
``utf-16`` inside a page that is readable as ASCII means UTF-8, and so on.

Two deviations from strict label-following, both for pages that lie:

* "Decodes cleanly" tolerates a stray bad byte (at most 1 in 200 non-ASCII bytes), so
  one corrupt byte in a long UTF-8 page does not throw the whole page to guesswork, while
  a latin-1 page labelled UTF-8 (every accent an error) falls through.
* A single-byte label (windows-1252, windows-1251, …) on bytes that are valid UTF-8 and
  contain non-ASCII text is overruled in favour of UTF-8; and an ``iso-8859-1`` HTTP
  header (the old server default) yields to a different charset declared in the page.

NUL characters are removed from the text: they are never content, and lxml stops or
fails on them.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["charset_from_content_type", "decode_html", "normalize_charset"]

_SNIFF_BYTES = 4096
_DETECT_BYTES = 64 * 1024

# WHATWG label -> Python codec, for labels Python reads differently or not at all.
_ALIASES: dict[str, str] = {
    # windows-1252 family: browsers never use real ISO-8859-1 or ASCII.
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "iso88591": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "ibm819": "cp1252",
    "x-cp1252": "cp1252",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    # Other Windows code pages and their x- labels.
    "x-cp1250": "cp1250",
    "x-cp1251": "cp1251",
    "x-cp1253": "cp1253",
    "x-cp1254": "cp1254",
    "x-cp1255": "cp1255",
    "x-cp1256": "cp1256",
    "x-cp1257": "cp1257",
    "x-cp1258": "cp1258",
    "iso-8859-9": "cp1254",
    "iso8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    # UTF-8 spellings.
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "unicode11utf8": "utf-8",
    "unicode20utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
    # CJK: browsers use the supersets.
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "iso-ir-58": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601-1989": "cp949",
    "korean": "cp949",
    "windows-949": "cp949",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
}

# Labels that must not be honoured: UTF-7 and friends are an XSS vector, the
# "replacement" encodings are unreadable by design, x-user-defined is not a charset.
_REFUSED = {
    "utf-7",
    "utf7",
    "unicode-1-1-utf-7",
    "x-user-defined",
    "iso-2022-kr",
    "csiso2022kr",
    "hz-gb-2312",
    "iso-2022-cn",
    "iso-2022-cn-ext",
    "replacement",
}

# Friendlier names for what we report back (Python's cp1251 is the web's windows-1251).
_WEB_NAMES = {
    **{f"cp125{i}": f"windows-125{i}" for i in range(9)},
    "cp874": "windows-874",
    "cp932": "shift_jis",
    "cp949": "euc-kr",
    "big5hkscs": "big5",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
}

_LATIN1_HTTP_LABELS = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "us-ascii"}

_META_RE = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([a-zA-Z0-9_.:\-]+)", re.IGNORECASE)
_XML_DECL_RE = re.compile(
    rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([a-zA-Z0-9_.:\-]+)", re.IGNORECASE
)
_COMMENT_RE = re.compile(rb"<!--.*?-->", re.DOTALL)
_ASCII_BYTES = bytes(range(128))
_CT_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([^\s;\"',]+)", re.IGNORECASE)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _c1_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Map the bytes windows-125x leaves undefined to C1 controls, as browsers do."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return chr(exc.object[exc.start]), exc.start + 1


codecs.register_error("scraper-c1", _c1_fallback)


def normalize_charset(label: str | None) -> str | None:
    """The Python codec for a charset label as a browser reads it, or None if unusable."""
    if not label:
        return None
    name = label.strip().strip("\"'").strip().lower()
    if not name or name in _REFUSED:
        return None
    name = _ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return None
    if codec.name in {"utf-7"} or not getattr(codec, "_is_text_encoding", True):
        return None  # rot13, base64, zlib and other non-text codecs
    return codec.name


def charset_from_content_type(content_type: str | None) -> str | None:
    """The raw ``charset`` parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    match = _CT_CHARSET_RE.search(content_type)
    return match.group(1) if match else None


def decode_html(raw: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode a page; returns ``(text, encoding)``. Never raises."""
    try:
        text, encoding = _decode(raw, http_charset)
    except Exception:  # a codec bug must not lose the page
        text, encoding = raw.decode("utf-8", errors="replace"), "utf-8"
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text, _WEB_NAMES.get(encoding, encoding)


def _decode(raw: bytes, http_charset: str | None) -> tuple[str, str]:
    if not raw:
        return "", normalize_charset(http_charset) or "utf-8"

    for bom, bom_codec in _BOMS:
        if raw.startswith(bom):
            bom_codec = bom_codec.removesuffix("-sig")
            return raw[len(bom) :].decode(bom_codec, errors="replace"), bom_codec

    http = normalize_charset(http_charset)
    declared = _declared_in_document(raw)
    weak_http = (
        http_charset is not None
        and http_charset.strip().strip("\"'").lower() in _LATIN1_HTTP_LABELS
        and declared is not None
        and declared != http
    )
    candidates = [declared, http] if weak_http else [http, declared]

    for label in candidates:
        if label is None:
            continue
        decoded = _decode_cleanly(raw, label)
        if decoded is not None:
            return _prefer_utf8(raw, decoded, label)

    if _looks_utf16(raw):
        wide = "utf-16-le" if raw[1:1024:2].count(0) >= raw[0:1024:2].count(0) else "utf-16-be"
        return raw.decode(wide, errors="replace"), wide

    as_utf8 = _decode_cleanly(raw, "utf-8")
    if as_utf8 is not None:
        return as_utf8, "utf-8"

    detected = _detect(raw)
    if detected is not None:
        decoded = _decode_cleanly(raw, detected)
        if decoded is not None:
            return decoded, detected

    return raw.decode("utf-8", errors="replace"), "utf-8"


def _declared_in_document(raw: bytes) -> str | None:
    """Charset from an XML declaration or a ``<meta>`` in the first few KB."""
    head = raw[:_SNIFF_BYTES]
    if _looks_utf16(head):
        return None  # UTF-16/32 without BOM: an ASCII scan would read garbage
    match = _XML_DECL_RE.match(head)
    if match is None:
        match = _META_RE.search(_COMMENT_RE.sub(b"", head))
    if match is None:
        return None
    codec = normalize_charset(match.group(1).decode("ascii", errors="replace"))
    if codec is not None and codec.startswith("utf-16"):
        return "utf-8"  # we read the label as ASCII, so the page cannot be UTF-16
    return codec


def _decode_cleanly(raw: bytes, codec: str) -> str | None:
    """Decode with ``codec`` if the bytes really are in it, else None.

    Some bad bytes are forgiven: for UTF-8 as long as valid non-ASCII characters are at
    least as many (a page with a few broken bytes is still a UTF-8 page; a latin-1 page
    labelled UTF-8 has almost no valid sequences), for other codecs one per 200 non-ASCII
    bytes. Pages full of NULs are refused for ASCII-compatible codecs because they are
    UTF-16 in disguise.
    """
    if codec.startswith(("utf-16", "utf-32")) and not _looks_utf16(raw):
        return None  # ASCII-looking markup labelled UTF-16 would decode to CJK noise
    errors = "scraper-c1" if codec.startswith(("cp125", "cp874")) else "strict"
    try:
        text = raw.decode(codec, errors=errors)
    except UnicodeDecodeError:
        text = raw.decode(codec, errors="replace")
        bad = text.count("\ufffd") - raw.count(b"\xef\xbf\xbd")
        if codec == "utf-8":
            non_ascii_chars = len(text) - len(text.encode("ascii", errors="ignore"))
            if bad > non_ascii_chars - text.count("\ufffd"):
                return None
        elif bad * 200 > len(raw) - len(raw.translate(None, _ASCII_BYTES)):
            return None
    except (LookupError, ValueError):
        return None
    if not codec.startswith("utf-16") and _looks_utf16(raw):
        return None
    return text


def _prefer_utf8(raw: bytes, text: str, codec: str) -> tuple[str, str]:
    """Overrule a single-byte label when the bytes are valid, non-ASCII UTF-8."""
    if codec == "utf-8" or not _is_single_byte(codec) or raw.isascii():
        return text, codec
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return text, codec


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(("cp12", "cp874", "iso8859", "koi8", "mac-", "latin", "cp8"))


def _detect(raw: bytes) -> str | None:
    """Guess with charset-normalizer on a sample (it is slow on megabytes)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    sample = raw[:_DETECT_BYTES]
    if len(raw) > _DETECT_BYTES:
        # Cut after an ASCII byte so a multi-byte character is not split.
        cut = max(sample.rfind(b">"), sample.rfind(b"\n"), sample.rfind(b" "))
        if cut > 0:
            sample = sample[: cut + 1]
    results = from_bytes(sample)
    best = results.best()
    if best is None:
        return None
    # Short Western pages are ambiguous between the Latin code pages; windows-1252 is
    # by far the most common on the web, so a near-tie goes to it.
    for match in results:
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + 0.1:
            return "cp1252"
    detected = normalize_charset(best.encoding)
    if detected is None or detected.startswith(("utf-16", "utf-32")):
        return None  # without BOM or NUL pattern (checked before) this is a misfire
    return detected


def _looks_utf16(raw: bytes) -> bool:
    """UTF-16 text without a BOM: NULs in every other byte of mostly-ASCII markup."""
    head = raw[:1024]
    if len(head) < 16:
        return False
    half = len(head) // 2
    return head[0::2].count(0) > half * 0.3 or head[1::2].count(0) > half * 0.3
