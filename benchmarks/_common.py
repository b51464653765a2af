"""Helpers shared by the benchmarks: where the shared data is, peak memory, a stopwatch."""

from __future__ import annotations

import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpora" / "indonews-2025-06"


def corpus_files() -> list[Path]:
    files = sorted(CORPUS.glob("scrapping_news_*.csv"))
    if not files:
        sys.exit(f"shared corpus not found under {CORPUS}")
    return files


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def stopwatch(result: dict, key: str):
    start = time.perf_counter()
    yield
    result[key] = time.perf_counter() - start
