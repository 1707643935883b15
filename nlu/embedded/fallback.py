"""The fallback step, run after the classifier (as Rasa's FallbackClassifier).

When the best intent's confidence is under ``threshold``, or when the two best intents are
closer than ``ambiguity_threshold``, the predicted intent becomes ``nlu_fallback`` with
the threshold as its confidence (Rasa's convention). The ranking keeps the classifier's
real intents, so the caller can still see what was almost understood.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlu.types import FALLBACK_INTENT, IntentScore

DEFAULT_THRESHOLD = 0.45
"""As in Rasa's config (``nlu/rasa/config.yml``); with the calibrated confidences the demo
data's 5-fold cross-validation (``journeybot nlu test --cross-validation``) reaches a
macro-F1 over 0.9 in every language with it (see ``nlu/README.md``)."""
RANKING_SIZE = 10


@dataclass(frozen=True, slots=True)
class FallbackPolicy:
    """Decides when a ranking is too unsure to act on."""

    threshold: float = DEFAULT_THRESHOLD
    ambiguity_threshold: float = 0.0
    ranking_size: int = RANKING_SIZE

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"fallback threshold must be within 0..1, got {self.threshold}")
        if not 0.0 <= self.ambiguity_threshold <= 1.0:
            raise ValueError(
                f"ambiguity threshold must be within 0..1, got {self.ambiguity_threshold}"
            )

    def apply(self, ranking: Sequence[IntentScore]) -> tuple[IntentScore, tuple[IntentScore, ...]]:
        """The intent to report and the ranking to keep (best first, at most ``ranking_size``)."""
        kept = tuple(ranking[: self.ranking_size])
        if not kept:
            return IntentScore(FALLBACK_INTENT, 0.0), kept
        best = kept[0]
        runner_up = kept[1].confidence if len(kept) > 1 else 0.0
        if best.confidence < self.threshold:
            return IntentScore(FALLBACK_INTENT, self.threshold), kept
        if best.confidence - runner_up < self.ambiguity_threshold:
            return IntentScore(FALLBACK_INTENT, self.threshold), kept
        return best, kept
