"""Fact status quality on the hand-labelled corpus stories (tests/data/compare_golden.json).

Reads the labelled stories' articles from ../shared/corpora/indonews-2025-06 by URL, runs the
stages the store would hold (cleaning, timex, quotes), compares each story and prints precision
and recall of each status (corroborated / single-source / conflicting), the confusion between
them, and the facts it got wrong (``-v``: all of them); then the same figures for a baseline run
in the same process: stemmed-term TF-IDF cosine alone, mutual best matches only.

    .venv/bin/python benchmarks/compare_golden.py [-v]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from warta import compare
from warta.article import Article
from warta.pipeline import Pipeline
from warta.settings import load_settings
from warta.sources import iter_records, parse_mapping

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "indonews-2025-06"


def main() -> None:
    verbose = "-v" in sys.argv[1:]
    gold = json.loads((ROOT / "tests" / "data" / "compare_golden.json").read_text(encoding="utf-8"))["stories"]
    wanted = {u for s in gold for u in s["urls"]}
    pipeline = Pipeline(["cleaning", "entities", "quotes", "timex"], given=["language"])
    found: dict[str, Article] = {}
    for raw in iter_records(sorted(str(p) for p in CORPUS.glob("scrapping_news_*.csv")),
                            mapping=parse_mapping("indonews")):
        if isinstance(raw, Article) and raw.url in wanted and raw.url not in found:
            raw.language = "id"
            found[raw.url] = pipeline(raw)
    settings = load_settings()
    baseline = settings.with_overrides({"compare": {
        "weight_terms": 1.0, "weight_chars": 0.0, "weight_numbers": 0.0, "align_strong": 1.0, "align_adjacent": 1.0}})
    for name, config in (("warta", settings), ("baseline (stemmed-term cosine, mutual best)", baseline)):
        evaluate(name, gold, found, config, verbose and config is settings)


def evaluate(name: str, gold: list[dict], found: dict[str, Article], settings, verbose: bool) -> None:
    pairs, seconds = [], []
    for story in gold:
        articles = [found[u] for u in story["urls"]]
        for i, a in enumerate(articles):
            a.id = i
        start = time.perf_counter()
        report = compare.report_from_articles(articles, settings)
        seconds.append(time.perf_counter() - start)
        judged = compare.judge(report, story["facts"], list(range(len(articles))))
        pairs += judged
        for fact, (want, got) in zip(story["facts"], judged, strict=True):
            if verbose or (want != got and name == "warta"):
                print(f"{story['story']:>6}  {want:>13} -> {got:<13} {fact['fact']}")
    print(f"\n{name}: {len(gold)} stories, {len(pairs)} labelled facts; report "
          f"{sum(seconds) / len(seconds) * 1000:.0f} ms per story on average")
    for status, s in compare.status_scores(pairs).items():
        print(f"{status:>13}: precision {s['precision']:.2f}  recall {s['recall']:.2f}  (gold {s['support']})")
    print("confusion (gold -> predicted):", dict(sorted(Counter(pairs).items())))


if __name__ == "__main__":
    main()
