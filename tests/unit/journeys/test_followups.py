"""Send-time rules of follow-ups: stop, quiet hours in the shop's time zone, the cap."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time
from decimal import Decimal

import pytest

from journeys.followups import (
    Cancel,
    DueFollowUp,
    Hold,
    Recipient,
    Send,
    Skip,
    decide_follow_up,
    quiet_until,
)
from journeys.policies import Policies, QuietHours
from tests.builders import demo_shop

MIDDAY = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 12:00 in Rome
CART = DueFollowUp(
    kind="cart_recovery",
    template="cart_recovery_1",
    due_at=MIDDAY,
    items=("1× Dell XPS 13",),
    total="€1,299.00",
    cart_url="https://shop.example.com/cart/8812",
)
ANN = Recipient(customer_id="7", language="en")


def test_a_due_reminder_names_the_cart_and_links_back_with_buttons() -> None:
    outcome = decide_follow_up(CART, ANN, MIDDAY, demo_shop())

    assert isinstance(outcome, Send)
    assert outcome.reply.text == (
        "You left something in your cart:\n1× Dell XPS 13\nTotal: €1,299.00. "
        "It's saved for you here: https://shop.example.com/cart/8812"
    )
    back, *rest = outcome.reply.buttons
    assert (back.title, back.payload, back.is_link) == (
        "Back to my cart",
        "https://shop.example.com/cart/8812",
        True,
    )
    assert [b.payload for b in rest] == ["/checkout_help", "/ask_human", "/stop"]


def test_it_speaks_the_customers_language() -> None:
    outcome = decide_follow_up(CART, replace(ANN, language="es"), MIDDAY, demo_shop())
    assert isinstance(outcome, Send)
    assert outcome.reply.text.startswith("Has dejado algo en tu carrito:")
    assert outcome.reply.buttons[-1].title == "No más recordatorios"


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        (replace(ANN, opted_out=True), "opted out"),
        (replace(ANN, with_person=True), "a person"),
    ],
)
def test_an_opt_out_or_a_person_stops_the_cadence(who: Recipient, reason: str) -> None:
    outcome = decide_follow_up(CART, who, MIDDAY, demo_shop())
    assert isinstance(outcome, Cancel) and reason in outcome.reason


@pytest.mark.parametrize(
    ("day", "week", "reason"),
    [
        (2, 2, "cap of 2 proactive messages in 24 hours reached"),
        (0, 3, "cap of 3 proactive messages in 7 days reached"),
    ],
)
def test_past_a_cap_it_is_skipped_with_the_reason(day: int, week: int, reason: str) -> None:
    who = replace(ANN, proactive_last_day=day, proactive_last_week=week)
    assert decide_follow_up(CART, who, MIDDAY, demo_shop()) == Skip(reason)


@pytest.mark.parametrize(("amount", "offered"), [("1299.00", True), ("299.99", False)])
def test_the_last_reminder_carries_the_coupon_for_a_big_enough_cart(
    amount: str, offered: bool
) -> None:
    last = replace(CART, template="cart_recovery_3", amount=Decimal(amount))
    outcome = decide_follow_up(last, ANN, MIDDAY, demo_shop())

    assert isinstance(outcome, Send)
    assert ("code COMEBACK5 takes 5% off" in outcome.reply.text) is offered


def test_earlier_reminders_never_carry_the_coupon() -> None:
    outcome = decide_follow_up(replace(CART, amount=Decimal(1299)), ANN, MIDDAY, demo_shop())
    assert isinstance(outcome, Send) and "COMEBACK5" not in outcome.reply.text


@pytest.mark.parametrize(
    ("now", "until"),
    [
        # 23:30 in Rome (CET, UTC+1) → held until 09:00 Rome the next morning
        (datetime(2026, 3, 2, 22, 30, tzinfo=UTC), datetime(2026, 3, 3, 8, 0, tzinfo=UTC)),
        # 07:00 in Rome, after midnight → until 09:00 the same morning
        (datetime(2026, 3, 3, 6, 0, tzinfo=UTC), datetime(2026, 3, 3, 8, 0, tzinfo=UTC)),
        # the night summer time starts (29 March): 09:00 Rome is then 07:00 UTC
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_across_midnight_hold_it_until_morning_in_the_shops_time_zone(
    now: datetime, until: datetime
) -> None:
    assert decide_follow_up(CART, ANN, now, demo_shop()) == Hold(until)


def test_a_window_that_does_not_wrap_and_no_window_at_all() -> None:
    lunch = Policies(timezone="America/New_York", quiet_hours=QuietHours(time(12), time(13)))
    at_noon_in_new_york = datetime(2026, 7, 1, 16, 30, tzinfo=UTC)

    assert quiet_until(lunch, at_noon_in_new_york) == datetime(2026, 7, 1, 17, 0, tzinfo=UTC)
    assert quiet_until(lunch, MIDDAY) is None
    assert quiet_until(Policies(), at_noon_in_new_york) is None


def test_a_flow_does_not_start_within_a_day_of_another() -> None:
    first = CART  # step 1
    second_step = replace(CART, template="cart_recovery_2")
    busy = replace(ANN, other_flow_today=True)

    assert decide_follow_up(first, busy, MIDDAY, demo_shop()) == Skip(
        "one cart_recovery flow per customer per 24 hours"
    )
    assert isinstance(decide_follow_up(second_step, busy, MIDDAY, demo_shop()), Send)


def test_quiet_hours_follow_the_customers_own_time_zone_when_known() -> None:
    in_new_york = replace(ANN, timezone="America/New_York")  # 06:00 there at MIDDAY UTC
    in_tokyo = replace(ANN, timezone="Asia/Tokyo")  # 20:00 there

    assert decide_follow_up(CART, in_new_york, MIDDAY, demo_shop()) == Hold(
        datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 09:00 EST
    )
    assert isinstance(decide_follow_up(CART, in_tokyo, MIDDAY, demo_shop()), Send)
