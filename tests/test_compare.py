"""Compare: facts and their status, the quote ledger and the timeline on the two seed articles."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from warta import compare, stories
from warta.article import Article, Span
from warta.pipeline import Pipeline
from warta.settings import load_settings
from warta.sources import iter_records, parse_mapping
from warta.store import open_store

WIB = timezone(timedelta(hours=7))
#: Seed 004 names no outlet: it is known by its file name.
SEED_004 = "004_eca5b899001dafce.txt"


def seed_articles(seeds_dir) -> list[Article]:
    """The two seeds through the real stages (cleaning, entities, quotes, timex); seed 004 has no date."""
    pipeline = Pipeline(["cleaning", "entities", "quotes", "timex"], given=["language"])
    raws = list(iter_records([str(p) for p in sorted(seeds_dir.glob("*.txt"))]))
    for raw in raws:
        raw.language = "id"
    articles = [pipeline(raw) for raw in raws]
    for article, number in zip(articles, (0, 4), strict=True):
        article.id = number
    return articles


@pytest.fixture(scope="module")
def report(seeds_dir):
    return compare.report_from_articles(seed_articles(seeds_dir))


def fact_with(report, phrase: str) -> dict:
    found = [f for f in report["facts"] if any(phrase in e["text"] for e in f["evidence"])]
    assert len(found) == 1, f"{phrase!r} in {len(found)} facts"
    return found[0]


@pytest.mark.parametrize("phrase_000, phrase_004", [
    ("kerja sama yang erat atas provokasi", "kerja sama yang erat terhadap provokasi"),
    ("Para pejabat di kantor", "pejabat senior di kantor kepresidenan Seoul"),
    ("Vedomosti, menyebutkan", "Vedomosti pada hari Senin"),
    ("negara sahabat", "hak Rusia untuk mengembangkan hubungan"),
    ("citra satelit komersial", "Pesawat sipil telah dibersihkan"),
])
def test_facts_both_seeds_report_are_corroborated(report, phrase_000, phrase_004):
    fact = fact_with(report, phrase_000)
    assert fact is fact_with(report, phrase_004)
    assert fact["status"] == "corroborated"
    assert sorted(s["outlet"] for s in fact["sources"]) == sorted(["liputan6.com", SEED_004])


@pytest.mark.parametrize("phrase, outlet", [
    ("Hwasong-11", "liputan6.com"),
    ("Cheong Seong Chang", "liputan6.com"),
    ("Avril Haines", SEED_004),
    ("Kim Son Gyong", SEED_004),
    ("Stimson Center", SEED_004),
    ("Sergei Shoigu", SEED_004),
])
def test_single_source_facts_name_their_outlet(report, phrase, outlet):
    fact = fact_with(report, phrase)
    assert fact["status"] == "single-source"
    assert [s["outlet"] for s in fact["sources"]] == [outlet]


def test_evidence_offsets_point_into_the_article_text(seeds_dir, report):
    texts = {a.id: a.text for a in seed_articles(seeds_dir)}
    for fact in report["facts"]:
        for e in fact["evidence"]:
            assert texts[e["article_id"]][e["start"]:e["end"]] == e["text"]


def test_quote_ledger_shows_the_wording_difference(report):
    ledger = [q for q in report["quotes"] if "Sambil terus memantau" in q["text"]]
    assert len(ledger) == 1
    entry = ledger[0]
    assert entry["outlets"] == sorted(["liputan6.com", SEED_004])
    assert "Kementerian Luar Negeri Korea Selatan" in entry["speaker"]
    first, second = entry["versions"]
    assert first["outlet"] == "liputan6.com" and first["wording"] == "verbatim"
    assert second["wording"] == "paraphrased"
    assert second["diff"] == [{"op": "replace", "a": "atas", "b": "terhadap"}]


def test_timeline_orders_dated_happenings_and_marks_inferred_dates(report):
    timeline = report["timeline"]
    dates = [e["date"] for e in timeline]
    assert dates == sorted(dates)
    by_value = {}
    for e in timeline:
        by_value.setdefault(e["value"], []).append(e)
    assert any("Kim Jong Il" in e["text"] for e in by_value["2000"])
    assert any("Vostochny" in e["text"] for e in by_value["2023-09-13"])
    assert any("Kharkiv" in e["text"] for e in by_value["2024-01-02"])
    assert [e["inferred"] for e in by_value["2024-03"] if "Haines" in e["text"]] == [True]
    statements = {v: es for v, es in by_value.items() if v in ("2024-06-12", "2024-06-13", "2024-06-14")}
    assert set(statements) == {"2024-06-12", "2024-06-13", "2024-06-14"}
    assert any("Peskov" in e["text"] and e["inferred"] for e in statements["2024-06-13"])
    assert any(not e["inferred"] and e["sources"] == ["liputan6.com"] for e in statements["2024-06-14"])


def test_summary_sentences_all_carry_their_outlets(report):
    summary = report["summary"]
    assert 3 <= len(summary) <= 7
    facts = {f["id"]: f for f in report["facts"]}
    for s in summary:
        assert s["sources"] and s["sources"] == sorted(x["outlet"] for x in facts[s["fact"]]["sources"])
    assert sum(len(s["sources"]) >= 2 for s in summary) >= 3


def test_report_is_json_and_renders(report):
    assert json.loads(json.dumps(report)) == report
    out = io.StringIO()
    compare.render(report, Console(file=out, width=140, color_system=None))
    text = out.getvalue()
    assert "corroborated" in text and "atas" in text and "terhadap" in text and "inferred" in text


def story(*texts: str, outlets=("detik.com", "kompas.com"), hours=(0, 1)) -> list[Article]:
    t0 = datetime(2025, 6, 18, 9, tzinfo=WIB)
    return [Article(source=f"s{i}", id=i + 1, outlet=o, text=t, language="id", published=t0 + timedelta(hours=h))
            for i, (t, o, h) in enumerate(zip(texts, outlets, hours, strict=True))]


def test_conflicting_numbers_are_shown_side_by_side():
    articles = story("Kebakaran gudang di Bekasi menewaskan tiga orang pada Rabu pagi.",
                     "Lima orang tewas dalam kebakaran sebuah gudang di Bekasi, Rabu pagi.")
    (fact,) = compare.report_from_articles(articles)["facts"]
    assert fact["status"] == "conflicting"
    (conflict,) = fact["conflicts"]
    assert conflict["kind"] == "number" and conflict["unit"] == "orang"
    assert [(v["value"], v["outlet"]) for v in conflict["values"]] == [([3.0], "detik.com"), ([5.0], "kompas.com")]


def test_dates_conflict_or_differ_in_precision():
    def with_dates(articles, values):
        for a, (phrase, value) in zip(articles, values, strict=True):
            start = a.text.index(phrase)
            a.set_layer("timex", [Span(start, start + len(phrase), "DATE", layer="timex",
                                       attrs={"value": value, "vague": False, "anchored": True})])
        return compare.report_from_articles(articles)["facts"]

    texts = ("Juru bicara Kremlin menegaskan hak Rusia menjalin hubungan dengan Korea Utara pekan ini.",
             "Juru bicara Kremlin menegaskan hak Rusia menjalin hubungan dengan Korea Utara pada hari Kamis.")
    (fact,) = with_dates(story(*texts), [("pekan ini", "2024-W24"), ("pada hari Kamis", "2024-06-13")])
    assert fact["status"] == "corroborated"
    assert [[v["text"] for v in p["values"]] for p in fact["precision"]] == [["pekan ini", "pada hari Kamis"]]
    (fact,) = with_dates(story(*texts), [("pekan ini", "2024-W22"), ("pada hari Kamis", "2024-06-13")])
    assert fact["status"] == "conflicting" and fact["conflicts"][0]["kind"] == "date"


def test_syndicated_copies_count_once_under_the_first_publisher():
    text = "Harga emas Antam turun Rp10.000 menjadi Rp1.901.000 per gram pada perdagangan Kamis pagi ini."
    articles = story("JAKARTA - " + text, text, outlets=("okezone.com", "sindonews.com"), hours=(1, 0))
    report = compare.report_from_articles(articles)
    assert [a["copy_of"] for a in report["articles"]] == [2, None]
    (fact,) = report["facts"]
    assert fact["status"] == "single-source"
    (source,) = fact["sources"]
    assert source["outlet"] == "sindonews.com"
    assert [c["outlet"] for c in source["copies"]] == ["okezone.com"]


def test_duplicate_link_counts_once():
    articles = story("Pemerintah menolak bea masuk antidumping benang filamen asal China.",
                     "Pemerintah resmi menolak usulan bea masuk antidumping untuk benang filamen dari China.")
    articles[1].duplicate_of = articles[0].id
    (fact,) = compare.report_from_articles(articles)["facts"]
    assert fact["status"] == "single-source" and fact["sources"][0]["outlet"] == "detik.com"


def test_empty_story_gives_an_empty_report():
    report = compare.report_from_articles([])
    assert report == {"articles": [], "facts": [], "quotes": [], "timeline": [], "summary": []}


# ---------------------------------------------------------------------------------------------
# Hand-labelled facts of 10 multi-outlet corpus stories (labels only; texts read from the corpus)

GOLDEN = Path(__file__).parent / "data" / "compare_golden.json"
#: Quality gate (precision, recall) a little under the figures measured on the golden stories
#: (0.93/0.83, 0.93/0.95, 1.00/0.90): lower it only with a reason in the commit.
GATE = {"corroborated": (0.88, 0.8), "single-source": (0.88, 0.9), "conflicting": (0.9, 0.85)}


@pytest.fixture(scope="module")
def golden_stories(corpus_csvs):
    gold = json.loads(GOLDEN.read_text(encoding="utf-8"))["stories"]
    wanted = {u for s in gold for u in s["urls"]}
    pipeline = Pipeline(["cleaning", "entities", "quotes", "timex"], given=["language"])
    found: dict[str, Article] = {}
    for raw in iter_records([str(p) for p in corpus_csvs], mapping=parse_mapping("indonews")):
        if isinstance(raw, Article) and raw.url in wanted and raw.url not in found:
            raw.language = "id"
            found[raw.url] = pipeline(raw)
    return [(s, [found[u] for u in s["urls"]]) for s in gold]


def test_golden_labels_locate_their_claims(golden_stories):
    for story, articles in golden_stories:
        for fact in story["facts"]:
            for phrases in fact["evidence"].values():
                assert any(p.lower() in articles[i].text.lower() for i, p in phrases), (story["story"], fact["fact"])


def test_status_precision_and_recall_on_golden_stories(golden_stories):
    pairs = []
    for story, articles in golden_stories:
        for i, a in enumerate(articles):
            a.id = i
        pairs += compare.judge(compare.report_from_articles(articles), story["facts"], list(range(len(articles))))
    scores = compare.status_scores(pairs)
    print("\n" + "\n".join(f"{k}: P={v['precision']:.2f} R={v['recall']:.2f} (n={v['support']})"
                           for k, v in scores.items()))
    for status, (precision, recall) in GATE.items():
        assert scores[status]["precision"] >= precision and scores[status]["recall"] >= recall, (status, scores)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("abc Rp1,.2\"“”;:!?\nKATA")), max_size=120), min_size=1,
                max_size=4))
def test_any_texts_give_a_valid_report(texts):
    articles = [Article(source=f"s{i}", id=i, outlet=f"o{i % 2}", text=t) for i, t in enumerate(texts)]
    report = compare.report_from_articles(articles)
    for fact in report["facts"]:
        assert fact["status"] in ("corroborated", "single-source", "conflicting")
        for e in fact["evidence"]:
            assert texts[e["article_id"]][e["start"]:e["end"]] == e["text"]
    assert all(s["sources"] for s in report["summary"])


def test_places_that_neither_wording_shares_conflict():
    articles = story("Gempa bermagnitudo 5,1 mengguncang Garut pada Rabu sore dan warga panik.",
                     "Gempa bermagnitudo 5,1 mengguncang Tasikmalaya pada Rabu sore dan warga panik.")
    for a, place in zip(articles, ("Garut", "Tasikmalaya"), strict=True):
        start = a.text.index(place)
        a.add_span(Span(start, start + len(place), "LOC", layer="entity", attrs={"canonical": place}))
    (fact,) = compare.report_from_articles(articles)["facts"]
    assert fact["status"] == "conflicting"
    assert [(c["kind"], [v["text"] for v in c["values"]]) for c in fact["conflicts"]] == [
        ("place", ["Garut", "Tasikmalaya"])]


def test_story_report_of_a_stored_story(tmp_path, seeds_dir):
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    articles = seed_articles(seeds_dir)
    for a in articles:
        a.id += 1
    store.write_batch(articles, [], [])
    for a in articles:
        for layer in ("timex", "quote"):
            store.set_spans(a.id, layer, a.layer(layer))
    stories.rebuild(store, load_settings())
    story_id = stories.story_of(store, 1)
    assert story_id == stories.story_of(store, 5)
    report = compare.story_report(store, story_id)
    assert report["story_id"] == story_id and [a["article_id"] for a in report["articles"]] == [1, 5]
    assert fact_with(report, "kerja sama yang erat atas provokasi")["status"] == "corroborated"
