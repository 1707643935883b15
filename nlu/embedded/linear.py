"""A linear SVM whose decision scores become calibrated probabilities.

The scores become probabilities by a softmax with a temperature fitted on out-of-fold
scores (temperature scaling, minimising the log-loss): a confidence of 0.7 then means
"right about 70 % of the time" on data like the training data. Two folds are enough to
fit one number, and cost half of what three would.

The softmax has one more input than there are intents: a constant ``NONE_MARGIN``, the
score of "none of them". A one-vs-rest SVM gives a positive score to an intent that claims
the message and a negative one otherwise; when every intent declines (gibberish, a
question about the weather), "none" takes most of the probability and the best intent's
confidence falls under the fallback threshold, however the intents compare with each
other. The confidences therefore sum to less than one, the rest being the probability that
no intent applies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

SVM_C = 0.5
CALIBRATION_FOLDS = 2
DEFAULT_TEMPERATURE = 7.0
"""Used when there are too few examples per intent to fit the temperature."""
TEMPERATURE_BOUNDS = (0.5, 50.0)
NONE_MARGIN = -0.5
"""The decision score of the implicit "none of the intents" class."""


@dataclass(frozen=True, slots=True)
class LinearHead:
    """Weights of a one-vs-rest linear SVM over all intents, and its softmax temperature."""

    weights: Any  # (features × intents)
    bias: Any  # (intents,)
    temperature: float

    @classmethod
    def fit(cls, matrix: Any, y: Any, temperature: float, seed: int) -> LinearHead:
        """Fit on ``matrix`` (examples × features) and the labels ``y``."""
        model = LinearSVC(C=SVM_C, random_state=seed).fit(matrix, y)
        weights, bias = model.coef_.T, model.intercept_
        if len(model.classes_) == 2:  # one column for the second class: make it two
            weights, bias = np.column_stack([-weights[:, 0], weights[:, 0]]), np.r_[-bias, bias]
        # half precision quarters the model's memory (CLINC150: 300 MB of weights in float64);
        # a score moves by about 1e-3, far below what separates two intents
        return cls(
            np.ascontiguousarray(weights, dtype=np.float16),
            np.asarray(bias, dtype=np.float32),
            temperature,
        )

    def probabilities(self, scores: Any) -> Any:
        """Calibrated probabilities from decision scores (one row per text)."""
        return softmax(np.atleast_2d(scores) * self.temperature, NONE_MARGIN * self.temperature)


def softmax(logits: Any, none: float | None = None) -> Any:
    """Row-wise softmax; with ``none``, over one more constant logit that is left out."""
    top = logits.max(axis=1, keepdims=True)
    if none is not None:
        top = np.maximum(top, none)
    weights = np.exp(logits - top)
    total = weights.sum(axis=1, keepdims=True)
    if none is not None:
        total += np.exp(none - top)
    return weights / total


def _decision_scores(model: Any, matrix: Any) -> Any:
    scores = model.decision_function(matrix)
    if scores.ndim == 1:  # two classes: one score for the second class
        return np.column_stack([-scores, scores])
    return scores


def fit_temperature(matrix: Any, y: Any, seed: int) -> float:
    """The softmax temperature that minimises the log-loss of out-of-fold decision scores."""
    folds = min(CALIBRATION_FOLDS, min(Counter(y.tolist()).values()))
    if folds < 2:
        return DEFAULT_TEMPERATURE
    classes = np.unique(y)
    scores = np.zeros((len(y), len(classes)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, held_out in splitter.split(matrix, y):
        if len(np.unique(y[train])) < len(classes):
            return DEFAULT_TEMPERATURE
        model = LinearSVC(C=SVM_C, random_state=seed).fit(matrix[train], y[train])
        scores[held_out] = _decision_scores(model, matrix[held_out])
    truth = np.searchsorted(classes, y)

    def log_loss(temperature: float) -> float:
        logits = scores * temperature
        probabilities = softmax(logits, NONE_MARGIN * temperature)[np.arange(len(y)), truth]
        return float(-np.log(np.clip(probabilities, 1e-12, None)).mean())

    result = minimize_scalar(log_loss, bounds=TEMPERATURE_BOUNDS, method="bounded")
    return float(result.x)
