"""Temporal expressions: recognised in Indonesian and English, normalised to TIMEX3 values.

A compiled rule layer finds candidate expressions with exact offsets ("hari Jumat (14/6/2024)",
"tiga hari lalu", "awal pekan depan", "pukul 10.00 WIB", "last year"...) and normalises them
against the article's publication time into TIMEX3-style values (``2024-06-14``, ``2024-W24``,
``P3D``, ``FUTURE_REF``...). Each becomes a :class:`~warta.article.Span` of layer ``timex``.

A relative expression keeps its recipe in ``attrs["rel"]`` so that :func:`anchor` can
re-normalise it later against another reference (an undated article, re-anchored on its story's
time). Recipes: ``D-1`` (offset in days; ``W`` weeks, ``M`` months, ``Y`` years, ``H`` hours,
``N`` minutes), ``WE+0`` (weekend), ``WD5p`` (a weekday: ``p`` on or before the reference,
``f`` on or after, ``<``/``>`` strictly before/after, ``W-1`` in the week before), ``MO03n`` and
``MD01-02b`` (a month, a day of a month: ``n`` nearest, ``b``/``f`` on or before/after, ``<``/``>``
strictly, ``=`` this year), ``ANA:D`` (the day last mentioned; ``ANA:M``, ``ANA:Y``, ``ANA:*``,
``ANA:Y-1``); ``|T10:00+07:00`` or ``|TAF`` appends a time of day.

``anchored`` is True when the value is complete: absolute, a duration or set, or relative and
resolved against a reference. ``vague`` marks ``PAST_REF``-style values and unquantified amounts.

dateparser was measured for this (``../shared/OFFLINE-MODELS.md`` section 4): it misses most
relative Indonesian phrases and parses ~590 strings/s, too slow to call per candidate at 200
articles/s; every candidate form here is already split into its parts by the rule that found it,
so the rules normalise it directly (the tests check them against dateparser where it is right).

>>> from datetime import datetime, timedelta, timezone
>>> ref = datetime(2024, 6, 15, 8, 3, tzinfo=timezone(timedelta(hours=7)))
>>> text = "kata Kementerian Luar Negeri pada hari Jumat (14/6/2024) dan pekan ini."
>>> [(text[s.start:s.end], s.label, s.attrs["value"]) for s in extract(text, ref)]
[('hari Jumat (14/6/2024)', 'DATE', '2024-06-14'), ('pekan ini', 'DATE', '2024-W24')]
>>> [(s.label, s.attrs["value"]) for s in extract("Putin tiba Jumat lalu pukul 10.00 WIB.", None)]
[('TIME', 'XXXX-WXX-5T10:00+07:00')]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from .article import Article, Span
from .pipeline import stage

# ---------------------------------------------------------------------------------------------
# Vocabulary

_WEEKDAYS = {
    "senin": 1, "selasa": 2, "rabu": 3, "kamis": 4, "jumat": 5, "jum'at": 5, "jum’at": 5,
    "sabtu": 6, "minggu": 7, "ahad": 7,
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
}
_MONTHS_ID = {
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "agustus": 8, "september": 9, "oktober": 10, "november": 11, "nopember": 11, "desember": 12,
}
_MONTHS_EN = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}
_MONTH_ABBR = {
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8, "ags": 8,
    "agus": 8, "aug": 8, "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11, "nop": 11, "des": 12,
    "dec": 12,
}
_MONTHS = {**_MONTHS_ID, **_MONTHS_EN, **_MONTH_ABBR}
#: TIMEX3 parts of the day.
_PARTS = {
    "pagi": "MO", "subuh": "MO", "dini hari": "MO", "dinihari": "MO", "siang": "AF", "sore": "AF", "petang": "EV",
    "senja": "EV",
    "malam": "NI", "morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "noon": "MI",
}
_TZ = {"wib": "+07:00", "wita": "+08:00", "wit": "+09:00", "gmt": "+00:00", "utc": "+00:00",
       "est": "-05:00", "edt": "-04:00", "pst": "-08:00", "pdt": "-07:00", "cet": "+01:00", "bst": "+01:00"}
#: unit word -> (TIMEX3 letter, is a time unit).
_UNITS = {
    "detik": ("S", True), "menit": ("M", True), "jam": ("H", True), "hari": ("D", False),
    "minggu": ("W", False), "pekan": ("W", False), "bulan": ("M", False), "tahun": ("Y", False),
    "dekade": ("DE", False), "dasawarsa": ("DE", False), "abad": ("CE", False), "kuartal": ("Q", False),
    "triwulan": ("Q", False), "second": ("S", True), "minute": ("M", True), "hour": ("H", True),
    "day": ("D", False), "week": ("W", False), "month": ("M", False), "year": ("Y", False),
    "decade": ("DE", False), "century": ("CE", False), "quarter": ("Q", False),
}
_ONES = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
         "sembilan": 9}
_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}
_VAGUE_NUMBERS = {"beberapa", "sejumlah", "puluhan", "ratusan", "belasan", "ribuan", "several", "few",
                  "a few", "many", "some", "dozens of", "hundreds of"}
_MODS = {"awal": "START", "permulaan": "START", "akhir": "END", "penghujung": "END", "pertengahan": "MID",
         "medio": "MID", "early": "START", "beginning of": "START", "start of": "START", "late": "END",
         "end of": "END", "mid": "MID", "middle of": "MID"}
_SEASONS = {"hujan": "WI", "penghujan": "WI", "kemarau": "SU"}


def _key(words: str) -> str:
    """A vocabulary key: lower case, single spaces."""
    return " ".join(words.lower().split())


def _alt(words: Iterable[str]) -> str:
    """A regex alternation, longest words first so that the longest spelling wins."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


_WD = rf"(?P<wd>{_alt(_WEEKDAYS)})"
_MON_FULL = rf"(?P<mon>{_alt({**_MONTHS_ID, **_MONTHS_EN})})"
_MON_ANY = rf"(?P<mon>{_alt({**_MONTHS_ID, **_MONTHS_EN})}|(?:{_alt(_MONTH_ABBR)})\.?)"
_YEAR = r"(?P<y>(?:1[89]|20)\d\d)(?![\d.,]\d)"
_NUM_ID = (
    rf"(?:\d+(?:,\d+)?|(?:{_alt(_ONES)}|se)\s*(?:puluh|ratus)(?:\s+(?:{_alt(_ONES)}))?"
    rf"|(?:{_alt(_ONES)})\s+belas|sebelas|sepuluh|seratus|{_alt(_ONES)}"
    r"|beberapa|sejumlah|puluhan|ratusan|belasan|ribuan)(?:\s+setengah)?|setengah"
)
_NUM_EN = rf"(?:\d+(?:\.\d+)?|{_alt(_EN_NUMBERS)}|several|a\s+few|few|many|some|dozens\s+of|hundreds\s+of)"
_UNIT_ID = r"(?P<unit>detik|menit|jam|hari|minggu|pekan|bulan|tahun|dekade|dasawarsa|abad|kuartal|triwulan)"
_UNIT_EN = r"(?P<unit>second|minute|hour|day|week|month|year|decade|century|centurie|quarter)s?"
_POD_WORDS = r"pagi|siang|sore|petang|senja|malam|dini\s*hari|subuh"
_POD_ID = rf"(?P<pod>{_POD_WORDS})"
_TZ_RE = rf"(?P<tz>{_alt(w.upper() for w in _TZ)})\b"
_CLOCK = rf"(?P<hh>[0-2]?\d)(?:[.:](?P<mm>[0-5]\d))?(?:\s*{_TZ_RE})?"
#: an optional time of day after a date ("Sabtu (15/6) pukul 10.00 WIB", "Jumat malam"). A comma ends the
#: expression: "15 Jun 2024, 08:03 WIB" is a date and a clock on it, as IndoTimex tags it.
#: an optional time of day after a date ("Sabtu (15/6) pukul 10.00 WIB", "Jumat malam"). A comma ends the
#: expression: "15 Jun 2024, 08:03 WIB" is a date and a clock on it, as IndoTimex tags it.
_TIME_TAIL = (
    rf"(?:\s+(?:(?:sekitar|pada)\s+)?(?:(?:pukul|jam|pk\.?)\s+(?=\d)|(?=\d{{1,2}}[.:]\d\d))"
    rf"{_CLOCK})?"
    rf"(?:\s+{_POD_ID}(?:\s+hari(?:nya)?)?(?!\s+(?:ini|itu)\b))?"
)
_EN_TIME_TAIL = (
    r"(?:\s*,?\s*(?:at\s+)?(?P<hh>[01]?\d)(?::(?P<mm>[0-5]\d))?\s*(?P<ap>[ap]\.?m\.?)"
    rf"(?:\s+{_TZ_RE})?)?(?:\s+(?P<pod>morning|afternoon|evening|night))?"
)
_REL_ID = r"(?P<rel>yang\s+lalu|lalu|silam|kemarin|ini|depan|mendatang|berikutnya|sebelumnya|itu|tersebut)"
_MOD_ID = r"(?:(?P<mod>awal|permulaan|akhir|penghujung|pertengahan|medio)\s+)?"
_MOD_EN = r"(?:(?P<mod>early|late|mid|(?:the\s+)?(?:beginning|start|end|middle)\s+of)(?:\s+|-))?"


# ---------------------------------------------------------------------------------------------
# What a rule produces


@dataclass(frozen=True, slots=True)
class _Found:
    """A recognised expression before normalisation against a reference."""

    start: int
    end: int
    label: str
    value: str | None = None  # absolute value, or None when ``rel`` must be resolved
    rel: str | None = None
    vague: bool = False
    mod: str | None = None
    report: bool = False  # the date a statement was made ("kata Ali, Kamis (28/11/2013)")


def _number(words: str) -> float | None:
    """``"dua puluh lima"`` -> 25, ``"1,5"`` -> 1.5, vague quantities -> None."""
    w = " ".join(words.lower().split())
    if w in _VAGUE_NUMBERS:
        return None
    half = 0.5 if w.endswith("setengah") else 0.0
    w = w.removesuffix("setengah").strip()
    if not w:
        return half
    if re.fullmatch(r"\d+(?:[.,]\d+)?", w):
        return float(w.replace(",", ".")) + half
    if w in _EN_NUMBERS:
        return float(_EN_NUMBERS[w])
    total = 0
    for part in re.findall(r"(se|\w+)\s*(puluh|ratus|belas)|(\w+)", w):
        head, scale, single = part
        if single:
            total += {"sepuluh": 10, "sebelas": 11, "seratus": 100}.get(single, _ONES.get(single, 0))
            continue
        n = 1 if head == "se" else _ONES.get(head, 0)
        total += n * {"puluh": 10, "ratus": 100}[scale] if scale != "belas" else 10 + n
    return float(total + half) if total or half else None


def _fmt_number(n: float) -> str:
    return str(int(n)) if n == int(n) else f"{n:g}"


def _duration(n: float | None, unit: str) -> str:
    letter, is_time = _UNITS[unit.lower().removesuffix("s") if unit.lower() not in _UNITS else unit.lower()]
    amount = "X" if n is None else _fmt_number(n)
    return f"PT{amount}{letter}" if is_time else f"P{amount}{letter}"


def _unit(m: re.Match[str]) -> str:
    unit = m["unit"].lower()
    if unit == "centurie":
        return "century"
    return unit


def _clock(m: re.Match[str]) -> str | None:
    """``|T10:00+07:00`` from the hh/mm/tz/pod/ap groups of a match, or None."""
    groups = m.re.groupindex
    hh = m["hh"] if "hh" in groups else None
    pod = _key((m["pod"] if "pod" in groups else None) or (m["pod0"] if "pod0" in groups else None) or "")
    if hh is None:
        return f"|T{_PARTS[pod]}" if pod else None
    hour, minute = int(hh), m["mm"]
    ap = (m["ap"] or "").lower().replace(".", "") if "ap" in groups else ""
    if ap == "pm" and hour < 12 or pod in ("sore", "petang", "malam") and 1 <= hour < 12 and not (
        pod == "malam" and hour < 4
    ) or pod == "siang" and 1 <= hour < 6:
        hour += 12
    elif ap == "am" and hour == 12:
        hour = 0
    if hour > 24:
        return None
    tz = _TZ[m["tz"].lower()] if "tz" in groups and m["tz"] else ""
    return f"|T{hour % 24:02d}{'' if minute is None else ':' + minute}{tz}"


# ---------------------------------------------------------------------------------------------
# Tense: which way does an unanchored weekday or month point?

_FUTURE_CUE = re.compile(
    r"\b(?:akan|bakal|hendak|rencananya|berencana|dijadwalkan|direncanakan|diperkirakan|mendatang|nanti"
    r"|will|shall|scheduled|plans?|planned|expected|upcoming)\b", re.IGNORECASE)
_PAST_CUE = re.compile(
    r"\b(?:telah|sudah|sempat|pernah|lalu|sejak|was|were|had|did|ago|since)\b", re.IGNORECASE)
#: speech verbs date the statement, not what it is about: past for a weekday, no cue for a month.
_REPORT_CUE = re.compile(
    r"\b(?:kata|ujar|ungkap|tutur|tegas|jelas|mengatakan|menyatakan|menurut|dilaporkan|said|told|says)\b",
    re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]\s")
#: how far after an expression (characters) a future cue still governs it.
_FUTURE_REACH = 25


def _tense(text: str, start: int, end: int) -> str:
    """The nearest tense cue in the sentence: ``"f"`` future, ``"p"`` past, ``"r"`` a speech verb, ``"n"`` none.

    A future cue after the expression counts only close by: in "OPEC, Rabu, memperkirakan permintaan
    akan turun" the "akan" belongs to the reported clause, not to Wednesday.
    """
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    right_m = _SENTENCE_END.search(text, end)
    right = right_m.start() if right_m else len(text)
    best: tuple[int, str] | None = None
    for cue, mark in ((_FUTURE_CUE, "f"), (_PAST_CUE, "p"), (_REPORT_CUE, "r")):
        for m in cue.finditer(text, left, right):
            if start <= m.start() < end:
                continue
            dist = start - m.end() if m.end() <= start else m.start() - end
            if mark == "f" and m.start() >= end and dist > _FUTURE_REACH:
                continue
            if best is None or dist < best[0]:
                best = (dist, mark)
    return best[1] if best else "n"


def _month_mark(text: str, start: int, end: int) -> str:
    """How to find the year of a month named alone: ``f`` on or after, ``b`` on or before, ``n`` nearest."""
    return {"f": "f", "p": "b"}.get(_tense(text, start, end), "n")


# ---------------------------------------------------------------------------------------------
# Rules: (regex, handler). A handler returns the fields of a _Found, or None to reject the match.

Handler = Callable[[re.Match[str], str], dict[str, Any] | None]
_RULES: list[tuple[re.Pattern[str], Handler, str, frozenset[str]]] = []
#: the start key of a token that begins with a digit.
_DIGIT = "#digit"
#: the tokens a rule may start at: words (a match is only tried where one of its first words is).
_TOKEN = re.compile(r"\w+|\(")


def _rule(pattern: str, lang: str = "id", *, starts: Iterable[str]) -> Callable[[Handler], Handler]:
    """Register a rule: its regex, the language it belongs to, and the lowercase words it can start with."""

    def register(fn: Handler) -> Handler:
        regex = re.compile(rf"(?<![\w.,/:])(?:{pattern})(?![\w])", re.IGNORECASE)
        _RULES.append((regex, fn, lang, frozenset(starts)))
        return fn

    return register


def _firsts(words: Iterable[str]) -> set[str]:
    """The first token of each word or phrase, lower-cased."""
    return {m[0] for w in words if (m := _TOKEN.match(w.lower()))}


_S_WD = _firsts(_WEEKDAYS)
_S_MON = _firsts({**_MONTHS_ID, **_MONTHS_EN})
_S_MOD_ID = {"awal", "permulaan", "akhir", "penghujung", "pertengahan", "medio"}
_S_MOD_EN = {"early", "late", "mid", "the", "beginning", "start", "end", "middle"}
_S_REL_EN = {"last", "next", "this", "coming", "past", "previous"}
_S_UNIT_ID = {"detik", "menit", "jam", "hari", "minggu", "pekan", "bulan", "tahun", "dekade", "dasawarsa", "abad",
              "kuartal", "triwulan"}
_S_NUM_ID = _firsts(_ONES) | {"se", "sepuluh", "sebelas", "seratus", "setengah", "beberapa", "sejumlah",
                               "puluhan", "ratusan", "belasan", "ribuan", _DIGIT}
_S_NUM_EN = _firsts(_EN_NUMBERS) | {"several", "few", "many", "some", "dozens", "hundreds", _DIGIT}
_S_POD_ID = {"pagi", "siang", "sore", "petang", "senja", "malam", "dini", "dinihari", "subuh"}


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _year(y: str) -> int:
    n = int(y)
    return n + 2000 if n < 50 and len(y) <= 2 else n + 1900 if len(y) <= 2 else n


def _with_time(value: str | None, rel: str | None, m: re.Match[str]) -> dict[str, Any]:
    clock = _clock(m)
    if not clock:
        return {"label": "DATE", "value": value, "rel": rel}
    if value is not None and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return {"label": "TIME", "value": value + clock[1:], "rel": None}
    return {"label": "TIME", "value": None, "rel": (rel or f"ABS:{value}") + clock}


def _valid_date(y: int, mo: int, d: int) -> bool:
    try:
        date(y, mo, d)
    except ValueError:
        return False
    return True


def _month_day(m: re.Match[str], text: str, mo: int, d: int, y: str | None) -> dict[str, Any] | None:
    if y:
        year = _year(y)
        if not _valid_date(year, mo, d):
            return None
        return _with_time(f"{year:04d}-{mo:02d}-{d:02d}", None, m)
    if not _valid_date(2000, mo, d):
        return None
    rel_word = (m["rel"] or "").lower() if "rel" in m.re.groupindex else ""
    mark = _MARKS.get(rel_word) or _month_mark(text, m.start(), m.end())
    return _with_time(None, f"MD{mo:02d}-{d:02d}{mark}", m)


@_rule(rf"(?:(?:hari\s+)?{_WD}\s*,?\s*)?(?:(?:tanggal|tgl\.?)\s+)?(?P<d>[0-3]?\d)\s+{_MON_ANY}"
       rf"(?:\s+(?:tahun\s+)?{_YEAR})?(?:\s+(?P<rel>yang\s+lalu|lalu|silam|mendatang|depan|ini))?{_TIME_TAIL}",
       starts={"hari", "tanggal", "tgl", _DIGIT} | _S_WD)
def _id_calendar_date(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "Rabu, 13 September 2023", "2 Januari", "15 Jun 2024, 08:03 WIB", "tanggal 17 Agustus lalu"."""
    return _month_day(m, text, _MONTHS[m["mon"].lower().rstrip(".")], int(m["d"]), m["y"])


@_rule(rf"(?:(?:hari\s+)?{_WD}\s*,?\s*)?(?:{_MON_FULL}\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
       rf"(?:\s*,?\s*{_YEAR})?){_EN_TIME_TAIL}", lang="en", starts={"hari"} | _S_WD | _S_MON)
def _en_calendar_date(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "June 14, 2024", "Friday, June 14", "March 3 at 10 a.m."."""
    if not _capitalised(m["mon"]):
        return None
    return _month_day(m, text, _MONTHS[m["mon"].lower().rstrip(".")], int(m["d"]), m["y"])


@_rule(rf"(?:(?:hari\s+)?{_WD}(?:\s+(?P<pod0>{_POD_WORDS}))?\s*,?\s*)?\(?\s*(?P<d>[0-3]?\d)\s*[/-]\s*(?P<mo>[01]?\d)"
       rf"(?:\s*[/-]\s*(?P<y>(?:19|20)?\d\d))?\s*\)?{_TIME_TAIL}(?:\s+(?P<rel>lalu|kemarin))?",
       starts={"hari", "(", _DIGIT} | _S_WD)
def _numeric_date(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "Jumat (14/6/2024)", "Minggu pagi (28/12/2014)", "Senin (10/6)", "14/6/2024", "14-06-2024"."""
    opened, closed = "(" in m.group(0), ")" in m.group(0)
    if opened != closed or not (m["wd"] and opened or m["y"] and len(m["y"]) == 4):
        return None
    return _month_day(m, text, int(m["mo"]), int(m["d"]), m["y"])


@_rule(r"(?P<y>(?:19|20)\d\d)-(?P<mo>[01]\d)-(?P<d>[0-3]\d)(?:[T ](?P<hh>[0-2]\d):(?P<mm>[0-5]\d))?", "any",
       starts={_DIGIT})
def _iso_date(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ISO 8601 dates and timestamps."""
    return _month_day(m, text, int(m["mo"]), int(m["d"]), m["y"])


def _weekday(m: re.Match[str], text: str, rel_word: str, week: str) -> dict[str, Any] | None:
    wd_word = m["wd"]
    k = _WEEKDAYS[wd_word.lower()]
    has_hari = m.group(0).lower().startswith("hari")
    if not has_hari and not _capitalised(wd_word):
        return None
    if text[max(0, m.start() - 6) : m.start()].lower() == "pasar ":
        return None  # Jakarta's districts Pasar Minggu, Pasar Senen
    if k == 7 and wd_word.lower() == "minggu" and not has_hari and rel_word and not week:
        return None  # "minggu lalu" is last week, not last Sunday
    if week:
        shift = {"lalu": "-1", "kemarin": "-1", "last": "-1", "previous": "-1", "depan": "+1",
                 "mendatang": "+1", "next": "+1"}.get(rel_word, "+0")
        rel = f"WD{k}W{shift}"
    elif rel_word in ("lalu", "kemarin", "last", "previous", "past"):
        rel = f"WD{k}<"
    elif rel_word in ("depan", "mendatang", "next", "coming"):
        rel = f"WD{k}>"
    elif rel_word in ("ini", "this"):
        rel = f"WD{k}W+0"
    else:
        rel = f"WD{k}{'f' if _tense(text, m.start(), m.end()) == 'f' else 'p'}"
    return _with_time(None, rel, m)


@_rule(rf"(?:hari\s+)?{_WD}(?:\s+(?P<week>pekan|minggu)\s+(?P<rel>lalu|depan|ini|kemarin|mendatang)"
       rf"|\s+(?P<rel2>lalu|depan|ini|kemarin|mendatang))?{_TIME_TAIL}(?:\s+(?P<rel3>kemarin|lalu))?",
       starts={"hari"} | _S_WD)
def _id_weekday(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "hari Jumat", "Jumat lalu", "Jumat pekan lalu", "Senin depan", "Jumat malam", "Selasa sore kemarin"."""
    rel_word = (m["rel"] or m["rel2"] or m["rel3"] or "").lower()
    return _weekday(m, text, rel_word, m["week"] or "")


@_rule(rf"(?:(?P<rel>last|next|this|coming|past|previous)\s+)?{_WD}(?:\s+(?:the\s+)?(?P<wrel>last|next)"
       rf"\s+week)?{_EN_TIME_TAIL}", lang="en", starts=_S_REL_EN | _S_WD)
def _en_weekday(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "Friday", "last Friday", "next Monday", "Friday morning"."""
    if m["wrel"]:
        return _weekday(m, text, m["wrel"].lower(), "week")
    return _weekday(m, text, (m["rel"] or "").lower(), "")


def _month_name(m: re.Match[str], text: str, rel_word: str) -> dict[str, Any] | None:
    mo = _MONTHS[m["mon"].lower()]
    mod = _MODS.get(" ".join((m["mod"] or "").lower().split()).removeprefix("the ")) if m["mod"] else None
    if m["y"]:
        return {"label": "DATE", "value": f"{int(m['y']):04d}-{mo:02d}", "mod": mod}
    mark = _MARKS.get(rel_word) or _month_mark(text, m.start(), m.end())
    return {"label": "DATE", "rel": f"MO{mo:02d}{mark}", "mod": mod}


#: the direction a word after a month or date gives it ("Juli lalu", "Oktober ini", "2 Mei mendatang").
_MARKS = {"lalu": "<", "kemarin": "<", "yang lalu": "<", "silam": "<", "last": "<", "ini": "=", "this": "=",
          "depan": ">", "mendatang": ">", "next": ">", "coming": ">"}


@_rule(rf"{_MOD_ID}(?P<bulan>bulan\s+)?{_MON_FULL}(?:\s+(?:tahun\s+)?{_YEAR})?"
       rf"(?:\s+(?P<rel>yang\s+lalu|lalu|silam|kemarin|ini|depan|mendatang))?",
       starts=_S_MOD_ID | {"bulan"} | _S_MON)
def _id_month(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "bulan Maret", "Juli 2024", "awal Juli 2024", "Oktober ini", "Juli lalu"."""
    if not (m["bulan"] or _capitalised(m["mon"])):
        return None
    return _month_name(m, text, (m["rel"] or "").lower())


@_rule(rf"(?:(?P<rel>last|next|this|coming)\s+)?{_MOD_EN}{_MON_FULL}(?:\s*,?\s*(?:of\s+)?{_YEAR})?", "en",
       starts={"last", "next", "this", "coming"} | _S_MOD_EN | _S_MON)
def _en_month(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "March 2024", "in March", "early July", "last May"."""
    mon = m["mon"]
    if not _capitalised(mon):
        return None
    if mon.lower() in ("may", "march") and not (m["y"] or m["rel"] or m["mod"]):
        before = text[max(0, m.start() - 8) : m.start()].lower().split()
        if not before or before[-1] not in ("in", "since", "until", "by", "of", "from", "through"):
            return None
    return _month_name(m, text, (m["rel"] or "").lower())


@_rule(rf"{_MOD_ID}(?:(?P<lead>tahun|thn\.?|era|dekade|periode)\s+)?(?:(?P<dec>(?:19|20)?\d0)-?an|{_YEAR})"
       rf"(?:\s+(?P<rel>lalu|silam|ini))?",
       starts=_S_MOD_ID | {"tahun", "thn", "era", "dekade", "periode", _DIGIT})
def _id_year(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "tahun 2000", "2014", "pertengahan 2014", "akhir tahun 2023", "tahun 1990-an"."""
    mod = _MODS.get(m["mod"].lower()) if m["mod"] else None
    if m["dec"]:
        if len(m["dec"]) == 2 and not m["lead"]:
            return None  # "level 60-an dollar": a number, not the sixties
        dec = m["dec"] if len(m["dec"]) == 4 else "19" + m["dec"]
        return {"label": "DATE", "value": dec[:3], "mod": mod}
    if not _plausible_year(m, text):
        return None
    return {"label": "DATE", "value": m["y"], "mod": mod}


@_rule(rf"{_MOD_EN}(?:{_YEAR}|(?:the\s+)?(?P<dec>(?:19|20)\d0)'?s)", "en", starts=_S_MOD_EN | {_DIGIT})
def _en_year(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "2014", "mid-2014", "late 2023", "the 1990s"."""
    mod = _MODS.get(" ".join(m["mod"].lower().split()).removeprefix("the ")) if m["mod"] else None
    if m["dec"]:
        return {"label": "DATE", "value": m["dec"][:3], "mod": mod}
    if not _plausible_year(m, text):
        return None
    return {"label": "DATE", "value": m["y"], "mod": mod}


_NOT_YEAR_BEFORE = re.compile(r"(?:rp\.?|us\$|\$|€|£|no\.?|nomor|pasal|ayat|nomer|kode|#|ke-?)\s*$", re.I)
_NOT_YEAR_AFTER = re.compile(
    r"^\s*(?:orang|unit|ton|kg|km|meter|m|kilometer|rupiah|dolar|persen|%|jiwa|kaki|mil|ekor|buah|rumah"
    r"|kendaraan|hektare|ha|liter|barel|people|units|tons|feet|miles|dollars|percent)\b", re.I)


def _plausible_year(m: re.Match[str], text: str) -> bool:
    """A bare four-digit number is a year unless a currency, a number label or a unit says otherwise."""
    lead = m.group(0)[: m.start("y") - m.start()].strip()
    if lead:
        return True
    return not (_NOT_YEAR_BEFORE.search(text, max(0, m.start() - 6), m.start())
                or _NOT_YEAR_AFTER.match(text, m.end()))


_SHIFT_ID = {"ini": 0, "lalu": -1, "yang lalu": -1, "silam": -1, "kemarin": -1, "depan": 1, "mendatang": 1,
             "berikutnya": 1, "sebelumnya": -1}


@_rule(rf"{_MOD_ID}{_UNIT_ID}\s+{_REL_ID}", starts=_S_MOD_ID | _S_UNIT_ID)
def _id_relative_unit(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "pekan ini", "tahun lalu", "awal pekan depan", "bulan itu", "akhir pekan lalu"."""
    unit, rel_word = m["unit"].lower(), " ".join(m["rel"].lower().split())
    letter, is_time = _UNITS[unit]
    if is_time or not m["mod"] and _AFTER_NUMBER.search(text, 0, m.start()):
        return None  # "pelatih 44 tahun itu" is the 44-year-old coach
    mod = _MODS.get(m["mod"].lower()) if m["mod"] else None
    if mod == "END" and letter == "W" and m["mod"].lower() == "akhir":
        mod, letter = None, "WE"
    if rel_word in ("itu", "tersebut"):
        return {"label": "DATE", "rel": f"ANA:{letter if letter != 'WE' else 'D'}", "mod": mod}
    shift = _SHIFT_ID[rel_word]
    if rel_word in ("berikutnya", "sebelumnya"):
        return {"label": "DATE", "rel": f"ANA:{letter}{shift:+d}", "mod": mod}
    return {"label": "DATE", "rel": f"{letter}{shift:+d}", "mod": mod}


_AFTER_NUMBER = re.compile(rf"(?:\d|\b(?:{_NUM_ID}))\s+$", re.IGNORECASE)


@_rule(r"akhir\s+pekan", starts={"akhir"})
def _id_weekend(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "akhir pekan" alone: the weekend of the reference week."""
    return {"label": "DATE", "rel": "WE+0"}


@_rule(rf"{_MOD_EN}(?P<rel>last|next|this|coming|previous)\s+{_UNIT_EN}", "en", starts=_S_MOD_EN | _S_REL_EN)
def _en_relative_unit(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "last year", "this week", "next month", "early next year"."""
    letter, is_time = _UNITS[_unit(m)]
    if is_time:
        return None
    shift = {"last": -1, "previous": -1, "this": 0}.get(m["rel"].lower(), 1)
    mod = _MODS.get(" ".join(m["mod"].lower().split()).removeprefix("the ")) if m["mod"] else None
    return {"label": "DATE", "rel": f"{letter}{shift:+d}", "mod": mod}


_DIRECTION_ID = {
    "lalu": -1, "yang lalu": -1, "silam": -1, "yang silam": -1, "lewat": -1, "yang lewat": -1, "sebelumnya": -1,
    "kemudian": 1, "lagi": 1, "mendatang": 1, "ke depan": 1, "berikutnya": 1, "terakhir": 0, "belakangan": 0,
    "ago": -1, "earlier": -1, "before": -1, "later": 1, "from now": 1, "after": 1,
}


def _offset(n: float | None, unit: str, direction: str) -> dict[str, Any] | None:
    """ "dua hari lalu" (a date), "beberapa hari lalu" (PAST_REF), "tiga tahun terakhir" (a duration)."""
    letter, is_time = _UNITS[unit if unit in _UNITS else unit.removesuffix("s")]
    direction = _key(direction)
    sign = _DIRECTION_ID[direction]
    if sign == 0 or direction == "ke depan" and n is not None:
        return {"label": "DURATION", "value": _duration(n, unit), "vague": n is None}
    if n is None:
        return {"label": "DATE", "value": "PAST_REF" if sign < 0 else "FUTURE_REF", "vague": True}
    if n != int(n) or letter in ("S", "DE", "CE", "Q"):
        return {"label": "DURATION", "value": _duration(n, unit)}
    anchor = "ANA:" if direction in ("kemudian", "sebelumnya", "berikutnya", "later", "earlier",
                                               "before", "after") else ""
    code = {"M": "N" if is_time else "M"}.get(letter, letter)
    rel = f"{anchor}{code}{sign * int(n):+d}"
    return {"label": "TIME" if is_time else "DATE", "rel": rel}


@_rule(rf"(?P<n>{_NUM_ID})\s+{_UNIT_ID}\s+(?P<dir>yang\s+lalu|lalu|yang\s+silam|silam|yang\s+lewat|lewat"
       r"|sebelumnya|kemudian|lagi|mendatang|ke\s+depan|terakhir|belakangan|berikutnya)", starts=_S_NUM_ID)
def _id_offset(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "dua hari lalu", "tiga tahun silam", "beberapa hari mendatang", "lima tahun terakhir"."""
    return _offset(_number(m["n"]), _unit(m), m["dir"])


@_rule(rf"(?P<n>{_NUM_EN})\s+{_UNIT_EN}\s+(?P<dir>ago|earlier|later|from\s+now)", "en", starts=_S_NUM_EN)
def _en_offset(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "two days ago", "three weeks later"."""
    return _offset(_number(m["n"]), _unit(m), m["dir"])


@_rule(rf"(?:the\s+)?(?P<dir>past|last|next|coming)\s+(?:(?P<n>{_NUM_EN})\s+)?{_UNIT_EN}", "en",
       starts={"the", "past", "last", "next", "coming"})
def _en_span(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "the past three days", "the next few weeks": durations; "the coming days": vague future."""
    if not m.group(0).lower().startswith("the") and not m["n"]:
        return None
    n = _number(m["n"]) if m["n"] else None if m.group(0).lower().endswith("s") else 1.0
    if n is None and m["dir"].lower() in ("next", "coming"):
        return {"label": "DATE", "value": "FUTURE_REF", "vague": True}
    return {"label": "DURATION", "value": _duration(n, _unit(m)), "vague": n is None}


_ANGLE_BEFORE = re.compile(r"(?:derajat|°)[\s\d,.'’]*(?:menit\s+)?[\s\d,.'’]*$", re.IGNORECASE)


@_rule(rf"(?P<n>{_NUM_ID})\s+{_UNIT_ID}(?:(?<=jam)\s+(?P<n2>{_NUM_ID})\s+menit)?",
       starts=_S_NUM_ID)
def _id_duration(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "tiga hari", "enam tahun", "24 jam", "beberapa bulan", "1,5 jam", "2 jam 15 menit"."""
    n = _number(m["n"])
    angle = m["unit"].lower() in ("menit", "detik") and _ANGLE_BEFORE.search(text, max(0, m.start() - 25), m.start())
    if n == 0 or angle:
        return None  # "3 derajat 22 menit 46 detik" is a coordinate
    value = _duration(n, m["unit"])
    if m["n2"]:
        n2 = _number(m["n2"])
        value += ("X" if n2 is None else _fmt_number(n2)) + "M"
    return {"label": "DURATION", "value": value, "vague": n is None}


_RATE_BEFORE = re.compile(r"(?:\d|\b(?:hours?|days?|weeks?|months?|times?))\s+$", re.IGNORECASE)


@_rule(rf"(?P<n>{_NUM_EN})\s+{_UNIT_EN}(?:\s+long)?", "en", starts=_S_NUM_EN)
def _en_duration(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "three days", "a year", "several weeks"."""
    if _unit(m) == "quarter" and re.match(r"\s+of\b", text[m.end():]):
        return None  # "a quarter of the donors" is a fraction
    if m["n"].lower() in ("a", "an") and _RATE_BEFORE.search(text, max(0, m.start() - 8), m.start()):
        return {"label": "SET", "value": _duration(1, _unit(m))}  # "$12 an hour", "60 hours a week"
    n = _number(m["n"])
    return {"label": "DURATION", "value": _duration(n, _unit(m)), "vague": n is None}


@_rule(r"se(?P<unit>detik|menit|jam|hari|minggu|pekan|bulan|tahun|dekade|abad)(?!-)(?:\s+(?P<dir>yang\s+lalu|lalu"
       r"|silam|sebelumnya|kemudian|berikutnya|lagi|mendatang|terakhir|belakangan))?",
       starts={"se" + u for u in _S_UNIT_ID})
def _id_one_unit(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "setahun", "sepekan", "seminggu lalu" (one week ago), "sehari sebelumnya", "setahun terakhir"."""
    if m["dir"]:
        return _offset(1.0, m["unit"].lower(), m["dir"])
    return {"label": "DURATION", "value": _duration(1, m["unit"])}


@_rule(r"ber(?P<unit>detik|menit|jam|hari|minggu|pekan|bulan|tahun|dekade|abad)-(?P=unit)",
       starts={"ber" + u for u in _S_UNIT_ID})
def _id_many_units(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "bertahun-tahun", "berbulan-bulan": vague durations."""
    return {"label": "DURATION", "value": _duration(None, m["unit"]), "vague": True}


@_rule(rf"(?:setiap|tiap|tiap-tiap|saban|per)\s+(?:(?P<n>{_NUM_ID})\s+)?(?:{_UNIT_ID}|{_WD}|{_POD_ID}"
       rf"|(?:bulan\s+)?{_MON_FULL})|(?P<cnt>{_NUM_ID})\s+kali\s+(?:dalam\s+)?se(?P<unit2>hari|minggu|pekan|bulan"
       r"|tahun)", starts={"setiap", "tiap", "saban", "per"} | _S_NUM_ID)
def _id_set(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "setiap Senin", "tiap tahun", "setiap dua minggu", "dua kali sehari"."""
    return _set(m)


@_rule(rf"(?:every|each)\s+(?:(?P<n>{_NUM_EN})\s+)?(?:{_UNIT_EN}|{_WD}|(?P<pod>morning|afternoon|evening|night)"
       rf"|{_MON_FULL})|(?P<cnt>once|twice|{_NUM_EN}\s+times)\s+a\s+(?P<unit2>day|week|month|year)"
       r"|(?P<adv>daily|weekly|monthly|annually|yearly)", "en",
       starts={"every", "each", "once", "twice", "daily", "weekly", "monthly", "annually", "yearly"} | _S_NUM_EN)
def _en_set(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "every Monday", "each year", "twice a week", "daily"."""
    if m["adv"]:
        if not m["adv"].islower():
            return None  # "Breitbart News Daily" is a name
        unit = {"daily": "day", "weekly": "week", "monthly": "month"}.get(m["adv"].lower(), "year")
        return {"label": "SET", "value": _duration(1, unit)}
    return _set(m)


def _set(m: re.Match[str]) -> dict[str, Any] | None:
    if m.group(0).lower().startswith("per ") and (m["n"] or m["wd"] or m["mon"] or m["pod"]):
        return None  # "per 26 Desember" is "as of", not a recurrence
    if m["unit2"]:
        return {"label": "SET", "value": _duration(1, m["unit2"])}
    if m["wd"]:
        return {"label": "SET", "value": f"XXXX-WXX-{_WEEKDAYS[m['wd'].lower()]}"}
    if m["pod"]:
        return {"label": "SET", "value": f"XXXX-XX-XXT{_PARTS[' '.join(m['pod'].lower().split())]}"}
    if m["mon"]:
        return {"label": "SET", "value": f"XXXX-{_MONTHS[m['mon'].lower()]:02d}"}
    n = _number(m["n"]) if m["n"] else 1.0
    return {"label": "SET", "value": _duration(n, _unit(m)), "vague": n is None}


@_rule(r"(?:pukul|jam|pk\.?)\s+" + _CLOCK + rf"(?:\s+{_POD_ID})?|(?P<hh2>[0-2]?\d)[.:](?P<mm2>[0-5]\d)\s*"
       rf"(?P<tz2>{_alt(w.upper() for w in _TZ)})\b", starts={"pukul", "jam", "pk", _DIGIT})
def _id_clock(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "pukul 10.00 WIB", "jam 8 malam", "21.30 WITA": the time on the day last mentioned."""
    if m["hh2"]:
        hour, minute, tz = int(m["hh2"]), int(m["mm2"]), _TZ[m["tz2"].lower()]
        if hour > 24:
            return None
        return {"label": "TIME", "rel": f"ANA:D|T{hour % 24:02d}:{minute:02d}{tz}"}
    clock = _clock(m)
    return {"label": "TIME", "rel": f"ANA:D{clock}"} if clock else None


@_rule(rf"(?P<hh>[01]?\d)(?::(?P<mm>[0-5]\d))?\s*(?P<ap>[ap]\.m\.|[ap]m)(?:\s+{_TZ_RE})?", "en",
       starts={_DIGIT})
def _en_clock(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "10 a.m.", "10:30 pm EST"."""
    clock = _clock(m)
    return {"label": "TIME", "rel": f"ANA:D{clock}"} if clock else None


_WORDS_ID: dict[str, tuple[str, str | None, str | None, bool]] = {
    # phrase: (label, value, rel, vague)
    "kemarin lusa": ("DATE", None, "D-2", False), "kemarin": ("DATE", None, "D-1", False),
    "besok lusa": ("DATE", None, "D+2", False), "lusa": ("DATE", None, "D+2", False),
    "besok": ("DATE", None, "D+1", False), "esok": ("DATE", None, "D+1", False),
    "esok hari": ("DATE", None, "D+1", False), "hari ini": ("DATE", None, "D+0", False),
    "semalam": ("TIME", None, "D-1|TNI", False), "tadi malam": ("TIME", None, "NIGHT", False),
    "sekarang": ("DATE", "PRESENT_REF", None, True), "kini": ("DATE", "PRESENT_REF", None, True),
    "saat ini": ("DATE", "PRESENT_REF", None, True), "dewasa ini": ("DATE", "PRESENT_REF", None, True),
    "masa kini": ("DATE", "PRESENT_REF", None, True), "belakangan ini": ("DATE", "PRESENT_REF", None, True),
    "akhir-akhir ini": ("DATE", "PRESENT_REF", None, True), "baru-baru ini": ("DATE", "PAST_REF", None, True),
    "beberapa waktu lalu": ("DATE", "PAST_REF", None, True), "masa lalu": ("DATE", "PAST_REF", None, True),
    "masa lampau": ("DATE", "PAST_REF", None, True), "dulu": ("DATE", "PAST_REF", None, True),
    "masa silam": ("DATE", "PAST_REF", None, True), "zaman dulu": ("DATE", "PAST_REF", None, True),
    "belum lama ini": ("DATE", "PAST_REF", None, True), "tempo hari": ("DATE", "PAST_REF", None, True),
    "beberapa saat lalu": ("DATE", "PAST_REF", None, True), "kemudian hari": ("DATE", "FUTURE_REF", None, True),
    "nantinya": ("DATE", "FUTURE_REF", None, True), "ke depannya": ("DATE", "FUTURE_REF", None, True),
    "suatu hari nanti": ("DATE", "FUTURE_REF", None, True), "suatu saat nanti": ("DATE", "FUTURE_REF", None, True),
    "hari-hari ini": ("DATE", "PRESENT_REF", None, True), "sekarang ini": ("DATE", "PRESENT_REF", None, True),
    "zaman sekarang": ("DATE", "PRESENT_REF", None, True), "beberapa saat": ("DURATION", "PXX", None, True),
    "beberapa waktu": ("DURATION", "PXX", None, True), "sementara waktu": ("DURATION", "PXX", None, True),
    "keesokan harinya": ("DATE", None, "ANA:D+1", False), "keesokan hari": ("DATE", None, "ANA:D+1", False),
    "esok harinya": ("DATE", None, "ANA:D+1", False), "keesokan paginya": ("TIME", None, "ANA:D+1|TMO", False),
    "keesokan malamnya": ("TIME", None, "ANA:D+1|TNI", False), "tengah hari": ("TIME", None, "ANA:D|TMI", False),
    "tengah malam": ("TIME", None, "ANA:D|TNI", False),
    "dahulu": ("DATE", "PAST_REF", None, True), "kelak": ("DATE", "FUTURE_REF", None, True),
    "sebentar": ("DURATION", "PXX", None, True), "sekejap": ("DURATION", "PXX", None, True),
    "masa depan": ("DATE", "FUTURE_REF", None, True), "masa mendatang": ("DATE", "FUTURE_REF", None, True),
    "waktu dekat": ("DATE", "FUTURE_REF", None, True), "sejenak": ("DURATION", "PXX", None, True),
    "sesaat": ("DURATION", "PXX", None, True), "saat itu": ("DATE", "PAST_REF", None, True),
    "waktu itu": ("DATE", "PAST_REF", None, True), "ketika itu": ("DATE", "PAST_REF", None, True),
    "kala itu": ("DATE", "PAST_REF", None, True), "tahun baru": ("DATE", None, "NEWYEAR", False),
    "natal": ("DATE", None, "MD12-25p", False), "malam tahun baru": ("TIME", None, "NEWYEAREVE", False),
}
_WORDS_EN: dict[str, tuple[str, str | None, str | None, bool]] = {
    "yesterday": ("DATE", None, "D-1", False), "today": ("DATE", None, "D+0", False),
    "tomorrow": ("DATE", None, "D+1", False), "tonight": ("TIME", None, "D+0|TNI", False),
    "last night": ("TIME", None, "D-1|TNI", False), "the day before yesterday": ("DATE", None, "D-2", False),
    "the day after tomorrow": ("DATE", None, "D+2", False), "now": ("DATE", "PRESENT_REF", None, True),
    "currently": ("DATE", "PRESENT_REF", None, True), "nowadays": ("DATE", "PRESENT_REF", None, True),
    "at present": ("DATE", "PRESENT_REF", None, True), "recently": ("DATE", "PAST_REF", None, True),
    "the past": ("DATE", "PAST_REF", None, True), "the future": ("DATE", "FUTURE_REF", None, True),
    "in the coming days": ("DATE", "FUTURE_REF", None, True), "that day": ("DATE", None, "ANA:D", False),
    "at the time": ("DATE", "PAST_REF", None, True), "christmas": ("DATE", None, "MD12-25p", False),
    "new year's eve": ("DATE", None, "NEWYEAREVE", False),
}


@_rule(rf"(?:{_alt(_WORDS_ID)})", starts=_firsts(_WORDS_ID))
def _id_word(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """Fixed phrases: "kemarin", "lusa", "hari ini", "sekarang", "saat itu", "sejenak"..."""
    return _word(m, text, _WORDS_ID)


@_rule(rf"(?:{_alt(_WORDS_EN)})", "en", starts=_firsts(_WORDS_EN))
def _en_word(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """Fixed phrases: "yesterday", "today", "now", "recently", "that day"..."""
    return _word(m, text, _WORDS_EN)


def _word(m: re.Match[str], text: str, table: dict[str, tuple[str, str | None, str | None, bool]]
          ) -> dict[str, Any] | None:
    phrase = " ".join(m.group(0).lower().split())
    label, value, rel, vague = table[phrase]
    if phrase in ("natal", "christmas", "tahun baru") and not _capitalised(m.group(0)):
        return None
    if phrase == "tahun baru" and re.match(r"\s+(?:islam|imlek|hijriah|hijriyah|cina|china|saka)\b", text[m.end():],
                                           re.IGNORECASE):
        return None  # the lunar new years fall on other days
    if phrase == "now" and m.group(0) != m.group(0).lower():
        return None
    if phrase == "today" and m.group(0) == "Today" and re.search(r"\bUSA\s+$", text[max(0, m.start() - 5):m.start()]):
        return None  # the newspaper
    if phrase in ("dulu", "dahulu") and re.search(r"(?:terlebih|lebih)\s+$", text[max(0, m.start() - 9) : m.start()]):
        return None  # "terlebih dahulu" is "first", not "formerly"
    return {"label": label, "value": value, "rel": rel, "vague": vague}


@_rule(rf"(?:(?P<day>kemarin|tadi|besok|esok|nanti)\s+{_POD_ID}|(?P<pod2>{_POD_WORDS})\s+(?P<this>ini|itu|tadi|harinya|sebelumnya))",
       starts={"kemarin", "tadi", "besok", "esok", "nanti"} | _S_POD_ID)
def _id_part_of_day(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "kemarin sore", "tadi pagi", "besok malam", "malam ini", "pagi itu"."""
    pod = _PARTS[_key(m["pod"] or m["pod2"])]
    day = (m["day"] or m["this"]).lower()
    if day in ("itu", "harinya", "sebelumnya"):
        return {"label": "TIME", "rel": f"ANA:D{'-1' if day == 'sebelumnya' else ''}|T{pod}"}
    if day == "tadi" and pod == "NI":
        return {"label": "TIME", "rel": "NIGHT"}
    shift = {"kemarin": -1, "besok": 1, "esok": 1}.get(day, 0)
    return {"label": "TIME", "rel": f"D{shift:+d}|T{pod}"}


@_rule(r"(?:(?P<rel>yesterday|tomorrow|this)\s+(?P<pod>morning|afternoon|evening))", "en",
       starts={"yesterday", "tomorrow", "this"})
def _en_part_of_day(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "yesterday morning", "this afternoon"."""
    shift = {"yesterday": -1, "tomorrow": 1}.get(m["rel"].lower(), 0)
    return {"label": "TIME", "rel": f"D{shift:+d}|T{_PARTS[m['pod'].lower()]}"}


@_rule(rf"musim\s+(?P<season>{_alt(_SEASONS)})", starts={"musim"})
def _id_season(m: re.Match[str], text: str) -> dict[str, Any] | None:
    """ "musim hujan", "musim kemarau": the season of the reference year."""
    return {"label": "DATE", "rel": f"SEASON{_SEASONS[m['season'].lower()]}"}


# ---------------------------------------------------------------------------------------------
# Recognition


@cache
def _rules_by_start(language: str | None) -> dict[str, list[tuple[int, re.Pattern[str], Handler]]]:
    """For each start word, the rules (in priority order) of ``language`` (None: both) that can start there."""
    langs = {"any", "id", "en"} if language is None else {"any", language}
    index: dict[str, list[tuple[int, re.Pattern[str], Handler]]] = {}
    for order, (regex, handler, lang, starts) in enumerate(_RULES):
        if lang in langs:
            for word in starts:
                index.setdefault(word, []).append((order, regex, handler))
    return index


def recognise(text: str, language: str | None = None) -> list[_Found]:
    """Every temporal expression in ``text``, longest first where candidates overlap.

    ``language`` (``"id"``, ``"en"``, or None for both) chooses the rule set.
    """
    index = _rules_by_start(language if language in ("id", "en") else None)
    candidates: list[tuple[int, int, int, dict[str, Any]]] = []
    for token in _TOKEN.finditer(text):
        word = token[0]
        for order, regex, handler in index.get(_DIGIT if word[0].isdigit() else word.lower(), ()):
            m = regex.match(text, token.start())
            if m is None or m.end() == m.start():
                continue
            try:
                fields = handler(m, text)
            except KeyError:
                # IGNORECASE also matches Unicode case variants ("ſenin", "K" the kelvin sign) that the
                # vocabulary does not list: such a match is not a temporal expression.
                continue
            if fields is not None:
                candidates.append((m.start(), m.end(), order, fields))
    candidates.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))
    taken: list[tuple[int, int]] = []
    found: list[_Found] = []
    for start, end, _, fields in candidates:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        found.append(_Found(start, end, **{k: v for k, v in fields.items() if v is not None}))
    found.sort(key=lambda f: f.start)
    found = [replace(f, report=True) if f.label == "DATE" and _REPORTED.search(text, max(0, f.start - 120), f.start)
             else f for f in found]
    return _clocks_on_following_dates(found, text)


#: what comes before the date of a statement: a speech verb, its speaker, a comma ("kata Ali di Jakarta, ").
_REPORTED = re.compile(
    r"\b(?:kata|ujar|ungkap|tutur|tegas|jelas|imbuh|papar|terang|sebut|katanya|ujarnya|said|told)\b"
    r"[^.,\"“”\n]*(?:,[^.,\"“”\n]*)?,\s*$", re.IGNORECASE)


def _day_of(f: _Found) -> str | None:
    """The day recipe of a found date ("ABS:2014-12-28", "WD7p", "D-1"), or None if it names no day."""
    if f.value and re.fullmatch(r"\d{4}-\d\d-\d\d", f.value):
        return f"ABS:{f.value}"
    if f.rel and re.match(r"(?:WD|MD|D[+-])", f.rel):
        return f.rel.partition("|")[0]
    return None


def _clocks_on_following_dates(found: list[_Found], text: str) -> list[_Found]:
    """A clock with no day of its own is on the day its sentence names, even when named after it.

    "pukul 07.24 WIB dalam penerbangan ke Singapura, Minggu (28/12/2014)": Indonesian news dates a
    clause at its end. Clocks with a day earlier in the sentence keep the day last mentioned.
    """
    out = list(found)
    for i, f in enumerate(found):
        if not (f.rel and f.rel.startswith("ANA:D|")):
            continue
        sentence_start = max(text.rfind(". ", 0, f.start), text.rfind("\n", 0, f.start))
        if any(_day_of(g) and g.start > sentence_start for g in found[:i]):
            continue
        end = _SENTENCE_END.search(text, f.end)
        sentence_end = end.start() if end else len(text)
        day = next((d for g in found[i + 1 :] if g.start < sentence_end and (d := _day_of(g))), None)
        if day:
            out[i] = _Found(f.start, f.end, f.label, rel=f"{day}|{f.rel.partition('|')[2]}", mod=f.mod)
    return out


# ---------------------------------------------------------------------------------------------
# Normalisation against a reference time


def _shift_month(d: date, months: int) -> tuple[int, int]:
    total = d.year * 12 + d.month - 1 + months
    return total // 12, total % 12 + 1


def _week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def _weekday_date(ref: date, rel: str) -> date:
    k = int(rel[2])
    how = rel[3:]
    back, ahead = (ref.isoweekday() - k) % 7, (k - ref.isoweekday()) % 7
    if how == "p":
        return ref - timedelta(days=back)
    if how == "f":
        return ref + timedelta(days=ahead)
    if how == "<":
        return ref - timedelta(days=back or 7)
    if how == ">":
        return ref + timedelta(days=ahead or 7)
    weeks = int(how[1:])
    monday = ref - timedelta(days=ref.isoweekday() - 1) + timedelta(weeks=weeks)
    return monday + timedelta(days=k - 1)


def _month_year(ref: date, mo: int, how: str, day: int = 0) -> int:
    """The year of a month (and day) named without one, seen from ``ref`` in direction ``how``.

    ``n`` (no tense cue) takes the nearest occurrence, the past one on a tie: "Desember" in late
    November is next month, "Maret" in June is this year's; ``f`` (a future cue) the next one on or
    after, ``b`` (a past cue) the last one on or before; ``<``/``>`` strictly; ``=`` this year's.
    """
    here, there = ((ref.month, ref.day), (mo, day)) if day else ((ref.month, 0), (mo, 0))
    if how == "b":
        return ref.year if there <= here else ref.year - 1
    if how == "n":
        def distance(year: int) -> int:
            months = (year - ref.year) * 12 + mo - ref.month
            return months * 31 + (day - ref.day if day else 0)

        return min((ref.year - 1, ref.year, ref.year + 1), key=lambda y: (abs(distance(y)), distance(y) > 0))
    if how == "<":
        return ref.year if there < here else ref.year - 1
    if how == "f":
        return ref.year if there >= here else ref.year + 1
    if how == ">":
        return ref.year if there > here else ref.year + 1
    return ref.year


#: what a previous value must look like to serve an anaphor of each grain.
_GRAIN = {"D": re.compile(r"\d{4}-\d\d-\d\d"), "W": re.compile(r"\d{4}-\d\d-\d\d"),
          "M": re.compile(r"\d{4}-\d\d"), "Y": re.compile(r"\d{4}"), "*": re.compile(r"\d{4}")}


def _resolve(rel: str, ref: datetime | None, last: str | None) -> str | None:
    """The TIMEX3 value of recipe ``rel`` against ``ref`` (and ``last``, the previous date value)."""
    rel, _, clock = rel.partition("|")
    if rel.startswith("ABS:"):
        base: str | None = rel[4:]
    elif rel.startswith("ANA:"):
        base = _anaphor(rel[4:], ref, last)
    elif ref is None:
        base = None
    else:
        base = _relative(rel, ref)
    if base is None:
        return None
    if clock:
        if base.startswith("XXXX") or len(base) != 10:
            return None if len(base) != 10 else base + clock
        return base + clock
    return base


def _anaphor(what: str, ref: datetime | None, last: str | None) -> str | None:
    """The date last mentioned (or the reference date) at the grain of ``what``, shifted."""
    letter, shift = what[0], int(what[1:] or 0)
    grain = _GRAIN.get(letter, _GRAIN["*"])
    source = last if last and grain.match(last) else (ref.date().isoformat() if ref else None)
    if source is None or letter not in _GRAIN:
        return None
    if letter == "*":
        return source
    if letter == "W":
        return _week(date.fromisoformat(source[:10]) + timedelta(weeks=shift))
    if letter == "D" and shift:
        return (date.fromisoformat(source[:10]) + timedelta(days=shift)).isoformat()
    if letter == "M" and shift:
        y, mo = _shift_month(date(int(source[:4]), int(source[5:7]), 1), shift)
        return f"{y:04d}-{mo:02d}"
    if letter == "Y":
        return f"{int(source[:4]) + shift:04d}"
    return source[: {"D": 10, "M": 7}[letter]]


def _relative(rel: str, ref: datetime) -> str | None:
    d = ref.date()
    if rel == "NIGHT":
        return (d - timedelta(days=1) if ref.hour < 12 else d).isoformat() + "TNI"
    if rel == "NEWYEAR":
        return f"{d.year + (1 if d.month == 12 else 0):04d}-01-01"
    if rel == "NEWYEAREVE":
        return f"{d.year - (1 if d.month == 1 else 0):04d}-12-31"
    if rel.startswith("SEASON"):
        return f"{d.year:04d}-{rel[6:]}"
    if rel.startswith("WD"):
        return _weekday_date(d, rel).isoformat()
    if rel.startswith("MO"):
        mo = int(rel[2:4])
        return f"{_month_year(d, mo, rel[4:]):04d}-{mo:02d}"
    if rel.startswith("MD"):
        mo, day = int(rel[2:4]), int(rel[5:7])
        y = _month_year(d, mo, rel[7:], day)
        return f"{y:04d}-{mo:02d}-{day:02d}" if _valid_date(y, mo, day) else None
    m = re.fullmatch(r"(WE|DE|CE|[DWMYHNQ])([+-]\d+)", rel)
    if not m:
        return None
    letter, n = m[1], int(m[2])
    if letter == "DE":
        return f"{d.year // 10 + n:03d}"
    if letter == "CE":
        return f"{d.year // 100 + n:02d}"
    if letter == "Q":
        y, q = divmod(d.year * 4 + (d.month - 1) // 3 + n, 4)
        return f"{y:04d}-Q{q + 1}"
    if letter == "D":
        return (d + timedelta(days=n)).isoformat()
    if letter in ("W", "WE"):
        return _week(d + timedelta(weeks=n)) + ("-WE" if letter == "WE" else "")
    if letter == "M":
        y, mo = _shift_month(d, n)
        return f"{y:04d}-{mo:02d}"
    if letter == "Y":
        return f"{d.year + n:04d}"
    moment = ref + (timedelta(hours=n) if letter == "H" else timedelta(minutes=n))
    return moment.strftime("%Y-%m-%dT%H:%M")


def _placeholder(rel: str) -> str:
    """The underspecified TIMEX3 value of a recipe that has no reference to resolve against."""
    rel, _, clock = rel.partition("|")
    if rel.startswith("ABS:"):
        return rel[4:] + clock
    if rel.startswith("WD"):
        base = f"XXXX-WXX-{rel[2]}"
    elif rel.startswith("MO"):
        base = f"XXXX-{rel[2:4]}"
    elif rel.startswith("MD"):
        base = f"XXXX-{rel[2:7]}"
    else:
        letter = rel.removeprefix("ANA:")[:1]
        base = {"W": "XXXX-WXX", "M": "XXXX-XX", "Y": "XXXX"}.get(letter, "XXXX-XX-XX")
    return base + (clock if clock and re.fullmatch(r"XXXX-(?:\d\d|XX)-(?:\d\d|XX)|XXXX-WXX-\d", base) else "")


def _spans(found: Iterable[_Found], reference: datetime | None) -> list[Span]:
    anchor_iso = reference.isoformat() if reference else None
    spans: list[Span] = []
    last: str | None = None  # the last date mentioned
    last_event: str | None = None  # the last date mentioned that is not the date of a statement
    for f in found:
        value, anchored = f.value, True
        if f.rel is not None:
            clock_anaphor = f.rel.startswith("ANA:D|")
            value = _resolve(f.rel, reference, last_event if clock_anaphor and last_event else last)
            anchored = value is not None
            if value is None:
                value = _placeholder(f.rel)
        elif f.value in ("PAST_REF", "PRESENT_REF", "FUTURE_REF"):
            anchored = reference is not None
        if f.label in ("DATE", "TIME") and value and value[:4].isdigit() and len(value) >= 4:
            last = value
            last_event = last_event if f.report else value
        attrs: dict[str, Any] = {"value": value, "vague": f.vague, "anchored": anchored, "mod": f.mod,
                                 "anchor": anchor_iso if f.rel or f.value in _VAGUE_REFS else None}
        if f.rel is not None:
            attrs["rel"] = f.rel
        if f.report:
            attrs["report"] = True
        spans.append(Span(f.start, f.end, f.label, layer="timex", attrs=attrs))
    return spans


_VAGUE_REFS = ("PAST_REF", "PRESENT_REF", "FUTURE_REF")


def extract(text: str, reference: datetime | None, language: str | None = None) -> list[Span]:
    """Temporal expressions of ``text`` as ``timex`` spans, normalised against ``reference``.

    ``reference`` is the publication time (timezone-aware) or None: without it, absolute dates
    are still normalised and relative ones come out ``anchored=False`` with an underspecified value.
    """
    return _spans(recognise(text, language), reference)


def anchor(spans: Iterable[Span], reference: datetime | None) -> list[Span]:
    """Re-normalise ``timex`` spans against another reference time (e.g. the story's).

    >>> from datetime import datetime, timezone
    >>> s = extract("Dua hari lalu.", None)
    >>> s[0].attrs["anchored"], anchor(s, datetime(2024, 6, 15, tzinfo=timezone.utc))[0].attrs["value"]
    (False, '2024-06-13')
    """
    found = [
        _Found(s.start, s.end, s.label, None if "rel" in s.attrs else s.attrs.get("value"), s.attrs.get("rel"),
               bool(s.attrs.get("vague")), s.attrs.get("mod"), bool(s.attrs.get("report")))
        for s in sorted(spans, key=lambda s: s.start)
    ]
    return _spans(found, reference)


@stage("timex", requires=["text", "published"], assigns=["timex"])
def timex(article: Article) -> Article:
    """Add the ``timex`` span layer, anchored on the article's publication time."""
    language = article.language if article.language in ("id", "en") else None
    article.set_layer("timex", extract(article.text, article.published, language))
    return article
