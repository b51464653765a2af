"""Stages and the runner that chains them.

A stage is a plain callable ``Article -> Article`` registered with what it requires and what it
assigns (spaCy's ``@Language.component``). Stateful stages may also offer
``pipe(stream, batch_size)``. The runner checks, once, that every stage's requirements are
assigned by an earlier stage, and refuses a stage that returns anything but an Article.

>>> @stage("shout", requires=["text"], assigns=["meta.shout"])
... def shout(article):
...     article.meta["shout"] = article.text.upper()
...     return article
>>> p = Pipeline(["shout"])
>>> p(Article(source="x", text="halo")).meta["shout"]
'HALO'
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .article import Article
from .errors import ConfigError, Errors, Rejected, WartaError

#: Attributes every freshly read article has.
BASE_ATTRIBUTES = ("source", "title", "text", "url", "outlet", "author", "published", "raw_text")


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of ``size`` items (the last shorter) from a stream (``itertools.batched`` from 3.12)."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


@dataclass(frozen=True)
class StageInfo:
    name: str
    factory: Callable[..., Callable[[Article], Article]]
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    doc: str = field(default="", compare=False)


_REGISTRY: dict[str, StageInfo] = {}


def stage(
    name: str, *, requires: Sequence[str] = (), assigns: Sequence[str] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a stage.

    Decorate either a function ``Article -> Article`` (a stateless stage), or a class / factory
    whose instances are such callables (constructed with ``settings`` when the pipeline is built).
    """

    def register(obj: Callable[..., Any]) -> Callable[..., Any]:
        factory: Callable[..., Callable[[Article], Article]]
        if isinstance(obj, type):
            factory = obj
        else:

            def factory(settings: Any = None, _fn: Callable[[Article], Article] = obj) -> Callable[[Article], Article]:
                return _fn

        _REGISTRY[name] = StageInfo(name, factory, tuple(requires), tuple(assigns), obj.__doc__ or "")
        return obj

    return register


def registered_stages() -> dict[str, StageInfo]:
    _load_builtin_stages()
    return dict(_REGISTRY)


def _load_builtin_stages() -> None:
    # Importing a stage module registers its stages.
    from . import claims, cleaning, dedup, entities, language, quotes, timex  # noqa: F401


class StageError(WartaError):
    """A stage broke its contract (returned a non-Article, or its requirements are unmet)."""


class Pipeline:
    """An ordered chain of registered stages.

    ``on_error="raise"`` (development, tests) lets exceptions propagate; ``"record"`` (backfills)
    turns an unexpected exception inside a stage into a :class:`Rejected` with code E401.
    ``given`` names attributes the incoming articles already carry (e.g. stored, cleaned articles).
    """

    def __init__(
        self, names: Sequence[str], settings: Any = None, *, on_error: str = "raise", given: Sequence[str] = ()
    ) -> None:
        if on_error not in ("raise", "record"):
            raise ValueError("on_error must be 'raise' or 'record'")
        stages = registered_stages()
        self.names = list(names)
        self.on_error = on_error
        self._stages: list[tuple[StageInfo, Callable[[Article], Article]]] = []
        available = set(BASE_ATTRIBUTES) | set(given)
        for name in self.names:
            if name not in stages:
                raise StageError(f"unknown stage {name!r}; known: {', '.join(sorted(stages))}")
            info = stages[name]
            missing = [r for r in info.requires if r not in available]
            if missing:
                raise StageError(f"stage {name!r} requires {missing}, which no earlier stage assigns")
            available.update(info.assigns)
            self._stages.append((info, info.factory(settings)))

    def get(self, name: str) -> Callable[[Article], Article]:
        """The built stage called ``name`` (to hand it run-time collaborators such as a store)."""
        for info, fn in self._stages:
            if info.name == name:
                return fn
        raise KeyError(name)

    def __call__(self, article: Article) -> Article:
        for info, fn in self._stages:
            article = self._run(info, fn, article)
        return article

    def _run(self, info: StageInfo, fn: Callable[[Article], Article], article: Article) -> Article:
        try:
            out = fn(article)
        except (Rejected, ConfigError):
            raise
        except Exception as exc:
            if self.on_error == "raise":
                raise
            raise Rejected(Errors.E401, f"stage {info.name}: {type(exc).__name__}: {exc}",
                           location=article.source) from exc
        if not isinstance(out, Article):
            raise StageError(f"stage {info.name!r} returned {type(out).__name__}, not Article")
        return out

    def pipe(self, articles: Iterable[Article], batch_size: int = 256) -> Iterator[Article | Rejected]:
        """Run every stage over a stream; rejected items come out as :class:`Rejected`."""
        for article in articles:
            try:
                yield self(article)
            except Rejected as rej:
                yield rej
