"""``warta sources check|show``: what warta would read from inputs, without storing anything.

Use it to try a ``--map`` on a new CSV/JSONL dump, or to see why files are rejected, before an ingest.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from ..article import Article
from ..errors import ConfigError, Rejected
from ..sources import FORMATS, SourceStats, iter_records, parse_mapping, total_bytes
from . import cli

_PATHS = click.argument("paths", nargs=-1, required=True)
def _parse_map(ctx: click.Context, param: click.Parameter, value: str | None) -> dict[str, str] | None:
    try:
        return parse_mapping(value) if value else None
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


_MAP = click.option("--map", "mapping", callback=_parse_map,
                    help="Column mapping FIELD=COLUMN,... or a preset (indonews).")
_FORMAT = click.option("--format", "fmt", type=click.Choice(FORMATS), help="Force the input format.")


def record_json(item: Article | Rejected, preview: int = 200) -> dict[str, Any]:
    """A raw record (or reject) as JSON, with the start of its text."""
    if isinstance(item, Rejected):
        return {"rejected": item.code, "name": item.name, "reason": item.reason, "location": item.location}
    body = item.raw_text if item.raw_text is not None else item.meta.get("html", "")
    return {
        "source": item.source, "url": item.url, "title": item.title, "author": item.author,
        "outlet": item.outlet, **{k: v for k, v in item.meta.items() if k != "html"},
        "chars": len(body), "text": body[:preview],
    }


@cli.group()
def sources() -> None:
    """Check inputs before ingesting them (nothing is stored)."""


@sources.command("check")
@_PATHS
@_MAP
@_FORMAT
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def check(obj: Any, paths: tuple[str, ...], mapping: dict[str, str] | None, fmt: str | None, as_json: bool) -> None:
    """Read every record of PATHS and summarise: records by format, rejects by reason, skipped items."""
    stats = SourceStats()
    formats: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    examples: dict[str, str] = {}
    columns = [TextColumn("[bold]read"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TextColumn("{task.fields[n]:>8} records"), TimeRemainingColumn()]
    started = time.perf_counter()
    records = iter_records(paths, settings=obj.settings, mapping=mapping, fmt=fmt, stats=stats)
    with Progress(*columns, console=Console(stderr=True), disable=as_json) as progress:
        task = progress.add_task("read", total=total_bytes(paths) or None, n=0)
        for count, item in enumerate(records, 1):
            if isinstance(item, Rejected):
                key = f"{item.code} {item.name}"
                rejected[key] += 1
                examples.setdefault(key, f"{item.reason} ({item.location})")
            else:
                formats[item.meta["format"]] += 1
            if count % 256 == 0:
                progress.update(task, completed=stats.bytes_done, n=count)
        progress.update(task, completed=stats.bytes_done, n=stats.articles + stats.rejected)
    elapsed = time.perf_counter() - started
    summary = {
        "files": stats.files, "records": stats.articles, "rejected": stats.rejected,
        "by_format": dict(sorted(formats.items())), "rejected_by_reason": dict(sorted(rejected.items())),
        "first_reject": dict(sorted(examples.items())), "skipped": dict(sorted(stats.skipped.items())),
        "bytes": stats.bytes_done, "records_per_s": round((stats.articles + stats.rejected) / elapsed, 1)
        if elapsed else None,
    }
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    table = Table(title="sources check", show_header=False)
    for key in ("files", "records", "rejected", "bytes", "records_per_s"):
        table.add_row(key, str(summary[key]))
    for name, n in formats.items():
        table.add_row(f"  format {name}", str(n))
    for reason, n in sorted(rejected.items()):
        table.add_row(f"  rejected: {reason}", f"{n}   e.g. {examples[reason]}")
    for what, n in sorted(stats.skipped.items()):
        table.add_row(f"  skipped: {what}", str(n))
    Console().print(table)


@sources.command("show")
@_PATHS
@_MAP
@_FORMAT
@click.option("-n", "limit", type=int, default=5, show_default=True, help="Records to show.")
@click.option("--preview", type=int, default=200, show_default=True, help="Characters of text to show.")
@click.pass_obj
def show(
    obj: Any, paths: tuple[str, ...], mapping: dict[str, str] | None, fmt: str | None, limit: int, preview: int
) -> None:
    """Print the first records of PATHS (and any reject among them) as JSON lines."""
    records = iter_records(paths, settings=obj.settings, mapping=mapping, fmt=fmt)
    for item in itertools.islice(records, limit):
        click.echo(json.dumps(record_json(item, preview), ensure_ascii=False))
