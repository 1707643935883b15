"""The bot's own data: out-of-scope recall and in-scope accuracy per language.

Run from the repository root::

    python -m bench.nlu_own [--folds 5]

* **Off-topic recall**: the model trained on ``nlu/data`` (out-of-scope rule chosen from it)
  answers the held-out off-topic messages of ``bench/data/off_topic/`` (90 per language,
  written for this benchmark and never trained on: products and services the shop does
  not offer, small talk, requests no intent covers). Rejected means ``nlu_fallback`` or
  the trained ``out_of_scope`` intent.
* **In-scope accuracy**: 5-fold cross-validation of ``nlu/data`` (stratified by intent and
  language), each fold's rule chosen from its own training part, the ``out_of_scope``
  intent's examples left out of the figure.

Both are printed for the rule chosen from the data and for the former default, a top
confidence of 0.45, with the same models.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.app import product_lookup
from bot.settings import Settings
from bot.shop_files import load_shop
from nlu.embedded import DEFAULT_THRESHOLD, EmbeddedBackend
from nlu.embedded.training import cross_validation_predictions, predict
from nlu.report import OUT_OF_SCOPE, IntentPrediction, by_language
from nlu.training_data import load_training_data

ROOT = Path(__file__).resolve().parents[1]
OFF_TOPIC = ROOT / "bench" / "data" / "off_topic"
RULES = {"chosen from the data": None, f"top confidence {DEFAULT_THRESHOLD}": DEFAULT_THRESHOLD}


def _share(predictions: list[IntentPrediction]) -> float:
    return sum(p.correct for p in predictions) / len(predictions) if predictions else 0.0


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    lookups = (product_lookup(load_shop(settings.shop_dir)),)
    data = load_training_data(settings.nlu.data)
    trained = EmbeddedBackend.train(data, lookups=lookups)
    console = Console()
    console.print(f"rule chosen from nlu/data: {trained.rule.describe()}")
    off_topic = load_training_data(OFF_TOPIC).examples
    table = Table("rule", "language", "off-topic recall", "in-scope accuracy", title="nlu/data")
    for name, threshold in RULES.items():
        backend = EmbeddedBackend(trained.model, lookups=lookups, threshold=threshold)
        rejected = by_language(predict(backend, off_topic))
        folds = cross_validation_predictions(
            data, folds=args.folds, lookups=lookups, threshold=threshold
        )
        inside = by_language(p for p in folds if p.intent != OUT_OF_SCOPE)
        for language in sorted(inside):
            table.add_row(
                name,
                language,
                f"{_share(rejected.get(language, [])):.3f}",
                f"{_share(inside[language]):.3f}",
            )
        table.add_section()
    console.print(table)


if __name__ == "__main__":
    main()
