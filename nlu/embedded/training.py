"""Predicting test data with the embedded backend, and cross-validating it.

:func:`predict` turns the examples of a test file into :class:`IntentPrediction`\\ s with
a trained backend (fallback applied, as the service would answer).
:func:`cross_validation_predictions` predicts every training example once with a backend
trained on the other folds (stratified by intent and language), for data that has no
separate test set, such as the bot's own training files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
from sklearn.model_selection import StratifiedKFold

from nlu.embedded.backend import EmbeddedBackend
from nlu.report import IntentPrediction
from nlu.training_data import Example, TrainingData
from nlu.types import EntityLookup


def predict(backend: EmbeddedBackend, examples: Iterable[Example]) -> list[IntentPrediction]:
    """One prediction per example, as the service would answer it (language not hinted)."""
    predictions = []
    for example in examples:
        result = backend.parse_sync(example.text)
        predictions.append(
            IntentPrediction(
                example.text,
                example.intent,
                result.intent.name,
                # the classifier's confidence in its best intent, also when it fell back
                result.intent_ranking[0].confidence
                if result.intent_ranking
                else result.intent.confidence,
                example.language,
            )
        )
    return predictions


def cross_validation_predictions(
    data: TrainingData,
    *,
    folds: int = 5,
    lookups: Sequence[EntityLookup] = (),
    threshold: float | None = None,
    seed: int = 0,
    on_model: Callable[[str], None] | None = None,
) -> list[IntentPrediction]:
    """Every example predicted by a backend trained on the other ``folds - 1`` folds.

    Each fold's backend chooses its own out-of-scope rule from its training part;
    ``on_model`` hears each rule's :meth:`~nlu.embedded.scope.RejectionRule.describe`.
    """
    examples = sorted(data.examples, key=lambda e: (e.intent, e.language or "", e.text))
    strata = [f"{e.intent}|{e.language}" for e in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    predictions: list[IntentPrediction] = []
    for train, held_out in splitter.split(np.zeros(len(examples)), strata):
        part = TrainingData(
            tuple(examples[i] for i in train), data.synonyms, data.regexes, data.lookups
        )
        backend = EmbeddedBackend.train(part, lookups=lookups, threshold=threshold)
        if on_model is not None:
            on_model(backend.rule.describe())
        predictions.extend(predict(backend, (examples[i] for i in held_out)))
    return predictions
