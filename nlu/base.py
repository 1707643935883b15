"""The port every NLU backend implements."""

from __future__ import annotations

from typing import Protocol

from nlu.types import Interpretation


class NluBackend(Protocol):
    """Interprets one message. Implementations: embedded classifier, Rasa HTTP, test fake.

    ``parse`` never raises for an unreachable backend: it returns
    ``Interpretation.unavailable(...)`` so the caller can answer politely.
    """

    async def parse(self, text: str, language_hint: str | None = None) -> Interpretation:
        """Interpret ``text``; ``language_hint`` is the customer's known language, if any."""
        ...

    @property
    def intents(self) -> frozenset[str]:
        """The intent names this backend can predict."""
        ...
