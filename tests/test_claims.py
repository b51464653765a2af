"""Claims: sentence and clause splitting for Indonesian news, amounts, claim attributes."""

from __future__ import annotations

import pytest

from warta.article import Article, Span
from warta.claims import claim_stage, claims, clauses, numbers, sentences


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


@pytest.mark.parametrize("text, expected", [
    ("Inflasi naik 3,5 persen. Harga beras Rp1.691.409 per kuintal.",
     ["Inflasi naik 3,5 persen.", "Harga beras Rp1.691.409 per kuintal."]),
    ("Hal itu disampaikan Prof. Dr. Budi di Jl. Sudirman. Ia hadir.",
     ["Hal itu disampaikan Prof. Dr. Budi di Jl. Sudirman.", "Ia hadir."]),
    ("Presiden B. J. Habibie lahir di Parepare. Ia insinyur.",
     ["Presiden B. J. Habibie lahir di Parepare.", "Ia insinyur."]),
    ('"Kami tidak tahu. Tapi kami prihatin," katanya. Dia pergi.',
     ['"Kami tidak tahu. Tapi kami prihatin," katanya.', "Dia pergi."]),
    ("Apa yang terjadi? Semua diam! Lalu hujan.", ["Apa yang terjadi?", "Semua diam!", "Lalu hujan."]),
    ("Satu baris\nBaris kedua tanpa titik", ["Satu baris", "Baris kedua tanpa titik"]),
    ("Skor akhir 2.1 untuk tim tamu. Versi 3.0 rilis.", ["Skor akhir 2.1 untuk tim tamu.", "Versi 3.0 rilis."]),
])
def test_sentences(text, expected):
    assert split(text) == expected


def test_sentence_offsets_cover_the_text_exactly():
    text = "  Pertama di sini.  Kedua di sana.\n\nKetiga."
    spans = sentences(text)
    assert [text[s:e] for s, e in spans] == ["Pertama di sini.", "Kedua di sana.", "Ketiga."]
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)


def test_clauses_split_at_joints_outside_quotes_only():
    t = ('Pejabat menyebut "datang pekan depan, sementara yang lain menunggu" di Seoul, '
         "namun Vedomosti menyebut bulan depan.")
    parts = [t[s:e] for s, e in clauses(t, 0, len(t))]
    assert parts == ['Pejabat menyebut "datang pekan depan, sementara yang lain menunggu" di Seoul',
                     "Vedomosti menyebut bulan depan."]
    short = "Ia datang, namun pergi lagi."
    assert clauses(short, 0, len(short)) == [(0, len(short))]


@pytest.mark.parametrize("text, expected", [
    ("Sebanyak 8.400 orang jemaah dialihkan.", [(8400.0, "orang")]),
    ("Anggaran mencapai Rp 9,9 triliun.", [(9.9e12, "rp")]),
    ("Tiga dari lima negara turun 13 peringkat.", [(3.0, ""), (5.0, "negara"), (13.0, "peringkat")]),
    ("Gempa magnitudo 4,8 pada kedalaman 10 km.", [(4.8, "magnitudo"), (10.0, "kilometer")]),
    ("Pada 13 Juni 2024 pukul 02.33, Jumat (14/6/2024), sejak tahun 2000.", []),
    ("It rose 3.5 percent to 1,691,409 people.", [(3.5, "%"), (1691409.0, "orang")]),
])
def test_numbers(text, expected):
    english = text.startswith("It")
    assert [(n["value"], n["unit"]) for n in numbers(text, english=english)] == expected


def test_claims_carry_speaker_dates_entities_and_skip_headings():
    text = "Rusia: Hak Kami\nPeskov mengatakan Rusia berhak menjalin hubungan pada hari Kamis."
    a = Article(source="x", text=text)
    start = text.index("Peskov")
    a.add_span(Span(start, start + 6, "PER", layer="entity", attrs={"canonical": "Dmitry Peskov"}))
    q0 = text.index("Rusia berhak")
    a.add_span(Span(q0, len(text) - 1, "reported", layer="quote", attrs={"speaker": "Dmitry Peskov"}))
    d0 = text.index("pada hari Kamis")
    a.add_span(Span(d0, d0 + 15, "DATE", layer="timex", attrs={"value": "2024-06-13", "vague": False}))
    (claim,) = claims(a)
    assert a.span_text(claim).startswith("Peskov")
    assert claim.attrs["entities"] == ["Dmitry Peskov"]
    assert claim.attrs["speaker"] == "Dmitry Peskov" and claim.attrs["quote"] is False
    assert [d["value"] for d in claim.attrs["dates"]] == ["2024-06-13"]
    assert "hubung" in claim.attrs["terms"]


def test_claim_stage_sets_the_layer():
    a = claim_stage(Article(source="x", text="Harga emas turun tajam hari ini. Pembeli ramai datang ke toko."))
    assert [a.span_text(s) for s in a.layer("claim")] == ["Harga emas turun tajam hari ini.",
                                                          "Pembeli ramai datang ke toko."]
