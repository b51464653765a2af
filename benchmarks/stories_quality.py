"""Story clustering quality on the dev labels: warta (streaming) against a batch baseline.

Prints B-cubed and pairwise precision / recall / F1 over the gold articles for

- warta's online clusterer with the packaged defaults, articles fed one by one in publication order;
- a batch baseline: TF-IDF (title + lead) and average-linkage agglomerative clustering on cosine
  distance (scikit-learn), its threshold tuned on the same dev labels (an optimistic baseline);
- robustness: warta's threshold tuned on one half of the dev stories and scored on the other half.

    .venv/bin/python benchmarks/stories_quality.py [--grid]

``--grid`` also prints a small grid over the main hyperparameters, scored on both halves.
"""

from __future__ import annotations

import argparse
import itertools
import time
from typing import Any

import numpy as np
from stories_corpus import CORPUS, publication_order, read_corpus, read_gold

from warta.article import Article
from warta.settings import load_settings
from warta.stories import Scores, StoryClusterer, bcubed, cluster, clusterer_from_settings, pairwise


def stream(articles: list[Article], clusterer: StoryClusterer) -> dict[str, int]:
    stories = cluster(articles, clusterer)
    return {a.url or a.source: stories[a.id or 0] for a in articles}


def halves(gold: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The gold stories split in two halves (alternating by story label), for tune/test."""
    labels = sorted(set(gold.values()))
    first = set(labels[::2])
    return ({u: s for u, s in gold.items() if s in first}, {u: s for u, s in gold.items() if s not in first})


def line(name: str, b: Scores, p: Scores, extra: str = "") -> str:
    return (f"{name:<44} B3 P {b.precision:.3f} R {b.recall:.3f} F1 {b.f1:.3f} | pairwise P {p.precision:.3f}"
            f" R {p.recall:.3f} F1 {p.f1:.3f} {extra}")


def baseline(articles: list[Article], gold: dict[str, str], thresholds: list[float]) -> dict[float, dict[str, int]]:
    """TF-IDF (title + lead) + average-linkage agglomerative clustering, one labelling per threshold."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    texts = [f"{a.title}\n{a.text[:400]}" for a in articles]
    x = TfidfVectorizer(sublinear_tf=True, min_df=1).fit_transform(texts)
    d = cosine_distances(x)
    out = {}
    for t in thresholds:
        model = AgglomerativeClustering(n_clusters=None, distance_threshold=t, metric="precomputed",
                                        linkage="average").fit(d)
        out[t] = {a.url or a.source: int(label) for a, label in zip(articles, model.labels_, strict=True)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true", help="also print a grid over the main hyperparameters")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}")
    articles = list(publication_order(read_corpus()))
    gold = read_gold()
    tune, test = halves(gold)
    print(f"{len(articles)} articles in the corpus; {len(gold)} gold articles in {len(set(gold.values()))} stories"
          f" (halves: {len(tune)} / {len(test)} articles)")
    settings = load_settings()

    started = time.perf_counter()
    pred = stream(articles, clusterer_from_settings(settings))
    elapsed = time.perf_counter() - started
    print(line("warta streaming (defaults)", bcubed(gold, pred), pairwise(gold, pred),
               f"[{len(articles) / elapsed:.0f} articles/s]"))

    thresholds = [round(x, 2) for x in np.arange(0.5, 0.96, 0.05)]
    labelled = baseline(articles, gold, thresholds)
    best = max(thresholds, key=lambda t: bcubed(gold, labelled[t]).f1)
    print(line(f"baseline TF-IDF + average linkage (t={best})", bcubed(gold, labelled[best]),
               pairwise(gold, labelled[best]), "[threshold tuned on all dev]"))

    params = settings.stories.as_dict()
    by_threshold: dict[float, dict[str, int]] = {}
    for t in (0.24, 0.27, 0.3, 0.33, 0.36):
        p = {k: params[k] for k in StoryClusterer().params()}
        by_threshold[t] = stream(articles, StoryClusterer(**{**p, "threshold": t}))
    for name, a, b in (("A", tune, test), ("B", test, tune)):
        t = max(by_threshold, key=lambda x: bcubed(a, by_threshold[x]).f1)
        print(line(f"warta, threshold {t} tuned on half {name}, on other", bcubed(b, by_threshold[t]),
                   pairwise(b, by_threshold[t])))
        bt = max(thresholds, key=lambda x: bcubed(a, labelled[x]).f1)
        print(line(f"baseline, t={bt} tuned on half {name}, on other", bcubed(b, labelled[bt]),
                   pairwise(b, labelled[bt])))

    if args.grid:
        grid: dict[str, list[Any]] = {"threshold": [0.27, 0.3, 0.33], "link_weight": [0.5, 0.7, 0.9],
                                      "window_hours": [36.0, 48.0, 72.0], "lead_chars": [200, 300]}
        for values in itertools.product(*grid.values()):
            p = {k: params[k] for k in StoryClusterer().params()} | dict(zip(grid, values, strict=True))
            pred = stream(articles, StoryClusterer(**p))
            print(dict(zip(grid, values, strict=True)), f"A {bcubed(tune, pred).f1:.3f} B {bcubed(test, pred).f1:.3f}"
                  f" all {bcubed(gold, pred).f1:.3f}", flush=True)


if __name__ == "__main__":
    main()
