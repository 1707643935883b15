"""Choosing the out-of-scope rule from the training data alone.

A shop's training data has no examples of what its customers will ask that nobody
thought of. Whole intents held out stand in for them: the intents are dealt into
``FOLDS`` groups; for each group a classifier is trained on the other intents (less a
``HELD_OUT_SHARE`` of each one's examples) and it predicts both the examples it did not
see of the intents it knows (in scope) and every example of the held-out group (out of
scope). On those simulated messages:

1. a logistic regression learns the scope score (:class:`nlu.embedded.scope.ScopeModel`)
   from the slow-path messages, in scope against held-out intents;
2. the threshold is the one with the best multi-class MCC (out of scope as one class),
   the out-of-scope messages weighted to ``OUT_OF_SCOPE_SHARE`` of the traffic.

Held-out intents are the hardest out-of-scope requests (the shop's own words for
something else); real traffic also brings easy ones (the weather, a joke), hence a third,
not a half. When the data is too small to simulate, :func:`choose_rule` says what it could
not estimate and keeps the documented default (:data:`DEFAULT_THRESHOLD` on the top
confidence); when it can estimate a threshold but not a score, the rule is a confidence
threshold chosen the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import matthews_corrcoef

from nlu.embedded.classifier import Encoder, IntentClassifier
from nlu.embedded.fallback import DEFAULT_THRESHOLD
from nlu.embedded.scope import (
    DEFAULT_FEATURES,
    Neighbours,
    RejectionRule,
    ScopeModel,
    columns_of,
    confidence_rule,
    scope_features,
)
from nlu.training_data import Example, TrainingData

FOLDS = 3
HELD_OUT_SHARE = 0.2
OUT_OF_SCOPE_SHARE = 0.25
MIN_INTENTS = FOLDS + 1
"""Fewer intents leave a fold with a single known intent."""
MIN_SIMULATED = 20
"""Simulated messages needed on each side (in scope, held-out intents) for a threshold."""
MIN_SCORED = 10
"""Slow-path messages needed on each side to fit the scope score."""
CANDIDATES = 200
SURE_IN_SCOPE = 0.9
"""See :func:`scope_ceiling`."""
OUT = "\x00out_of_scope"


class MemoEncoder:
    """An encoder that embeds each distinct text once (training embeds them in batches)."""

    def __init__(self, encoder: Encoder) -> None:
        self._encoder = encoder
        self._known: dict[str, Any] = {}

    def encode(self, texts: list[str]) -> Any:
        """One unit-length row per text, from memory where the text was seen before."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        if missing:
            self._known.update(zip(missing, self._encoder.encode(missing), strict=True))
        return np.stack([self._known[t] for t in texts]).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Simulated:
    """One message of the simulation: its truth, the fold model's answer and features."""

    truth: str
    predicted: str
    confidence: float
    features: Any | None
    """:data:`FEATURES` values on the slow path; None when the fast path answered."""


def choose_rule(
    data: TrainingData,
    classifier: IntentClassifier,
    encoder: Encoder | None,
    *,
    features: Sequence[str] = DEFAULT_FEATURES,
    seed: int = 0,
) -> RejectionRule:
    """The out-of-scope rule for ``classifier`` (trained on ``data``), chosen from ``data``."""
    problem = _too_small(data)
    if problem:
        return confidence_rule(DEFAULT_THRESHOLD, f"default; {problem}")
    simulated = simulate(data, encoder, seed, like=classifier)
    return rule_from(simulated, neighbours_of(classifier, data.examples, encoder), features)


def rule_from(
    simulated: Sequence[Simulated],
    neighbours: Neighbours | None,
    features: Sequence[str] = DEFAULT_FEATURES,
) -> RejectionRule:
    """The rule learnt from ``simulated``: a scope score over ``features`` (none: the top
    confidence) with the threshold of the best simulated MCC, or the default."""
    inside = sum(s.truth != OUT for s in simulated)
    outside = len(simulated) - inside
    if min(inside, outside) < MIN_SIMULATED:
        reason = (
            f"default; held-out intents gave {inside} in-scope and {outside} out-of-scope "
            f"messages, under the {MIN_SIMULATED} needed on each side"
        )
        return confidence_rule(DEFAULT_THRESHOLD, reason)
    summary = (
        f"{FOLDS}-fold cross-validation with whole intents held out ({inside} held-out "
        f"examples of known intents, {outside} of held-out intents)"
    )
    scope = None
    if neighbours is not None and features:
        scope = _fit_scope(simulated, neighbours, tuple(features))
    if scope is None:
        threshold, mcc = best_threshold(simulated, [s.confidence for s in simulated])
        threshold = min(threshold, scope_ceiling())
        note = "" if neighbours is None or not features else "; too few slow-path messages"
        return confidence_rule(threshold, f"chosen by {summary}, simulated MCC {mcc:.3f}{note}")
    values = [1.0 if s.features is None else scope.score_features(s.features) for s in simulated]
    threshold, mcc = best_threshold(simulated, values)
    threshold = min(threshold, scope_ceiling())
    scored = sum(s.features is not None for s in simulated)
    how = f"chosen by {summary}, simulated MCC {mcc:.3f}; score fitted on {scored}"
    return RejectionRule("scope", threshold, how + " slow-path messages", scope)


def _too_small(data: TrainingData) -> str | None:
    intents = len(data.intents)
    if intents < MIN_INTENTS:
        return f"{intents} intents, and holding whole intents out needs at least {MIN_INTENTS}"
    return None


def simulate(
    data: TrainingData,
    encoder: Encoder | None,
    seed: int = 0,
    like: IntentClassifier | None = None,
) -> list[Simulated]:
    """Held-out examples of known intents and examples of held-out intents, predicted.

    The fold models take ``like``'s softmax temperatures (the full model's) when given.
    """
    rng = np.random.default_rng(seed)
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for example in sorted(data.examples, key=lambda e: (e.intent, e.text, e.language or "")):
        by_intent[example.intent].append(example)
    intents = sorted(by_intent)
    rng.shuffle(intents)
    simulated: list[Simulated] = []
    for fold in range(FOLDS):
        held_out = set(intents[fold::FOLDS])
        train: list[Example] = []
        known: list[Example] = []
        for intent in sorted(set(intents) - held_out):
            examples = by_intent[intent]
            count = int(len(examples) * HELD_OUT_SHARE) if len(examples) > 1 else 0
            chosen = set(rng.permutation(len(examples))[: max(count, min(1, len(examples) - 1))])
            known += [e for i, e in enumerate(examples) if i in chosen]
            train += [e for i, e in enumerate(examples) if i not in chosen]
        part = TrainingData(tuple(train), data.synonyms, data.regexes, data.lookups)
        model = IntentClassifier.train(part, encoder=encoder, seed=seed, like=like)
        neighbours = neighbours_of(model, train, encoder)
        outside = [e for i in sorted(held_out) for e in by_intent[i]]
        for example in (*known, *outside):
            truth = example.intent if example.intent not in held_out else OUT
            simulated.append(_predicted(model, neighbours, example.text, truth, encoder))
    return simulated


def _predicted(
    model: IntentClassifier,
    neighbours: Neighbours | None,
    text: str,
    truth: str,
    encoder: Encoder | None,
) -> Simulated:
    assessment = model.assess(text, encoder)
    best = int(np.argmax(assessment.probabilities))
    row = None
    if assessment.embedding is not None and neighbours is not None:
        row = scope_features(assessment, neighbours)
    return Simulated(truth, model.intents[best], float(assessment.probabilities[best]), row)


def neighbours_of(
    classifier: IntentClassifier, examples: Sequence[Example], encoder: Encoder | None
) -> Neighbours | None:
    """The training examples' embeddings, for the scope score's nearest-example features."""
    if encoder is None or not classifier.uses_encoder:
        return None
    index = {intent: i for i, intent in enumerate(classifier.intents)}
    embeddings = encoder.encode([e.text for e in examples])
    labels = np.array([index[e.intent] for e in examples], dtype=np.int32)
    return Neighbours(np.ascontiguousarray(embeddings, dtype=np.float32), labels)


def _fit_scope(
    simulated: Sequence[Simulated], neighbours: Neighbours, features: tuple[str, ...]
) -> ScopeModel | None:
    scored = [s for s in simulated if s.features is not None]
    labels = np.array([s.truth != OUT for s in scored])
    if min(int(labels.sum()), int((~labels).sum())) < MIN_SCORED:
        return None
    matrix = np.array([s.features for s in scored])[:, columns_of(features)]
    regression = LogisticRegression(C=1.0, class_weight="balanced").fit(matrix, labels)
    return ScopeModel(
        features,
        np.asarray(regression.coef_[0], dtype=np.float64),
        float(regression.intercept_[0]),
        neighbours,
    )


def scope_ceiling(share: float = OUT_OF_SCOPE_SHARE, sure: float = SURE_IN_SCOPE) -> float:
    """The highest threshold a chosen rule may have: the score at which a message is
    ``sure`` to be in scope once the regression's balanced odds meet the assumed ``share``
    (0.75 for a quarter and 0.9); a top-confidence rule takes the same ceiling. With few,
    very different intents (SNIPS' seven) the best simulated MCC can lie at turning away
    every message the classifier is not all but certain of; the ceiling keeps the rule
    from turning away what it is nine times in ten sure of."""
    odds = sure / (1 - sure) * share / (1 - share)
    return odds / (1 + odds)


def best_threshold(
    simulated: Sequence[Simulated],
    scores: Sequence[float],
    share: float | None = OUT_OF_SCOPE_SHARE,
) -> tuple[float, float]:
    """The threshold on ``scores`` with the best MCC, and that MCC.

    The out-of-scope messages (truth :data:`OUT`) weigh ``share`` of the total; None
    weighs every message alike.
    """
    truth = np.array([s.truth for s in simulated])
    predicted = np.array([s.predicted for s in simulated])
    values = np.asarray(scores, dtype=np.float64)
    outside = truth == OUT
    weights = None
    if share is not None:
        weights = np.where(outside, share / outside.sum(), (1 - share) / (~outside).sum())
    candidates = np.unique(np.round(np.quantile(values, np.linspace(0, 1, CANDIDATES)), 3))
    best = (-2.0, DEFAULT_THRESHOLD)
    for threshold in candidates:
        answers = np.where(values >= threshold, predicted, OUT)
        mcc = float(matthews_corrcoef(truth, answers, sample_weight=weights))
        best = max(best, (mcc, -float(threshold)))
    return min(1.0, max(0.0, -best[1])), best[0]
