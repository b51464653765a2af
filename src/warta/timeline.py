"""Timeline: the dated happenings of a story in order, each with its sources.

Built from the ``timex`` layer (normalised against each article's publication time). An article
without a publication date is re-anchored on its story, at the earliest publication time of the
other articles, with :func:`warta.timex.anchor`; the dates that depend on that guess are marked
``inferred``. Captions are read too: a photo caption often carries the exact date of an earlier
meeting that the body only mentions by month. Mentions of the same date inside one fact are one
entry with several sources.

>>> from datetime import datetime, timezone
>>> from warta.article import Article
>>> from warta.timex import extract
>>> t = datetime(2024, 6, 15, 8, tzinfo=timezone.utc)
>>> a = Article(source="a", outlet="liputan6.com", published=t, text="Putin bertemu Kim Jong Il pada tahun 2000.")
>>> b = Article(source="b", outlet="seed", text="Kementerian itu memperingatkan pada hari Jumat.")
>>> for x in (a, b):
...     x.set_layer("timex", extract(x.text, x.published))
>>> [(e["date"], e["inferred"], e["sources"]) for e in timeline([a, b])]
[('2000-01-01', False, ['liputan6.com']), ('2024-06-14', True, ['seed'])]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from . import timex as timex_mod
from .article import Article, Span
from .claims import sentences


def interval(value: str | None) -> tuple[date, date] | None:
    """The days ``[first, last]`` a TIMEX3 date value covers (None for vague or non-dates).

    >>> interval("2024-W24")
    (datetime.date(2024, 6, 10), datetime.date(2024, 6, 16))
    >>> interval("2024-06"), interval("PRESENT_REF")
    ((datetime.date(2024, 6, 1), datetime.date(2024, 6, 30)), None)
    """
    if not value:
        return None
    m = re.fullmatch(r"(\d{4})-W(\d{2})(?:-WE)?", value)
    if m:
        first = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        return first, first + timedelta(days=6)
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T.*)?", value)
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day:
            d = date(year, int(month), int(day))
            return d, d
        if month:
            first = date(year, int(month), 1)
            nxt = date(year + (int(month) == 12), int(month) % 12 + 1, 1)
            return first, nxt - timedelta(days=1)
    except ValueError:
        return None
    return date(year, 1, 1), date(year, 12, 31)


def story_reference(articles: Sequence[Article]) -> datetime | None:
    """The time an undated article of the story is anchored on: the earliest publication time."""
    dated = [a.published for a in articles if a.published is not None]
    return min(dated, key=lambda d: d.timestamp()) if dated else None


def _containing(spans: Sequence[tuple[int, int]], s: Span) -> tuple[int, int]:
    for start, end in spans:
        if start <= s.start and s.end <= end:
            return start, end
    return s.start, s.end


def _vaguer(span: Span, days: tuple[date, date], others: Sequence[tuple[Span, tuple[date, date]]]) -> bool:
    """Does another date of the same sentence say the same more precisely ("Rabu (18/6)" + "pukul 15.24")?"""
    value = span.attrs["value"]
    for other, (first, last) in others:
        inside = days[0] <= first and last <= days[1]
        if inside and ((first, last) != days or len(other.attrs["value"]) > len(value)):
            return True
    return False


def timeline(
    articles: Sequence[Article],
    *,
    claims: Sequence[tuple[int, Span]] = (),
    fact_of: Mapping[tuple[int, int], int] | None = None,
    outlets: Sequence[str] | None = None,
    ids: Sequence[int] | None = None,
) -> list[dict[str, Any]]:
    """Dated happenings in order: date, the sentence stating it, its sources and evidence.

    ``claims`` are ``(article position, claim span)`` pairs whose text becomes the happening,
    ``fact_of`` maps ``(article position, claim start)`` to a fact id (one entry per date and fact),
    ``outlets`` names each article's independent source and ``ids`` its article id.
    """
    reference = story_reference(articles)
    fact_of = fact_of or {}
    outlets = outlets or [a.outlet or a.source for a in articles]
    ids = ids or [a.id if a.id is not None else i for i, a in enumerate(articles)]
    by_article: dict[int, list[tuple[int, int]]] = {}
    for i, span in claims:
        by_article.setdefault(i, []).append((span.start, span.end))
    entries: dict[tuple[Any, ...], dict[str, Any]] = {}
    for i, article in enumerate(articles):
        inferred = article.published is None and reference is not None
        spans = timex_mod.anchor(article.layer("timex"), reference) if inferred else article.layer("timex")
        units = by_article.get(i) or sentences(article.text)
        found = [(s, article.text, _containing(units, s), None) for s in spans]
        for k, caption in enumerate(article.captions):
            for s in timex_mod.extract(caption, article.published or reference, article.language):
                found.append((s, caption, (0, len(caption)), k))
        dated = [(s, text, unit, caption, days) for s, text, unit, caption in found
                 if s.label in ("DATE", "TIME") and not s.attrs.get("vague") and s.attrs.get("anchored", True)
                 and (days := interval(s.attrs.get("value")))]
        for s, text, (start, end), caption, days in dated:
            if _vaguer(s, days, [(t, d) for t, _, u, c, d in dated if (u[0], c) == (start, caption) and t is not s]):
                continue
            fact = fact_of.get((i, start)) if caption is None else None
            key = (s.attrs["value"], fact) if fact is not None else (s.attrs["value"], i, caption, start)
            entry = entries.setdefault(key, {
                "date": days[0].isoformat(), "until": days[1].isoformat(), "value": s.attrs["value"],
                "when": text[s.start:s.end], "text": text[start:end].strip(), "sources": [], "evidence": [],
                "inferred": True, "fact": fact})
            if outlets[i] not in entry["sources"]:
                entry["sources"].append(outlets[i])
            evidence = {"article_id": ids[i], "start": start, "end": end, "when_start": s.start, "when_end": s.end}
            if caption is not None:
                evidence["caption"] = caption
            entry["evidence"].append(evidence)
            entry["inferred"] = entry["inferred"] and inferred and "rel" in s.attrs
    return sorted(entries.values(), key=lambda e: (e["date"], e["until"], e["evidence"][0]["article_id"]))
