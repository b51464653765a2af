"""Experiment: a small BiLSTM student of the CRF + teacher blend, and what it would give with the CRF.

    .venv/bin/python benchmarks/ner_student.py --teacher artifacts/ner-teacher [--hidden 64 --layers 1]

Issue 4 asks for NER-UI F1 >= 85 *and* >= 200 articles/s. The blend of the teacher and the CRF
(``teacher.Blend``) has the F1 at 7.5 articles/s; this measures how much of it a model cheap enough for
the fast path keeps. Not part of the product (docs/teacher.md has the figures and why it is not kept).

1. Soft targets: the blend's word-tag probabilities (teacher weight 0.5) on unlabeled sentences, the
   teacher's silver sentences (``teacher.silver_sentences``: the POS corpus less evaluation and train
   sentences) plus the indonews articles' sentences (3 to 120 words, no repeats); cached in ``--cache``
   (about 12 minutes to build on 2 cores). Gold train sentences (``ner.training_sentences``) one-hot.
2. Student: each word's frozen e5 input embedding (the mean of its subwords' vectors, scaled to norm 4)
   and four casing bits, a tanh projection, a BiLSTM, a linear tag layer; soft cross-entropy, Adam,
   batches of 32 sentences of similar length, seeded.
   ``--chars N``: learned N-d embeddings of each word's first and last three letters, as more inputs.
   ``--stack``: the CRF's marginals are inputs of the BiLSTM too (then the gold train sentences are left
   out: the CRF's marginals on them are too sure).
3. Scores: NER-UI dev pool for the student alone and blended with the CRF's marginals at several
   student weights (``Blend`` with the student in the teacher's place; 1 = the student alone); the best
   weight on dev then scored once on every test split. Speed: the student's forward pass (torch, 2
   threads) over 2,000 indonews articles.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import time
from itertools import islice
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_ner import SHARED, evaluate_stage  # noqa: E402

from warta.ner import (  # noqa: E402
    CORPORA,
    NerModel,
    corpus_split,
    evaluate,
    has_split,
    indonews_texts,
    sentences,
    training_sentences,
)

ROOT = SHARED / "ner-id"


def unlabeled(teacher_module) -> list[list[str]]:
    out = teacher_module.silver_sentences(ROOT)
    seen = {tuple(w) for w in out}
    for text in indonews_texts(SHARED):
        for toks in sentences(text):
            words = [t.text for t in toks]
            if 3 <= len(words) <= 120 and tuple(words) not in seen:
                seen.add(tuple(words))
                out.append(words)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teacher", required=True, help="a folder saved by `warta train teacher`")
    parser.add_argument("--cache", default="artifacts/student-targets.pkl", help="soft targets, built if missing")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chars", type=int, default=0,
                        help="learned embeddings of this size for each word's first and last three letters")
    parser.add_argument("--stack", action="store_true",
                        help="give the student the CRF's marginals as inputs too (then it is not blended again)")
    args = parser.parse_args()

    import torch

    from warta import teacher as T

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(2)
    crf = NerModel()
    teacher = T.Teacher.load(args.teacher)
    cache = Path(args.cache)
    if cache.exists():
        data = pickle.loads(cache.read_bytes())
    else:
        started = time.perf_counter()
        words = unlabeled(T)
        blend = T.Blend(teacher, crf, 0.5)
        probs = []
        for start in range(0, len(words), 4000):
            probs.extend(p.astype(np.float16) for p in blend.probabilities(words[start : start + 4000]))
            print(f"targets {start + 4000}/{len(words)}, {time.perf_counter() - started:.0f} s", flush=True)
        data = {"words": words, "probs": probs}
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(data))
    gold = list(training_sentences(ROOT))
    splits = {(c, s): corpus_split(ROOT, c, s) for c in CORPORA for s in ("dev", "test") if has_split(ROOT, c, s)}
    texts = list(islice(indonews_texts(SHARED), 2000))
    bench = [[t.text for t in toks] for text in texts for toks in sentences(text)]

    # Frozen word features: e5's input embeddings, averaged over each word's subwords, plus casing bits.
    vocab: dict[str, int] = {}
    for words in [*data["words"], *(w for w, _ in gold), *(w for s in splits.values() for w, _ in s), *bench]:
        for w in words:
            vocab.setdefault(w, len(vocab))
    names = list(vocab)
    vectors = np.zeros((len(names), 384), np.float32)
    with torch.no_grad():
        for start in range(0, len(names), 4096):
            pieces = [p or [teacher.subwords.unk] for p in teacher.subwords.words(names[start : start + 4096])]
            emb = teacher.encoder.embed(torch.tensor([i for p in pieces for i in p])).numpy()
            ends = np.cumsum([len(p) for p in pieces])
            for k, (end, p) in enumerate(zip(ends, pieces, strict=True)):
                vectors[start + k] = emb[end - len(p) : end].mean(0)
    vectors *= 4 / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-6)
    casing = np.array([[w[:1].isupper(), w.isupper() and len(w) > 1, any(c.isdigit() for c in w),
                        not w[:1].isalnum()] for w in names], np.float32)
    features = torch.from_numpy(np.concatenate([vectors, casing], 1))
    affixes: dict[str, int] = {}
    affix_ids = torch.tensor([[affixes.setdefault("<" + w[:3].lower(), len(affixes)),
                               affixes.setdefault(w[-3:].lower() + ">", len(affixes))] for w in names])

    class Student(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inp = torch.nn.Linear(features.shape[1], args.hidden)
            self.affix = torch.nn.Embedding(len(affixes), args.chars) if args.chars else None
            self.rnn = torch.nn.LSTM(args.hidden + extra + 2 * args.chars, args.hidden, num_layers=args.layers,
                                     batch_first=True, bidirectional=True, dropout=0.1 if args.layers > 1 else 0.0)
            self.out = torch.nn.Linear(2 * args.hidden, len(T.TAGS))

        def forward(self, ids: torch.Tensor, lengths: list[int], marginals: torch.Tensor) -> torch.Tensor:
            x = torch.nn.functional.dropout(torch.tanh(self.inp(features[ids])), 0.1, self.training)
            if extra:
                x = torch.cat([x, marginals], -1)
            if self.affix is not None:
                x = torch.cat([x, self.affix(affix_ids[ids]).flatten(-2)], -1)
            packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            y, _ = torch.nn.utils.rnn.pad_packed_sequence(self.rnn(packed)[0], batch_first=True)
            return self.out(y)

    extra = len(T.TAGS) if args.stack else 0
    columns = [crf.labels.index(t) for t in T.TAGS]

    def crf_inputs(batch: list[list[str]], longest: int) -> torch.Tensor:
        out = torch.zeros((len(batch), longest, extra))
        if extra:
            for r, m in enumerate(crf.marginals(batch)):
                out[r, : len(m)] = torch.from_numpy(m[:, columns].astype(np.float32))
        return out

    model = Student()

    class Tagger:
        """The student as a tagger with ``probabilities`` / ``decode`` (what ``Blend`` asks of a teacher)."""

        decode = teacher.decode

        def probabilities(self, batch):
            model.eval()
            out = []
            with torch.inference_mode():
                for start in range(0, len(batch), 256):
                    part = [w or ["."] for w in batch[start : start + 256]]
                    ids = torch.zeros((len(part), max(map(len, part))), dtype=torch.long)
                    for r, w in enumerate(part):
                        ids[r, : len(w)] = torch.tensor([vocab[x] for x in w])
                    p = torch.softmax(model(ids, [len(w) for w in part], crf_inputs(part, ids.shape[1])), -1).numpy()
                    out.extend(p[r, : len(w)] for r, w in enumerate(batch[start : start + 256]))
            return out

        def tag_many(self, batch):
            return [self.decode(p) for p in self.probabilities(batch)]

    examples = [(words, p.astype(np.float32)) for words, p in zip(data["words"], data["probs"], strict=True)]
    # Stacked, the gold train sentences are left out: the CRF learned them, its marginals there are too sure.
    for words, tags in [] if args.stack else gold:
        onehot = np.zeros((len(words), len(T.TAGS)), np.float32)
        onehot[np.arange(len(words)), [T.TAG_INDEX[t] for t in tags]] = 1
        examples.append((words, onehot))
    examples = [e for e in examples if 0 < len(e[0]) <= 150]
    print(f"{len(examples)} sentences ({len(data['words'])} soft, {len(gold)} gold), vocabulary {len(names)}")
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(args.epochs):
        model.train()
        started, total = time.perf_counter(), 0.0
        order = sorted(range(len(examples)), key=lambda k: len(examples[k][0]) + random.random() * 3)
        batches = [order[i : i + 32] for i in range(0, len(order), 32)]
        random.shuffle(batches)
        for batch in batches:
            longest = max(len(examples[k][0]) for k in batch)
            ids = torch.zeros((len(batch), longest), dtype=torch.long)
            target = torch.zeros((len(batch), longest, len(T.TAGS)))
            mask = torch.zeros((len(batch), longest))
            for r, k in enumerate(batch):
                n = len(examples[k][0])
                ids[r, :n] = torch.tensor([vocab[w] for w in examples[k][0]])
                target[r, :n] = torch.from_numpy(examples[k][1])
                mask[r, :n] = 1
            inputs = crf_inputs([examples[k][0] for k in batch], longest)
            logp = torch.log_softmax(model(ids, [len(examples[k][0]) for k in batch], inputs), -1)
            loss = -(target * logp).sum(-1).mul(mask).sum() / mask.sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(batches):.4f}, {time.perf_counter() - started:.0f} s", flush=True)

    student = Tagger()
    dev = {w: evaluate_stage(T.Blend(student, crf, w), ROOT, "nerui", "dev")["f1"] for w in (0.4, 0.5, 0.6, 0.7, 1.0)}
    print(f"NER-UI dev pool, student + stage: {evaluate_stage(student, ROOT, 'nerui', 'dev')['f1'] * 100:.1f}; "
          "blended with the CRF + stage: " + ", ".join(f"w {w} {f * 100:.1f}" for w, f in dev.items()))
    weight = max(dev, key=dev.get)
    print(f"test splits, student weight {weight} (chosen on dev):")
    for corpus in (c for c in CORPORA if (c, "test") in splits):
        alone = evaluate(student, ROOT, corpus, "test")["f1"]
        staged = evaluate_stage(student, ROOT, corpus, "test")["f1"]
        blended = evaluate_stage(T.Blend(student, crf, weight), ROOT, corpus, "test")["f1"]
        print(f"  {corpus:16} student {alone * 100:5.1f}  + stage {staged * 100:5.1f}  "
              f"blended + stage {blended * 100:5.1f}")
    started = time.perf_counter()
    student.probabilities(bench)
    took = time.perf_counter() - started
    print(f"student forward pass over {len(texts)} indonews articles ({sum(map(len, bench))} tokens): {took:.1f} s "
          f"({len(texts) / took:.0f} articles/s, the student alone)")


if __name__ == "__main__":
    main()
