"""Shared fixtures: paths to the shared seeds/corpora (tests skip where they are absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from warta.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpora" / "indonews-2025-06"


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
