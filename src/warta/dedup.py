"""Duplicates: exact (canonical URL, normalised-text hash) and near (MinHash LSH).

A duplicate is linked to its original with a similarity, never silently dropped:

* the same canonical URL again (a repeated row, a re-scrape) becomes a :class:`~warta.store.DuplicateLink`
  (kind ``url``) to the stored article;
* an article under another URL whose text is the same (``exact``) or nearly the same (``near``, MinHash
  estimated Jaccard over word shingles ≥ threshold) is stored, with ``duplicate_of`` pointing at the
  first one seen; when the two come from different outlets it is a republished ``copy`` (wire copy).

MinHash signatures come from rensa (a fast, maintained MinHash); banding is kept here because the
index must forget: it only holds the most recent ``window`` originals, so memory stays flat on an
endless stream.

>>> canonical_url("https://WWW.Liputan6.com/news/read/1/x/?utm_source=fb&id=2#top")
'https://liputan6.com/news/read/1/x?id=2'
>>> content_hash("Halo,  DUNIA!") == content_hash("halo dunia")
True
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from rensa import RMinHash

from .article import Article
from .pipeline import stage
from .store import DuplicateLink, Store

_WORD = re.compile(r"\w+", re.UNICODE)
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|mc_\w+|ref|ref_src|source|src|amp|_ga|igshid|spm|page)$", re.I)
_HOST_PREFIX = re.compile(r"^(www\d?|m|amp|mobile)\.")


def canonical_url(url: str) -> str:
    """A URL with the parts that do not change the article removed (case, www/m/amp hosts, tracking)."""
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    if scheme == "http":
        scheme = "https"
    host = _HOST_PREFIX.sub("", (parts.hostname or "").lower())
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/amp/?$", "", parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k)))
    return urlunsplit((scheme, host, path, query, ""))


def normalize_text(text: str) -> str:
    """Lower-cased words joined by single spaces: what two copies of one text share."""
    return " ".join(_WORD.findall(text.casefold()))


def content_hash(text: str) -> str:
    return hashlib.blake2b(normalize_text(text).encode("utf-8"), digest_size=16).hexdigest()


def shingles(text: str, size: int) -> list[str]:
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return [" ".join(words)] if words else [""]
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


@stage("fingerprint", requires=["text"], assigns=["content_hash", "meta.signature"])
class Fingerprinter:
    """Sets ``content_hash`` and the MinHash signature (``meta["signature"]``, uint32 bytes)."""

    def __init__(self, settings: Any) -> None:
        self.shingle_size = settings.dedup.shingle_size
        self.num_perm = settings.dedup.num_perm
        self.seed = settings.dedup.seed

    def __call__(self, article: Article) -> Article:
        return self.pipe([article])[0]

    def pipe(self, articles: list[Article], batch_size: int = 256) -> list[Article]:
        if not articles:
            return articles
        sets = [shingles(a.text, self.shingle_size) for a in articles]
        rows = RMinHash.digest_matrix_from_token_sets(sets, self.num_perm, self.seed).to_rows()
        matrix = np.asarray(rows, dtype=np.uint32)
        for article, row in zip(articles, matrix, strict=True):
            article.content_hash = content_hash(article.text)
            article.meta["signature"] = row.tobytes()
        return articles


@dataclass(slots=True)
class Match:
    original_id: int
    similarity: float
    outlet: str | None


class NearDuplicateIndex:
    """LSH over MinHash signatures for the ``window`` most recent originals (online: learn/predict).

    ``bands`` × ``num_perm/bands`` rows; a candidate is verified by the estimated Jaccard of the full
    signatures, so the threshold is exact up to MinHash error.
    """

    def __init__(self, num_perm: int = 128, bands: int = 32, threshold: float = 0.5, window: int = 50_000) -> None:
        if num_perm % bands:
            raise ValueError("num_perm must be a multiple of bands")
        self.num_perm = num_perm
        self.bands = bands
        self.threshold = threshold
        self.window = window
        self._rows = num_perm // bands
        self._buckets: dict[int, list[int]] = {}
        self._order: deque[int] = deque()
        self._slot: dict[int, int] = {}
        self._outlet: dict[int, str | None] = {}
        self._sigs = np.zeros((window, num_perm), dtype=np.uint32)
        self._free = list(range(window - 1, -1, -1))
        # Odd 64-bit multipliers mix each band's rows into one key.
        rng = np.random.default_rng(0x5EED)
        self._mix = rng.integers(1, 2**63 - 1, size=(self._rows,), dtype=np.uint64) | np.uint64(1)

    def __len__(self) -> int:
        return len(self._order)

    def _keys(self, sig: np.ndarray) -> list[int]:
        bands = sig.astype(np.uint64).reshape(self.bands, self._rows)
        with np.errstate(over="ignore"):
            mixed = (bands * self._mix).sum(axis=1) ^ (np.arange(self.bands, dtype=np.uint64) << np.uint64(56))
        return mixed.tolist()

    def predict_one(self, sig: np.ndarray) -> Match | None:
        """The most similar indexed original at or above the threshold, if any."""
        candidates: set[int] = set()
        for key in self._keys(sig):
            bucket = self._buckets.get(key)
            if bucket:
                candidates.update(bucket)
        if not candidates:
            return None
        ids = sorted(candidates)
        sims = (self._sigs[[self._slot[i] for i in ids]] == sig).mean(axis=1)
        best = int(np.argmax(sims))
        if sims[best] < self.threshold:
            return None
        return Match(ids[best], round(float(sims[best]), 4), self._outlet[ids[best]])

    def learn_one(self, article_id: int, sig: np.ndarray, outlet: str | None = None) -> None:
        if article_id in self._slot:
            return
        if len(self._order) >= self.window:
            self._forget(self._order.popleft())
        slot = self._free.pop()
        self._sigs[slot] = sig
        self._slot[article_id] = slot
        self._outlet[article_id] = outlet
        self._order.append(article_id)
        for key in self._keys(sig):
            self._buckets.setdefault(key, []).append(article_id)

    def _forget(self, article_id: int) -> None:
        slot = self._slot.pop(article_id)
        self._outlet.pop(article_id, None)
        for key in self._keys(self._sigs[slot]):
            bucket = self._buckets.get(key)
            if bucket is not None:
                bucket.remove(article_id)
                if not bucket:
                    del self._buckets[key]
        self._free.append(slot)

    def similarity(self, article_id: int, sig: np.ndarray) -> float | None:
        slot = self._slot.get(article_id)
        return None if slot is None else round(float((self._sigs[slot] == sig).mean()), 4)


@dataclass(slots=True)
class DedupResult:
    new: list[Article]
    links: list[DuplicateLink]
    unchanged: int


class Deduplicator:
    """Decides, batch by batch, which incoming articles are new, copies, or repeats of stored ones."""

    def __init__(self, store: Store, settings: Any) -> None:
        cfg = settings.dedup
        self.store = store
        self.index = NearDuplicateIndex(cfg.num_perm, cfg.bands, cfg.threshold, cfg.window)
        for article_id, sig, outlet in store.recent_signatures(cfg.window):
            self.index.learn_one(article_id, np.frombuffer(sig, dtype=np.uint32), outlet)

    def process(self, batch: Sequence[Article], next_id: Callable[[], int]) -> DedupResult:
        """Classify ``batch`` (fingerprinted, sources canonical); new articles get ids from ``next_id``.

        Ids are given here, before the write, so that an article can be the original of a later one
        in the same batch; the store writes them as given.
        """
        stored = self.store.lookup_sources(a.source for a in batch)
        known = self.store.known_locations(a.meta.get("location") or a.source for a in batch)
        hashes = self.store.lookup_hashes(a.content_hash for a in batch if a.content_hash)
        seen_sources: dict[str, Article] = {}
        new: list[Article] = []
        links: list[DuplicateLink] = []
        unchanged = 0
        for a in batch:
            location = a.meta.get("location") or a.source
            sig = np.frombuffer(a.meta["signature"], dtype=np.uint32)
            prior = stored.get(a.source)
            if location in known or (prior is not None and prior.location == location):
                unchanged += 1
                continue
            if prior is not None or a.source in seen_sources:
                first = prior if prior is not None else seen_sources[a.source]
                original_id, same = int(first.id or 0), first.content_hash
                sim = 1.0 if same == a.content_hash else (self.index.similarity(original_id, sig) or 0.0)
                links.append(DuplicateLink(original_id, a.source, location, "url", sim, a.content_hash))
                continue
            seen_sources[a.source] = a
            a.id = next_id()
            if a.meta.get("headline_only"):
                # Too little text to compare: only its URL can make it a duplicate.
                a.meta["signature"] = None
                new.append(a)
                continue
            match: Match | None
            if a.content_hash in hashes:
                original, outlet = hashes[a.content_hash]
                match = Match(original, 1.0, outlet)
                a.duplicate_kind = "exact"
            else:
                match = self.index.predict_one(sig)
                a.duplicate_kind = "near" if match else None
            if match is not None:
                a.duplicate_of = match.original_id
                a.similarity = match.similarity
                if match.outlet and a.outlet and match.outlet != a.outlet:
                    a.duplicate_kind = "copy"
            else:
                hashes.setdefault(a.content_hash or "", (a.id, a.outlet))
                self.index.learn_one(a.id, sig, a.outlet)
            new.append(a)
        return DedupResult(new, links, unchanged)
