"""warta.ner: tokens with offsets, BIO decoding, scoring, corpus reading, and the shipped model's quality gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warta import ner
from warta.errors import ConfigError

NER_ID = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ner-id"

#: Minimum entity-level F1 (percent) of the shipped model on each test split: just under what it
#: measured when trained (see warta/models/ner-id-crf-v3.json). Raise them with a better model;
#: never lower them silently. v3 lowered three: NERP (its products are no longer ORG, so its gold
#: changed; v2 measured 73.0 on it), NERGrit and idner-news-2k. v3 was chosen on the dev splits, where
#: it is better than v2 (mean F1 76.7 vs 75.2); on these test splits it measured 72.6 / 72.5 / 89.4 /
#: 76.9 (v2 73.0 / 73.5 / 90.0 / 76.7).
MIN_F1 = {"nerp": 72.1, "nergrit": 72.0, "idner-news-2k": 88.9, "nerui": 76.4}


@pytest.fixture(scope="module")
def ner_id() -> Path:
    if not NER_ID.is_dir():
        pytest.skip(f"NER corpora not found at {NER_ID} (the shared folder sits beside the repository)")
    return NER_ID


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200))
def test_tokens_and_sentences_point_into_the_text(text: str) -> None:
    for tok in ner.tokenize(text):
        assert text[tok.start : tok.end] == tok.text and tok.text.strip() == tok.text
    for sent in ner.sentences(text):
        assert sent
        for tok in sent:
            assert text[tok.start : tok.end] == tok.text


def test_sentences_split_on_full_stops_and_lines() -> None:
    text = "Putin tiba. Kim menyambut!\nKata \"Peskov\": ya."
    got = [[t.text for t in s] for s in ner.sentences(text)]
    assert got == [["Putin", "tiba", "."], ["Kim", "menyambut", "!"], ["Kata", '"', "Peskov", '"', ":", "ya", "."]]


def test_tokenizer_keeps_hyphenated_names_whole() -> None:
    assert [t.text for t in ner.tokenize("Kim Hong-kyun (AS), Rp10.000")] == [
        "Kim", "Hong-kyun", "(", "AS", ")", ",", "Rp10.000"]


def test_bio_spans_conlleval_rules() -> None:
    assert ner.bio_spans(["B-PER", "I-ORG", "I-ORG", "O", "B-LOC", "B-LOC"]) == [
        (0, 1, "PER"), (1, 3, "ORG"), (4, 5, "LOC"), (5, 6, "LOC")]
    assert ner.bio_spans([]) == []


def test_score_counts_exact_span_and_type() -> None:
    gold = [[(0, 2, "PER"), (3, 4, "LOC")], [(1, 2, "ORG")]]
    pred = [[(0, 2, "PER"), (3, 5, "LOC")], [(1, 2, "ORG"), (4, 5, "PER")]]
    r = ner.score(gold, pred)
    assert (r["precision"], r["recall"]) == (0.5, 2 / 3)
    assert r["types"]["PER"]["f1"] == pytest.approx(2 / 3)
    assert r["types"]["LOC"]["f1"] == 0.0


def test_read_conll_maps_every_corpus_label(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("amos\tB-PPL\nkenda\tI-PPL\nrendang\tB-FNB\n\r\nPT X B-IND\nPBB\tB-ORGANIZATION\n", encoding="utf-8")
    assert ner.read_conll(f) == [(["amos", "kenda", "rendang"], ["B-PER", "I-PER", "O"]),
                                 (["PT", "PBB"], ["B-ORG", "B-ORG"])]
    f.write_text("x\tB-WEIRD\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="B-WEIRD"):
        ner.read_conll(f)


def test_products_of_nerp_are_not_organisations(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("beli\tO\nxiaomi\tB-IND\nredmi\tI-IND\nnote\tI-IND\n5\tI-IND\ndan\tO\nfilm\tO\ndilan\tB-IND\n"
                 "1990\tI-IND\ndari\tO\nyamaha\tB-IND\n\nsemen\tB-IND\npadang\tI-IND\nmenang\tO\n", encoding="utf-8")
    assert [tags for _, tags in ner.read_conll(f)] == [
        ["O", "B-ORG", "O", "O", "O", "O", "O", "O", "O", "O", "B-ORG"], ["B-ORG", "I-ORG", "O"]]


def test_hyphens_are_learned_in_both_tokenisations() -> None:
    assert ner.retokenize_hyphens(["Tim", "Rasiyo-Lucy", "dan", "Hong-kyun"], ["B-ORG", "I-ORG", "O", "B-PER"]) == (
        ["Tim", "Rasiyo", "-", "Lucy", "dan", "Hong", "-", "kyun"],
        ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-PER", "I-PER", "I-PER"])
    assert ner.retokenize_hyphens(["Lee", "Jae", "-", "yong", "tiba"], ["B-PER", "I-PER", "I-PER", "I-PER", "O"]) == (
        ["Lee", "Jae-yong", "tiba"], ["B-PER", "I-PER", "O"])
    assert ner.retokenize_hyphens(["Jakarta", "-", "Bandung"], ["B-LOC", "O", "B-LOC"]) is None


def test_nerui_is_never_a_training_corpus(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="may not be used for training"):
        ner.train(tmp_path, tmp_path / "m.crfsuite", corpora=["nerui"])


def test_features_drop_casing_for_lowercased_sentences() -> None:
    f = ner.Featurizer()
    cased = f(["Presiden", "Jokowi"])[1]
    lowered = f(["presiden", "jokowi"])[1]
    assert "sh=Xx" in cased and not any(x.startswith("sh=") for x in lowered)
    assert "w=jokowi" in cased and "w=jokowi" in lowered
    assert {f"k{n}" for n in ner.CLUSTER_SIZES} <= {x.split("=")[0] for x in lowered}


def test_clusters_command_rebuilds_the_shipped_clusters(ner_id: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from warta.cli import cli

    out = tmp_path / "clusters.tsv"
    result = CliRunner().invoke(cli, ["train", "clusters", "--corpora", str(ner_id.parent), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == (ner.model_dir() / ner.CLUSTER_FILE).read_text(encoding="utf-8")
    clusters = ner.word_clusters()
    assert clusters["dortmund"][-1] == clusters["napoli"][-1]


def test_shipped_model_tags_a_plain_sentence() -> None:
    model = ner.load_model()
    text = "Presiden Joko Widodo meresmikan Bendungan Karian di Kabupaten Lebak, Banten."
    spans = {(text[s:e], k) for s, e, k in model.spans(text)}
    assert ("Joko Widodo", "PER") in spans
    assert any(k == "LOC" and "Banten" in name for name, k in spans)


def test_shipped_model_leaves_products_out() -> None:
    model = ner.load_model()
    text = ("Yang diterimanya adalah Galaxy Tab dari Samsung. Omnia mengusung Windows Mobile di ranah Android. "
            "Pengguna iPhone 7 dan iOS 10 bertambah. Xiaomi Redmi Note 5 dijual di Jakarta.")
    spans = {(text[s:e], k) for s, e, k in model.spans(text)}
    assert {("Samsung", "ORG"), ("Xiaomi", "ORG"), ("Jakarta", "LOC")} <= spans
    for product in ("Galaxy", "Windows", "Android", "iPhone", "iOS", "Redmi"):
        assert not any(product in name for name, _ in spans), (product, spans)


def test_shipped_model_reads_hyphenated_names_either_way() -> None:
    model = ner.load_model()
    text = "Lee Jae-yong dan Song Hye-kyo mendarat di Bandara Soekarno - Hatta, kata Jo - Wilfried Tsonga."
    spans = {(text[s:e], k) for s, e, k in model.spans(text)}
    assert {("Lee Jae-yong", "PER"), ("Song Hye-kyo", "PER"), ("Jo - Wilfried Tsonga", "PER")} <= spans
    assert any(k == "LOC" and name.endswith("Soekarno - Hatta") for name, k in spans)


def test_marginals_match_brute_force_enumeration_and_agree_with_viterbi() -> None:
    import itertools

    import numpy as np

    model = ner.load_model()
    batch = [["Kim", "Jong", "Un"], ["Presiden", "Joko", "Widodo", "tiba", "di", "Moskow", "."], [], ["Hai"]]
    marginals = model.marginals(batch)
    assert [m.shape for m in marginals] == [(len(w), len(model.labels)) for w in batch]
    assert all(np.allclose(m.sum(axis=1), 1.0) for m in marginals)
    # Every label sequence of the 3-word sentence, scored as the CRF scores it.
    em, _ = model._padded(batch[:1])
    n = len(model.labels)
    expected, total = np.zeros((3, n)), 0.0
    for path in itertools.product(range(n), repeat=3):
        weight = np.exp(sum(em[0, i, k] for i, k in enumerate(path))
                        + sum(model._transitions[a, b] for a, b in itertools.pairwise(path)))
        total += weight
        for i, k in enumerate(path):
            expected[i, k] += weight
    assert np.allclose(marginals[0], expected / total)
    # On confident sentences the likeliest label of each word is the Viterbi path's.
    for words, m in zip(batch, marginals, strict=True):
        assert [model.labels[k] for k in m.argmax(axis=1)] == model.tag(words)


@pytest.mark.parametrize("corpus", sorted(MIN_F1))
def test_quality_gate(ner_id: Path, corpus: str) -> None:
    result = ner.evaluate(ner.load_model(), ner_id, corpus)
    assert result["f1"] * 100 >= MIN_F1[corpus], f"{corpus} F1 {result['f1'] * 100:.2f} < {MIN_F1[corpus]}"


def test_train_command_builds_a_model_and_card(ner_sample, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from warta.cli import cli

    root = ner_sample(3000)
    out = tmp_path / "m.crfsuite"
    silver = tmp_path / "silver.conll"
    silver.write_text("# conf=0.99\nZarkovski\tB-PER\ntiba\tO\n\n# conf=0.2\nZarkovski\tB-LOC\n\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["train", "ner", "--corpora", str(root), "--out", str(out), "--iterations", "15",
                                      "--silver", str(silver), "--min-confidence", "0.5"])
    assert result.exit_code == 0, result.output
    card = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert card["silver"] == {"file": "silver.conll", "min_confidence": 0.5, "sentences": 1, "below_confidence": 1}
    assert set(card["train_sentences"]) == {"nerp", "nergrit", "idner-news-2k"}
    assert set(card["test"]) == set(card["dev"]) == set(ner.CORPORA)
    assert card["hyphen_copies"] > 0 and card["word_clusters"]["words"] > 20_000
    assert ner.NerModel(out).tag(["Presiden", "Joko", "Widodo"])


def test_nerui_dev_pool_never_holds_a_test_sentence(ner_id: Path) -> None:
    dev = ner.corpus_split(ner_id, "nerui", "dev")
    test = {tuple(words) for words, _ in ner.corpus_split(ner_id, "nerui", "test")}
    assert len(dev) > 1500 and len({tuple(w) for w, _ in dev}) == len(dev)
    assert not any(tuple(words) in test for words, _ in dev)
