"""The hand-off state machine, office hours, and what moves a conversation to a person."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from journeys.followups import Cancel, DueFollowUp, Recipient, Send
from journeys.handoff import (
    InvalidMove,
    clearly_negative,
    decide_waiting_update,
    in_office_hours,
    next_state,
    stalled_cart,
    wants_the_bot,
    with_person_turn,
)
from journeys.model import BackToBot
from tests.builders import demo_shop

MONDAY_NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 12:00 in Rome


@pytest.mark.parametrize(
    ("state", "move", "after"),
    [("bot", "request", "waiting"), ("waiting", "claim", "agent"), ("bot", "claim", "agent"),
     ("agent", "release", "bot"), ("waiting", "cancel", "bot"), ("agent", "close", "closed")],
)  # fmt: skip
def test_the_moves_of_a_conversation(state: str, move: str, after: str) -> None:
    assert next_state(state, move) == after


@pytest.mark.parametrize(
    ("state", "move"), [("agent", "claim"), ("closed", "claim"), ("bot", "release"),
                        ("closed", "close"), ("agent", "request")],
)  # fmt: skip
def test_impossible_moves_are_refused_saying_why(state: str, move: str) -> None:
    with pytest.raises(InvalidMove, match=f"cannot {move} a conversation that is {state}"):
        next_state(state, move)


@pytest.mark.parametrize(
    ("moment", "open_"),
    [(MONDAY_NOON, True), (datetime(2026, 3, 2, 7, 30, tzinfo=UTC), False),  # 08:30 Rome
     (datetime(2026, 3, 2, 17, 0, tzinfo=UTC), False),  # 18:00 Rome: closed
     (datetime(2026, 3, 7, 11, 0, tzinfo=UTC), False)],  # Saturday
)  # fmt: skip
def test_office_hours_are_the_shops_wall_clock(moment: datetime, open_: bool) -> None:
    assert in_office_hours(moment, demo_shop().journey_map.handoff, "Europe/Rome") is open_


@pytest.mark.parametrize(
    ("text", "back"),
    [("never mind", True), ("back to the bot please", True), ("no importa", True),
     ("volver al bot", True), ("lascia perdere", True), ("torna al bot", True),
     ("my order never arrived and I mind a lot, cancel it now please thanks", False),
     ("where is my order?", False)],
)  # fmt: skip
def test_a_waiting_customer_can_go_back_to_the_bot(text: str, back: bool) -> None:
    assert wants_the_bot(text) is back


def test_going_back_to_the_bot_is_confirmed_in_the_customers_language() -> None:
    decision = with_person_turn("lascia perdere", "it", demo_shop(), "seed")

    assert decision is not None
    assert decision.replies[0].text == "Nessun problema, eccomi di nuovo. Come posso aiutarti?"
    assert decision.commands == (BackToBot("the customer cancelled"),)
    assert with_person_turn("hello?", "it", demo_shop(), "seed") is None


@pytest.mark.parametrize(
    ("text", "negative"),
    [("This is useless!", True), ("una vergogna, servizio pessimo", True),
     ("WHERE IS MY ORDER??? NOBODY ANSWERS!!!", True), ("the box was a bit dented", False)],
)  # fmt: skip
def test_clearly_negative_complaints(text: str, negative: bool) -> None:
    assert clearly_negative(text) is negative


def test_only_a_big_cart_at_its_first_reminder_goes_to_a_person() -> None:
    settings = demo_shop().journey_map.handoff  # high_value_cart: 1500
    assert stalled_cart(Decimal("1999.00"), 1, settings) == "high-value cart stalled (1999.00)"
    assert stalled_cart(Decimal("1999.00"), 2, settings) is None
    assert stalled_cart(Decimal("999.00"), 1, settings) is None


def test_the_waiting_update_goes_only_while_the_customer_still_waits() -> None:
    due = DueFollowUp("handoff_waiting", "handoff_waiting_1", MONDAY_NOON)
    ann = Recipient("7", "en", opted_out=True)

    waiting = decide_waiting_update(due, ann, True, demo_shop())
    claimed = decide_waiting_update(due, ann, False, demo_shop())

    assert isinstance(waiting, Send)
    assert "within 15 minutes" in waiting.reply.text
    assert isinstance(claimed, Cancel)
