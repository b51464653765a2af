"""Story clustering speed: corpus throughput, and assignment latency on a large synthetic store.

1. Corpus throughput (indonews-2025-06, 3,698 articles in publication order): the clusterer alone,
   with a cold stem cache (first run: Sastrawi stems the whole vocabulary) and warm; then
   ``rebuild`` through a SQLite store (assignments, evidence and story rows written). Beside it,
   the same run's baseline: scikit-learn's TfidfVectorizer over the same title + lead text (a
   floor: vectorising only, no clustering). No dense embeddings are used.
2. Latency: a SQLite store holding ``--articles`` synthetic articles in ``--stories`` stories
   (default 1M / 200k, spread over 200 days), the clusterer warmed on the last ``window_hours``
   of them, then ``--new`` new articles assigned one at a time (clusterer + assignment row + story
   row): p50 / p99 latency, and peak RSS (memory is bounded by the active window, not the archive).

    .venv/bin/python benchmarks/stories_speed.py [--articles 1000000 --stories 200000 --new 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stories_corpus import CORPUS, publication_order, read_corpus

from warta import stories as S
from warta.article import Article
from warta.settings import load_settings
from warta.store import open_store


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus_throughput(settings) -> None:
    articles = list(publication_order(read_corpus()))
    n = len(articles)
    lead = settings.stories.lead_chars
    from sklearn.feature_extraction.text import TfidfVectorizer

    t = time.perf_counter()
    TfidfVectorizer(sublinear_tf=True).fit_transform([f"{a.title}\n{a.text[:lead]}" for a in articles])
    base = n / (time.perf_counter() - t)
    print(f"baseline TfidfVectorizer (vectorising only)  {base:8.0f} articles/s")
    for label in ("cold stem cache", "warm stem cache"):
        if label.startswith("cold"):
            S._STEMS.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        S.cluster(articles, S.clusterer_from_settings(settings))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"clusterer, {label:<16} {n / wall:8.0f} articles/s wall, {n / cpu:6.0f} /s CPU"
              f"  ({n / wall / base:.2f}x baseline)")
    with open_store("sqlite:///:memory:") as store:
        for a in articles:
            a.id = None
            a.content_hash = a.url
        store.write_batch(articles, [], [])
        wall, cpu = time.perf_counter(), time.process_time()
        summary = S.rebuild(store, settings)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"rebuild through SQLite, warm stems       {n / wall:8.0f} articles/s wall, {n / cpu:6.0f} /s CPU"
              f"  ({summary.new_stories} stories opened)")


WORDS = [f"kata{i}" for i in range(20_000)]
NAMES = [f"Nama{i} Tokoh{i}" for i in range(50_000)]


def synthetic(i: int, story: int, when: datetime, rng: random.Random) -> Article:
    """A synthetic article of story ``story``: its own words and name, plus common words."""
    srng = random.Random(story)
    own = srng.sample(WORDS, 6)
    name = NAMES[story % len(NAMES)]
    words = rng.sample(own, 4) + rng.sample(WORDS[:2000], 4)
    title = " ".join(words[:6])
    text = f"{name} mengatakan {' '.join(words)} pada hari ini. " + " ".join(rng.sample(WORDS[:5000], 12))
    return Article(source=f"https://syn.test/{i}", url=f"https://syn.test/{i}", title=title, text=text,
                   outlet=f"outlet{i % 7}.test", language="id", published=when, content_hash=f"s{i}")


def fill(path: Path, n_articles: int, n_stories: int, days: int) -> datetime:
    """Write the archive straight into the tables (fast), one story per consecutive run of articles."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    step = timedelta(days=days) / n_articles
    per_story = max(1, n_articles // n_stories)
    open_store(f"sqlite:///{path}").close()  # migrations
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    now = datetime.now(UTC).isoformat()
    batch, assignments, stories = [], [], []
    for i in range(1, n_articles + 1):
        when = start + step * i
        story = min((i - 1) // per_story + 1, n_stories)
        utc = when.strftime("%Y-%m-%dT%H:%M:%S")
        batch.append((i, f"https://syn.test/{i}", f"https://syn.test/{i}", f"outlet{i % 7}.test",
                      f"kata{i % 20000} kata{story % 20000}", "teks", when.isoformat(), utc, "id", f"s{i}", now))
        assignments.append((i, story, 0.5, "model", "{}"))
        if (i - 1) % per_story == 0 and story <= n_stories and len(stories) < n_stories:
            stories.append((story, f"kata{story}", i, utc, utc, per_story, '["outlet0.test"]', '["id"]'))
        if len(batch) == 50_000:
            _flush(con, batch, assignments, stories)
    _flush(con, batch, assignments, stories)
    con.commit()
    con.close()
    return start + timedelta(days=days)


def _flush(con, batch, assignments, stories) -> None:
    con.executemany("INSERT INTO articles (id, source, url, outlet, title, text, published, published_utc, language,"
                    " content_hash, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
    con.executemany("INSERT INTO story_assignments VALUES (?,?,?,?,?)", assignments)
    con.executemany("INSERT INTO stories VALUES (?,?,?,?,?,?,?,?)", stories)
    batch.clear()
    assignments.clear()
    stories.clear()


def latency(settings, n_articles: int, n_stories: int, n_new: int, days: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        t = time.perf_counter()
        end = fill(path, n_articles, n_stories, days)
        print(f"filled {n_articles:,} articles / {n_stories:,} stories in {time.perf_counter() - t:.0f} s"
              f" ({path.stat().st_size / 1e6:.0f} MB)")
        rng = random.Random(7)
        clusterer = S.clusterer_from_settings(settings)
        per_day = n_articles / days
        window = timedelta(hours=settings.stories.window_hours)
        warm = int(per_day * settings.stories.window_hours / 24)
        story_base = n_stories + 1
        # Warm the active window with the same stream rate (articles of ~5 per story, like the archive).
        for k in range(warm):
            when = end - window + window * k / warm
            a = synthetic(n_articles + k, story_base + k // 5, when, rng)
            a.id = -(k + 1)
            clusterer.learn_one(a)
        print(f"active window: {clusterer.active_stories:,} stories after {warm:,} articles; RSS {rss_mb():.0f} MB")
        store = open_store(f"sqlite:///{path}")
        times = []
        for k in range(n_new):
            when = end + timedelta(seconds=86400 / per_day * k)
            a = synthetic(n_articles + warm + k, story_base + (warm + k) // 5, when, rng)
            store.write_batch([a], [], [])
            t = time.perf_counter()
            got = clusterer.assign_one(a)
            S._write_assignments(store, [(a.id, got.story_id, got.score, "model", json.dumps(got.evidence))])
            S.refresh_stories(store, [got.story_id])
            times.append(time.perf_counter() - t)
        store.close()
        times.sort()
        p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
        print(f"assignment latency over {n_new} new articles: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms,"
              f" max {times[-1] * 1000:.1f} ms; active stories {clusterer.active_stories:,};"
              f" peak RSS {rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--stories", type=int, default=200_000)
    parser.add_argument("--new", type=int, default=2000)
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    if not args.skip_corpus and CORPUS.is_dir():
        corpus_throughput(settings)
    latency(settings, args.articles, args.stories, args.new, args.days)


if __name__ == "__main__":
    main()
