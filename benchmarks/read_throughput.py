"""Reading speed of ``warta.sources`` on the corpus CSVs, as a ratio against plain ``csv.DictReader``.

Baseline (same run, same files): ``csv.DictReader`` over each file opened as UTF-8 text, building a
dict per row and nothing else. warta: ``iter_records`` (encoding sniffing, per-line decoding, row
resynchronisation checks, column mapping, one raw ``Article`` per row). Also reads a synthetic
200k-row CSV to show the cost per row and the peak memory of streaming a large file.

    .venv/bin/python benchmarks/read_throughput.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import time
from pathlib import Path

from _common import corpus_files, peak_rss_mb

from warta.article import Article
from warta.settings import load_settings
from warta.sources import iter_records


def read_baseline(files: list[Path]) -> int:
    n = 0
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for _row in csv.DictReader(fh):
                n += 1
    return n


def read_warta(files: list[Path], settings) -> int:
    n = 0
    for item in iter_records([str(p) for p in files], settings=settings):
        n += isinstance(item, Article)
    return n


def timed(fn, *args) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn(*args)
    return time.perf_counter() - start, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each reader (the median is reported)")
    args = parser.parse_args()
    settings = load_settings()
    files = corpus_files()
    size = sum(p.stat().st_size for p in files)
    base, ours = [], []
    for _ in range(args.repeat):
        t, n_base = timed(read_baseline, files)
        base.append(t)
        t, n_ours = timed(read_warta, files, settings)
        ours.append(t)
    tb, tw = statistics.median(base), statistics.median(ours)
    print(f"corpus: {len(files)} files, {size / 1e6:.1f} MB, {n_ours} articles ({n_base} rows in the baseline)")
    print(f"  csv.DictReader   {n_base / tb:>10,.0f} rows/s   {tb * 1000:7.1f} ms")
    print(f"  warta.sources    {n_ours / tw:>10,.0f} rows/s   {tw * 1000:7.1f} ms   "
          f"{tw / n_ours * 1e6:.1f} µs/row   ratio to baseline {tw / tb:.2f}x time")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.csv"
        body = "Paragraf berita yang cukup panjang untuk mengisi baris. " * 8
        with path.open("w", encoding="utf-8") as fh:
            fh.write("judul,isi_berita,url\n")
            fh.writelines(f'Judul {i},"{body}",https://x.id/{i}\n' for i in range(200_000))
        rss_before = peak_rss_mb()
        t, n = timed(read_warta, [path], settings)
        print(f"synthetic: {path.stat().st_size / 1e6:.0f} MB, {n:,} rows in {t:.2f} s = {n / t:,.0f} rows/s; "
              f"peak RSS {rss_before:.0f} MB before, {peak_rss_mb():.0f} MB after")


if __name__ == "__main__":
    main()
