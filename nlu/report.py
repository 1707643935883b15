"""Intent evaluation reports in the shape of Rasa's ``rasa test nlu`` output.

From one prediction per test example this module builds:

* ``intent_report.json``: per intent ``precision``, ``recall``, ``f1-score``, ``support``
  and ``confused_with`` (the up to three intents it was most often mistaken for), then
  ``accuracy``, ``macro avg`` and ``weighted avg``, as Rasa writes it;
* ``intent_errors.json`` / ``intent_successes.json``: ``text``, ``intent`` and
  ``intent_prediction`` {``name``, ``confidence``} for every wrong / right prediction.

A test example annotated ``out_of_scope`` that the fallback rejected (``nlu_fallback``)
is counted as right: recognising that nothing applies is the right answer to it. The
averages are taken over the intents of the test data; ``nlu_fallback`` predictions of
in-scope examples lower their intent's recall (and get a row of their own, support 0).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import matthews_corrcoef

from nlu.types import FALLBACK_INTENT

OUT_OF_SCOPE = "out_of_scope"
CONFUSED_WITH = 3


@dataclass(frozen=True, slots=True)
class IntentPrediction:
    """What the model made of one test example."""

    text: str
    intent: str
    """The annotated intent."""
    predicted: str
    """The predicted intent after the fallback step (may be ``nlu_fallback``)."""
    confidence: float
    language: str | None = None
    """The example's annotated language, if known."""

    @property
    def scored_as(self) -> str:
        """The prediction as scored: ``nlu_fallback`` of an out-of-scope example counts right."""
        if self.intent == OUT_OF_SCOPE and self.predicted == FALLBACK_INTENT:
            return OUT_OF_SCOPE
        return self.predicted

    @property
    def correct(self) -> bool:
        """True when the prediction is scored as the annotated intent."""
        return self.scored_as == self.intent


def labels_of(predictions: Iterable[IntentPrediction]) -> list[str]:
    """Annotated intents (sorted), then predicted-only ones such as ``nlu_fallback``."""
    items = list(predictions)
    annotated = sorted({p.intent for p in items})
    extra = sorted({p.scored_as for p in items} - set(annotated))
    return annotated + extra


def confusion_matrix(
    predictions: Sequence[IntentPrediction], labels: Sequence[str]
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Counts of (annotated row, scored prediction column) over ``labels``."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for p in predictions:
        matrix[index[p.intent], index[p.scored_as]] += 1
    return matrix


def intent_report(predictions: Sequence[IntentPrediction]) -> dict[str, Any]:
    """The report ``rasa test nlu`` writes to ``intent_report.json``."""
    labels = labels_of(predictions)
    matrix = confusion_matrix(predictions, labels)
    annotated = {p.intent for p in predictions}
    report: dict[str, Any] = {}
    rows: list[tuple[float, float, float, int]] = []
    for i, label in enumerate(labels):
        row = _label_row(matrix, i)
        report[label] = {
            "precision": row[0],
            "recall": row[1],
            "f1-score": row[2],
            "support": row[3],
            "confused_with": _confused_with(matrix, labels, i),
        }
        if label in annotated:
            rows.append(row)
    total = len(predictions)
    report["accuracy"] = sum(p.correct for p in predictions) / total if total else 0.0
    report["macro avg"] = _average(rows, weighted=False)
    report["weighted avg"] = _average(rows, weighted=True)
    return report


def _label_row(matrix: np.ndarray[Any, Any], i: int) -> tuple[float, float, float, int]:
    true_positives = float(matrix[i, i])
    predicted = float(matrix[:, i].sum())
    support = int(matrix[i, :].sum())
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, support


def _confused_with(matrix: np.ndarray[Any, Any], labels: Sequence[str], i: int) -> dict[str, int]:
    mistakes = [(int(n), labels[j]) for j, n in enumerate(matrix[i]) if j != i and n > 0]
    mistakes.sort(key=lambda pair: (-pair[0], pair[1]))
    return {label: n for n, label in mistakes[:CONFUSED_WITH]}


def _average(rows: Sequence[tuple[float, float, float, int]], *, weighted: bool) -> dict[str, Any]:
    support = sum(r[3] for r in rows)
    if not rows or (weighted and not support):
        return {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": support}
    weights = [r[3] / support if weighted else 1 / len(rows) for r in rows]
    return {
        "precision": sum(w * r[0] for w, r in zip(weights, rows, strict=True)),
        "recall": sum(w * r[1] for w, r in zip(weights, rows, strict=True)),
        "f1-score": sum(w * r[2] for w, r in zip(weights, rows, strict=True)),
        "support": support,
    }


def rasa_examples(
    predictions: Iterable[IntentPrediction], *, correct: bool
) -> list[dict[str, Any]]:
    """``intent_successes.json`` (``correct=True``) or ``intent_errors.json`` entries."""
    return [
        {
            "text": p.text,
            "intent": p.intent,
            "intent_prediction": {"name": p.predicted, "confidence": p.confidence},
        }
        for p in predictions
        if p.correct is correct
    ]


def macro_f1(predictions: Sequence[IntentPrediction]) -> float:
    """The ``macro avg`` f1-score of :func:`intent_report`."""
    return float(intent_report(predictions)["macro avg"]["f1-score"])


def by_language(
    predictions: Iterable[IntentPrediction],
) -> dict[str, list[IntentPrediction]]:
    """The predictions grouped by the examples' annotated language (unknown left out)."""
    groups: dict[str, list[IntentPrediction]] = defaultdict(list)
    for p in predictions:
        if p.language:
            groups[p.language].append(p)
    return dict(sorted(groups.items()))


def top_confusions(
    predictions: Iterable[IntentPrediction], top: int = 10
) -> list[tuple[str, str, int]]:
    """The most frequent (annotated, predicted) pairs among the wrong predictions."""
    counts = Counter((p.intent, p.predicted) for p in predictions if not p.correct)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(truth, predicted, n) for (truth, predicted), n in ranked[:top]]


@dataclass(frozen=True, slots=True)
class OutOfScopeFigures:
    """How a model does on test data with out-of-scope examples."""

    in_scope_accuracy: float
    """In-scope examples given their own intent (not rejected, not mistaken)."""
    oos_recall: float
    """Out-of-scope examples rejected (``nlu_fallback``, or a trained ``out_of_scope``)."""
    mcc: float
    """Matthews correlation over every label, out of scope (and any rejection) one class."""
    macro_f1: float
    """:func:`intent_report`'s macro-F1, out of scope among the classes."""


def out_of_scope_figures(predictions: Sequence[IntentPrediction]) -> OutOfScopeFigures | None:
    """The figures of out-of-scope detection; None when no example is out of scope."""
    inside = [p.correct for p in predictions if p.intent != OUT_OF_SCOPE]
    outside = [p.correct for p in predictions if p.intent == OUT_OF_SCOPE]
    if not outside or not inside:
        return None
    rejected = {FALLBACK_INTENT, OUT_OF_SCOPE}
    truth = [p.intent for p in predictions]
    answers = [OUT_OF_SCOPE if p.predicted in rejected else p.predicted for p in predictions]
    return OutOfScopeFigures(
        in_scope_accuracy=sum(inside) / len(inside),
        oos_recall=sum(outside) / len(outside),
        mcc=float(matthews_corrcoef(truth, answers)),
        macro_f1=macro_f1(predictions),
    )
