"""Replies about single products from the catalogue: price, stock, specs, colours, and the
"we don't sell that" / "which one do you mean?" answers.

Every number is written in the customer's locale and every text in their language.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from journeys.catalogue import Catalogue, Colour, Product
from journeys.formatting import format_price, localize_numbers
from journeys.model import Button, Reply
from journeys.replies import Speaker

LOW_STOCK = 3
"""At or under this many units, the stock answer says only a few are left."""
SUGGESTIONS = 3
CARD_SPECS = 4
"""How many specs a product card shows."""
COLOURS_SPEC = "colours"


def values(product: Product, speaker: Speaker) -> dict[str, str]:
    """The placeholders every product template may use."""
    return {
        "product": product.name,
        "price": format_price(product.price, product.currency, speaker.language),
        "stock": str(product.stock),
        "url": product.url,
    }


def spec_text(product: Product, key: str, speaker: Speaker, catalogue: Catalogue) -> str | None:
    """One spec of ``product`` as the customer reads it (None when it has none)."""
    if key == COLOURS_SPEC:
        return colour_list(product, speaker, catalogue) or None
    value = product.spec(key)
    return None if value is None else localize_numbers(value, speaker.language)


def colour_list(product: Product, speaker: Speaker, catalogue: Catalogue) -> str:
    """``black, silver`` in the customer's language."""
    labels = [
        c.label(speaker.language) if (c := catalogue.colour(name)) else name
        for name in product.colours
    ]
    return ", ".join(labels)


def price_reply(product: Product, speaker: Speaker) -> Reply:
    """The price, VAT included."""
    return speaker.say("answer_price", **values(product, speaker))


def stock_reply(product: Product, speaker: Speaker) -> Reply:
    """In stock, only a few left, or out of stock."""
    return speaker.say(stock_template(product), **values(product, speaker))


def stock_level(product: Product) -> str:
    """``in``, ``low`` (``LOW_STOCK`` or fewer left) or ``out``."""
    if not product.in_stock:
        return "out"
    return "low" if product.stock <= LOW_STOCK else "in"


def stock_template(product: Product, prefix: str = "answer_stock") -> str:
    """The template for the product's stock level (``availability`` for the short form)."""
    if not product.in_stock:
        return f"{prefix}_out"
    if product.stock <= LOW_STOCK:
        return f"{prefix}_low"
    return f"{prefix}_available" if prefix == "answer_stock" else f"{prefix}_in_stock"


def specs_reply(product: Product, speaker: Speaker, catalogue: Catalogue) -> Reply:
    """Every spec, one per line, with the description."""
    keys = [key for key, _ in product.specs] + ([COLOURS_SPEC] if product.colours else [])
    lines = [f"• {speaker.label(k)}: {spec_text(product, k, speaker, catalogue)}" for k in keys]
    return speaker.say(
        "answer_specs",
        specs="\n".join(lines),
        description=product.description(speaker.language),
        **values(product, speaker),
    )


def spec_reply(
    product: Product, keys: Sequence[str], speaker: Speaker, catalogue: Catalogue
) -> Reply:
    """Only the specs asked about; says so when the product has none of them."""
    found = [(k, t) for k in keys if (t := spec_text(product, k, speaker, catalogue)) is not None]
    if not found:
        label = speaker.label(keys[0]).lower() if keys else ""
        return speaker.say("answer_spec_missing", spec=label, **values(product, speaker))
    specs = "; ".join(f"{speaker.label(k)}: {text}" for k, text in found)
    return speaker.say("answer_spec", specs=specs, **values(product, speaker))


def colour_reply(product: Product, colour: Colour, speaker: Speaker, catalogue: Catalogue) -> Reply:
    """Whether the product comes in ``colour``, and in which colours it does."""
    fields = values(product, speaker) | {
        "colour": colour.label(speaker.language),
        "colours": colour_list(product, speaker, catalogue),
    }
    if not product.colours:
        return speaker.say("answer_colour_unknown", **fields)
    name = "answer_colour_yes" if colour.name in product.colours else "answer_colour_no"
    return speaker.say(name, **fields)


def card_reply(product: Product, speaker: Speaker, catalogue: Catalogue) -> Reply:
    """A short summary: price, availability and the first few specs."""
    keys = [key for key, _ in product.specs][:CARD_SPECS]
    specs = " · ".join(
        f"{speaker.label(k)}: {spec_text(product, k, speaker, catalogue)}" for k in keys
    )
    availability = speaker.text(stock_template(product, "availability"), stock=str(product.stock))
    return speaker.say(
        "answer_product", availability=availability, specs=specs, **values(product, speaker)
    )


def unknown_reply(asked: str, intent: str, catalogue: Catalogue, speaker: Speaker) -> Reply:
    """We don't sell ``asked``; the nearest names, each a button that asks again (or, when
    no name is near, an offer to recommend one)."""
    nearest = catalogue.nearest(asked, SUGGESTIONS)
    if not nearest:
        return speaker.say("unknown_product_nothing_near", product=asked)
    reply = speaker.say(
        "unknown_product", product=asked, suggestions=", ".join(p.name for p in nearest)
    )
    return replace(reply, buttons=product_buttons(nearest, intent))


def ambiguous_reply(products: Sequence[Product], intent: str, speaker: Speaker) -> Reply:
    """Which of these do you mean? Each option shows its price and is a button."""
    options = "; ".join(
        f"{p.name} ({format_price(p.price, p.currency, speaker.language)})" for p in products
    )
    reply = speaker.say("ambiguous_product", options=options)
    return replace(reply, buttons=product_buttons(products, intent))


def product_buttons(products: Sequence[Product], intent: str) -> tuple[Button, ...]:
    """One button per product that asks ``intent`` about it (``/ask_price{"product": id}``)."""
    return tuple(
        Button(
            title=p.name, payload=f"/{intent}{json.dumps({'product': p.id}, separators=(',', ':'))}"
        )
        for p in products
    )


def buttons_on_last(replies: Sequence[Reply]) -> tuple[Reply, ...]:
    """Several answers in a row: only the last one carries the quick replies."""
    return tuple(replace(r, buttons=()) for r in replies[:-1]) + tuple(replies[-1:])
