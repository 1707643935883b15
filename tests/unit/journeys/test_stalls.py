"""Objections answered at once; a quiet buyer reminded once the conversation goes quiet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journeys.dialogue import decide
from journeys.model import CancelFollowUp, ScheduleFollowUp
from journeys.replies import Speaker
from journeys.stalls import objection, quiet_commands
from tests.builders import customer_state, demo_shop, interpretation

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("it's too expensive for me", "en", "price"),
        ("es muy caro", "es", "price"),
        ("costa troppo", "it", "price"),
        ("shipping is too much", "en", "shipping"),
        ("los gastos de envío son altos", "es", "shipping"),
        ("la spedizione costa troppo", "it", "shipping"),
        ("I'll think about it", "en", "unsure"),
        ("no estoy seguro", "es", "unsure"),
        ("ci penso", "it", "unsure"),
        ("uf, se me va de presupuesto", "es", "price"),
        ("è un po' troppo per le mie tasche", "it", "price"),
    ],
)
def test_the_objection_is_read_in_three_languages(text: str, language: str, kind: str) -> None:
    speaker = Speaker(demo_shop().replies, language, "seed")

    assert objection(text, speaker) == kind


@pytest.mark.parametrize(
    ("text", "language", "start"),
    [
        ("too expensive", "en", "I understand – it's an investment."),
        ("el envío es muy caro", "es", "El envío cuesta 4,90 €"),
        ("ci penso", "it", "Prenditi il tuo tempo!"),
    ],
)
def test_a_hesitation_is_answered_for_its_objection(text: str, language: str, start: str) -> None:
    state = customer_state(stage="purchase", language=language)
    decision = decide(state, interpretation("hesitation", text=text, language=language), NOW,
                      demo_shop())  # fmt: skip
    assert decision.replies[0].text.startswith(start)


def test_a_buyer_gets_a_reminder_two_hours_after_their_last_message() -> None:
    commands = quiet_commands("buy_product", "consideration", "purchase", NOW, demo_shop())

    cancel, schedule = commands
    assert isinstance(cancel, CancelFollowUp) and cancel.kind == "chat_quiet"
    assert isinstance(schedule, ScheduleFollowUp)
    assert (schedule.due_at, schedule.template) == (NOW + timedelta(hours=2), "chat_quiet_1")


def test_after_a_hesitation_the_reminder_answers_the_doubt() -> None:
    (_, schedule) = quiet_commands("hesitation", "purchase", "purchase", NOW, demo_shop())
    assert isinstance(schedule, ScheduleFollowUp) and schedule.template == "chat_hesitation_1"


def test_leaving_the_buying_stage_drops_it_and_others_get_nothing() -> None:
    left = quiet_commands("order_status", "purchase", "retention", NOW, demo_shop())
    browsing = quiet_commands("ask_price", "consideration", "consideration", NOW, demo_shop())

    assert left == (CancelFollowUp("chat_quiet", reason="the customer wrote again"),)
    assert browsing == ()
