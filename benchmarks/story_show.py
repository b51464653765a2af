"""Latency of the story view (``warta stories show``) with the whole corpus in the store.

Builds a store from all of ../shared/corpora/indonews-2025-06 with ``warta ingest`` (or reuses
``--db``), then for every multi-outlet story of the dev labels (articles found by URL) times:

- baseline: reading the story's articles with their span layers from the store;
- the report: baseline + ``compare.report_from_articles`` + ``compare.render`` to a null console;
- the whole command, ``warta compare IDS`` (and ``warta stories show ID`` once it exists), as a
  subprocess for the five largest stories, against ``warta --version`` measured in the same run.

Prints p50 / p95 / max per measure and the ratio to the baseline measured in the same run; the
target is under 1 s for every story (``--stories N`` limits the number of stories).

    .venv/bin/python benchmarks/story_show.py [--db warta.db] [--stories 30]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from warta import compare
from warta.store import open_store

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "indonews-2025-06"
WARTA = [str(Path(sys.executable).with_name("warta"))]


def build_store(db: Path) -> None:
    csvs = sorted(str(p) for p in CORPUS.glob("scrapping_news_*.csv"))
    start = time.perf_counter()
    subprocess.run([*WARTA, "--db", str(db), "ingest", *csvs, "--map", "indonews", "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([*WARTA, "--db", str(db), "stories", "rebuild", "--quiet"], check=True, stdout=subprocess.DEVNULL)
    print(f"ingested the corpus into {db} and built its stories in {time.perf_counter() - start:.0f} s")


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def summary(name: str, times: list[float], base: float | None = None) -> str:
    p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    line = f"{name:<34} p50 {statistics.median(times) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  " \
           f"max {max(times) * 1000:7.1f} ms"
    if base:
        line += f"  ({statistics.median(times) / base:.1f}x baseline p50)"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="an existing store holding the corpus (default: build one)")
    parser.add_argument("--stories", type=int, default=0, help="at most this many stories (largest first)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    db = args.db
    if db is None:
        db = Path(tempfile.mkdtemp()) / "warta.db"
        build_store(db)
    store = open_store(f"sqlite:///{db}")
    stories = json.loads((CORPUS / "stories.dev.json").read_text(encoding="utf-8"))["stories"]
    stories = sorted((s for s in stories if len(s["outlets"]) >= 2), key=lambda s: -len(s["urls"]))
    stories = stories[: args.stories or None]
    print(f"{store.count_articles()} articles in the store; {len(stories)} multi-outlet dev stories")

    load_times, report_times, sizes, story_ids = [], [], [], []
    for s in stories:
        keys = store.lookup_sources(s["urls"])
        ids = sorted({k.id for k in keys.values()})
        load, articles = timed(lambda ids=ids: [store.get_article(i) for i in ids])
        total, _ = timed(lambda articles=articles: compare.render(
            compare.report_from_articles(articles), Console(file=io.StringIO(), width=120)))
        load_times.append(load)
        report_times.append(load + total)
        sizes.append(len(ids))
        story_ids.append(ids)
    base = statistics.median(load_times)
    print(summary("baseline: read articles + spans", load_times))
    print(summary("read + compare report + render", report_times, base))
    worst = max(range(len(stories)), key=lambda i: report_times[i])
    print(f"slowest: story {stories[worst]['story']} ({sizes[worst]} articles) {report_times[worst]:.2f} s; "
          f"{sum(t < 1 for t in report_times)}/{len(report_times)} stories under 1 s")

    version = [timed(lambda: subprocess.run([*WARTA, "--version"], capture_output=True))[0] for _ in range(3)]
    print(summary("baseline: warta --version", version))
    compare_cmd = [timed(lambda ids=ids: subprocess.run([*WARTA, "--db", str(db), "compare", *map(str, ids)],
                                                        capture_output=True, check=True))[0]
                   for ids in story_ids[:5]]
    print(summary("warta compare IDS (5 largest)", compare_cmd, statistics.median(version)))
    help_text = subprocess.run([*WARTA, "stories", "--help"], capture_output=True, text=True).stdout
    if " show" not in help_text:
        print("`warta stories show` is not available yet: command timings skipped")
        return
    show = [timed(lambda s=s: subprocess.run([*WARTA, "--db", str(db), "stories", "show", s], capture_output=True,
                                             check=True))[0]
            for s in _stored_story_ids(db)]
    print(summary("warta stories show ID (5 largest)", show, statistics.median(version)))


def _stored_story_ids(db: Path) -> list[str]:
    """The five most covered stored stories (run ``warta stories rebuild`` on the store first)."""
    out = subprocess.run([*WARTA, "--db", str(db), "stories", "list", "--json", "--order", "coverage", "--limit", "5"],
                         capture_output=True, text=True, check=True)
    return [str(s["id"]) for s in json.loads(out.stdout)]


if __name__ == "__main__":
    main()
