"""Load test of ``warta serve`` with the whole shared corpus in the store (loopback only).

1. Store: ``--db`` (a store already holding the corpus), or one built here with ``warta ingest``
   (the corpus and the seeds; it also adds the span layers and places the articles in stories).
2. Server: ``warta serve`` in its own process on 127.0.0.1 and a free port.
3. Story page latency: every story page (``--stories N`` at most, most covered first) fetched once
   cold (the comparison is computed) and once warm (cached), one request at a time; the baseline is a
   static file fetched as often in the same run. Target: p95 < 100 ms.
4. Load: ``--clients`` concurrent clients (httpx, asyncio) for ``--duration`` seconds over a mix of
   pages (story pages, feed, articles, search, JSON twins); any non-200 answer or transport error
   counts as an error. Target: 50 clients for 60 s without an error.

    .venv/bin/python benchmarks/web_load.py [--db warta.db] [--clients 50] [--duration 60] [--stories 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpora" / "indonews-2025-06"
WARTA = str(Path(sys.executable).with_name("warta"))
SEARCHES = ["presiden", "banjir jakarta", "harga minyak", "timnas", "israel iran", "korupsi", "gempa", "prabowo"]


def run(*args: str) -> None:
    subprocess.run([WARTA, *args], check=True, stdout=subprocess.DEVNULL)


def build_store(db: Path) -> None:
    csvs = sorted(str(p) for p in CORPUS.glob("scrapping_news_*.csv"))
    if not csvs:
        sys.exit(f"shared corpus not found under {CORPUS}")
    start = time.perf_counter()
    run("--db", str(db), "ingest", str(SHARED / "seeds"), *csvs, "--map", "indonews", "--quiet")
    print(f"  ingest, enrich and stories: {time.perf_counter() - start:.0f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    # No report is computed ahead of time, so that the first view of each story is measured cold.
    config = Path(tempfile.mkdtemp(prefix="warta-web-")) / "serve.toml"
    config.write_text("[server]\nwarm_reports = 0\n", encoding="utf-8")
    env = {**os.environ, "WARTA_TOKEN": "", "WARTA_CONFIG": str(config)}
    proc = subprocess.Popen([WARTA, "--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/outlets", timeout=5).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.terminate()
    sys.exit("the server did not start")


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))] * 1000

    return {"p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "max": ordered[-1] * 1000,
            "mean": statistics.fmean(ordered) * 1000}


def line(name: str, times: list[float], base: float | None = None) -> str:
    p = percentiles(times)
    out = (f"{name:<26} n={len(times):<6} p50 {p['p50']:7.1f} ms  p95 {p['p95']:7.1f} ms  p99 {p['p99']:7.1f} ms"
           f"  max {p['max']:7.1f} ms")
    if base:
        out += f"  ({p['p50'] / base:.1f}x baseline p50)"
    return out


def sequential(client: httpx.Client, urls: list[str]) -> tuple[list[float], int]:
    times, errors = [], 0
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        errors += response.status_code != 200
    return times, errors


def story_ids(client: httpx.Client, most: int) -> list[int]:
    ids: list[int] = []
    page = 1
    while len(ids) < most:
        data = client.get("/api/stories", params={"order": "coverage", "page": page, "page_size": 100}).json()
        ids += [s["id"] for s in data["items"]]
        if not data["has_more"]:
            break
        page += 1
    return ids[:most]


def mix(stories: list[int], articles: list[int], rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return f"/stories/{rng.choice(stories)}"
    if roll < 0.55:
        return f"/api/stories/{rng.choice(stories)}"
    if roll < 0.70:
        return f"/?order={rng.choice(['newest', 'coverage'])}&page={rng.randint(1, 5)}"
    if roll < 0.85:
        return f"/articles/{rng.choice(articles)}"
    if roll < 0.95:
        return f"/search?q={rng.choice(SEARCHES)}"
    return "/outlets"


async def load(base: str, clients: int, duration: float, pick: Callable[[random.Random], str]) -> dict:
    times: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    stop = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(n: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(n)
        while time.perf_counter() < stop:
            url = pick(rng)
            kind = url.split("/")[1].split("?")[0] or "feed"
            if url.startswith("/api/"):
                kind = "api " + url.split("/")[2]
            start = time.perf_counter()
            try:
                response = await client.get(url)
                if response.status_code != 200:
                    errors[f"{response.status_code} {kind}"] += 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
            times[kind].append(time.perf_counter() - start)

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await asyncio.gather(*(worker(n, client) for n in range(clients)))
    return {"times": times, "errors": errors, "elapsed": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="a store already holding the corpus (default: build one)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--stories", type=int, default=300, help="story pages timed one by one (most covered first)")
    args = parser.parse_args()
    db = args.db
    if db is None:
        db = Path(tempfile.mkdtemp(prefix="warta-web-")) / "warta.db"
        print(f"building {db} from the whole corpus")
        build_store(db)
    port = free_port()
    server = start_server(db, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            stories = story_ids(client, args.stories)
            stats = client.get("/api/articles", params={"page_size": 100}).json()
            articles = [a["id"] for a in stats["items"]]
            for page in range(2, 6):
                articles += [a["id"] for a in client.get("/api/articles", params={"page_size": 100, "page": page})
                             .json()["items"]]
            print(f"{stats['total']} articles, {len(stories)} story pages timed, server pid {server.pid}")
            urls = [f"/stories/{i}" for i in stories]
            base_times, _ = sequential(client, ["/static/warta.css"] * len(urls))
            cold, cold_errors = sequential(client, urls)
            warm, warm_errors = sequential(client, urls)
            feed, _ = sequential(client, [f"/?page={p}" for p in range(1, 21)] * 5)
        baseline = percentiles(base_times)["p50"]
        print("\n== one request at a time")
        print(line("baseline: static file", base_times))
        print(line("story page, cold", cold, baseline) + f"  errors {cold_errors}")
        print(line("story page, warm", warm, baseline) + f"  errors {warm_errors}")
        print(line("story feed", feed, baseline))
        baseline_s = min(10.0, args.duration)
        static = asyncio.run(load(base, args.clients, baseline_s, lambda rng: "/static/warta.css"))
        static_rate = sum(map(len, static["times"].values())) / static["elapsed"]
        print(f"\n== {args.clients} concurrent clients: baseline, a static file for {baseline_s:.0f} s")
        print(f"throughput {static_rate:.0f} req/s, errors {sum(static['errors'].values())}")
        print(f"\n== {args.clients} concurrent clients for {args.duration:.0f} s over the page mix")
        result = asyncio.run(load(base, args.clients, args.duration, lambda rng: mix(stories, articles, rng)))
        everything = [t for ts in result["times"].values() for t in ts]
        rate = len(everything) / result["elapsed"]
        print(f"requests {len(everything)}, throughput {rate:.0f} req/s ({rate / static_rate:.2f}x the static"
              f" baseline), errors {sum(result['errors'].values())} {dict(result['errors']) or ''}")
        print(line("all", everything))
        for kind, ts in sorted(result["times"].items()):
            print(line(f"  {kind}", ts))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
