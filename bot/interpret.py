"""Turns an inbound message into an interpretation: commands, button payloads, or the NLU."""

from __future__ import annotations

from bot.channels.base import KIND_COMMAND, KIND_UNSUPPORTED, InboundMessage
from journeys.reviews import CSAT_INTENT
from nlu.base import NluBackend
from nlu.clauses import with_parts
from nlu.payload import parse_payload
from nlu.types import IntentScore, Interpretation

COMMAND_INTENTS = {"start": "start", "help": "help", "stop": "stop"}
SYSTEM_PAYLOADS = frozenset({CSAT_INTENT})
"""Button payloads of the bot's own questions, whatever intents the NLU was trained on."""


class Interpreter:
    """Interprets messages with the configured NLU backend.

    Channel commands (/start, /help, /stop) map straight to intents, and the payloads of the
    bot's own buttons (``/csat{"score": 5}``) to theirs, whatever the backend; unsupported content
    (stickers, photos, ...) gives None so the core answers that only text is understood.
    """

    def __init__(self, backend: NluBackend, default_language: str = "en") -> None:
        self.backend = backend
        self.default_language = default_language

    async def interpret(
        self, msg: InboundMessage, known_language: str | None
    ) -> Interpretation | None:
        """The interpretation of ``msg``; ``known_language`` is the customer's, if any."""
        if msg.kind == KIND_UNSUPPORTED:
            return None
        language = known_language or msg.language_hint
        if msg.kind == KIND_COMMAND and msg.command in COMMAND_INTENTS:
            return Interpretation(
                text=msg.text,
                intent=IntentScore(COMMAND_INTENTS[msg.command], 1.0),
                intent_ranking=(IntentScore(COMMAND_INTENTS[msg.command], 1.0),),
                language=language or self.default_language,
                language_confidence=1.0 if language else 0.0,
            )
        system = parse_payload(msg.text, SYSTEM_PAYLOADS, language or self.default_language, 0.0)
        if system is not None:
            return system
        whole = await self.backend.parse(msg.text, language_hint=language)
        return await with_parts(self.backend, whole)
