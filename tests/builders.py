"""Builders for test data: customers, interpretations, the demo shop. Unique ids by default."""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from journeys.model import CustomerState
from journeys.shop import Shop
from nlu.types import Entity, IntentScore, Interpretation

DEMO_SHOP_DIR = Path(__file__).resolve().parents[1] / "bot" / "content" / "demo_shop"

_ids = itertools.count(1)


def new_id(prefix: str = "customer") -> str:
    """A fresh id, unique within the test run."""
    return f"{prefix}-{next(_ids)}"


def customer_state(**fields: Any) -> CustomerState:
    """A CustomerState with a unique id; any field may be given."""
    fields.setdefault("customer_id", new_id())
    return CustomerState(**fields)


def product_entity(value: str, text: str = "") -> Entity:
    """A ``product`` entity whose value is a catalogue id (or an unknown name)."""
    return Entity(entity="product", value=value, start=0, end=len(text or value), text=text)


def interpretation(
    intent: str,
    *,
    language: str = "en",
    confidence: float = 0.95,
    language_confidence: float = 0.95,
    entities: tuple[Entity, ...] = (),
    text: str = "",
) -> Interpretation:
    """An available interpretation of ``intent``."""
    score = IntentScore(intent, confidence)
    return Interpretation(
        text=text or intent,
        intent=score,
        language=language,
        intent_ranking=(score,),
        entities=entities,
        language_confidence=language_confidence,
    )


def load_demo_content(name: str) -> Any:
    """One parsed content file of the demo shop (``journey_map``, ``replies``, ``catalogue``,
    ``faq``, ``facts``)."""
    return yaml.safe_load((DEMO_SHOP_DIR / f"{name}.yml").read_text(encoding="utf-8"))


@cache
def demo_shop() -> Shop:
    """The demo shop built from its real content files (loaded once per test run)."""
    return Shop.from_mappings(
        load_demo_content("journey_map"),
        load_demo_content("replies"),
        load_demo_content("catalogue"),
        load_demo_content("faq"),
        load_demo_content("facts"),
    )
