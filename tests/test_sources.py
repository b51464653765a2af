"""Tests for warta.sources: every input format, bad input as coded rejects, streaming memory."""

from __future__ import annotations

import functools
import gzip
import io
import json
import os
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from warta.article import Article
from warta.errors import ConfigError, Errors, Rejected
from warta.settings import load_settings
from warta.sources import (
    FIELDS,
    PRESETS,
    SourceStats,
    format_mapping,
    iter_records,
    parse_mapping,
    total_bytes,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpora" / "indonews-2025-06"
SETTINGS = load_settings()

HTML = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Putin tiba</title></head>"
    "<body><article><h1>Putin tiba di Pyongyang</h1><p>Presiden Rusia tiba pada Selasa malam.</p>"
    "</article></body></html>"
)


def read(*paths: Path | str, **kwargs) -> list[Article | Rejected]:
    kwargs.setdefault("settings", SETTINGS)
    return list(iter_records([str(p) for p in paths], **kwargs))


def codes(items: list[Article | Rejected]) -> list[str]:
    return [item.code if isinstance(item, Rejected) else "ok" for item in items]


def small_limit(limit: int):
    return SETTINGS.with_overrides({"ingest": {"max_item_bytes": limit}})


# -- formats ------------------------------------------------------------------------------------


def test_text_file_is_one_record_with_the_whole_text(tmp_path: Path) -> None:
    path = tmp_path / "berita satu.txt"
    path.write_text("Judul di baris pertama\n\nParagraf pertama.\n", encoding="utf-8")
    [article] = read(path)
    assert article.raw_text == "Judul di baris pertama\n\nParagraf pertama.\n"
    assert article.title == ""
    assert article.source.startswith("file:///") and article.source.endswith("berita%20satu.txt")
    assert article.url is None
    assert article.meta == {"location": article.source, "format": "text"}


def test_html_file_passes_the_page_on(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(HTML, encoding="utf-8")
    [article] = read(path)
    assert article.raw_text is None
    assert article.meta["html"] == HTML
    assert article.meta["format"] == "html"


def test_html_declared_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "lama.html"
    path.write_bytes('<html><head><meta charset="windows-1252"></head><body><p>Café “Sate”</p></body></html>'
                     .encode("cp1252"))
    [article] = read(path)
    assert "Café “Sate”" in article.meta["html"]
    assert article.meta["encoding"] == "cp1252"


def test_csv_with_mapping(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    path.write_text(
        "judul,isi_berita,tanggal_publikasi,sumber,url,author\n"
        'Satu,"Baris satu.\nBaris dua, dengan koma.",18 Jun 2025,detik.com,https://detik.com/1,Ani\n'
        "Dua,Isi dua.,,kompas.com,,\n",
        encoding="utf-8",
    )
    mapping = parse_mapping(
        "title=judul,text=isi_berita,published=tanggal_publikasi,outlet=sumber,url=url,author=author")
    first, second = read(path, mapping=mapping)
    assert (first.title, first.raw_text, first.outlet, first.author) == (
        "Satu", "Baris satu.\nBaris dua, dengan koma.", "detik.com", "Ani")
    assert first.source == first.url == "https://detik.com/1"
    assert first.meta["published_raw"] == "18 Jun 2025"
    assert first.meta["location"].endswith("dump.csv#row=1")
    assert second.url is None and second.author is None
    assert second.source == second.meta["location"] and second.source.endswith("dump.csv#row=2")
    assert "published_raw" not in second.meta


def test_tsv_and_english_default_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text("Headline\tBody\tLink\tDate\nRain in Jakarta\tIt rained.\thttps://e.com/a\t2025-06-18\n")
    [article] = read(path)
    assert (article.title, article.raw_text, article.url) == ("Rain in Jakarta", "It rained.", "https://e.com/a")
    assert article.meta["published_raw"] == "2025-06-18"
    assert article.meta["format"] == "csv"


def test_csv_semicolon_delimiter_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufefftitle;text\nA;Isi A.\n".encode())
    [article] = read(path)
    assert (article.title, article.raw_text) == ("A", "Isi A.")


def test_jsonl_default_keys_nested_mapping_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    lines = [
        {"title": "A", "text": "Isi A.", "url": "https://a.id/1", "author": ["Ani", "Budi"], "published": "2025-06-18"},
        {"headline": "B", "content": {"body": "Isi B."}, "link": "https://b.id/2"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    first, second = read(path, mapping={"text": "content.body"})
    assert isinstance(first, Rejected) and first.code == "E302" and first.location.endswith("#line=1")
    assert (second.title, second.raw_text, second.url) == ("B", "Isi B.", "https://b.id/2")
    a, b = read(path)
    assert (a.title, a.raw_text, a.author, a.meta["published_raw"]) == ("A", "Isi A.", "Ani, Budi", "2025-06-18")
    assert b.code == "E302"


def test_jsonl_null_text_is_empty_not_missing(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_text('{"text": null, "title": "A"}\n{"judul": "B"}\n')
    assert codes(read(path)) == ["W101", "E302"]


def test_gzipped_line_files_are_streamed(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"title": f"T{i}", "text": f"Isi {i}."}) + "\n" for i in range(3))
    (tmp_path / "bad.csv.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "cut.txt.gz").write_bytes(gzip.compress(b"Isi berita.")[:-6])
    items = read(tmp_path / "dump.jsonl.gz", tmp_path / "bad.csv.gz", tmp_path / "cut.txt.gz")
    assert [i.title for i in items[:3]] == ["T0", "T1", "T2"]
    assert items[2].meta["location"].endswith("dump.jsonl.gz#line=3")
    assert codes(items[3:]) == ["E304", "E304"]


def test_progress_of_a_gzipped_file_ends_at_its_total(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"title": f"T{i}", "text": "Isi berita yang sama. " * 20}) + "\n" for i in range(50))
    stats = SourceStats()
    assert len(read(path, stats=stats)) == 50
    assert total_bytes([str(path)]) == stats.bytes_done > 3 * path.stat().st_size


def make_warc(path: Path) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "test"}))

        def response(url: str, status: str, content_type: str, body: bytes) -> None:
            http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))

        response("https://news.id/a", "200 OK", "text/html; charset=utf-8", HTML.encode())
        response("https://news.id/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00")
        response("https://news.id/gone", "404 Not Found", "text/html", b"<html>gone</html>")
        response("https://news.id/b", "200 OK", "text/html; charset=windows-1252",
                 "<html><body><p>Café</p></body></html>".encode("cp1252"))


def test_warc_html_responses_only(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    make_warc(path)
    stats = SourceStats()
    a, b = read(path, stats=stats)
    assert (a.source, a.url, a.raw_text, a.meta["html"]) == ("https://news.id/a", "https://news.id/a", None, HTML)
    assert a.meta["location"].endswith("crawl.warc.gz#record=2") and a.meta["format"] == "warc"
    assert "fetched_raw" in a.meta
    assert "Café" in b.meta["html"] and b.meta["encoding"] == "cp1252"
    assert stats.skipped == {"WARC warcinfo record": 1, "WARC non-HTML record": 1, "WARC non-2xx response": 1}
    assert stats.bytes_done == path.stat().st_size


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Berita</title><link>https://b.id</link>
<item><title>Satu</title><link>https://b.id/1</link><pubDate>Wed, 18 Jun 2025 09:30:00 +0700</pubDate>
<description>&lt;p&gt;Isi &lt;b&gt;satu&lt;/b&gt;.&lt;/p&gt;</description><author>ani@b.id (Ani)</author></item>
<item><title>Dua</title><link>https://b.id/2</link><description>Isi dua.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:x</id><updated>2025-06-18T10:00:00Z</updated>
<entry><title>Atom one</title><link href="https://w.com/1"/><id>urn:1</id>
<published>2025-06-18T08:00:00Z</published><updated>2025-06-18T09:00:00Z</updated>
<content type="html">&lt;p&gt;Body one.&lt;/p&gt;</content></entry>
<entry><title>Atom two</title><link href="https://w.com/2"/><id>urn:2</id>
<content type="text">Plain body.</content></entry>
</feed>"""


def test_rss_and_atom_items(tmp_path: Path) -> None:
    (tmp_path / "feed.rss").write_text(RSS)
    (tmp_path / "feed.xml").write_text(ATOM)
    one, two, atom1, atom2 = read(tmp_path / "feed.rss", tmp_path / "feed.xml")
    assert (one.source, one.title) == ("https://b.id/1", "Satu")
    assert one.meta["published_raw"] == "Wed, 18 Jun 2025 09:30:00 +0700"
    assert "<b>satu</b>" in one.meta["html"] and one.raw_text is None
    assert one.meta["location"].endswith("feed.rss#record=1") and one.meta["format"] == "rss"
    assert two.url == "https://b.id/2"
    assert atom1.url == "https://w.com/1" and atom1.meta["updated_raw"] == "2025-06-18T09:00:00Z"
    assert "<p>Body one.</p>" in atom1.meta["html"]
    assert atom2.raw_text == "Plain body." and "html" not in atom2.meta


def test_directory_is_walked_sorted_skipping_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Dua.")
    (tmp_path / "a.txt").write_text("Satu.")
    (tmp_path / ".hidden.txt").write_text("Rahasia.")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x")
    (tmp_path / "c.dat").write_text('{"text": "Tiga."}\n')
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    stats = SourceStats()
    items = read(tmp_path, stats=stats)
    assert [i.raw_text for i in items] == ["Satu.", "Dua.", "Tiga."]
    assert stats.skipped == {"hidden file": 2, "link to a folder": 1}
    assert stats.files == 3 and stats.articles == 3
    visible = (tmp_path / "a.txt", tmp_path / "b" / "2.txt", tmp_path / "c.dat")
    assert total_bytes([str(tmp_path)]) == sum(p.stat().st_size for p in visible)


def test_stdin_is_sniffed(tmp_path: Path) -> None:
    stdin = io.BytesIO(b"title,text\nA,Isi A.\nB,Isi B.\n")
    a, b = read("-", stdin=stdin)
    assert a.meta["location"] == "stdin:#row=1" and b.raw_text == "Isi B."
    [text] = read("-", stdin=io.BytesIO(b"Judul\nIsi."))
    assert text.raw_text == "Judul\nIsi." and text.source == "stdin:"
    [j] = read("-", stdin=io.BytesIO(b'{"text": "x"}\n'), fmt="jsonl")
    assert j.meta["location"] == "stdin:#line=1"


# -- bad input ----------------------------------------------------------------------------------


def test_every_bad_input_is_a_coded_reject_and_good_files_still_come(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Berita yang baik.")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "mixed.txt").write_bytes("Café ".encode() + b"\x81\x8d\xff mixed")
    (tmp_path / "notes.md").write_text("# notes")
    truncated = tmp_path / "truncated.html"
    truncated.write_text(HTML[:70])
    (tmp_path / "links.csv").write_text("link,website\nhttps://x.id/rss,x\n")
    (tmp_path / "header.csv").write_text("title,text\n\n")
    items = read(tmp_path, tmp_path / "missing.txt", tmp_path / "zz.txt")
    by_name = {Path(i.location if isinstance(i, Rejected) else i.meta["location"]).name.split("#")[0]: i
               for i in items}
    expected = {"binary.txt": "E202", "blank.txt": "W101", "empty.txt": "W101", "good.txt": "ok", "header.csv": "W101",
                "links.csv": "E302", "missing.txt": "E204", "mixed.txt": "E201", "notes.md": "E205",
                "truncated.html": "ok", "zz.txt": "E204"}
    assert {name: codes([item])[0] for name, item in by_name.items()} == expected
    assert by_name["truncated.html"].meta["html"] == HTML[:70]
    assert "unknown extension '.md'" in by_name["notes.md"].reason
    assert all(i.location.startswith("file:///") for i in items if isinstance(i, Rejected))


def test_cp1252_file_is_decoded_and_marked(tmp_path: Path) -> None:
    text = "Menteri “Sri” berkata kafe di Menteng—tempat favorit—akan ditutup pukul 22.00, katanya.\n" * 3
    (tmp_path / "lama.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "lama.csv").write_bytes(("title,text\nJudul é,\"" + text + "\"\n").encode("cp1252"))
    article, row = read(tmp_path / "lama.txt", tmp_path / "lama.csv")
    assert article.raw_text == text and article.meta["encoding"] == "cp1252"
    assert row.raw_text == text and row.title == "Judul é" and row.meta["encoding"] == "cp1252"


def test_utf8_csv_with_one_undecodable_row(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    path.write_bytes("title,text\nSatu,Isi é.\n".encode() + b"Dua,Isi \xff.\nTiga,Isi tiga.\n")
    assert codes(read(path)) == ["ok", "E201", "ok"]


def test_cp1252_rows_after_an_ascii_head_are_decoded_not_lost(tmp_path: Path) -> None:
    # The encoding is guessed from the first sniff_bytes; here they are plain ASCII.
    settings = SETTINGS.with_overrides({"sources": {"sniff_bytes": 64}})
    ascii_rows = "".join(f"Judul {i},Isi berita biasa nomor {i}.\n" for i in range(5))
    late = "Kafe “Sate” di Menteng—tempat favorit—ditutup, katanya."
    path = tmp_path / "campur.csv"
    path.write_bytes(("title,text\n" + ascii_rows + f"Akhir,\"{late}\"\n").encode("cp1252"))
    items = read(path, settings=settings)
    assert codes(items) == ["ok"] * 6
    assert items[-1].raw_text == late and items[-1].meta["encoding"] == "cp1252"
    assert "encoding" not in items[0].meta
    jsonl = tmp_path / "campur.jsonl"
    jsonl.write_bytes(('{"text": "Isi biasa."}\n' * 4 + '{"text": "' + late + '"}\n').encode("cp1252"))
    items = read(jsonl, settings=settings)
    assert codes(items) == ["ok"] * 5 and items[-1].raw_text == late and items[-1].meta["encoding"] == "cp1252"


def test_a_stream_guesses_its_legacy_encoding_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from warta import sources

    guesses = []
    real = sources._legacy_encoding

    def counted(raw: bytes, max_chaos: float) -> str | None:
        guesses.append(raw)
        return real(raw, max_chaos)

    monkeypatch.setattr(sources, "_legacy_encoding", counted)
    settings = SETTINGS.with_overrides({"sources": {"sniff_bytes": 64}})
    late = ["Kafe “Sate” di Menteng—tempat favorit—ditutup.", "Harga naik 5‰ — kata pedagang “lagi”.",
            "Café à la carte, ujar pemilik."]
    path = tmp_path / "campur.csv"
    path.write_bytes(("title,text\n" + "".join(f"Judul {i},Isi biasa {i}.\n" for i in range(5))
                      + "".join(f"Akhir {i},\"{t}\"\n" for i, t in enumerate(late))).encode("cp1252"))
    items = read(path, settings=settings)
    assert codes(items) == ["ok"] * 8
    assert [i.raw_text for i in items[-3:]] == late and {i.meta["encoding"] for i in items[-3:]} == {"cp1252"}
    assert len(guesses) == 1


def test_big_single_item_is_rejected_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50_000_000)
    (tmp_path / "small.txt").write_text("Isi.")
    tracemalloc.start()
    items = read(tmp_path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert codes(items) == ["E203", "ok"]
    assert "50,000,000 bytes" in items[0].reason
    assert peak < 5_000_000


def test_huge_line_in_jsonl_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    huge = json.dumps({"text": "x" * 5000})
    path.write_text('{"text": "satu"}\n' + huge + '\n{"text": "tiga"}\n{broken\n[1, 2]\n{"text": ""}\n')
    items = read(path, settings=small_limit(1000))
    assert codes(items) == ["ok", "E203", "ok", "E304", "E304", "W101"]
    assert items[1].location.endswith("#line=2") and items[3].location.endswith("#line=4")


def test_csv_rows_with_missing_columns_are_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    path.write_text("title,text,url\nA,Isi A.,https://a.id\nB,Isi B.\nC,Isi C.,https://c.id,extra\nD,Isi D.,\n")
    items = read(path)
    assert codes(items) == ["ok", "E301", "E301", "ok"]
    assert items[1].location.endswith("dump.csv#row=2") and "2 fields, header has 3" in items[1].reason
    assert items[3].title == "D"


def test_csv_missing_mapped_column_rejects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    path.write_text("title,body\nA,Isi.\n")
    [rej] = read(path, mapping={"text": "isi_berita"})
    assert rej.code == "E302" and "'isi_berita'" in rej.reason and rej.location.endswith("dump.csv")


def test_csv_broken_quoting_resynchronises(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    rows = ["title,text,url", 'A,Isi A.,https://a.id/1', 'B,"Isi B tanpa tutup,https://b.id/2']
    rows += [f"R{i},Isi {i}.,https://r.id/{i}" for i in range(50)]
    path.write_text("\n".join(rows) + "\n")
    items = read(path)
    assert codes(items) == ["ok", "E301"] + ["ok"] * 50
    assert "line 3" in items[1].reason and "read again" in items[1].reason
    assert [i.title for i in items[2:4]] == ["R0", "R1"]


def test_csv_open_quote_is_caught_even_when_the_field_count_fits(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    path.write_text('title,text\nA,"tanpa tutup\nB,Isi B.\nC,Isi C.\n')
    items = read(path)
    assert codes(items) == ["E301", "ok", "ok"]
    assert "unexpected end of data" in items[0].reason and [i.title for i in items[1:]] == ["B", "C"]
    path.write_text('title,text\nA,"tanpa tutup\nB,"Isi B."\nC,Isi C.\n')
    assert [(i.code if isinstance(i, Rejected) else i.raw_text) for i in read(path)] == ["E301", "Isi B.", "Isi C."]
    (tmp_path / "last.csv").write_text('title,text\nA,"Isi\nA."\nB,Isi B.')
    assert [i.raw_text for i in read(tmp_path / "last.csv")] == ["Isi\nA.", "Isi B."]


def test_csv_field_above_item_limit_resynchronises(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    rows = ["title,text", 'A,"Isi A tanpa tutup'] + [f"R{i},{'kata ' * 40}" for i in range(100)]
    path.write_text("\n".join(rows) + "\n")
    items = read(path, settings=small_limit(2000))
    assert codes(items)[:2] == ["E301", "ok"] and codes(items).count("ok") == 100
    assert "field larger than field limit" in items[0].reason


def test_bad_mapping_and_format_raise_config_errors() -> None:
    with pytest.raises(ConfigError):
        iter_records(["x"], settings=SETTINGS, fmt="pdf")
    with pytest.raises(ConfigError):
        iter_records(["x"], settings=SETTINGS, mapping={"body": "x"})
    for bad in ("title", "title=", "=x", "title=a,title=b", ""):
        with pytest.raises(ConfigError):
            parse_mapping(bad)


# -- the shared corpus --------------------------------------------------------------------------


def test_indonews_preset_on_the_corpus() -> None:
    files = sorted(CORPUS.glob("scrapping_news_*.csv"))
    if not files:
        pytest.skip(f"shared corpus not found at {CORPUS}")
    items = read(*files)
    articles = [i for i in items if isinstance(i, Article)]
    assert len(articles) == 5774 and len(items) == 5774
    assert all(a.url and a.source == a.url and a.raw_text and a.outlet for a in articles)
    assert sum(bool(a.title) for a in articles) > 5700
    assert sum("published_raw" in a.meta for a in articles) > 5700
    assert articles == read(*files, mapping=PRESETS["indonews"])


# -- properties and memory ----------------------------------------------------------------------

column_names = st.text(st.characters(blacklist_characters=",", blacklist_categories=("Cs",)), min_size=1,
                       max_size=12).map(str.strip).filter(bool)


@given(st.dictionaries(st.sampled_from(FIELDS), column_names, min_size=1))
def test_parse_mapping_round_trip(mapping: dict[str, str]) -> None:
    assert parse_mapping(format_mapping(mapping)) == mapping


def check_items(items: list[Article | Rejected]) -> None:
    for item in items:
        assert isinstance(item, (Article, Rejected))
        location = item.location if isinstance(item, Rejected) else item.meta["location"]
        assert location.startswith(("file:///", "stdin:"))
        if isinstance(item, Rejected):
            assert isinstance(item.error, Errors)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), name=st.sampled_from(
    ["a.txt", "a.html", "a.csv", "a.tsv", "a.jsonl", "a.warc", "a.warc.gz", "a.rss", "a.bin"]))
def test_arbitrary_bytes_never_raise(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    check_items(read(path, mapping=None) + read("-", stdin=io.BytesIO(data)))


@functools.cache
def valid_samples() -> dict[str, bytes]:
    """One valid small file per format (built once: WARC records carry random ids and dates)."""
    with tempfile.TemporaryDirectory() as tmp:
        make_warc(Path(tmp) / "w.warc.gz")
        warc = (Path(tmp) / "w.warc.gz").read_bytes()
    jsonl = b'{"text": "a", "url": "https://a.id"}\n{"text": ["b", {"name": "c"}], "url": 5}\n'
    return {
        "w.warc.gz": warc,
        "w.warc": gzip.decompress(warc),
        "f.rss": RSS.encode(),
        "f.atom": ATOM.encode(),
        "p.html": HTML.encode(),
        "d.csv": b'title,text,url\nA,"x\ny",https://a\nB,"broken,c\nC,z,https://c\n',
        "d.jsonl": jsonl,
        "d.jsonl.gz": gzip.compress(jsonl),
    }


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_files_of_every_format_never_raise(tmp_path: Path, data: st.DataObject) -> None:
    samples = valid_samples()
    name = data.draw(st.sampled_from(sorted(samples)))
    damaged = bytearray(samples[name])
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(damaged)))
        action = data.draw(st.sampled_from(["cut", "flip", "insert"]))
        if action == "cut":
            del damaged[pos:]
        elif action == "flip" and pos < len(damaged):
            damaged[pos] = data.draw(st.integers(0, 255))
        else:
            damaged[pos:pos] = data.draw(st.binary(min_size=1, max_size=16))
    path = tmp_path / name
    path.write_bytes(bytes(damaged))
    check_items(read(path) + read(path, settings=small_limit(300)))


def rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc to read the RSS")
def test_streaming_a_200k_row_csv_keeps_memory_flat(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    body = "Paragraf berita yang cukup panjang untuk mengisi baris. " * 4
    with path.open("w", encoding="utf-8") as fh:
        fh.write("judul,isi_berita,url\n")
        fh.writelines(f'Judul {i},"{body}",https://x.id/{i}\n' for i in range(200_000))
    size = path.stat().st_size
    assert size > 45_000_000
    baseline = rss_bytes()
    count, peak = 0, baseline
    for item in iter_records([str(path)], settings=SETTINGS):
        count += isinstance(item, Article)
        if count % 5000 == 0:
            peak = max(peak, rss_bytes())
    assert count == 200_000
    assert peak - baseline < 25_000_000, f"RSS grew {peak - baseline:,} bytes streaming {size:,} bytes"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_permission_denied_is_e204(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("x")
    path.chmod(0)
    [rej] = read(path)
    assert rej.code == "E204"


# -- the `warta sources` command ----------------------------------------------------------------


def test_cli_check_and_show(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from warta.cli import cli

    (tmp_path / "a.csv").write_text("judul,isi\nSatu,Isi satu.\nDua\n")
    (tmp_path / "b.bin").write_bytes(b"\x00\x01binary")
    runner = CliRunner()
    result = runner.invoke(cli, ["sources", "check", "--json", "--map", "title=judul,text=isi", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["records"] == 1 and summary["by_format"] == {"csv": 1}
    assert summary["rejected_by_reason"] == {"E205 unsupported format": 1, "E301 malformed row": 1}
    result = runner.invoke(cli, ["sources", "show", "-n", "1", "--map", "title=judul,text=isi", str(tmp_path)])
    assert json.loads(result.output)["title"] == "Satu"
    result = runner.invoke(cli, ["sources", "check", "--map", "body=isi", str(tmp_path)])
    assert result.exit_code == 2 and "unknown field 'body'" in result.output
