"""Language identification per article (Indonesian, Malay, English and others).

Wraps lingua restricted to a candidate set from settings: restricting the set makes it faster and
more accurate on the Indonesian/Malay pair than the full 75-language model
(../shared/OFFLINE-MODELS.md §3). Only the title and the lead are read.

>>> from warta.settings import load_settings
>>> detect = LanguageDetector(load_settings())
>>> a = detect(Article(source="x", title="Putin akan berkunjung ke Korea Utara",
...     text="Amerika Serikat dan Korea Selatan memperingatkan Vladimir Putin agar tidak menjalin "
...          "hubungan militer yang lebih erat dengan Korea Utara."))
>>> a.language
'id'
"""

from __future__ import annotations

import re
import threading
from typing import Any

from .article import Article
from .errors import ConfigError
from .pipeline import stage

#: Everyday words whose form differs between Indonesian and Malay (karena/kerana, bisa/boleh,
#: setelah/selepas, uang/wang, polisi/polis...). Character n-gram models confuse the two on news text
#: (lingua called 2% of the Indonesian corpus Malay); these decide between them on the whole text.
INDONESIAN_MARKERS = frozenset(
    "karena bisa setelah uang mobil kantor nggak enggak gak banget mau baru melalui polisi delapan "
    "pemerintah sakit koran nanti tersebut saat".split()
)
MALAY_MARKERS = frozenset(
    "kerana boleh selepas wang sahaja kereta pejabat iaitu manakala kerajaan bandar semasa polis hospital "
    "lapan mahu baharu jabatan menerusi akhbar dadah".split()
)
_WORD = re.compile(r"\w+")


def indonesian_or_malay(text: str) -> str | None:
    """``"id"`` or ``"ms"`` by which language's marker words the text uses more; None on a tie.

    >>> indonesian_or_malay("Polisi bisa menahan mereka karena uang itu.")
    'id'
    >>> indonesian_or_malay("Polis boleh menahan mereka kerana wang itu.")
    'ms'
    """
    words = _WORD.findall(text.lower())
    score = sum(w in INDONESIAN_MARKERS for w in words) - sum(w in MALAY_MARKERS for w in words)
    return "id" if score > 0 else "ms" if score < 0 else None


@stage("language", requires=["text", "title"], assigns=["language"])
class LanguageDetector:
    """Sets ``article.language`` (ISO 639-1) and ``article.language_score`` (0..1)."""

    _cache: dict[tuple[tuple[str, ...], bool], Any] = {}
    _lock = threading.Lock()

    def __init__(self, settings: Any) -> None:
        self.candidates = tuple(settings.language.candidates)
        self.sample_chars = settings.language.sample_chars
        self.low_accuracy = settings.language.low_accuracy
        self.short_candidates = tuple(settings.language.short_candidates)
        self.short_below = settings.language.short_below
        self._detector = self._build(self.candidates, self.low_accuracy)
        self._short: Any = None

    @classmethod
    def _build(cls, codes: tuple[str, ...], low_accuracy: bool) -> Any:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        with cls._lock:
            if (codes, low_accuracy) not in cls._cache:
                languages = []
                for code in codes:
                    iso = getattr(IsoCode639_1, code.upper(), None)
                    if iso is None:
                        raise ConfigError(f"language.candidates: {code!r} is not a language lingua knows")
                    languages.append(Language.from_iso_code_639_1(iso))
                if len(languages) < 2:
                    raise ConfigError("language.candidates needs at least two languages")
                builder = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
                if low_accuracy:
                    builder = builder.with_low_accuracy_mode()
                cls._cache[codes, low_accuracy] = builder.build()
            return cls._cache[codes, low_accuracy]

    def sample(self, article: Article) -> str:
        return f"{article.title}\n{article.text[: self.sample_chars]}".strip()

    def __call__(self, article: Article) -> Article:
        sample = self.sample(article)
        detector = self._detector
        if len(sample) < self.short_below and self.low_accuracy:
            # Trigrams alone are unreliable on a headline: full models, over fewer languages.
            if self._short is None:
                self._short = self._build(self.short_candidates, False)
            detector = self._short
        confidences = detector.compute_language_confidence_values(sample) if sample else []
        self._assign(article, confidences)
        return article

    def pipe(self, articles: list[Article], batch_size: int = 256) -> list[Article]:
        return [self(a) for a in articles]

    @staticmethod
    def _assign(article: Article, confidences: list[Any]) -> None:
        if not confidences:
            article.language, article.language_score = None, None
            return
        scores = {c.language.iso_code_639_1.name.lower(): float(c.value) for c in confidences}
        best = max(scores, key=scores.__getitem__)
        if best == "ms" or (best == "id" and scores.get("ms", 0) > 0.25):
            best = indonesian_or_malay(f"{article.title} {article.text}") or best
        article.language = best
        article.language_score = round(scores[best], 4)
