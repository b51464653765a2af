"""``warta eval``: score warta's extractors on the shared evaluation corpora."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from . import cli

#: The shared corpora sit beside the repository; an installed warta is told where with --gold.
INDOTIMEX_GOLD = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "indotimex" / "Kompas_test_gold"
#: Mirza (2015), PACLING: IndoTimex recognition and normalisation F1 on the same 25 documents.
MIRZA_2015 = {"recognition (relaxed)": 92.87, "normalisation (value)": 85.26}


@cli.group("eval")
def eval_() -> None:
    """Evaluate warta's extractors on the shared corpora."""


@eval_.command("timex")
@click.option("--gold", type=click.Path(file_okay=False, path_type=Path), default=INDOTIMEX_GOLD,
              show_default=True, help="A folder of TimeML (*.tml) gold documents.")
@click.option("--include-dct", is_flag=True, help="Also score each document's creation-time expression.")
@click.option("--errors", is_flag=True, help="List every missed, spurious and mismatched expression.")
def eval_timex(gold: Path, include_dct: bool, errors: bool) -> None:
    """Temporal expressions on IndoTimex: recognition P/R/F1 (strict, relaxed), value and type F1.

    Each document is anchored on its creation time (DCT); the DCT itself is not scored unless
    --include-dct. Figures beside Mirza (2015): 92.87 recognition F1, 85.26 normalisation F1.
    """
    from ..timeml import read_timeml, score

    if not gold.is_dir():
        raise click.ClickException(f"no TimeML gold documents at {gold} (use --gold DIR)")
    documents = read_timeml(gold)
    if not documents:
        raise click.ClickException(f"no *.tml files in {gold}")
    scores = score(documents, include_dct=include_dct)
    console = Console()
    dct = "including" if include_dct else "excluding"
    table = Table("measure", "precision", "recall", "F1", "Mirza 2015 F1",
                  title=f"{scores.documents} documents, {scores.relaxed.gold} TIMEX3 ({dct} the DCT)")
    for name, prf in scores.rows():
        published = MIRZA_2015.get(name)
        table.add_row(name, f"{100 * prf.precision:.2f}", f"{100 * prf.recall:.2f}", f"{100 * prf.f1:.2f}",
                      "" if published is None else f"{published:.2f}")
    console.print(table)
    if errors:
        for line in scores.errors:
            click.echo(line)
