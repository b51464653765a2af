"""Quote extraction on PolNeAR (English), scored as the GenderGapTracker scores its quotes.

Matching follows GenderGapTracker's ``evaluate_quotes.py``: each gold content span takes the
remaining predicted quote that covers the largest share of it, and counts as found when that
share exceeds a threshold (0.3 and 0.8); a found quote has the right speaker when the predicted
speaker mention overlaps the gold source span (or both have no source). Exact match (content
equal after trimming quote marks, punctuation and spaces) is reported too.

Two gold sets: ``all`` is every PolNeAR attribution (including beliefs, plans and
descriptions: "he thinks ...", "polls show ..."); ``speech`` keeps the attributions whose cue
is a verb of saying or writing, "according to", a colon, or whose content holds a quote mark,
which is what warta's quotes (and GenderGapTracker's) mean; there, a predicted quote that
matches one of the other attributions is not counted as a false positive (it is outside the
subset). The published GenderGapTracker
figures (F1 83.7, speaker accuracy 86.0, threshold 0.3) come from its own 98 hand-annotated
Canadian articles, not from PolNeAR.

    .venv/bin/python benchmarks/eval_quotes.py --split dev
    .venv/bin/python benchmarks/eval_quotes.py --split test
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass
from pathlib import Path

from warta.quotes import find_quotes

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "polnear" / "data"
THRESHOLDS = (0.3, 0.8)
SPEECH_CUE = re.compile(
    r"\b(say|says|said|saying|tell|tells|told|telling|according|wr[io]te|writes|writing|add|adds|added|"
    r"adding|ask|asks|asked|note[sd]?|noting|argue[sd]?|arguing|explain(?:s|ed)?|claim(?:s|ed)?|"
    r"state[sd]?|tweet(?:s|ed)?|announce[sd]?|declare[sd]?|insist(?:s|ed)?|warn(?:s|ed)?|"
    r"continue[sd]?|acknowledge[sd]?|repl(?:y|ies|ied)|respond(?:s|ed)?|recall(?:s|ed)?|"
    r"admit(?:s|ted)?|quip(?:s|ped)?|stress(?:es|ed)?|emphasi[sz]e[sd]?|suggest(?:s|ed)?|"
    r"predict(?:s|ed)?|concede[sd]?|complain(?:s|ed)?|remark(?:s|ed)?|report(?:s|ed)?)\b|^:$")
QUOTE_MARKS = "\"“”"


@dataclass
class Gold:
    start: int
    end: int
    source: tuple[int, int] | None
    speech: bool


def parse_ann(path: Path) -> list[Gold]:
    spans: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 3:
            label, _, ranges = parts[1].partition(" ")
            pieces = [(int(a), int(b)) for a, b in (r.split() for r in ranges.split(";"))]
            spans[parts[0]] = (label, pieces, parts[2])
        elif line.startswith("E") and len(parts) >= 2:
            events.append(dict(arg.split(":", 1) for arg in parts[1].split()))
    golds = []
    for ev in events:
        contents = [spans[v] for k, v in ev.items() if k.startswith("Content") and v in spans]
        if not contents:
            continue
        pieces = [p for _, ps, _ in contents for p in ps]
        sources = [p for k, v in ev.items() if k.startswith("Source") and v in spans for p in spans[v][1]]
        cues = " ".join(spans[v][2] for k, v in ev.items() if k.startswith("Cue") and v in spans)
        content_text = " ".join(t for _, _, t in contents)
        speech = bool(SPEECH_CUE.search(cues.lower().strip())) or any(c in content_text for c in QUOTE_MARKS)
        source = (min(s for s, _ in sources), max(e for _, e in sources)) if sources else None
        golds.append(Gold(min(s for s, _ in pieces), max(e for _, e in pieces), source, speech))
    return golds


def coverage(gold: tuple[int, int], pred: tuple[int, int]) -> float:
    inter = min(gold[1], pred[1]) - max(gold[0], pred[0])
    return max(0, inter) / max(1, gold[1] - gold[0])


def trimmed(text: str, start: int, end: int) -> str:
    return text[start:end].strip(" \t\n.,;:!?'\"“”‘’`")


def best_match(text: str, g: Gold, preds: list, threshold: float | None):  # noqa: ANN201 - a Span or None
    """The prediction that covers the largest share of ``g`` above ``threshold`` (None: exact)."""
    best, best_score = None, 0.0
    for p in preds:
        if threshold is None:
            s = 1.0 if trimmed(text, g.start, g.end) == trimmed(text, p.start, p.end) else 0.0
        else:
            s = coverage((g.start, g.end), (p.start, p.end))
        if (s == 1.0 if threshold is None else s > threshold) and s > best_score:
            best, best_score = p, s
    return best


def score(text: str, golds: list[Gold], ignored: list[Gold], preds: list,
          threshold: float | None) -> tuple[int, int, int, int]:
    """(true positives, false negatives, false positives, right speakers) for one article.

    A prediction left over that matches an ``ignored`` gold attribution (outside the subset being
    scored) is neither right nor wrong, so it is not counted as a false positive.
    """
    remaining = list(preds)
    tp = fn = right = 0
    for g in golds:
        best = best_match(text, g, remaining, threshold)
        if best is None:
            fn += 1
            continue
        tp += 1
        remaining.remove(best)
        ps, pe = best.attrs.get("speaker_start"), best.attrs.get("speaker_end")
        mentions = [(ps, pe)] if ps is not None else []
        if "antecedent_start" in best.attrs:
            mentions.append((best.attrs["antecedent_start"], best.attrs["antecedent_end"]))
        if g.source is None:
            right += best.attrs.get("speaker") is None
        elif any(a is not None and min(b, g.source[1]) - max(a, g.source[0]) > 0 for a, b in mentions):
            right += 1
    for g in ignored:
        best = best_match(text, g, remaining, threshold)
        if best is not None:
            remaining.remove(best)
    return tp, fn, len(remaining), right


def articles(split: str) -> list[tuple[str, list[Gold]]]:
    out = []
    anns = sorted((CORPUS / split / "attributions").glob("*.ann"))
    seen = set()
    for ann in anns:
        stem = ann.stem.rsplit("_", 1)[0]
        if stem in seen:  # several annotators: keep the first, deterministically
            continue
        seen.add(stem)
        text_path = CORPUS / split / "text" / f"{stem}.txt"
        if text_path.exists():
            out.append((text_path.read_text(encoding="utf-8"), parse_ann(ann)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    args = parser.parse_args()
    if not CORPUS.exists():
        raise SystemExit(f"PolNeAR not found at {CORPUS}")
    data = articles(args.split)
    started = time.perf_counter()
    predictions = [find_quotes(text) for text, _ in data]
    elapsed = time.perf_counter() - started
    chars = sum(len(t) for t, _ in data)
    print(f"PolNeAR {args.split}: {len(data)} articles, {sum(len(g) for _, g in data)} attributions "
          f"({sum(x.speech for _, g in data for x in g)} speech), {sum(len(p) for p in predictions)} quotes "
          f"predicted in {elapsed:.2f} s ({len(data) / elapsed:.0f} articles/s, {chars / elapsed / 1e6:.2f} MB/s)")
    print(f"{'gold':7} {'match':11} {'P':>6} {'R':>6} {'F1':>6} {'speaker':>8}")
    for subset in ("all", "speech"):
        for threshold in (*THRESHOLDS, None):
            tp = fn = fp = right = 0
            for (text, golds), preds in zip(data, predictions, strict=True):
                chosen = [g for g in golds if subset == "all" or g.speech]
                ignored = [g for g in golds if not (subset == "all" or g.speech)]
                a, b, c, d = score(text, chosen, ignored, preds, threshold)
                tp, fn, fp, right = tp + a, fn + b, fp + c, right + d
            p = tp / max(1, tp + fp)
            r = tp / max(1, tp + fn)
            f = 2 * p * r / max(1e-9, p + r)
            name = "exact" if threshold is None else f"cover>{threshold}"
            print(f"{subset:7} {name:11} {100 * p:6.1f} {100 * r:6.1f} {100 * f:6.1f} {100 * right / max(1, tp):8.1f}")
    print("GenderGapTracker (own 98 Canadian articles, cover>0.3): P 84.6  R 82.7  F1 83.7  speaker 86.0")


if __name__ == "__main__":
    main()
