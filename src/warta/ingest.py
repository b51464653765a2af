"""The ingest run: sources → cleaning → language → fingerprint → dedup → store, in atomic batches.

Each batch is written in one transaction (articles, duplicate links, rejects and the learned
furniture state together), so a crash loses nothing committed and leaves no half article, and
ingesting the same input twice adds nothing the second time (inputs are keyed by their location).
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .article import Article
from .cleaning import Cleaner
from .dedup import Deduplicator, Fingerprinter, canonical_url
from .errors import Errors, Rejected
from .language import LanguageDetector
from .pipeline import batched
from .sources import SourceStats, iter_records, total_bytes
from .store import ArticleFilter, Store

FURNITURE_STATE = "cleaning.furniture"


@dataclass
class IngestSummary:
    """What one ingest run did."""

    read: int = 0
    ingested: int = 0
    copies: int = 0
    repeats: int = 0
    unchanged: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def duplicates(self) -> int:
        return self.copies + self.repeats

    @property
    def rate(self) -> float:
        return self.read / self.elapsed if self.elapsed else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "ingested": self.ingested,
            "duplicates": self.duplicates,
            "copies": self.copies,
            "repeats": self.repeats,
            "unchanged": self.unchanged,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "warnings": sum(self.warnings.values()),
            "warnings_by_reason": dict(sorted(self.warnings.items())),
            "elapsed_s": round(self.elapsed, 3),
            "articles_per_s": round(self.rate, 1),
        }


def input_key(article: Article) -> str:
    """The article's input location with a digest of what was read there.

    Re-reading the same input finds the same key (nothing is added twice), while new content at
    the same place (an edited file, another day's ``scraper | warta ingest -``) gets a new one.

    >>> a = Article(source="x", title="T", raw_text="isi", meta={"location": "stdin:#line=1"})
    >>> input_key(a)
    'stdin:#line=1&sha=aeadaaa53c63'
    """
    location = article.meta.get("location") or article.source
    body = article.raw_text if article.raw_text is not None else article.meta.get("html") or ""
    digest = hashlib.blake2b(f"{article.url}\x00{article.title}\x00{body}".encode("utf-8", "surrogatepass"),
                             digest_size=6).hexdigest()
    return f"{location}{'&' if '#' in location else '#'}sha={digest}"


@dataclass
class _Prepared:
    """A batch read and cleaned, waiting for its language and fingerprints."""

    batch: list[Article | Rejected]
    articles: list[Article]
    rejects: list[Rejected]
    known_rejects: set[str]
    furniture: dict[str, Any]
    analysis: Future[list[tuple[str | None, float | None, str, bytes]]] | None = None


def _analyse_texts(texts: list[tuple[str, str]]) -> list[tuple[str | None, float | None, str, bytes]]:
    """Language and fingerprint of ``(title, text)`` pairs (runs in a worker process)."""
    articles = [Article(source="", title=title, text=text) for title, text in texts]
    _WORKER["fingerprint"].pipe(_WORKER["language"].pipe(articles))
    return [(a.language, a.language_score, a.content_hash or "", a.meta["signature"]) for a in articles]


_WORKER: dict[str, Any] = {}


def _init_worker(settings_data: dict[str, Any]) -> None:
    from .settings import Settings

    settings = Settings(settings_data)
    _WORKER["language"] = LanguageDetector(settings)
    _WORKER["fingerprint"] = Fingerprinter(settings)


class Ingestor:
    """Holds the stages and the dedup index for one store; ``run`` ingests inputs into it.

    With ``[ingest] workers`` > 1 (or 0 = one per core, for inputs of at least
    ``parallel_min_bytes``), language detection and fingerprints run in worker processes while the
    main process reads and cleans the next batch; the result is the same as with one process.
    """

    def __init__(self, store: Store, settings: Any) -> None:
        self.store = store
        self.settings = settings
        self.cleaner = Cleaner(settings)
        state = store.get_state(FURNITURE_STATE)
        if state:
            self.cleaner.load_state(state)
        self.language = LanguageDetector(settings)
        self.fingerprint = Fingerprinter(settings)
        self.dedup = Deduplicator(store, settings)
        self._ids = itertools.count(store.max_article_id() + 1)

    def _workers(self, paths: list[str]) -> int:
        cfg = self.settings.ingest
        if cfg.workers == 0:
            big = "-" in paths or total_bytes(paths) >= cfg.parallel_min_bytes
            return (os.cpu_count() or 1) if big else 1
        return cfg.workers

    def run(
        self,
        paths: Iterable[str],
        *,
        mapping: dict[str, str] | None = None,
        fmt: str | None = None,
        on_item: Callable[[Article | Rejected], None] | None = None,
        stats: SourceStats | None = None,
    ) -> IngestSummary:
        """Ingest ``paths``; ``on_item`` is called for each input item after its batch is stored,
        and ``stats`` (if given) is kept up to date by the readers (bytes read, for progress)."""
        paths = list(paths)
        summary = IngestSummary()
        started = time.perf_counter()
        records = iter_records(paths, settings=self.settings, mapping=mapping, fmt=fmt, stats=stats)
        workers = self._workers(paths)
        pool = None
        if workers > 1:
            # Spawned, not forked: a fork of a process whose native libraries hold threads can deadlock.
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_init_worker, initargs=(self.settings.as_dict(),))
        try:
            pending: _Prepared | None = None
            for batch in batched(records, self.settings.ingest.batch_size):
                prepared = self._prepare(batch, summary, pool, workers)
                if pending is not None:
                    self._finish(pending, summary, on_item)
                pending = prepared
            if pending is not None:
                self._finish(pending, summary, on_item)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        summary.elapsed = time.perf_counter() - started
        return summary

    def _prepare(
        self, batch: list[Article | Rejected], summary: IngestSummary, pool: ProcessPoolExecutor | None,
        workers: int,
    ) -> _Prepared:
        """Read side of a batch: skip what is stored already, clean, start language and fingerprints."""
        summary.read += len(batch)
        rejects = [r for r in batch if isinstance(r, Rejected)]
        raw = [a for a in batch if isinstance(a, Article)]
        for a in raw:
            a.meta["location"] = input_key(a)
        known = self.store.known_locations(a.meta["location"] for a in raw)
        fresh = [a for a in raw if a.meta["location"] not in known]
        summary.unchanged += len(raw) - len(fresh)
        known_rejects = self.store.known_locations(r.location for r in rejects)
        articles: list[Article] = []
        for item in self.cleaner.pipe(fresh):
            if isinstance(item, Rejected):
                rejects.append(item)
            else:
                articles.append(item)
        prepared = _Prepared(batch, articles, rejects, known_rejects, self.cleaner.state())
        if pool is not None and articles:
            prepared.analysis = pool.submit(_analyse_texts, [(a.title, a.text) for a in articles])
        else:
            self.fingerprint.pipe(self.language.pipe(articles))
        return prepared

    def _finish(
        self, p: _Prepared, summary: IngestSummary, on_item: Callable[[Article | Rejected], None] | None
    ) -> None:
        """Write side of a batch: dedup against the store, then one transaction."""
        if p.analysis is not None:
            for a, (lang, score, digest, sig) in zip(p.articles, p.analysis.result(), strict=True):
                a.language, a.language_score, a.content_hash = lang, score, digest
                a.meta["signature"] = sig
        for a in p.articles:
            if a.url:
                a.source = canonical_url(a.url)
        result = self.dedup.process(p.articles, self._ids.__next__)
        summary.unchanged += result.unchanged
        written = self.store.write_batch(result.new, result.links, p.rejects, state={FURNITURE_STATE: p.furniture})
        summary.ingested += written.articles
        summary.copies += sum(1 for a in result.new if a.duplicate_of is not None)
        summary.repeats += written.duplicates
        for r in p.rejects:
            if r.location not in p.known_rejects:
                summary.rejected[f"{r.code} {r.name}"] += 1
        for a in result.new:
            for w in a.meta.get("warnings", ()):
                summary.warnings[f"{w['code']} {Errors[w['code']].value}"] += 1
        if on_item is not None:
            for item in p.batch:
                on_item(item)


def ingest(paths: Iterable[str], store: Store, settings: Any, **kwargs: Any) -> IngestSummary:
    """Ingest ``paths`` (files, directories, ``-``) into ``store``; see :class:`Ingestor`."""
    return Ingestor(store, settings).run(paths, **kwargs)



#: The enrichment stages run on stored articles, in this order (quotes use the entity layer).
ENRICH_STAGES = ("entities", "quotes", "timex")
ENRICH_STATE = "enrich.last_id"
#: What a stored article carries, so stages that require it can run on it.
STORED_ATTRIBUTES = ("text", "title", "language", "published", "updated", "dateline", "captions", "content_hash")


class Enricher:
    """Runs the span stages over stored articles not yet enriched (ids above a high-water mark).

    Article ids only go up, so one stored number says what is done; ``redo=True`` redoes everything
    (after a model update). A stage that fails on one article records nothing for it and goes on.
    Entity mentions are found in ``[entities] workers`` processes (:func:`warta.entities.mention_stream`);
    the cross-article entity resolver and the later stages run here, in article order.
    """

    def __init__(self, store: Store, settings: Any, stages: tuple[str, ...] = ENRICH_STAGES) -> None:
        from .pipeline import Pipeline

        self.store = store
        self.settings = settings
        self.stages = stages
        self.entities = None
        if "entities" in stages:
            from .entities import EntityRecognizer, EntityResolver

            self.entities = EntityRecognizer(settings)
            # Canonical entities become rows of the store, so spans carry an entity_id across articles.
            self.entities.resolver = EntityResolver(store)
        given = (*STORED_ATTRIBUTES, *(["entity"] if self.entities is not None else []))
        self.pipeline = Pipeline([s for s in stages if s != "entities"], settings, on_error="record", given=given)
        self.batch_size = settings.ingest.batch_size

    def pending(self, *, redo: bool = False) -> int:
        last = 0 if redo else int(self.store.get_state(ENRICH_STATE) or 0)
        return self.store.count_articles(ArticleFilter(min_id=last + 1))

    def _workers(self, pending: int) -> int:
        cfg = self.settings.entities
        if cfg.workers == 0:
            return (os.cpu_count() or 1) if pending >= cfg.parallel_min_articles else 1
        return int(cfg.workers)

    def _with_mentions(self, articles: Iterable[Article], n_process: int) -> Iterator[tuple[Article, Rejected | None]]:
        """Each article with its entity layer set, or with a Rejected (E401) if finding its mentions failed."""
        if self.entities is None:
            yield from ((a, None) for a in articles)
            return
        from .entities import mention_stream

        for article, found in mention_stream(articles, self.entities.options(), n_process=n_process):
            if isinstance(found, Exception):
                yield article, Rejected(Errors.E401, f"stage entities: {type(found).__name__}: {found}",
                                        location=article.source)
            else:
                self.entities.finish(article, found)
                yield article, None

    def run(
        self, *, redo: bool = False, on_article: Callable[[Article | Rejected], None] | None = None
    ) -> Counter[str]:
        """Enrich pending articles; returns counts of spans per layer (and ``failed``)."""
        counts: Counter[str] = Counter()
        last = 0 if redo else int(self.store.get_state(ENRICH_STATE) or 0)
        flt = ArticleFilter(min_id=last + 1)
        n_process = self._workers(self.store.count_articles(flt))

        def fresh(articles: Iterable[Article]) -> Iterator[Article]:
            for article in articles:
                article.spans = []
                yield article

        stream = self._with_mentions(fresh(self.store.iter_articles(flt, order="id")), n_process)
        for batch in batched(stream, self.batch_size):
            for article, failed in batch:
                try:
                    if failed is not None:
                        raise failed
                    done = self.pipeline(article)
                except Rejected as rej:
                    counts["failed"] += 1
                    if on_article is not None:
                        on_article(rej)
                    continue
                spans = {layer: done.layer(layer) for layer in ("entity", "quote", "timex")}
                assert done.id is not None  # stored articles have their row id
                self.store.replace_spans(done.id, spans)
                for layer, items in spans.items():
                    counts[layer] += len(items)
                if on_article is not None:
                    on_article(done)
            self.store.set_state(ENRICH_STATE, max(article.id for article, _ in batch))
        return counts
