"""Temporal expressions: the issue's phrases, the seeds, re-anchoring, robustness, the IndoTimex gate."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import dateparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warta.article import Article
from warta.pipeline import Pipeline
from warta.timex import anchor, extract

WIB = timezone(timedelta(hours=7))
#: seed 000 was published Saturday 15 June 2024, 08:03 WIB.
REF = datetime(2024, 6, 15, 8, 3, tzinfo=WIB)
SHARED = Path(__file__).resolve().parents[2] / "shared"
INDOTIMEX = SHARED / "corpora" / "indotimex" / "Kompas_test_gold"


def only(text: str, reference: datetime | None = REF, language: str | None = None) -> tuple[str, str, dict]:
    """The single expression found in ``text``: (surface, label, attrs)."""
    spans = extract(text, reference, language)
    assert len(spans) == 1, [(text[s.start:s.end], s.attrs["value"]) for s in spans]
    s = spans[0]
    return text[s.start : s.end], s.label, s.attrs


@pytest.mark.parametrize(
    ("text", "surface", "label", "value"),
    [
        ("kata dia pada hari Jumat.", "hari Jumat", "DATE", "2024-06-14"),
        ("Jumat (14/6/2024)", "Jumat (14/6/2024)", "DATE", "2024-06-14"),
        ("Rabu, 13 September 2023", "Rabu, 13 September 2023", "DATE", "2023-09-13"),
        ("tahun lalu", "tahun lalu", "DATE", "2023"),
        ("bulan Maret", "bulan Maret", "DATE", "2024-03"),
        ("pekan ini", "pekan ini", "DATE", "2024-W24"),
        ("awal pekan depan", "awal pekan depan", "DATE", "2024-W25"),
        ("sejak tahun 2000", "tahun 2000", "DATE", "2000"),
        ("dalam beberapa hari mendatang", "beberapa hari mendatang", "DATE", "FUTURE_REF"),
        ("pada tanggal 2 Januari", "tanggal 2 Januari", "DATE", "2024-01-02"),
        ("Senin (10/6)", "Senin (10/6)", "DATE", "2024-06-10"),
        ("kemarin sore", "kemarin sore", "TIME", "2024-06-14TAF"),
        ("tadi malam", "tadi malam", "TIME", "2024-06-14TNI"),
        ("dua hari lalu", "dua hari lalu", "DATE", "2024-06-13"),
        ("Jumat pekan lalu", "Jumat pekan lalu", "DATE", "2024-06-07"),
        ("minggu depan", "minggu depan", "DATE", "2024-W25"),
        ("lusa", "lusa", "DATE", "2024-06-17"),
        ("awal Juli 2024", "awal Juli 2024", "DATE", "2024-07"),
        ("akhir tahun 2023", "akhir tahun 2023", "DATE", "2023"),
        ("pukul 10.00 WIB", "pukul 10.00 WIB", "TIME", "2024-06-15T10:00+07:00"),
        ("pukul 09.30 WITA", "pukul 09.30 WITA", "TIME", "2024-06-15T09:30+08:00"),
        ("Sabtu (15/6) pukul 10.00 WIB", "Sabtu (15/6) pukul 10.00 WIB", "TIME", "2024-06-15T10:00+07:00"),
        ("selama tiga hari", "tiga hari", "DURATION", "P3D"),
        ("setiap Senin", "setiap Senin", "SET", "XXXX-WXX-1"),
        ("Minggu lalu", "Minggu lalu", "DATE", "2024-W23"),
        ("hari Minggu", "hari Minggu", "DATE", "2024-06-09"),
        ("selama dua puluh lima tahun", "dua puluh lima tahun", "DURATION", "P25Y"),
        ("bertahun-tahun", "bertahun-tahun", "DURATION", "PXY"),
        ("sejak tahun 1990-an", "tahun 1990-an", "DATE", "199"),
        ("Juli lalu", "Juli lalu", "DATE", "2023-07"),
        ("dalam 24 jam", "24 jam", "DURATION", "PT24H"),
        ("seminggu lalu", "seminggu lalu", "DATE", "2024-W23"),
        ("on Friday", "Friday", "DATE", "2024-06-14"),
        ("last year", "last year", "DATE", "2023"),
        ("in March", "March", "DATE", "2024-03"),
        ("this week", "this week", "DATE", "2024-W24"),
        ("next Monday", "next Monday", "DATE", "2024-06-17"),
        ("June 14, 2024", "June 14, 2024", "DATE", "2024-06-14"),
        ("two days ago", "two days ago", "DATE", "2024-06-13"),
        ("in the coming days", "in the coming days", "DATE", "FUTURE_REF"),
        ("at 10:30 pm EST", "10:30 pm EST", "TIME", "2024-06-15T22:30-05:00"),
        ("every Monday", "every Monday", "SET", "XXXX-WXX-1"),
    ],
)
def test_phrases(text: str, surface: str, label: str, value: str) -> None:
    got = only(text)
    assert got[:2] == (surface, label)
    assert got[2]["value"] == value
    assert got[2]["anchored"] is True


def test_attributes_vague_and_mod() -> None:
    assert only("dalam beberapa hari mendatang")[2]["vague"] is True
    assert only("awal pekan depan")[2]["mod"] == "START"
    assert only("akhir tahun 2023")[2]["mod"] == "END"
    assert only("pertengahan 2014")[2]["mod"] == "MID"
    assert only("pekan ini")[2]["anchor"] == REF.isoformat()
    assert only("Rabu, 13 September 2023")[2]["anchor"] is None


def test_weekday_follows_tense() -> None:
    # Published Saturday 15 June 2024: a statement about Friday is the day before; a plan is the next one.
    assert only("Menteri itu berbicara pada hari Senin.")[2]["value"] == "2024-06-10"
    assert only("Putin akan tiba pada hari Senin.")[2]["value"] == "2024-06-17"
    assert only("Senin depan")[2]["value"] == "2024-06-17"
    assert only("Senin lalu")[2]["value"] == "2024-06-10"


def test_month_without_year_takes_the_nearest() -> None:
    late_november = datetime(2013, 11, 28, tzinfo=WIB)
    assert only("target Desember", late_november)[2]["value"] == "2013-12"
    assert only("sejak Juni", late_november)[2]["value"] == "2013-06"


def test_anaphora_and_clocks_take_the_day_mentioned() -> None:
    text = "Pesawat hilang pada Minggu (28/12/2014). Pada hari itu, kontak hilang pukul 07.24 WIB."
    values = [s.attrs["value"] for s in extract(text, datetime(2014, 12, 30, tzinfo=WIB))]
    assert values == ["2014-12-28", "2014-12-28", "2014-12-28T07:24+07:00"]
    text = "Harga turun pada pukul 7:55 WIB, Jumat (5/12/2014)."
    assert extract(text, datetime(2014, 12, 6, tzinfo=WIB))[0].attrs["value"] == "2014-12-05T07:55+07:00"
    # a clause is dated at its end
    text = "Pesawat hilang kontak pukul 07.24 WIB dalam penerbangan ke Singapura, Minggu (28/12/2014)."
    assert extract(text, datetime(2014, 12, 30, tzinfo=WIB))[0].attrs["value"] == "2014-12-28T07:24+07:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make $12 an hour", [("an hour", "SET", "PT1H")]),
        ("Americans of this century", [("this century", "DATE", "20")]),
        ("said the coach, 44 tahun itu", [("44 tahun", "DURATION", "P44Y")]),
        ("pada pukul 3.00 siang", [("pukul 3.00 siang", "TIME", "2024-06-15T15:00")]),
        ("Selasa (11/6) kemarin", [("Selasa (11/6) kemarin", "DATE", "2024-06-11")]),
        ("Rabu subuh hingga Kamis dinihari", [("Rabu subuh", "TIME", "2024-06-12TMO"),
                                              ("Kamis dinihari", "TIME", "2024-06-13TMO")]),
        ("since January 1st", [("January 1st", "DATE", "2024-01-01")]),
        ("the 1999 shooting", [("1999", "DATE", "1999")]),
        ("selama 2 jam 15 menit", [("2 jam 15 menit", "DURATION", "PT2H15M")]),
        ("keesokan harinya", [("keesokan harinya", "DATE", "2024-06-16")]),
        ("Minggu (9/6/2024) siang hari", [("Minggu (9/6/2024) siang hari", "TIME", "2024-06-09TAF")]),
        ("di kemudian hari", [("kemudian hari", "DATE", "FUTURE_REF")]),
    ],
)
def test_more_phrases(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(text[s.start:s.end], s.label, s.attrs["value"]) for s in extract(text, REF)] == expected


@pytest.mark.parametrize("text", ["Rp 2000 per liter", "USA Today", "Breitbart News Daily", "a quarter of them",
                                  "Tahun Baru Islam", "3 derajat 22 menit 46 detik LS", "terlebih dahulu",
                                  "Pasar Minggu", "minggu", "level 60-an dollar", "QZ8501", "kode 1945", "2/3 warga",
                                  "may be"])
def test_not_temporal(text: str) -> None:
    assert [text[s.start:s.end] for s in extract(text, REF) if s.label != "SET"] == []


def seed(seeds_dir: Path, prefix: str) -> str:
    return next(seeds_dir.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def values_of(text: str, reference: datetime | None) -> dict[str, dict]:
    return {text[s.start:s.end]: {"label": s.label, **s.attrs} for s in extract(text, reference)}


def test_seed_000(seeds_dir: Path) -> None:
    found = values_of(seed(seeds_dir, "000"), REF)
    assert found["hari Jumat (14/6/2024)"]["value"] == "2024-06-14"
    assert found["Rabu, 13 September 2023"]["value"] == "2023-09-13"
    assert found["tanggal 2 Januari"]["value"] == "2024-01-02"
    assert found["tahun 2000"]["value"] == "2000"
    assert found["beberapa hari mendatang"]["value"] == "FUTURE_REF"
    assert found["beberapa hari mendatang"]["vague"] is True
    assert found["pekan ini"]["value"] == "2024-W24"
    assert found["15 Jun 2024"]["value"] == "2024-06-15"
    assert found["08:03 WIB"]["value"] == "2024-06-15T08:03+07:00"


def test_seed_004_without_a_date(seeds_dir: Path) -> None:
    text = seed(seeds_dir, "004")
    spans = extract(text, None)
    found = {text[s.start:s.end]: s.attrs for s in spans}
    assert found["bulan Maret"]["anchored"] is False
    assert found["bulan Maret"]["value"] == "XXXX-03"
    assert found["hari Jumat"]["anchored"] is False
    # the story layer re-anchors it on the story's time
    again = {text[s.start:s.end]: s.attrs for s in anchor(spans, REF)}
    assert again["bulan Maret"]["value"] == "2024-03"
    assert again["hari Jumat"]["value"] == "2024-06-14"
    assert all(a["anchored"] for a in again.values())


def test_anchor_is_idempotent_and_keeps_absolute_values() -> None:
    text = "Rabu, 13 September 2023 dan dua hari lalu serta tiga tahun."
    spans = extract(text, REF)
    assert [s.attrs for s in anchor(spans, REF)] == [s.attrs for s in spans]
    moved = anchor(spans, datetime(2025, 1, 1, tzinfo=WIB))
    assert [s.attrs["value"] for s in moved] == ["2023-09-13", "2024-12-30", "P3Y"]


def test_stage_adds_the_timex_layer() -> None:
    article = Article(source="x", text="Putin tiba pada hari Jumat (14/6/2024).", published=REF)
    out = Pipeline(["timex"])(article)
    assert [(out.span_text(s), s.attrs["value"]) for s in out.layer("timex")] == [
        ("hari Jumat (14/6/2024)", "2024-06-14")]
    out = Pipeline(["timex"])(out)  # re-runnable: the layer is replaced, not doubled
    assert len(out.layer("timex")) == 1


MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember"]


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=datetime(1950, 1, 1).date(), max_value=datetime(2049, 12, 31).date()))
def test_calendar_dates_agree_with_dateparser(day) -> None:
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    parsed = dateparser.parse(text, languages=["id"], settings={"DATE_ORDER": "DMY"})
    assert parsed is not None
    assert only(text)[2]["value"] == parsed.date().isoformat()


ALPHABET = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzAJMS0123456789 ,.()/-:'\n") + ["ſ", "K", "İ", "’"])
WORDS = st.sampled_from(["Jumat", "hari", "lalu", "pekan", "depan", "pukul", "10.00", "WIB", "(14/6/2024)",
                         "setiap", "tahun", "2014", "akhir", "awal", "Juli", "dua", "se", "jam", "ini", "itu",
                         "beberapa", "Minggu", "kemarin", "malam", "the", "last", "May", "-an", "per"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(ALPHABET, max_size=6)), max_size=20).map(" ".join),
       st.sampled_from([None, REF]))
def test_never_raises_and_offsets_are_valid(text: str, reference: datetime | None) -> None:
    spans = extract(text, reference)
    previous_end = 0
    for s in spans:
        assert previous_end <= s.start < s.end <= len(text)
        assert text[s.start:s.end] == text[s.start:s.end].strip()
        assert s.label in ("DATE", "TIME", "DURATION", "SET")
        assert isinstance(s.attrs["value"], str) and s.attrs["value"]
        previous_end = s.end
    anchor(spans, REF)


def test_indotimex_quality_gate() -> None:
    """Pinned just below the measured figures (``warta eval timex``); raise them, never lower them."""
    if not INDOTIMEX.is_dir():
        pytest.skip(f"IndoTimex gold documents not found at {INDOTIMEX}")
    from warta.timeml import read_timeml, score

    scores = score(read_timeml(INDOTIMEX))
    assert scores.relaxed.gold == 193
    assert scores.strict.f1 >= 0.90
    assert scores.relaxed.f1 >= 0.96
    assert scores.value.f1 >= 0.85
