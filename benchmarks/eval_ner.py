"""Evaluate warta's Indonesian NER: entity-level P/R/F1 on test splits, and throughput on real articles.

    .venv/bin/python benchmarks/eval_ner.py [--model PATH] [--split test|dev] [--articles 2000]
    .venv/bin/python benchmarks/eval_ner.py --model artifacts/ner-teacher --articles 200 --processes 1

Scores are conlleval-style (exact span and type) on the types each corpus annotates (NER-UI has no
EVT, so EVT predictions are ignored there). NER-UI fold 1 is evaluation-only (no licence): the model
never sees it. ``--split dev`` scores the dev splits instead (for NER-UI, fold 1's train and dev files
less every sentence of test.01): that is where settings and rules are chosen, so the test figures stay unseen.
Throughput runs the whole ``entities`` stage (tagging + roles + canonical names) over ``isi_berita``
texts of the indonews corpus, one article at a time, in batches of 64, and in batches spread over
worker processes (``--processes``), next to a tokenise-only baseline measured in the same run;
articles per CPU-second is printed too, since wall time depends on what else the machine runs. The
texts are run twice: the first pass is cold (and includes the workers' start-up), the second shows the
steady state of a long run (the model caches each word's feature weights).
``--model DIR`` scores a transformer teacher (``warta train teacher``) or a student blended with the
CRF instead (``--teacher-weight 1``: it alone).
"""

from __future__ import annotations

import argparse
import time
from itertools import islice
from pathlib import Path

from warta.article import Article
from warta.entities import EntityRecognizer, evaluate_stage
from warta.ner import (
    CORPORA,
    evaluate,
    has_split,
    indonews_texts,
    load_model,
    sentences,
)
from warta.settings import load_settings

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora"
PUBLISHED = {"nerui": ("IndoBERT (IndoLEM, in-domain fine-tuning)", 90.1)}


def articles(limit: int) -> list[str]:
    return list(islice(indonews_texts(SHARED), limit))


def throughput(texts: list[str], model: str, weight: float, processes: list[int]) -> None:
    """The ``entities`` stage (tagging, roles, canonical names) over ``texts`` twice, next to tokenising
    alone: the first pass with cold caches (and the worker processes' start-up), the second in the
    steady state of a long run (each process has cached the feature weights of the words it saw)."""
    chars = sum(map(len, texts))
    t = time.perf_counter()
    n_tokens = sum(len(s) for text in texts for s in sentences(text))
    base = time.perf_counter() - t
    settings = load_settings().with_overrides({"entities": {"model": model, "teacher_weight": weight}})
    print(f"throughput: {len(texts)} articles, {chars / len(texts):.0f} chars and {n_tokens / len(texts):.0f} "
          f"tokens per article; tokenise only (baseline, one process): {len(texts) / base:.1f} articles/s")
    for batch_size, n_process in [(1, 1), *((64, n) for n in processes)]:
        stage = EntityRecognizer(settings)
        arts = [Article(source=f"bench:{i}", text=text, language="id") for i, text in enumerate(texts + texts)]
        marks = [(time.perf_counter(), time.process_time())]
        n_entities = 0
        for k, article in enumerate(stage.pipe(arts, batch_size=batch_size, n_process=n_process)):
            n_entities += len(article.spans) if k >= len(texts) else 0
            if k + 1 in (len(texts), len(arts)):
                marks.append((time.perf_counter(), time.process_time()))
        (t0, c0), (t1, c1), (t2, c2) = marks
        where = "one process" if n_process == 1 else f"{n_process} worker processes"
        per_cpu = f", {len(texts) / (c2 - c1):.1f} per CPU-second" if n_process == 1 else ""
        print(f"  entities stage, pipe(batch_size={batch_size}), {where}: first pass {len(texts) / (t1 - t0):.1f} "
              f"articles/s; second pass {len(texts) / (t2 - t1):.1f} articles/s wall{per_cpu}, "
              f"{(t2 - t1) / base:.1f}x the tokenise-only time; {n_entities / len(texts):.1f} entities per article")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=load_settings().entities.model,
                        help="a CRF model file, or a teacher or student folder, as [entities] model takes "
                        "(ner-id-crf-v3.crfsuite: the packaged CRF alone) [default: settings]")
    parser.add_argument("--teacher-weight", type=float, default=load_settings().entities.teacher_weight,
                        help="a teacher's or student's weight in the blend with the CRF; 1 = it alone, "
                        "0 = the one in its card [default: settings]")
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--processes", default="1,2", help="worker process counts to time the stage with")
    args = parser.parse_args()
    root = SHARED / "ner-id"
    model = load_model(args.model or None, args.teacher_weight)
    print(f"model: {args.model or model.path}" + (f", weight {model.weight} against the CRF {model.crf.path}"
                                                   if hasattr(model, "crf") else ""))
    print(f"{'corpus (' + args.split + ' split)':24} {'sent':>5} {'P':>6} {'R':>6} {'F1':>6}  per type F1")
    for corpus in CORPORA:
        if not has_split(root, corpus, args.split):
            print(f"{corpus:24} missing")
            continue
        r = evaluate(model, root, corpus, args.split)
        types = " ".join(f"{k}={v['f1'] * 100:.1f}" for k, v in r["types"].items())
        prf = " ".join(f"{r[k] * 100:6.1f}" for k in ("precision", "recall", "f1"))
        print(f"{corpus:24} {r['sentences']:5} {prf}  {types}")
        r = evaluate_stage(model, root, corpus, args.split)
        prf = " ".join(f"{r[k] * 100:6.1f}" for k in ("precision", "recall", "f1"))
        print(f"{'  + stage post-processing':24} {'':5} {prf}")
        if corpus in PUBLISHED and args.split == "test":
            name, f1 = PUBLISHED[corpus]
            print(f"{'  published: ' + name:50} F1 {f1:.1f}")
    texts = articles(args.articles)
    if texts:
        throughput(texts, args.model, args.teacher_weight, [int(n) for n in args.processes.split(",")])
    elif args.articles:
        print("throughput: indonews corpus missing")


if __name__ == "__main__":
    main()
