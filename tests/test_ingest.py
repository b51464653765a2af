"""End-to-end ingest: the seeds, a corpus sample, idempotency, atomic batches, and the CLI."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from warta.cli import cli
from warta.errors import Rejected
from warta.ingest import Ingestor
from warta.store import open_store


def _sample_csv(corpus_csvs, tmp_path, n=60):
    """The first ``n`` rows of each corpus file (repeats across files included)."""
    out = tmp_path / "sample.csv"
    csv.field_size_limit(1 << 30)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = None
        for f in corpus_csvs:
            with open(f, encoding="utf-8-sig", newline="") as src:
                reader = csv.DictReader(src)
                writer = writer or csv.DictWriter(fh, reader.fieldnames)
                if fh.tell() == 0:
                    writer.writeheader()
                for i, row in enumerate(reader):
                    if i >= n:
                        break
                    writer.writerow(row)
    return out


def test_seeds_ingest_twice_adds_nothing(tmp_path, settings, seeds_dir):
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    first = Ingestor(store, settings).run([str(seeds_dir)])
    second = Ingestor(store, settings).run([str(seeds_dir)])
    assert (first.ingested, first.duplicates, sum(first.rejected.values())) == (2, 0, 0)
    assert (second.ingested, second.duplicates, second.unchanged) == (0, 0, 2)
    arts = list(store.iter_articles(order="id"))
    assert all(a.source.startswith("file://") and a.source.endswith(".txt") for a in arts)
    assert {a.language for a in arts} == {"id"}
    assert sum(1 for a in arts if a.published is not None) == 1  # seed 004 has no date
    assert store.stats()["articles"] == 2


def test_crash_mid_ingest_keeps_committed_batches(tmp_path, settings, corpus_csvs, monkeypatch):
    sample = _sample_csv(corpus_csvs, tmp_path, n=40)
    small = settings.with_overrides({"ingest": {"batch_size": 16}})
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    real = store.write_batch
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "write_batch", flaky)
    with pytest.raises(KeyboardInterrupt):
        Ingestor(store, small).run([str(sample)])
    partial = store.stats()
    assert 0 < partial["articles"] <= 32
    assert all(a.text and a.title for a in store.iter_articles())
    monkeypatch.setattr(store, "write_batch", real)
    Ingestor(store, small).run([str(sample)])
    whole = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    Ingestor(whole, small).run([str(sample)])
    assert store.stats()["articles"] == whole.stats()["articles"]
    assert store.stats()["duplicates"] == whole.stats()["duplicates"]


def test_cli_ingest_stats_articles_search(tmp_path, seeds_dir):
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    res = runner.invoke(cli, ["--db", db, "ingest", str(seeds_dir), "--json", "--no-enrich"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["ingested"] == 2
    stats = json.loads(runner.invoke(cli, ["--db", db, "stats", "--json"]).output)
    assert {"articles", "duplicates", "rejected", "languages", "with_published"} <= set(stats)
    assert stats["articles"] == 2 and stats["languages"] == {"id": 2}
    hits = json.loads(runner.invoke(cli, ["--db", db, "search", "Peskov", "--json"]).output)
    assert len(hits) == 2
    listed = json.loads(runner.invoke(cli, ["--db", db, "articles", "list", "--json"]).output)
    shown = json.loads(runner.invoke(cli, ["--db", db, "articles", "show", str(listed[0]["id"]), "--json"]).output)
    assert {"entities", "quotes", "timexes", "text", "captions", "duplicates"} <= set(shown)
    missing = runner.invoke(cli, ["--db", db, "articles", "show", "999"])
    assert missing.exit_code != 0 and "no article 999" in missing.output


def test_env_var_chooses_the_database(tmp_path, seeds_dir, monkeypatch):
    monkeypatch.setenv("WARTA_DB", str(tmp_path / "env.db"))
    res = CliRunner().invoke(cli, ["ingest", str(seeds_dir), "--quiet", "--no-enrich"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "env.db").exists()


@pytest.mark.slow
def test_whole_corpus_acceptance(tmp_path, settings, seeds_dir, corpus_csvs):
    store = open_store(f"sqlite:///{tmp_path / 'corpus.db'}")
    summary = Ingestor(store, settings).run([str(seeds_dir), *map(str, corpus_csvs)])
    stats = store.stats()
    assert stats["articles"] == 3698 + 2
    assert stats["repeats"] == 5774 - 3698
    assert stats["rejected"] == 0, store.rejects()
    assert stats["with_published"] >= 0.99 * stats["articles"]
    assert stats["languages"]["id"] >= 0.99 * stats["articles"]
    again = Ingestor(store, settings).run([str(seeds_dir), *map(str, corpus_csvs)])
    assert (again.ingested, again.duplicates) == (0, 0)
    assert store.stats() == stats
    assert summary.read == 5774 + 2


def test_stdin_twice_adds_only_new_content(tmp_path):
    db = str(tmp_path / "stdin.db")
    runner = CliRunner()

    def feed(items):
        lines = "\n".join(json.dumps(i) for i in items) + "\n"
        res = runner.invoke(cli, ["--db", db, "ingest", "-", "--format", "jsonl", "--json", "--no-enrich"], input=lines)
        assert res.exit_code == 0, res.output
        return json.loads(res.output)

    body = "Banjir merendam ratusan rumah warga di Kecamatan Cilincing, Jakarta Utara, sejak Senin pagi."
    day1 = [{"url": "https://a.test/1", "title": "Banjir Cilincing", "text": body}]
    day2 = [{"url": "https://a.test/2", "title": "Gempa Cianjur", "text": "Gempa berkekuatan 5,1 mengguncang "
             "Kabupaten Cianjur, Jawa Barat, pada Selasa siang; belum ada laporan kerusakan."}]
    assert feed(day1)["ingested"] == 1
    assert feed(day1)["ingested"] == 0
    assert feed(day2)["ingested"] == 1


def test_seeds_share_a_story_when_ingested_with_a_later_corpus(tmp_path, settings, seeds_dir, corpus_csvs):
    from warta import stories

    sample = _sample_csv(corpus_csvs, tmp_path, n=30)
    store = open_store(f"sqlite:///{tmp_path / 'mix.db'}")
    Ingestor(store, settings).run([str(seeds_dir), str(sample)])
    stories.assign_new(store, settings)
    seeds = [a.id for a in store.iter_articles(order="id") if a.source.startswith("file://")]
    assert len(seeds) == 2
    assert stories.story_of(store, seeds[0]) == stories.story_of(store, seeds[1])


def test_worker_processes_give_the_same_store_as_one_process(tmp_path, settings, corpus_csvs):
    sample = _sample_csv(corpus_csvs, tmp_path, n=80)
    results = []
    for workers in (1, 2):
        store = open_store(f"sqlite:///{tmp_path / f'w{workers}.db'}")
        Ingestor(store, settings.with_overrides({"ingest": {"workers": workers, "batch_size": 64}})).run([str(sample)])
        results.append([(a.source, a.language, a.content_hash, a.duplicate_of, a.duplicate_kind)
                        for a in store.iter_articles(order="id")])
        store.close()
    assert results[0] == results[1] and len(results[0]) > 100


def test_enrich_links_spans_to_one_stored_entity(tmp_path, settings, seeds_dir):
    from warta.ingest import Enricher

    store = open_store(f"sqlite:///{tmp_path / 'ent.db'}")
    Ingestor(store, settings).run([str(seeds_dir)])
    counts = Enricher(store, settings).run()
    assert counts["entity"] > 50 and counts["quote"] > 10 and counts["timex"] > 10
    assert Enricher(store, settings).pending() == 0
    ids = set()
    for article in store.iter_articles(spans=True):
        ids |= {s.attrs["entity_id"] for s in article.layer("entity")
                if article.span_text(s).replace("-", " ").lower() == "kim hong kyun"}
    assert len(ids) == 1
    (entity,) = store.get_entities(ids)
    assert entity["canonical"] == "Kim Hong Kyun" and "Kim Hong-kyun" in entity["aliases"]


def test_enrich_in_worker_processes_stores_the_same_spans_and_entities(tmp_path, settings, seeds_dir):
    from warta.ingest import Enricher

    got = []
    for workers in (1, 2):
        store = open_store(f"sqlite:///{tmp_path / f'e{workers}.db'}")
        Ingestor(store, settings).run([str(seeds_dir)])
        Enricher(store, settings.with_overrides({"entities": {"workers": workers}})).run()
        got.append(([(a.id, [(s.layer, s.start, s.end, s.label, s.attrs) for s in a.spans])
                     for a in store.iter_articles(spans=True, order="id")], store.get_entities()))
        store.close()
    assert got[0] == got[1] and got[0][1]


def test_enrich_records_an_article_whose_entities_fail_and_goes_on(tmp_path, settings, seeds_dir, entities_fail_on):
    from warta.ingest import Enricher

    entities_fail_on("Zwirko")
    store = open_store(f"sqlite:///{tmp_path / 'f.db'}")
    Ingestor(store, settings).run([str(seeds_dir)])
    failed = []
    counts = Enricher(store, settings).run(on_article=lambda item: failed.append(item) if isinstance(item, Rejected)
                                           else None)
    assert counts["failed"] == 1 and counts["entity"] > 20
    assert failed[0].code == "E401" and "cannot read this one" in failed[0].reason
    assert Enricher(store, settings).pending() == 0


def test_story_reports_are_stored_and_recomputed_only_when_their_inputs_change(tmp_path, settings, seeds_dir):
    from warta import compare, stories
    from warta.ingest import Enricher

    store = open_store(f"sqlite:///{tmp_path / 'rep.db'}")
    Ingestor(store, settings).run([str(seeds_dir)])
    Enricher(store, settings).run()
    summary = stories.assign_new(store, settings)
    (story,) = stories.list_stories(store)
    assert summary.touched == {story.id} and compare.reportable_stories(store) == [story.id]
    assert compare.precompute_reports(store, settings, story_ids=summary.touched) == 1
    assert compare.precompute_reports(store, settings) == 0
    assert stories.assign_new(store, settings).touched == set()
    report = compare.story_report(store, story.id, settings)
    assert report == store.get_state(f"compare.report.{story.id}")["report"]
    assert {f["status"] for f in report["facts"]} >= {"corroborated", "single-source"}
    changed = settings.with_overrides({"compare": {"align_threshold": 0.3}})
    assert compare.precompute_reports(store, changed) == 1
