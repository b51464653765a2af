"""The ``warta`` command: one click group, one module per command group."""

from __future__ import annotations

import os

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
@click.option("--db", envvar="WARTA_DB", help="Database: a SQLite path or a postgresql:// URL [default: ./warta.db].")
@click.option("--config", envvar="WARTA_CONFIG", type=click.Path(dir_okay=False), help="Settings file (TOML).")
@click.version_option(package_name="warta")
@click.pass_context
def cli(ctx: click.Context, db: str | None, config: str | None) -> None:
    """warta: news story intelligence (ingest, deduplicate, cluster and compare outlets)."""
    ctx.obj = Context(db or os.environ.get("WARTA_DB"), config)


def main() -> None:
    cli()


from . import cleaning  # noqa: E402,F401  (registers `warta cleaning`)
from . import serve  # noqa: E402,F401  (registers `warta serve`)
from . import eval  # noqa: E402,F401  (registers `warta eval`)
from . import sources  # noqa: E402,F401  (registers `warta sources`)
from . import compare  # noqa: E402,F401  (registers `warta compare`)
from . import articles, ingest  # noqa: E402,F401  (ingest, enrich, articles, search, stats, rejects)
from . import train  # noqa: E402,F401  (registers `warta train`)
from . import stories  # noqa: E402,F401  (registers `warta stories`)
