"""Entities from catalogue lookups and from the training data's lookup/synonym/regex blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.embedded.entities import EntityExtractor
from nlu.embedded.matching import within_one_edit
from nlu.training_data import load_training_data
from nlu.types import EntityLookup

ALL_FORMS = Path(__file__).parent / "fixtures" / "syntax" / "all_forms.yml"

CATALOGUE = EntityLookup(
    "product",
    {
        "macbook air": "macbook-air-m2",
        "macbook air m2": "macbook-air-m2",
        "macbook pro": "macbook-pro-14",
        "xps 13": "xps-13",
        "thinkpad x1 carbon": "thinkpad-x1",
    },
)


def found(extractor: EntityExtractor, text: str) -> list[tuple[str, str, str]]:
    return [(e.entity, e.value, text[e.start : e.end]) for e in extractor.extract(text)]


@pytest.fixture(scope="module")
def catalogue() -> EntityExtractor:
    return EntityExtractor([CATALOGUE])


def test_names_match_case_insensitively_with_the_lookup_value(catalogue: EntityExtractor) -> None:
    assert found(catalogue, "How much is the XPS 13?") == [("product", "xps-13", "XPS 13")]


def test_longest_name_wins(catalogue: EntityExtractor) -> None:
    assert found(catalogue, "is the macbook air m2 in stock") == [
        ("product", "macbook-air-m2", "macbook air m2")
    ]


def test_several_products_in_one_message(catalogue: EntityExtractor) -> None:
    assert [v for _, v, _ in found(catalogue, "XPS 13 vs MacBook Pro?")] == [
        "xps-13",
        "macbook-pro-14",
    ]


def test_matches_respect_word_boundaries(catalogue: EntityExtractor) -> None:
    assert found(catalogue, "the xps 130 is not sold here") == []


@pytest.mark.parametrize(
    "text", ["price of the macbok air", "price of the mcabook air", "thinkpad x1 carbn price"]
)
def test_one_typo_in_a_long_word_is_tolerated(catalogue: EntityExtractor, text: str) -> None:
    (entity,) = catalogue.extract(text)
    assert entity.value in {"macbook-air-m2", "thinkpad-x1"}
    assert entity.confidence < 1.0


@pytest.mark.parametrize("text", ["xps 12", "the macbk ar", "a thinkpad x2 carbon"])
def test_short_words_and_two_typos_do_not_match(catalogue: EntityExtractor, text: str) -> None:
    assert [e for e in catalogue.extract(text) if e.entity == "product"] == []


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("macbook", "macbok", True),
        ("macbook", "mcabook", True),
        ("carbon", "carbin", True),
        ("carbon", "carbons", True),
        ("xmacbook", "macbookx", False),
        ("carbon", "crabno", False),
    ],
)
def test_one_edit_distance(a: str, b: str, close: bool) -> None:
    assert within_one_edit(a, b) is close
    assert within_one_edit(b, a) is close


def test_training_annotations_synonyms_lookups_and_regexes_are_used() -> None:
    extractor = EntityExtractor((), load_training_data(ALL_FORMS))
    text = "is the MBA in space grey? order AB123456, or the xps 13"
    assert found(extractor, text) == [
        ("product", "macbook-air", "MBA"),
        ("colour", "space grey", "space grey"),
        ("order_id", "AB123456", "AB123456"),
        ("product", "XPS 13", "xps 13"),
    ]


def test_catalogue_lookup_takes_precedence_over_training_annotations() -> None:
    extractor = EntityExtractor([CATALOGUE], load_training_data(ALL_FORMS))
    assert found(extractor, "the xps 13 please") == [("product", "xps-13", "xps 13")]


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        ("how much is the xps13?", "xps-13", "xps13"),
        ("¿cuánto cuesta el XPS de 13?", "xps-13", "XPS de 13"),
        ("quanto costa il macbookair", "macbook-air-m2", "macbookair"),
        ("the MacBookAir M2 please", "macbook-air-m2", "MacBookAir M2"),
        ("thinkpadx1 carbon price", "thinkpad-x1", "thinkpadx1 carbon"),
    ],
)
def test_names_written_together_or_with_a_filler_word(
    catalogue: EntityExtractor, text: str, value: str, span: str
) -> None:
    assert found(catalogue, text) == [("product", value, span)]


def test_a_filler_word_alone_does_not_join_two_products(catalogue: EntityExtractor) -> None:
    assert [v for _, v, _ in found(catalogue, "the xps 13 of macbook pro")] == [
        "xps-13",
        "macbook-pro-14",
    ]
