"""Claims: the sentence- and clause-level statements of an article, with what each one states.

An article is cut into sentences (Indonesian news: abbreviations, initials, decimals "3,5",
thousands "Rp1.691.409", quotations kept whole) and sentences into clauses at joints such as
", sementara" or ", namun", so that "the presidential office says X, while Vedomosti says Y" gives
two claims. Each claim is a ``Span(layer="claim")`` whose attrs list the entities, places, dates
(timex values), numbers and speaker (quote layer) it carries. The text helpers used to compare
claims (Sastrawi-stemmed terms, character n-grams, a small TF-IDF) live here too: numpy and scipy
only, because ``warta stories show`` must answer within a second and importing scikit-learn alone
costs most of that.

>>> text = 'Harga emas turun menjadi Rp1.691.409 per gram. Kenaikan sebesar 3,5 persen.'
>>> [text[s:e] for s, e in sentences(text)]
['Harga emas turun menjadi Rp1.691.409 per gram.', 'Kenaikan sebesar 3,5 persen.']
>>> [(n["value"], n["unit"]) for n in numbers(text)]
[(1691409.0, 'rp'), (3.5, '%')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

from .article import Article, Span
from .pipeline import stage

_ABBREVIATIONS = frozenset(
    "a.n adm bpk bu capt cf co col corp dkk dll dr dra drs dsb dst e.g etc gen gov hj hlm i.e inc ir jl jln jr "
    "kab kapt kec kel kol kom komjen kompol kt lt ltd mr mrs ms no nom pak prof pt rep sdr sdri sen sgt sr st "
    "tbk tsb ttg u.s vs ybs yth".split()
)
_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[A-Z0-9])")
_CLAUSE = re.compile(r"(?:,\s+(?=(?:sementara|sedangkan|namun|tetapi|padahal|while|whereas|but)\b)|;\s+)", re.I)
WORD = re.compile(r"\w+(?:[-']\w+)*", re.U)
_CONJUNCTION = re.compile(r"(?:sementara itu|sementara|sedangkan|namun|tetapi|padahal|while|whereas|but)\s*,?\s*", re.I)


def _inside_quote(paragraph: str, pos: int) -> bool:
    """Is ``pos`` inside an open quotation in ``paragraph`` (only when its quotes balance)?"""
    if paragraph.count('"') % 2 or paragraph.count("“") != paragraph.count("”"):
        return False
    head = paragraph[:pos]
    return bool(head.count('"') % 2) or head.count("“") > head.count("”")


def _abbreviation_before(paragraph: str, end: int) -> bool:
    m = re.search(r"([\w.]+)\.$", paragraph[:end])
    if not m:
        return False
    token = m.group(1)
    return token.lower() in _ABBREVIATIONS or (len(token) == 1 and token.isupper())


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``; paragraphs (lines) always end a sentence.

    Keeps decimals ("3,5", "3.5"), thousands ("Rp1.691.409"), abbreviations ("Dr.", "Jl.") and
    initials ("B. J. Habibie") whole, and never splits inside a balanced quotation.

    >>> t = 'Kata Dr. Budi, harga naik 2.5 persen. "Kami siap. Sangat siap," ujarnya.\\nBaris baru.'
    >>> [t[s:e] for s, e in sentences(t)]
    ['Kata Dr. Budi, harga naik 2.5 persen.', '"Kami siap. Sangat siap," ujarnya.', 'Baris baru.']
    """
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start = 0
        for m in _END.finditer(line):
            if _abbreviation_before(line, m.start() + 1) or _inside_quote(line, m.start()):
                continue
            out.append((pos + start, pos + m.end()))
            start = m.end()
            while start < len(line) and line[start].isspace():
                start += 1
        if line[start:].strip():
            out.append((pos + start, pos + len(line.rstrip())))
        pos += len(line) + 1
    return [(s + _lead_space(text[s:e]), e) for s, e in out if text[s:e].strip()]


def _lead_space(s: str) -> int:
    return len(s) - len(s.lstrip())


def clauses(text: str, start: int, end: int, *, min_words: int = 4) -> list[tuple[int, int]]:
    """Split one sentence at clause joints (", sementara", ", namun", ";") outside quotations.

    >>> t = 'Kantor presiden menyebut pekan depan, sementara Vedomosti menyebut bulan depan.'
    >>> [t[s:e] for s, e in clauses(t, 0, len(t))]
    ['Kantor presiden menyebut pekan depan', 'Vedomosti menyebut bulan depan.']
    """
    sentence = text[start:end]
    parts: list[tuple[int, int]] = []
    last = 0
    for m in _CLAUSE.finditer(sentence):
        if _inside_quote(sentence, m.start()):
            continue
        head = sentence[last : m.start()]
        tail = sentence[m.end() :]
        if len(WORD.findall(head)) >= min_words and len(WORD.findall(tail)) >= min_words:
            parts.append((start + last, start + m.start()))
            last = m.end()
            if m.group(0).lower().startswith(","):
                last = _skip_conjunction(sentence, last)
    parts.append((start + last, end))
    return parts


def _skip_conjunction(sentence: str, pos: int) -> int:
    m = _CONJUNCTION.match(sentence, pos)
    return m.end() if m else pos


# ---------------------------------------------------------------------------------------------
# Numbers

_MULTIPLIERS = {"ribu": 1e3, "rb": 1e3, "juta": 1e6, "jt": 1e6, "miliar": 1e9, "milyar": 1e9, "triliun": 1e12,
                "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMBER_WORDS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
                 "sembilan": 9, "sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000,
                 "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10}
_MONTHS = ("januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|jan|feb|mar|"
           "apr|jun|jul|agu|agt|aug|sep|sept|okt|oct|nov|des|dec|january|february|march|may|june|july|august|"
           "october|december")
_NUMBER = re.compile(
    r"(?:(?P<rp>(?<!\w)(?:Rp|US\$|USD|IDR|\$)\s?)|(?P<mag>(?<!\w)M\s?)|(?<![\w.,]))"
    r"(?P<num>\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?(?!\w)|\d+(?:[.,]\d+)?(?!\w)"
    r"|(?:" + "|".join(_NUMBER_WORDS) + r")\b(?:\s+(?:belas|puluh|ratus)\b)?)"
    r"(?:\s*(?P<mult>" + "|".join(_MULTIPLIERS) + r")\b)?"
    r"(?:\s*(?P<unit>%|persen\b|percent\b|[^\W\d]{2,}))?",
    re.I | re.U,
)
_DATE_LIKE = re.compile(
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{1,2}\s+(?:" + _MONTHS + r")\b(?:\s+\d{4})?|\b(?:" + _MONTHS
    + r"|tahun|year|sejak|since)\s+\d{4}\b|\b\d{1,2}[.:]\d{2}\b|\b(?:19|20)\d{2}\b",
    re.I,
)
#: Measures named before the number ("magnitudo 4,8", "kedalaman 10 km", "peringkat ke-40").
_MEASURES = {w: w for w in ("magnitudo kedalaman skor usia umur suhu peringkat ranking posisi level nomor angka "
                             "indeks magnitude depth score age rank").split()} | {"m": "magnitudo", "sr": "magnitudo",
                                                                    "bermagnitudo": "magnitudo"}
_UNIT_ALIASES = {"km": "kilometer", "kg": "kilogram", "m": "meter", "cm": "sentimeter", "ha": "hektare",
                 "thn": "tahun", "jt": "juta", "sr": "magnitudo", "mw": "magnitudo", "kilometres": "kilometer",
                 "kilometers": "kilometer", "people": "orang", "persons": "orang"}
_UNITS = frozenset("% kilometer meter sentimeter kilogram gram ton hektare liter mil persen".split())
_MEASURE_BEFORE = re.compile(r"(\w+)\W{0,3}$")
_UNIT_STOP = frozenset("dan di ke dari yang untuk pada dengan atau itu ini oleh lebih sekitar hingga sampai kali per "
                       "and of in to the a an for on at by with".split())


def _parse_number(raw: str, english: bool) -> float | None:
    low = raw.lower()
    words = low.split()
    if words[0] in _NUMBER_WORDS:
        value = float(_NUMBER_WORDS[words[0]])
        if len(words) > 1:
            value = {"belas": value + 10, "puluh": value * 10, "ratus": value * 100}[words[1]]
        return value
    if english:
        digits = raw.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", raw):
        digits = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        digits = raw.replace(",", "")
    else:
        digits = raw.replace(",", ".")
    try:
        return float(digits)
    except ValueError:
        return None


def numbers(text: str, *, english: bool = False, exclude: Sequence[tuple[int, int]] = ()) -> list[dict[str, Any]]:
    """Amounts stated in ``text``: value, unit (the counted noun, "rp", "%"), offsets.

    Dates and times are not amounts: numbers inside ``exclude`` ranges (timex spans) or shaped
    like dates ("14/6/2024", "13 September", "tahun 2000", "08.03") are skipped.

    >>> [(n["value"], n["unit"]) for n in numbers("Tiga orang tewas dan 1,2 juta warga mengungsi.")]
    [(3.0, 'orang'), (1200000.0, 'warga')]
    >>> [(n["value"], n["unit"]) for n in numbers("Gempa M4,9 (magnitudo) 4,8 di kedalaman 10 km.")]
    [(4.9, 'magnitudo'), (4.8, 'magnitudo'), (10.0, 'kilometer')]
    """
    dates = [(m.start(), m.end()) for m in _DATE_LIKE.finditer(text)]
    blocked = [*dates, *exclude]
    out = []
    for m in _NUMBER.finditer(text):
        s, e = m.span("num")
        if any(bs <= s < be for bs, be in blocked):
            continue
        value = _parse_number(m.group("num"), english)
        if value is None:
            continue
        if m.group("mult"):
            value *= _MULTIPLIERS[m.group("mult").lower()]
        unit = (m.group("unit") or "").lower()
        unit = "%" if unit in ("persen", "percent") else _UNIT_ALIASES.get(unit, unit)
        before = _MEASURE_BEFORE.search(text, max(0, m.start() - 30), m.start())
        if m.group("rp"):
            unit = "rp" if m.group("rp").strip().lower() in ("rp", "idr") else "usd"
        elif m.group("mag"):
            unit = "magnitudo"
        elif unit not in _UNITS and before and before.group(1).lower() in _MEASURES:
            unit = _MEASURES[before.group(1).lower()]
        elif unit in _UNIT_STOP:
            unit = ""
        out.append({"value": value, "unit": unit, "text": m.group(0).strip(), "start": m.start(), "end": m.end()})
    return out


# ---------------------------------------------------------------------------------------------
# Claims


def _within(span: Span, start: int, end: int) -> bool:
    return start <= span.start and span.end <= end


def _overlap(span: Span, start: int, end: int) -> int:
    return max(0, min(span.end, end) - max(span.start, start))


def _speaker(article: Article, start: int, end: int) -> tuple[str | None, bool]:
    """Who the claim ``[start, end)`` is attributed to, and whether it is mostly a direct quote."""
    best: Span | None = None
    for q in article.layer("quote"):
        lo, hi = q.attrs.get("content_start", q.start), q.attrs.get("content_end", q.end)
        if _overlap(q, start, end) and (best is None or _overlap(q, start, end) > _overlap(best, start, end)):
            best = q
        elif lo < end and start < hi and best is None:
            best = q
    if best is None:
        return None, False
    direct = best.label == "direct" and _overlap(best, start, end) * 2 >= (end - start) // 2
    return best.attrs.get("speaker"), direct


def claims(article: Article, *, min_words: int = 4) -> list[Span]:
    """The claims of ``article``: sentences or clauses with what they state (as ``claim`` spans).

    attrs: ``entities`` (canonical names), ``places``, ``dates`` (timex values), ``numbers``,
    ``speaker`` (from the quote layer), ``quote`` (mostly a direct quotation) and ``terms`` (stemmed
    content words: stored with the claim so that comparing a story never waits for the stemmer).

    >>> a = Article(source="x", text="Gempa M4,8 mengguncang Garut. Dua rumah rusak.")
    >>> [(a.span_text(c), c.attrs["numbers"]) for c in claims(a, min_words=2)][1]
    ('Dua rumah rusak.', [{'value': 2.0, 'unit': 'rumah', 'text': 'Dua rumah'}])
    """
    english = article.language == "en"
    entities = article.layer("entity")
    timexes = article.layer("timex")
    amounts = numbers(article.text, english=english, exclude=[(t.start, t.end) for t in timexes])
    out = []
    for s0, e0 in sentences(article.text):
        for start, end in clauses(article.text, s0, e0, min_words=min_words):
            text = article.text[start:end]
            if len(WORD.findall(text)) < min_words:
                continue
            inside = [x for x in entities if _within(x, start, end)]
            dates = [t for t in timexes if _within(t, start, end)]
            nums = [n for n in amounts if start <= n["start"] and n["end"] <= end]
            speaker, direct = _speaker(article, start, end)
            names = {x: x.attrs.get("canonical") or article.span_text(x) for x in inside}
            attrs = {
                "entities": sorted(set(names.values())),
                "places": sorted({name for x, name in names.items() if x.label == "LOC"}),
                "dates": [{"value": t.attrs.get("value"), "vague": bool(t.attrs.get("vague")),
                           "text": article.span_text(t), "start": t.start, "end": t.end} for t in dates],
                "numbers": [{k: n[k] for k in ("value", "unit", "text")} for n in nums],
                "speaker": speaker,
                "quote": direct,
                "terms": terms(text),
            }
            out.append(Span(start, end, "claim", layer="claim", attrs=attrs))
    return out


@stage("claims", requires=["text"], assigns=["claim"])
def claim_stage(article: Article) -> Article:
    """Add the ``claim`` span layer (run after entities, quotes and timex for richer claims)."""
    article.set_layer("claim", claims(article))
    return article


# ---------------------------------------------------------------------------------------------
# Vectors


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    english = "the a an of to in on at for and or but is are was were be been has have had that this with by from as it"
    return frozenset(StopWordRemoverFactory().get_stop_words()) | frozenset(english.split())


#: Sastrawi only changes words with one of these prefixes or suffixes (or reduplications); asking it
#: about the others costs most of a cold ``warta stories show``.
_AFFIXED = re.compile(r"^(?:me|be|di|ke|pe|te|se)|(?:kan|an|i|nya|lah|kah|pun|ku|mu)$|-")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    if len(word) <= 3 or not _AFFIXED.search(word) or not word.replace("-", "").isalpha():
        return word
    return _stemmer().stem(word)


def terms(text: str) -> list[str]:
    """Stemmed content words of ``text`` (Sastrawi), stopwords removed.

    >>> terms("Para pejabat memperingatkan kunjungan itu")
    ['jabat', 'ingat', 'kunjung']
    """
    stop = _stopwords()
    words = [w.lower() for w in WORD.findall(text)]
    return [_stem(w) for w in words if w not in stop and len(w) > 1]


def char_ngrams(text: str, n: int = 4) -> list[str]:
    """Character n-grams of the words of ``text`` (spelling variants and names across languages)."""
    norm = " " + " ".join(w.lower() for w in WORD.findall(text)) + " "
    return [norm[i : i + n] for i in range(len(norm) - n + 1)]


def tfidf(docs: Sequence[Sequence[str]], *, common: int = 0) -> sparse.csr_matrix:
    """Row-normalised TF-IDF matrix of tokenised ``docs`` (smoothed idf, sublinear tf).

    With ``common``, features in more than ``common`` docs are dropped: their idf is low anyway,
    and in a large story they turn the sparse product of all pairs into a dense one.

    >>> m = tfidf([["a", "b"], ["a", "c"], []])
    >>> round(float((m @ m.T)[0, 1]), 3), m.shape
    (0.366, (3, 3))
    """
    vocab: dict[str, int] = {}
    cols: list[int] = []
    lengths = np.empty(len(docs), dtype=np.int64)
    for i, doc in enumerate(docs):
        before = len(cols)
        cols.extend([vocab.setdefault(tok, len(vocab)) for tok in doc])
        lengths[i] = len(cols) - before
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    m = sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), np.asarray(cols, dtype=np.int64), indptr),
                          shape=(len(docs), len(vocab)))
    m.sum_duplicates()
    m.data = 1.0 + np.log(m.data)
    df = np.bincount(m.indices, minlength=len(vocab))
    m.data *= (np.log((1 + len(docs)) / (1 + df)) + 1).astype(np.float32)[m.indices]
    if common:
        m.data[df[m.indices] > common] = 0
        m.eliminate_zeros()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sparse.csr_matrix(sparse.diags(1 / norms) @ m)


