"""Throughput of the quotes stage on Indonesian news (indonews-2025-06, raw ``isi_berita``).

Prints articles per second for ``find_quotes`` and, as a baseline measured in the same run on
the same texts, for one regex word tokenisation pass, with the ratio between them, so the figure
can be compared across machines.

    .venv/bin/python benchmarks/bench_quotes.py [--limit 2000]
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from pathlib import Path

from warta.quotes import find_quotes

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "indonews-2025-06"


def texts(limit: int) -> list[str]:
    csv.field_size_limit(10**9)
    seen: dict[str, str] = {}
    for path in sorted(CORPUS.glob("scrapping_news_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                seen.setdefault(row["url"], row["isi_berita"])
    return list(seen.values())[:limit]


def rate(fn, items: list[str]) -> float:  # noqa: ANN001 - any callable of a text
    started = time.perf_counter()
    for text in items:
        fn(text)
    return len(items) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=2000)
    args = parser.parse_args()
    if not CORPUS.exists():
        raise SystemExit(f"corpus not found at {CORPUS}")
    items = texts(args.limit)
    word = re.compile(r"\w+")
    baseline = rate(word.findall, items)
    quotes = rate(find_quotes, items)
    found = sum(len(find_quotes(t)) for t in items[:200])
    chars = sum(map(len, items)) / len(items)
    print(f"{len(items)} articles, {chars:.0f} characters on average; {found} quotes in the first 200")
    print(f"find_quotes       {quotes:9.0f} articles/s")
    print(f"regex tokenising  {baseline:9.0f} articles/s (baseline)")
    print(f"ratio             {baseline / quotes:9.1f}x slower than the baseline")


if __name__ == "__main__":
    main()
