from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from warta.article import Article, Span
from warta.errors import ConfigError, Errors, Rejected
from warta.store import MIGRATIONS, ArticleFilter, DuplicateLink, SQLiteStore, open_store

WIB = timezone(timedelta(hours=7))


def make(i: int, **kw) -> Article:
    base = dict(source=f"https://x.test/{i}", url=f"https://x.test/{i}", title=f"Judul {i}",
                text=f"Isi berita nomor {i} tentang banjir di Jakarta.", outlet="x.test", language="id",
                published=datetime(2025, 6, 18, 8, i % 60, tzinfo=WIB), content_hash=f"h{i}",
                meta={"location": f"file:///in.csv#row={i}"})
    base.update(kw)
    return Article(**base)


def test_unknown_scheme_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown store URL scheme"):
        open_store("mysql://localhost/x")


def test_file_store_migrates_once_and_reopens(tmp_path):
    path = tmp_path / "w.db"
    s = open_store(f"sqlite:///{path}")
    assert s.schema_version == max(v for v, _ in MIGRATIONS)
    s.write_batch([make(1)], [], [])
    s.close()
    s2 = SQLiteStore(str(path))
    assert s2.migrate() == []
    assert s2.count_articles() == 1
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_batch_is_idempotent_and_records_links_and_rejects():
    s = open_store("sqlite:///:memory:")
    a = make(1)
    rej = Rejected(Errors.W101, "no text left after cleaning", location="file:///in.csv#row=9")
    r1 = s.write_batch([a], [], [rej])
    link = DuplicateLink(a.id, a.source, "file:///other.csv#row=3", "url", 1.0, "h1")
    r2 = s.write_batch([make(1)], [link], [rej])
    r3 = s.write_batch([make(1)], [link], [rej])
    assert (r1.articles, r1.rejects) == (1, 1)
    assert (r2.articles, r2.unchanged, r2.duplicates, r2.rejects) == (0, 1, 1, 0)
    assert (r3.articles, r3.duplicates, r3.rejects) == (0, 0, 0)
    stats = s.stats()
    assert stats["articles"] == 1 and stats["duplicates"] == 1 and stats["rejected"] == 1
    assert stats["rejected_by_reason"] == {"W101 empty body": 1}
    assert s.duplicates_of(a.id)[0]["kind"] == "url"


def test_failed_batch_leaves_nothing_behind():
    s = open_store("sqlite:///:memory:")
    s.write_batch([make(1)], [], [])
    clash = make(2, id=1)  # id 1 already belongs to another source: the whole batch must roll back
    with pytest.raises(ValueError):
        s.write_batch([make(3), clash], [], [])
    assert s.count_articles() == 1
    assert s.lookup_sources(["https://x.test/3"]) == {}


def test_spans_entities_state_and_filters():
    s = open_store("sqlite:///:memory:")
    a, b = make(1), make(2, outlet="y.test", language="en")
    s.write_batch([a, b], [], [])
    s.set_spans(a.id, "entity", [Span(37, 44, "LOC", "entity", {"canonical": "Jakarta"})])
    got = s.get_article(a.id)
    assert [(x.label, got.span_text(x), x.attrs["canonical"]) for x in got.spans] == [("LOC", "Jakarta", "Jakarta")]
    e1 = s.upsert_entity("Korea Utara", "LOC", ["Korut"])
    assert s.upsert_entity("Korea Utara", "LOC", ["North Korea"]) == e1
    assert s.get_entities([e1])[0]["aliases"] == ["Korut", "North Korea"]
    s.set_state("k", {"x": [1, 2]})
    assert s.get_state("k") == {"x": [1, 2]}
    assert [x.id for x in s.iter_articles(ArticleFilter(outlet="y.test"))] == [b.id]
    assert s.count_articles(ArticleFilter(language="id")) == 1
    assert [h.id for h in s.search("banjir", flt=ArticleFilter(outlet="x.test"))] == [a.id]
    with pytest.raises(ConfigError):
        s.search('   ""  ')


def test_iter_articles_pages_through_large_tables():
    s = open_store("sqlite:///:memory:")
    s.write_batch([make(i) for i in range(1, 4502)], [], [])
    assert sum(1 for _ in s.iter_articles(order="id")) == 4501


@pytest.mark.parametrize("make", ["missing folder", "not a database"])
def test_a_store_that_cannot_open_is_a_one_line_error(tmp_path, monkeypatch, capsys, make):
    import sys

    from warta.cli import main

    path = tmp_path / "no" / "x.db"
    if make == "not a database":
        path = tmp_path / "x.db"
        path.write_text("not sqlite at all " * 100)
    monkeypatch.setattr(sys, "argv", ["warta", "--db", str(path), "stats"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith("Error: cannot open the SQLite database")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
