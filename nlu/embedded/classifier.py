"""The intent classifier: TF-IDF features into a linear SVM with calibrated confidences.

The SVM's decision scores become probabilities by a softmax with a temperature fitted
on out-of-fold scores (temperature scaling, minimising the log-loss): a confidence of 0.7
then means "right about 70 % of the time" on data like the training data. One model
serves every language.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from nlu.embedded.features import CompiledFeatures, build_features
from nlu.errors import TrainingDataError
from nlu.training_data import TrainingData
from nlu.types import IntentScore

SVM_C = 0.5
CALIBRATION_FOLDS = 3
DEFAULT_TEMPERATURE = 7.0
"""Used when there are too few examples per intent to fit the temperature."""
TEMPERATURE_BOUNDS = (0.5, 50.0)


@dataclass(frozen=True, slots=True)
class IntentClassifier:
    """A trained classifier; :meth:`rank` scores every intent for one text."""

    features: CompiledFeatures
    weights: Any  # (features × intents) coefficients of the linear model
    bias: Any  # (intents,)
    temperature: float
    intents: tuple[str, ...]

    @classmethod
    def train(cls, data: TrainingData, *, seed: int = 0) -> IntentClassifier:
        """Fit on ``data`` (at least two intents); deterministic for the same content."""
        examples = sorted(data.examples, key=lambda e: (e.intent, e.text, e.language or ""))
        labels = [e.intent for e in examples]
        if len(set(labels)) < 2:
            where = ", ".join(data.sources) or "training data"
            raise TrainingDataError(where, None, "needs examples of at least two intents")
        features = build_features(data.regexes, data.lookups)
        matrix = features.fit_transform([e.text for e in examples])
        y = np.array(labels)
        temperature = _fit_temperature(matrix, y, seed)
        model = LinearSVC(C=SVM_C, random_state=seed).fit(matrix, y)
        weights, bias = model.coef_.T, model.intercept_
        if len(model.classes_) == 2:  # one column for the second class: make it two
            weights, bias = np.column_stack([-weights[:, 0], weights[:, 0]]), np.r_[-bias, bias]
        return cls(
            CompiledFeatures.from_fitted(features),
            np.ascontiguousarray(weights),
            np.asarray(bias),
            temperature,
            tuple(str(c) for c in model.classes_),
        )

    def scores(self, text: str) -> Any:
        """The linear model's decision score for every intent (order of ``intents``)."""
        indices, values = self.features.sparse_row(text)
        return values @ self.weights[indices] + self.bias

    def rank(self, text: str, limit: int | None = None) -> tuple[IntentScore, ...]:
        """The intents with their confidences, best first (the ``limit`` best ones)."""
        probabilities = _softmax(self.scores(text)[np.newaxis, :] * self.temperature)[0]
        order = np.argsort(-probabilities, kind="stable")[:limit]
        return tuple(IntentScore(self.intents[i], float(probabilities[i])) for i in order)


def _decision_scores(model: Any, matrix: Any) -> Any:
    scores = model.decision_function(matrix)
    if scores.ndim == 1:  # two classes: one score for the second class
        return np.column_stack([-scores, scores])
    return scores


def _softmax(logits: Any) -> Any:
    shifted = logits - logits.max(axis=1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=1, keepdims=True)


def _fit_temperature(matrix: Any, y: Any, seed: int) -> float:
    """The softmax temperature that minimises the log-loss of out-of-fold decision scores."""
    folds = min(CALIBRATION_FOLDS, min(Counter(y.tolist()).values()))
    if folds < 2:
        return DEFAULT_TEMPERATURE
    classes = np.unique(y)
    scores = np.zeros((len(y), len(classes)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, held_out in splitter.split(matrix, y):
        model = LinearSVC(C=SVM_C, random_state=seed).fit(matrix[train], y[train])
        scores[held_out] = _decision_scores(model, matrix[held_out])
    truth = np.searchsorted(classes, y)

    def log_loss(temperature: float) -> float:
        probabilities = _softmax(scores * temperature)[np.arange(len(y)), truth]
        return float(-np.log(np.clip(probabilities, 1e-12, None)).mean())

    result = minimize_scalar(log_loss, bounds=TEMPERATURE_BOUNDS, method="bounded")
    return float(result.x)
