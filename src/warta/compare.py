"""Compare the sources of a story: facts and their status, the quote ledger, the story report.

Claims (:mod:`warta.claims`) of different articles that say the same thing are aligned into one
*fact*: best matches between two articles on stemmed terms, character n-grams and shared amounts
(cheap enough for the 1 s budget of ``warta stories show``). A fact is *corroborated* when
at least two independent outlets state it (syndicated copies count once, under their first
publisher), *single-source* otherwise, and *conflicting* when aligned claims disagree on a number,
a date or time, a name, a place or who said it, with the values side by side. Differences in
precision ("pekan ini" against "pada hari Kamis") are flagged without being conflicts. The quote
ledger lists each quote once with the outlets carrying it and their word-level differences.

>>> from warta.article import Article
>>> a = Article(source="a", outlet="detik.com", text="Gempa berkekuatan 4,8 mengguncang Garut pada Rabu pagi.")
>>> b = Article(source="b", outlet="kompas.com", text="Gempa berkekuatan 4,8 magnitudo mengguncang Garut, Rabu.")
>>> [(f["status"], [s["outlet"] for s in f["sources"]]) for f in report_from_articles([a, b])["facts"]]
[('corroborated', ['detik.com', 'kompas.com'])]
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from rich.console import Console, Group
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from scipy import sparse

from . import summary as summary_mod
from . import timeline as timeline_mod
from .article import Article, Span
from .claims import WORD, char_ngrams, claims, terms, tfidf
from .cleaning import load_vocabulary
from .settings import Settings, load_settings
from .stories import story_articles
from .timeline import interval, story_reference
from .timex import anchor

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Alignment


@dataclass(frozen=True, slots=True)
class Claim:
    """One claim of one article of a story (``index`` is the article's position in the story)."""

    index: int
    span: Span


def _normalised(m: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sparse.csr_matrix(sparse.diags(1 / norms) @ m)


def _jaccard(sets: Sequence[Sequence[str]]) -> np.ndarray | None:
    """Pairwise Jaccard similarity of small sets of strings (None when all are empty)."""
    m = tfidf([list(dict.fromkeys(x)) for x in sets])
    if not m.nnz:
        return None
    binary = (m > 0).astype(np.float32)
    inter = (binary @ binary.T).toarray()
    size = np.asarray(binary.sum(axis=1)).ravel()
    union = size[:, None] + size[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _similarity(texts: Sequence[str], spans: Sequence[Span], settings: Settings) -> tuple[np.ndarray,
                                                                                          sparse.csr_matrix]:
    """Claim-by-claim similarity (stemmed terms, character n-grams, shared amounts), and the
    claims' character n-gram vectors.

    Shared entities are left out: measured on the golden stories, they pull together claims that
    merely name the story's protagonists (corroborated precision 0.93 -> 0.73 at weight 0.2).
    """
    cfg = settings.compare
    words = tfidf([s.attrs["terms"] if "terms" in s.attrs else terms(t) for t, s in zip(texts, spans, strict=True)])
    chars = tfidf([char_ngrams(t) for t in texts], common=max(cfg.common_chars, len(texts) // 10))
    sim = cfg.weight_terms * (words @ words.T).toarray() + cfg.weight_chars * (chars @ chars.T).toarray()
    shared = _jaccard([[f"{n['value']:g}" for n in s.attrs["numbers"]] for s in spans])
    if shared is not None:
        sim += cfg.weight_numbers * shared
    return sim.astype(np.float32), chars


def align(owner: Sequence[int], sim: np.ndarray, threshold: float, strong: float = 1.0, *, cohesion: float = 0.0,
          per_article_limit: int = 2, adjacent: float = 1.0) -> list[list[int]]:
    """Group claims into facts: best matches between two articles, strongest first.

    Claim ``i`` of article ``a`` and its best match ``j`` in article ``b`` are linked when the
    match is mutual at or above ``threshold``, or one-way at or above ``strong`` (an outlet may
    split one statement of another into two sentences). Links merge groups, strongest first,
    unless the merged group would hold more than ``per_article_limit`` claims of one article or
    the two groups' mean similarity is below ``cohesion``: this stops chains of look-alike
    sentences (120 articles on one wedding) from collapsing into one "fact". Last, a claim left
    alone joins the group of its best match (one-way, at or above ``adjacent``) when that group
    already holds the claim next to it in its own article.

    >>> sim = np.array([[1, .1, .8, .2], [.1, 1, .3, .6], [.8, .3, 1, .1], [.2, .6, .1, 1]])
    >>> align([0, 0, 1, 1], sim, 0.5)
    [[0, 2], [1, 3]]
    """
    owner_arr = np.asarray(owner, dtype=np.int64)
    n = len(owner_arr)
    if n == 0:
        return []
    articles, position = np.unique(owner_arr, return_inverse=True)
    best_in = np.empty((n, len(articles)), dtype=np.int64)
    for k, a in enumerate(articles):
        cols = np.flatnonzero(owner_arr == a)
        best_in[:, k] = cols[np.argmax(sim[:, cols], axis=1)]
    rows = np.arange(n)[:, None]
    score = sim[rows, best_in]
    mutual = best_in[best_in, position[:, None]] == rows
    other = position[:, None] != np.arange(len(articles))[None, :]
    links = other & ((mutual & (score >= threshold)) | (score >= strong))
    linked = {tuple(sorted((int(i), int(best_in[i, k])))) for i, k in zip(*np.nonzero(links), strict=True)}
    pairs = sorted(linked, key=lambda p: (-float(sim[p]), p))
    group = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for i, j in pairs:
        gi, gj = group[i], group[j]
        if gi == gj:
            continue
        a, b = members[gi], members[gj]
        per_article = Counter(owner_arr[a].tolist()) + Counter(owner_arr[b].tolist())
        too_far = len(a) + len(b) > 2 and float(sim[np.ix_(a, b)].mean()) < cohesion
        if max(per_article.values()) > per_article_limit or too_far:
            continue
        for m in b:
            group[m] = gi
        a.extend(b)
        del members[gj]
    # A sentence left alone whose best match elsewhere already stands with its neighbour in the same
    # article joins them: the neighbour was the closer wording of the same statement.
    for i, k in zip(*np.nonzero(other & (score >= adjacent)), strict=True):
        j = int(best_in[i, k])
        gi, gj = group[i], group[j]
        if len(members[gi]) > 1 or gi == gj:
            continue
        neighbours = {i - 1, i + 1} & {m for m in members[gj] if owner_arr[m] == owner_arr[i]}
        if neighbours and sum(owner_arr[m] == owner_arr[i] for m in members[gj]) < per_article_limit:
            group[i] = gj
            members[gj].append(i)
            del members[gi]
    return sorted(sorted(m) for m in members.values())


# ---------------------------------------------------------------------------------------------
# Sources: outlets, syndication


def _article_id(article: Article, index: int) -> int:
    return article.id if article.id is not None else index


def _outlet(article: Article) -> str:
    """The outlet, else the web host of its URL, else the file (and row) it was read from.

    >>> _outlet(Article(source="file:///data/seeds/004.txt")), _outlet(Article(source="https://www.detik.com/x"))
    ('004.txt', 'detik.com')
    """
    if article.outlet:
        return article.outlet
    host = re.match(r"https?://(?:www\.)?([^/]+)", article.url or article.source or "")
    return host.group(1) if host else article.source.rsplit("/", 1)[-1]


def syndication(articles: Sequence[Article], vectors: sparse.csr_matrix, threshold: float) -> list[int]:
    """For each article, the position of the first publisher of its text (itself if original).

    An article with ``duplicate_of`` follows that link; otherwise near-identical text (cosine of
    the articles' ``vectors`` at or above ``threshold``) makes the later article a copy of the
    earlier one.
    """
    ids = {_article_id(a, i): i for i, a in enumerate(articles)}
    order = sorted(range(len(articles)), key=lambda i: (_when(articles[i]), i))
    sim = (vectors @ vectors.T).toarray()
    root = list(range(len(articles)))
    for rank, i in enumerate(order):
        dup = articles[i].duplicate_of
        if dup is not None and dup in ids and ids[dup] != i:
            root[i] = ids[dup]
            continue
        for j in order[:rank]:
            if sim[i, j] >= threshold:
                root[i] = root[j]
                break
    for i in range(len(root)):
        while root[root[i]] != root[i]:
            root[i] = root[root[i]]
    return root


def _when(article: Article) -> datetime:
    """Publication time as naive UTC; undated articles sort last."""
    if article.published is None:
        return datetime.max
    return article.published.replace(tzinfo=None) - (article.published.utcoffset() or timedelta(0))


# ---------------------------------------------------------------------------------------------
# Status: conflicts and precision


def _speaker_differs(a: str | None, b: str | None, text_a: str, text_b: str) -> bool:
    """Do two speakers, both named in full, differ though neither claim names the other's speaker?

    A lone "Dewa" or "KPK" (a partial resolution) is too unsure to contradict anyone.
    """
    if not (a and b and len(a.split()) >= 2 and len(b.split()) >= 2):
        return False
    ta = {w for w in WORD.findall(a.lower()) if len(w) > 2}
    tb = {w for w in WORD.findall(b.lower()) if len(w) > 2}
    return bool(ta and tb and not ta & tb) and a.lower() not in text_b.lower() and b.lower() not in text_a.lower()


def _differences(items: Sequence[tuple[Claim, str]], articles: Sequence[Article],
                 close: np.ndarray | None = None) -> tuple[list[dict], list[dict]]:
    """Conflicts and precision differences between the claims of different sources in one fact.

    ``items`` pairs each claim with its independent source; ``close[x, y]`` says whether claims x
    and y are worded alike enough to compare (in a large fact, two ends of a chain of paraphrases
    may report different moments). Conflicts: amounts of the same unit
    with no value in common, dates that do not overlap, clock times of one day that differ, a name
    spelled two ways, places (entity layer) that neither wording shares, a direct quote given to
    different speakers (reported speech is left out: two
    outlets often name different sides of one conversation).
    """
    conflicts: list[dict] = []
    precision: list[dict] = []

    def value(c: Claim, v: Any, text: str) -> dict:
        a = articles[c.index]
        return {"value": v, "text": text, "outlet": _outlet(a), "article_id": _article_id(a, c.index),
                "start": c.span.start, "end": c.span.end}

    for x in range(len(items)):
        for y in range(x + 1, len(items)):
            (ca, ra), (cb, rb) = items[x], items[y]
            if ra == rb or (close is not None and not close[x, y]):
                continue
            na = _units(ca.span.attrs["numbers"])
            for unit, values in _units(cb.span.attrs["numbers"]).items():
                if unit and unit in na and not values & na[unit]:
                    conflicts.append({"kind": "number", "unit": unit, "values": [
                        value(ca, sorted(na[unit]), _number_text(ca, unit)),
                        value(cb, sorted(values), _number_text(cb, unit))]})
            sa, sb = ca.span.attrs["speaker"], cb.span.attrs["speaker"]
            ta, tb = articles[ca.index].span_text(ca.span), articles[cb.index].span_text(cb.span)
            if ca.span.attrs["quote"] and cb.span.attrs["quote"] and _speaker_differs(sa, sb, ta, tb):
                conflicts.append({"kind": "speaker", "values": [value(ca, sa, sa), value(cb, sb, sb)]})
            _compare_dates(ca, cb, value, conflicts, precision)
            for a, b in _spelling(ta, tb):
                conflicts.append({"kind": "name", "values": [value(ca, a, a), value(cb, b, b)]})
            pa, pb = ca.span.attrs["places"], cb.span.attrs["places"]
            if pa and pb and _places_apart(pa, tb) and _places_apart(pb, ta):
                conflicts.append({"kind": "place", "values": [value(ca, pa, ", ".join(pa)),
                                                              value(cb, pb, ", ".join(pb))]})
    return _merged(conflicts), _merged(precision)


_CAPITALISED = re.compile(r"(?<=[\s(])[A-Z][a-z]{4,}\b")


def _places_apart(places: Sequence[str], other_text: str) -> bool:
    """Does the other wording name none of these places, not even a word of them ("Seoul")?"""
    other = {w.lower() for w in WORD.findall(other_text)}
    return not any(w.lower() in other for p in places for w in WORD.findall(p) if len(w) > 2)


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    return frozenset(load_vocabulary())


def _spelling(text_a: str, text_b: str) -> list[tuple[str, str]]:
    """Names spelled differently in two wordings of one fact ("Sidabalko" / "Sidabalok").

    Capitalised common words are no names: "International" against "Internasional" is a language.

    >>> _spelling("kata Hasudungan Sidabalko di Jakarta", "kata Hasudungan Sidabalok, Rabu")
    [('Sidabalko', 'Sidabalok')]
    """
    common = _common_words()
    names_a = {w for w in set(_CAPITALISED.findall(text_a)) - set(_CAPITALISED.findall(text_b))
               if w.lower() not in common}
    names_b = {w for w in set(_CAPITALISED.findall(text_b)) - set(_CAPITALISED.findall(text_a))
               if w.lower() not in common}
    return sorted((a, b) for a in names_a for b in names_b
                  if a[0] == b[0] and a.lower() not in text_b.lower() and b.lower() not in text_a.lower()
                  and difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.85)


def _merged(found: list[dict]) -> list[dict]:
    """One entry per kind (and unit) listing each outlet's differing value once, in first-seen order."""
    out: dict[tuple[str, str], dict] = {}
    for item in found:
        entry = out.setdefault((item["kind"], item.get("unit", "")), {**item, "values": []})
        for v in item["values"]:
            if not any((w["outlet"], str(w["value"])) == (v["outlet"], str(v["value"])) for w in entry["values"]):
                entry["values"].append(v)
    return list(out.values())


def _units(nums: Iterable[dict]) -> dict[str, set[float]]:
    out: dict[str, set[float]] = defaultdict(set)
    for n in nums:
        out[n["unit"]].add(n["value"])
    return out


def _number_text(c: Claim, unit: str) -> str:
    return ", ".join(n["text"] for n in c.span.attrs["numbers"] if n["unit"] == unit)


def _clock(value: str) -> str | None:
    m = re.search(r"T(\d{2}:\d{2})", value or "")
    return m.group(1) if m else None


def _compare_dates(ca: Claim, cb: Claim, value: Any, conflicts: list[dict], precision: list[dict]) -> None:
    def sides(a: dict, b: dict) -> list[dict]:
        return [value(ca, a["value"], a["text"]), value(cb, b["value"], b["text"])]

    da = [(d, interval(d["value"])) for d in ca.span.attrs["dates"] if not d["vague"]]
    db = [(d, interval(d["value"])) for d in cb.span.attrs["dates"] if not d["vague"]]
    pairs = [(a, ia, b, ib) for a, ia in da if ia for b, ib in db if ib]
    if not pairs:
        return
    same_day = [(a, b) for a, ia, b, ib in pairs if ia == ib]
    clocks = [(a, b) for a, b in same_day if _clock(a["value"]) and _clock(b["value"])]
    if clocks and all(_clock(a["value"]) != _clock(b["value"]) for a, b in clocks):
        conflicts.append({"kind": "time", "values": sides(*clocks[0])})
    if same_day:
        return
    for a, ia, b, ib in pairs:
        if ia[0] <= ib[0] and ib[1] <= ia[1] or ib[0] <= ia[0] and ia[1] <= ib[1]:
            precision.append({"kind": "date", "values": sides(a, b)})
            return
    conflicts.append({"kind": "date", "values": sides(pairs[0][0], pairs[0][2])})


# ---------------------------------------------------------------------------------------------
# Facts


def _sources(indices: Iterable[int], articles: Sequence[Article], root: Sequence[int]) -> list[dict]:
    """Independent sources of the articles ``indices``: one per outlet of a first publisher."""
    by_outlet: dict[str, dict] = {}
    for i in sorted(set(indices), key=lambda i: (_when(articles[i]), i)):
        first = articles[root[i]]
        outlet = _outlet(first)
        src = by_outlet.setdefault(outlet, {"outlet": outlet, "article_ids": [], "copies": []})
        if root[i] == i:
            src["article_ids"].append(_article_id(articles[i], i))
        else:
            src["copies"].append({"outlet": _outlet(articles[i]), "article_id": _article_id(articles[i], i),
                                  "copy_of": _article_id(first, root[i])})
            if _article_id(first, root[i]) not in src["article_ids"]:
                src["article_ids"].append(_article_id(first, root[i]))
    return list(by_outlet.values())


def _evidence(c: Claim, articles: Sequence[Article]) -> dict:
    a = articles[c.index]
    return {"article_id": _article_id(a, c.index), "outlet": _outlet(a), "start": c.span.start, "end": c.span.end,
            "text": a.span_text(c.span)}


def facts(articles: Sequence[Article], settings: Settings | None = None) -> tuple[list[dict], dict[str, Any]]:
    """The facts of a story, each with status, sources, evidence, conflicts and precision flags.

    Also returns the working state the summary and timeline reuse: ``claims``, ``texts``, ``sim``
    (claim similarities), ``fact_of`` (claim -> fact), ``central`` (fact -> its most central claim)
    and ``root`` (article -> its first publisher).
    """
    settings = settings or load_settings()
    cfg = settings.compare
    all_claims: list[Claim] = []
    reference = story_reference(articles)
    for i, a in enumerate(articles):
        if a.published is None and reference is not None and a.layer("timex"):
            # Dates of an undated article mean something only against the story's time (as in the timeline).
            anchored = anchor(a.layer("timex"), reference)
            a = replace(a, spans=[s for s in a.spans if s.layer not in ("timex", "claim")] + anchored)
        spans = a.layer("claim") or claims(a, min_words=cfg.min_claim_words)
        all_claims.extend(Claim(i, s) for s in spans)
    texts = [articles[c.index].span_text(c.span) for c in all_claims]
    sim, chars = _similarity(texts, [c.span for c in all_claims], settings)
    owner = sparse.csr_matrix((np.ones(len(all_claims), dtype=np.float32), ([c.index for c in all_claims],
                                                                            range(len(all_claims)))),
                              shape=(len(articles), len(all_claims)))
    root = syndication(articles, _normalised(owner @ chars), cfg.syndication_threshold)
    groups = align([c.index for c in all_claims], sim, cfg.align_threshold, cfg.align_strong,
                   cohesion=cfg.align_cohesion, per_article_limit=cfg.align_per_article,
                   adjacent=cfg.align_adjacent)
    out: list[dict] = []
    fact_of: dict[int, int] = {}
    central: list[int] = []
    for members in groups:
        group_claims = [all_claims[i] for i in members]
        srcs = _sources([c.index for c in group_claims], articles, root)
        conflicts, precision = _differences([(c, _outlet(articles[root[c.index]])) for c in group_claims], articles,
                                            sim[np.ix_(members, members)] >= cfg.align_threshold)
        if conflicts:
            status = "conflicting"
        elif len(srcs) >= 2:
            status = "corroborated"
        else:
            status = "single-source"
        central.append(max(members, key=lambda i: (float(sim[i, members].sum()), -i)))
        for i in members:
            fact_of[i] = len(out)
        speakers = sorted({c.span.attrs["speaker"] for c in group_claims if c.span.attrs["speaker"]})
        out.append({"id": len(out), "status": status, "text": texts[central[-1]], "sources": srcs,
                    "evidence": [_evidence(c, articles) for c in group_claims], "speakers": speakers,
                    "conflicts": conflicts, "precision": precision})
    state = {"claims": all_claims, "texts": texts, "sim": sim, "fact_of": fact_of, "central": central, "root": root}
    return out, state


# ---------------------------------------------------------------------------------------------
# Quote ledger


def _quote_content(article: Article, q: Span) -> tuple[int, int]:
    start = q.attrs.get("content_start", q.start)
    end = q.attrs.get("content_end", q.end)
    return (start, end) if 0 <= start < end <= len(article.text) else (q.start, q.end)


def word_diff(a: str, b: str) -> list[dict[str, str]]:
    """Word-level differences between two wordings of one quote.

    >>> word_diff("kerja sama yang erat atas provokasi", "kerja sama yang erat terhadap provokasi")
    [{'op': 'replace', 'a': 'atas', 'b': 'terhadap'}]
    """
    wa, wb = WORD.findall(a), WORD.findall(b)
    ops = difflib.SequenceMatcher(None, [w.lower() for w in wa], [w.lower() for w in wb], autojunk=False)
    return [{"op": tag, "a": " ".join(wa[i1:i2]), "b": " ".join(wb[j1:j2])}
            for tag, i1, i2, j1, j2 in ops.get_opcodes() if tag != "equal"]


def quote_ledger(articles: Sequence[Article], root: Sequence[int], settings: Settings | None = None) -> list[dict]:
    """Each quote of the story once: its speaker, the outlets carrying it, verbatim or paraphrased.

    Wordings of one quote in different articles are grouped by character n-gram similarity; each
    later wording is compared word by word with the first publisher's.
    """
    settings = settings or load_settings()
    items = []
    for i, a in enumerate(articles):
        for q in a.layer("quote"):
            start, end = _quote_content(a, q)
            items.append((i, q, start, end, a.text[start:end].strip(" \"“”'‘’,.")))
    if not items:
        return []
    vecs = tfidf([char_ngrams(t) for *_, t in items])
    sim = (vecs @ vecs.T).toarray()
    groups = align([i for i, *_ in items], sim, settings.compare.quote_threshold)
    ledger = []
    for members in groups:
        versions = sorted((items[m] for m in members), key=lambda it: (_when(articles[it[0]]), it[0], it[2]))
        first_text = versions[0][4]
        speakers = Counter(q.attrs.get("speaker") for _, q, *_ in versions if q.attrs.get("speaker"))
        entries = []
        for i, q, start, end, text in versions:
            diff = word_diff(first_text, text)
            entries.append({"article_id": _article_id(articles[i], i), "outlet": _outlet(articles[i]),
                            "start": start, "end": end, "text": text, "kind": q.label,
                            "speaker": q.attrs.get("speaker"),
                            "wording": "verbatim" if not diff and q.label == "direct" else "paraphrased",
                            "diff": diff})
        ledger.append({"speaker": speakers.most_common(1)[0][0] if speakers else None,
                       "text": first_text,
                       "outlets": sorted({e["outlet"] for e in entries}),
                       "sources": _sources([v[0] for v in versions], articles, root),
                       "versions": entries})
    ledger.sort(key=lambda q: (-len(q["outlets"]), q["versions"][0]["article_id"], q["versions"][0]["start"]))
    return ledger


# ---------------------------------------------------------------------------------------------
# The story report


def _agreeing(fact: dict[str, Any], outlet: str) -> list[str]:
    """The fact's outlets that do not contradict ``outlet`` (the one whose sentence is quoted)."""
    against = {v["outlet"] for c in fact["conflicts"] if outlet in {v["outlet"] for v in c["values"]}
               for v in c["values"]} - {outlet}
    return [s["outlet"] for s in fact["sources"] if s["outlet"] not in against]


def report_from_articles(articles: Sequence[Article], settings: Settings | None = None) -> dict[str, Any]:
    """The JSON-ready comparison of a story's articles: facts, quotes, timeline, summary."""
    settings = settings or load_settings()
    articles = list(articles)
    found, state = facts(articles, settings)
    root, all_claims = state["root"], state["claims"]
    candidates = [
        summary_mod.Candidate(text=f["text"], sources=_agreeing(f, _outlet(articles[root[all_claims[c].index]])),
                              evidence=[_evidence(all_claims[c], articles)], row=c, fact=f["id"],
                              position=all_claims[c].span.start)
        for f, c in zip(found, state["central"], strict=True)
    ]
    fact_of = {(c.index, c.span.start): state["fact_of"][k] for k, c in enumerate(all_claims)}
    order = {"conflicting": 0, "corroborated": 1, "single-source": 2}
    return {
        "articles": [{"article_id": _article_id(a, i), "outlet": _outlet(a), "title": a.title, "url": a.url,
                      "published": a.published.isoformat() if a.published else None,
                      "copy_of": _article_id(articles[root[i]], root[i]) if root[i] != i else None}
                     for i, a in enumerate(articles)],
        "facts": sorted(found, key=lambda f: (order[f["status"]], -len(f["sources"]), f["id"])),
        "quotes": quote_ledger(articles, root, settings),
        "timeline": timeline_mod.timeline(
            articles, claims=[(c.index, c.span) for c in all_claims], fact_of=fact_of,
            outlets=[_outlet(articles[r]) for r in root], ids=[_article_id(a, i) for i, a in enumerate(articles)]),
        "summary": summary_mod.summarize(candidates, state["sim"], settings),
    }


#: Bump when the report's content or shape changes: stored reports with another version are recomputed.
REPORT_VERSION = 1
_REPORT_STATE = "compare.report."


def _report_key(articles: Sequence[Article], settings: Settings) -> str:
    """What a story's report depends on: its members, their text and spans, the settings, the version."""
    parts = [REPORT_VERSION, [(a.id, a.content_hash, a.duplicate_of, len(a.spans)) for a in articles],
             {k: settings.as_dict().get(k) for k in ("compare", "summary")}]
    return hashlib.blake2b(json.dumps(parts, sort_keys=True, default=str).encode(), digest_size=12).hexdigest()


def story_report(store: Any, story_id: int, settings: Settings | None = None) -> dict[str, Any]:
    """The comparison of a stored story: its articles (with their span layers) as one report.

    Reports are kept in the store keyed by what they depend on (:func:`_report_key`): a story whose
    members, spans and settings are unchanged is read back instead of recomputed.
    """
    settings = settings or load_settings()
    articles = story_articles(store, story_id)
    key = _report_key(articles, settings)
    stored = store.get_state(f"{_REPORT_STATE}{story_id}")
    if stored and stored.get("key") == key:
        return stored["report"]
    report = {"story_id": story_id, **report_from_articles(articles, settings)}
    try:
        store.set_state(f"{_REPORT_STATE}{story_id}", {"key": key, "report": report})
    except sqlite3.OperationalError as exc:  # a read-only or busy store still gets its report
        log.warning("story %s: report not stored (%s)", story_id, exc)
    return report


def precompute_reports(store: Any, settings: Settings | None = None, *, min_articles: int = 2,
                       story_ids: Iterable[int] | None = None, on_progress: Any = None) -> int:
    """Compute and store the reports of stories with at least ``min_articles`` whose inputs changed.

    Run after stories are assigned (``warta ingest`` does, passing the stories that run touched, so
    the work follows the new articles, not the size of the store), so that showing a story reads its
    report. Without ``story_ids`` every story is checked. Returns how many reports were (re)computed.
    """
    settings = settings or load_settings()
    done = 0
    for story_id in reportable_stories(store, min_articles=min_articles, story_ids=story_ids):
        before = (store.get_state(f"{_REPORT_STATE}{story_id}") or {}).get("key")
        story_report(store, story_id, settings)
        done += before != (store.get_state(f"{_REPORT_STATE}{story_id}") or {}).get("key")
        if on_progress is not None:
            on_progress(1)
    return done


def reportable_stories(store: Any, *, min_articles: int = 2, story_ids: Iterable[int] | None = None) -> list[int]:
    """Ids of the stories with at least ``min_articles`` (of ``story_ids`` if given), largest first."""
    sql = "SELECT id, article_count FROM stories WHERE article_count >= ?"
    if story_ids is None:
        rows = store.execute(sql, (min_articles,)).fetchall()
    else:
        wanted, rows = sorted(set(story_ids)), []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows += store.execute(f"{sql} AND id IN ({','.join('?' * len(chunk))})", (min_articles, *chunk)).fetchall()
    return [sid for sid, _ in sorted(rows, key=lambda r: (-r[1], r[0]))]


# ---------------------------------------------------------------------------------------------
# Terminal rendering

_STATUS_STYLE = {"corroborated": "green", "single-source": "yellow", "conflicting": "bold red"}


def _outlets(sources: Sequence[dict]) -> str:
    parts = []
    for s in sources:
        copies = sorted({c["outlet"] for c in s.get("copies", []) if c["outlet"] != s["outlet"]})
        parts.append(s["outlet"] + (f" (copied by {', '.join(copies)})" if copies else ""))
    return ", ".join(parts)


def _more(shown: int, total: int, what: str) -> list[Text]:
    return [Text(f"  … {total - shown} more {what} (--json lists them all)", style="dim")] if total > shown else []


def _diff_line(version: dict[str, Any]) -> Text:
    line = Text(f"    {version['outlet']}: {version['wording']}", style="dim")
    for d in version["diff"] if len(version["diff"]) <= 4 else []:
        line.append("  ").append(d["a"] or "∅", style="red strike").append(" → ").append(d["b"] or "∅", style="green")
    return line


def view(report: dict[str, Any], *, limit: int = 12) -> Group:
    """A story report as one rich renderable: summary, facts by status with conflicts side by side,
    quotes with their wording differences, timeline.

    At most ``limit`` facts of each status and quotes, and twice as many timeline entries, are shown
    (the best supported first); the JSON report has them all.
    """
    articles = report["articles"]
    parts: list[Any] = [Rule(f"[bold]Story {report.get('story_id', '')}[/] · {len(articles)} articles · "
                             f"{len({a['outlet'] for a in articles})} outlets"), Text("Summary", style="bold")]
    parts += [Text("• ").append(s["text"]).append(f"  [{', '.join(s['sources'])}]", style="cyan")
              for s in report["summary"]]
    counts = Counter(f["status"] for f in report["facts"])
    table = Table(title=f"Facts: {counts['corroborated']} corroborated, {counts['single-source']} single-source, "
                        f"{counts['conflicting']} conflicting", show_lines=False, expand=True)
    table.add_column("status", no_wrap=True)
    table.add_column("fact", ratio=3)
    table.add_column("sources", ratio=1)
    shown: Counter[str] = Counter()
    for f in report["facts"]:
        shown[f["status"]] += 1
        if shown[f["status"]] > limit:
            continue
        note = Text(f["text"])
        for label, items, style in (("differs", f["conflicts"], "bold red"), ("precision", f["precision"], "magenta")):
            for c in items:
                sides = "  vs  ".join(f"{v['text']} ({v['outlet']})" for v in c["values"])
                note.append(f"\n  {label} [{c['kind']}]: {sides}", style=style)
        table.add_row(Text(f["status"], style=_STATUS_STYLE[f["status"]]), note, _outlets(f["sources"]))
    parts.append(table)
    for status, total in counts.items():
        parts += _more(min(total, limit), total, f"{status} facts")
    if report["quotes"]:
        parts.append(Text("Quotes", style="bold"))
    for q in report["quotes"][:limit]:
        parts.append(Text(f"{q['speaker'] or 'unattributed'}: ", style="bold").append(f"“{q['text']}”")
                     .append(f"  [{', '.join(q['outlets'])}]", style="cyan"))
        parts += [_diff_line(v) for v in q["versions"][1:]]
    parts += _more(min(len(report["quotes"]), limit), len(report["quotes"]), "quotes")
    if report["timeline"]:
        times = Table(title="Timeline", expand=True)
        times.add_column("when", no_wrap=True)
        times.add_column("what", ratio=3)
        times.add_column("sources", ratio=1)
        entries = report["timeline"]
        if len(entries) > 2 * limit:
            keep = sorted(sorted(range(len(entries)), key=lambda k: -len(entries[k]["sources"]))[: 2 * limit])
            entries = [entries[k] for k in keep]
        for e in entries:
            when = e["value"] + (" (inferred)" if e["inferred"] else "")
            times.add_row(when, f"{e['when']}: {e['text']}", ", ".join(e["sources"]))
        parts.append(times)
        parts += _more(len(entries), len(report["timeline"]), "dated entries")
    return Group(*parts)


def render(report: dict[str, Any], console: Console, *, limit: int = 12) -> None:
    """Print a story report (see :func:`view`)."""
    console.print(view(report, limit=limit))


# ---------------------------------------------------------------------------------------------
# Evaluation against hand-labelled facts


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def judge(report: dict[str, Any], gold_facts: Sequence[dict[str, Any]], article_ids: Sequence[int]) -> list[
        tuple[str, str]]:
    """``(gold status, predicted status)`` for each hand-labelled fact of one story.

    A gold fact names, per outlet, ``[article index, key phrase]`` pairs locating the claims that
    state it. The predicted fact is the one whose evidence covers most of those outlets. When it
    does not cover them all, the reader is told "single-source" (a miss) or, if it was aligned
    with other claims, ``misaligned``; ``missing`` means no claim contains any of the phrases.
    """
    out = []
    for g in gold_facts:
        cover: dict[int, set[str]] = defaultdict(set)
        for outlet, phrases in g["evidence"].items():
            for index, phrase in phrases:
                for f in report["facts"]:
                    if any(e["article_id"] == article_ids[index] and _norm(phrase) in _norm(e["text"])
                           for e in f["evidence"]):
                        cover[f["id"]].add(outlet)
        if not cover:
            out.append((g["status"], "missing"))
            continue
        best = max(cover, key=lambda k: (len(cover[k]), -k))
        status = next(f["status"] for f in report["facts"] if f["id"] == best)
        if len(cover[best]) < len(g["evidence"]) and status != "single-source":
            status = "misaligned"
        out.append((g["status"], status))
    return out


def status_scores(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """Precision, recall and support of each status from ``(gold, predicted)`` pairs.

    >>> status_scores([("corroborated", "corroborated"), ("single-source", "corroborated")])["corroborated"]
    {'precision': 0.5, 'recall': 1.0, 'support': 1}
    """
    pairs = list(pairs)
    scores = {}
    for status in ("corroborated", "single-source", "conflicting"):
        predicted = sum(p == status for _, p in pairs)
        gold = sum(g == status for g, _ in pairs)
        hits = sum(g == p == status for g, p in pairs)
        scores[status] = {"precision": hits / predicted if predicted else 0.0, "recall": hits / gold if gold else 0.0,
                          "support": gold}
    return scores
