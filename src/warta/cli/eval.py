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


@eval_.command("stories")
@click.option("--gold", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Gold stories JSON: {\"stories\": [{\"story\": ..., \"urls\": [...]}, ...]}.")
@click.option("--export", "export_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Score this `warta stories export` file instead of the store.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def eval_stories(obj, gold: Path, export_file: Path | None, as_json: bool) -> None:
    """Stories against gold labels: B-cubed and pairwise precision, recall and F1.

    Only gold articles count; a gold URL warta does not have counts as a story of its own.
    """
    import json

    from ..stories import bcubed, export_assignments, pairwise

    try:
        data = json.loads(gold.read_text(encoding="utf-8"))
        labels = {url: s["story"] for s in data["stories"] for url in s["urls"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"cannot read gold stories from {gold}: {exc}") from None
    if export_file is not None:
        lines = export_file.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
    else:
        with obj.open_store() as store:
            records = list(export_assignments(store))
    predicted = {r["url"]: r["story_id"] for r in records if r.get("story_id") is not None}
    found = sum(url in predicted for url in labels)
    scores = {"B-cubed": bcubed(labels, predicted), "pairwise": pairwise(labels, predicted)}
    if as_json:
        out = {name: {"precision": s.precision, "recall": s.recall, "f1": s.f1} for name, s in scores.items()}
        click.echo(json.dumps({"gold_articles": len(labels), "found": found, **out}, indent=2))
        return
    table = Table("measure", "precision", "recall", "F1",
                  title=f"{len(labels)} gold articles in {len(set(labels.values()))} stories ({found} found in warta)")
    for name, s in scores.items():
        table.add_row(name, f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}")
    Console().print(table)
