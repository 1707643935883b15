"""The catalogue: finding products by what customers call them, and refusing bad files."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from journeys.catalogue import Catalogue
from journeys.errors import CatalogueError
from journeys.formatting import format_price
from tests.unit.journeys.content import catalogue_data


@pytest.mark.parametrize("asked", ["xps-13", "Dell XPS 13", "dell xps 13", "XPS", "  xps   13 "])
def test_a_product_is_found_by_id_name_or_alias_in_any_case(asked: str) -> None:
    product = Catalogue.from_mapping(catalogue_data()).find(asked)

    assert product is not None
    assert product.id == "xps-13"


def test_an_unknown_name_finds_nothing() -> None:
    assert Catalogue.from_mapping(catalogue_data()).find("Galaxy Book") is None


def test_names_and_aliases_map_every_surface_form_to_its_id() -> None:
    surfaces = Catalogue.from_mapping(catalogue_data()).names_and_aliases()

    assert surfaces["dell xps 13"] == "xps-13"
    assert surfaces["mba"] == "macbook-air-13"
    assert surfaces["pavilion"] == "hp-pavilion-15"
    assert all(s == s.lower() for s in surfaces)


def test_nearest_suggests_similar_names() -> None:
    nearest = Catalogue.from_mapping(catalogue_data()).nearest("Dell XPS 15")

    assert [p.id for p in nearest] == ["xps-13"]


def test_products_keep_exact_prices_stock_and_texts() -> None:
    catalogue = Catalogue.from_mapping(catalogue_data())
    air = catalogue.get("macbook-air-13")
    pavilion = catalogue.get("hp-pavilion-15")

    assert air is not None
    assert pavilion is not None
    assert air.price == Decimal("1249.00")
    assert pavilion.price == Decimal("699.50")
    assert air.currency == "EUR"
    assert not pavilion.in_stock
    assert air.spec("ram") == "16 GB"
    assert air.spec("gpu") is None
    assert air.description("es") == "El MacBook Air 13 M3."
    assert air.description("it") == "The MacBook Air 13 M3."
    assert len(catalogue) == 3
    assert catalogue.categories == ("laptops",)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€1,299.00"), ("es", "1.299,00 €"), ("it", "1.299,00 €"), ("fr", "€1,299.00")],
)
def test_prices_are_written_the_way_each_language_reads_them(language: str, expected: str) -> None:
    assert format_price(Decimal("1299.00"), "EUR", language) == expected


def test_small_prices_and_other_currencies() -> None:
    assert format_price(Decimal("35.99"), "EUR", "it") == "35,99 €"
    assert format_price(Decimal("1234567.50"), "CHF", "en") == "CHF 1,234,567.50"


def _with(index: int, key: str, value: Any) -> dict[str, Any]:
    data = catalogue_data()
    data["products"][index][key] = value
    return data


BAD_CATALOGUES = [
    ("id used twice", _with(1, "id", "xps-13"), "products[1].id", "xps-13"),
    ("id with spaces", _with(0, "id", "XPS 13"), "products[0].id", "XPS 13"),
    (
        "alias of another product",
        _with(1, "aliases", ["XPS"]),
        "products.macbook-air-13.aliases[0]",
        "XPS",
    ),
    ("negative price", _with(0, "price", -5), "products.xps-13.price", -5),
    ("price with three decimals", _with(0, "price", "12.345"), "products.xps-13.price", "12.345"),
    ("price that is not a number", _with(0, "price", "cheap"), "products.xps-13.price", "cheap"),
    ("negative stock", _with(0, "stock", -1), "products.xps-13.stock", -1),
    ("lower-case currency", _with(0, "currency", "eur"), "products.xps-13.currency", "eur"),
    ("unknown category", _with(0, "category", "phones"), "products.xps-13.category", "phones"),
    ("address that is not a link", _with(0, "url", "shop/xps"), "products.xps-13.url", "shop/xps"),
    (
        "description without English",
        _with(0, "description", {"es": "Hola"}),
        "products.xps-13.description",
        {"es": "Hola"},
    ),
    (
        "spec that is a list",
        _with(0, "specs", {"ram": ["16 GB"]}),
        "products.xps-13.specs.ram",
        ["16 GB"],
    ),
    ("unknown product key", _with(0, "colour", "silver"), "products.xps-13.colour", "colour"),
    ("no products", {"products": []}, "products", []),
]


@pytest.mark.parametrize(
    ("data", "key", "value"), [c[1:] for c in BAD_CATALOGUES], ids=[c[0] for c in BAD_CATALOGUES]
)
def test_a_bad_catalogue_is_refused_naming_file_key_and_value(
    data: dict[str, Any], key: str, value: Any
) -> None:
    with pytest.raises(CatalogueError) as caught:
        Catalogue.from_mapping(data, source="catalogue.yml")

    assert (caught.value.source, caught.value.key, caught.value.value) == (
        "catalogue.yml",
        key,
        value,
    )
    assert str(caught.value).startswith(f"catalogue.yml: {key}: ")


def test_a_name_made_of_several_aliases_of_one_product_is_found() -> None:
    from tests.builders import demo_shop

    catalogue = demo_shop().catalogue
    found = catalogue.find("ThinkPad X1 Carbon")
    assert found is not None
    assert found.id == "thinkpad-x1-carbon"
    assert catalogue.find("XPS 13 or MacBook Air") is None
