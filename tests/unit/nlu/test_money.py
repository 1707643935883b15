"""The ``amount`` entity: budgets and prices in three languages, and what is not one."""

from __future__ import annotations

import pytest

from nlu.embedded.entities import EntityExtractor
from nlu.embedded.money import amounts
from nlu.types import EntityLookup


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        ("a light laptop for travel under 900€", "..900", "900€"),
        ("algo por menos de 800 euros", "..800", "800 euros"),
        ("consigliami un portatile sotto i 1.000 euro", "..1000", "1.000 euro"),
        ("my budget is 750", "..750", "750"),
        ("up to €1,200.50", "..1200.5", "€1,200.50"),
        ("over 1000 euros", "1000..", "1000 euros"),
        ("al menos 600 €", "600..", "600 €"),
        ("between 500 and 900 euros", "500..900", "500 and 900 euros"),
        ("entre 500 y 900 €", "500..900", "500 y 900 €"),
        ("tra i 500 e i 900 euro", "500..900", "500 e i 900 euro"),
        ("something 500-900 €", "500..900", "500-900 €"),
        ("around 800 euros", "~800", "800 euros"),
        ("costa 1.299,99 €?", "1299.99", "1.299,99 €"),
        ("is it 1.5k?", "1500", "1.5k"),
    ],
)
def test_budgets_and_prices_are_read_with_their_bounds(text: str, value: str, span: str) -> None:
    (entity,) = amounts(text)

    assert (entity.entity, entity.value, entity.text) == ("amount", value, span)
    assert text[entity.start : entity.end] == span


@pytest.mark.parametrize(
    "text",
    ["more than 2 USB ports", "the RTX 4060 with 16GB", "a 15.6 inch screen", "order 10234"],
)
def test_numbers_that_are_no_amount_are_left_alone(text: str) -> None:
    assert list(amounts(text)) == []


def test_a_product_name_with_a_number_stays_a_product() -> None:
    extractor = EntityExtractor([EntityLookup("product", {"xps 13": "xps-13"})])

    found = [(e.entity, e.value) for e in extractor.extract("is the XPS 13 under 1300 €?")]

    assert found == [("product", "xps-13"), ("amount", "..1300")]
