"""Answers about products from the catalogue: price, stock and specs.

The product comes from the message's ``product`` entities (values are catalogue ids, names
or aliases), else from the products the conversation was last about. A name the catalogue
does not know gets an "we don't have that" answer with the nearest names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from journeys.catalogue import Catalogue, Product
from journeys.formatting import format_price
from journeys.model import Reply
from journeys.replies import Speaker
from nlu.types import Entity, Interpretation

PRODUCT_ENTITY = "product"
PRODUCT_QUESTIONS = frozenset({"ask_price", "ask_stock", "ask_specs"})
"""Intents answered from the catalogue when the product is known."""

LOW_STOCK = 3
"""At or under this many units, the stock answer says only a few are left."""
MAX_ANSWERED = 3
"""At most this many products are answered in one turn."""
SUGGESTIONS = 3


@dataclass(frozen=True, slots=True)
class ProductAnswer:
    """The replies to a product question and the products they were about."""

    replies: tuple[Reply, ...]
    products: tuple[str, ...]


def mentioned_products(interpretation: Interpretation, catalogue: Catalogue) -> tuple[str, ...]:
    """The ids of the catalogue products the message names, in order, without repeats."""
    found = (catalogue.find(e.value) for e in _product_entities(interpretation))
    return tuple(dict.fromkeys(p.id for p in found if p is not None))


def answer_product_question(
    intent: str,
    interpretation: Interpretation,
    last_products: tuple[str, ...],
    catalogue: Catalogue,
    speaker: Speaker,
) -> ProductAnswer:
    """Answer ``intent`` (one of PRODUCT_QUESTIONS) about the products in play."""
    ids = mentioned_products(interpretation, catalogue)
    unknown = [e for e in _product_entities(interpretation) if catalogue.find(e.value) is None]
    if not ids and not unknown:
        ids = tuple(i for i in last_products if catalogue.get(i) is not None)
    products = [p for i in ids[:MAX_ANSWERED] if (p := catalogue.get(i)) is not None]
    replies = [_answer(intent, p, speaker) for p in products]
    if unknown:
        replies.append(_not_found(unknown[0], catalogue, speaker))
    if not replies:
        replies.append(speaker.say(intent))
    return ProductAnswer(replies=_buttons_on_last(replies), products=tuple(p.id for p in products))


def _product_entities(interpretation: Interpretation) -> list[Entity]:
    return [e for e in interpretation.entities if e.entity == PRODUCT_ENTITY]


def _answer(intent: str, product: Product, speaker: Speaker) -> Reply:
    values = {
        "product": product.name,
        "price": format_price(product.price, product.currency, speaker.language),
        "stock": str(product.stock),
        "url": product.url,
    }
    if intent == "ask_specs":
        return speaker.say(
            "answer_specs",
            specs=_specs_text(product, speaker),
            description=product.description(speaker.language),
            **values,
        )
    if intent == "ask_stock":
        return speaker.say(_stock_template(product), **values)
    return speaker.say("answer_price", **values)


def _stock_template(product: Product) -> str:
    if not product.in_stock:
        return "answer_stock_out"
    return "answer_stock_low" if product.stock <= LOW_STOCK else "answer_stock_available"


def _specs_text(product: Product, speaker: Speaker) -> str:
    labels = speaker.templates
    return "\n".join(
        f"• {labels.spec_label(key, speaker.language)}: {value}" for key, value in product.specs
    )


def _not_found(entity: Entity, catalogue: Catalogue, speaker: Speaker) -> Reply:
    asked = entity.text or entity.value
    nearest = catalogue.nearest(asked, SUGGESTIONS) or catalogue.products[:SUGGESTIONS]
    return speaker.say(
        "unknown_product", product=asked, suggestions=", ".join(p.name for p in nearest)
    )


def _buttons_on_last(replies: list[Reply]) -> tuple[Reply, ...]:
    """Several answers in a row: only the last one carries the quick replies."""
    return tuple(replace(r, buttons=()) for r in replies[:-1]) + tuple(replies[-1:])
