"""Rasa-shaped evaluation reports and their pictures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlu.plots import save_confidence_histogram, save_confusion_matrix
from nlu.report import IntentPrediction, by_language, intent_report, macro_f1, rasa_examples

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

PREDICTIONS = [
    IntentPrediction("hi", "greet", "greet", 0.9, "en"),
    IntentPrediction("hola", "greet", "greet", 0.8, "es"),
    IntentPrediction("bye", "goodbye", "greet", 0.6, "en"),
    IntentPrediction("ciao ciao", "goodbye", "goodbye", 0.7, "it"),
    IntentPrediction("adiós", "goodbye", "nlu_fallback", 0.3, "es"),
    IntentPrediction("what's the weather", "out_of_scope", "nlu_fallback", 0.2, "en"),
    IntentPrediction("tell me a joke", "out_of_scope", "greet", 0.5, "en"),
]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return intent_report(PREDICTIONS)


def test_report_has_rasas_keys(report: dict[str, Any]) -> None:
    assert {"greet", "goodbye", "out_of_scope", "accuracy", "macro avg", "weighted avg"} <= set(
        report
    )
    greet = report["greet"]
    assert set(greet) == {"precision", "recall", "f1-score", "support", "confused_with"}
    assert set(report["macro avg"]) == {"precision", "recall", "f1-score", "support"}


def test_per_intent_figures_and_confusions(report: dict[str, Any]) -> None:
    greet, goodbye = report["greet"], report["goodbye"]
    assert greet == {  # 4 predicted greet, 2 of them right; both greets found
        "precision": 0.5,
        "recall": 1.0,
        "f1-score": pytest.approx(2 / 3),
        "support": 2,
        "confused_with": {},
    }
    assert goodbye["support"] == 3
    assert goodbye["recall"] == pytest.approx(1 / 3)
    assert goodbye["confused_with"] == {"greet": 1, "nlu_fallback": 1}


def test_out_of_scope_answered_with_fallback_counts_as_right(report: dict[str, Any]) -> None:
    assert report["out_of_scope"]["recall"] == 0.5
    assert report["accuracy"] == pytest.approx(4 / 7)
    assert [e["text"] for e in rasa_examples(PREDICTIONS, correct=True)] == [
        "hi",
        "hola",
        "ciao ciao",
        "what's the weather",
    ]


def test_averages_are_over_the_annotated_intents_only(report: dict[str, Any]) -> None:
    assert report["nlu_fallback"]["support"] == 0
    f1s = [report[i]["f1-score"] for i in ("greet", "goodbye", "out_of_scope")]
    assert macro_f1(PREDICTIONS) == pytest.approx(sum(f1s) / 3)
    assert report["macro avg"]["support"] == len(PREDICTIONS)


def test_errors_have_rasas_shape() -> None:
    errors = rasa_examples(PREDICTIONS, correct=False)
    assert errors[0] == {
        "text": "bye",
        "intent": "goodbye",
        "intent_prediction": {"name": "greet", "confidence": 0.6},
    }
    assert len(errors) == 3


def test_predictions_group_by_language() -> None:
    groups = by_language(PREDICTIONS)
    assert list(groups) == ["en", "es", "it"]
    assert [p.text for p in groups["es"]] == ["hola", "adiós"]


def test_an_empty_test_set_gives_zero_figures() -> None:
    empty = intent_report([])
    assert empty["accuracy"] == 0.0
    assert empty["macro avg"]["f1-score"] == 0.0


@pytest.mark.parametrize("save", [save_confusion_matrix, save_confidence_histogram])
def test_pictures_are_png_files(save: Any, tmp_path: Path) -> None:
    path = tmp_path / "nested" / "picture.png"
    save(PREDICTIONS, path)
    assert path.read_bytes().startswith(PNG_MAGIC)
    assert path.stat().st_size > 5_000


def test_a_large_confusion_matrix_is_drawn_without_labels(tmp_path: Path) -> None:
    many = [IntentPrediction(f"t{i}", f"intent_{i}", f"intent_{i}", 0.9) for i in range(80)]
    path = tmp_path / "big.png"
    save_confusion_matrix(many, path)
    assert path.read_bytes().startswith(PNG_MAGIC)
