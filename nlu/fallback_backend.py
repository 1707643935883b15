"""An NLU backend that falls back to a second one while the first is unavailable.

Typical use: a Rasa server first, the embedded classifier second. When the primary returns
``Interpretation.unavailable(...)`` (server down, timeout, a bad answer), the message is
interpreted by the secondary instead, the outage is logged and counted in a
prometheus-client counter, and the answer says which backend gave it
(``Interpretation.backend``). The outage is never passed off as an empty intent: if the
secondary is unavailable too, its unavailable interpretation is returned.

After a failure the primary is left alone for ``cooldown`` seconds, so that a server that
times out does not slow every message down; the first message after that tries it again.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter

from nlu.base import NluBackend
from nlu.types import Interpretation

logger = logging.getLogger(__name__)

DEFAULT_COOLDOWN = 10.0
"""Seconds the primary is left alone after it failed."""

FALLBACKS_METRIC = "journeybot_nlu_fallbacks"
"""Counter (exported as ``journeybot_nlu_fallbacks_total``) labelled by the failed backend."""


def fallback_counter(registry: CollectorRegistry) -> Counter:
    """The counter of messages the secondary backend answered, registered in ``registry``."""
    return Counter(
        FALLBACKS_METRIC,
        "Messages interpreted by the fallback NLU backend because the primary was unavailable",
        labelnames=("backend",),
        registry=registry,
    )


class FallbackBackend:
    """An ``NluBackend`` that asks ``primary`` and, when it is unavailable, ``secondary``."""

    def __init__(
        self,
        primary: NluBackend,
        secondary: NluBackend,
        *,
        counter: Counter,
        primary_name: str = "rasa",
        secondary_name: str = "embedded",
        cooldown: float = DEFAULT_COOLDOWN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.secondary = secondary
        self.primary_name = primary_name
        self.secondary_name = secondary_name
        self.cooldown = cooldown
        self._failures = counter.labels(backend=primary_name)
        self._clock = clock
        self._retry_at = float("-inf")

    @property
    def intents(self) -> frozenset[str]:
        """Every intent either backend can predict."""
        return self.primary.intents | self.secondary.intents

    async def parse(self, text: str, language_hint: str | None = None) -> Interpretation:
        """The primary's interpretation, or the secondary's while the primary is unavailable."""
        if self._clock() >= self._retry_at:
            result = await self.primary.parse(text, language_hint)
            if result.available:
                return _answered_by(result, self.primary_name)
            self._retry_at = self._clock() + self.cooldown
            logger.warning(
                "NLU backend %s unavailable (%s); %s answers instead",
                self.primary_name,
                result.error,
                self.secondary_name,
            )
        self._failures.inc()
        result = await self.secondary.parse(text, language_hint)
        if not result.available:
            logger.error("NLU backend %s unavailable too: %s", self.secondary_name, result.error)
        return _answered_by(result, self.secondary_name)

    async def aclose(self) -> None:
        """Close both backends (those that hold connections)."""
        for backend in (self.primary, self.secondary):
            aclose = getattr(backend, "aclose", None)
            if aclose is not None:
                await aclose()


def _answered_by(result: Interpretation, name: str) -> Interpretation:
    return result if result.backend else dataclasses.replace(result, backend=name)
