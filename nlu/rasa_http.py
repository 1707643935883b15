"""Client for a Rasa server started with ``rasa run --enable-api`` (``POST /model/parse``).

Rasa is never imported: the server is reached over HTTP with an explicit timeout. When it
cannot answer (connection refused, timeout, HTTP error, an answer that is not the
``/model/parse`` shape) :meth:`RasaHttpBackend.parse` logs the problem and returns
``Interpretation.unavailable(...)``. Rasa does not detect languages, so the language comes
from ``nlu.language`` (product names and other entities blanked out first).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import aiohttp

from nlu.errors import BackendUnavailable
from nlu.language import LanguageDetector, blank_entities, default_detector
from nlu.payload import parse_payload
from nlu.types import FALLBACK_INTENT, Entity, IntentScore, Interpretation

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
EXTRACTOR = "rasa"


class RasaHttpBackend:
    """An ``NluBackend`` that asks a Rasa server; close it with :meth:`aclose`."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        token: str | None = None,
        intents: Iterable[str] = (),
        detector: LanguageDetector | None = None,
    ) -> None:
        self.endpoint = url.rstrip("/") + "/model/parse"
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._params = {"token": token} if token else {}
        self._intents = frozenset(intents)
        self._detector = detector or default_detector()
        self._session: aiohttp.ClientSession | None = None

    @property
    def intents(self) -> frozenset[str]:
        """The intents given at construction (Rasa's own list is not fetched)."""
        return self._intents

    async def parse(self, text: str, language_hint: str | None = None) -> Interpretation:
        """Ask the server; never raises for an outage (see the module docstring)."""
        if not text.strip():
            language = language_hint or self._detector.languages[0]
            return Interpretation(
                text, IntentScore(FALLBACK_INTENT, 0.0), language, language_confidence=0.0
            )
        guess = self._detector.resolve(text, language_hint)
        payload = parse_payload(text, self._intents, guess.language, guess.confidence)
        if payload is not None:
            return payload
        try:
            answer = await self._post(text)
            return interpretation_from_rasa(answer, text, self._detector, language_hint)
        except BackendUnavailable as exc:
            logger.warning("Rasa NLU at %s unavailable: %s", self.endpoint, exc)
            return Interpretation.unavailable(text, guess.language, str(exc))

    async def _post(self, text: str) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.post(
                self.endpoint, json={"text": text}, params=self._params
            ) as response:
                if response.status != 200:
                    raise BackendUnavailable(f"HTTP {response.status} from {self.endpoint}")
                return await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError) as exc:
            problem = "timed out" if isinstance(exc, TimeoutError) else str(exc)
            raise BackendUnavailable(problem or exc.__class__.__name__) from exc
        except ValueError as exc:  # the body is not JSON
            raise BackendUnavailable(f"answer is not JSON: {exc}") from exc

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> RasaHttpBackend:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


def interpretation_from_rasa(
    answer: Any, text: str, detector: LanguageDetector, language_hint: str | None = None
) -> Interpretation:
    """Map a ``/model/parse`` answer; ``BackendUnavailable`` if it has another shape."""
    if not isinstance(answer, dict):
        raise BackendUnavailable("answer is not a JSON object")
    try:
        intent = _intent(answer.get("intent"))
        ranking = tuple(_intent(item) for item in answer.get("intent_ranking") or ())
        entities = _join_split_entities(
            [_entity(item, text) for item in answer.get("entities") or ()], text
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise BackendUnavailable(f"answer is not a /model/parse result: {exc!r}") from exc
    guess = detector.resolve(blank_entities(text, entities), language_hint)
    return Interpretation(
        text=text,
        intent=intent,
        language=guess.language,
        intent_ranking=ranking,
        entities=entities,
        language_confidence=guess.confidence,
        backend=EXTRACTOR,
    )


def _join_split_entities(entities: list[Entity], text: str) -> tuple[Entity, ...]:
    """One entity for a name DIET tagged word by word ("Dell" + "XPS 13" -> "Dell XPS 13")."""
    joined: list[Entity] = []
    for entity in sorted(entities, key=lambda e: e.start):
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.entity == entity.entity
            and last.value == last.text
            and entity.value == entity.text
            and 0 <= entity.start - last.end <= 1
            and not text[last.end : entity.start].strip()
        ):
            span = text[last.start : entity.end]
            joined[-1] = dataclasses.replace(
                last,
                value=span,
                end=entity.end,
                text=span,
                confidence=min(last.confidence, entity.confidence),
            )
        else:
            joined.append(entity)
    return tuple(joined)


def _intent(raw: Any) -> IntentScore:
    if raw is None or raw.get("name") is None:  # Rasa's answer when nothing was predicted
        return IntentScore(FALLBACK_INTENT, 0.0)
    return IntentScore(str(raw["name"]), float(raw.get("confidence") or 0.0))


def _entity(raw: Any, text: str) -> Entity:
    start, end = int(raw["start"]), int(raw["end"])
    span = text[start:end] if 0 <= start <= end <= len(text) else ""
    value = raw.get("value")
    confidence = raw.get("confidence_entity")
    return Entity(
        entity=str(raw["entity"]),
        value=span if value is None else value if isinstance(value, str) else str(value),
        start=start,
        end=end,
        text=span,
        confidence=1.0 if confidence is None else float(confidence),
        extractor=str(raw.get("extractor") or EXTRACTOR),
    )
