"""IndoTimex evaluation of warta's temporal expressions, next to Mirza (2015): 92.87 / 85.26.

Usage: python benchmarks/eval_timex.py [--gold DIR] [--include-dct] [--errors]
(the same as ``warta eval timex``; the DCT is excluded unless --include-dct).
"""

from __future__ import annotations

import sys

from warta.cli import cli

if __name__ == "__main__":
    cli(["eval", "timex", *sys.argv[1:]])
