"""Shared fixtures: paths to the shared seeds/corpora (tests skip where they are absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from warta.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpora" / "indonews-2025-06"
NER_ID = SHARED / "corpora" / "ner-id"


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seeds not found at {SEEDS} (the shared folder sits beside the repository)")
    return SEEDS


@pytest.fixture(scope="session")
def corpus_csvs() -> list[Path]:
    files = sorted(CORPUS.glob("scrapping_news_*.csv"))
    if not files:
        pytest.skip(f"shared corpus not found under {CORPUS}")
    return files


@pytest.fixture
def entities_fail_on(monkeypatch):
    """``entities_fail_on(marker)``: from then on, resolving the mentions of any text containing
    ``marker`` raises ValueError("cannot read this one") (a stage failing on one article)."""
    from warta import entities

    real = entities.resolve_mentions

    def install(marker: str) -> None:
        def fragile(text, mentions):
            if marker in text:
                raise ValueError("cannot read this one")
            return real(text, mentions)

        monkeypatch.setattr(entities, "resolve_mentions", fragile)

    return install


@pytest.fixture
def ner_sample(tmp_path):
    """``ner_sample(lines)``: a small copy of the shared ner-id folder under ``tmp_path`` (the first
    ``lines`` lines of every train, dev and test file), for the ``warta train`` commands."""
    if not NER_ID.is_dir():
        pytest.skip(f"NER corpora not found at {NER_ID} (the shared folder sits beside the repository)")
    from warta.ner import CORPORA, split_files

    def make(lines: int) -> Path:
        root = tmp_path / "ner-id"
        for corpus in CORPORA:
            for rel in {f for split in ("train", "dev", "test") for f in split_files(corpus, split)}:
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                text = (NER_ID / rel).read_text(encoding="utf-8").splitlines(keepends=True)
                (root / rel).write_text("".join(text[:lines]), encoding="utf-8")
        return root

    return make
