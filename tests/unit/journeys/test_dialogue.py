"""decide(): what the customer is answered and what the shell is asked to do."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from journeys.dialogue import decide, decide_unsupported
from journeys.model import CancelFollowUp, HandOff, ScheduleFollowUp, SetOptOut
from nlu.types import FALLBACK_INTENT, Interpretation
from tests.builders import customer_state, interpretation, product_entity
from tests.unit.journeys.content import build_shop, journey_map_data, replies_data

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_stop_opts_out_cancels_follow_ups_and_confirms() -> None:
    decision = decide(customer_state(stage="purchase"), interpretation("stop"), NOW, build_shop())

    assert decision.commands == (SetOptOut(True), CancelFollowUp(None, reason="customer opted out"))
    assert [r.text for r in decision.replies] == ["No more reminders."]
    assert decision.stage_changed is None


def test_asking_for_a_person_hands_the_conversation_off() -> None:
    decision = decide(
        customer_state(stage="purchase"), interpretation("ask_human"), NOW, build_shop()
    )

    handoff, update = decision.commands
    assert handoff == HandOff("the customer asked for a person")
    assert isinstance(update, ScheduleFollowUp)
    assert (update.kind, update.due_at) == ("handoff_waiting", NOW + timedelta(minutes=10))
    assert decision.replies[0].text == "I'm passing you to a person; about 15 minutes."


def test_out_of_office_hours_the_customer_may_leave_a_message() -> None:
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
    decision = decide(customer_state(), interpretation("ask_human"), saturday, build_shop())

    assert decision.replies[0].text == "We're away; leave a message."
    assert isinstance(decision.commands[0], HandOff)


def test_a_clearly_negative_complaint_goes_to_a_person() -> None:
    data = journey_map_data()
    data["stages"][3]["intents"].append("complain")
    replies = replies_data()
    replies["templates"]["complain"] = {"en": ["I'm sorry."]}
    shop = build_shop(journey_map=data, replies=replies)
    state = customer_state(stage="retention", purchased=True)

    angry = decide(state, interpretation("complain", text="This is useless, a scam!"), NOW, shop)
    mild = decide(state, interpretation("complain", text="the box was a bit dented"), NOW, shop)

    assert [r.text for r in angry.replies] == [
        "I'm sorry.",
        "I'm passing you to a person; about 15 minutes.",
    ]
    assert angry.commands[0] == HandOff("a clearly negative complaint")
    assert [r.text for r in mild.replies] == ["I'm sorry."]
    assert mild.commands == ()


def test_start_is_welcomed() -> None:
    decision = decide(customer_state(), interpretation("start"), NOW, build_shop())

    assert decision.replies[0].text == "Welcome!"
    assert decision.stage_changed is not None
    assert decision.stage_changed.current == "awareness"


def test_a_plain_intent_gets_its_reply_and_moves_the_stage() -> None:
    decision = decide(
        customer_state(stage="awareness"), interpretation("buy_product"), NOW, build_shop()
    )

    assert decision.replies[0].text == "Add it to your cart."
    assert decision.stage_changed is not None
    assert (decision.stage_changed.previous, decision.stage_changed.current) == (
        "awareness",
        "purchase",
    )
    assert decision.commands == ()


def test_fallbacks_in_a_row_end_with_a_person() -> None:
    shop = build_shop()
    state = customer_state(stage="consideration")

    first = decide(state, interpretation(FALLBACK_INTENT), NOW, shop)
    after_first = replace(state, consecutive_fallbacks=first.consecutive_fallbacks)
    second = decide(after_first, interpretation(FALLBACK_INTENT), NOW, shop)

    assert (first.replies[0].text, first.consecutive_fallbacks) == ("Sorry, I didn't get that.", 1)
    assert second.replies[0].text == "I'm passing you to a person; about 15 minutes."
    assert second.consecutive_fallbacks == 0
    assert second.commands[0] == HandOff("not understood 2 times in a row")


def test_the_streak_length_comes_from_the_map() -> None:
    data = journey_map_data()
    data["fallback"] = {"hand_off_after": 3}
    shop = build_shop(journey_map=data)

    second = decide(
        customer_state(consecutive_fallbacks=1), interpretation(FALLBACK_INTENT), NOW, shop
    )
    third = decide(
        customer_state(consecutive_fallbacks=2), interpretation(FALLBACK_INTENT), NOW, shop
    )

    assert (second.replies[0].template, second.consecutive_fallbacks) == ("nlu_fallback", 2)
    assert (third.replies[0].template, third.consecutive_fallbacks) == ("handoff", 0)


def test_an_understood_message_ends_the_streak() -> None:
    decision = decide(
        customer_state(consecutive_fallbacks=1), interpretation("greet"), NOW, build_shop()
    )

    assert decision.consecutive_fallbacks == 0


def test_an_intent_the_shop_cannot_answer_counts_as_not_understood() -> None:
    decision = decide(customer_state(), interpretation("ask_warranty"), NOW, build_shop())

    assert decision.replies[0].template == "nlu_fallback"
    assert decision.consecutive_fallbacks == 1


def test_an_nlu_outage_apologises_without_moving_anything() -> None:
    state = customer_state(consecutive_fallbacks=1)
    outage = Interpretation.unavailable("hello?", "en", "connection refused")

    decision = decide(state, outage, NOW, build_shop())

    assert decision.replies[0].text == "Technical trouble, try later."
    assert decision.stage_changed is None
    assert decision.commands == ()
    assert decision.consecutive_fallbacks == 1


def test_a_price_question_about_a_known_product_is_answered_from_the_catalogue() -> None:
    asked = interpretation("ask_price", entities=(product_entity("xps-13", "XPS 13"),))

    decision = decide(customer_state(), asked, NOW, build_shop())

    assert [r.text for r in decision.replies] == ["The Dell XPS 13 costs €1,299.00."]
    assert decision.products == ("xps-13",)
    assert decision.stage_changed is not None
    assert decision.stage_changed.current == "consideration"


def test_the_price_is_written_in_the_customer_language() -> None:
    asked = interpretation("ask_price", language="es", entities=(product_entity("xps-13"),))

    decision = decide(customer_state(), asked, NOW, build_shop())

    assert decision.replies[0].text == "Dell XPS 13 cuesta 1.299,00 €."
    assert decision.language == "es"


def test_without_a_product_the_last_products_talked_about_are_used() -> None:
    state = customer_state(stage="consideration", last_products=("macbook-air-13",))

    decision = decide(state, interpretation("ask_price"), NOW, build_shop())

    assert decision.replies[0].text == "The MacBook Air 13 M3 costs €1,249.00."
    assert decision.products == ("macbook-air-13",)


def test_without_any_product_the_customer_is_asked_which() -> None:
    decision = decide(customer_state(), interpretation("ask_price"), NOW, build_shop())

    assert [r.text for r in decision.replies] == ["Which product?"]
    assert decision.products == ()


def test_an_unknown_product_is_said_so_with_the_nearest_names() -> None:
    asked = interpretation("ask_price", entities=(product_entity("Dell XPS 15", "Dell XPS 15"),))

    decision = decide(customer_state(last_products=("hp-pavilion-15",)), asked, NOW, build_shop())

    assert [r.text for r in decision.replies] == ["We don't sell Dell XPS 15. Try: Dell XPS 13"]
    assert decision.products == ()


def test_several_products_are_answered_with_buttons_only_on_the_last() -> None:
    entities = (product_entity("xps-13"), product_entity("MacBook Air"))

    decision = decide(
        customer_state(), interpretation("ask_price", entities=entities), NOW, build_shop()
    )

    assert [r.text for r in decision.replies] == [
        "The Dell XPS 13 costs €1,299.00.",
        "The MacBook Air 13 M3 costs €1,249.00.",
    ]
    assert [len(r.buttons) for r in decision.replies] == [0, 1]
    assert decision.products == ("xps-13", "macbook-air-13")


@pytest.mark.parametrize(
    ("product", "expected"),
    [
        ("xps-13", "The Dell XPS 13 is in stock."),
        ("macbook-air-13", "Only 2 left of the MacBook Air 13 M3."),
        ("hp-pavilion-15", "The HP Pavilion 15 is sold out."),
    ],
)
def test_stock_answers_follow_the_catalogue(product: str, expected: str) -> None:
    asked = interpretation("ask_stock", entities=(product_entity(product),))

    assert decide(customer_state(), asked, NOW, build_shop()).replies[0].text == expected


def test_specs_are_listed_with_labels_in_the_customer_language() -> None:
    asked = interpretation("ask_specs", language="es", entities=(product_entity("xps-13"),))

    decision = decide(customer_state(), asked, NOW, build_shop())

    assert decision.replies[0].text == "Dell XPS 13:\n• RAM: 16 GB\n• Peso: 1190 g"


def test_products_named_in_other_intents_become_the_context() -> None:
    asked = interpretation("buy_product", entities=(product_entity("MBA"),))

    assert decide(customer_state(), asked, NOW, build_shop()).products == ("macbook-air-13",)


@pytest.mark.parametrize(
    ("detected", "confidence", "known", "expected"),
    [
        ("es", 0.9, None, "es"),
        ("es", 0.6, "it", "es"),
        ("es", 0.59, "it", "it"),
        ("es", 0.3, None, "en"),
        ("de", 0.99, "it", "it"),
        ("de", 0.99, "fr", "en"),
    ],
)
def test_the_reply_language(
    detected: str, confidence: float, known: str | None, expected: str
) -> None:
    asked = interpretation("greet", language=detected, language_confidence=confidence)

    decision = decide(customer_state(language=known), asked, NOW, build_shop())

    assert decision.language == expected
    assert decision.replies[0].text == {"es": "¡Hola!"}.get(expected, "Hi!")


def test_the_default_language_comes_from_the_map() -> None:
    data = journey_map_data()
    data["default_language"] = "es"
    asked = interpretation("greet", language="de", language_confidence=0.2)

    decision = decide(customer_state(), asked, NOW, build_shop(journey_map=data))

    assert (decision.language, decision.replies[0].text) == ("es", "¡Hola!")


def test_stickers_and_photos_get_the_text_only_reply() -> None:
    decision = decide_unsupported(customer_state(consecutive_fallbacks=1), NOW, build_shop())

    assert decision.replies[0].text == "I can only read text messages."
    assert decision.consecutive_fallbacks == 1
    assert decision.stage_changed is not None
    assert decision.stage_changed.current == "awareness"


def test_the_same_input_always_gives_the_same_decision() -> None:
    state = customer_state(stage="consideration")
    asked = interpretation("ask_specs", entities=(product_entity("xps-13"),))

    assert decide(state, asked, NOW, build_shop()) == decide(state, asked, NOW, build_shop())
