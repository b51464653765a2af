"""IndoTimex evaluation of warta's temporal expressions, next to the published figures.

Usage: python benchmarks/eval_timex.py [GOLD_DIR] [--include-dct] [--errors]

Scores the 25 gold Kompas documents (TEXT only, DCT excluded unless --include-dct) and prints
recognition P/R/F1 (strict and relaxed), value and type F1, beside Mirza (2015): 92.87 / 85.26.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from warta.timeml import read_timeml, score

GOLD = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "indotimex" / "Kompas_test_gold"
PUBLISHED = {"recognition (relaxed)": 92.87, "normalisation (value)": 85.26}


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    directory = Path(args[0]) if args else GOLD
    if not directory.is_dir():
        print(f"no IndoTimex gold documents at {directory}", file=sys.stderr)
        return 2
    docs = read_timeml(directory)
    started = time.perf_counter()
    scores = score(docs, include_dct="--include-dct" in argv)
    elapsed = time.perf_counter() - started
    dct = "including" if "--include-dct" in argv else "excluding"
    print(f"IndoTimex gold: {scores.documents} documents, {scores.relaxed.gold} TIMEX3 ({dct} the DCT)")
    print(f"{'':24}{'P':>7}{'R':>7}{'F1':>7}   Mirza 2015 F1")
    for name, prf in scores.rows():
        ref = PUBLISHED.get(name)
        print(f"{name:24}{100 * prf.precision:7.2f}{100 * prf.recall:7.2f}{100 * prf.f1:7.2f}"
              f"   {'' if ref is None else f'{ref:.2f}'}")
    print(f"{scores.documents / elapsed:.0f} documents/s")
    if "--errors" in argv:
        print("\n".join(scores.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
