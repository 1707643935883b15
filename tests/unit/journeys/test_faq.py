"""The FAQ: refusing bad files, retrieval in three languages, the not-sure threshold, and
product policies that win over the shop-wide answer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from journeys.dialogue import decide
from journeys.errors import FaqError, ShopError
from journeys.faq import Faq
from journeys.model import Button
from journeys.shop import Shop
from nlu.types import FALLBACK_INTENT, Entity
from tests.builders import customer_state, demo_shop, interpretation, load_demo_content

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def faq_data() -> dict[str, Any]:
    return {
        "intents": {"ask_shipping": "shipping"},
        "entries": [
            {
                "id": "shipping-cost",
                "category": "shipping",
                "questions": {"en": ["how much is shipping"], "es": ["cuánto cuesta el envío"]},
                "answer": {"en": "€4.90.", "es": "4,90 €."},
            },
            {
                "id": "hours",
                "questions": {"en": ["when are you open", "opening hours"]},
                "answer": {"en": "9 to 6."},
            },
        ],
    }


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("How much is SHIPPING?", "en", "shipping-cost"),
        ("cuanto cuesta el envio", "es", "shipping-cost"),  # no accents
        ("what are your opening hours", "es", "hours"),  # no Spanish: the English ones
    ],
)
def test_retrieval_finds_the_entry_whatever_the_case_and_accents(
    text: str, language: str, expected: str
) -> None:
    match = Faq.from_mapping(faq_data()).search(text, language)

    assert match is not None
    assert match.entry.id == expected


def test_an_unrelated_question_finds_nothing() -> None:
    assert Faq.from_mapping(faq_data()).search("do you sell bicycles", "en") is None


def test_the_intent_category_breaks_a_close_call() -> None:
    faq = Faq.from_mapping(faq_data())
    plain = faq.best("when is shipping", "en")
    boosted = faq.best("when is shipping", "en", "shipping")

    assert plain is not None
    assert boosted is not None
    assert boosted.entry.id == "shipping-cost"
    assert boosted.score > plain.score


def _with(change: dict[str, Any]) -> dict[str, Any]:
    data = faq_data()
    data["entries"][0].update(change)
    return data


BAD = [
    ("answer without English", _with({"answer": {"es": "x"}}), "entries.shipping-cost.answer"),
    ("no English questions", _with({"questions": {"es": ["x"]}}),
     "entries.shipping-cost.questions"),
    ("empty variants", _with({"questions": {"en": []}}), "entries.shipping-cost.questions.en"),
    ("unknown key", _with({"tags": ["x"]}), "entries.shipping-cost.tags"),
    ("id used twice", _with({"id": "hours"}), "entries[1].id"),
    ("bad min_score", {**faq_data(), "min_score": 2}, "min_score"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "key"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_faq_is_refused_naming_the_key(data: dict[str, Any], key: str) -> None:
    with pytest.raises(FaqError) as caught:
        Faq.from_mapping(data)

    assert (caught.value.source, caught.value.key) == ("faq.yml", key)


def test_an_faq_intent_the_journey_map_does_not_know_is_refused() -> None:
    data = faq_data()
    data["intents"] = {"ask_teleport": "shipping"}

    with pytest.raises(ShopError, match=r"faq.yml: intents.ask_teleport"):
        Shop.from_mappings(
            load_demo_content("journey_map"),
            load_demo_content("replies"),
            load_demo_content("catalogue"),
            data,
            load_demo_content("facts"),
        )


def test_a_product_policy_for_a_category_the_faq_lacks_is_refused() -> None:
    catalogue = load_demo_content("catalogue")
    catalogue["products"][0]["policies"] = {"insurance": {"en": "Insured."}}

    with pytest.raises(ShopError, match=r"catalogue.yml: products.xps-13.policies.insurance"):
        Shop.from_mappings(
            load_demo_content("journey_map"),
            load_demo_content("replies"),
            catalogue,
            load_demo_content("faq"),
            load_demo_content("facts"),
        )


def ask(intent: str, text: str, *, language: str = "en", **state: Any) -> Any:
    entities = tuple(
        Entity("product", pid, text.index(name), text.index(name) + len(name), name)
        for pid, name in state.pop("named", ())
    )
    asked = interpretation(intent, language=language, text=text, entities=entities)
    return decide(customer_state(language=language, **state), asked, NOW, demo_shop())


def test_an_faq_intent_is_answered_from_the_faq_and_records_the_entry() -> None:
    decision = ask("ask_payment", "¿se puede pagar a plazos?", language="es")

    assert decision.faq_entry == "instalments"
    assert decision.replies[0].text.startswith("Sí: con Klarna puedes pagar en 3 plazos")
    assert decision.products == ()


def test_under_the_threshold_the_bot_says_it_is_not_sure_and_offers_a_person() -> None:
    decision = ask("ask_shipping", "spedite anche su Marte con un razzo?", language="it")

    (reply,) = decision.replies
    assert reply.template == "faq_not_sure"
    assert Button("Parla con una persona", "/ask_human") in reply.buttons
    assert decision.faq_entry is None
    assert decision.commands == ()  # an offer, not a hand-over


def test_a_product_in_play_with_its_own_policy_wins_over_the_faq() -> None:
    decision = ask("ask_warranty", "how long is the warranty?", last_products=("macbook-pro-14",))

    assert decision.replies[0].text.startswith("For the MacBook Pro 14 M4: 1 year of Apple's")
    assert decision.products == ("macbook-pro-14",)
    assert decision.faq_entry is None


def test_a_product_without_its_own_policy_gets_the_shop_answer() -> None:
    decision = ask(
        "ask_warranty", "how long is the warranty on the XPS?", named=[("xps-13", "XPS")]
    )

    assert decision.faq_entry == "warranty-length"
    assert decision.replies[0].text.startswith("Every product has the legal guarantee")


def test_a_policy_answers_only_its_own_category() -> None:
    decision = ask("ask_shipping", "how fast is delivery?", last_products=("sony-wh1000xm5",))

    assert decision.faq_entry == "delivery-time"  # the Sony's own policy is about returns


def test_a_message_not_understood_that_clearly_matches_an_entry_is_answered() -> None:
    decision = ask(FALLBACK_INTENT, "do you sell refurbished or second-hand laptops?",
                   consecutive_fallbacks=1)  # fmt: skip

    assert decision.faq_entry == "refurbished"
    assert decision.consecutive_fallbacks == 0
    assert decision.stage_changed is not None
    assert decision.stage_changed.current == "awareness"  # ask_about_shop's stage


def test_every_demo_entry_is_written_in_each_language() -> None:
    for entry in demo_shop().faq.entries:
        assert {lang for lang, _ in entry.questions} == {"en", "es", "it"}, entry.id
        assert {lang for lang, _ in entry.answers} == {"en", "es", "it"}, entry.id


def test_each_demo_entry_is_found_by_its_own_questions() -> None:
    faq = demo_shop().faq
    for entry in faq.entries:
        for language, variants in entry.questions:
            for variant in variants:
                found = faq.search(variant, language)
                assert found is not None and found.entry.id == entry.id, (language, variant)
