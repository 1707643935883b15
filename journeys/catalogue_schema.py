"""Validation of an already-parsed ``catalogue.yml`` into products, categories and colours.

Top-level keys: ``currency`` (default EUR), ``categories`` (a list of names, or names with
``label`` and ``words`` per language), ``colours`` (name → words per language, the first
being the display name), ``needs`` (see ``journeys.needs``) and ``products``. Every error
names the file, the key path and the bad value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from journeys.checks import Checker
from journeys.errors import CatalogueError
from journeys.facts import ShopFacts
from journeys.needs import Need, read_needs
from journeys.products import Category, Colour, Product
from journeys.text import Words

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
TOP_KEYS = ("currency", "categories", "colours", "needs", "products")
PRODUCT_KEYS = (
    "id",
    "name",
    "brand",
    "aliases",
    "category",
    "price",
    "currency",
    "specs",
    "stock",
    "url",
    "review_url",
    "description",
    "policies",
    "colours",
)


@dataclass(frozen=True, slots=True)
class CatalogueParts:
    """What a catalogue file holds, validated."""

    currency: str
    categories: tuple[Category, ...]
    colours: tuple[Colour, ...]
    needs: tuple[Need, ...]
    products: tuple[Product, ...]


def read_catalogue(
    data: Any, source: str = "catalogue.yml", facts: ShopFacts | None = None
) -> CatalogueParts:
    """Validate a parsed catalogue; raise CatalogueError naming file, key and value.

    The products' policies are filled from ``facts`` (None: the shop has no facts file)."""
    check = Checker(CatalogueError, source)
    top = check.check_mapping(data, "(top level)")
    check.check_keys(top, TOP_KEYS, "")
    currency = read_currency(data, source)
    categories = read_categories(check, top.get("categories"))
    colours = read_colours(check, top.get("colours"))
    names = tuple(c.name for c in categories)
    items = check.check_list(top.get("products"), "products")
    if not items:
        check.fail("products", items, "at least one product is required")
    products: list[Product] = []
    surfaces: dict[str, str] = {}
    for i, item in enumerate(items):
        product = read_product(check, item, f"products[{i}]", currency, names, colours, facts)
        if any(p.id == product.id for p in products):
            check.fail(f"products[{i}].id", product.id, "product id used twice")
        index_surfaces(check, product, surfaces, f"products.{product.id}")
        products.append(product)
    needs = read_needs(check, top.get("needs"), names)
    return CatalogueParts(currency, categories, colours, needs, tuple(products))


def read_product(
    check: Checker,
    item: Any,
    key: str,
    currency: str,
    categories: tuple[str, ...],
    colours: tuple[Colour, ...] = (),
    facts: ShopFacts | None = None,
) -> Product:
    """One product mapping (``key`` names it in errors until its id is known)."""
    raw = check.check_mapping(item, key)
    product_id = check.check_text(raw.get("id"), f"{key}.id")
    if not _ID.match(product_id):
        check.fail(f"{key}.id", product_id, "expected lower-case letters, digits and dashes")
    key = f"products.{product_id}"
    check.check_keys(raw, PRODUCT_KEYS, f"{key}.")
    category = check.check_name(raw.get("category"), f"{key}.category")
    if categories and category not in categories:
        check.fail(f"{key}.category", category, f"not one of categories {list(categories)}")
    return Product(
        id=product_id,
        name=check.check_text(raw.get("name"), f"{key}.name"),
        brand=_optional_text(check, raw.get("brand"), f"{key}.brand"),
        category=category,
        price=check.check_price(raw.get("price"), f"{key}.price"),
        currency=check_currency(check, raw.get("currency", currency), f"{key}.currency"),
        stock=check.check_int(raw.get("stock"), f"{key}.stock"),
        url=check.check_url(raw.get("url"), f"{key}.url"),
        review_url=_optional_url(check, raw.get("review_url"), f"{key}.review_url"),
        aliases=_check_texts(check, raw.get("aliases"), f"{key}.aliases"),
        specs=_check_specs(check, raw.get("specs"), f"{key}.specs"),
        descriptions=tuple(
            check.check_localized(raw.get("description"), f"{key}.description").items()
        ),
        policies=_check_policies(check, raw.get("policies"), f"{key}.policies", facts),
        colours=_check_colours(check, raw.get("colours"), f"{key}.colours", colours),
    )


def read_categories(check: Checker, value: Any) -> tuple[Category, ...]:
    """A list of category names, or a mapping name → ``label`` and ``words``."""
    if value is None or isinstance(value, list):
        return tuple(Category(name) for name in check.check_names(value, "categories"))
    found: list[Category] = []
    for name, raw in check.check_mapping(value, "categories").items():
        key = f"categories.{check.check_name(name, f'categories.{name}')}"
        fields = check.check_mapping(raw or {}, key)
        check.check_keys(fields, ("label", "words", "url"), f"{key}.")
        labels = fields.get("label")
        found.append(
            Category(
                name=name,
                labels=()
                if labels is None
                else tuple(check.check_localized(labels, f"{key}.label").items()),
                words=Words.from_texts(check.check_words(fields.get("words"), f"{key}.words")),
                url=_optional_url(check, fields.get("url"), f"{key}.url"),
            )
        )
    return tuple(found)


def read_colours(check: Checker, value: Any) -> tuple[Colour, ...]:
    """Colour name → words per language; the first word of a language is its display name."""
    if value is None:
        return ()
    found: list[Colour] = []
    for name, raw in check.check_mapping(value, "colours").items():
        key = f"colours.{check.check_name(name, f'colours.{name}')}"
        words = check.check_words(raw, key)
        for lang, texts in words.items():
            if not texts:
                check.fail(f"{key}.{lang}", list(texts), "at least one word is required")
        labels = tuple((lang, texts[0]) for lang, texts in words.items())
        found.append(Colour(name=name, words=Words.from_texts(words), labels=labels))
    return tuple(found)


def index_surfaces(check: Checker, product: Product, surfaces: dict[str, str], key: str) -> None:
    """Refuse a name or alias that is already another product's (``surfaces`` is updated)."""
    forms = [(f"{key}.name", product.name)]
    forms += [(f"{key}.aliases[{i}]", alias) for i, alias in enumerate(product.aliases)]
    for where, text in forms:
        surface = normalise(text)
        owner = surfaces.get(surface)
        if owner is not None and owner != product.id:
            check.fail(where, text, f"already the name or an alias of {owner!r}")
        surfaces[surface] = product.id


def normalise(text: str) -> str:
    """The form names are compared in: lower case, single spaces."""
    return " ".join(text.lower().split())


def read_currency(data: Any, source: str = "catalogue.yml") -> str:
    """The catalogue's currency (top-level ``currency``, EUR when unset), checked."""
    check = Checker(CatalogueError, source)
    top = check.check_mapping(data, "(top level)")
    return check_currency(check, top.get("currency", "EUR"), "currency")


def check_currency(check: Checker, value: Any, key: str) -> str:
    """An ISO 4217 code such as EUR."""
    if not isinstance(value, str) or not _CURRENCY.match(value):
        check.fail(key, value, "expected an ISO 4217 currency code such as 'EUR'")
    return value


def _optional_text(check: Checker, value: Any, key: str) -> str | None:
    return None if value is None else check.check_text(value, key)


def _optional_url(check: Checker, value: Any, key: str) -> str | None:
    return None if value is None or value == "" else check.check_url(value, key)


def _check_texts(check: Checker, value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = check.check_list(value, key)
    return tuple(check.check_text(text, f"{key}[{i}]") for i, text in enumerate(items))


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


def _check_policies(
    check: Checker, value: Any, key: str, facts: ShopFacts | None
) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    if value is None:
        return ()
    facts = ShopFacts() if facts is None else facts
    policies: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for name, texts in check.check_mapping(value, key).items():
        category = check.check_name(name, f"{key}.{name}")
        where = f"{key}.{category}"
        filled = tuple(
            (lang, facts.fill(text, lang, check, f"{where}.{lang}", final=True))
            for lang, text in check.check_localized(texts, where).items()
        )
        policies.append((category, filled))
    return tuple(policies)


def _check_colours(
    check: Checker, value: Any, key: str, colours: tuple[Colour, ...]
) -> tuple[str, ...]:
    names = _check_texts(check, value, key)
    known = {c.name for c in colours}
    for i, name in enumerate(names):
        if name not in known:
            check.fail(f"{key}[{i}]", name, f"not one of colours {sorted(known)}")
    return names
