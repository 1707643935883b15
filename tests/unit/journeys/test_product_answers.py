"""Answers about products on the demo shop: specs, colours, stock, unknown and ambiguous
names, and what "it", "the other one" and "the second one" refer to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from journeys.dialogue import decide
from journeys.model import Button, Decision
from nlu.types import FALLBACK_INTENT, Entity, IntentScore, Interpretation
from tests.builders import customer_state, demo_shop, interpretation

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def named(product_id: str, text: str, message: str) -> Entity:
    """A product entity where ``text`` sits in ``message``."""
    start = message.index(text)
    return Entity("product", product_id, start, start + len(text), text)


def ask(
    intent: str,
    message: str,
    *products: tuple[str, str],
    language: str = "en",
    before: tuple[str, ...] = (),
) -> Decision:
    entities = tuple(named(pid, text, message) for pid, text in products)
    asked = interpretation(intent, language=language, entities=entities, text=message)
    return decide(customer_state(language=language, last_products=before), asked, NOW, demo_shop())


def texts(decision: Decision) -> list[str]:
    return [r.text for r in decision.replies]


def test_a_spec_question_gets_only_that_spec_with_decimals_in_the_locale() -> None:
    decision = ask("ask_specs", "quanto dura la batteria del MacBook Air?",
                   ("macbook-air-13", "MacBook Air"), language="it")  # fmt: skip

    assert texts(decision) == ["MacBook Air 13 M3 – Autonomia: 18 h; Batteria: 52,6 Wh"]
    assert decision.products == ("macbook-air-13",)


def test_a_spec_the_product_does_not_have_is_not_guessed() -> None:
    decision = ask("ask_specs", "what graphics card does the XPS 13 have?", ("xps-13", "XPS 13"))

    (text,) = texts(decision)
    assert text.startswith("I don't have the graphics of the Dell XPS 13")
    assert "https://shop.example.com/products/xps-13" in text


def test_without_spec_words_every_spec_is_listed() -> None:
    (text,) = texts(ask("ask_specs", "tell me about the Zenbook", ("zenbook-14", "Zenbook")))

    assert "• RAM: 16 GB LPDDR5x" in text
    assert "• Weight: 1200 g" in text
    assert "• Colours: blue, silver" in text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("is the Surface available in black?",
         "Yes, the Microsoft Surface Laptop 7 comes in black"),
        ("is the Surface available in gold?",
         "doesn't come in gold. It comes in: black, silver, blue"),
        ("is the Anker hub available in black?", "I don't have the colours of the Anker 7-in-1"),
    ],
)  # fmt: skip
def test_colour_questions_are_answered_from_the_product_colours(
    message: str, expected: str
) -> None:
    product = "anker-usb-c-hub" if "Anker" in message else "surface-laptop-7"
    surface = "Anker hub" if "Anker" in message else "Surface"

    (text,) = texts(ask("ask_stock", message, (product, surface)))

    assert expected in text


def test_a_colour_follow_up_in_another_language_is_about_the_last_product() -> None:
    decision = ask("ask_stock", "e in nero?", language="it", before=("macbook-air-13",))

    assert texts(decision) == [
        "Sì, MacBook Air 13 M3 è disponibile in nero (colori: nero, argento, grigio, oro)."
    ]


@pytest.mark.parametrize(
    ("product", "surface", "expected"),
    [
        ("hp-pavilion-15", "Pavilion", "Sorry, the HP Pavilion 15 is out of stock right now."),
        ("rog-zephyrus-g14", "Zephyrus", "only a few are left (right now: 2)"),
        ("mx-keys", "MX Keys", "is in stock and ships within 24 hours"),
    ],
)
def test_stock_answers(product: str, surface: str, expected: str) -> None:
    (text,) = texts(ask("ask_stock", f"is the {surface} in stock?", (product, surface)))

    assert expected in text


def test_a_model_number_the_shop_does_not_sell_is_not_answered_as_the_near_one() -> None:
    decision = ask("ask_price", "how much is the Dell XPS 15?", ("xps-13", "Dell XPS"))

    (reply,) = decision.replies
    assert (
        reply.text == "Sorry, we don't sell “Dell XPS 15”. Did you mean one of these? Dell XPS 13"
    )
    assert reply.buttons == (Button("Dell XPS 13", '/ask_price{"product":"xps-13"}'),)
    assert decision.products == ()


def test_an_unknown_name_is_never_answered_with_the_last_product() -> None:
    decision = ask("ask_price", "how much is the Galaxy Book 3?", before=("xps-13",))

    (text,) = texts(decision)
    assert text.startswith("Sorry, we don't sell “Galaxy Book 3”, and nothing we have is close")
    assert "€" not in text
    assert decision.products == ()


@pytest.mark.parametrize(
    ("message", "unknown"),
    [
        ("Galaxy Book price?", "Galaxy Book"),
        ("quanto costa l'iPhone 15?", "iPhone 15"),
        ("¿tenéis el Razer Blade 16?", "Razer Blade 16"),
    ],
)
def test_names_the_shop_does_not_know_are_recognised(message: str, unknown: str) -> None:
    (text,) = texts(ask("ask_price", message, before=("xps-13",)))

    assert unknown in text
    assert "XPS" not in text


def test_a_capitalised_place_is_not_taken_for_a_product() -> None:
    decision = ask("ask_price", "and how much is it with shipping to Portugal?",
                   before=("xps-13",))  # fmt: skip

    assert texts(decision) == ["The Dell XPS 13 costs €1,299.00, VAT included."]


def test_a_name_close_to_ours_gets_the_nearest_names() -> None:
    (text,) = texts(ask("ask_price", "how much is the Zenbok 15 Pro?"))

    assert "Did you mean one of these? ASUS Zenbook 14 OLED" in text


def test_a_word_for_several_products_asks_which_one_with_their_prices() -> None:
    decision = ask("ask_price", "how much is the MacBook?")

    (reply,) = decision.replies
    assert reply.text == (
        "Which one do you mean? MacBook Air 13 M3 (€1,249.00); MacBook Pro 14 M4 (€1,899.00)"
    )
    assert [b.payload for b in reply.buttons] == [
        '/ask_price{"product":"macbook-air-13"}',
        '/ask_price{"product":"macbook-pro-14"}',
    ]
    assert decision.products == ()


def test_the_product_discussed_settles_an_ambiguous_word() -> None:
    decision = ask("ask_price", "how much is the MacBook?", before=("macbook-pro-14",))

    assert texts(decision) == ["The MacBook Pro 14 M4 costs €1,899.00, VAT included."]


def test_a_word_for_one_product_finds_it() -> None:
    decision = ask("ask_price", "precio de los auriculares Sony", language="es")

    assert texts(decision) == ["Sony WH-1000XM5 cuesta 349,00 €, IVA incluido."]


PICKS = ("acer-swift-go-14", "ideapad-slim-3", "acer-aspire-5")


@pytest.mark.parametrize(
    ("message", "language", "expected"),
    [
        ("how much is the second one?", "en", "ideapad-slim-3"),
        ("¿y el tercero?", "es", "acer-aspire-5"),
        ("quanto costa il primo?", "it", "acer-swift-go-14"),
        ("and the last one?", "en", "acer-aspire-5"),
    ],
)
def test_ordinals_pick_from_the_products_discussed(
    message: str, language: str, expected: str
) -> None:
    decision = ask("ask_price", message, language=language, before=PICKS)

    assert decision.products == (expected,)
    assert decision.context_products == PICKS  # the list keeps its order for the next one


def test_naming_one_of_several_keeps_the_others_for_the_other_one() -> None:
    first = ask("ask_price", "how much is the XPS?", ("xps-13", "XPS"),
                before=("macbook-air-13", "xps-13"))  # fmt: skip
    other = ask(FALLBACK_INTENT, "and the other one?", before=first.next_last_products)

    assert first.products == ("xps-13",)
    assert first.context_products == ("xps-13", "macbook-air-13")
    assert other.products == ("macbook-air-13",)
    assert texts(other)[0].startswith("MacBook Air 13 M3 – €1,249.00, in stock.")


def test_a_plural_follow_up_is_about_every_product_discussed() -> None:
    decision = ask("ask_price", "how much do they cost?", before=("xps-13", "macbook-air-13"))

    assert texts(decision) == [
        "The Dell XPS 13 costs €1,299.00, VAT included.",
        "The MacBook Air 13 M3 costs €1,249.00, VAT included.",
    ]
    assert [len(r.buttons) for r in decision.replies] == [0, 3]


def test_a_message_not_understood_that_names_a_product_gets_its_card() -> None:
    decision = ask(FALLBACK_INTENT, "¿y el MacBook Pro?", ("macbook-pro-14", "MacBook Pro"),
                   language="es")  # fmt: skip

    (text,) = texts(decision)
    assert text.startswith("MacBook Pro 14 M4 – 1.899,00 €, disponible.")
    assert decision.consecutive_fallbacks == 0
    assert decision.stage_changed is not None
    assert decision.stage_changed.current == "consideration"


def test_a_message_not_understood_without_a_product_is_still_not_understood() -> None:
    decision = ask(FALLBACK_INTENT, "blorp?", before=("xps-13",))

    assert decision.replies[0].template == "nlu_fallback"
    assert decision.consecutive_fallbacks == 1


def test_an_unsure_message_naming_two_products_compares_them() -> None:
    decision = ask(FALLBACK_INTENT, "Zenbook 14 and Swift Go 14, hmm?",
                   ("zenbook-14", "Zenbook 14"), ("acer-swift-go-14", "Swift Go 14"))  # fmt: skip

    assert decision.replies[0].text.startswith("Side by side")
    assert decision.products == ("zenbook-14", "acer-swift-go-14")


def test_an_unsure_message_naming_a_product_and_a_spec_gets_that_spec() -> None:
    decision = ask(FALLBACK_INTENT, "ROG Zephyrus G14 screen kind?",
                   ("rog-zephyrus-g14", "ROG Zephyrus G14"))  # fmt: skip

    assert texts(decision) == ['ASUS ROG Zephyrus G14 – Screen: 14" 3K OLED 2880×1800, 120 Hz']


def test_an_unsure_message_whose_best_guess_was_a_need_gets_picks() -> None:
    asked = Interpretation(
        text="un portatile con tanta autonomia?",
        intent=IntentScore(FALLBACK_INTENT, 0.45),
        language="it",
        intent_ranking=(IntentScore("describe_need", 0.4), IntentScore("ask_specs", 0.2)),
    )

    decision = decide(customer_state(language="it"), asked, NOW, demo_shop())

    assert decision.products == ("macbook-pro-14", "surface-laptop-7", "macbook-air-13")
    assert decision.consecutive_fallbacks == 0
