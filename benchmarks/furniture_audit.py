"""Cleaning audit on the shared indonews corpus: furniture, dates, glued words, speed.

Cleans every distinct corpus article in batches (as ``warta ingest`` does, so learned furniture is
active), then prints:

* for 50 articles (fixed seed, spread over the six outlets) every removed line, to check by hand
  that no body sentence was lost;
* the publication-time parse rate, with every failure;
* glue repairs: count, and 100 sampled repairs (fixed seed) to check by hand;
* throughput in articles/s, against a baseline measured in the same run (reading the same rows
  and splitting them into normalised lines, the least any cleaner does).

Run: ``.venv/bin/python benchmarks/furniture_audit.py [--corpus DIR] [--sample 50] [--glue 100]``
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from warta.article import Article
from warta.cleaning import _TOKEN, Cleaner, _normalise, is_furniture
from warta.errors import Rejected
from warta.sources import iter_records

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "indonews-2025-06"


def read_corpus(folder: Path) -> list[Article]:
    """One raw article per distinct URL, from warta's own CSV reader."""
    seen: set[str] = set()
    out = []
    for a in iter_records([str(p) for p in sorted(folder.glob("scrapping_news_*.csv"))]):
        if isinstance(a, Article) and a.source not in seen:
            seen.add(a.source)
            out.append(a)
    return out


def fresh(articles: list[Article]) -> list[Article]:
    return [Article(source=a.source, url=a.url, title=a.title, author=a.author, outlet=a.outlet,
                    raw_text=a.raw_text, meta=dict(a.meta)) for a in articles]


def glue_repairs(cleaner: Cleaner, raw: str) -> list[str]:
    """The splits the cleaner's glue fixer makes in a raw text."""
    out = []
    for tok in _TOKEN.findall(raw):
        parts = cleaner.glue.split(tok)
        if parts:
            out.append(f"{tok} -> {' '.join(parts)}")
    return out


def lost_sentences(a: Article) -> list[str]:
    """Sentences of a removed duplicate line that the clean text does not contain.

    Spaces are ignored (glue repairs are no loss), captions count as kept, related-link lists
    are furniture."""
    text = "".join(a.text.split()) + "".join("".join(c.split()) for c in a.captions)
    out = []
    for kind, line in a.meta["cleaning"]["removed"]:
        if kind != "duplicate":
            continue
        for sentence in re.split(r"(?<=[.!?”\"])(?=\S)|(?<=[.!?])\s+", line):
            compact = "".join(sentence.split())
            if re.match(r"baca juga", sentence, re.IGNORECASE) or is_furniture(sentence) or len(compact) <= 20:
                continue  # a glued list of related links
            # The dateline prefix is cut, and link titles may be glued before a sentence: its second
            # half must be there.
            if compact not in text and compact[len(compact) // 2 :] not in text:
                out.append(sentence)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--glue", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found: {args.corpus}")
    raw = read_corpus(args.corpus)
    print(f"{len(raw)} distinct articles")

    base_in = fresh(raw)
    t0 = time.perf_counter()
    baseline_lines = sum(len(_normalise(a.raw_text or "")) for a in base_in)
    baseline = time.perf_counter() - t0

    Cleaner()  # load vocabulary and dictionary outside the timing
    cleaner = Cleaner(keep_removed=True)
    items = fresh(raw)
    t0, c0 = time.perf_counter(), time.process_time()
    results = list(cleaner.pipe(items, batch_size=256))
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"cleaning: {len(raw) / elapsed:,.0f} articles/s wall ({elapsed:.2f} s), {len(raw) / cpu:,.0f} articles/s "
          f"of CPU time; baseline line split: {len(raw) / baseline:,.0f} articles/s ({baseline_lines} lines); "
          f"ratio cleaning/baseline time {elapsed / baseline:.1f}x")

    cleaned = [r for r in results if isinstance(r, Article)]
    rejected = [r for r in results if isinstance(r, Rejected)]
    print(f"cleaned {len(cleaned)}, rejected {len(rejected)}: "
          + ", ".join(f"{k} x{n}" for k, n in Counter(r.code for r in rejected).items()))
    for r in rejected:
        print(f"  {r}")

    with_pub = [a for a in cleaned if a.published is not None]
    print(f"\npublication time parsed: {len(with_pub)}/{len(cleaned)} = {len(with_pub) / len(cleaned):.2%} "
          f"(from an update line only: {sum(a.meta['cleaning']['published_from'] == 'updated' for a in cleaned)})")
    for a in cleaned:
        if a.published is None:
            print(f"  FAILED {a.url} published_raw={a.meta.get('published_raw')!r}")

    kinds: Counter[str] = Counter()
    for a in cleaned:
        kinds.update(k for k, _ in a.meta["cleaning"]["removed"])
    print(f"\nremoved lines over the corpus: {dict(kinds)}")

    learned: Counter[tuple[str, str]] = Counter()
    for a in raw:
        for line in set(_normalise(a.raw_text or "")):
            if cleaner.furniture.predict_one(line, a.outlet):
                learned[(a.outlet or "", line)] += 1
    print(f"\nlines the learned model calls furniture ({len(learned)}; the hand list may also catch them):")
    for (outlet, line), n in learned.most_common():
        print(f"  {n:5} {outlet:16} {line[:100]!r}")

    by_outlet: dict[str, list[Article]] = defaultdict(list)
    for a in cleaned:
        by_outlet[a.outlet or ""].append(a)
    rng = random.Random(args.seed)
    outlets = sorted(by_outlet)
    picks: list[Article] = []
    while len(picks) < args.sample and any(by_outlet.values()):
        for o in outlets:
            if by_outlet[o] and len(picks) < args.sample:
                picks.append(by_outlet[o].pop(rng.randrange(len(by_outlet[o]))))
    print(f"\n=== furniture audit: {len(picks)} articles ===")
    total: Counter[str] = Counter()
    for i, a in enumerate(picks, 1):
        removed = a.meta["cleaning"]["removed"]
        total.update(kind for kind, _ in removed)
        print(f"[{i}] {a.outlet} {a.url}  dateline={a.dateline!r} captions={len(a.captions)}")
        for kind, line in removed:
            print(f"    - {kind:9} {line[:160]!r}")
    print(f"lines removed in the sample: {sum(total.values()) - total['tail']} ({dict(total)}; a tail is "
          "furniture glued to the end of a line, not a line)")
    lost = [(a.url, s) for a in picks for s in lost_sentences(a)]
    print(f"sentences of removed duplicate lines missing from the text: {len(lost)}")
    for url, sentence in lost:
        print(f"  LOST {url}: {sentence[:120]!r}")

    repairs = [(a.url, r) for a in cleaned for r in glue_repairs(cleaner, a.raw_text or "")]
    fixes = sum(a.meta["cleaning"]["glue_fixes"] for a in cleaned)
    print(f"\n=== glue repairs: {fixes} spaces inserted over {len(cleaned)} articles "
          f"(in {sum(a.meta['cleaning']['glue_fixes'] > 0 for a in cleaned)} articles) ===")
    for url, r in sorted(rng.sample(repairs, min(args.glue, len(repairs)))):
        print(f"  {r:50}  {url[-60:]}")


if __name__ == "__main__":
    main()
