"""A shop's content: its journey map, reply templates and catalogue, checked together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journeys.catalogue import Catalogue
from journeys.errors import ShopError
from journeys.journey_map import JourneyMap
from journeys.replies import FALLBACK_LANGUAGE, ReplyTemplates
from journeys.stages import StageTracker

START_INTENT = "start"
"""What ``/start`` (a new chat, the widget opening) arrives as."""

INTENT_TEMPLATES: Mapping[str, str] = {
    START_INTENT: "welcome",
    "stop": "opted_out",
    "ask_human": "handoff",
}
"""Intents answered by a template of another name; every other intent by its own name."""

REPLIES_SOURCE = "replies.yml"


@dataclass(frozen=True, slots=True)
class Shop:
    """Everything the core needs to know about one shop. Construction cross-checks the parts."""

    journey_map: JourneyMap
    replies: ReplyTemplates
    catalogue: Catalogue

    def __post_init__(self) -> None:
        _check_intents_have_replies(self.journey_map, self.replies)
        _check_buttons_are_intents(self.journey_map, self.replies)
        _check_specs_have_labels(self.catalogue, self.replies)

    @classmethod
    def from_mappings(cls, journey_map: Any, replies: Any, catalogue: Any) -> Shop:
        """Validate the three parsed files and check them against each other.

        Raises a ContentError subclass naming the file, the key and the bad value.
        """
        return cls(
            journey_map=JourneyMap.from_mapping(journey_map),
            replies=ReplyTemplates.from_mapping(replies),
            catalogue=Catalogue.from_mapping(catalogue),
        )

    @property
    def tracker(self) -> StageTracker:
        """The stage tracker for this shop's journey map."""
        return StageTracker(self.journey_map)

    @staticmethod
    def template_for_intent(intent: str) -> str:
        """The name of the template that answers ``intent``."""
        return INTENT_TEMPLATES.get(intent, intent)


def _check_intents_have_replies(journey_map: JourneyMap, replies: ReplyTemplates) -> None:
    for intent in sorted(journey_map.intents):
        name = Shop.template_for_intent(intent)
        if not replies.has(name, FALLBACK_LANGUAGE):
            raise ShopError(
                REPLIES_SOURCE,
                f"templates.{name}",
                intent,
                "the journey map names this intent but no English reply answers it",
            )


def _check_buttons_are_intents(journey_map: JourneyMap, replies: ReplyTemplates) -> None:
    known = journey_map.intents | {START_INTENT}
    for name, template in sorted(replies.templates.items()):
        for i, intent in enumerate(template.buttons):
            if intent not in known:
                raise ShopError(
                    REPLIES_SOURCE,
                    f"templates.{name}.buttons[{i}]",
                    intent,
                    "a button must send an intent the journey map knows",
                )


def _check_specs_have_labels(catalogue: Catalogue, replies: ReplyTemplates) -> None:
    for product in catalogue:
        for key, _ in product.specs:
            if key not in replies.spec_labels:
                raise ShopError(
                    REPLIES_SOURCE,
                    f"spec_labels.{key}",
                    key,
                    f"product {product.id!r} has this spec but it has no label",
                )
