"""The shop's products, validated from an already-parsed ``catalogue.yml``.

``Catalogue.find`` resolves an id, a name or an alias (any case); ``names_and_aliases``
gives the NLU every surface form to recognise as a ``product`` entity.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from journeys.checks import Checker
from journeys.errors import CatalogueError

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TOP_KEYS = ("currency", "categories", "products")
_PRODUCT_KEYS = (
    "id",
    "name",
    "aliases",
    "category",
    "price",
    "currency",
    "specs",
    "stock",
    "url",
    "description",
)
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Product:
    """One product. ``specs`` and ``descriptions`` are (key, text) pairs in file order."""

    id: str
    name: str
    category: str
    price: Decimal
    currency: str
    stock: int
    url: str
    aliases: tuple[str, ...] = ()
    specs: tuple[tuple[str, str], ...] = ()
    descriptions: tuple[tuple[str, str], ...] = ()

    @property
    def in_stock(self) -> bool:
        """True when at least one unit can be sold."""
        return self.stock > 0

    def spec(self, key: str) -> str | None:
        """One spec value (``"16 GB"`` for ``ram``), None when the product has none."""
        return dict(self.specs).get(key)

    def description(self, language: str) -> str:
        """The short description in ``language``, else in English."""
        texts = dict(self.descriptions)
        return texts.get(language) or texts.get("en", "")


def normalise(text: str) -> str:
    """The form names are compared in: lower case, single spaces."""
    return " ".join(text.lower().split())


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The validated product list. Build it with ``from_mapping``."""

    products: tuple[Product, ...]

    @classmethod
    def from_mapping(cls, data: Any, source: str = "catalogue.yml") -> Catalogue:
        """Validate an already-parsed catalogue; raise CatalogueError when it is wrong."""
        check = Checker(CatalogueError, source)
        top = check.check_mapping(data, "(top level)")
        check.check_keys(top, _TOP_KEYS, "")
        currency = _check_currency(check, top.get("currency", "EUR"), "currency")
        categories = check.check_names(top.get("categories"), "categories")
        items = check.check_list(top.get("products"), "products")
        if not items:
            check.fail("products", items, "at least one product is required")
        products: list[Product] = []
        surfaces: dict[str, str] = {}
        for i, item in enumerate(items):
            product = _read_product(check, item, f"products[{i}]", currency, categories)
            if any(p.id == product.id for p in products):
                check.fail(f"products[{i}].id", product.id, "product id used twice")
            _index_surfaces(check, product, surfaces, f"products.{product.id}")
            products.append(product)
        return cls(products=tuple(products))

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)

    def get(self, product_id: str) -> Product | None:
        """The product with exactly this id."""
        return next((p for p in self.products if p.id == product_id), None)

    def find(self, name_or_id: str) -> Product | None:
        """The product with this id, name or alias (any case), or None."""
        found = self.get(name_or_id)
        if found is not None:
            return found
        wanted = normalise(name_or_id)
        product_id = self.names_and_aliases().get(wanted) or self._only_product_named_in(wanted)
        return None if product_id is None else self.get(product_id)

    def _only_product_named_in(self, text: str) -> str | None:
        """The one product whose names/aliases occur as whole words in ``text`` (else None).

        So "ThinkPad X1 Carbon" (alias "thinkpad" + alias "x1 carbon") finds the ThinkPad,
        while "XPS or MacBook" stays ambiguous.
        """
        padded = f" {text} "
        ids = {pid for form, pid in self.names_and_aliases().items() if f" {form} " in padded}
        return ids.pop() if len(ids) == 1 else None

    def names_and_aliases(self) -> dict[str, str]:
        """Every name and alias (lower case) → product id, for the NLU's product lookup."""
        return {
            normalise(text): product.id
            for product in self.products
            for text in (product.name, *product.aliases)
        }

    def nearest(self, text: str, limit: int = 3) -> tuple[Product, ...]:
        """The products whose name or alias looks most like ``text`` (may be empty)."""
        surfaces = self.names_and_aliases()
        close = difflib.get_close_matches(normalise(text), list(surfaces), n=20, cutoff=0.5)
        ids = list(dict.fromkeys(surfaces[s] for s in close))[:limit]
        return tuple(p for i in ids if (p := self.get(i)) is not None)

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories in use, in file order."""
        return tuple(dict.fromkeys(p.category for p in self.products))


def _read_product(
    check: Checker, item: Any, key: str, currency: str, categories: tuple[str, ...]
) -> Product:
    raw = check.check_mapping(item, key)
    product_id = check.check_text(raw.get("id"), f"{key}.id")
    if not _ID.match(product_id):
        check.fail(f"{key}.id", product_id, "expected lower-case letters, digits and dashes")
    key = f"products.{product_id}"
    check.check_keys(raw, _PRODUCT_KEYS, f"{key}.")
    category = check.check_name(raw.get("category"), f"{key}.category")
    if categories and category not in categories:
        check.fail(f"{key}.category", category, f"not one of categories {list(categories)}")
    return Product(
        id=product_id,
        name=check.check_text(raw.get("name"), f"{key}.name"),
        category=category,
        price=_check_price(check, raw.get("price"), f"{key}.price"),
        currency=_check_currency(check, raw.get("currency", currency), f"{key}.currency"),
        stock=check.check_int(raw.get("stock"), f"{key}.stock"),
        url=_check_url(check, raw.get("url"), f"{key}.url"),
        aliases=_check_aliases(check, raw.get("aliases"), f"{key}.aliases"),
        specs=_check_specs(check, raw.get("specs"), f"{key}.specs"),
        descriptions=tuple(
            check.check_localized(raw.get("description"), f"{key}.description").items()
        ),
    )


def _index_surfaces(check: Checker, product: Product, surfaces: dict[str, str], key: str) -> None:
    forms = [(f"{key}.name", product.name)]
    forms += [(f"{key}.aliases[{i}]", alias) for i, alias in enumerate(product.aliases)]
    for where, text in forms:
        surface = normalise(text)
        owner = surfaces.get(surface)
        if owner is not None and owner != product.id:
            check.fail(where, text, f"already the name or an alias of {owner!r}")
        surfaces[surface] = product.id


def _check_price(check: Checker, value: Any, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        check.fail(key, value, "expected a price such as 1299.00")
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        check.fail(key, value, "expected a price such as 1299.00")
    if not price.is_finite() or price <= 0 or price != price.quantize(_CENT):
        check.fail(key, value, "expected a positive price with at most two decimals")
    return price.quantize(_CENT)


def _check_currency(check: Checker, value: Any, key: str) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value):
        check.fail(key, value, "expected an ISO 4217 currency code such as 'EUR'")
    return value


def _check_url(check: Checker, value: Any, key: str) -> str:
    url = check.check_text(value, key)
    if not url.startswith(("https://", "http://")) or " " in url:
        check.fail(key, value, "expected an http(s) address")
    return url


def _check_aliases(check: Checker, value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = check.check_list(value, key)
    return tuple(check.check_text(alias, f"{key}[{i}]") for i, alias in enumerate(items))


def _check_specs(check: Checker, value: Any, key: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    specs: list[tuple[str, str]] = []
    for name, raw in check.check_mapping(value, key).items():
        check.check_name(name, f"{key}.{name}")
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            check.fail(f"{key}.{name}", raw, "expected a text or a number")
        specs.append((name, check.check_text(str(raw), f"{key}.{name}")))
    return tuple(specs)
