"""What the shop sells, at a glance: the answer to "what laptops do you sell?".

For one category: how many models, from which makers, the price range, every model's name
and the category's page. For the whole shop: each category with its count and makers.
Never a handful of picks: an overview shows everything, a recommendation chooses.
"""

from __future__ import annotations

from collections.abc import Sequence

from journeys.catalogue import Catalogue, Product
from journeys.formatting import format_price
from journeys.model import Button, Reply
from journeys.replies import Speaker

BROWSE_LINK = "browse_category"
"""The button title that links to a category's page."""


def overview_reply(
    catalogue: Catalogue, category: str | None, speaker: Speaker, *, but: str | None = None
) -> Reply:
    """The overview of ``category`` (None: of every category, ``but`` one)."""
    if category is None or not catalogue.in_category(category):
        return _shop_overview(catalogue, speaker, but)
    products = catalogue.in_category(category)
    prices = [p.price for p in products]
    currency = products[0].currency
    reply = speaker.say(
        "category_overview",
        count=str(len(products)),
        category=catalogue.category(category).label(speaker.language),
        brands=_makers(products),
        low=format_price(min(prices), currency, speaker.language),
        high=format_price(max(prices), currency, speaker.language),
        names=", ".join(p.name for p in products),
    )
    url = catalogue.category(category).url
    if url is None:
        return reply
    title = speaker.text(BROWSE_LINK)
    return Reply(
        reply.text, (Button(title, url), *reply.buttons), reply.template, cards=reply.cards
    )


def _shop_overview(catalogue: Catalogue, speaker: Speaker, but: str | None) -> Reply:
    lines = []
    for name in (c for c in catalogue.categories if c != but):
        products = catalogue.in_category(name)
        label = catalogue.category(name).label(speaker.language)
        lines.append(f"• {len(products)} {label} ({_makers(products)})")
    return speaker.say("catalogue_overview", categories="\n".join(lines))


def _makers(products: Sequence[Product]) -> str:
    return ", ".join(sorted({p.maker for p in products}, key=str.lower))
