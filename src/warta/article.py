"""The article model: one cleaned text, with spans pointing into it.

An :class:`Article` carries the clean body text and its metadata. Everything extracted from it
(entities, quotes, temporal expressions, claims) is a :class:`Span` with character offsets into
``article.text``: views into the text, never copies that can drift from it.

>>> a = Article(source="file:///seeds/x.txt", title="T", text="Putin tiba di Pyongyang.")
>>> s = Span(0, 5, "PER", layer="entity", attrs={"canonical": "Vladimir Putin"})
>>> a.add_span(s)
>>> a.span_text(s)
'Putin'
>>> [x.label for x in a.layer("entity")]
['PER']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled character range ``[start, end)`` of an article's clean text.

    ``layer`` names the stage that produced it (``entity``, ``quote``, ``timex``, ``claim``...);
    ``attrs`` holds layer-specific values (canonical name, speaker, normalised value...).
    """

    start: int
    end: int
    label: str
    layer: str = ""
    attrs: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span offsets [{self.start}, {self.end})")

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, **self.attrs}


@dataclass(slots=True)
class Article:
    """One news article after cleaning.

    ``source`` is where it came from: its URL, or a ``file:`` URI naming the file (and row).
    ``published`` and ``updated`` are timezone-aware or ``None``: a missing date stays missing.
    """

    source: str
    title: str = ""
    text: str = ""
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    dateline: str | None = None
    captions: list[str] = field(default_factory=list)
    language: str | None = None
    language_score: float | None = None
    id: int | None = None
    raw_text: str | None = None
    content_hash: str | None = None
    duplicate_of: int | None = None
    duplicate_kind: str | None = None
    similarity: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)

    def add_span(self, span: Span) -> None:
        if span.end > len(self.text):
            raise ValueError(f"span [{span.start}, {span.end}) beyond text of length {len(self.text)}")
        self.spans.append(span)

    def layer(self, name: str) -> list[Span]:
        return [s for s in self.spans if s.layer == name]

    def set_layer(self, name: str, spans: list[Span]) -> None:
        """Replace every span of layer ``name`` (stages are re-runnable)."""
        self.spans = [s for s in self.spans if s.layer != name]
        for s in spans:
            self.add_span(s)

    def span_text(self, span: Span) -> str:
        return self.text[span.start : span.end]

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n") if p.strip()]

    def iter_paragraph_offsets(self) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of each non-empty paragraph in ``text``."""
        pos = 0
        for line in self.text.split("\n"):
            if line.strip():
                yield pos, pos + len(line)
            pos += len(line) + 1
