"""What the conversation is about: focus, selection, picks by a spec, several questions at
once, overviews and products the shop does not sell — decided on the demo shop's content
with hand-made interpretations (no NLU, no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from journeys.dialogue import decide
from journeys.model import Decision, Resolved
from journeys.references import Focus, resolve
from nlu.types import FALLBACK_INTENT, Interpretation
from tests.builders import customer_state, demo_shop, interpretation, product_entity

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
COMPARED = ("xps-13", "macbook-air-13")


def _say(intent: str, text: str, *, language: str = "en", **state: object) -> Decision:
    found = interpretation(intent, text=text, language=language)
    return decide(customer_state(language=language, **state), found, NOW, demo_shop())


def _text(decision: Decision) -> str:
    return "\n".join(r.text for r in decision.replies)


def test_the_cheaper_one_after_a_comparison_picks_it() -> None:
    decision = _say("select_product", "the cheaper one", stage="consideration",
                    last_products=COMPARED)  # fmt: skip

    assert decision.products == ("macbook-air-13",)
    assert "MacBook Air 13 M3 – €1,249.00" in _text(decision)
    assert "Dell XPS 13" not in _text(decision)
    assert decision.next_selected(None) == "macbook-air-13"


def test_a_pick_read_as_an_objection_is_still_a_pick() -> None:
    decision = _say("hesitation", "el más ligero", language="es", stage="consideration",
                    last_products=COMPARED)  # fmt: skip

    assert decision.products == ("xps-13",)  # 1190 g against 1240 g
    assert "Klarna" not in _text(decision)
    assert decision.stage_changed is None  # consideration, not purchase
    assert decision.resolved == Resolved("select_product", "context")


def test_italian_more_battery_picks_the_longest_lasting() -> None:
    decision = _say("select_product", "quello con più batteria", language="it",
                    stage="consideration", last_products=COMPARED)  # fmt: skip

    assert decision.products == ("macbook-air-13",)  # 18 h against 14 h


def test_the_one_with_more_ram_needs_a_difference() -> None:
    same_ram = _say("select_product", "the one with more RAM", stage="consideration",
                    last_products=COMPARED)  # fmt: skip

    assert len(same_ram.products) != 1  # both have 16 GB: no pick, the bot asks which


def test_a_reference_with_nothing_in_focus_asks_which_products() -> None:
    decision = _say("select_product", "the cheaper one")

    assert "Which ones do you mean?" in _text(decision)
    assert decision.stage_changed is not None
    assert decision.stage_changed.current == "awareness"
    assert decision.stage_changed.evidence is None


def test_after_a_product_is_selected_it_is_answered_alone() -> None:
    state = customer_state(stage="consideration", last_products=("macbook-air-13", "xps-13"),
                           selected_product="macbook-air-13")  # fmt: skip
    asked = interpretation("ask_stock", text="is it in stock?")

    decision = decide(state, asked, NOW, demo_shop())

    assert decision.products == ("macbook-air-13",)
    assert "Dell XPS 13" not in _text(decision)


def test_the_other_one_is_the_one_not_selected() -> None:
    found = resolve(
        interpretation("ask_price", text="and the other one?"),
        ("macbook-air-13", "xps-13"),
        demo_shop().catalogue,
        selected="macbook-air-13",
    )

    assert [p.id for p in found.products] == ["xps-13"]


def test_an_answer_about_several_products_clears_the_selection() -> None:
    decision = _say("compare_products", "compare them", stage="consideration",
                    last_products=COMPARED, selected_product="xps-13")  # fmt: skip

    assert decision.next_selected("xps-13") is None
    assert Focus(decision.next_last_products).products == COMPARED


def test_two_questions_in_one_message_are_both_answered() -> None:
    price = interpretation("ask_price", text="how much is the XPS",
                           entities=(product_entity("xps-13", "XPS"),))  # fmt: skip
    ram = interpretation("ask_specs", text="does it have 16GB RAM?")
    whole = replace(
        price, text="how much is the XPS and does it have 16GB RAM?", parts=(price, ram)
    )

    decision = decide(customer_state(), whole, NOW, demo_shop())

    assert "€1,299.00" in _text(decision)
    assert "RAM: 16 GB" in _text(decision)
    assert decision.products == ("xps-13",)


def test_shipping_and_payment_in_one_message() -> None:
    shipping = interpretation("ask_shipping", text="what's shipping")
    paypal = interpretation("ask_payment", text="can I pay with PayPal?")
    whole = replace(shipping, text="what's shipping and can I pay with PayPal?",
                    parts=(shipping, paypal))  # fmt: skip

    text = _text(decide(customer_state(), whole, NOW, demo_shop()))

    assert "€4.90" in text
    assert "PayPal" in text


def test_what_laptops_do_you_sell_gets_the_overview() -> None:
    decision = _say("browse_products", "what laptops do you sell?")
    laptops = demo_shop().catalogue.in_category("laptops")

    text = _text(decision)
    assert f"We have {len(laptops)} laptops" in text
    assert all(p.name in text for p in laptops)
    assert "refurbished" not in text.lower() and "only sell new" not in text
    assert decision.faq_entry is None
    assert any(b.payload == "https://shop.example.com/laptops" for b in decision.replies[0].buttons)


def test_what_do_you_sell_lists_every_category() -> None:
    text = _text(_say("browse_products", "what do you sell?"))

    assert "laptops" in text and "headphones" in text and "monitors" in text


def test_a_product_the_shop_does_not_sell_is_never_priced_as_another() -> None:
    decision = _say("ask_price", "how much is the iphone 15")

    text = _text(decision)
    assert "iphone 15" in text
    assert "€" not in text
    assert decision.products == ()


def test_an_faq_match_never_overrides_a_confident_intent() -> None:
    sure = interpretation("browse_products", text="do you sell refurbished laptops?")

    decision = decide(customer_state(), sure, NOW, demo_shop())

    assert decision.faq_entry is None


def test_a_message_resolved_by_a_product_name_is_not_logged_as_not_understood() -> None:
    unsure = Interpretation(
        text="MacBook Air?",
        intent=interpretation(FALLBACK_INTENT).intent,
        language="en",
        entities=(product_entity("macbook-air-13", "MacBook Air"),),
    )

    decision = decide(customer_state(), unsure, NOW, demo_shop())

    assert decision.resolved == Resolved("ask_price", "product")
    assert decision.consecutive_fallbacks == 0


def test_a_stated_purchase_opens_retention_and_taking_it_back_returns() -> None:
    said = _say("delivery_problem", "my order hasn't arrived", stage="awareness")
    assert said.stage_changed is not None
    assert (said.stage_changed.current, said.stage_changed.evidence) == ("retention", "stated")
    assert said.purchase_stated is not None and said.purchase_stated.before == "awareness"

    back = _say("not_purchased", "I haven't ordered anything", stage="retention",
                purchase_stated=True, stage_before_purchase="awareness")  # fmt: skip
    assert back.stage_changed is not None
    assert (back.stage_changed.current, back.stage_changed.evidence) == ("awareness", None)
    assert back.purchase_stated is not None and not back.purchase_stated.stated
    assert back.replies
