"""The ``warta`` command: one click group, one module per command group."""

from __future__ import annotations

import os
import sys

import click

from ..settings import load_settings


class Context:
    """What every command gets: settings and the store URL chosen by --db / WARTA_DB."""

    def __init__(self, db: str | None, config: str | None) -> None:
        self.settings = load_settings(config)
        self.db = db

    @property
    def store_url(self) -> str:
        if self.db:
            return self.db if "://" in self.db else f"sqlite:///{self.db}"
        return self.settings.store.url

    def open_store(self):  # noqa: ANN201 - returns a Store
        from ..store import open_store

        return open_store(self.store_url, settings=self.settings)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="WARTA_DB", help="SQLite file or sqlite:/// URL [default: ./warta.db].")
@click.option("--config", envvar="WARTA_CONFIG", type=click.Path(dir_okay=False), help="Settings file (TOML).")
@click.version_option(package_name="warta")
@click.pass_context
def cli(ctx: click.Context, db: str | None, config: str | None) -> None:
    """warta: news story intelligence (ingest, deduplicate, cluster and compare outlets)."""
    ctx.obj = Context(db or os.environ.get("WARTA_DB"), config)


def main() -> None:
    """The ``warta`` command: errors warta raises on purpose end in one line and exit status 2."""
    from ..errors import WartaError

    try:
        cli()
    except WartaError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


# Each command group registers itself on the ``cli`` group when imported.
from . import (  # noqa: E402,F401
    articles,  # articles list/show, search, stats, rejects
    cleaning,  # cleaning vocab
    compare,  # compare
    eval,  # eval stories/timex/...
    ingest,  # ingest, enrich
    serve,  # serve
    sources,  # sources check/show
    stories,  # stories rebuild/list/show/merge/split/move/export
    train,  # train ner
)
