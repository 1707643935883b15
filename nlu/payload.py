"""Button payloads in Rasa's syntax: ``/intent``, ``/intent{"entity": "value"}``.

A payload names its intent directly, so it is understood with confidence 1.0 (or the one
written as ``/intent@0.8``) without asking a classifier. Backends try it first. Entity
values may be lists (``{"product": ["xps-13", "air-m2"]}`` gives two entities); every
entity spans the JSON part of the payload, as in Rasa.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection
from typing import Any

from nlu.types import Entity, IntentScore, Interpretation

logger = logging.getLogger(__name__)

_PAYLOAD = re.compile(
    r"^\s*/(?P<intent>[^\s{@/][^\s{@]*)(?:@(?P<confidence>[0-9.]+))?(?P<entities>\{.*\})?\s*$",
    re.DOTALL,
)
EXTRACTOR = "payload"


def parse_payload(
    text: str,
    intents: Collection[str],
    language: str,
    language_confidence: float = 1.0,
) -> Interpretation | None:
    """The interpretation a ``/intent{...}`` payload states, or None when ``text`` is not
    one or names an intent outside ``intents``.

    Malformed entity JSON is logged and ignored (the intent still counts), as Rasa does.
    """
    match = _PAYLOAD.match(text)
    if match is None or match.group("intent") not in intents:
        return None
    confidence = _confidence(match.group("confidence"))
    entities = _entities(match, text)
    return Interpretation(
        text=text,
        intent=IntentScore(match.group("intent"), confidence),
        language=language,
        intent_ranking=(IntentScore(match.group("intent"), confidence),),
        entities=entities,
        language_confidence=language_confidence,
    )


def _confidence(raw: str | None) -> float:
    if raw is None:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        return 1.0
    return min(max(value, 0.0), 1.0)


def _entities(match: re.Match[str], text: str) -> tuple[Entity, ...]:
    raw = match.group("entities")
    if raw is None:
        return ()
    try:
        parsed: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        logger.warning("ignoring malformed entities in payload %r: %s", text, exc.msg)
        return ()
    if not isinstance(parsed, dict):
        logger.warning("ignoring entities of payload %r: not a JSON object", text)
        return ()
    start, end = match.span("entities")
    entities: list[Entity] = []
    for name, value in parsed.items():
        for item in value if isinstance(value, list) else [value]:
            entities.append(Entity(str(name), _as_text(item), start, end, raw, 1.0, EXTRACTOR))
    return tuple(entities)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
