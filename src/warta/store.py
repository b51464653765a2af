"""Persistence behind one small interface, chosen by URL.

``open_store("sqlite:///warta.db")`` gives the embedded default (SQLite in WAL mode, FTS5 over title
and body, numbered migrations). The interface is what a shared PostgreSQL backend will implement;
until then a ``postgresql://`` URL, like any unknown scheme, is a :class:`~warta.errors.ConfigError`.

Writes are atomic per batch: :meth:`Store.write_batch` commits articles, duplicate links and rejects
of one batch in one transaction, so a crash loses nothing committed and leaves no half article.

>>> store = open_store("sqlite:///:memory:")
>>> from warta.article import Article
>>> from datetime import datetime, timezone, timedelta
>>> a = Article(source="https://x.test/a", url="https://x.test/a", title="Putin ke Korea Utara",
...             text="Putin dikabarkan akan berkunjung.", outlet="x.test", language="id",
...             published=datetime(2024, 6, 15, 8, 3, tzinfo=timezone(timedelta(hours=7))),
...             content_hash="h1")
>>> result = store.write_batch([a], [], [])
>>> result.articles
1
>>> store.get_article(a.id).published.isoformat()
'2024-06-15T08:03:00+07:00'
>>> [hit.id for hit in store.search("berkunjung")] == [a.id]
True
>>> store.stats()["articles"]
1
"""

from __future__ import annotations

import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from .article import Article, Span
from .errors import ConfigError, Errors, Rejected


@dataclass(slots=True)
class DuplicateLink:
    """An input item recognised as a repeat of a stored article (kept as a link, not an article)."""

    original_id: int
    source: str
    location: str
    kind: str  # "url" (same canonical URL), "exact" (same normalised text), "near" (MinHash), "copy"
    similarity: float
    content_hash: str | None = None


@dataclass(slots=True)
class BatchResult:
    articles: int = 0
    duplicates: int = 0
    rejects: int = 0
    warnings: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class StoredKey:
    id: int
    content_hash: str | None
    location: str | None


@dataclass(slots=True)
class SearchHit:
    id: int
    title: str
    outlet: str | None
    published: datetime | None
    snippet: str
    score: float


@dataclass(slots=True)
class ArticleFilter:
    outlet: str | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    originals_only: bool = False
    ids: Sequence[int] | None = field(default=None)
    min_id: int | None = None


class Store(ABC):
    """What every backend offers. Articles, duplicate links, rejects, spans, entities, key/values."""

    url: str

    @abstractmethod
    def close(self) -> None: ...

    # -- ingest ----------------------------------------------------------------------------------
    @abstractmethod
    def write_batch(
        self, articles: Sequence[Article], duplicates: Sequence[DuplicateLink], rejects: Sequence[Rejected],
        *, state: dict[str, Any] | None = None,
    ) -> BatchResult:
        """Store one batch atomically, with ``state`` key/values; re-writing stored items adds nothing.

        Articles keep the ``id`` they carry (the ingest runner counts ids up); without one, one is given.
        """

    @abstractmethod
    def lookup_sources(self, sources: Iterable[str]) -> dict[str, StoredKey]:
        """Stored articles by ``source`` (canonical URL or file URI)."""

    @abstractmethod
    def lookup_hashes(self, hashes: Iterable[str]) -> dict[str, tuple[int, str | None]]:
        """``(id, outlet)`` of the first stored article with each normalised-text hash."""

    @abstractmethod
    def known_locations(self, locations: Iterable[str]) -> set[str]:
        """Which input locations were already ingested (as article, duplicate or reject)."""

    @abstractmethod
    def max_article_id(self) -> int:
        """The highest article id ever stored (new ids count up from it)."""

    @abstractmethod
    def recent_signatures(self, limit: int) -> Iterator[tuple[int, bytes, str | None]]:
        """``(id, minhash signature, outlet)`` of the ``limit`` most recently stored originals, oldest first."""

    # -- reading ---------------------------------------------------------------------------------
    @abstractmethod
    def get_article(self, article_id: int, *, spans: bool = True) -> Article | None: ...

    @abstractmethod
    def iter_articles(
        self, flt: ArticleFilter | None = None, *, order: str = "published", spans: bool = False,
        limit: int | None = None, offset: int = 0,
    ) -> Iterator[Article]: ...

    @abstractmethod
    def count_articles(self, flt: ArticleFilter | None = None) -> int: ...

    @abstractmethod
    def duplicates_of(self, article_id: int) -> list[dict[str, Any]]:
        """Links and copies that point at ``article_id`` (repeats and later copies)."""

    @abstractmethod
    def search(self, query: str, *, limit: int = 20, flt: ArticleFilter | None = None) -> list[SearchHit]: ...

    @abstractmethod
    def rejects(self, *, limit: int = 100, warnings: bool = False) -> list[dict[str, Any]]:
        """Rejected inputs (or, with ``warnings``, kept inputs that carry a warning)."""

    @abstractmethod
    def stats(self) -> dict[str, Any]: ...

    # -- enrichment ------------------------------------------------------------------------------
    @abstractmethod
    def set_spans(self, article_id: int, layer: str, spans: Sequence[Span]) -> None: ...

    @abstractmethod
    def get_spans(self, article_id: int, layer: str | None = None) -> list[Span]: ...

    @abstractmethod
    def replace_spans(self, article_id: int, layers: Mapping[str, Sequence[Span]]) -> None:
        """Replace several span layers of one article in one transaction."""

    @abstractmethod
    def upsert_entity(self, canonical: str, label: str, aliases: Iterable[str] = ()) -> int: ...

    @abstractmethod
    def get_entities(self, ids: Iterable[int] | None = None) -> list[dict[str, Any]]: ...

    # -- small persistent state (learned furniture, model state, corrections) ------------------------
    @abstractmethod
    def get_state(self, key: str) -> Any: ...

    @abstractmethod
    def set_state(self, key: str, value: Any) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(url: str, *, settings: Any = None) -> Store:
    """Open the store at ``url`` (``sqlite:///path``, ``sqlite:///:memory:``, ``postgresql://...``)."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else url[len("sqlite://") :]
        return SQLiteStore(path or ":memory:")
    if scheme in ("postgresql", "postgres"):
        raise ConfigError(f"{url!r}: the PostgreSQL store is not part of this version yet; use sqlite:///PATH")
    raise ConfigError(f"unknown store URL scheme {scheme!r} in {url!r}: use sqlite:///PATH or postgresql://...")


# ------------------------------------------------------------------------------------------------
# SQLite
# ------------------------------------------------------------------------------------------------

#: Numbered schema migrations; a database records the versions it has.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL UNIQUE,
            location TEXT,
            url TEXT,
            outlet TEXT,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            raw_text TEXT,
            author TEXT,
            published TEXT,
            published_utc TEXT,
            updated TEXT,
            dateline TEXT,
            captions TEXT NOT NULL DEFAULT '[]',
            language TEXT,
            language_score REAL,
            content_hash TEXT,
            duplicate_of INTEGER REFERENCES articles(id),
            duplicate_kind TEXT,
            similarity REAL,
            signature BLOB,
            meta TEXT NOT NULL DEFAULT '{}',
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX articles_hash ON articles(content_hash);
        CREATE INDEX articles_published ON articles(published_utc);
        CREATE INDEX articles_outlet ON articles(outlet, published_utc);
        CREATE INDEX articles_dup ON articles(duplicate_of);
        CREATE INDEX articles_location ON articles(location);

        CREATE TABLE duplicates (
            id INTEGER PRIMARY KEY,
            original_id INTEGER NOT NULL REFERENCES articles(id),
            source TEXT NOT NULL,
            location TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            similarity REAL NOT NULL,
            content_hash TEXT,
            seen_at TEXT NOT NULL
        );
        CREATE INDEX duplicates_original ON duplicates(original_id);

        CREATE TABLE rejects (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            reason TEXT NOT NULL,
            location TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            UNIQUE(location, code)
        );

        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;

        CREATE TABLE spans (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            layer TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            attrs TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX spans_article ON spans(article_id, layer);

        CREATE TABLE entities (
            id INTEGER PRIMARY KEY,
            canonical TEXT NOT NULL,
            label TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]',
            UNIQUE(canonical, label)
        );

        CREATE TABLE state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            headline TEXT NOT NULL DEFAULT '',
            headline_article_id INTEGER,
            first_published TEXT,
            last_published TEXT,
            article_count INTEGER NOT NULL DEFAULT 0,
            outlets TEXT NOT NULL DEFAULT '[]',
            languages TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX stories_last ON stories(last_published);
        CREATE INDEX stories_count ON stories(article_count, last_published);

        CREATE TABLE story_assignments (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id INTEGER NOT NULL,
            score REAL NOT NULL,
            via TEXT NOT NULL DEFAULT 'model',
            evidence TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX story_assignments_story ON story_assignments(story_id);

        CREATE TABLE story_corrections (
            id INTEGER PRIMARY KEY,
            action TEXT NOT NULL,
            args TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    ),
    (
        3,
        """
        ALTER TABLE rejects ADD COLUMN severity TEXT NOT NULL DEFAULT 'rejected';
        CREATE INDEX rejects_severity ON rejects(severity, code);
        """,
    ),
]


def iso(dt: datetime | None) -> str | None:
    """A datetime as stored and shown: ISO 8601 with its own offset (None stays None)."""
    return dt.isoformat() if dt else None


def utc_key(dt: datetime | None) -> str | None:
    """``dt`` in the ``published_utc`` format (UTC, to the second), so stored times compare as strings."""
    if dt is None:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_ARTICLE_COLUMNS = (
    "id, source, location, url, outlet, title, text, raw_text, author, published, updated, dateline, "
    "captions, language, language_score, content_hash, duplicate_of, duplicate_kind, similarity, meta"
)


class SQLiteStore(Store):
    """SQLite in WAL mode. One connection writes (guarded by a lock); readers may open their own."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            if path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cannot open the SQLite database {path!r}: {exc} "
                              "(does its folder exist, is it writable, is it a SQLite file?)") from None
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self.migrate()

    # -- schema -----------------------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply missing migrations in one transaction; return the versions applied."""
        with self._lock:
            c = self._conn
            c.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
            have = {r[0] for r in c.execute("SELECT version FROM schema_migrations")}
            todo = [(v, sql) for v, sql in sorted(MIGRATIONS) if v not in have]
            if not todo:
                return []
            c.execute("BEGIN IMMEDIATE")
            try:
                for version, sql in todo:
                    for statement in _split_sql(sql):
                        c.execute(statement)
                    c.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, _now()))
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            return [v for v, _ in todo]

    @property
    def schema_version(self) -> int:
        row = self._conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return row[0] or 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def transaction(self) -> _Transaction:
        """``with store.transaction(): ...`` runs statements atomically on the writer connection."""
        return _Transaction(self)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        """Run one statement on the writer connection (for stage modules with their own tables)."""
        with self._lock:
            return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._lock:
            self._conn.executemany(sql, rows)

    # -- ingest -----------------------------------------------------------------------------------
    def write_batch(
        self, articles: Sequence[Article], duplicates: Sequence[DuplicateLink], rejects: Sequence[Rejected],
        *, state: dict[str, Any] | None = None,
    ) -> BatchResult:
        result = BatchResult()
        now = _now()
        with self.transaction() as c:
            for a in articles:
                cur = c.execute(
                    "INSERT OR IGNORE INTO articles (id, source, location, url, outlet, title, text, raw_text, author,"
                    " published, published_utc, updated, dateline, captions, language, language_score,"
                    " content_hash, duplicate_of, duplicate_kind, similarity, signature, meta, ingested_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        a.id, a.source, a.meta.get("location"), a.url, a.outlet, a.title, a.text, a.raw_text,
                        a.author, iso(a.published), utc_key(a.published), iso(a.updated), a.dateline,
                        json.dumps(a.captions, ensure_ascii=False), a.language, a.language_score,
                        a.content_hash, a.duplicate_of, a.duplicate_kind, a.similarity,
                        a.meta.get("signature"), _dump_meta(a.meta), now,
                    ),
                )
                if cur.rowcount:
                    a.id = int(cur.lastrowid or 0)
                    result.articles += 1
                    if a.spans:
                        self._insert_spans(c, a.id, a.spans)
                else:
                    row = c.execute("SELECT id FROM articles WHERE source = ?", (a.source,)).fetchone()
                    if row is None:
                        raise ValueError(f"article id {a.id} is taken by another source")
                    a.id = row[0]
                    result.unchanged += 1
            for d in duplicates:
                cur = c.execute(
                    "INSERT OR IGNORE INTO duplicates (original_id, source, location, kind, similarity,"
                    " content_hash, seen_at) VALUES (?,?,?,?,?,?,?)",
                    (d.original_id, d.source, d.location, d.kind, d.similarity, d.content_hash, now),
                )
                result.duplicates += cur.rowcount
            for r in rejects:
                cur = c.execute(
                    "INSERT OR IGNORE INTO rejects (code, name, reason, location, seen_at) VALUES (?,?,?,?,?)",
                    (r.code, r.name, r.reason, r.location or "unknown", now),
                )
                result.rejects += cur.rowcount
            for a in articles:
                for w in a.meta.get("warnings", ()):
                    cur = c.execute(
                        "INSERT OR IGNORE INTO rejects (code, name, reason, location, seen_at, severity)"
                        " VALUES (?,?,?,?,?, 'warning')",
                        (w["code"], Errors[w["code"]].value, w["reason"], a.meta.get("location") or a.source, now),
                    )
                    result.warnings += cur.rowcount
            for key, value in (state or {}).items():
                self._put_state(c, key, value)
        return result

    def lookup_sources(self, sources: Iterable[str]) -> dict[str, StoredKey]:
        out: dict[str, StoredKey] = {}
        for chunk in _chunks(list(dict.fromkeys(sources)), 500):
            q = f"SELECT id, source, content_hash, location FROM articles WHERE source IN ({_marks(chunk)})"
            for row in self._read(q, chunk):
                out[row["source"]] = StoredKey(row["id"], row["content_hash"], row["location"])
        return out

    def lookup_hashes(self, hashes: Iterable[str]) -> dict[str, tuple[int, str | None]]:
        out: dict[str, tuple[int, str | None]] = {}
        for chunk in _chunks([h for h in dict.fromkeys(hashes) if h], 500):
            q = (f"SELECT content_hash, id, outlet FROM articles WHERE content_hash IN ({_marks(chunk)})"
                 " ORDER BY id DESC")
            for row in self._read(q, chunk):
                out[row["content_hash"]] = (row["id"], row["outlet"])
        return out

    def known_locations(self, locations: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks([x for x in dict.fromkeys(locations) if x], 300):
            marks = _marks(chunk)
            q = (f"SELECT location FROM articles WHERE location IN ({marks})"
                 f" UNION SELECT location FROM duplicates WHERE location IN ({marks})"
                 f" UNION SELECT location FROM rejects WHERE location IN ({marks})")
            out.update(row[0] for row in self._read(q, chunk * 3))
        return out

    def max_article_id(self) -> int:
        return int(self._read("SELECT COALESCE(MAX(id), 0) FROM articles")[0][0])

    def recent_signatures(self, limit: int) -> Iterator[tuple[int, bytes, str | None]]:
        q = ("SELECT id, signature, outlet FROM (SELECT id, signature, outlet FROM articles"
             " WHERE signature IS NOT NULL AND duplicate_of IS NULL ORDER BY id DESC LIMIT ?) ORDER BY id")
        for row in self._read(q, (limit,)):
            yield row[0], row[1], row[2]

    # -- reading ----------------------------------------------------------------------------------
    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _row_to_article(self, row: sqlite3.Row) -> Article:
        meta = json.loads(row["meta"] or "{}")
        meta["location"] = row["location"]
        return Article(
            id=row["id"], source=row["source"], url=row["url"], outlet=row["outlet"], title=row["title"],
            text=row["text"], raw_text=row["raw_text"], author=row["author"], published=_dt(row["published"]),
            updated=_dt(row["updated"]), dateline=row["dateline"], captions=json.loads(row["captions"]),
            language=row["language"], language_score=row["language_score"], content_hash=row["content_hash"],
            duplicate_of=row["duplicate_of"], duplicate_kind=row["duplicate_kind"],
            similarity=row["similarity"], meta=meta,
        )

    def get_article(self, article_id: int, *, spans: bool = True) -> Article | None:
        rows = self._read(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,))
        if not rows:
            return None
        article = self._row_to_article(rows[0])
        if spans:
            article.spans = self.get_spans(article_id)
        return article

    @staticmethod
    def _where(flt: ArticleFilter | None) -> tuple[str, list[Any]]:
        if flt is None:
            return "", []
        clauses: list[str] = []
        params: list[Any] = []
        if flt.outlet:
            clauses.append("outlet = ?")
            params.append(flt.outlet)
        if flt.language:
            clauses.append("language = ?")
            params.append(flt.language)
        if flt.since:
            clauses.append("published_utc >= ?")
            params.append(utc_key(flt.since))
        if flt.until:
            clauses.append("published_utc < ?")
            params.append(utc_key(flt.until))
        if flt.originals_only:
            clauses.append("duplicate_of IS NULL")
        if flt.min_id is not None:
            clauses.append("id >= ?")
            params.append(int(flt.min_id))
        if flt.ids is not None:
            ids = [int(i) for i in flt.ids] or [-1]
            clauses.append(f"id IN ({','.join(map(str, ids))})")
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def iter_articles(
        self, flt: ArticleFilter | None = None, *, order: str = "published", spans: bool = False,
        limit: int | None = None, offset: int = 0,
    ) -> Iterator[Article]:
        orders = {
            "published": "COALESCE(published_utc, '9999') , id",
            "id": "id",
            "newest": "COALESCE(published_utc, '') DESC, id DESC",
        }
        if order not in orders:
            raise ValueError(f"unknown order {order!r}")
        where, params = self._where(flt)
        sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles{where} ORDER BY {orders[order]}"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        # Page through the table so memory stays bounded on large stores.
        page, last = 2000, 0
        rows = self._read(sql, params) if limit is not None else None
        if rows is not None:
            for row in rows:
                yield self._with_spans(self._row_to_article(row), spans)
            return
        while True:
            rows = self._read(sql + f" LIMIT {page} OFFSET {last}", params)
            for row in rows:
                yield self._with_spans(self._row_to_article(row), spans)
            if len(rows) < page:
                return
            last += page

    def _with_spans(self, article: Article, spans: bool) -> Article:
        if spans and article.id is not None:
            article.spans = self.get_spans(article.id)
        return article

    def count_articles(self, flt: ArticleFilter | None = None) -> int:
        where, params = self._where(flt)
        return self._read(f"SELECT COUNT(*) FROM articles{where}", params)[0][0]

    def duplicates_of(self, article_id: int) -> list[dict[str, Any]]:
        links = [dict(r) for r in self._read(
            "SELECT source, location, kind, similarity, seen_at FROM duplicates WHERE original_id = ? ORDER BY id",
            (article_id,))]
        copies = [
            {"article_id": r["id"], "source": r["source"], "outlet": r["outlet"], "kind": r["duplicate_kind"],
             "similarity": r["similarity"], "published": r["published"]}
            for r in self._read(
                "SELECT id, source, outlet, duplicate_kind, similarity, published FROM articles"
                " WHERE duplicate_of = ? ORDER BY id", (article_id,))
        ]
        return copies + links

    def search(self, query: str, *, limit: int = 20, flt: ArticleFilter | None = None) -> list[SearchHit]:
        where, params = self._where(flt)
        extra = where.replace(" WHERE ", " AND ") if where else ""
        sql = (
            "SELECT a.id, a.title, a.outlet, a.published, snippet(articles_fts, 1, '[', ']', ' … ', 12) AS snip,"
            " bm25(articles_fts, 5.0, 1.0) AS score FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
            f" WHERE articles_fts MATCH ?{extra.replace('published_utc', 'a.published_utc')} ORDER BY score LIMIT ?"
        )
        try:
            rows = self._read(sql, [_fts_query(query), *params, limit])
        except sqlite3.OperationalError as exc:
            raise ConfigError(f"cannot search for {query!r}: {exc}") from None
        return [SearchHit(r["id"], r["title"], r["outlet"], _dt(r["published"]), r["snip"], -r["score"])
                for r in rows]

    def rejects(self, *, limit: int = 100, warnings: bool = False) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(
            "SELECT code, name, reason, location, seen_at, severity FROM rejects WHERE severity = ?"
            " ORDER BY id LIMIT ?", ("warning" if warnings else "rejected", limit))]

    def stats(self) -> dict[str, Any]:
        one = lambda sql: self._read(sql)[0][0]  # noqa: E731
        languages = {r[0] or "unknown": r[1] for r in self._read(
            "SELECT language, COUNT(*) FROM articles GROUP BY language ORDER BY COUNT(*) DESC")}
        outlets = {r[0] or "unknown": r[1] for r in self._read(
            "SELECT outlet, COUNT(*) FROM articles GROUP BY outlet ORDER BY COUNT(*) DESC")}
        by_reason: dict[str, dict[str, int]] = {"rejected": {}, "warning": {}}
        for r in self._read("SELECT severity, code, name, COUNT(*) FROM rejects GROUP BY severity, code, name"
                            " ORDER BY code"):
            by_reason[r[0]][f"{r[1]} {r[2]}"] = r[3]
        copies = one("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL")
        links = one("SELECT COUNT(*) FROM duplicates")
        return {
            "articles": one("SELECT COUNT(*) FROM articles"),
            "originals": one("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NULL"),
            "duplicates": copies + links,
            "duplicate_articles": copies,
            "repeats": links,
            "rejected": sum(by_reason["rejected"].values()),
            "rejected_by_reason": by_reason["rejected"],
            "warnings": sum(by_reason["warning"].values()),
            "warnings_by_reason": by_reason["warning"],
            "languages": languages,
            "outlets": outlets,
            "with_published": one("SELECT COUNT(*) FROM articles WHERE published IS NOT NULL"),
        }

    # -- enrichment -------------------------------------------------------------------------------
    @staticmethod
    def _insert_spans(c: sqlite3.Connection, article_id: int, spans: Sequence[Span]) -> None:
        c.executemany(
            'INSERT INTO spans (article_id, layer, start, "end", label, attrs) VALUES (?,?,?,?,?,?)',
            [(article_id, s.layer, s.start, s.end, s.label, json.dumps(s.attrs, ensure_ascii=False, default=str))
             for s in spans],
        )

    def set_spans(self, article_id: int, layer: str, spans: Sequence[Span]) -> None:
        self.replace_spans(article_id, {layer: spans})

    def replace_spans(self, article_id: int, layers: Mapping[str, Sequence[Span]]) -> None:
        with self.transaction() as c:
            for layer, spans in layers.items():
                c.execute("DELETE FROM spans WHERE article_id = ? AND layer = ?", (article_id, layer))
                self._insert_spans(c, article_id, [s for s in spans if s.layer == layer])

    def get_spans(self, article_id: int, layer: str | None = None) -> list[Span]:
        if layer is None:
            rows = self._read('SELECT layer, start, "end", label, attrs FROM spans WHERE article_id = ?'
                              ' ORDER BY layer, start', (article_id,))
        else:
            rows = self._read('SELECT layer, start, "end", label, attrs FROM spans WHERE article_id = ?'
                              ' AND layer = ? ORDER BY start', (article_id, layer))
        return [Span(r["start"], r["end"], r["label"], r["layer"], json.loads(r["attrs"])) for r in rows]

    def upsert_entity(self, canonical: str, label: str, aliases: Iterable[str] = ()) -> int:
        new = sorted(set(aliases) - {canonical})
        with self.transaction() as c:
            row = c.execute("SELECT id, aliases FROM entities WHERE canonical = ? AND label = ?",
                            (canonical, label)).fetchone()
            if row is None:
                cur = c.execute("INSERT INTO entities (canonical, label, aliases) VALUES (?,?,?)",
                                (canonical, label, json.dumps(new, ensure_ascii=False)))
                return int(cur.lastrowid or 0)
            known = json.loads(row["aliases"])
            merged = sorted(set(known) | set(new))
            if merged != known:
                c.execute("UPDATE entities SET aliases = ? WHERE id = ?",
                          (json.dumps(merged, ensure_ascii=False), row["id"]))
            return int(row["id"])

    def get_entities(self, ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
        if ids is None:
            rows = self._read("SELECT id, canonical, label, aliases FROM entities ORDER BY id")
        else:
            wanted = [int(i) for i in ids]
            rows = []
            for chunk in _chunks(wanted, 500):
                rows += self._read(f"SELECT id, canonical, label, aliases FROM entities WHERE id IN ({_marks(chunk)})",
                                   chunk)
        return [{**dict(r), "aliases": json.loads(r["aliases"])} for r in rows]

    def get_state(self, key: str) -> Any:
        rows = self._read("SELECT value FROM state WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else None

    def set_state(self, key: str, value: Any) -> None:
        with self.transaction() as c:
            self._put_state(c, key, value)

    @staticmethod
    def _put_state(c: sqlite3.Connection, key: str, value: Any) -> None:
        c.execute(
            "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value, ensure_ascii=False)),
        )


class _Transaction:
    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.store._lock.acquire()
        try:
            self.store._conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.store._lock.release()
            raise
        return self.store._conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self.store._conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.store._lock.release()


def _dump_meta(meta: dict[str, Any]) -> str:
    skip = {"signature", "location", "html"}
    return json.dumps({k: v for k, v in meta.items() if k not in skip}, ensure_ascii=False, default=str)


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (trigger bodies keep their inner semicolons)."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            out.append(joined)
            buf = []
    if "\n".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out


def _marks(items: Sequence[Any]) -> str:
    return ",".join("?" * len(items))


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _fts_query(query: str) -> str:
    """Turn a user query into a safe FTS5 query: words are ANDed, quoted phrases kept."""
    import shlex

    try:
        parts = shlex.split(query)
    except ValueError:
        parts = query.split()
    terms = []
    for part in parts:
        cleaned = part.replace('"', "")
        if cleaned.upper() in ("OR", "AND", "NOT"):
            terms.append(cleaned.upper())
        elif cleaned:
            terms.append(f'"{cleaned}"')
    if not terms:
        raise ConfigError("empty search query")
    return " ".join(terms)
