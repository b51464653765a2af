"""``warta ingest``: read inputs into the store, with progress and a summary."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from . import cli


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--map", "mapping", help="CSV/JSONL column mapping, e.g. title=judul,text=isi_berita,published=tanggal.")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "csv", "tsv", "jsonl", "warc", "rss"]),
              help="Input format (default: from the file extension or content).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--enrich/--no-enrich", default=True, show_default=True,
              help="Then extract entities, quotes and dates from the new articles.")
@click.option("--stories/--no-stories", default=True, show_default=True,
              help="Then place the new articles in stories and compare the sources of every changed story.")
@click.pass_obj
def ingest(obj, paths: tuple[str, ...], mapping: str | None, fmt: str | None, as_json: bool, quiet: bool,
           enrich: bool, stories: bool) -> None:
    """Ingest files, directories or - (stdin): clean, deduplicate and store articles.

    Then (unless --no-enrich) extract entities, quotes and dates from the new articles, and (unless
    --no-stories) place them in stories, in publication order.
    """
    from ..ingest import Ingestor
    from ..sources import SourceStats, parse_mapping, total_bytes

    console = Console(stderr=True)
    store = obj.open_store()
    ingestor = Ingestor(store, obj.settings)
    total = total_bytes(paths) or None
    read = SourceStats()
    columns = [
        TextColumn("[bold]ingest"), BarColumn(), TaskProgressColumn(), TextColumn("{task.fields[n]:>7} items"),
        TextColumn("{task.fields[rate]:>6.0f}/s"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, disable=quiet or as_json, transient=False) as progress:
        task = progress.add_task("ingest", total=total, rate=0.0, n=0)
        state = {"n": 0}

        def on_item(_item) -> None:
            state["n"] += 1
            elapsed = progress.tasks[0].elapsed or 1e-9
            progress.update(task, completed=min(read.bytes_done, total or 0), rate=state["n"] / elapsed,
                            n=state["n"])

        summary = ingestor.run(paths, mapping=parse_mapping(mapping) if mapping else None, fmt=fmt,
                               on_item=on_item, stats=read)
        if total:
            progress.update(task, completed=total)
    data = summary.to_dict()
    if enrich:
        data["enriched"] = _enrich(obj, store, redo=False, quiet=quiet or as_json)
    if stories:
        data["stories"] = _assign_stories(obj, store, quiet=quiet or as_json)
    store.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table(title="ingest summary", show_header=False)
    for key in ("read", "ingested", "duplicates", "copies", "repeats", "unchanged", "rejected"):
        table.add_row(key, str(data[key]))
    for reason, n in data["rejected_by_reason"].items():
        table.add_row(f"  rejected: {reason}", str(n))
    for reason, n in data["warnings_by_reason"].items():
        table.add_row(f"  kept with warning: {reason}", str(n))
    table.add_row("time", f"{data['elapsed_s']:.1f} s ({data['articles_per_s']:.0f} items/s)")
    for layer, n in data.get("enriched", {}).items():
        table.add_row(f"enrich: {layer}", str(n))
    for key, n in data.get("stories", {}).items():
        table.add_row(f"stories: {key}", str(n))
    Console().print(table)


def _progress(label: str, quiet: bool, total: int) -> Progress:
    columns = [
        TextColumn(f"[bold]{label}"), BarColumn(), TaskProgressColumn(), TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[rate]:>6.0f}/s"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
    ]
    return Progress(*columns, console=Console(stderr=True), disable=quiet or not total)


def _advance(progress: Progress, task, n: int = 1) -> None:
    progress.advance(task, n)
    done = progress.tasks[0]
    progress.update(task, rate=done.completed / (done.elapsed or 1e-9))


def _assign_stories(obj, store, *, quiet: bool) -> dict[str, int]:
    from .. import compare, stories

    pending = stories.count_unassigned(store)
    with _progress("stories", quiet, pending) as progress:
        task = progress.add_task("stories", total=pending, rate=0.0)
        summary = stories.assign_new(store, obj.settings, on_progress=lambda n: _advance(progress, task, n))
    multi = compare.reportable_stories(store, story_ids=summary.touched)
    with _progress("reports", quiet, len(multi)) as progress:
        task = progress.add_task("reports", total=len(multi), rate=0.0)
        reports = compare.precompute_reports(store, obj.settings, story_ids=multi,
                                             on_progress=lambda n: _advance(progress, task, n))
    return {"assigned": summary.assigned, "duplicates": summary.duplicates, "new_stories": summary.new_stories,
            "reports_computed": reports}


def _enrich(obj, store, *, redo: bool, quiet: bool) -> dict[str, int]:
    from ..ingest import Enricher

    enricher = Enricher(store, obj.settings)
    pending = enricher.pending(redo=redo)
    with _progress("enrich", quiet, pending) as progress:
        task = progress.add_task("enrich", total=pending, rate=0.0)
        counts = enricher.run(redo=redo, on_article=lambda _item: _advance(progress, task))
    return {"articles": pending, **dict(counts)}


@cli.command()
@click.option("--redo", is_flag=True, help="Re-run on every article (after a model update), not only new ones.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def enrich(obj, redo: bool, as_json: bool) -> None:
    """Extract entities, quotes and dates from stored articles not yet enriched."""
    store = obj.open_store()
    data = _enrich(obj, store, redo=redo, quiet=as_json)
    store.close()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    table = Table(title="enrich summary", show_header=False)
    for key, n in data.items():
        table.add_row(key, str(n))
    Console().print(table)
