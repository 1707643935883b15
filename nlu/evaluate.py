"""Cross-validation of the embedded NLU on its own training data.

Every example is predicted once by a model that did not see it (stratified k folds over
intent and language), which gives per-language intent accuracy, language-detection
accuracy, the calibration of the confidences and the effect of a fallback threshold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold

from nlu.embedded.classifier import IntentClassifier
from nlu.embedded.encoder import default_encoder
from nlu.language import LanguageDetector, samples_from
from nlu.training_data import Example, TrainingData

ALL = "all"


@dataclass(frozen=True, slots=True)
class HeldOutPrediction:
    """What a model trained without ``example`` made of it."""

    example: Example
    intent: str
    confidence: float
    language: str

    @property
    def correct(self) -> bool:
        """True when the predicted intent is the annotated one."""
        return self.intent == self.example.intent


@dataclass(frozen=True, slots=True)
class ThresholdRow:
    """The effect of one fallback threshold on the held-out predictions."""

    threshold: float
    coverage: float  # share of messages answered (not fallen back)
    accuracy_answered: float  # share of those answered correctly
    wrong_answered: float  # share of all messages answered with a wrong intent


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """Held-out predictions of every example and the figures drawn from them."""

    folds: int
    predictions: tuple[HeldOutPrediction, ...]

    def intent_accuracy(self) -> dict[str, float]:
        """Intent accuracy (before fallback) per language, and over all as ``"all"``."""
        groups: dict[str, list[bool]] = defaultdict(list)
        for p in self.predictions:
            groups[p.example.language or "?"].append(p.correct)
            groups[ALL].append(p.correct)
        return {k: float(np.mean(v)) for k, v in sorted(groups.items())}

    def language_accuracy(self) -> float:
        """Share of examples with a known language whose language was detected right."""
        known = [p for p in self.predictions if p.example.language]
        return float(np.mean([p.language == p.example.language for p in known])) if known else 0.0

    def calibration_error(self, bins: int = 10) -> float:
        """Expected calibration error: mean |confidence − accuracy| over confidence bins."""
        confidence = np.array([p.confidence for p in self.predictions])
        correct = np.array([p.correct for p in self.predictions], dtype=float)
        edges = np.minimum((confidence * bins).astype(int), bins - 1)
        error = 0.0
        for b in range(bins):
            chosen = edges == b
            if chosen.any():
                error += chosen.mean() * abs(confidence[chosen].mean() - correct[chosen].mean())
        return float(error)

    def threshold_table(self, thresholds: Sequence[float]) -> list[ThresholdRow]:
        """Coverage and accuracy of the answered messages for each threshold."""
        confidence = np.array([p.confidence for p in self.predictions])
        correct = np.array([p.correct for p in self.predictions])
        rows = []
        for threshold in thresholds:
            answered = confidence >= threshold
            accuracy = float(correct[answered].mean()) if answered.any() else 0.0
            wrong = float((answered & ~correct).mean())
            rows.append(ThresholdRow(threshold, float(answered.mean()), accuracy, wrong))
        return rows

    def confusions(self, top: int = 10) -> list[tuple[str, str, int]]:
        """The most frequent (annotated, predicted) intent pairs among the mistakes."""
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for p in self.predictions:
            if not p.correct:
                counts[(p.example.intent, p.intent)] += 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(a, b, n) for (a, b), n in ranked[:top]]


def cross_validate(data: TrainingData, folds: int = 5, seed: int = 0) -> EvaluationReport:
    """Predict every example with a model trained on the other folds."""
    examples = sorted(data.examples, key=lambda e: (e.intent, e.language or "", e.text))
    strata = [f"{e.intent}|{e.language}" for e in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    predictions: list[HeldOutPrediction] = []
    encoder = default_encoder()
    for train, held_out in splitter.split(np.zeros(len(examples)), strata):
        part = TrainingData(tuple(examples[i] for i in train), data.synonyms, data.regexes)
        classifier = IntentClassifier.train(part, encoder=encoder, seed=seed)
        samples = samples_from(part.examples)
        detector = LanguageDetector.train(samples) if samples else None
        for i in held_out:
            example = examples[i]
            best = classifier.rank(example.text, 1, encoder)[0]
            language = detector.detect(example.text).language if detector else ""
            predictions.append(HeldOutPrediction(example, best.name, best.confidence, language))
    return EvaluationReport(folds, tuple(predictions))
