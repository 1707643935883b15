"""The catalogue: finding products by what customers call them, and refusing bad files."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from journeys.catalogue import Catalogue
from journeys.errors import CatalogueError
from journeys.formatting import format_amount, format_price, localize_numbers
from journeys.specs import quantity
from tests.builders import demo_shop, load_demo_content
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
    [
        ("en", "€1,299.00"),
        ("es", "1.299,00 €"),
        ("it", "1.299,00 €"),
        ("fr", "1 299,00 €"),
        ("xx", "€1,299.00"),
    ],
)
def test_prices_are_written_the_way_each_language_reads_them(language: str, expected: str) -> None:
    assert format_price(Decimal("1299.00"), "EUR", language) == expected


def test_small_prices_and_other_currencies() -> None:
    assert format_price(Decimal("35.99"), "EUR", "it") == "35,99 €"
    assert format_price(Decimal("1234567.50"), "CHF", "en") == "CHF1,234,567.50"
    assert format_price(Decimal("1234567.50"), "USD", "es") == "1.234.567,50 US$"


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
    catalogue = demo_shop().catalogue
    found = catalogue.find("ThinkPad X1 Carbon")
    assert found is not None
    assert found.id == "thinkpad-x1-carbon"
    assert catalogue.find("XPS 13 or MacBook Air") is None


def _demo_with(change: Any) -> dict[str, Any]:
    data: dict[str, Any] = load_demo_content("catalogue")
    change(data)
    return data


BAD_DEMO_PARTS = [
    (
        "colour the shop does not list",
        lambda d: d["products"][0].update(colours=["purple"]),
        "products.xps-13.colours[0]",
    ),
    (
        "need for an unknown category",
        lambda d: d["needs"]["travel"].update(categories=["phones"]),
        "needs.travel.categories[0]",
    ),
    (
        "requirement that is not one",
        lambda d: d["needs"]["gaming"].update(require=["gpu > RTX"]),
        "needs.gaming.require[0]",
    ),
    (
        "ranking by a non-name",
        lambda d: d["needs"]["travel"].update(rank=["weight!"]),
        "needs.travel.rank[0]",
    ),
    (
        "need without words",
        lambda d: d["needs"]["travel"].update(words={}),
        "needs.travel.words",
    ),
    (
        "policy without English",
        lambda d: d["products"][1].update(policies={"warranty": {"es": "x"}}),
        "products.macbook-air-13.policies.warranty",
    ),
    (
        "category with an unknown key",
        lambda d: d["categories"]["laptops"].update(synonyms=["pc"]),
        "categories.laptops.synonyms",
    ),
]


@pytest.mark.parametrize(
    ("change", "key"), [b[1:] for b in BAD_DEMO_PARTS], ids=[b[0] for b in BAD_DEMO_PARTS]
)
def test_bad_colours_needs_policies_and_categories_are_refused(change: Any, key: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        Catalogue.from_mapping(_demo_with(change), facts=demo_shop().facts)

    assert caught.value.key == key


def test_categories_have_labels_and_words_per_language() -> None:
    catalogue = demo_shop().catalogue
    laptops = catalogue.category("laptops")

    assert laptops.label("es") == "portátiles"
    assert laptops.words.position(("un", "portatil", "ligero"), "es") == 1
    assert catalogue.category("monitors").label("it") == "monitor"
    assert [p.id for p in catalogue.in_category("audio")] == ["sony-wh1000xm5"]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1190 g", 1190.0, "g"),
        ("1.5 kg", 1500.0, "g"),
        ("1 TB SSD", 1000.0, "gb"),
        ("16 GB LPDDR5x", 16.0, "gb"),
        ("52.6 Wh", 52.6, "wh"),
        ('13.4" FHD+ 1920×1200, 120 Hz', 13.4, '"'),
        ("Apple M3 (CPU 8-core, GPU 8-core)", 8.0, ""),
    ],
)
def test_specs_read_as_numbers_in_a_common_unit(text: str, value: float, unit: str) -> None:
    measured = quantity(text)

    assert measured is not None
    assert (round(measured.value, 3), measured.unit) == (value, unit)


@pytest.mark.parametrize(
    ("language", "amount", "expected"),
    [("en", "900", "€900"), ("es", "1000", "1.000 €"), ("it", "899.50", "899,50 €")],
)
def test_budgets_are_written_without_cents_when_whole(
    language: str, amount: str, expected: str
) -> None:
    assert format_amount(Decimal(amount), "EUR", language) == expected


def test_decimals_of_measured_values_follow_the_locale() -> None:
    spec = '13.4" screen, 52.6 Wh, Bluetooth 5.2'

    assert localize_numbers(spec, "it") == '13,4" screen, 52,6 Wh, Bluetooth 5.2'
    assert localize_numbers(spec, "en") == spec


def test_a_large_catalogue_finds_by_name_and_suggests_near_names() -> None:
    data = catalogue_data()
    template = data["products"][0]
    data["products"] += [
        {**template, "id": f"model-{n}", "name": f"Model {n}", "aliases": [f"M{n}"]}
        for n in range(2000)
    ]
    catalogue = Catalogue.from_mapping(data)

    assert catalogue.find("model 1234") == catalogue.get("model-1234")
    assert [p.id for p in catalogue.nearest("Dell XPS 15")] == ["xps-13"]
