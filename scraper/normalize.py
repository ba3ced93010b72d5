"""Canonical URL form, so one article is queued, fetched and stored once however it is linked.

The rules are conservative on purpose: only changes that cannot alter what a server
returns (case of scheme and host, default ports, fragments, percent-encoding of
unreserved characters, dot segments) plus dropping well-known tracking parameters.
Query parameters keep their order: many sites give it meaning.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMS", "is_tracking_param", "normalize_url", "same_site"]

# Exact names (lowercase) of parameters that only identify a campaign or a click.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "yclid",
        "_ga",
        "_gl",
        "igshid",
        "ref_src",
        "ref_url",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "twclid",
        "ttclid",
        "li_fat_id",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "rb_clickid",
        "s_kwcid",
        "_openstat",
        "cmpid",
    }
)
# Prefixes (lowercase): utm_source, utm_medium, ... and Piwik/Matomo campaign names.
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = "!$&'()*+,;="
# Characters left as they are in each component (besides "%XX" escapes).
_PATH_SAFE = frozenset(_UNRESERVED | set(_SUB_DELIMS) | set(":@/"))
_QUERY_SAFE = frozenset(_PATH_SAFE | set("?"))
_USERINFO_SAFE = frozenset(_UNRESERVED | set(_SUB_DELIMS) | set(":"))
_HEX = frozenset("0123456789abcdefABCDEF")
_HOST_OK = re.compile(r"^[a-z0-9.\-_]+$")


def is_tracking_param(name: str) -> bool:
    """True for a query parameter name that only tracks campaigns or clicks."""
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(_TRACKING_PREFIXES)


def normalize_url(url: str, base: str | None = None) -> str | None:
    """The canonical form of ``url`` (resolved against ``base``), or None if not http(s).

    Idempotent: ``normalize_url(normalize_url(u)) == normalize_url(u)``. The host is
    only lowercased and IDNA-encoded, never otherwise changed.
    """
    if not isinstance(url, str):
        return None
    url = url.strip().replace("\t", "").replace("\n", "").replace("\r", "")
    if not url:
        return None
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return None
    netloc = _netloc(parts.netloc, scheme)
    if netloc is None:
        return None
    path = _remove_dot_segments(_encode(parts.path, _PATH_SAFE)) or "/"
    if not path.startswith("/"):
        path = "/" + path
    query = _clean_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def same_site(host_a: str | None, host_b: str | None) -> bool:
    """True when two hosts are equal ignoring case and a leading ``www.``."""
    if not host_a or not host_b:
        return False
    return _strip_www(host_a.lower()) == _strip_www(host_b.lower())


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _netloc(netloc: str, scheme: str) -> str | None:
    userinfo, sep, hostport = netloc.rpartition("@")
    if not sep:
        userinfo = ""
    if hostport.startswith("["):  # IPv6 literal
        end = hostport.find("]")
        if end < 0:
            return None
        host, rest = hostport[: end + 1].lower(), hostport[end + 1 :]
        port_text = rest[1:] if rest.startswith(":") else ""
        if rest and not rest.startswith(":"):
            return None
    else:
        raw_host, _, port_text = hostport.partition(":")
        ascii_host = _idna(raw_host)
        if ascii_host is None:
            return None
        host = ascii_host
    if not host or host == "[]":
        return None
    port = ""
    if port_text:
        if not port_text.isdigit() or int(port_text) > 65535:
            return None
        if int(port_text) != _DEFAULT_PORTS[scheme]:
            port = ":" + str(int(port_text))
    user = _encode(userinfo, _USERINFO_SAFE) + "@" if sep else ""
    return f"{user}{host}{port}"


def _idna(host: str) -> str | None:
    """Lowercase ASCII host; non-ASCII labels IDNA-encoded. None if not a valid host."""
    host = host.lower()
    if not host:
        return None
    if host.isascii():
        return host if _HOST_OK.match(host) else None
    try:
        import idna  # installed with requests; UTS 46 handles mixed-case and German ß well

        encoded = idna.encode(host, uts46=True).decode("ascii")
    except Exception:
        try:
            encoded = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    encoded = encoded.lower()
    return encoded if _HOST_OK.match(encoded) else None


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for absolute paths."""
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
            continue
        if seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
            continue
        out.append(seg)
    result = "/".join(out)
    if path.startswith("/") and not result.startswith("/"):
        result = "/" + result
    return result


def _encode(text: str, safe: frozenset[str]) -> str:
    """Normalize escapes: decode unreserved ones, uppercase the rest, encode unsafe chars."""
    if not text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "%":
            if i + 2 < n and text[i + 1] in _HEX and text[i + 2] in _HEX:
                decoded = chr(int(text[i + 1 : i + 3], 16))
                out.append(decoded if decoded in _UNRESERVED else "%" + text[i + 1 : i + 3].upper())
                i += 3
                continue
            out.append("%25")
        elif ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _clean_query(query: str) -> str:
    if not query:
        return ""
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = pair.split("=", 1)[0]
        if is_tracking_param(_encode(name, _QUERY_SAFE)):
            continue
        kept.append(_encode(pair, _QUERY_SAFE))
    return "&".join(kept)
