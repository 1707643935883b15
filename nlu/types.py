"""Result types of interpretation, the only part of ``nlu`` the domain core may import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FALLBACK_INTENT = "nlu_fallback"
"""Predicted when the best intent's confidence is under the threshold (as Rasa's
FallbackClassifier)."""

LANGUAGES = ("en", "es", "it")


@dataclass(frozen=True, slots=True)
class IntentScore:
    """One intent with the classifier's confidence in it (0..1)."""

    name: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Entity:
    """A span of the text recognised as an entity; ``value`` is the normalised value."""

    entity: str
    value: str
    start: int
    end: int
    text: str = ""
    confidence: float = 1.0
    extractor: str = ""


@dataclass(frozen=True, slots=True)
class Interpretation:
    """What the NLU made of one message.

    ``available`` is False when the backend could not be reached: the domain core must not
    mistake an outage for a real (empty) intent. ``backend`` names the backend that answered
    (e.g. ``"embedded"`` when the Rasa server was down), or is empty when nobody said.
    """

    text: str
    intent: IntentScore
    language: str
    intent_ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = ()
    language_confidence: float = 1.0
    available: bool = True
    error: str = ""
    backend: str = ""
    parts: tuple[Interpretation, ...] = ()
    """The questions of a message that asks several ("how much is it and is it in stock?"),
    each interpreted on its own (see ``nlu.clauses``); empty for one question."""

    @classmethod
    def unavailable(cls, text: str, language: str, error: str) -> Interpretation:
        """The explicit "NLU is down" interpretation."""
        return cls(
            text=text,
            intent=IntentScore(FALLBACK_INTENT, 0.0),
            language=language,
            available=False,
            error=error,
        )

    @property
    def is_fallback(self) -> bool:
        """True when nothing was recognised with enough confidence (or NLU is unavailable)."""
        return not self.available or self.intent.name == FALLBACK_INTENT

    def entity_values(self, entity: str) -> tuple[str, ...]:
        """The normalised values of every entity of one type, in order of appearance."""
        return tuple(e.value for e in self.entities if e.entity == entity)

    def to_rasa_dict(self) -> dict[str, Any]:
        """The shape of Rasa's ``/model/parse`` answer, plus ``language``."""
        return {
            "text": self.text,
            "intent": {"name": self.intent.name, "confidence": self.intent.confidence},
            "entities": [
                {
                    "entity": e.entity,
                    "value": e.value,
                    "start": e.start,
                    "end": e.end,
                    "confidence_entity": e.confidence,
                    "extractor": e.extractor,
                }
                for e in self.entities
            ],
            "intent_ranking": [
                {"name": s.name, "confidence": s.confidence} for s in self.intent_ranking
            ],
            "language": self.language,
        }


@dataclass(frozen=True, slots=True)
class EntityLookup:
    """Values the NLU should recognise as an entity (e.g. product names from the catalogue).

    ``synonyms`` maps every surface form (lower-case) to the normalised value.
    """

    entity: str
    synonyms: dict[str, str] = field(default_factory=dict)
