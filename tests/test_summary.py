"""Summary: 3-7 extractive sentences, each supported by outlets, redundancy removed."""

from __future__ import annotations

import numpy as np

from warta.summary import Candidate, summarize


def candidates(n: int, sources=("detik.com",)) -> list[Candidate]:
    return [Candidate(f"Kalimat nomor {i} tentang peristiwa yang sama di kota itu.", list(sources), [], i, i,
                      position=i * 100) for i in range(n)]


def test_length_grows_with_the_story_within_bounds(settings):
    sim = np.eye(100) * 0.5
    assert len(summarize(candidates(4), sim, settings)) == 3
    assert len(summarize(candidates(25), sim, settings)) == 5
    assert len(summarize(candidates(100), sim, settings)) == 7
    assert len(summarize(candidates(2), sim, settings)) == 2


def test_every_sentence_is_supported_and_unsupported_candidates_are_dropped(settings):
    cands = candidates(5) + [Candidate("Kalimat tanpa sumber apa pun di dalam berita ini.", [], [], 5, 5)]
    out = summarize(cands, np.eye(6), settings)
    assert all(s["sources"] for s in out)
    assert 5 not in {s["fact"] for s in out}


def test_redundant_wordings_are_not_repeated_and_support_ranks_first(settings):
    cands = [Candidate("Gempa M4,8 mengguncang Garut pada Rabu sore ini.", ["detik.com", "kompas.com"], [], 0, 0),
             Candidate("Gempa M4,8 mengguncang wilayah Garut, Rabu sore.", ["okezone.com"], [], 1, 1),
             Candidate("BMKG memastikan gempa itu tidak berpotensi tsunami.", ["okezone.com"], [], 2, 2),
             Candidate("Warga diimbau tetap waspada terhadap gempa susulan.", ["detik.com"], [], 3, 3, position=900)]
    sim = np.array([[1, .95, .2, .1], [.95, 1, .2, .1], [.2, .2, 1, .1], [.1, .1, .1, 1]])
    out = summarize(cands, sim, settings)
    assert [s["fact"] for s in out] == [0, 2, 3]
    assert out[0]["sources"] == ["detik.com", "kompas.com"]
