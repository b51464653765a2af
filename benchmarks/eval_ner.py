"""Evaluate warta's Indonesian NER: entity-level P/R/F1 on test splits, and throughput on real articles.

    .venv/bin/python benchmarks/eval_ner.py [--model PATH] [--split test|dev] [--articles 2000]
    .venv/bin/python benchmarks/eval_ner.py --teacher artifacts/ner-teacher --articles 200

Scores are conlleval-style (exact span and type) on the types each corpus annotates (NER-UI has no
EVT, so EVT predictions are ignored there). NER-UI fold 1 is evaluation-only (no licence): the model
never sees it. ``--split dev`` scores the dev splits instead (for NER-UI, fold 1's train and dev files
less every sentence of test.01): that is where settings and rules are chosen, so the test figures stay unseen.
Throughput runs the whole ``entities`` stage (CRF + roles + canonical names) over ``isi_berita`` texts
of the indonews corpus, next to a tokenise-only baseline measured in the same run;
articles per CPU-second is printed too, since wall time depends on what else the machine runs. Both
runs follow an untimed warm-up pass (the model caches each word's feature weights).
``--teacher DIR`` scores the transformer teacher (``warta train teacher``) blended with the CRF instead
(``--teacher-weight 1``: the teacher alone); its throughput is its tagging plus the stage's mention
resolution (titles, alias types, repeats), without the resolver.
"""

from __future__ import annotations

import argparse
import time
from itertools import islice
from pathlib import Path

from warta.article import Article
from warta.entities import EntityRecognizer, Mention, resolve_mentions
from warta.ner import CORPORA, NerModel, bio_spans, corpus_split, evaluate, has_split, indonews_texts, score, sentences
from warta.settings import load_settings

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora"
PUBLISHED = {"nerui": ("IndoBERT (IndoLEM, in-domain fine-tuning)", 90.1)}


def articles(limit: int) -> list[str]:
    return list(islice(indonews_texts(SHARED), limit))


def evaluate_stage(model: NerModel, root: Path, corpus: str, split: str = "test") -> dict:
    """Scores after the stage's post-processing (titles split off, alias-table types, repeats)."""
    data = corpus_split(root, corpus, split)
    gold = [bio_spans(tags) for _, tags in data]
    annotated = {x[2] for g in gold for x in g}
    pred = []
    for (words, _), tags in zip(data, model.tag_many([words for words, _ in data]), strict=True):
        starts, pos = [], 0
        for w in words:
            starts.append(pos)
            pos += len(w) + 1
        text = " ".join(words)
        by_start = {c: i for i, c in enumerate(starts)}
        by_end = {c + len(w): i + 1 for i, (c, w) in enumerate(zip(starts, words, strict=True))}
        mentions = [Mention(starts[s], starts[e - 1] + len(words[e - 1]), k) for s, e, k in bio_spans(tags)]
        spans = [(by_start.get(m.start, -1), by_end.get(m.end, -1), m.label) for m in resolve_mentions(text, mentions)]
        pred.append([x for x in spans if x[2] in annotated])
    return score(gold, pred)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="CRF model file (default: the packaged one)")
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--teacher", help="a teacher folder saved by `warta train teacher`: tag with it blended "
                        "with the CRF (instead of the CRF alone)")
    parser.add_argument("--teacher-weight", type=float, default=load_settings().entities.teacher_weight,
                        help="the teacher's weight in the blend; 1 = the teacher alone [default: settings]")
    args = parser.parse_args()
    root = SHARED / "ner-id"
    if args.teacher:
        from warta.teacher import Blend, Teacher

        model = Blend(Teacher.load(args.teacher), NerModel(args.model), args.teacher_weight)
        print(f"model: teacher {args.teacher} blended with the CRF {model.crf.path}, teacher weight {model.weight}")
    else:
        model = NerModel(args.model)
        print(f"model: {model.path}")
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
    if not texts:
        print("throughput: indonews corpus missing")
        return
    chars = sum(map(len, texts))
    t = time.perf_counter()
    n_tokens = sum(len(s) for text in texts for s in sentences(text))
    base = time.perf_counter() - t
    if args.teacher:
        t, cpu = time.perf_counter(), time.process_time()
        tagged = model.spans_many(texts)
        n_entities = sum(len(resolve_mentions(text, [Mention(s, e, k) for s, e, k in spans]))
                         for text, spans in zip(texts, tagged, strict=True))
        took, cpu = time.perf_counter() - t, time.process_time() - cpu
        print(f"throughput: {len(texts)} articles, {n_tokens / len(texts):.0f} tokens and "
              f"{n_entities / len(texts):.1f} entities per article; tagging + mention resolution: "
              f"{len(texts) / took:.1f} articles/s wall, "
              f"{len(texts) / cpu:.1f} per CPU-second; {took / base:.1f}x the tokenise-only time "
              f"({len(texts) / base:.1f} articles/s)")
        return
    list(EntityRecognizer(None).pipe(Article(source="warm-up", text=t, language="id") for t in texts))
    results = {}
    for batch_size in (1, 64):
        stage = EntityRecognizer(None)
        arts = [Article(source=f"bench:{i}", text=text, language="id") for i, text in enumerate(texts)]
        t, cpu = time.perf_counter(), time.process_time()
        n_entities = sum(len(a.spans) for a in stage.pipe(arts, batch_size=batch_size))
        results[batch_size] = (time.perf_counter() - t, time.process_time() - cpu)
    print(f"throughput: {len(texts)} articles, {chars / len(texts):.0f} chars and {n_tokens / len(texts):.0f} "
          f"tokens per article, {n_entities / len(texts):.1f} entities per article, one process")
    for batch_size, (took, cpu) in results.items():
        print(f"  entities stage, pipe(batch_size={batch_size:2}): {len(texts) / took:7.1f} articles/s wall, "
              f"{len(texts) / cpu:7.1f} per CPU-second ({n_tokens / took:,.0f} tokens/s); "
              f"{took / base:.1f}x the tokenise-only time")
    print(f"  tokenise only (baseline): {len(texts) / base:7.1f} articles/s")


if __name__ == "__main__":
    main()
