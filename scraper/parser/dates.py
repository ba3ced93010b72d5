"""Date parsing and normalisation: ISO strings, HTTP dates, visible text, URLs.

Pure functions, no clock access except the injectable ``now`` used for plausibility.
Output follows the record convention: ``2026-04-09`` when only a day is known,
``2026-04-09T10:15:00+02:00`` when time and offset are known, ``2026-04-09T10:15:00``
when a time is known without a zone. A zone is never invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

__all__ = [
    "MIN_YEAR",
    "MONTHS",
    "FoundDate",
    "date_from_url",
    "find_dates",
    "is_plausible",
    "normalize_iso",
    "parse_date_text",
    "relocalize",
    "to_datetime",
]

#: Visible or guessed dates before this year are rejected (the web news era).
MIN_YEAR = 1995

# Month names and abbreviations, lowercase, in the languages we expect (nominative and
# genitive forms where a language inflects them). Ambiguous tokens that are common words
# in another language (e.g. Polish "sie") are left out on purpose.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "januar",
        "jänner",
        "janvier",
        "janv",
        "enero",
        "ene",
        "gennaio",
        "gen",
        "janeiro",
        "januari",
        "январь",
        "января",
        "янв",
        "січень",
        "січня",
        "styczeń",
        "stycznia",
        "sty",
        "tammikuuta",
        "tammikuu",
        "ocak",
    ),
    2: (
        "february",
        "feb",
        "februar",
        "février",
        "fevrier",
        "févr",
        "fév",
        "febrero",
        "febbraio",
        "fevereiro",
        "fev",
        "februari",
        "февраль",
        "февраля",
        "фев",
        "лютий",
        "лютого",
        "luty",
        "lutego",
        "lut",
        "helmikuuta",
        "helmikuu",
        "şubat",
        "subat",
    ),
    3: (
        "march",
        "mar",
        "märz",
        "maerz",
        "mär",
        "mrz",
        "mars",
        "marzo",
        "março",
        "marco",
        "maart",
        "mrt",
        "март",
        "марта",
        "мар",
        "березень",
        "березня",
        "marzec",
        "marca",
        "maaliskuuta",
        "maaliskuu",
        "mart",
    ),
    4: (
        "april",
        "apr",
        "avril",
        "avr",
        "abril",
        "abr",
        "aprile",
        "апрель",
        "апреля",
        "апр",
        "квітень",
        "квітня",
        "kwiecień",
        "kwietnia",
        "kwi",
        "huhtikuuta",
        "huhtikuu",
        "nisan",
    ),
    5: (
        "may",
        "mai",
        "mayo",
        "maggio",
        "mag",
        "maio",
        "mei",
        "май",
        "мая",
        "травень",
        "травня",
        "maj",
        "maja",
        "toukokuuta",
        "toukokuu",
        "mayıs",
        "mayis",
    ),
    6: (
        "june",
        "jun",
        "juni",
        "juin",
        "junio",
        "giugno",
        "giu",
        "junho",
        "июнь",
        "июня",
        "июн",
        "червень",
        "червня",
        "czerwiec",
        "czerwca",
        "cze",
        "kesäkuuta",
        "kesäkuu",
        "haziran",
    ),
    7: (
        "july",
        "jul",
        "juli",
        "juillet",
        "juil",
        "julio",
        "luglio",
        "lug",
        "julho",
        "июль",
        "июля",
        "июл",
        "липень",
        "липня",
        "lipiec",
        "lipca",
        "lip",
        "heinäkuuta",
        "heinäkuu",
        "temmuz",
    ),
    8: (
        "august",
        "aug",
        "août",
        "aout",
        "agosto",
        "ago",
        "augustus",
        "август",
        "августа",
        "авг",
        "серпень",
        "серпня",
        "sierpień",
        "sierpnia",
        "elokuuta",
        "elokuu",
        "ağustos",
        "agustos",
    ),
    9: (
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "set",
        "setembro",
        "сентябрь",
        "сентября",
        "сен",
        "сент",
        "вересень",
        "вересня",
        "wrzesień",
        "września",
        "wrz",
        "syyskuuta",
        "syyskuu",
        "eylül",
        "eylul",
    ),
    10: (
        "october",
        "oct",
        "oktober",
        "okt",
        "octobre",
        "octubre",
        "ottobre",
        "ott",
        "outubro",
        "out",
        "октябрь",
        "октября",
        "окт",
        "жовтень",
        "жовтня",
        "październik",
        "października",
        "paź",
        "lokakuuta",
        "lokakuu",
        "ekim",
    ),
    11: (
        "november",
        "nov",
        "novembre",
        "noviembre",
        "novembro",
        "ноябрь",
        "ноября",
        "ноя",
        "листопад",
        "листопада",
        "listopad",
        "listopada",
        "lis",
        "marraskuuta",
        "marraskuu",
        "kasım",
        "kasim",
    ),
    12: (
        "december",
        "dec",
        "dezember",
        "dez",
        "décembre",
        "decembre",
        "déc",
        "diciembre",
        "dic",
        "dicembre",
        "dezembro",
        "декабрь",
        "декабря",
        "дек",
        "грудень",
        "грудня",
        "grudzień",
        "grudnia",
        "gru",
        "joulukuuta",
        "joulukuu",
        "aralık",
        "aralik",
    ),
}
# Arabic (Egyptian/Gulf names, as most Arabic news sites print them).
for _num, _names in enumerate(
    (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل ابريل إبريل",
        "مايو",
        "يونيو يونيه",
        "يوليو يوليه",
        "أغسطس اغسطس",
        "سبتمبر",
        "أكتوبر اكتوبر",
        "نوفمبر",
        "ديسمبر",
    ),
    start=1,
):
    _MONTH_NAMES[_num] = (*_MONTH_NAMES[_num], *_names.split())
# Romanian, Czech (genitive), Swedish/Danish/Norwegian, Hungarian: cheap extras.
for _num, _names in enumerate(
    (
        "ianuarie ledna januar január",
        "februarie února februari február",
        "martie března marts március",
        "aprilie dubna április",
        "mai května május",
        "iunie června június",
        "iulie července július",
        "srpna augusti augusztus",
        "septembrie září szeptember",
        "octombrie října október",
        "noiembrie listopadu",
        "decembrie prosince",
    ),
    start=1,
):
    _MONTH_NAMES[_num] = (*_MONTH_NAMES[_num], *_names.split())
MONTHS: dict[str, int] = {name: num for num, names in _MONTH_NAMES.items() for name in names}

_TIME = (
    r"(?:\s*(?:,|um|à|a las|at|в|o|alle|às|om|klo|-|–|—|\||/)?\s*"
    r"(\d{1,2})[:h.](\d{2})(?::(\d{2}))?(?!\d)\s*([ap]\.?m\.?)?)?"
)

# Day Month Year: "9 April 2026", "9. April 2026", "le 9 avril 2026", "9 de abril de 2026",
# "1er janvier", "9th April", "9-Apr-2026", "9 апреля 2026 г.".
_DMY_NAME = re.compile(
    r"(?<![\w.])(\d{1,2})(?:\.|er|st|nd|rd|th|º|°|-?го)?[\s\-/]*(?:de\s+)?([^\W\d_]{3,13})"
    r"\.?(?![^\W\d_])[\s\-/,]*(?:de\s+|del\s+)?(\d{4})(?!\d)" + _TIME,
    re.IGNORECASE,
)
# Month Day Year: "Apr 9, 2026", "April 9th, 2026", "Апр 19, 2020".
_MDY_NAME = re.compile(
    r"(?<![^\W\d_])([^\W\d_]{3,13})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)" + _TIME,
    re.IGNORECASE,
)
# ISO-like: 2026-04-09, 2026-04-09T10:15:00+02:00, 2026/04/09, 2026.04.09.
_YMD = re.compile(
    r"(?<![\d/.\-])(\d{4})([\-/.])(\d{1,2})\2(\d{1,2})(?![\d/\-])"
    r"(?:[T ]?\s*(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+\-]\d{2}:?\d{2})?)?",
    re.IGNORECASE,
)
# Numeric day-first (or month-first in English): 09.04.2026, 9/4/2026, 09-04-2026.
_DMY_NUM = re.compile(
    r"(?<![\d.:/\-])(\d{1,2})([./\-])\s?(\d{1,2})\2\s?(\d{4}|\d{2})(?![\d/\-]|\.\d)" + _TIME
)
# CJK: 2026年4月9日
_CJK = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")

_ISO_FULL = re.compile(
    r"^\s*(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?\s*(Z|UTC|GMT|[+\-]\d{2}(?::?\d{2})?)?)?\s*$",
    re.IGNORECASE,
)

# URL dates: /2026/04/09/, /2026-04-09-, _20260409, /2026/04/09.
_URL_YMD = re.compile(r"(?<!\d)((?:19|20)\d{2})[/\-_.]([01]?\d)[/\-_.]([0-3]?\d)(?:[/\-_.]|$)")
_URL_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})([01]\d)([0-3]\d)(?!\d)")
# Day first (/29-10-2021, /23-01-2022-title): only when the day cannot be a month,
# so a US month-first path is never misread.
_URL_DMY = re.compile(r"(?<![\w.])([0-3]\d)[\-_.]([01]\d)[\-_.]((?:19|20)\d{2})(?![\d])")


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date found in text: where it starts and ends, and its ISO form."""

    start: int
    end: int
    iso: str


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _fmt(
    y: int,
    mo: int,
    d: int,
    h: int | None = None,
    mi: int | None = None,
    s: int | None = None,
    tz: timezone | None = None,
) -> str | None:
    try:
        day = date(y, mo, d)
    except ValueError:
        return None
    if h is None or mi is None:
        return day.isoformat()
    try:
        dt = datetime(y, mo, d, h, mi, s or 0, tzinfo=tz)
    except ValueError:
        return day.isoformat()
    return dt.isoformat()


def _tz(value: str | None) -> timezone | None:
    if not value:
        return None
    value = value.upper()
    if value in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) >= 4 else 0
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def normalize_iso(value: str | None, *, lang: str | None = None) -> str | None:
    """Normalise a machine-readable date (ISO 8601, compact, HTTP/RFC 2822) to our format.

    Used for structured sources (JSON-LD, meta tags, ``datetime`` attributes). Falls back
    to :func:`parse_date_text` for human formats that sites put into metadata. Returns
    ``None`` for anything that is not a real calendar date (e.g. ``2020-Apr-Sun``).
    """
    if not value:
        return None
    value = value.strip()
    if not value or len(value) > 80:
        return None
    m = _ISO_FULL.match(value)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        if not 1000 <= y <= 2999:
            return None
        if m[4] is None:
            return _fmt(y, mo, d)
        tz = _tz(m[7])
        if m[7] and tz is None:
            return _fmt(y, mo, d)
        return _fmt(y, mo, d, int(m[4]), int(m[5]), int(m[6] or 0), tz)
    if (value[:1].isalpha() and "," in value[:5]) or value[-3:].upper() in ("GMT", "UTC"):
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            dt = None
        if dt is not None:
            return dt.replace(microsecond=0).isoformat()
    found = next(find_dates(value, lang=lang), None)
    return found.iso if found else None


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000 if y < 70 else 1900
    return y


def _time_part(m: re.Match[str], first: int) -> tuple[int | None, int | None, int | None]:
    hour, minute, second, ampm = (
        m.group(first),
        m.group(first + 1),
        m.group(first + 2),
        m.group(first + 3),
    )
    if hour is None or minute is None:
        return None, None, None
    h, mi = int(hour), int(minute)
    if ampm:
        pm = ampm.lower().startswith("p")
        if h > 12:
            return None, None, None
        h = (h % 12) + (12 if pm else 0)
    if h > 23 or mi > 59:
        return None, None, None
    return h, mi, int(second) if second else None


def _month_first(lang: str | None) -> bool:
    """US-style numeric dates (04/09 = April 9) for English without a region or en-US;
    en-GB, en-IN, en-AU … and every other language write the day first."""
    if not lang:
        return False
    tag = lang.lower().replace("_", "-")
    return tag == "en" or tag.startswith(("en-us", "en-ph"))


def find_dates(text: str, *, lang: str | None = None) -> Iterator[FoundDate]:
    """Yield every calendar date written in ``text``, in order of position.

    ``lang`` (a BCP 47 tag) only decides ambiguous numeric dates like ``04/09/2026``:
    month first for ``en`` and ``en-US``, day first otherwise (``en-GB`` too); an
    impossible reading is discarded either way.
    """
    if not text or not any(c.isdigit() for c in text):
        return
    found: list[FoundDate] = []
    for m in _YMD.finditer(text):
        y, mo, d = int(m[1]), int(m[3]), int(m[4])
        if m[5] is not None:
            tz = _tz(m[8]) if m[8] else None
            iso = _fmt(y, mo, d, int(m[5]), int(m[6]), int(m[7] or 0), tz)
        else:
            iso = _fmt(y, mo, d)
        if iso:
            found.append(FoundDate(m.start(), m.end(), iso))
    for m in _DMY_NAME.finditer(text):
        month = MONTHS.get(m[2].lower().rstrip("."))
        if month:
            h, mi, s = _time_part(m, 4)
            iso = _fmt(int(m[3]), month, int(m[1]), h, mi, s)
            if iso:
                found.append(FoundDate(m.start(), m.end(), iso))
    for m in _MDY_NAME.finditer(text):
        month = MONTHS.get(m[1].lower().rstrip("."))
        if month:
            h, mi, s = _time_part(m, 4)
            iso = _fmt(int(m[3]), month, int(m[2]), h, mi, s)
            if iso:
                found.append(FoundDate(m.start(), m.end(), iso))
    month_first = _month_first(lang)
    for m in _DMY_NUM.finditer(text):
        a, b, sep = int(m[1]), int(m[3]), m[2]
        if len(m[4]) == 2 and sep != ".":
            continue  # "9/4/26" is too often a score or a fraction
        y = _year(m[4])
        if sep == "/" and month_first and a <= 12:
            a, b = b, a
        if b > 12 and a <= 12:
            a, b = b, a
        h, mi, s = _time_part(m, 5)
        iso = _fmt(y, b, a, h, mi, s)
        if iso:
            found.append(FoundDate(m.start(), m.end(), iso))
    for m in _CJK.finditer(text):
        iso = _fmt(int(m[1]), int(m[2]), int(m[3]))
        if iso:
            found.append(FoundDate(m.start(), m.end(), iso))
    found.sort(key=lambda f: (f.start, -f.end))
    last_end = -1
    for f in found:
        if f.start >= last_end:  # overlapping readings of the same characters: keep the first
            last_end = f.end
            yield f


def parse_date_text(
    text: str | None, *, lang: str | None = None, now: datetime | None = None
) -> str | None:
    """Return the first plausible date written in human text, or ``None``.

    Accepts the usual news formats in English, German, French, Spanish, Italian,
    Portuguese, Dutch, Russian, Ukrainian, Polish, Finnish and Turkish, plus ISO and
    numeric forms. Dates before :data:`MIN_YEAR` or more than a day after ``now`` are
    skipped, since visible text is not trusted the way structured metadata is.
    """
    if not text:
        return None
    for f in find_dates(text, lang=lang):
        if is_plausible(f.iso, now=now):
            return f.iso
    return None


def to_datetime(iso: str) -> datetime:
    """Parse one of our own ISO outputs back (naive dates become midnight)."""
    return datetime.fromisoformat(iso)


def is_plausible(iso: str, *, now: datetime | None = None, structured: bool = False) -> bool:
    """Whether a date can be a publication date: not before 1995, not after tomorrow.

    Structured metadata is trusted for the past (archives republish old pieces) and the
    future (embargoed or scheduled posts), within a sane range.
    """
    try:
        dt = to_datetime(iso)
    except ValueError:
        return False
    if structured:
        return 1900 <= dt.year <= 2100
    if dt.year < MIN_YEAR:
        return False
    ref = _now(now)
    if dt.tzinfo is None:
        ref = (
            ref.replace(tzinfo=None)
            if ref.tzinfo is None
            else ref.astimezone(UTC).replace(tzinfo=None)
        )
        return dt <= ref + timedelta(days=1)
    aware_ref = ref if ref.tzinfo is not None else ref.replace(tzinfo=UTC)
    return dt <= aware_ref + timedelta(days=1)


def date_from_url(url: str | None, *, now: datetime | None = None) -> str | None:
    """A full publication day written in the URL path (``/2026/04/09/``, ``20260409``)."""
    if not url:
        return None
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    if not path:
        return None
    for rx in (_URL_YMD, _URL_COMPACT):
        for m in rx.finditer(path):
            iso = _fmt(int(m[1]), int(m[2]), int(m[3]))
            if iso and is_plausible(iso, now=now):
                return iso
    for m in _URL_DMY.finditer(path):
        if int(m[1]) > 12:
            iso = _fmt(int(m[3]), int(m[2]), int(m[1]))
            if iso and is_plausible(iso, now=now):
                return iso
    return None


def relocalize(iso: str, candidates: Iterable[str | None]) -> str:
    """Give a UTC timestamp the page's own offset when another field reveals it.

    Many CMSs write ``2023-11-09T01:49:09+00:00`` in one place and the local wall-clock
    ``2023-11-08 17:49:09`` (or ``-08:00``) in another. The instant is the same, but the
    local form keeps the publisher's calendar day, so it is preferred. Nothing is guessed:
    a naive candidate counts only if it differs from the UTC value by a whole number of
    quarter hours, at most 14 hours.
    """
    try:
        base = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if base.tzinfo is None or base.utcoffset() != timedelta(0):
        return iso
    utc_naive = base.replace(tzinfo=None)
    for raw in candidates:
        cand = normalize_iso(raw) if raw else None
        if not cand or "T" not in cand:
            continue
        try:
            dt = datetime.fromisoformat(cand)
        except ValueError:
            continue
        if dt.tzinfo is not None:
            offset = dt.utcoffset()
            if offset and offset != timedelta(0) and dt == base:
                return cand
            continue
        diff = dt - utc_naive
        quarter = diff % timedelta(minutes=15) == timedelta(0)
        if diff and abs(diff) <= timedelta(hours=14) and quarter:
            return base.astimezone(timezone(diff)).isoformat()
    return iso
