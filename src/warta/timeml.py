"""TimeML documents and TIMEX3 scores: how well :mod:`warta.timex` recognises and normalises.

Reads TimeML files (IndoTimex, TempEval), runs :func:`warta.timex.extract` anchored on each
document's creation time (DCT) and scores it the TempEval-3 way: recognition P/R/F1 with strict
(same offsets) and relaxed (overlapping) matching, and value and type F1 over relaxed matches (a
prediction counts when it overlaps a gold expression and has its value).

>>> doc = parse_timeml('<TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="2014-12-29">Senin, 29 Desember'
...     ' 2014</TIMEX3></DCT><TEXT>Pesawat hilang <TIMEX3 tid="t1" type="DATE" value="2014-12-28">Minggu'
...     '</TIMEX3> pagi.</TEXT></TimeML>')
>>> doc.text, doc.gold[0].start, doc.gold[0].value
('Pesawat hilang Minggu pagi.', 15, '2014-12-28')
>>> score([doc]).relaxed.f1
1.0
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .timex import extract

#: Documents without a time zone are read as Western Indonesian Time (WIB, +07:00).
WIB = timezone(timedelta(hours=7))

_TAG = re.compile(r"<(/?)(\w+)([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True, slots=True)
class Timex:
    """One temporal expression: offsets into the document text, TIMEX3 type and value."""

    start: int
    end: int
    type: str
    value: str


@dataclass(slots=True)
class Document:
    """A TimeML document: its text (tags removed), its creation time and the gold expressions."""

    name: str
    text: str
    dct: datetime | None
    dct_timex: Timex | None = None
    dct_text: str = ""
    gold: list[Timex] = field(default_factory=list)


def _reference(value: str) -> datetime | None:
    m = re.match(r"(\d{4})-(\d\d?)-(\d\d?)", value)
    return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=WIB) if m else None


def parse_timeml(markup: str, name: str = "") -> Document:
    """The text of ``<TEXT>`` with its TIMEX3 tags as offsets, and the DCT."""
    dct_m = re.search(r"<DCT>\s*<TIMEX3([^>]*)>(.*?)</TIMEX3>", markup, re.S)
    dct_attrs = dict(_ATTR.findall(dct_m[1])) if dct_m else {}
    dct_text = html.unescape(dct_m[2]) if dct_m else ""
    body_m = re.search(r"<TEXT>(.*?)</TEXT>", markup, re.S)
    body = body_m[1] if body_m else ""
    parts: list[str] = []
    gold: list[Timex] = []
    open_at: tuple[int, dict[str, str]] | None = None
    pos = length = 0
    for m in _TAG.finditer(body):
        chunk = html.unescape(body[pos : m.start()])
        parts.append(chunk)
        length += len(chunk)
        pos = m.end()
        if m[2] != "TIMEX3":
            continue
        if not m[1]:
            open_at = (length, dict(_ATTR.findall(m[3])))
        elif open_at is not None:
            start, attrs = open_at
            gold.append(Timex(start, length, attrs.get("type", ""), attrs.get("value", "")))
            open_at = None
    parts.append(html.unescape(body[pos:]))
    dct_value = dct_attrs.get("value", "")
    dct_timex = Timex(0, len(dct_text), dct_attrs.get("type", ""), dct_value) if dct_m else None
    return Document(name, "".join(parts), _reference(dct_value), dct_timex, dct_text, gold)


def read_timeml(directory: str | Path) -> list[Document]:
    """Every ``*.tml`` document of ``directory``, in name order."""
    return [parse_timeml(p.read_text(encoding="utf-8", errors="replace"), p.stem)
            for p in sorted(Path(directory).glob("*.tml"))]


@dataclass(slots=True)
class PRF:
    """Counts and precision, recall, F1."""

    correct: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Scores:
    """TempEval-3 style scores over a set of documents, and the mistakes behind them."""

    strict: PRF = field(default_factory=PRF)
    relaxed: PRF = field(default_factory=PRF)
    value: PRF = field(default_factory=PRF)
    type: PRF = field(default_factory=PRF)
    documents: int = 0
    errors: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, PRF]]:
        return [("recognition (strict)", self.strict), ("recognition (relaxed)", self.relaxed),
                ("normalisation (value)", self.value), ("type", self.type)]


def same_value(predicted: str, gold: str) -> bool:
    """Equal TIMEX3 values, once zero-padded and without a zone offset (TIMEX3 values carry none).

    >>> same_value("2014-12-28T07:24+07:00", "2014-12-28T07:24"), same_value("2013-12-04", "2013-12-4")
    (True, True)
    """
    return _canonical(predicted) == _canonical(gold)


def _canonical(value: str) -> str:
    value = re.sub(r"(T\d\d(?::\d\d)?)(?:[+-]\d\d:\d\d|Z)$", r"\1", value)
    return re.sub(r"^(\d{4})-(\d)\b", r"\1-0\2", re.sub(r"^(\d{4}-\d\d)-(\d)\b", r"\1-0\2", value))


def _add(scores: Scores, name: str, text: str, gold: Sequence[Timex], predicted: Sequence[Timex]) -> None:
    for prf in (scores.strict, scores.relaxed, scores.value, scores.type):
        prf.gold += len(gold)
        prf.predicted += len(predicted)
    exact = {(t.start, t.end) for t in gold}
    scores.strict.correct += sum((p.start, p.end) in exact for p in predicted)
    unmatched = list(gold)
    for p in predicted:
        g = next((g for g in unmatched if g.start < p.end and p.start < g.end), None)
        if g is None:
            scores.errors.append(f"{name}\tspurious\t{text[p.start:p.end]!r}\t{p.type}\t{p.value}")
            continue
        unmatched.remove(g)
        scores.relaxed.correct += 1
        scores.value.correct += same_value(p.value, g.value)
        scores.type.correct += p.type == g.type
        if not same_value(p.value, g.value) or (p.start, p.end) != (g.start, g.end):
            scores.errors.append(f"{name}\tmismatch\t{text[g.start:g.end]!r}/{text[p.start:p.end]!r}"
                                 f"\t{g.type}/{p.type}\t{g.value}/{p.value}")
    for g in unmatched:
        scores.errors.append(f"{name}\tmissed\t{text[g.start:g.end]!r}\t{g.type}\t{g.value}")


def _predict(text: str, reference: datetime | None) -> list[Timex]:
    return [Timex(s.start, s.end, s.label, s.attrs["value"]) for s in extract(text, reference, "id")]


def score(documents: Iterable[Document], *, include_dct: bool = False) -> Scores:
    """Score :func:`warta.timex.extract` on ``documents``.

    With ``include_dct`` the creation-time expression of each document counts too (as a
    one-expression document of its own), as when TempEval scores TIMEX3 tags including the DCT.
    """
    scores = Scores()
    for doc in documents:
        scores.documents += 1
        _add(scores, doc.name, doc.text, doc.gold, _predict(doc.text, doc.dct))
        if include_dct and doc.dct_timex is not None:
            _add(scores, f"{doc.name}:DCT", doc.dct_text, [doc.dct_timex], _predict(doc.dct_text, doc.dct))
    return scores
