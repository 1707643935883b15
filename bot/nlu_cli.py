"""``journeybot nlu train`` and ``journeybot nlu test``, shaped like Rasa's commands.

``train`` fits the embedded model on Rasa-format YAML and writes one model file.
``test`` predicts every example of the test files with a model (a file given with
``--model``, else the service's own model) or by cross-validation on the training data,
and writes Rasa's report files into ``--out``: ``intent_report.json``,
``intent_errors.json``, ``intent_successes.json``, ``intent_confusion_matrix.png`` and
``intent_histogram.png`` (plus the same per language under ``by_language/``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.settings import Settings
from bot.shop_files import load_shop
from nlu.embedded import EmbeddedBackend
from nlu.embedded.backend import TRAINING_STEPS
from nlu.embedded.training import cross_validation_predictions, predict
from nlu.errors import NluError
from nlu.plots import save_confidence_histogram, save_confusion_matrix
from nlu.report import (
    IntentPrediction,
    by_language,
    intent_report,
    out_of_scope_figures,
    rasa_examples,
    top_confusions,
)
from nlu.training_data import TrainingData, load_training_data
from nlu.types import EntityLookup

DEFAULT_MODELS = Path("models")
DEFAULT_RESULTS = Path("results")


@dataclass(frozen=True, slots=True)
class TestOptions:
    """What ``journeybot nlu test`` was asked to do."""

    data: tuple[Path, ...]
    model: Path | None
    out: Path
    cross_validation: bool = False
    folds: int = 5


def train(settings: Settings, data: Sequence[Path], out: Path | None, console: Console) -> int:
    """Train on ``data`` (default: the service's training data) and save the model."""
    paths = list(data) or [settings.nlu.data]
    out = out or DEFAULT_MODELS / f"nlu-{datetime.now(UTC):%Y%m%d-%H%M%S}.joblib"
    started = time.perf_counter()
    try:
        training = load_training_data(paths)
        backend = _train_with_progress(training, settings, console)
        backend.save(out)
    except NluError as exc:
        console.print(f"[red]journeybot nlu train: {exc}[/red]")
        return 1
    seconds = time.perf_counter() - started
    table = Table("training", "", title="NLU model trained", show_header=False)
    table.add_row("examples", str(len(training.examples)))
    table.add_row("intents", str(len(training.intents)))
    table.add_row("languages", ", ".join(sorted(training.languages)) or "unknown")
    table.add_row("seconds", f"{seconds:.2f}")
    table.add_row("out of scope", backend.model.rejection.describe())
    table.add_row("model", str(out))
    console.print(table)
    return 0


def _train_with_progress(
    data: TrainingData, settings: Settings, console: Console
) -> EmbeddedBackend:
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("training", total=len(TRAINING_STEPS))

        def step(name: str) -> None:
            progress.update(task, description=name, advance=1)

        return EmbeddedBackend.train(
            data, lookups=_lookups(settings), threshold=settings.nlu.threshold, on_step=step
        )


def test(settings: Settings, options: TestOptions, console: Console) -> int:
    """Evaluate, write Rasa's report files into ``options.out`` and print a summary."""
    try:
        predictions, rules = _predictions(settings, options)
    except NluError as exc:
        console.print(f"[red]journeybot nlu test: {exc}[/red]")
        return 1
    write_reports(predictions, options.out)
    for language, group in by_language(predictions).items():
        write_reports(group, options.out / "by_language" / language)
    (options.out / "fallback_rule.json").write_text(
        json.dumps({"rules": rules}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    console.print(summary_table(predictions))
    for rule in dict.fromkeys(rules):
        console.print(f"out of scope: {rule}")
    console.print(_confusions_table(predictions))
    console.print(f"reports written to {options.out}")
    return 0


def _predictions(
    settings: Settings, options: TestOptions
) -> tuple[list[IntentPrediction], list[str]]:
    """The predictions, and the out-of-scope rule of each model that made them."""
    lookups = _lookups(settings)
    threshold = settings.nlu.threshold
    if options.cross_validation:
        data = load_training_data(list(options.data) or [settings.nlu.data])
        rules: list[str] = []
        predictions = cross_validation_predictions(
            data, folds=options.folds, lookups=lookups, threshold=threshold, on_model=rules.append
        )
        return predictions, rules
    test_data = load_training_data(list(options.data))
    if options.model is not None:
        backend = EmbeddedBackend.load(options.model, lookups=lookups, threshold=threshold)
    else:
        backend = EmbeddedBackend.train_or_load(
            [settings.nlu.data], settings.nlu.cache_dir, lookups=lookups, threshold=threshold
        )
    return predict(backend, test_data.examples), [backend.rule.describe()]


def _lookups(settings: Settings) -> tuple[EntityLookup, ...]:
    """The catalogue's product names, as the service's NLU sees them."""
    catalogue = load_shop(settings.shop_dir).catalogue
    return (EntityLookup("product", catalogue.names_and_aliases()),)


def write_reports(predictions: Sequence[IntentPrediction], folder: Path) -> None:
    """Write the three JSON files and the two PNG files of Rasa's ``rasa test nlu``."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Any] = {
        "intent_report.json": intent_report(predictions),
        "intent_errors.json": rasa_examples(predictions, correct=False),
        "intent_successes.json": rasa_examples(predictions, correct=True),
    }
    for name, content in files.items():
        (folder / name).write_text(
            json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    save_confusion_matrix(predictions, folder / "intent_confusion_matrix.png")
    save_confidence_histogram(predictions, folder / "intent_histogram.png")


def summary_table(predictions: Sequence[IntentPrediction]) -> Table:
    """Accuracy and macro/weighted F1, over all and per language; with out-of-scope test
    examples also in-scope accuracy, out-of-scope recall and MCC."""
    groups: list[tuple[str, Sequence[IntentPrediction]]] = [("all", predictions)]
    groups += list(by_language(predictions).items())
    scoped = out_of_scope_figures(predictions) is not None
    extra = ("in-scope acc.", "OOS recall", "MCC") if scoped else ()
    columns = ("examples", "", "accuracy", "macro F1", "weighted F1", *extra)
    table = Table(*columns, title="NLU test")
    for name, group in groups:
        report = intent_report(group)
        cells = [
            name,
            str(len(group)),
            f"{report['accuracy']:.3f}",
            f"{report['macro avg']['f1-score']:.3f}",
            f"{report['weighted avg']['f1-score']:.3f}",
        ]
        if scoped:
            figures = out_of_scope_figures(group)
            cells += (
                ["–"] * 3
                if figures is None
                else [
                    f"{figures.in_scope_accuracy:.3f}",
                    f"{figures.oos_recall:.3f}",
                    f"{figures.mcc:.3f}",
                ]
            )
        table.add_row(*cells)
    return table


def _confusions_table(predictions: Sequence[IntentPrediction]) -> Table:
    table = Table("annotated", "predicted", "count", title="most frequent mistakes")
    for truth, predicted, count in top_confusions(predictions, 10):
        table.add_row(truth, predicted, str(count))
    return table
