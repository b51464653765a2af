"""``warta compare``: compare stored articles as one story (facts, quotes, timeline, summary).

Also adds the comparison to ``warta stories show`` (terminal view; ``--json`` carries the report).
"""

from __future__ import annotations

import json
from typing import Any

import click

from . import cli
from .stories import SHOW_SECTIONS


def print_report(report: dict[str, Any], as_json: bool) -> None:
    """The story view on stdout: rich terminal rendering, or the report as JSON."""
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        from rich.console import Console

        from ..compare import render  # imported on use: numpy/scipy would slow every `warta` command

        render(report, Console())


def story_section(store: Any, story_id: int) -> Any:
    """``warta stories show``: the story's comparison below its article list."""
    from ..compare import story_report, view

    obj = click.get_current_context(silent=True)
    settings = obj.obj.settings if obj is not None and obj.obj is not None else None
    return view(story_report(store, story_id, settings))


SHOW_SECTIONS.append(story_section)


@cli.command("compare")
@click.argument("ids", nargs=-1, type=int, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def compare(obj, ids: tuple[int, ...], as_json: bool) -> None:
    """Compare stored articles IDS as one story: what outlets agree on, what one reports, where they differ."""
    from ..compare import report_from_articles

    store = obj.open_store()
    wanted = list(dict.fromkeys(ids))
    articles = [store.get_article(i) for i in wanted]
    missing = [str(i) for i, a in zip(wanted, articles, strict=True) if a is None]
    if missing:
        raise click.ClickException(f"no stored article with id {', '.join(missing)}")
    print_report(report_from_articles(articles, obj.settings), as_json)
