"""``warta cleaning vocab``: rebuild the vocabulary the cleaning stage uses to repair glued words."""

from __future__ import annotations

from pathlib import Path

import click

from . import cli

#: The shared news corpus sits beside the repository; an installed warta is told where with --corpus.
DEFAULT_CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "indonews-2025-06"


@cli.group()
def cleaning() -> None:
    """The cleaning stage's data: the vocabulary for glued-word repair."""


@cleaning.command("vocab")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CORPUS,
              show_default=True, help="The indonews-2025-06 folder of the shared corpora.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Vocabulary file [default: the packaged warta/models/vocab-id.tsv].")
@click.option("--min-articles", default=3, show_default=True, help="Keep tokens found in this many articles.")
def vocab(corpus: Path, out: Path | None, min_articles: int) -> None:
    """Token document frequencies over the corpus (deterministic: same corpus, same file)."""
    from ..cleaning import build_vocabulary, corpus_texts

    if not corpus.is_dir():
        raise click.ClickException(f"corpus not found at {corpus} (use --corpus PATH/indonews-2025-06)")
    out = out or Path(__file__).resolve().parents[1] / "models" / "vocab-id.tsv"
    vocab = build_vocabulary(corpus_texts(corpus), min_articles=min_articles)
    out.write_text("".join(f"{w}\t{n}\n" for w, n in vocab.items()), encoding="utf-8")
    click.echo(f"{len(vocab)} tokens (in >= {min_articles} articles) -> {out}")
