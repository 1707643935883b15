"""Recommendations by need, category and budget, with one short reason per pick.

``criteria`` reads what a message asks for: the shop's needs (``light*`` → travel), a
category ("monitor"), and a budget from ``amount`` entities (values ``..900`` for "under
900", ``1000..`` for "over 1,000", ``500..900`` for a range, ``900`` or ``~900`` for a plain
or approximate amount, read as "up to"). ``recommend`` keeps the products in stock that fit
all of it, ranks them by the needs' rankings (summed ranks; no need: the dearest within the
budget first, else the shop's own order) and gives up to ``PICKS``. When nothing fits, it
says so and offers the closest products over the budget, never a product that misses the
need.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import partial
from itertools import islice

from journeys.answers import spec_text, stock_level
from journeys.catalogue import Catalogue, Category, Product
from journeys.formatting import format_amount, format_price
from journeys.model import Card, Reply
from journeys.needs import Need
from journeys.replies import Speaker
from journeys.specs import PRICE
from journeys.text import words
from nlu.types import Interpretation

AMOUNT_ENTITY = "amount"
PICKS = 3
_APPROXIMATE = Decimal("1.1")


@dataclass(frozen=True, slots=True)
class Budget:
    """A price range; either end may be open."""

    low: Decimal | None = None
    high: Decimal | None = None

    def allows(self, price: Decimal) -> bool:
        """True when ``price`` is within the range."""
        return (self.low is None or price >= self.low) and (self.high is None or price <= self.high)


@dataclass(frozen=True, slots=True)
class Criteria:
    """What a customer asked to be recommended."""

    needs: tuple[Need, ...] = ()
    category: Category | None = None
    budget: Budget | None = None

    @property
    def given(self) -> bool:
        """True when the message states at least one criterion."""
        return bool(self.needs) or self.category is not None or self.budget is not None


def criteria(interpretation: Interpretation, catalogue: Catalogue) -> Criteria:
    """The needs, category and budget a message states."""
    text_words = words(interpretation.text)
    language = interpretation.language
    needs = tuple(n for n in catalogue.needs if n.words.position(text_words, language) is not None)
    found = [
        (position, c)
        for c in catalogue.category_list
        if (position := c.words.position(text_words, language)) is not None
    ]
    category = min(found, key=lambda item: item[0])[1] if found else None
    if category is not None:  # "the best monitor for photo editing": a laptop need
        needs = tuple(n for n in needs if not n.categories or category.name in n.categories)
    return Criteria(needs=needs, category=category, budget=budget_of(interpretation))


def budget_of(interpretation: Interpretation) -> Budget | None:
    """The budget the ``amount`` entities state (None when there is none)."""
    for value in interpretation.entity_values(AMOUNT_ENTITY):
        budget = _parse_budget(value)
        if budget is not None:
            return budget
    return None


def _parse_budget(value: str) -> Budget | None:
    try:
        if ".." in value:
            low, high = (part.strip() for part in value.split("..", 1))
            return Budget(Decimal(low) if low else None, Decimal(high) if high else None)
        if value.startswith("~"):
            return Budget(None, Decimal(value[1:]) * _APPROXIMATE)
        return Budget(None, Decimal(value))
    except InvalidOperation:
        return None


def recommend(
    wanted: Criteria, catalogue: Catalogue, speaker: Speaker
) -> tuple[Reply, tuple[str, ...]]:
    """The reply with up to ``PICKS`` picks and the ids of the products it names."""
    ordered = _ordered(wanted, catalogue)
    budget = wanted.budget or Budget()
    chosen = list(islice((p for p in ordered if p.in_stock and budget.allows(p.price)), PICKS))
    described = _describe(wanted, catalogue, speaker)
    if chosen:
        picks = _lines(chosen, wanted, catalogue, speaker)
        reply = speaker.say("answer_recommendation", criteria=described, picks=picks)
        return _with_cards(reply, chosen, wanted, catalogue, speaker), tuple(p.id for p in chosen)
    fitting = [p for p in ordered if p.in_stock]
    if not fitting:
        return speaker.say("recommendation_nothing", criteria=described), ()
    closest = sorted(fitting, key=lambda p: _distance(p.price, wanted.budget))[:PICKS]
    picks = _lines(closest, wanted, catalogue, speaker)
    reply = speaker.say("recommendation_none", criteria=described, picks=picks)
    return _with_cards(reply, closest, wanted, catalogue, speaker), tuple(p.id for p in closest)


def _with_cards(
    reply: Reply, products: list[Product], wanted: Criteria, catalogue: Catalogue, speaker: Speaker
) -> Reply:
    """``reply`` with a card per product, the pick's reason as its description."""
    cards = tuple(
        Card(
            name=p.name,
            price=format_price(p.price, p.currency, speaker.language),
            stock=stock_level(p),
            description=_reason(p, wanted, catalogue, speaker),
            url=p.url or None,
        )
        for p in products
    )
    return replace(reply, cards=cards)


def _ordered(wanted: Criteria, catalogue: Catalogue) -> tuple[Product, ...]:
    """The products that fit the category and needs, best first (computed once per shop)."""
    needs = tuple(n.name for n in wanted.needs)
    category = None if wanted.category is None else wanted.category.name
    dearest_first = not needs and wanted.budget is not None and wanted.budget.high is not None
    key = ("recommend", needs, category, dearest_first)
    return catalogue.memo(key, lambda: _rank(wanted, catalogue, dearest_first=dearest_first))


def _rank(wanted: Criteria, catalogue: Catalogue, *, dearest_first: bool) -> tuple[Product, ...]:
    """No need: the dearest first when a budget caps the price, else the shop's order; with
    needs: by the sum of the places each need's ranking gives, then the cheapest."""
    candidates = _candidates(wanted, catalogue)
    if not wanted.needs:
        return tuple(sorted(candidates, key=lambda p: -p.price) if dearest_first else candidates)
    totals = {p.id: 0 for p in candidates}
    for need in wanted.needs:
        ordered = sorted(candidates, key=partial(_order, need=need, catalogue=catalogue))
        for place, product in enumerate(ordered):
            totals[product.id] += place
    return tuple(sorted(candidates, key=lambda p: (totals[p.id], p.price)))


def _candidates(wanted: Criteria, catalogue: Catalogue) -> list[Product]:
    """The products of the category asked (else of the needs' categories, else of the
    shop's first category) that fit every need."""
    if wanted.category is not None:
        pool: tuple[Product, ...] = catalogue.in_category(wanted.category.name)
    elif named := {c for n in wanted.needs for c in n.categories}:
        pool = tuple(p for p in catalogue if p.category in named)
    else:
        pool = catalogue.in_category(catalogue.categories[0])
    return [p for p in pool if all(n.fits(p, catalogue.quantity) for n in wanted.needs)]


def _order(product: Product, need: Need, catalogue: Catalogue) -> tuple[tuple[int, float], ...]:
    """Sort key: each ranking spec in turn, products without it last."""
    keys: list[tuple[int, float]] = []
    for key, highest_first in need.ranking:
        measured = catalogue.quantity(product, key)
        if measured is None:
            keys.append((1, 0.0))
        else:
            keys.append((0, -measured.value if highest_first else measured.value))
    return tuple(keys)


def _lines(
    products: list[Product], wanted: Criteria, catalogue: Catalogue, speaker: Speaker
) -> str:
    return "\n".join(
        f"{number}. {p.name} – {format_price(p.price, p.currency, speaker.language)}: "
        f"{_reason(p, wanted, catalogue, speaker)}"
        for number, p in enumerate(products, start=1)
    )


def _reason(product: Product, wanted: Criteria, catalogue: Catalogue, speaker: Speaker) -> str:
    fields = {
        key: text
        for key, _ in product.specs
        if (text := spec_text(product, key, speaker, catalogue))
    }
    fields[PRICE] = format_price(product.price, product.currency, speaker.language)
    reasons = [r for need in wanted.needs if (r := need.reason(product, speaker.language, fields))]
    return "; ".join(dict.fromkeys(reasons)) or product.description(speaker.language)


def _describe(wanted: Criteria, catalogue: Catalogue, speaker: Speaker) -> str:
    parts = [need.label(speaker.language) for need in wanted.needs]
    if wanted.category is not None:
        parts.append(wanted.category.label(speaker.language))
    if wanted.budget is not None:
        parts.append(_budget_text(wanted.budget, catalogue.currency, speaker))
    return ", ".join(parts)


def _budget_text(budget: Budget, currency: str, speaker: Speaker) -> str:
    def amount(value: Decimal) -> str:
        return format_amount(value.quantize(Decimal(1)), currency, speaker.language)

    if budget.low is not None and budget.high is not None:
        return speaker.text("budget_between", low=amount(budget.low), high=amount(budget.high))
    if budget.low is not None:
        return speaker.text("budget_over", amount=amount(budget.low))
    return speaker.text("budget_under", amount=amount(budget.high or Decimal(0)))


def _distance(price: Decimal, budget: Budget | None) -> Decimal:
    if budget is None:
        return Decimal(0)
    if budget.high is not None and price > budget.high:
        return price - budget.high
    if budget.low is not None and price < budget.low:
        return budget.low - price
    return Decimal(0)
