"""Order numbers and quantities, recognised without training examples."""

from __future__ import annotations

import pytest

from nlu.embedded.builtin_entities import builtin_entities
from nlu.embedded.entities import EntityExtractor
from nlu.types import EntityLookup


def found(text: str) -> list[tuple[str, str, str]]:
    return [(e.entity, e.value, text[e.start : e.end]) for e in builtin_entities(text)]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("where is #10234?", "#10234"),
        ("order 10234 has not arrived", "10234"),
        ("my order number is 10234", "10234"),
        ("order no. 10234", "10234"),
        ("¿dónde está el pedido 10234?", "10234"),
        ("pedido nº 10234", "10234"),
        ("l'ordine 10234 non è arrivato", "10234"),
        ("il mio ordine è il 10234", "10234"),
    ],
)
def test_order_numbers(text: str, span: str) -> None:
    assert found(text) == [("order_id", "10234", span)]


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        ("I'll take 2 of them", "2", "2"),
        ("quiero dos", "2", "dos"),
        ("ne prendo tre", "3", "tre"),
        ("a couple of mice", "2", "a couple"),
        ("un paio di cuffie", "2", "un paio"),
        ("3 units please", "3", "3"),
    ],
)
def test_quantities_in_digits_and_words(text: str, value: str, span: str) -> None:
    assert found(text) == [("quantity", value, span)]


@pytest.mark.parametrize(
    "text",
    [
        "it has 16 GB of RAM",
        "under 800€",
        "delivery takes 2 days",
        "a 1.5 kg laptop",
        "tre giorni di attesa",
        "my order #A1234",
        "version 2.0",
    ],
)
def test_measures_prices_and_codes_are_not_quantities_or_orders(text: str) -> None:
    assert found(text) == []


def test_an_order_number_is_not_also_a_quantity() -> None:
    assert found("order 10234 and 2 more mice") == [
        ("order_id", "10234", "10234"),
        ("quantity", "2", "2"),
    ]


def test_numbers_inside_product_names_stay_product_names() -> None:
    extractor = EntityExtractor([EntityLookup("product", {"xps 13": "xps-13"})])
    entities = extractor.extract("2 XPS 13 please")
    assert [(e.entity, e.value) for e in entities] == [("quantity", "2"), ("product", "xps-13")]
