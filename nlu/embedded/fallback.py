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
"""The documented default on the top confidence, as in Rasa's config (``nlu/rasa/config.yml``):
used when the training data is too small to choose a rule from it
(:mod:`nlu.embedded.scope_search`)."""
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

    def apply(
        self, ranking: Sequence[IntentScore], in_scope: bool | None = None
    ) -> tuple[IntentScore, tuple[IntentScore, ...]]:
        """The intent to report and the ranking to keep (best first, at most ``ranking_size``).

        ``in_scope`` is the out-of-scope rule's verdict (:mod:`nlu.embedded.scope`); None
        compares the best confidence with ``threshold``.
        """
        kept = tuple(ranking[: self.ranking_size])
        if not kept:
            return IntentScore(FALLBACK_INTENT, 0.0), kept
        best = kept[0]
        runner_up = kept[1].confidence if len(kept) > 1 else 0.0
        if in_scope is None:
            in_scope = best.confidence >= self.threshold
        if not in_scope:
            return IntentScore(FALLBACK_INTENT, self.threshold), kept
        if best.confidence - runner_up < self.ambiguity_threshold:
            return IntentScore(FALLBACK_INTENT, self.threshold), kept
        return best, kept
