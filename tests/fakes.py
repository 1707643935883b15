"""Test doubles that record behaviour: a clock, an NLU backend, a sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.channels.base import DeliveryError, OutgoingMessage
from nlu.types import FALLBACK_INTENT, Entity, IntentScore, Interpretation

LANGUAGE_WORDS = {
    "es": {"hola", "cuánto", "cuanto", "precio", "quiero", "gracias", "envío", "comprar"},
    "it": {"ciao", "quanto", "prezzo", "voglio", "grazie", "spedizione", "comprare"},
}


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        """Move forward by ``timedelta(**kwargs)``."""
        self.now += timedelta(**kwargs)


@dataclass
class FakeNluBackend:
    """Keyword → intent table; the first keyword found in the text wins.

    ``products`` maps surface forms to product ids for the ``product`` entity; set
    ``available`` to False to simulate an outage.
    """

    keywords: dict[str, str]
    products: dict[str, str] = field(default_factory=dict)
    available: bool = True
    calls: list[str] = field(default_factory=list)

    @property
    def intents(self) -> frozenset[str]:
        return frozenset(self.keywords.values())

    async def parse(self, text: str, language_hint: str | None = None) -> Interpretation:
        self.calls.append(text)
        language = _language(text) or language_hint or "en"
        if not self.available:
            return Interpretation.unavailable(text, language, "fake outage")
        lowered = text.lower()
        if lowered.startswith("/") and lowered[1:] in self.intents:
            intent = IntentScore(lowered[1:], 1.0)
        else:
            name = next((i for k, i in self.keywords.items() if k in lowered), None)
            intent = IntentScore(name, 0.9) if name else IntentScore(FALLBACK_INTENT, 0.2)
        entities = tuple(
            Entity("product", pid, lowered.index(k), lowered.index(k) + len(k), k)
            for k, pid in self.products.items()
            if k in lowered
        )
        return Interpretation(
            text=text,
            intent=intent,
            language=language,
            intent_ranking=(intent,),
            entities=entities,
            language_confidence=0.9 if _language(text) else 0.3,
        )


def _language(text: str) -> str | None:
    words = set(text.lower().replace("?", " ").replace("¿", " ").split())
    for language, vocabulary in LANGUAGE_WORDS.items():
        if words & vocabulary:
            return language
    return None


class CollectingSender:
    """A sender that records what it sent; ``fail_with`` makes the next sends raise."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.sent: list[OutgoingMessage] = []
        self.fail_with: list[DeliveryError] = []

    async def send(self, message: OutgoingMessage) -> str | None:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.sent.append(message)
        return f"{self.channel}-{len(self.sent)}"

    @property
    def texts(self) -> list[str]:
        """The texts sent so far."""
        return [m.text for m in self.sent]
