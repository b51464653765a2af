"""``warta articles``, ``warta search``, ``warta stats``, ``warta rejects``: read the store."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ..article import Article
from ..store import ArticleFilter, iso
from . import cli

#: Span layers shown by ``articles show``, under these JSON keys.
LAYER_KEYS = {"entity": "entities", "quote": "quotes", "timex": "timexes"}


def article_json(article: Article, duplicates: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON view of an article: metadata, clean text, and its span layers with offsets."""
    data: dict[str, Any] = {
        "id": article.id, "source": article.source, "url": article.url, "outlet": article.outlet,
        "title": article.title, "author": article.author, "published": iso(article.published),
        "updated": iso(article.updated), "dateline": article.dateline, "language": article.language,
        "language_score": article.language_score, "captions": article.captions,
        "duplicate_of": article.duplicate_of, "duplicate_kind": article.duplicate_kind,
        "similarity": article.similarity, "location": article.meta.get("location"),
        "cleaning": article.meta.get("cleaning"), "text": article.text,
    }
    for layer, key in LAYER_KEYS.items():
        data[key] = [{"text": article.span_text(s), **s.to_dict()} for s in article.layer(layer)]
    if duplicates is not None:
        data["duplicates"] = duplicates
    return data


@cli.group()
def articles() -> None:
    """List and show stored articles."""


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD[THH:MM[+07:00]])") from None


@articles.command("list")
@click.option("--outlet")
@click.option("--language")
@click.option("--since", help="ISO date or datetime.")
@click.option("--until", help="ISO date or datetime.")
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_articles(obj, outlet, language, since, until, limit, offset, as_json) -> None:
    """Newest articles first."""
    store = obj.open_store()
    flt = ArticleFilter(outlet=outlet, language=language, since=_when(since), until=_when(until))
    rows = list(store.iter_articles(flt, order="newest", limit=limit, offset=offset))
    if as_json:
        click.echo(json.dumps([{k: v for k, v in article_json(a).items() if k != "text"} for a in rows],
                              ensure_ascii=False, indent=2))
        return
    table = Table("id", "published", "outlet", "lang", "title", "dup")
    for a in rows:
        table.add_row(str(a.id), iso(a.published) or "-", a.outlet or "-", a.language or "-", a.title,
                      f"{a.duplicate_kind}→{a.duplicate_of}" if a.duplicate_of else "")
    Console().print(table)


@articles.command("show")
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show_article(obj, article_id: int, as_json: bool) -> None:
    """One article: metadata, clean text, entities, quotes, dates, duplicates."""
    store = obj.open_store()
    article = store.get_article(article_id)
    if article is None:
        raise click.ClickException(f"no article {article_id}")
    data = article_json(article, store.duplicates_of(article_id))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(f"[bold]{article.title}[/bold]")
    meta = [article.outlet, article.author, iso(article.published), article.language, article.dateline]
    console.print(" · ".join(x for x in meta if x), style="dim")
    console.print(article.url or article.source, style="dim")
    console.print()
    console.print(article.text, markup=False, highlight=False)
    for caption in article.captions:
        console.print(f"[dim]caption:[/dim] {caption}", markup=True, highlight=False)
    for key in LAYER_KEYS.values():
        if data[key]:
            console.print(f"\n[bold]{key}[/bold]")
            for item in data[key]:
                extra = {k: v for k, v in item.items() if k not in ("text", "start", "end", "label")}
                console.print(f"  [{item['start']}:{item['end']}] {item['label']}: {item['text']!r} {extra}",
                              markup=False, highlight=False)
    if data["duplicates"]:
        console.print("\n[bold]duplicates and copies[/bold]")
        for d in data["duplicates"]:
            console.print(f"  {d['kind']} {d.get('similarity')} {d['source']}", markup=False)


@cli.command()
@click.argument("query")
@click.option("--outlet")
@click.option("--language")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def search(obj, query: str, outlet, language, limit: int, as_json: bool) -> None:
    """Full-text search over titles and bodies (words are ANDed; "quoted phrases"; OR)."""
    store = obj.open_store()
    hits = store.search(query, limit=limit, flt=ArticleFilter(outlet=outlet, language=language))
    if as_json:
        click.echo(json.dumps([{"id": h.id, "title": h.title, "outlet": h.outlet, "published": iso(h.published),
                                "snippet": h.snippet, "score": round(h.score, 4)} for h in hits],
                              ensure_ascii=False, indent=2))
        return
    table = Table("id", "outlet", "published", "title", "snippet")
    for h in hits:
        table.add_row(str(h.id), h.outlet or "-", iso(h.published) or "-", h.title, h.snippet)
    Console().print(table)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stats(obj, as_json: bool) -> None:
    """Counts: articles, duplicates, rejects by reason, languages, outlets, dated articles."""
    data = obj.open_store().stats()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table("what", "count", title="warta store")
    for key, value in data.items():
        if isinstance(value, dict):
            for k, v in value.items():
                table.add_row(f"{key}: {k}", str(v))
        else:
            table.add_row(key, str(value))
    Console().print(table)


@cli.command()
@click.option("--limit", default=100, show_default=True)
@click.option("--warnings", is_flag=True, help="Show inputs kept with a warning (e.g. headline-only) instead.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def rejects(obj, limit: int, warnings: bool, as_json: bool) -> None:
    """Rejected inputs: code, reason and where they came from."""
    rows = obj.open_store().rejects(limit=limit, warnings=warnings)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("code", "reason", "location")
    for r in rows:
        table.add_row(f"{r['code']} {r['name']}", r["reason"], r["location"])
    Console().print(table)
