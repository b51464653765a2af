from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from warta.article import Article
from warta.dedup import Deduplicator, Fingerprinter, NearDuplicateIndex, canonical_url, content_hash
from warta.store import open_store

BODY = (
    "Amerika Serikat dan Korea Selatan memperingatkan Vladimir Putin agar tidak menjalin hubungan militer "
    "yang lebih erat dengan Korea Utara. Peringatan ini datang seiring berkembangnya spekulasi bahwa pemimpin "
    "Rusia tersebut akan mengunjungi Korea Utara dalam beberapa hari mendatang. Putin dilaporkan berencana "
    "bertemu dengan Kim Jong Un dalam kunjungan balasan setelah pemimpin Korea Utara itu melawat ke Rusia."
)


def art(i: int, text: str, outlet: str = "a.test", url: str | None = None) -> Article:
    url = url or f"https://{outlet}/{i}"
    return Article(source=url, url=url, text=text, outlet=outlet, meta={"location": f"file:///x.csv#row={i}"})


def test_canonical_url_drops_what_does_not_change_the_article():
    assert canonical_url("http://m.detik.com/news/d-1/amp?utm_medium=x") == "https://detik.com/news/d-1"
    assert canonical_url("https://www.tempo.co/a/?b=2&a=1") == "https://tempo.co/a?a=1&b=2"


@given(st.text())
def test_content_hash_ignores_spacing_and_punctuation(text):
    assert content_hash(text) == content_hash(f"  {text}\n !!")


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_content_hash_ignores_case(text):
    assert content_hash(text) == content_hash(text.swapcase())


def test_exact_near_copy_and_url_repeats(settings):
    store = open_store("sqlite:///:memory:")
    dd = Deduplicator(store, settings)
    fp = Fingerprinter(settings)
    ids = iter(range(1, 100)).__next__
    near = BODY.replace("beberapa hari mendatang", "waktu dekat ini")
    batch = fp.pipe([
        art(1, BODY),
        art(2, BODY + " ", outlet="a.test"),  # same text, another URL
        art(3, near, outlet="b.test"),  # a wire copy on another outlet
        art(4, BODY, url="https://a.test/1/"),  # the first URL again, from another row
        art(5, "Harga emas naik tajam hari ini menurut data pasar yang dihimpun redaksi."),
    ])
    for a in batch:
        a.source = canonical_url(a.url)
    result = dd.process(batch, ids)
    kinds = {a.meta["location"][-1]: (a.duplicate_kind, a.duplicate_of) for a in result.new}
    assert kinds["1"] == (None, None)
    assert kinds["2"] == ("exact", batch[0].id)
    assert kinds["3"][0] == "copy" and kinds["3"][1] == batch[0].id
    assert kinds["5"] == (None, None)
    assert [(x.kind, x.similarity, x.original_id) for x in result.links] == [("url", 1.0, batch[0].id)]
    copy = next(a for a in result.new if a.outlet == "b.test")
    assert 0.5 <= copy.similarity < 1.0


def test_index_window_forgets_oldest():
    idx = NearDuplicateIndex(num_perm=16, bands=4, threshold=0.5, window=3)
    rng = np.random.default_rng(1)
    sigs = rng.integers(0, 2**32, size=(5, 16), dtype=np.uint32)
    for i, s in enumerate(sigs):
        idx.learn_one(i, s)
    assert len(idx) == 3
    assert idx.predict_one(sigs[0]) is None
    assert idx.predict_one(sigs[4]).original_id == 4
