"""Throughput of the timex stage on real articles, against dateparser's search_dates in the same run.

Usage: python benchmarks/timex_speed.py [N]   (N corpus articles, default 2000)

Prints articles/s and expressions/article for warta.timex.extract, and the same for
dateparser.search.search_dates (languages=['id'], DMY) on a sample, with the speed ratio.
"""

from __future__ import annotations

import csv
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dateparser.search import search_dates

from warta.timex import extract

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "indonews-2025-06"
REFERENCE = datetime(2025, 6, 19, 12, 0, tzinfo=timezone(timedelta(hours=7)))


def texts(limit: int) -> list[str]:
    out: list[str] = []
    csv.field_size_limit(50_000_000)
    for path in sorted(CORPUS.glob("scrapping_news_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            out.extend(row["isi_berita"] for row in csv.DictReader(f) if row.get("isi_berita"))
        if len(out) >= limit:
            break
    return out[:limit]


def rate(fn, items: list[str]) -> tuple[float, float]:
    started = time.perf_counter()
    found = sum(len(fn(t) or ()) for t in items)
    return len(items) / (time.perf_counter() - started), found / len(items)


def main(limit: int) -> None:
    items = texts(limit)
    if not items:
        sys.exit(f"corpus not found under {CORPUS}")
    chars = sum(map(len, items)) / len(items)
    ours, per_article = rate(lambda t: extract(t, REFERENCE, "id"), items)
    sample = items[: max(1, len(items) // 40)]
    settings = {"DATE_ORDER": "DMY", "RELATIVE_BASE": REFERENCE.replace(tzinfo=None)}
    base, base_per_article = rate(lambda t: search_dates(t, languages=["id"], settings=settings), sample)
    print(f"{len(items)} articles, {chars:.0f} characters on average")
    print(f"warta.timex.extract          {ours:8.0f} articles/s  {per_article:5.1f} expressions/article")
    print(f"dateparser search_dates (n={len(sample)}) {base:8.1f} articles/s  {base_per_article:5.1f} dates/article")
    print(f"speed ratio                  {ours / base:8.0f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
