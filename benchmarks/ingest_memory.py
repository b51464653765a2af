"""Peak memory over a long synthetic stream: it must stay flat, not grow with the articles seen.

Feeds N synthetic JSONL articles (default 1,000,000; distinct texts, 1 in 20 a near-copy of a recent
one) into ``warta ingest -`` through a pipe and samples the ingest process's RSS every 50,000
articles. Flat means the last checkpoints are within a few percent of each other once the dedup
window (``dedup.window``) has filled. The baseline is the RSS at the first checkpoint.

    .venv/bin/python benchmarks/ingest_memory.py [N]
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("pemerintah rakyat harga naik turun kota desa presiden menteri polisi banjir gempa jalan tol "
         "pasar saham rupiah dolar sekolah rumah sakit pemilu partai hakim sidang korupsi pajak ekspor "
         "impor beras minyak listrik air laut gunung hujan panas kereta pesawat bandara pelabuhan").split()


def article(i: int, rng: random.Random) -> dict:
    words = [rng.choice(WORDS) for _ in range(220)]
    text = " ".join(words[:110]) + f" nomor {i}.\n" + " ".join(words[110:]) + "."
    day = 1 + (i // 40000) % 28
    return {"url": f"https://synthetic.test/{i}", "title": f"Berita sintetis {i}", "text": text,
            "published": f"2025-06-{day:02d}T{(i // 2000) % 24:02d}:{i % 60:02d}:00+07:00",
            "outlet": f"outlet{i % 7}.test"}


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = random.Random(7)
    warta = Path(sys.executable).with_name("warta")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "mem.db"
        command = [str(warta), "--db", str(db), "ingest", "-", "--format", "jsonl", "--quiet", "--json",
                   "--no-enrich", "--no-stories"]
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        checkpoints = []
        recent: list[dict] = []
        start = time.perf_counter()
        for i in range(n):
            if recent and i % 20 == 0:
                copy = dict(rng.choice(recent))
                copy["url"] = f"https://copy.test/{i}"
                copy["text"] = copy["text"].replace("nomor", "no.", 1)
                item = copy
            else:
                item = article(i, rng)
                recent = (recent + [item])[-100:]
            proc.stdin.write(json.dumps(item) + "\n")
            if (i + 1) % 50_000 == 0:
                proc.stdin.flush()
                checkpoints.append({"articles": i + 1, "rss_mb": round(rss_mb(proc.pid), 1),
                                    "elapsed_s": round(time.perf_counter() - start, 1)})
                print(json.dumps(checkpoints[-1]), flush=True)
        proc.stdin.close()
        out = proc.stdout.read()
        proc.wait()
    first, last = checkpoints[0]["rss_mb"], checkpoints[-1]["rss_mb"]
    tail = [c["rss_mb"] for c in checkpoints[len(checkpoints) // 2:]]
    print(json.dumps({
        "articles": n,
        "rss_first_checkpoint_mb": first,
        "rss_last_checkpoint_mb": last,
        "ratio_last_over_first": round(last / first, 3),
        "second_half_growth_ratio": round(max(tail) / min(tail), 3),
        "summary": json.loads(out) if out.strip() else None,
    }, indent=2))


if __name__ == "__main__":
    main()
