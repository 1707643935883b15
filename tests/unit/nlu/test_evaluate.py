"""Cross-validation report on the fixture shop."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nlu.evaluate import EvaluationReport, cross_validate
from nlu.training_data import load_training_data

SHOP = Path(__file__).parent / "fixtures" / "shop"


@pytest.fixture(scope="module")
def report() -> EvaluationReport:
    return cross_validate(load_training_data(SHOP), folds=3)


def test_every_example_is_predicted_once_by_a_model_that_did_not_see_it(
    report: EvaluationReport,
) -> None:
    data = load_training_data(SHOP)
    assert Counter(p.example for p in report.predictions) == Counter(data.examples)


def test_accuracy_is_reported_per_language_and_overall(report: EvaluationReport) -> None:
    accuracy = report.intent_accuracy()
    assert set(accuracy) == {"all", "en", "es", "it"}
    assert accuracy["all"] > 0.6
    assert report.language_accuracy() > 0.9


def test_higher_thresholds_answer_fewer_messages_more_accurately(
    report: EvaluationReport,
) -> None:
    low, high = report.threshold_table([0.0, 0.8])
    assert low.coverage == 1.0
    assert high.coverage < low.coverage
    assert high.accuracy_answered >= low.accuracy_answered
    assert 0.0 <= report.calibration_error() < 0.25
