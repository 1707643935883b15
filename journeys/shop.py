"""A shop's content: journey map, reply templates, catalogue, FAQ and facts, checked together."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from journeys.catalogue import Catalogue
from journeys.catalogue_schema import read_currency
from journeys.errors import ShopError
from journeys.facts import ShopFacts
from journeys.faq import Faq
from journeys.journey_map import JourneyMap
from journeys.replies import FALLBACK_LANGUAGE, ReplyTemplates
from journeys.specs import PRICE
from journeys.stages import StageTracker
from journeys.text import fold

START_INTENT = "start"
"""What ``/start`` (a new chat, the widget opening) arrives as."""

INTENT_TEMPLATES: Mapping[str, str] = {
    START_INTENT: "welcome",
    "stop": "opted_out",
    "ask_human": "handoff",
}
"""Intents answered by a template of another name; every other intent by its own name."""

REPLIES_SOURCE = "replies.yml"
FAQ_SOURCE = "faq.yml"
CATALOGUE_SOURCE = "catalogue.yml"


@dataclass(frozen=True, slots=True)
class Shop:
    """Everything the core needs to know about one shop. Construction cross-checks the parts."""

    journey_map: JourneyMap
    replies: ReplyTemplates
    catalogue: Catalogue
    faq: Faq = field(default_factory=Faq)
    facts: ShopFacts = field(default_factory=ShopFacts)
    """The shop's facts, already filled into the texts above (kept for pages and checks)."""
    known_words: frozenset[str] = field(init=False, repr=False, compare=False)
    """Folded words of the shop's own texts: a capitalised one is not an unknown product."""

    def __post_init__(self) -> None:
        _check_intents_have_replies(self.journey_map, self.replies)
        _check_buttons_are_intents(self.journey_map, self.replies)
        _check_specs_have_labels(self.catalogue, self.replies)
        _check_need_reasons(self.catalogue, self.replies)
        _check_faq(self.journey_map, self.faq, self.catalogue)
        object.__setattr__(self, "known_words", _known_words(self.replies, self.faq))

    @classmethod
    def from_mappings(
        cls, journey_map: Any, replies: Any, catalogue: Any, faq: Any = None, facts: Any = None
    ) -> Shop:
        """Validate the parsed files (``faq``/``facts`` None: the shop has no such file) and
        check them together; the facts are filled into the replies, FAQ and policies here.

        Raises a ContentError subclass naming the file, the key and the bad value.
        """
        journey = JourneyMap.from_mapping(journey_map)
        known = shop_facts(facts, journey, catalogue)
        return cls(
            journey_map=journey,
            replies=ReplyTemplates.from_mapping(replies, facts=known),
            catalogue=Catalogue.from_mapping(catalogue, facts=known),
            faq=Faq() if faq is None else Faq.from_mapping(faq, facts=known),
            facts=known,
        )

    @property
    def tracker(self) -> StageTracker:
        """The stage tracker for this shop's journey map."""
        return StageTracker(self.journey_map)

    @staticmethod
    def template_for_intent(intent: str) -> str:
        """The name of the template that answers ``intent``."""
        return INTENT_TEMPLATES.get(intent, intent)


def shop_facts(facts: Any, journey_map: JourneyMap, catalogue: Any) -> ShopFacts:
    """The facts of a shop from its parsed ``facts.yml`` (None: it has none), with amounts in
    the (parsed) catalogue's currency and the support hours of the journey map."""
    if facts is None:
        return ShopFacts()
    return ShopFacts.from_mapping(
        facts,
        currency=read_currency(catalogue),
        office_hours=journey_map.handoff.office_hours,
    )


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


def _check_need_reasons(catalogue: Catalogue, replies: ReplyTemplates) -> None:
    """A need's reason may only name specs the replies have a label for, or the price."""
    for need in catalogue.needs:
        for language, text in need.reasons:
            for name in re.findall(r"\{([a-z0-9_]+)\}", text):
                if name != PRICE and name not in replies.spec_labels:
                    raise ShopError(
                        CATALOGUE_SOURCE,
                        f"needs.{need.name}.reason.{language}",
                        text,
                        f"{{{name}}} is not a spec with a label in replies.yml, nor price",
                    )


def _check_faq(journey_map: JourneyMap, faq: Faq, catalogue: Catalogue) -> None:
    for intent in faq.intents:
        if intent not in journey_map.intents:
            raise ShopError(
                FAQ_SOURCE, f"intents.{intent}", intent, "the journey map has no such intent"
            )
    for product in catalogue:
        for category, _ in product.policies:
            if category not in faq.categories:
                raise ShopError(
                    CATALOGUE_SOURCE,
                    f"products.{product.id}.policies.{category}",
                    category,
                    f"not an FAQ category ({', '.join(sorted(faq.categories)) or 'none'})",
                )


def _known_words(replies: ReplyTemplates, faq: Faq) -> frozenset[str]:
    texts: list[str] = []
    for template in replies.templates.values():
        texts += [text for _, variants in template.variants for text in variants]
    for titles in (*replies.button_titles.values(), *replies.spec_labels.values()):
        texts += titles.values()
    for entry in faq.entries:
        texts += [q for _, variants in entry.questions for q in variants]
        texts += [a for _, a in entry.answers]
    found = {w for text in texts for w in fold(text).split()}
    for vocabulary in replies.specs.words.values():
        for _, phrases in vocabulary.by_language:
            found.update(w for phrase in phrases for w in phrase.words)
    return frozenset(found)
