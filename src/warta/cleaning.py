"""Clean articles from raw records: the ``cleaning`` stage.

Readers yield raw articles (scraped text or a whole HTML page). Cleaning turns each into one
clean body (paragraphs joined by ``"\\n"``) plus metadata: title, author, publication and update
times, dateline, outlet and photo captions. Page furniture goes, from a hand list and from an
online model that learns lines repeated across many articles of one outlet; words glued where a
scraper dropped link markup are split where that is safe.

>>> cleaner = Cleaner()
>>> raw = Article(source="file:///x.txt", meta={"format": "text"}, raw_text=(
...     "Putin Tiba di Pyongyang\\n"
...     "oleh Rina diperbarui 19 Jun 2024, 08:03 WIB\\n"
...     "SEOUL - Presiden Rusia tiba di Pyongyang pada Rabu dini hari.\\n"
...     "Baca Juga: Kim Jong Un Menyambut\\n"
...     "Advertisement\\n"
...     "Kunjungan itu yang pertama sejak tahun 2000."))
>>> a = cleaner(raw)
>>> a.title, a.author, a.dateline, a.published.isoformat()
('Putin Tiba di Pyongyang', 'Rina', 'SEOUL', '2024-06-19T08:03:00+07:00')
>>> print(a.text)
Presiden Rusia tiba di Pyongyang pada Rabu dini hari.
Kunjungan itu yang pertama sejak tahun 2000.
"""

from __future__ import annotations

import email.utils
import hashlib
import html as html_lib
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .article import Article
from .errors import Errors, Rejected
from .pipeline import stage
from .settings import Settings, load_settings

__all__ = [
    "Cleaner",
    "FurnitureModel",
    "GlueFixer",
    "build_vocabulary",
    "html_captions",
    "html_fragment_text",
    "html_times",
    "is_furniture",
    "load_vocabulary",
    "parse_datetime",
    "parse_published",
    "registered_domain",
]

# --------------------------------------------------------------------------- dates

#: Indonesian time zones, the UTC spellings feeds use, and zone names English-language news prints.
ZONES = {
    "WIB": timezone(timedelta(hours=7)),
    "WITA": timezone(timedelta(hours=8)),
    "WIT": timezone(timedelta(hours=9)),
    "GMT": UTC,
    "UTC": UTC,
    "Z": UTC,
    **{name: timezone(timedelta(hours=h)) for name, h in (
        ("EST", -5), ("EDT", -4), ("CST", -6), ("CDT", -5), ("MST", -7), ("MDT", -6), ("PST", -8), ("PDT", -7),
        ("BST", 1), ("CET", 1), ("CEST", 2), ("EET", 2), ("EEST", 3), ("JST", 9), ("KST", 9), ("SGT", 8),
        ("MYT", 8), ("AEST", 10), ("AEDT", 11),
    )},
}
WIB = ZONES["WIB"]

_MONTHS = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "februari": 2, "pebruari": 2, "february": 2,
    "mar": 3, "maret": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "agu": 8, "agt": 8, "ags": 8, "agus": 8, "agustus": 8, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "nopember": 11, "november": 11,
    "des": 12, "desember": 12, "dec": 12, "december": 12,
}  # fmt: skip

_UPDATE_WORDS = r"diperbarui|diperbaharui|pembaruan|updated?|last\s+modified|modified"
_PUBLISH_WORDS = r"diterbitkan|dipublikasikan|dipublikasi|terbit|published|posted|dibuat"
_WEEKDAYS = (
    r"senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|"
    r"mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?"
)
_DATE_RE = re.compile(
    rf"""
    (?:\b(?P<kw>{_UPDATE_WORDS}|{_PUBLISH_WORDS})\b[\s:,-]*)?
    (?:\b(?:{_WEEKDAYS})\b\.?[\s,]*)?
    (?:
        (?P<d>\d{{1,2}})\s*(?P<mon>[a-z]{{3,9}})\.?,?\s*(?P<y>\d{{4}})
      | (?P<mon2>[a-z]{{3,9}})\.?\s+(?P<d2>\d{{1,2}}),?\s+(?P<y2>\d{{4}})
      | (?P<d3>\d{{1,2}})[/-](?P<m3>\d{{1,2}})[/-](?P<y3>\d{{4}})
      | (?P<y4>\d{{4}})-(?P<m4>\d{{2}})-(?P<d4>\d{{2}})
    )
    (?:
        (?:[\s,|]*(?:pukul|jam|at|T)?[\s|]*)
        (?P<H>\d{{1,2}})[:.](?P<M>\d{{2}})(?:[:.](?P<S>\d{{2}})(?:\.\d+)?)?
        (?:\s*(?P<ampm>[ap])\.?m\b\.?)?
    )?
    (?:\s*(?P<tz>{"|".join(sorted(ZONES, key=len, reverse=True))})\b)?
    (?:\s*(?P<off>[+-]\d{{2}}:?\d{{2}}))?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def _offset(m: re.Match[str], default_tz: timezone) -> timezone:
    if m["off"]:
        sign = -1 if m["off"][0] == "-" else 1
        digits = m["off"][1:].replace(":", "")
        return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    if m["tz"]:
        return ZONES[m["tz"].upper()]
    return default_tz


def _from_match(m: re.Match[str], default_tz: timezone) -> datetime | None:
    if m["d"]:
        day, month, year = int(m["d"]), _MONTHS.get(m["mon"].lower()), int(m["y"])
    elif m["d2"]:
        day, month, year = int(m["d2"]), _MONTHS.get(m["mon2"].lower()), int(m["y2"])
    elif m["d3"]:
        day, month, year = int(m["d3"]), int(m["m3"]), int(m["y3"])
    else:
        day, month, year = int(m["d4"]), int(m["m4"]), int(m["y4"])
    if month is None or not 1900 <= year <= 2100:
        return None
    hour = int(m["H"] or 0)
    if m["ampm"]:
        hour = hour % 12 + (12 if m["ampm"].lower() == "p" else 0)
    try:
        return datetime(year, month, day, hour, int(m["M"] or 0), int(m["S"] or 0), tzinfo=_offset(m, default_tz))
    except ValueError:
        return None


def _is_update(m: re.Match[str]) -> bool:
    return bool(m["kw"]) and re.fullmatch(_UPDATE_WORDS, m["kw"].lower()) is not None


@lru_cache(maxsize=1)
def _dateparser_settings() -> dict[str, Any]:
    return {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
        "TIMEZONE": "Asia/Jakarta",
        "RETURN_AS_TIMEZONE_AWARE": True,
    }


def _fallback(s: str) -> datetime | None:
    """ISO, RFC 822, then dateparser for the formats the regexes do not know."""
    s = s.strip()
    try:
        dt = datetime.fromisoformat(s)
        return dt if dt.tzinfo else dt.replace(tzinfo=WIB)
    except ValueError:
        pass
    try:
        dt = email.utils.parsedate_to_datetime(s)
        return dt if dt.tzinfo else dt.replace(tzinfo=WIB)
    except (TypeError, ValueError, IndexError):
        pass
    if len(s) > 80 or not _HAS_YEAR.search(s):
        return None  # no year: relative or partial dates would borrow today's date
    import dateparser

    try:
        return dateparser.parse(s, languages=["id", "en"], settings=_dateparser_settings())
    except (ValueError, OverflowError, TypeError, AttributeError, KeyError):
        return None


def parse_published(s: str | None, default_tz: timezone = WIB) -> tuple[datetime | None, datetime | None]:
    """``(published, updated)`` from a date string as found in a page, a column or a feed.

    Times without a zone are read as ``default_tz`` (WIB); a missing date stays ``None``.

    >>> parse_published("Diperbarui 18 Jun 2025, 19:05 WIB")[1].isoformat()
    '2025-06-18T19:05:00+07:00'
    >>> parse_published(",\\u00a0Jurnalis-Rabu, 18 Juni 2025 |07:45 WIB")[0].isoformat()
    '2025-06-18T07:45:00+07:00'
    >>> parse_published("Kompas.com- 18/06/2025, 21:35 WITA")[0].isoformat()
    '2025-06-18T21:35:00+08:00'
    >>> parse_published("25 April 2025 | 08.17 WIT")[0].isoformat()
    '2025-04-25T08:17:00+09:00'
    >>> parse_published("Wed, 18 Jun 2025 07:30:00 GMT")[0].isoformat()
    '2025-06-18T07:30:00+00:00'
    >>> parse_published("Updated June 18, 2025 7:05 p.m. EDT")[1].isoformat()
    '2025-06-18T19:05:00-04:00'
    >>> parse_published("oleh Khairisa Ferida diperbarui 15 Jun 2024, 08:03 WIB Diterbitkan 14 Jun 2024, 20:00 WIB")
    ... # doctest: +NORMALIZE_WHITESPACE
    (datetime.datetime(2024, 6, 14, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(seconds=25200))),
     datetime.datetime(2024, 6, 15, 8, 3, tzinfo=datetime.timezone(datetime.timedelta(seconds=25200))))
    >>> parse_published("kemarin sore")
    (None, None)
    """
    if not s:
        return None, None
    s = s.replace("\u00a0", " ")
    published = updated = None
    for m in _DATE_RE.finditer(s):
        dt = _from_match(m, default_tz)
        if dt is None:
            continue
        if _is_update(m):
            updated = updated or dt
        else:
            published = published or dt
    if published is None and updated is None:
        published = _fallback(s)
    return published, updated


def parse_datetime(s: str | None, default_tz: timezone = WIB) -> datetime | None:
    """The first date and time in ``s``, whichever kind it is.

    >>> parse_datetime("2024-06-15T08:03:00+07:00").isoformat()
    '2024-06-15T08:03:00+07:00'
    >>> parse_datetime("Rabu   18 Jun 2025  22:02 WIB").isoformat()
    '2025-06-18T22:02:00+07:00'
    """
    published, updated = parse_published(s, default_tz)
    return published or updated


# --------------------------------------------------------------------------- outlets

_OUTLET = r"(?:www\.)?[A-Za-z][A-Za-z0-9-]*\.(?:co\.id|com|co|id|net|org|tv|news)"


def registered_domain(url: str | None) -> str | None:
    """The registered domain of a URL (public-suffix aware), or ``None``.

    >>> registered_domain("https://news.republika.co.id/berita/x"), registered_domain("file:///a.txt")
    ('republika.co.id', None)
    """
    if not url or "://" not in url or url.startswith("file:"):
        return None
    from tld import get_fld

    try:
        return get_fld(url, fail_silently=True)
    except (ValueError, TypeError):
        return None


def _outlet_name(s: str) -> str:
    """``"Liputan6.com"`` -> ``"liputan6.com"``; ``"www.X.co.id"`` -> ``"x.co.id"``."""
    s = s.lower()
    return s[4:] if s.startswith("www.") else s


# --------------------------------------------------------------------------- furniture

#: Lines that are never body text (full-line, case-insensitive). Seen in the seeds and the corpus.
FURNITURE = [
    r"lanjutkan membaca\s*[↓⬇]?",
    r"(?:loading\.{0,3}\s*)+",
    r"video pilihan hari ini|video terkini|video terpopuler|populer|terpopuler|berita terkini selengkapnya",
    r"berita terkait|artikel terkait|rekomendasi untuk anda|pilihan editor|topik terkait",
    r"baca (?:juga|pula)\b.*",
    r"(?:simak|lihat|tonton|saksikan)\s+(?:juga\s+)?(?:video|videonya|foto)\b.*",
    r"(?:simak|lihat|tonton|saksikan)\s+juga\s*[\"'“‘].*",
    r"saksikan live\b.{0,60}",
    r"advertisement|iklan|ads|sponsored|konten sponsor|scroll to continue with content|"
    r"scroll untuk melanjutkan(?: membaca)?|gulir untuk melanjutkan",
    r"\[gambas:[^\]]*\]",
    r"(?:loading\.{0,3}\s*)?(?:ikuti|follow)\b.{0,60}\b(?:whatsapp|channel|google news|instagram|twitter|"
    r"telegram|tiktok|youtube|facebook)\b.{0,40}",
    r"(?:view this post on instagram\s*)?a post shared by .{0,120}",
    r"view this post on instagram|lihat postingan ini di instagram",
    r"artikel ini (?:telah|sudah) (?:naik|tayang|lebih dulu tayang|terbit)\b.{0,120}",
    r"baca (?:berita |artikel |info )?selengkapnya\b.{0,80}",
    r"simak (?:berita |informasi |selengkapnya )?.{0,20}di halaman (?:selanjutnya|berikutnya)\.?",
    r"(?:share|bagikan|tweet|salin link|copy link|tautan disalin|link disalin)(?: (?:artikel|berita) ini)?\s*:?",
    r"(?:subscribe|berlangganan)(?: (?:now|sekarang|newsletter|gratis|di sini|to our newsletter))?\s*[!.:]?",
    r"(?:halaman|page)\s+(?:selanjutnya|berikutnya|sebelumnya|\d+)\.?|selanjutnya|next",
    r"[-*=_~•·.]{3,}",
    r"(?:penulis|editor|reporter|pewarta|redaktur|fotografer|video editor|produser)\s*:\s*.{1,60}",
    r"\([A-Za-z][A-Za-z .,'’]{1,38}\)",
]
_FURNITURE_RE = re.compile("|".join(f"(?:{p})" for p in FURNITURE), re.IGNORECASE)
#: Furniture a scraper glued to the end of the last paragraph ("...di Bali.Ikuti Whatsapp Channel Republika").
_FURNITURE_TAIL = re.compile(
    r"(?<=[.!?\"”)])\s*(?:loading\.{0,3}\s*|ikuti whatsapp channel \w+\s*|view this post on instagram\s*)+$",
    re.IGNORECASE,
)


def is_furniture(line: str) -> bool:
    """Whether a line is hand-listed page furniture.

    >>> [is_furniture(x) for x in ("Lanjutkan Membaca ↓", "Baca juga: Harga emas naik", "Putin tiba.")]
    [True, True, False]
    """
    return _FURNITURE_RE.fullmatch(line.strip()) is not None


def _line_key(line: str) -> str:
    norm = " ".join(line.casefold().split())
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()


class FurnitureModel:
    """Learns lines repeated across many articles of one outlet: those lines are furniture.

    Follows the online contract: ``learn_one(article)``, ``predict_one(line, outlet)``.
    Counts are kept per outlet over normalised line hashes with lossy counting (Manku and
    Motwani), so memory stays bounded however long the stream; an article seen again (same
    URL or text) within the last ``seen_window`` articles is not counted twice.

    A line is furniture when it appears in at least ``min_articles`` distinct articles of its
    outlet, in at least ``min_share`` of them, and has at most ``max_words`` words (a quote that
    recurs in a few articles of one story is not furniture).

    >>> m = FurnitureModel(min_articles=3, min_share=0.5)
    >>> for i in range(4):
    ...     m.learn_one(Article(source=f"s{i}", outlet="x.com", raw_text=f"Kalimat ke-{i}.\\nIklan Toko Kami"))
    >>> m.predict_one("Iklan Toko Kami", "x.com"), m.predict_one("Kalimat ke-1.", "x.com")
    (True, False)
    >>> FurnitureModel.from_dict(m.to_dict()).predict_one("iklan  toko kami", "x.com")
    True
    """

    def __init__(
        self,
        min_articles: int = 10,
        min_share: float = 0.01,
        max_words: int = 12,
        error: float = 0.002,
        seen_window: int = 50_000,
    ) -> None:
        self.min_articles = min_articles
        self.min_share = min_share
        self.max_words = max_words
        self.error = error
        self.seen_window = seen_window
        self._width = max(1, round(1 / error))
        self._outlets: dict[str, dict[str, Any]] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()

    def learn_one(self, article: Article) -> None:
        text = article.raw_text if article.raw_text is not None else article.text
        key = article.url or hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
        self.learn_lines(article.outlet or "", key, text.split("\n"))

    def learn_lines(self, outlet: str, article_key: str, lines: Iterable[str]) -> None:
        """Count each distinct line of one article (``article_key`` identifies the article)."""
        if article_key in self._seen:
            self._seen.move_to_end(article_key)
            return
        self._seen[article_key] = None
        if len(self._seen) > self.seen_window:
            self._seen.popitem(last=False)
        stats = self._outlets.setdefault(outlet, {"articles": 0, "lines": {}})
        stats["articles"] += 1
        n = stats["articles"]
        bucket = -(-n // self._width)
        counts: dict[str, list[int]] = stats["lines"]
        for key in {_line_key(x) for x in lines if x.strip()}:
            entry = counts.get(key)
            if entry is None:
                counts[key] = [1, bucket - 1]
            else:
                entry[0] += 1
        if n % self._width == 0:
            stats["lines"] = {k: v for k, v in counts.items() if v[0] + v[1] > bucket}

    def predict_one(self, line: str, outlet: str | None = None) -> bool:
        if len(line.split()) > self.max_words:
            return False
        stats = self._outlets.get(outlet or "")
        if not stats:
            return False
        entry = stats["lines"].get(_line_key(line))
        return entry is not None and entry[0] >= max(self.min_articles, self.min_share * stats["articles"])

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable state (hyperparameters and counts).

        Lines the next pruning would drop anyway (``count + delta <= current bucket``) are left
        out, which keeps lossy counting's error bound and keeps the state small.
        """
        outlets = {}
        for o, s in self._outlets.items():
            bucket = -(-s["articles"] // self._width)
            outlets[o] = {"articles": s["articles"],
                          "lines": {k: list(v) for k, v in s["lines"].items() if v[0] + v[1] > bucket}}
        return {
            "params": {"min_articles": self.min_articles, "min_share": self.min_share,
                       "max_words": self.max_words, "error": self.error, "seen_window": self.seen_window},
            "outlets": outlets,
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> FurnitureModel:
        model = cls(**state.get("params", {}))
        model._outlets = {o: {"articles": int(s["articles"]), "lines": {k: list(v) for k, v in s["lines"].items()}}
                          for o, s in state.get("outlets", {}).items()}
        return model


# --------------------------------------------------------------------------- glued words

_BEFORE_TOKEN = r"(?<![A-Za-z0-9_@#/.\\])"
_AFTER_TOKEN = r"(?![A-Za-z0-9_])"
_TOKEN = re.compile(rf"{_BEFORE_TOKEN}[A-Za-z]{{4,}}{_AFTER_TOKEN}")
_CASE_BOUNDARY = re.compile(r"[a-z][A-Z]")
_CAPS_LOWER = re.compile(r"([A-Z]{3,})([a-z]{4,})")
#: Words a dropped link most often leaves glued to its text.
FUNCTION_WORDS = (
    "yang dan dari untuk dengan pada adalah dalam akan tidak juga ini itu oleh atau bahwa karena "
    "sebagai telah sudah bisa dapat masih saat seperti menjadi lebih para serta namun tersebut kepada "
    "hingga antara setelah secara kini lalu usai turut siap belum agar tetapi tapi bagi jika saja sejak "
    "sempat selama sebelum mulai terhadap tentang menurut melalui bersama tanpa"
).split()
_AFFIXED = ("me", "di", "ber", "ter", "se", "pe", "ke")


_PARTICLES = ("lah", "kah", "pun", "nya", "ku", "mu")
_SUFFIXES = ("kan", "an", "i")
#: Prefixes and the root's first letter that meN-/peN- assimilated ("menulis" <- "tulis").
_PREFIXES = (
    ("memper", ""), ("diper", ""), ("meng", "k"), ("meny", "s"), ("mem", "p"), ("men", "t"), ("me", ""),
    ("peng", "k"), ("peny", "s"), ("pem", "p"), ("pen", "t"), ("pe", ""), ("per", ""), ("ber", ""),
    ("be", ""), ("ter", ""), ("di", ""), ("ke", ""), ("se", ""),
)


def _root_candidates(word: str) -> Iterator[str]:
    """Possible roots of an Indonesian word: at most one prefix, a suffix and a particle off.

    A light stand-in for Sastrawi's stemmer, a hundred times faster: ``known`` only needs to
    know whether *some* reading of the word is a dictionary root.

    >>> "jadi" in set(_root_candidates("menjadi")), "sehat" in set(_root_candidates("kesehatan"))
    (True, True)
    """
    bases = [word]
    for particle in _PARTICLES:
        if word.endswith(particle):
            bases.append(word[: -len(particle)])
    for base in list(bases):
        for suffix in _SUFFIXES:
            if base.endswith(suffix):
                bases.append(base[: -len(suffix)])
    for base in bases:
        yield base
        for prefix, restored in _PREFIXES:
            if base.startswith(prefix):
                rest = base[len(prefix):]
                if len(rest) >= 3:
                    yield rest
                    if restored:
                        yield restored + rest


def _sastrawi_words() -> frozenset[str]:
    text = resources.files("Sastrawi").joinpath("Stemmer/data/kata-dasar.txt").read_text(encoding="utf-8")
    return frozenset(text.split())


def load_vocabulary() -> dict[str, int]:
    """The packaged vocabulary (token -> number of corpus articles it occurs in)."""
    path = resources.files("warta").joinpath("models/vocab-id.tsv")
    vocab = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, df = line.partition("\t")
        vocab[word] = int(df)
    return vocab


def build_vocabulary(texts: Iterable[tuple[str, str]], min_articles: int = 3) -> dict[str, int]:
    """Token -> document frequency over ``(outlet, text)`` pairs, for :class:`GlueFixer`.

    A capitalised camel-case token (``YouTube``) is kept only if two outlets use it: one outlet's
    scraper glues the same words the same way every time (``JakartaKita``), two rarely do. One
    that starts in lowercase (``detikSumut``, ``iPhone``) is kept unless it starts with a function
    word (``terhadapIran``: links are glued to the same words everywhere).

    >>> build_vocabulary([("a", "Video YouTube lucu"), ("b", "di YouTube")], min_articles=2)
    {'YouTube': 2}
    """
    df: dict[str, int] = {}
    outlets: dict[str, set[str]] = {}
    for outlet, text in texts:
        for tok in set(_TOKEN.findall(text)):
            df[tok] = df.get(tok, 0) + 1
            if _CASE_BOUNDARY.search(tok):
                outlets.setdefault(tok, set()).add(outlet)

    def keep(tok: str) -> bool:
        if tok not in outlets:
            return True
        boundary = _CASE_BOUNDARY.search(tok)
        head = tok[: boundary.start() + 1] if boundary else tok
        if head.islower():
            return head not in FUNCTION_WORDS
        return len(outlets[tok]) >= 2

    return {t: n for t, n in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])) if n >= min_articles and keep(t)}


def corpus_texts(folder: Path) -> Iterator[tuple[str, str]]:
    """``(outlet, title and body)`` of each distinct article of the CSV files in ``folder``."""
    from .sources import iter_records

    seen: set[str] = set()
    for a in iter_records([str(p) for p in sorted(folder.glob("*.csv"))]):
        if isinstance(a, Article) and a.source not in seen:
            seen.add(a.source)
            yield a.outlet or "", f"{a.title}\n{a.raw_text or ''}"


class GlueFixer:
    """Splits words glued where a scraper dropped link markup, only where that is safe.

    A token is split only if it is unknown as a whole and its parts are known: the
    vocabulary (tokens of many corpus articles, case-sensitive) and Sastrawi's dictionary of
    Indonesian root words (with its stemmer, so ``menjadi`` is known through ``jadi``).

    >>> fix = GlueFixer().fix
    >>> fix("denganPolisi Hutan(Polhut) dariHuffington Post, JakartaKita semua")
    ('dengan Polisi Hutan(Polhut) dari Huffington Post, Jakarta Kita semua', 3)
    >>> fix("kondisi mentalyang buruk; iPhone, YouTube, PlayStation, McDonald, DeepSeek")
    ('kondisi mental yang buruk; iPhone, YouTube, PlayStation, McDonald, DeepSeek', 1)
    """

    def __init__(self, vocabulary: dict[str, int] | None = None, common_min_articles: int = 150) -> None:
        self.common_min_articles = common_min_articles
        vocab = load_vocabulary() if vocabulary is None else vocabulary
        self._roots = _sastrawi_words()
        self._tokens = frozenset(vocab)
        self._lower = frozenset(w.lower() for w in vocab) | self._roots
        self._common = frozenset(w for w, n in vocab.items() if w.islower() and n >= common_min_articles)
        self._function = frozenset(FUNCTION_WORDS)
        self._common |= self._function

    def _indonesian(self, word: str) -> bool:
        """An Indonesian word: a Sastrawi root, or one with affixes around such a root."""
        w = word.lower()
        return w in self._roots or any(r in self._roots for r in _root_candidates(w))

    def _glued_word(self, word: str) -> bool:
        """A word that may follow a name glued to it: a function word or a common affixed word.

        Root words are left out: they make place names ("Kalibaru", "Tanjungpinang").
        """
        return word in self._function or (word in self._common and len(word) >= 6 and word.startswith(_AFFIXED))

    def _known(self, word: str) -> bool:
        return word.lower() in self._lower or self._indonesian(word)

    def split(self, tok: str) -> list[str] | None:
        """The parts of a glued token, or ``None`` to leave it as it is."""
        if tok in self._tokens:
            return None
        b = _CASE_BOUNDARY.search(tok)
        if b:
            left, right = tok[: b.start() + 1], tok[b.start() + 1 :]
            if right in ("Nya", "Mu", "Ku"):
                return None  # "kehendakNya": the divine clitic, a missing hyphen rather than glue
            rest = self.split(right) or [right]
            if left.islower():
                ok = self._known(left)
            else:
                # "JakartaKita", "HargaBitcoindan"; not "TotalEnergies" (the second word is unknown).
                ok = len(left) >= 4 and left[1:].islower() and (
                    (self._indonesian(left) and (rest[0] in self._tokens or self._known(rest[0])))
                    or (left in self._tokens and self._indonesian(rest[0]))
                )
            if not ok:
                return None
            return [left, *rest]
        m = _CAPS_LOWER.fullmatch(tok)
        if m:
            acronym, word = m[1], m[2]
            if acronym[-1] + word in self._tokens:  # "PLNDalam": PLN + Dalam
                return [acronym[:-1], acronym[-1] + word]
            parts = self.split(acronym[-1] + word)
            if parts:  # "MARCMarquezmengaku": MARC + Marquez + mengaku
                return [acronym[:-1], *parts]
            return [acronym, word] if self._known(word) else None
        if tok[0].isupper() and tok[1:].islower():
            cands = [(tok[:k], tok[k:]) for k in range(3, len(tok) - 2)
                     if self._glued_word(tok[k:]) and (tok[:k] in self._tokens or self._indonesian(tok[:k]))]
        elif tok.islower():
            # "mengemukakan" is not "mengemuk akan": an affixed word may end like a function word.
            affixed = tok.startswith(_AFFIXED) and tok.endswith(("kan", "an", "i"))
            cands = [
                (tok[:k], tok[k:]) for k in range(3, len(tok) - 2)
                if (tok[k:] in self._function and k >= 4 and not affixed and self._known(tok[:k]))
                or (tok[:k] in self._function and len(tok) - k >= 4 and self._known(tok[k:]))
            ]
        else:
            return None
        # Checked last: whether the whole token is a word can take the stemmer.
        return list(cands[0]) if len(cands) == 1 and not self._known(tok) else None

    def fix(self, text: str) -> tuple[str, int]:
        """``(text with glued words split, number of spaces inserted)``."""
        unknown = set(_TOKEN.findall(text)) - self._tokens
        splits = {tok: parts for tok in unknown if (parts := self.split(tok))}
        if not splits:
            return text, 0
        glued = "|".join(map(re.escape, sorted(splits, key=len, reverse=True)))
        fixed = re.sub(rf"{_BEFORE_TOKEN}(?:{glued}){_AFTER_TOKEN}", lambda m: " ".join(splits[m.group()]), text)
        return fixed, len(fixed) - len(text)


# --------------------------------------------------------------------------- lines and metadata

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_BYLINE = re.compile(r"^(?:oleh|by|penulis|reporter|ditulis oleh)\s*:?\s+(?P<rest>.+)$", re.IGNORECASE)
_AUTHOR_TAIL = re.compile(r"\s*(?:[-|,]\s*detik\w*|[-|]\s*[A-Za-z0-9]+\.(?:com|co\.id|co))\s*$")
_CREDIT = re.compile(
    r"\((?P<credit>[^()]{3,200}\b(?:photo|foto|dok|dokumentasi|pool|getty images|tangkapan layar|screenshot|"
    r"ilustrasi|istimewa|shutterstock)\b[^()]{0,120})\)\s*$",
    re.IGNORECASE,
)
_DATELINE_PATTERNS = [
    # "Liputan6.com, Washington, DC - ", "TEMPO.CO,Jakarta- ", "REPUBLIKA.CO.ID, LEBAK -- "
    re.compile(rf"^(?P<outlet>{_OUTLET})\s*,\s*(?P<place>[A-Z][\w.'’]*(?:,?\s+[A-Z][\w.'’]*){{0,3}}?)"
               r"\s*(?:\((?:antara|reuters|afp|ap)\)\s*)?(?:[-–—]{1,2}|:)\s*", re.IGNORECASE),
    # "Liputan6.com, JakartaKita semua" (the scraper glued the first word to the place)
    re.compile(rf"^(?P<outlet>{_OUTLET})\s*,\s*(?P<place>[A-Z][a-z]{{3,}})(?=[A-Z][a-z])"),
    # "SEOUL - ", "JAKARTA- ", "JAKARTA, KOMPAS.com - ", "LONDON, June 18 (Reuters) - "
    re.compile(rf"^(?P<place>[A-Z][A-Z.'’]+(?:\s+[A-Z][A-Z.'’]+){{0,3}})(?:\s*,\s*(?P<outlet>{_OUTLET}))?"
               r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
               r"\s*(?:\((?:ANTARA|Antara|Reuters|AFP|AP)\)\s*)?[-–—]{1,2}\s*(?=\S)"),
    re.compile(rf"^(?P<place>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)(?:\s*,\s*(?P<outlet>{_OUTLET})|\s*\((?:ANTARA|Antara)\))"
               r"\s*[-–—]{1,2}\s*(?=\S)"),
    # "KOMPAS.com - ", "KOMPAS.com-Bhayangkara"
    re.compile(rf"^(?P<outlet>{_OUTLET})\s*[-–—]{{1,2}}\s*(?=\S)", re.IGNORECASE),
]
_SENTENCE_END = re.compile(r"[.!?:;,\"”’)]$")


def _normalise(text: str) -> list[str]:
    """Non-empty lines with invisible characters dropped and spaces collapsed."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", x).strip() for x in text.split("\n"))
    return [x for x in lines if x]


def _dateline(line: str) -> tuple[str | None, str | None, int]:
    """``(place, outlet, prefix length)`` of a dateline opening ``line``, or ``(None, None, 0)``.

    >>> _dateline("LONDON, June 18 (Reuters) - Oil prices rose on Wednesday.")
    ('LONDON', None, 28)
    >>> _dateline("TEMPO.CO, Jakarta - Harga emas naik pada perdagangan Rabu.")
    ('Jakarta', 'tempo.co', 20)
    """
    for pattern in _DATELINE_PATTERNS:
        m = pattern.match(line)
        if m and len(m.group()) <= 60 and len(line) > len(m.group()) + 10:
            place = m.groupdict().get("place")
            outlet = m.groupdict().get("outlet")
            return place, _outlet_name(outlet) if outlet else None, m.end()
    return None, None, 0


def _find_dateline(lines: list[str]) -> tuple[str | None, str | None, int, int]:
    """``(place, outlet, line index, prefix length)`` of the dateline among the first lines.

    The lead may come after a summary line (seed 000), so the next two lines are tried too, but
    there only a dateline that names the outlet ("Liputan6.com, Washington, DC - ") counts.
    """
    for i, line in enumerate(lines[:3]):
        place, outlet, cut = _dateline(line)
        if cut and (i == 0 or outlet):
            return place, outlet, i, cut
    return None, None, 0, 0


def _date_only(line: str) -> bool:
    """A publication line: dates with a time or a keyword and nothing else.

    "Diterbitkan 15 Jun 2024, 08:03 WIB" is one; a bare date ("Sabtu, 21 Juni 2025") may be a
    subheading of a schedule, so it stays.
    """
    matches = list(_DATE_RE.finditer(line))
    if not any(m["H"] or m["kw"] for m in matches):
        return False
    rest = _DATE_RE.sub("", line)
    return len(rest.strip(" ,.|-:")) <= 3 and parse_published(line) != (None, None)


_NAME_PARTICLES = frozenset("dan and bin binti van von de der den al el la".split())


def _byline(line: str) -> tuple[str | None, str | None]:
    """``(author, rest)`` of a byline such as "oleh Khairisa Ferida diperbarui 15 Jun 2024, 08:03 WIB".

    The name must read as one: capitalised words ("By the end of the year" is no byline).

    >>> _byline("oleh Khairisa Ferida diperbarui 15 Jun 2024, 08:03 WIB")
    ('Khairisa Ferida', 'diperbarui 15 Jun 2024, 08:03 WIB')
    >>> _byline("By then it was over.")
    (None, None)
    """
    m = _BYLINE.match(line)
    if not m:
        return None, None
    rest = m["rest"]
    d = _DATE_RE.search(rest)
    name = (rest[: d.start()] if d else rest).strip(" ,|-:.")
    words = [w for w in re.split(r"[\s,&]+", name) if w]
    if not words or len(words) > 8 or any(c.isdigit() for c in name) or not all(
        w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words
    ):
        return None, None
    return name, rest[d.start():] if d else ""


def _clean_author(author: str | None) -> str | None:
    if not author:
        return None
    author = _AUTHOR_TAIL.sub("", _SPACES.sub(" ", author).strip()).strip(" ,-")
    return author or None


def _title_like(line: str) -> bool:
    return len(line) <= 200 and len(line.split()) <= 30 and _dateline(line)[2] == 0


def _caption_title_like(line: str) -> bool:
    return len(line) <= 120 and len(line.split()) <= 15 and not _SENTENCE_END.search(line) \
        and not line.startswith(("\"", "“", "'"))


def _title_from_url(url: str | None) -> str | None:
    if not url:
        return None
    slug = url.rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"\.\w{2,5}$", "", slug)
    words = [w for w in re.split(r"[-_]+", slug) if w]
    if len(words) < 3 or not any(c.isalpha() for c in slug):
        return None
    return " ".join(w[:1].upper() + w[1:] for w in words)


_BACA_JUGA = re.compile(r"baca juga", re.IGNORECASE)
#: Glued lines are looked for only in articles of at most this many lines (the check is quadratic).
_MAX_GLUE_CHECK = 400


def _drop_duplicates(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Drop repeated paragraphs, and paragraphs that are later paragraphs glued together.

    Some scrapers (Republika's) put the whole article into one line before its paragraphs. Such a
    line is dropped when at least 70% of it is made of later lines of 60 or more characters;
    what is left of it is kept: a photo caption goes to the captions, a sentence stays in the body
    in its place, a related-links block ("Baca Juga...") goes. Returns ``(kept, removed,
    captions)``.
    """
    out, seen = [], set()
    for line in lines:
        key = " ".join(line.casefold().split())
        if len(key) >= 30 and key in seen:
            continue
        seen.add(key)
        out.append(line)
    captions: list[str] = []
    if 3 <= len(out) <= _MAX_GLUE_CHECK:
        pieces = sorted((x for x in out if len(x) >= 60), key=len, reverse=True)
        kept = []
        for line in out:
            inside = [p for p in pieces if len(p) < len(line) and p in line] if len(line) >= 200 else []
            if len(inside) < 2 or sum(map(len, inside)) < 0.7 * len(line):
                kept.append(line)
                continue
            rest = line
            for p in inside:
                rest = rest.replace(p, "\0", 1)
            for segment in (_BACA_JUGA.split(x, 1)[0].strip() for x in rest.split("\0")):
                if len(segment) < 40 or is_furniture(segment):
                    continue
                if _CREDIT.search(segment):
                    captions.append(segment)
                elif _SENTENCE_END.search(segment):
                    kept.append(segment)
        out = kept
    kept_ids = set(map(id, out))
    return out, [x for x in lines if id(x) not in kept_ids], captions


# --------------------------------------------------------------------------- HTML

_META_TIME = {
    "published": ("article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate",
                  "publish-date", "date", "dc.date", "dc.date.issued", "content_PublishedDate"),
    "updated": ("article:modified_time", "og:updated_time", "dateModified", "lastmod", "last-modified"),
}
_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_JSONLD_TIME = re.compile(r'"(datePublished|dateModified)"\s*:\s*"([^"]{8,40})"')
_TIME_TAG = re.compile(r"<time\b[^>]*\bdatetime\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.IGNORECASE | re.DOTALL)


def html_captions(page: str) -> list[str]:
    """The text of each ``<figcaption>`` (trafilatura leaves captions out of the main text).

    >>> html_captions('<figure><img src=a.jpg><figcaption>Putin &amp; Kim <i>(AP)</i></figcaption></figure>')
    ['Putin & Kim (AP)']
    """
    out: list[str] = []
    for inner in _FIGCAPTION.findall(page):
        text = " ".join(_normalise(html_lib.unescape(_TAGS.sub(" ", inner))))
        text = re.sub(r"\s+([)\]])|([(\[])\s+", lambda m: m.group(1) or m.group(2), text)
        if text and text not in out:
            out.append(text)
    return out


_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr|section|article)\s*>", re.IGNORECASE)


def html_fragment_text(fragment: str) -> str:
    """The text of an HTML fragment (a feed item's content), one block per line.

    >>> html_fragment_text("<p>Putin tiba di <b>Pyongyang</b>.</p><p>Kim &amp; Putin bertemu.</p>")
    'Putin tiba di Pyongyang.\\nKim & Putin bertemu.'
    """
    text = html_lib.unescape(_TAGS.sub("", _BLOCK_END.sub("\n", fragment)))
    return "\n".join(_normalise(text))


def html_times(page: str) -> tuple[datetime | None, datetime | None]:
    """Publication and update times with their time of day, from JSON-LD, meta tags, ``<time>``.

    >>> html_times('<meta content="2024-06-15T08:03:00+07:00" property="article:published_time">')[0]
    datetime.datetime(2024, 6, 15, 8, 3, tzinfo=datetime.timezone(datetime.timedelta(seconds=25200)))
    """
    found: dict[str, datetime] = {}
    for kind, value in _JSONLD_TIME.findall(page):
        key = "published" if kind == "datePublished" else "updated"
        dt = parse_datetime(value)
        if dt and key not in found:
            found[key] = dt
    for tag in _META_TAG.findall(page):
        attrs = {k.lower(): (v1 or v2) for k, v1, v2 in _ATTR.findall(tag)}
        name = attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or ""
        for key, names in _META_TIME.items():
            if key not in found and name.lower() in {n.lower() for n in names} and attrs.get("content"):
                dt = parse_datetime(attrs["content"])
                if dt:
                    found[key] = dt
    if "published" not in found:
        m = _TIME_TAG.search(page)
        dt = parse_datetime(m.group(1)) if m else None
        if dt:
            found["published"] = dt
    if "published" not in found:
        visible = html_lib.unescape(_TAGS.sub("\n", page[:300_000]))
        for line in _normalise(visible)[:400]:
            if _DATE_RE.search(line) and len(line) <= 120:
                published, updated = parse_published(line)
                first = published or updated
                if first is not None:
                    found["published"] = first
                    break
    return found.get("published"), found.get("updated")


def _extract_html(article: Article) -> tuple[str, dict[str, Any]]:
    """Main text and metadata of an HTML page through trafilatura."""
    import trafilatura

    page = article.meta["html"]
    doc = trafilatura.bare_extraction(page, url=article.url, with_metadata=True, include_comments=False,
                                      include_tables=False)
    # A Document (attributes), or None when trafilatura finds nothing.
    text = getattr(doc, "text", None) or ""
    if not text.strip():
        head, tail = page[:2000].lower(), page[-2000:].lower()
        if "<html" not in head and "<body" not in head:
            text = html_fragment_text(page)  # a feed item's HTML: too small for trafilatura
        elif "</html>" not in tail and "</body>" not in tail:
            raise Rejected(Errors.E303, "the page is cut short and has no extractable text",
                           location=_where(article))
    if not text.strip():
        raise Rejected(Errors.W101, "no main text in the HTML page", location=_where(article))
    published, updated = html_times(page)
    day = getattr(doc, "date", None)  # trafilatura's date has no time of day: the last resort
    if published is None and day:
        published = parse_datetime(day)
    meta = {"title": getattr(doc, "title", None) or "", "author": getattr(doc, "author", None),
            "published": published, "updated": updated, "captions": html_captions(page),
            "outlet": registered_domain(getattr(doc, "url", None)) or getattr(doc, "hostname", None)}
    return text, meta


# --------------------------------------------------------------------------- the stage


#: Formats whose body is a whole page or file, so it may repeat the headline.
_PAGE_FORMATS = frozenset({"html", "warc", "rss", "text"})


@dataclass
class _Draft:
    """An article between reading and cleaning: normalised lines and what was found so far."""

    article: Article
    lines: list[str]
    outlet: str | None
    title: str = ""
    title_from: str = ""
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    removed: list[tuple[str, str]] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)


def _where(article: Article) -> str:
    """Where a reject came from: its input location (file and row), else its source."""
    return article.meta.get("location") or article.source


@stage("cleaning", requires=["raw_text"],
       assigns=["text", "title", "author", "published", "updated", "dateline", "captions", "outlet"])
class Cleaner:
    """The cleaning stage: raw records in, clean articles out.

    Stateful: it learns furniture per outlet. ``pipe(articles, batch_size)`` learns line
    statistics from each batch before cleaning it; ``state()`` / ``load_state()`` export and
    import what was learned as a plain dict, so later runs keep it. With ``keep_removed`` every
    removed line is listed in ``meta["cleaning"]["removed"]`` as ``(kind, line)`` (for audits);
    kinds: ``furniture`` (hand list), ``learned``, ``duplicate``, ``header`` (byline and date
    lines, now metadata) and ``tail`` (furniture glued to the end of a kept line).
    """

    def __init__(self, settings: Settings | None = None, *, keep_removed: bool = False) -> None:
        self.settings = settings or load_settings()
        self.keep_removed = keep_removed
        cfg = self.settings.cleaning
        self.min_body_chars = self.settings.ingest.min_body_chars
        self.default_tz = _parse_offset(cfg.default_timezone)
        self.published_from_updated = cfg.published_from_updated
        self.furniture = FurnitureModel(
            min_articles=cfg.furniture_min_articles, min_share=cfg.furniture_min_share,
            max_words=cfg.furniture_max_words, error=cfg.furniture_error, seen_window=cfg.furniture_seen_window,
        )
        self.glue = GlueFixer(common_min_articles=cfg.glue_common_min_articles) if cfg.glue_fix else None

    # -- state
    def state(self) -> dict[str, Any]:
        return {"version": 1, "furniture": self.furniture.to_dict()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.furniture = FurnitureModel.from_dict(state["furniture"])

    # -- running
    def __call__(self, article: Article) -> Article:
        draft = self._prepare(article)
        self._learn(draft)
        return self._finish(draft)

    def pipe(self, articles: Iterable[Article], batch_size: int = 256) -> Iterator[Article | Rejected]:
        """Clean a stream; each batch is learned from before it is cleaned. Rejects come out in place."""
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= batch_size:
                yield from self._run_batch(batch)
                batch = []
        if batch:
            yield from self._run_batch(batch)

    def _run_batch(self, batch: list[Article]) -> Iterator[Article | Rejected]:
        drafts: list[_Draft | Rejected] = []
        for article in batch:
            try:
                drafts.append(self._prepare(article))
            except Rejected as rej:
                drafts.append(rej)
        for d in drafts:
            if isinstance(d, _Draft):
                self._learn(d)
        for d in drafts:
            if isinstance(d, Rejected):
                yield d
                continue
            try:
                yield self._finish(d)
            except Rejected as rej:
                yield rej

    def _learn(self, draft: _Draft) -> None:
        a = draft.article
        key = a.url or hashlib.blake2b("\n".join(draft.lines).encode("utf-8"), digest_size=8).hexdigest()
        self.furniture.learn_lines(draft.outlet or "", key, draft.lines)

    # -- steps
    def _prepare(self, article: Article) -> _Draft:
        """Body lines, the source's metadata (HTML page, date columns) and the title line taken off."""
        fmt = article.meta.get("format")
        html_meta: dict[str, Any] = {}
        if article.raw_text is None and article.meta.get("html"):
            body, html_meta = _extract_html(article)
        else:
            body = article.raw_text if article.raw_text is not None else article.text
        lines = _normalise(body or "")
        outlet = registered_domain(article.url) or (_outlet_name(article.outlet) if article.outlet else None) \
            or html_meta.get("outlet")
        d = _Draft(article, lines, outlet)
        d.title = _SPACES.sub(" ", article.title or html_meta.get("title") or "").strip()
        d.title_from = "source" if d.title else ""
        d.author = _clean_author(article.author or html_meta.get("author"))
        d.captions = html_meta.get("captions", [])
        # The source's own metadata first (page meta tags, the date column); a date line in the
        # text only fills what is missing.
        published, updated = parse_published(article.meta.get("published_raw"), self.default_tz)
        d.published = html_meta.get("published") or published
        d.updated = html_meta.get("updated") or updated or parse_datetime(article.meta.get("updated_raw"),
                                                                          self.default_tz)
        if fmt in _PAGE_FORMATS and d.title and lines and lines[0].casefold() == d.title.casefold():
            lines.pop(0)  # the page's headline, repeated above the body
        elif not d.title and fmt == "text" and lines and _title_like(lines[0]):
            d.title, d.title_from = lines.pop(0), "first line"
        if outlet is None:
            d.outlet = _find_dateline(lines)[1]
        return d

    def _take_header(self, d: _Draft, lines: list[str]) -> list[str]:
        """Byline and date lines among the first body lines: into metadata, out of the body.

        The window is the first six lines that stay, so cleaning clean text finds nothing more.
        """
        keep: list[str] = []
        for i, line in enumerate(lines):
            if len(keep) >= 6:
                keep.extend(lines[i:])
                break
            author, rest = _byline(line) if len(line) <= 160 else (None, None)
            if author is not None or (len(line) <= 160 and _date_only(line)):
                published, updated = parse_published(rest if author is not None else line, self.default_tz)
                d.author = d.author or author
                d.published = d.published or published
                d.updated = d.updated or updated
                d.removed.append(("header", line))
            else:
                keep.append(line)
        return keep

    def _finish(self, d: _Draft) -> Article:
        a = d.article
        lines, captions = self._captions(d.lines)
        captions = d.captions + captions
        body: list[str] = []
        for line in lines:
            tail = _FURNITURE_TAIL.search(line)
            if tail:
                d.removed.append(("tail", tail.group().strip()))
                line = line[: tail.start()]
            if is_furniture(line):
                d.removed.append(("furniture", line))
            elif self.furniture.predict_one(line, d.outlet):
                d.removed.append(("learned", line))
            else:
                body.append(line)
        body, duplicates, glued_captions = _drop_duplicates(body)
        d.removed.extend(("duplicate", x) for x in duplicates)
        captions += glued_captions
        body = self._take_header(d, body)
        place, dateline_outlet, at, cut = (a.dateline, None, 0, 0) if a.dateline else _find_dateline(body)
        if cut:
            body[at] = body[at][cut:].lstrip(" -–—,:")
        glue_fixes = 0
        title = d.title
        if self.glue is not None:
            joined, glue_fixes = self.glue.fix("\n".join(body))
            body = joined.split("\n")
            title, n = self.glue.fix(title)
            glue_fixes += n
        text = "\n".join(body)
        short = None
        if not text.strip():
            short = Rejected(Errors.W101, "nothing left after removing furniture", location=_where(a))
        elif len(text) < self.min_body_chars:
            short = Rejected(Errors.W102, f"{len(text)} characters, fewer than {self.min_body_chars}",
                             location=_where(a))
        if short is not None:
            # A headline with a link is still news (paywalled pages, video pages): keep it as a
            # headline-only article with the warning; without a title there is nothing to keep.
            if not (title.strip() and a.url):
                raise short
            a.meta["headline_only"] = True
            a.meta.setdefault("warnings", []).append({"code": short.code, "reason": short.reason})
            text = text.strip()
        if not title:
            title, d.title_from = self._fallback_title(a, body)
        published, updated = d.published, d.updated
        published_from = "source" if published else ""
        if published is None and updated is not None and self.published_from_updated:
            published, published_from = updated, "updated"
        a.text = text
        a.title = title
        a.author = d.author
        a.published = published
        a.updated = updated
        a.dateline = place
        a.captions = captions
        a.outlet = d.outlet or dateline_outlet
        kinds = [k for k, _ in d.removed]
        a.meta["cleaning"] = {
            "furniture_lines": len(kinds) - kinds.count("header") - kinds.count("tail"),
            "learned_furniture": kinds.count("learned"),
            "duplicate_lines": kinds.count("duplicate"),
            "header_lines": kinds.count("header"),
            "captions": len(captions),
            "glue_fixes": glue_fixes,
            "title_from": d.title_from,
            "published_from": published_from,
        }
        if self.keep_removed:
            a.meta["cleaning"]["removed"] = d.removed
        return a

    @staticmethod
    def _captions(lines: list[str]) -> tuple[list[str], list[str]]:
        """Photo captions (a short title line and its credit line, or a credit line alone)."""
        body: list[str] = []
        captions: list[str] = []
        for line in lines:
            if len(line) <= 600 and _CREDIT.search(line):
                if body and _caption_title_like(body[-1]):
                    captions.append(f"{body.pop()}\n{line}")
                else:
                    captions.append(line)
            else:
                body.append(line)
        return body, captions

    @staticmethod
    def _fallback_title(a: Article, body: list[str]) -> tuple[str, str]:
        slug = _title_from_url(a.url)
        if slug:
            return slug, "url"
        lead = re.split(r"(?<=[.!?])\s+", body[0], maxsplit=1)[0]
        if len(lead) > 120:
            lead = lead[:120].rsplit(" ", 1)[0] + "…"
        return lead, "lead"


def _parse_offset(value: str) -> timezone:
    """``"+07:00"`` or a zone name (``"WIB"``) -> a fixed offset."""
    if value.upper() in ZONES:
        return ZONES[value.upper()]
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", value)
    if not m:
        raise ValueError(f"cleaning.default_timezone must be like +07:00 or WIB, not {value!r}")
    sign = -1 if m[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(m[2]), minutes=int(m[3])))
