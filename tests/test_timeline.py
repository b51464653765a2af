"""Timeline: dated happenings in order, with sources; undated articles anchored on their story."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warta.article import Article
from warta.timeline import interval, story_reference, timeline
from warta.timex import extract

WIB = timezone(timedelta(hours=7))


def article(text: str, outlet: str, published: datetime | None, captions=()) -> Article:
    a = Article(source=outlet, outlet=outlet, text=text, published=published, captions=list(captions), language="id")
    a.set_layer("timex", extract(a.text, a.published, "id"))
    return a


def test_entries_are_ordered_and_merged_per_fact():
    t = datetime(2025, 6, 18, 15, tzinfo=WIB)
    a = article("Longsor terjadi pada Rabu (18/6/2025). Tambang itu ditutup pada 2 Juni 2025.", "detik.com", t)
    b = article("Longsor melanda tambang pada Rabu (18/6/2025).", "liputan6.com", t + timedelta(hours=2))
    entries = timeline([a, b], fact_of={(0, 0): 7, (1, 0): 7})
    assert [e["date"] for e in entries] == ["2025-06-02", "2025-06-18"]
    assert entries[1]["sources"] == ["detik.com", "liputan6.com"] and entries[1]["fact"] == 7
    assert not any(e["inferred"] for e in entries)


def test_undated_article_is_anchored_on_the_story_and_marked_inferred():
    dated = article("Putin dijadwalkan tiba di Pyongyang.", "liputan6.com", datetime(2024, 6, 15, 8, tzinfo=WIB))
    undated = article("Peskov berbicara pada hari Kamis. Pertemuan itu digelar 13 September 2023.", "seed", None)
    assert story_reference([dated, undated]) == dated.published
    entries = {e["value"]: e for e in timeline([dated, undated])}
    assert entries["2024-06-13"]["inferred"] is True
    assert entries["2023-09-13"]["inferred"] is False


def test_captions_are_read_and_less_precise_dates_of_a_sentence_dropped():
    t = datetime(2024, 6, 15, 8, tzinfo=WIB)
    a = article("Gempa terjadi pada Rabu (12/6/2024) pukul 15.24 WIB.", "detik.com", t,
                captions=["Kim Jong Un dan Putin di Vostochny pada Rabu, 13 September 2023."])
    entries = timeline([a])
    assert [(e["value"][:16], "caption" in e["evidence"][0]) for e in entries] == [
        ("2023-09-13", True), ("2024-06-12T15:24", False)]


def test_interval_of_values():
    assert interval("2024") == (interval("2024-01")[0], interval("2024-12")[1])
    assert interval("2024-06-14T10:00+07:00") == interval("2024-06-14")
    assert interval("XXXX-WXX-5") is None and interval("P3D") is None and interval("2024-13") is None
