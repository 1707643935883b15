"""The catalogue's data: products, categories and colours (validated by ``catalogue_schema``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from journeys.text import Words

FALLBACK_LANGUAGE = "en"
Localized = tuple[tuple[str, str], ...]
"""(language, text) pairs with at least English."""


def localized(texts: Localized, language: str) -> str:
    """The text in ``language``, else English, else empty."""
    table = dict(texts)
    return table.get(language) or table.get(FALLBACK_LANGUAGE, "")


@dataclass(frozen=True, slots=True)
class Product:
    """One product. ``specs`` and ``descriptions`` are (key, text) pairs in file order.

    ``policies`` are this product's own answers for FAQ categories (``warranty`` → texts
    per language), which win over the shop-wide FAQ answer; ``colours`` are colour names of
    the catalogue's ``colours`` list.
    """

    id: str
    name: str
    category: str
    price: Decimal
    currency: str
    stock: int
    url: str
    brand: str | None = None
    """The maker ("Apple"); the first word of the name when not given."""
    aliases: tuple[str, ...] = ()
    specs: tuple[tuple[str, str], ...] = ()
    descriptions: Localized = ()
    policies: tuple[tuple[str, Localized], ...] = ()
    colours: tuple[str, ...] = ()
    review_url: str | None = None
    """Where this product's reviews are written (else the shop's ``reviews.review_url``)."""

    @property
    def maker(self) -> str:
        """The brand, or the first word of the name."""
        return self.brand or self.name.split()[0]

    @property
    def in_stock(self) -> bool:
        """True when at least one unit can be sold."""
        return self.stock > 0

    def spec(self, key: str) -> str | None:
        """One spec value (``"16 GB"`` for ``ram``), None when the product has none."""
        return dict(self.specs).get(key)

    def description(self, language: str) -> str:
        """The short description in ``language``, else in English."""
        return localized(self.descriptions, language)

    def policy(self, category: str, language: str) -> str | None:
        """This product's own answer for an FAQ category (None: the shop-wide one applies)."""
        texts = dict(self.policies).get(category)
        return None if texts is None else localized(texts, language)


@dataclass(frozen=True, slots=True)
class Category:
    """A product category: its display names and the words customers use for it."""

    name: str
    labels: Localized = ()
    words: Words = field(default_factory=Words)
    url: str | None = None
    """The shop's page listing the whole category."""

    def label(self, language: str) -> str:
        """The display name in ``language`` (the category's name when it has none)."""
        return localized(self.labels, language) or self.name.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Colour:
    """A colour products come in; the first word of each language is its display name."""

    name: str
    words: Words = field(default_factory=Words)
    labels: Localized = ()

    def label(self, language: str) -> str:
        """How the colour is written in ``language``."""
        return localized(self.labels, language) or self.name
