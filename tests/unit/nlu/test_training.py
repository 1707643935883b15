"""Predicting test data and cross-validating the embedded backend."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from nlu.embedded import EmbeddedBackend
from nlu.embedded.training import cross_validation_predictions, predict
from nlu.report import by_language, intent_report
from nlu.training_data import Example, load_training_data
from nlu.types import FALLBACK_INTENT

SHOP = Path(__file__).parent / "fixtures" / "shop"


def test_every_example_is_predicted_once_by_a_model_that_did_not_see_it() -> None:
    data = load_training_data(SHOP)
    predictions = cross_validation_predictions(data, folds=3)
    assert Counter((p.text, p.intent) for p in predictions) == Counter(
        (e.text, e.intent) for e in data.examples
    )
    assert set(by_language(predictions)) == {"en", "es", "it"}
    assert intent_report(predictions)["accuracy"] > 0.8


def test_predictions_apply_the_fallback_but_keep_the_classifiers_confidence() -> None:
    backend = EmbeddedBackend.train(load_training_data(SHOP), threshold=1.0)
    (prediction,) = predict(backend, [Example("where is my order?", "order_status", "en")])
    assert prediction.predicted == FALLBACK_INTENT
    assert 0.5 < prediction.confidence < 1.0
    assert prediction.language == "en"
