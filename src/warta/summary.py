"""Summary: a few sentences of a story, each carrying the outlets that support it.

Extractive: the candidates are the story's facts, each represented by its most central claim, so
every sentence in the summary is a sentence an outlet wrote and is backed by the outlets of its
fact (no sentence without support). Candidates are scored on support (independent outlets),
centrality (similarity to the other facts) and position (leads carry the news), and picked by
maximal marginal relevance (MMR) so that a second wording of a chosen fact does not come back.

>>> import numpy as np
>>> c = [Candidate("Gempa M4,8 mengguncang Garut pada Rabu pagi.", ["detik.com", "kompas.com"], [], 0, 0),
...      Candidate("Gempa M4,8 mengguncang Garut, Rabu pagi ini.", ["okezone.com"], [], 1, 1),
...      Candidate("BMKG mencatat pusat gempa berada di laut selatan Garut.", ["detik.com"], [], 2, 2)]
>>> sim = np.array([[1, .9, .2], [.9, 1, .2], [.2, .2, 1]])
>>> [s["sources"] for s in summarize(c, sim, min_sentences=1, max_sentences=2)]
[['detik.com', 'kompas.com'], ['detik.com']]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .claims import WORD
from .settings import Settings, load_settings


@dataclass(frozen=True, slots=True)
class Candidate:
    """One fact offered to the summary: its sentence, supporting outlets and evidence.

    ``row`` indexes the claim similarity matrix; ``fact`` is the fact's id in the report.
    """

    text: str
    sources: list[str]
    evidence: list[dict[str, Any]]
    row: int
    fact: int
    position: int = 0


def summarize(
    candidates: Sequence[Candidate],
    sim: np.ndarray,
    settings: Settings | None = None,
    *,
    min_sentences: int | None = None,
    max_sentences: int | None = None,
) -> list[dict[str, Any]]:
    """Pick 3-7 (settings ``summary``) supported, non-redundant sentences by MMR.

    The length grows with the square root of the number of usable candidates; a story with fewer
    usable facts gets a shorter summary rather than an unsupported sentence.
    """
    cfg = (settings or load_settings()).summary
    low = cfg.min_sentences if min_sentences is None else min_sentences
    high = cfg.max_sentences if max_sentences is None else max_sentences
    usable = [c for c in candidates if c.sources and cfg.min_words <= len(WORD.findall(c.text)) <= cfg.max_words]
    if not usable:
        return []
    k = min(len(usable), max(low, min(high, round(math.sqrt(len(usable))))))
    rows = np.array([c.row for c in usable])
    block = sim[np.ix_(rows, rows)].astype(np.float64)
    support = np.array([len(c.sources) for c in usable], dtype=np.float64)
    centrality = (block.sum(axis=1) - np.diag(block)) / max(1, len(usable) - 1)
    lead = np.array([1.0 / (1.0 + c.position / 400.0) for c in usable])
    relevance = (cfg.weight_support * support / support.max() + cfg.weight_centrality * centrality
                 / max(centrality.max(), 1e-9) + cfg.weight_lead * lead)
    chosen: list[int] = []
    while len(chosen) < k:
        redundancy = block[:, chosen].max(axis=1) if chosen else np.zeros(len(usable))
        score = cfg.mmr_lambda * relevance - (1 - cfg.mmr_lambda) * redundancy
        score[chosen] = -np.inf
        score[redundancy >= cfg.max_redundancy] = -np.inf
        best = int(np.argmax(score))
        if score[best] == -np.inf:
            break
        chosen.append(best)
    return [{"text": usable[i].text, "sources": sorted(usable[i].sources), "fact": usable[i].fact,
             "evidence": usable[i].evidence} for i in chosen]
