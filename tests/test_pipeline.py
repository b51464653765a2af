"""A conformance check run over every registered stage (river's ``yield_checks`` idea).

Every stage must: build from settings, take an Article and return an Article, keep its span
offsets inside the text, give the same result when run twice, and refuse nothing silently.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest

from warta.article import Article
from warta.errors import Rejected
from warta.pipeline import Pipeline, StageError, registered_stages, stage

WIB = timezone(timedelta(hours=7))
RAW = (
    "Putin Dikabarkan Berkunjung ke Korea Utara\n\n"
    "oleh Khairisa Ferida diperbarui 15 Jun 2024, 08:03 WIB\n"
    "Liputan6.com, Washington, DC - Amerika Serikat (AS) dan Korea Selatan memperingatkan Vladimir Putin "
    "agar tidak menjalin hubungan militer yang lebih erat dengan Korea Utara.\n"
    '"Ini adalah tetangga kami," kata juru bicara Kremlin Dmitry Peskov kepada wartawan pada hari Jumat.\n'
    "Baca Juga: Harga Emas Hari Ini\n"
)


def raw_article() -> Article:
    return Article(source="file:///tmp/seed.txt", raw_text=RAW,
                   meta={"location": "file:///tmp/seed.txt", "format": "text"})


def clean_article(settings) -> Article:
    stages = registered_stages()
    article = stages["cleaning"].factory(settings)(raw_article())
    article.language = "id"
    article.published = article.published or datetime(2024, 6, 15, 8, 3, tzinfo=WIB)
    return article


@pytest.mark.parametrize("name", sorted(registered_stages()))
def test_stage_conformance(name, settings):
    info = registered_stages()[name]
    assert info.assigns, f"stage {name} declares nothing it assigns"
    fn = info.factory(settings)
    article = raw_article() if name == "cleaning" else clean_article(settings)
    once = fn(copy.deepcopy(article))
    assert isinstance(once, Article)
    for span in once.spans:
        assert 0 <= span.start <= span.end <= len(once.text), (name, span)
    if name != "cleaning":
        assert once.text == article.text, f"stage {name} changed the text its spans point into"
    twice = fn(copy.deepcopy(once))
    assert [(s.layer, s.start, s.end, s.label) for s in twice.spans] == \
        [(s.layer, s.start, s.end, s.label) for s in once.spans], f"stage {name} is not re-runnable"


def test_runner_refuses_a_stage_that_breaks_the_contract(settings):
    @stage("returns_none_for_test", requires=["text"], assigns=["nothing"])
    def bad(article):
        return None

    with pytest.raises(StageError, match="returned NoneType"):
        Pipeline(["returns_none_for_test"], settings)(Article(source="x", text="t"))


def test_runner_checks_requirements_once(settings):
    with pytest.raises(StageError, match="requires"):
        Pipeline(["entities"], settings)
    assert Pipeline(["entities"], settings, given=["language"]).names == ["entities"]


def test_record_mode_turns_a_crash_into_a_coded_reject(settings):
    @stage("crashes_for_test", requires=["text"], assigns=["nothing"])
    def crash(article):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError):
        Pipeline(["crashes_for_test"], settings)(Article(source="x", text="t"))
    out = list(Pipeline(["crashes_for_test"], settings, on_error="record").pipe([Article(source="x", text="t")]))
    assert isinstance(out[0], Rejected) and out[0].code == "E401" and "crashes_for_test" in out[0].reason
