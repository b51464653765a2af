"""``warta stories``: build, browse, explain, correct and export stories."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ..store import ArticleFilter
from . import cli
from .articles import _when

#: Extra sections of ``stories show``: functions ``(store, story_id) -> rich renderable | None``.
#: ``warta.compare`` can add its side-by-side view here without touching this module.
SHOW_SECTIONS: list[Callable[[Any, int], Any]] = []


def _run(obj: Any, *, rebuild: bool, quiet: bool, as_json: bool) -> None:
    from .. import stories

    store = obj.open_store()
    total = store.count_articles(ArticleFilter(originals_only=True)) if rebuild else stories.count_unassigned(store)
    columns = [TextColumn("[bold]stories"), BarColumn(), TaskProgressColumn(),
               TextColumn("{task.completed}/{task.total}"), TextColumn("{task.fields[rate]:>6.0f}/s"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), disable=quiet or as_json or not total) as progress:
        task = progress.add_task("stories", total=total, rate=0.0)

        def advance(n: int) -> None:
            progress.advance(task, n)
            done = progress.tasks[0]
            progress.update(task, rate=done.completed / (done.elapsed or 1e-9))

        run = stories.rebuild if rebuild else stories.assign_new
        summary = run(store, obj.settings, on_progress=advance)
    data = {"assigned": summary.assigned, "duplicates": summary.duplicates, "new_stories": summary.new_stories,
            "corrections_applied": summary.corrections, "stories": store.execute("SELECT COUNT(*) FROM stories")
            .fetchone()[0], "elapsed_s": round(summary.elapsed, 2), "articles_per_s": round(summary.rate, 1)}
    store.close()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    table = Table(title="stories rebuild" if rebuild else "stories assign", show_header=False)
    for key, value in data.items():
        table.add_row(key, str(value))
    Console().print(table)


@cli.group()
def stories() -> None:
    """Group articles into stories, explain and correct the grouping."""


@stories.command("rebuild")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def rebuild_cmd(obj: Any, as_json: bool, quiet: bool) -> None:
    """Forget all assignments and assign every stored article again, in publication order.

    Deterministic (the same as feeding the articles one by one); corrections are applied again.
    """
    _run(obj, rebuild=True, quiet=quiet, as_json=as_json)


@stories.command("assign")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def assign_cmd(obj: Any, as_json: bool, quiet: bool) -> None:
    """Assign the stored articles that have no story yet (incremental; `warta ingest` does this)."""
    _run(obj, rebuild=False, quiet=quiet, as_json=as_json)


def _span(story: Any) -> str:
    if story.first_published is None:
        return "undated"
    first, last = story.first_published, story.last_published
    return f"{first:%Y-%m-%d %H:%M} → {last:%Y-%m-%d %H:%M} UTC"


@stories.command("list")
@click.option("--since", help="Stories active since (ISO date or datetime).")
@click.option("--until", help="Stories that started before (ISO date or datetime).")
@click.option("--outlet", help="Only stories this outlet covers.")
@click.option("--language", help="Only stories with an article in this language.")
@click.option("--entity", help="Only stories naming this canonical entity.")
@click.option("--order", type=click.Choice(["newest", "coverage"]), default="newest", show_default=True)
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--offset", type=int, default=0)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_cmd(obj: Any, since: str | None, until: str | None, outlet: str | None, language: str | None,
             entity: str | None, order: str, limit: int, offset: int, as_json: bool) -> None:
    """List stories: headline, outlets, article count and time span."""
    from ..stories import list_stories

    with obj.open_store() as store:
        found = list_stories(store, since=_when(since), until=_when(until), outlet=outlet, language=language,
                             entity=entity, limit=limit, offset=offset, order=order)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in found], ensure_ascii=False, indent=2))
        return
    table = Table("id", "articles", "outlets", "span", "headline")
    for s in found:
        table.add_row(str(s.id), str(s.article_count), ", ".join(s.outlets), _span(s), s.headline)
    Console().print(table)


@stories.command("show")
@click.argument("story_id", type=int)
@click.option("--why", is_flag=True, help="Show the evidence: scores, shared terms and names, nearest articles.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show_cmd(obj: Any, story_id: int, why: bool, as_json: bool) -> None:
    """Show one story: headline, outlets, count, time span and articles (--why: the evidence)."""
    from ..stories import get_story, story_evidence

    with obj.open_store() as store:
        story = get_story(store, story_id)
        if story is None:
            raise click.ClickException(f"no story {story_id} (see `warta stories list`)")
        rows = story_evidence(store, story_id)
        if as_json:
            data = story.to_dict()
            data["articles"] = rows if why else [{k: r[k] for k in ("article_id", "title", "outlet")} for r in rows]
            from ..compare import story_report  # facts, quotes, timeline, summary (the terminal view: SHOW_SECTIONS)

            data.update({k: v for k, v in story_report(store, story_id, obj.settings).items() if k not in data})
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        console = Console()
        console.print(f"[bold]story {story.id}[/bold]: {story.headline}")
        console.print(f"{story.article_count} articles · {', '.join(story.outlets)} · {_span(story)}")
        table = Table("article", "outlet", "title", *(("score", "via", "evidence") if why else ()))
        for r in rows:
            extra = (f"{r['score']:.3f}", r["via"], _why(r["evidence"])) if why else ()
            table.add_row(str(r["article_id"]), r["outlet"] or "", r["title"], *extra)
        console.print(table)
        for section in SHOW_SECTIONS:
            rendered = section(store, story_id)
            if rendered is not None:
                console.print(rendered)


def _why(evidence: dict[str, Any]) -> str:
    """One cell of evidence: what the article matched, or why it opened the story."""
    if "duplicate_of" in evidence:
        return f"duplicate of article {evidence['duplicate_of']}"
    if "nearest_article" not in evidence:
        return f"opened the story (best score {evidence.get('score', 0):.3f} < {evidence.get('threshold', 0)})"
    parts = [f"link {evidence['link']:.3f}, centroid {evidence['centroid']:.3f}",
             f"nearest article {evidence['nearest_article']}"]
    if evidence.get("shared_names"):
        parts.append("names: " + ", ".join(evidence["shared_names"][:5]))
    if evidence.get("shared_terms"):
        parts.append("terms: " + ", ".join(evidence["shared_terms"][:8]))
    return "; ".join(parts)


def _correct(obj: Any, action: Callable[..., int], *args: Any) -> int:
    from ..stories import StoryError

    with obj.open_store() as store:
        try:
            return action(store, obj.settings, *args)
        except StoryError as exc:
            raise click.ClickException(str(exc)) from None


@stories.command("merge")
@click.argument("into", type=int)
@click.argument("other", type=int)
@click.pass_obj
def merge_cmd(obj: Any, into: int, other: int) -> None:
    """Merge story OTHER into story INTO (recorded: survives rebuilds)."""
    from ..stories import merge_stories

    click.echo(f"merged story {other} into story {_correct(obj, merge_stories, into, other)}")


@stories.command("split")
@click.argument("story_id", type=int)
@click.option("--articles", required=True, help="Comma-separated article ids to move into a new story.")
@click.pass_obj
def split_cmd(obj: Any, story_id: int, articles: str) -> None:
    """Move some articles of a story into a new story of their own (recorded: survives rebuilds)."""
    from ..stories import split_story

    try:
        ids = [int(x) for x in articles.replace(" ", "").split(",") if x]
    except ValueError:
        raise click.BadParameter(f"{articles!r} is not a comma-separated list of article ids") from None
    click.echo(f"articles {', '.join(map(str, ids))} now form story {_correct(obj, split_story, story_id, ids)}")


@stories.command("move")
@click.argument("article_id", type=int)
@click.argument("story_id", type=int)
@click.pass_obj
def move_cmd(obj: Any, article_id: int, story_id: int) -> None:
    """Move one article (and its duplicates) into another story (recorded: survives rebuilds)."""
    from ..stories import move_article

    click.echo(f"article {article_id} moved to story {_correct(obj, move_article, article_id, story_id)}")


@stories.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="File (default: stdout).")
@click.pass_obj
def export_cmd(obj: Any, fmt: str, output: Any) -> None:
    """One JSON line per article: url, article_id, story_id, published, outlet, title.

    Duplicates (copies and links to an original) are listed under the original's story.
    """
    from ..stories import export_assignments

    with obj.open_store() as store:
        for record in export_assignments(store):
            output.write(json.dumps(record, ensure_ascii=False) + "\n")
    if output is not sys.stdout:
        output.flush()
