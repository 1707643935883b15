"""The shop's files checked together, and the demo shop's real content."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from journeys.dialogue import decide
from journeys.errors import ShopError
from journeys.replies import SYSTEM_TEMPLATES
from tests.builders import (
    customer_state,
    demo_shop,
    interpretation,
    load_demo_content,
    product_entity,
)
from tests.unit.journeys.content import build_shop, catalogue_data, journey_map_data, replies_data

INTENTS_DOC = Path(__file__).resolve().parents[3] / "nlu" / "data" / "intents.md"
DEMO_LANGUAGES = ("en", "es", "it")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def documented_intents() -> dict[str, str | None]:
    """intent → stage it signals (None for general intents), from nlu/data/intents.md."""
    intents: dict[str, str | None] = {}
    for line in INTENTS_DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("intent", "") and not cells[0].startswith("-"):
            intents[cells[0]] = None if cells[1] == "—" else cells[1]
    return intents


def test_an_intent_without_an_english_reply_is_refused() -> None:
    data = journey_map_data()
    data["stages"][1]["intents"].append("ask_warranty")

    with pytest.raises(ShopError) as caught:
        build_shop(journey_map=data)

    assert (caught.value.source, caught.value.key, caught.value.value) == (
        "replies.yml",
        "templates.ask_warranty",
        "ask_warranty",
    )


def test_a_button_for_an_intent_the_map_does_not_know_is_refused() -> None:
    replies = replies_data()
    replies["button_titles"]["ask_warranty"] = {"en": "Warranty"}
    replies["templates"]["greet"]["buttons"] = ["ask_warranty"]

    with pytest.raises(
        ShopError, match=r"replies.yml: templates.greet.buttons\[0\]: .*'ask_warranty'"
    ):
        build_shop(replies=replies)


def test_a_spec_without_a_label_is_refused() -> None:
    catalogue = catalogue_data()
    catalogue["products"][2]["specs"]["gpu"] = "RTX 4060"

    with pytest.raises(
        ShopError, match=r"replies\.yml: spec_labels\.gpu: product 'hp-pavilion-15'"
    ):
        build_shop(catalogue=catalogue)


def test_the_demo_shop_files_load_into_a_shop() -> None:
    shop = demo_shop()

    assert shop.journey_map.stage_names == (
        "awareness",
        "consideration",
        "purchase",
        "retention",
        "advocacy",
    )
    assert shop.journey_map.languages == DEMO_LANGUAGES
    assert len(shop.catalogue) >= 17
    assert shop.catalogue.find("MBP") == shop.catalogue.get("macbook-pro-14")
    assert shop.journey_map.follow_up("cart_recovery") is not None


def test_the_demo_map_places_every_documented_intent_in_its_documented_stage() -> None:
    journey_map = demo_shop().journey_map
    documented = documented_intents()

    assert len(documented) == 38
    assert journey_map.intents == set(documented)
    assert {i: journey_map.stage_for_signal(i) for i in documented} == documented


@pytest.mark.parametrize("language", DEMO_LANGUAGES)
def test_every_documented_intent_has_a_reply_in_each_language(language: str) -> None:
    shop = demo_shop()

    missing = [
        intent
        for intent in documented_intents()
        if not shop.replies.has(shop.template_for_intent(intent), language)
    ]

    assert missing == []


@pytest.mark.parametrize("language", DEMO_LANGUAGES)
def test_every_system_reply_is_written_in_each_language(language: str) -> None:
    shop = demo_shop()

    assert [n for n in SYSTEM_TEMPLATES if not shop.replies.has(n, language)] == []


@pytest.mark.parametrize("language", DEMO_LANGUAGES)
def test_every_button_and_spec_has_a_title_in_each_language(language: str) -> None:
    raw = load_demo_content("replies")

    assert [k for k, titles in raw["button_titles"].items() if language not in titles] == []
    assert [k for k, labels in raw["spec_labels"].items() if language not in labels] == []


def test_every_demo_product_has_a_description_in_each_language() -> None:
    shop = demo_shop()

    for product in shop.catalogue:
        assert {lang for lang, _ in product.descriptions} == set(DEMO_LANGUAGES), product.id


@pytest.mark.parametrize("language", ["es", "it"])
def test_a_demo_price_answer_reads_naturally_in_spanish_and_italian(language: str) -> None:
    asked = interpretation(
        "ask_price",
        language=language,
        entities=(product_entity("macbook-pro-14"),),
    )

    decision = decide(customer_state(), asked, NOW, demo_shop())

    assert decision.replies[0].text.startswith("MacBook Pro 14 M4")
    assert "1.899,00 €" in decision.replies[0].text
