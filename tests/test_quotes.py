"""Tests for warta.quotes: cue patterns, invariants, and the Indonesian golden quality gate."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warta.article import Article, Span
from warta.pipeline import Pipeline
from warta.quotes import find_quotes

SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLDEN = Path(__file__).parent / "data" / "quotes_id_golden.json"

#: Minimum figures on the golden file (percent). Raise them when the stage improves; lowering
#: one is a visible change to this line, never a silent one.
GATE = {"precision": 96.0, "recall": 95.0, "f1": 95.5, "speaker": 93.5}


def one(text: str) -> tuple[str, str, str | None, str]:
    (q,) = find_quotes(text)
    return q.label, text[q.start:q.end], q.attrs["speaker"], q.attrs["cue"]


# --- cue patterns -----------------------------------------------------------------------------


@pytest.mark.parametrize("cue", ["kata", "ujar", "tutur", "ungkap", "tegas", "jelas", "imbuh", "tulis"])
def test_direct_quote_with_post_cue(cue: str) -> None:
    text = f'"Kami akan menaikkan tarif tahun depan," {cue} Menteri Keuangan Sri Mulyani di Jakarta.'
    assert one(text) == ("direct", "Kami akan menaikkan tarif tahun depan", "Sri Mulyani", cue)


@pytest.mark.parametrize("cue", ["tambahnya", "lanjutnya", "katanya", "ujarnya", "imbuhnya"])
def test_clitic_cue_refers_to_previous_speaker(cue: str) -> None:
    text = ('"Harga beras sudah turun," kata Kepala Bapanas Arief Prasetyo Adi.\n'
            f'"Stok kami cukup sampai akhir tahun," {cue}.')
    second = find_quotes(text)[1]
    assert second.attrs["speaker"] == "Arief Prasetyo Adi"
    assert second.attrs["cue"] == cue
    assert text[second.start:second.end] == "Stok kami cukup sampai akhir tahun"


def test_curly_and_mixed_quote_marks() -> None:
    text = "“Kami tidak tahu apa yang terjadi di sana saat itu,” kata Budi Santoso.\n" \
           "\"Semua berjalan lancar sampai malam,” ujar Budi."
    quotes = find_quotes(text)
    assert [text[q.start:q.end] for q in quotes] == [
        "Kami tidak tahu apa yang terjadi di sana saat itu", "Semua berjalan lancar sampai malam"]
    assert {q.attrs["speaker"] for q in quotes} == {"Budi Santoso"}


def test_backtick_closing_mark() -> None:
    text = "“Parade itu mungkin tidak bertepatan dengan kunjungan tersebut. ,` tulis Colin Zwirko, koresponden."
    label, content, speaker, cue = one(text)
    assert (label, speaker, cue) == ("direct", "Colin Zwirko", "tulis")
    assert content.startswith("Parade itu") and content.endswith("tersebut.")


def test_quote_spanning_paragraphs() -> None:
    text = ('"Kami akan terus melakukannya. Potensi hubungan kami sangat besar.\n'
            '"Hak kami tidak boleh ditantang oleh siapa pun," kata juru bicara Kremlin Dmitry Peskov.')
    label, content, speaker, cue = one(text)
    assert (label, speaker, cue) == ("direct", "Dmitry Peskov", "kata")
    assert content.startswith("Kami akan") and content.endswith("siapa pun")
    assert "\n" in content


def test_continuation_paragraph_keeps_speaker() -> None:
    text = ('"Ini adalah tetangga kami," kata juru bicara Kremlin Dmitry Peskov kepada wartawan.\n'
            '"Kami akan terus melakukannya ke arah yang lebih tinggi."')
    quotes = find_quotes(text)
    assert [q.attrs["speaker"] for q in quotes] == ["Dmitry Peskov", "Dmitry Peskov"]
    assert quotes[1].attrs["cue"] == ""


@pytest.mark.parametrize("verb", ["mengatakan", "menegaskan", "menjelaskan", "mengungkapkan", "menuturkan"])
def test_reported_with_verb_and_bahwa(verb: str) -> None:
    text = f"Direktur Sejong Institute Cheong Seong Chang {verb} bahwa kerja sama militer akan meningkat."
    assert one(text) == ("reported", "kerja sama militer akan meningkat", "Cheong Seong Chang", verb)


def test_reported_menurut_first_and_last() -> None:
    assert one("Menurut Budi Gunadi Sadikin, vaksin itu aman untuk anak-anak.") == (
        "reported", "vaksin itu aman untuk anak-anak", "Budi Gunadi Sadikin", "Menurut")
    label, content, speaker, cue = one(
        "Harga minyak akan naik pekan depan, menurut analis Bank Mandiri Andry Asmoro.")
    assert (label, content, speaker, cue) == ("reported", "Harga minyak akan naik pekan depan",
                                              "Andry Asmoro", "menurut")


def test_reported_kata_after_content_and_in_the_middle() -> None:
    assert one("Rusia telah menggunakan rudal buatan Korea Utara, kata Kurt Campbell.") == (
        "reported", "Rusia telah menggunakan rudal buatan Korea Utara", "Kurt Campbell", "kata")
    text = "Kurt Campbell tiba di Seoul.\nYang kurang jelas, katanya, adalah apa yang diberikan Rusia."
    label, content, speaker, cue = one(text)
    assert (label, speaker, cue) == ("reported", "Kurt Campbell", "katanya")
    assert content == "Yang kurang jelas, katanya, adalah apa yang diberikan Rusia"


def test_pronoun_and_definite_noun_back_references() -> None:
    text = ("Wakil Menteri Luar Negeri AS Kurt Campbell tiba di Seoul.\n"
            "Ia mengatakan kerja sama kedua negara akan diperdalam.\n"
            "Kementerian Luar Negeri Korea Selatan menerbitkan pernyataan.\n"
            '"Kami akan merespons dengan tegas," kata kementerian itu.')
    quotes = find_quotes(text)
    assert [q.attrs["speaker"] for q in quotes] == ["Kurt Campbell", "Kementerian Luar Negeri Korea Selatan"]
    assert text[quotes[0].attrs["speaker_start"]:quotes[0].attrs["speaker_end"]] == "Ia"
    assert quotes[1].attrs["cue"] == "kata"


def test_surname_resolves_to_full_name() -> None:
    text = ("Direktur Intelijen Nasional AS Avril Haines hadir di Kongres.\n"
            "Rusia dapat memberikan teknologi militer kepada Korea Utara, kata Haines.")
    assert one(text)[2] == "Avril Haines"


def test_unnamed_source_has_no_speaker_name() -> None:
    text = "Seorang pejabat senior di kantor kepresidenan mengatakan Putin akan berkunjung pekan depan."
    label, content, speaker, cue = one(text)
    assert (label, speaker, cue) == ("reported", None, "mengatakan")
    assert content == "Putin akan berkunjung pekan depan"


@pytest.mark.parametrize(("text", "content", "speaker", "cue"), [
    ('"We will keep doing it," Peskov said.', "We will keep doing it", "Peskov", "said"),
    ('"We will keep doing it," said Dmitry Peskov, the Kremlin spokesman.', "We will keep doing it",
     "Dmitry Peskov", "said"),
    ("Senator Bernie Sanders said that the deal was a disaster for workers.",
     "the deal was a disaster for workers", "Bernie Sanders", "said"),
    ("The economy is slowing down, according to Janet Yellen.", "The economy is slowing down",
     "Janet Yellen", "according to"),
    ("Hillary Clinton told reporters that she would not drop out.", "she would not drop out",
     "Hillary Clinton", "told"),
])
def test_english_cues(text: str, content: str, speaker: str, cue: str) -> None:
    _label, got_content, got_speaker, got_cue = one(text)
    assert (got_content, got_speaker, got_cue.lower()) == (content, speaker, cue)


def test_split_quote_around_one_cue_is_one_utterance() -> None:
    text = '"If they do not want to get on that stage," Robinson said, "why would brands align with him?"'
    (q,) = find_quotes(text)
    assert q.attrs["speaker"] == "Robinson"
    assert text[q.start:q.end].startswith("If they") and text[q.start:q.end].endswith("with him?")


def test_two_reports_in_one_sentence() -> None:
    text = "Senator Jon Tester said the race was close, and added that turnout would decide it."
    quotes = find_quotes(text)
    assert [text[q.start:q.end] for q in quotes] == ["the race was close", "turnout would decide it"]
    assert [q.attrs["speaker"] for q in quotes] == ["Jon Tester", "Jon Tester"]


def test_naming_verb_before_quote() -> None:
    text = 'Speaking in Salem, Donald Trump called Jeb Bush "a total stiff with no energy."'
    label, content, speaker, cue = one(text)
    assert (label, content, speaker, cue) == ("direct", "a total stiff with no energy.", "Donald Trump", "called")


def test_colon_introduces_speaker() -> None:
    text = 'Republican pollster Daron Shaw: "Lesser-known candidates have seen the biggest boost."'
    label, _content, speaker, cue = one(text)
    assert (label, speaker, cue) == ("direct", "Daron Shaw", ":")


def test_asked_question_has_no_named_asker() -> None:
    text = "Asked whether the campaign would survive the summer, Mr. Daley said he did not know."
    quotes = find_quotes(text)
    assert text[quotes[0].start:quotes[0].end] == "whether the campaign would survive the summer"
    assert quotes[0].attrs["speaker"] is None and quotes[0].attrs["cue"] == "asked"


def test_according_to_with_apposition() -> None:
    text = "Nobitex lost more than USD 90 million in the attack, menurut laporan firma analitik blockchain, Elliptic."
    label, content, speaker, cue = one(text)
    assert (label, speaker, cue) == ("reported", "Elliptic", "menurut")
    assert content == "Nobitex lost more than USD 90 million in the attack"


def test_indonesian_passive_with_named_agent() -> None:
    text = "Disebutkan Saudi Press Agency dalam laporannya bahwa pemulangan itu merupakan instruksi Raja Salman."
    label, content, speaker, cue = one(text)
    assert (label, speaker, cue) == ("reported", "Saudi Press Agency", "disebutkan")
    assert content == "pemulangan itu merupakan instruksi Raja Salman"


def test_english_he_refers_back() -> None:
    text = "Donald Trump spoke in Ohio.\nHe said the election was rigged against him."
    (q,) = find_quotes(text)
    assert q.attrs["speaker"] == "Donald Trump"
    assert text[q.attrs["speaker_start"]:q.attrs["speaker_end"]] == "He"


def test_no_quotes_in_plain_text_and_scare_quotes() -> None:
    assert find_quotes("Harga cabai naik di pasar Kramat Jati pada Senin pagi.") == []
    assert find_quotes('Pesawat sipil telah "dibersihkan" dari bandara.') == []


def test_entity_layer_is_preferred() -> None:
    text = "“Kami siap,” kata juru bicara Kremlin Peskov."
    start = text.index("Peskov")
    entity = Span(start, start + 6, "PER", layer="entity", attrs={"canonical": "Dmitry Peskov"})
    (q,) = find_quotes(text, [entity])
    assert q.attrs["speaker"] == "Dmitry Peskov"


def test_entity_id_follows_back_references() -> None:
    text = "“Kami siap,” kata Peskov.\n“Kami tidak akan mundur,” tambahnya."
    start = text.index("Peskov")
    entity = Span(start, start + 6, "PER", layer="entity", attrs={"canonical": "Dmitry Peskov", "entity_id": 7})
    first, second = find_quotes(text, [entity])
    assert first.attrs["speaker_entity_id"] == second.attrs["speaker_entity_id"] == 7
    assert second.attrs["speaker"] == "Dmitry Peskov"
    assert (second.attrs["antecedent_start"], second.attrs["antecedent_end"]) == (start, start + 6)


def test_stage_assigns_quote_layer() -> None:
    article = Article(source="x", text='"Kami siap menghadapi semua tantangan," kata Budi Santoso.')
    out = Pipeline(["quotes"])(article)
    (q,) = out.layer("quote")
    assert q.layer == "quote" and q.label == "direct"
    assert out.span_text(q) == "Kami siap menghadapi semua tantangan"
    assert (q.attrs["content_start"], q.attrs["content_end"]) == (q.start, q.end)
    assert out.text[q.attrs["cue_start"]:q.attrs["cue_end"]] == "kata"


# --- invariants -------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(list("aAkK \n\t,.:;!?\"“”„«»`'‘’()-—") + [
    "kata ", "katanya", " mengatakan ", "Budi Santoso ", "menurut ", " said ", "Ia ", "bahwa ", "''",
    "according to ", "Asked whether ", "he ", ", said ", "Mr. ", "dikatakan ", "di mana ", "called "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_never_raises_and_offsets_are_valid(text: str) -> None:
    for q in find_quotes(text):
        assert 0 <= q.start < q.end <= len(text)
        assert q.label in ("direct", "reported")
        a = q.attrs
        if a["speaker_start"] is not None:
            assert 0 <= a["speaker_start"] <= a["speaker_end"] <= len(text)
        assert 0 <= a["cue_start"] <= a["cue_end"] <= len(text)
        if "antecedent_start" in a:
            assert 0 <= a["antecedent_start"] <= a["antecedent_end"] <= len(text)


# --- golden quality gate ------------------------------------------------------------------------


@cache
def _corpus_rows() -> dict[str, str]:
    csv.field_size_limit(10**9)
    rows: dict[str, str] = {}
    for path in sorted((SHARED / "corpora" / "indonews-2025-06").glob("scrapping_news_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                rows.setdefault(row["url"], row["isi_berita"])
    return rows


def _documents() -> list[tuple[str, str, list[dict]]]:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    docs = []
    for doc in golden["documents"]:
        if "seed" in doc:
            path = SHARED / "seeds" / doc["seed"]
            if not path.exists():
                pytest.skip(f"seed {path} not found (../shared absent)")
            docs.append((doc["seed"], path.read_text(encoding="utf-8"), doc["quotes"]))
        else:
            rows = _corpus_rows()
            if doc["url"] not in rows:
                pytest.skip("indonews-2025-06 corpus not found under ../shared/corpora")
            docs.append((doc["url"], rows[doc["url"]], doc["quotes"]))
    return docs


def _speaker_ok(gold: dict, predicted: str | None) -> bool:
    if gold["speaker"] is None:
        return predicted is None
    if predicted is None:
        return False
    names = [gold["speaker"], *gold.get("aliases", [])]
    p = predicted.casefold()
    return any(n.casefold() in p or p in n.casefold() for n in names)


def golden_scores() -> tuple[dict[str, float], list[str]]:
    """Precision, recall, F1 of quote content and speaker accuracy over the golden file."""
    tp = n_gold = n_pred = right = 0
    errors = []
    for name, text, golds in _documents():
        plain = text.replace("\xa0", " ")
        preds = find_quotes(text)
        n_gold += len(golds)
        n_pred += len(preds)
        unused = list(preds)
        for gold in golds:
            start = plain.index(gold["content"])
            end = start + len(gold["content"])
            best, best_cover = None, 0.5
            for p in unused:
                cover = (min(end, p.end) - max(start, p.start)) / (end - start)
                if cover > best_cover:
                    best, best_cover = p, cover
            if best is None:
                errors.append(f"missed {name}: {gold['content']!r}")
                continue
            unused.remove(best)
            tp += 1
            if _speaker_ok(gold, best.attrs["speaker"]):
                right += 1
            else:
                errors.append(f"speaker {name}: {gold['content']!r}: {best.attrs['speaker']!r} "
                              f"instead of {gold['speaker']!r}")
        errors += [f"spurious {name}: {text[p.start:p.end][:80]!r}" for p in unused]
    p = 100 * tp / max(1, n_pred)
    r = 100 * tp / max(1, n_gold)
    f = 2 * p * r / max(1e-9, p + r)
    return {"precision": p, "recall": r, "f1": f, "speaker": 100 * right / max(1, tp)}, errors


@pytest.mark.corpus
def test_golden_quality_gate() -> None:
    scores, errors = golden_scores()
    failed = {k: round(v, 1) for k, v in scores.items() if v < GATE[k]}
    assert not failed, f"below the gate {GATE}: {failed}\n" + "\n".join(errors)


@pytest.mark.corpus
def test_seed_speakers() -> None:
    wanted = {"Dmitry Peskov", "Kurt Campbell", "Cheong Seong Chang", "Colin Zwirko", "Kim Jong Un",
              "Kim Son Gyong", "Avril Haines", "Kementerian Luar Negeri Korea Selatan"}
    found = set()
    for name, text, _golds in _documents()[:2]:
        assert name.endswith(".txt")
        found |= {q.attrs["speaker"] for q in find_quotes(text)}
    assert wanted <= found, f"missing {wanted - found}"
