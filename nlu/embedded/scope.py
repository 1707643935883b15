"""Out-of-scope detection: the rule that decides a message is none of the intents.

A :class:`RejectionRule` is stored with every trained model. It is one of two kinds:

* ``confidence``: the message falls back when the best intent's confidence is under the
  threshold (Rasa's FallbackClassifier; what ``JOURNEYBOT_NLU_THRESHOLD`` sets);
* ``scope``: the message falls back when its *scope score* is under the threshold. The
  score is a logistic regression over what the classifier saw of the message
  (:data:`DEFAULT_FEATURES`): the best confidence and the cosine similarity of the
  message's sentence embedding to the nearest training example of the predicted intent
  and of any intent (:data:`FEATURES` also offers the margin over the second intent and
  the share of probability the intents claim, for the ablation). Messages the fast path
  answers alone (no embedding, at least ``CASCADE`` sure) are in scope.

The score's weights and its threshold are learnt from the training data alone by
:mod:`nlu.embedded.scope_search`, which holds whole intents out to stand in for requests
nobody wrote examples for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

FEATURES = ("confidence", "margin", "claimed", "nearest_same", "nearest_any")
"""Every feature the scope score can use, in the order of :func:`scope_features`."""
DEFAULT_FEATURES = ("confidence", "nearest_same", "nearest_any")
"""The features training uses: in the ablation of ``bench/nlu_oos.py`` the nearest-example
similarities pay (2 to 4 MCC points on BANKING77-OOS), the margin and the claimed share
do not (within 0.2 points either way), so they are left out."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the classifier computed for one message."""

    probabilities: Any
    """Calibrated probability of every intent (the classifier's order)."""
    embedding: Any | None
    """The unit-length sentence embedding, or None when the fast path answered alone."""


@dataclass(frozen=True, slots=True)
class Neighbours:
    """The training examples' embeddings (unit length) and their intents' indices."""

    embeddings: Any  # (examples × 512) float32
    intents: Any  # (examples,) int32, index into the classifier's intents

    def nearest(self, embedding: Any, intent: int) -> tuple[float, float]:
        """Cosine similarity to the nearest example of ``intent`` and of any intent."""
        similarities = self.embeddings @ embedding
        same = similarities[self.intents == intent]
        return float(same.max()) if same.size else -1.0, float(similarities.max())


def scope_features(assessment: Assessment, neighbours: Neighbours) -> Any:
    """The values of :data:`FEATURES` for one slow-path message (one row)."""
    probabilities = assessment.probabilities
    order = np.argsort(-probabilities)
    best = float(probabilities[order[0]])
    second = float(probabilities[order[1]]) if len(order) > 1 else 0.0
    same, any_ = neighbours.nearest(assessment.embedding, int(order[0]))
    return np.array([best, best - second, float(probabilities.sum()), same, any_])


@dataclass(frozen=True, slots=True)
class ScopeModel:
    """A logistic regression over a subset of :data:`FEATURES`: P(message is in scope)."""

    features: tuple[str, ...]
    coefficients: Any
    intercept: float
    neighbours: Neighbours = field(repr=False)

    def score(self, assessment: Assessment) -> float:
        """The probability that the message is one of the intents (1.0 on the fast path)."""
        if assessment.embedding is None:
            return 1.0
        return self.score_features(scope_features(assessment, self.neighbours))

    def score_features(self, row: Any) -> float:
        """The score of a row of all :data:`FEATURES` (this model uses its own subset)."""
        values = row[columns_of(self.features)]
        return float(1.0 / (1.0 + np.exp(-(values @ self.coefficients + self.intercept))))


def columns_of(features: Sequence[str]) -> list[int]:
    """Where ``features`` stand in a row of :data:`FEATURES`."""
    return [FEATURES.index(name) for name in features]


@dataclass(frozen=True, slots=True)
class RejectionRule:
    """When a message is out of scope, and how that rule was chosen."""

    kind: Literal["confidence", "scope"]
    threshold: float
    how: str
    """One sentence for people: how the threshold was chosen (or why the default)."""
    scope: ScopeModel | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"fallback threshold must be within 0..1, got {self.threshold}")
        if (self.kind == "scope") != (self.scope is not None):
            raise ValueError("a scope rule needs its scope model, a confidence rule none")

    def score(self, assessment: Assessment) -> float:
        """The value compared with the threshold: scope score or best confidence."""
        if self.scope is not None:
            return self.scope.score(assessment)
        probabilities = assessment.probabilities
        return float(probabilities.max()) if len(probabilities) else 0.0

    def in_scope(self, assessment: Assessment) -> bool:
        """True when the message should get its best intent, False for ``nlu_fallback``."""
        return self.score(assessment) >= self.threshold

    def describe(self) -> str:
        """The rule in one line, e.g. ``scope score ≥ 0.57 (chosen by …)``."""
        what = "scope score" if self.kind == "scope" else "top confidence"
        return f"{what} ≥ {self.threshold:.2f}: {self.how}"


def confidence_rule(threshold: float, how: str) -> RejectionRule:
    """The plain rule: fall back under ``threshold`` of the best intent's confidence."""
    return RejectionRule("confidence", threshold, how)
