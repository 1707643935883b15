"""The stage tracker's rules, one table row per situation a customer can be in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from journeys.journey_map import JourneyMap
from journeys.model import StageChanged
from journeys.stages import StageTracker
from tests.builders import customer_state
from tests.unit.journeys.content import journey_map_data

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

# (why, stage now, purchased, signal, stage after; None = stays put)
RULES = [
    ("a new customer starts at the initial stage", None, False, "greet", "awareness"),
    (
        "a new customer asking a price starts in consideration",
        None,
        False,
        "ask_price",
        "consideration",
    ),
    ("a new customer cannot start after a purchase", None, False, "order_status", "awareness"),
    ("a signal moves forward", "awareness", False, "ask_price", "consideration"),
    ("an event moves forward", "consideration", False, "cart_updated", "purchase"),
    ("awareness does not pull consideration back", "consideration", False, "browse_products", None),
    ("purchase does not fall back to consideration", "purchase", False, "ask_stock", None),
    ("general intents never move", "consideration", False, "greet", None),
    ("general intents never move after a purchase", "retention", True, "thanks", None),
    ("the same stage is no change", "consideration", False, "ask_specs", None),
    ("order status before any purchase keeps the stage", "purchase", False, "order_status", None),
    ("praise before any purchase keeps the stage", "consideration", False, "praise", None),
    ("an order moves to retention", "purchase", False, "order_placed", "retention"),
    ("an order skips ahead from anywhere", "awareness", False, "order_placed", "retention"),
    ("after a purchase, praise moves to advocacy", "retention", True, "praise", "advocacy"),
    (
        "after a purchase, order status moves to retention",
        "purchase",
        True,
        "order_status",
        "retention",
    ),
    ("a product question starts a new cycle", "retention", True, "ask_price", "consideration"),
    ("buying again starts a new cycle at purchase", "advocacy", True, "buy_product", "purchase"),
    ("a cart event starts a new cycle", "advocacy", True, "cart_updated", "purchase"),
    ("browsing does not start a new cycle", "retention", True, "browse_products", None),
    ("advocacy does not fall back to retention", "advocacy", True, "order_status", None),
    ("a new order moves advocacy back to retention", "advocacy", True, "order_placed", "retention"),
    (
        "a stage the map no longer has is replaced",
        "onboarding",
        False,
        "ask_price",
        "consideration",
    ),
    ("an unknown stage with nothing to go on", "onboarding", False, "greet", "awareness"),
]


@pytest.mark.parametrize(
    ("stage", "purchased", "signal", "expected"),
    [row[1:] for row in RULES],
    ids=[row[0] for row in RULES],
)
def test_stage_rules(stage: str | None, purchased: bool, signal: str, expected: str | None) -> None:
    tracker = StageTracker(JourneyMap.from_mapping(journey_map_data()))
    state = customer_state(stage=stage, purchased=purchased)

    changed = tracker.on_signal(state, signal, NOW)

    if expected is None:
        assert changed is None
    else:
        # every purchase in this table is an order from the shop: confirmed evidence
        evidence = "confirmed" if expected in ("retention", "advocacy") else None
        assert changed == StageChanged(stage, expected, NOW, signal, evidence)


def test_next_stage_can_be_told_the_signal_is_a_purchase() -> None:
    tracker = StageTracker(JourneyMap.from_mapping(journey_map_data()))
    state = customer_state(stage="purchase")

    without = tracker.next_stage(state, "retention", NOW, "order_delivered")
    confirmed = tracker.next_stage(state, "retention", NOW, "order_delivered", purchase=True)

    assert without is None
    assert confirmed is not None
    assert confirmed.current == "retention"


def test_an_unknown_signal_stage_is_a_programming_error() -> None:
    tracker = StageTracker(JourneyMap.from_mapping(journey_map_data()))

    with pytest.raises(ValueError, match="unknown stage 'onboarding'"):
        tracker.next_stage(customer_state(), "onboarding", NOW, "why")


def test_without_a_new_cycle_stage_a_customer_stays_after_the_purchase() -> None:
    data = journey_map_data()
    del data["repeat_cycle_from"]
    tracker = StageTracker(JourneyMap.from_mapping(data))

    assert (
        tracker.on_signal(customer_state(stage="retention", purchased=True), "ask_price", NOW)
        is None
    )


def test_the_rules_follow_a_business_own_stages() -> None:
    journey_map = JourneyMap.from_mapping(
        {
            "initial_stage": "discover",
            "repeat_cycle_from": "book",
            "stages": [
                {"name": "discover", "description": "Finding us", "intents": ["ask_menu"]},
                {"name": "book", "description": "Booking", "intents": ["ask_table"]},
                {"name": "visit", "description": "Came", "events": ["bill_paid"]},
                {
                    "name": "loyal",
                    "description": "Regular",
                    "requires_purchase": True,
                    "intents": ["rate_us"],
                },
            ],
            "purchase_signals": ["bill_paid"],
        }
    )
    tracker = StageTracker(journey_map)

    first = tracker.on_signal(customer_state(), "ask_menu", NOW)
    early_rating = tracker.on_signal(customer_state(stage="book"), "rate_us", NOW)
    rating = tracker.on_signal(customer_state(stage="visit", purchased=True), "rate_us", NOW)
    again = tracker.on_signal(customer_state(stage="loyal", purchased=True), "ask_table", NOW)

    moves = [c.current if c else None for c in (first, early_rating, rating, again)]
    assert moves == ["discover", None, "loyal", "book"]


# --- stated evidence: the customer's own words ----------------------------------------------


def _evidence_tracker() -> StageTracker:
    data = journey_map_data()
    data["general_intents"] = [*data["general_intents"], "not_purchased"]
    data["stages"][3]["events"] = [*data["stages"][3]["events"], "order_cancelled"]
    data["evidence"] = {
        "stated": ["order_status", "praise"],
        "withdrawn_by": ["not_purchased", "order_cancelled"],
    }
    return StageTracker(JourneyMap.from_mapping(data))


def test_a_stated_purchase_opens_the_after_sales_stages() -> None:
    tracker = _evidence_tracker()
    state = customer_state(stage="awareness")

    changed = tracker.on_signal(state, "order_status", NOW)
    stated = tracker.purchase_stated(state, "order_status")

    assert changed == StageChanged("awareness", "retention", NOW, "order_status", "stated")
    assert stated is not None and stated.stated and stated.before == "awareness"


def test_a_new_customer_stating_a_purchase_starts_after_it() -> None:
    changed = _evidence_tracker().on_signal(customer_state(), "praise", NOW)

    assert changed == StageChanged(None, "advocacy", NOW, "praise", "stated")


def test_an_order_confirms_what_the_customer_stated() -> None:
    state = customer_state(stage="retention", purchase_stated=True)

    changed = _evidence_tracker().on_signal(state, "order_placed", NOW)

    assert changed == StageChanged("retention", "retention", NOW, "order_placed", "confirmed")


def test_taking_it_back_returns_to_the_stage_before() -> None:
    tracker = _evidence_tracker()
    state = customer_state(
        stage="retention", purchase_stated=True, stage_before_purchase="consideration"
    )

    changed = tracker.on_signal(state, "not_purchased", NOW)
    stated = tracker.purchase_stated(state, "not_purchased")

    assert changed == StageChanged("retention", "consideration", NOW, "not_purchased", None)
    assert stated is not None and not stated.stated


def test_a_cancelled_order_withdraws_a_stated_purchase_to_the_initial_stage() -> None:
    state = customer_state(stage="advocacy", purchase_stated=True)

    changed = _evidence_tracker().on_signal(state, "order_cancelled", NOW)

    assert changed == StageChanged("advocacy", "awareness", NOW, "order_cancelled", None)


def test_a_confirmed_purchase_is_not_taken_back_by_words() -> None:
    tracker = _evidence_tracker()
    state = customer_state(stage="retention", purchased=True, purchase_stated=True)

    assert tracker.on_signal(state, "not_purchased", NOW) is None
    assert tracker.purchase_stated(state, "not_purchased") is None


def test_saying_it_again_records_nothing_new() -> None:
    tracker = _evidence_tracker()
    state = customer_state(
        stage="retention", purchase_stated=True, stage_before_purchase="purchase"
    )

    assert tracker.on_signal(state, "order_status", NOW) is None
    assert tracker.purchase_stated(state, "order_status") is None


def test_a_new_cycle_keeps_the_word_for_later() -> None:
    tracker = _evidence_tracker()
    stated = customer_state(stage="retention", purchase_stated=True)

    cycle = tracker.on_signal(stated, "ask_price", NOW)
    back = tracker.on_signal(customer_state(stage="consideration", purchase_stated=True),
                             "order_status", NOW)  # fmt: skip

    assert cycle == StageChanged("retention", "consideration", NOW, "ask_price", None)
    assert back == StageChanged("consideration", "retention", NOW, "order_status", "stated")
