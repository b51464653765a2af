"""Whole-corpus ingest throughput, as a ratio against plain trafilatura + datasketch on the same text.

Baseline (measured in the same run): for every corpus row, trafilatura extracts the text from a
minimal HTML page holding it, then datasketch builds a 128-permutation MinHash of word 5-shingles
and queries/inserts it in a MinHashLSH (threshold 0.5): the least a deduplicating ingest does.
warta: ``Ingestor.run`` on the seeds and the three corpus CSVs into a fresh SQLite file (cleaning,
language ID, fingerprints, dedup, FTS index, atomic batches).

    .venv/bin/python benchmarks/ingest_speed.py
"""

from __future__ import annotations

import csv
import html
import json
import resource
import tempfile
import time
from pathlib import Path

from _common import SEEDS, corpus_files, peak_rss_mb

from warta.ingest import Ingestor
from warta.settings import load_settings
from warta.store import open_store


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the ingest's worker processes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def baseline(texts: list[str]) -> tuple[float, float]:
    import trafilatura
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    start, cpu = time.perf_counter(), cpu_seconds()
    for i, text in enumerate(texts):
        page = "<html><body><article>" + "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n")) + \
            "</article></body></html>"
        body = trafilatura.extract(page) or ""
        words = body.lower().split()
        m = MinHash(num_perm=128)
        m.update_batch(" ".join(words[j:j + 5]).encode() for j in range(max(1, len(words) - 4)))
        lsh.query(m)
        lsh.insert(str(i), m)
    return len(texts) / (time.perf_counter() - start), len(texts) / (cpu_seconds() - cpu)


def main() -> None:
    files = corpus_files()
    texts = []
    csv.field_size_limit(1 << 30)
    for f in files:
        with open(f, encoding="utf-8-sig", newline="") as fh:
            texts += [row["isi_berita"] for row in csv.DictReader(fh)]
    base_rate, base_cpu_rate = baseline(texts)
    settings = load_settings()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}", settings=settings)
        cpu = cpu_seconds()
        summary = Ingestor(store, settings).run([str(SEEDS), *map(str, files)])
        warta_cpu_rate = summary.read / (cpu_seconds() - cpu)
        stats = store.stats()
        store.close()
    warta_rate = summary.rate
    print(json.dumps({
        "rows": len(texts) + 2,
        "baseline_trafilatura_datasketch_per_s": round(base_rate, 1),
        "warta_ingest_per_s": round(warta_rate, 1),
        "ratio_warta_over_baseline": round(warta_rate / base_rate, 2),
        "baseline_per_cpu_s": round(base_cpu_rate, 1),
        "warta_per_cpu_s": round(warta_cpu_rate, 1),
        "summary": summary.to_dict(),
        "stored_articles": stats["articles"],
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }, indent=2))


if __name__ == "__main__":
    main()
