"""What commerce events mean for a customer: stage, purchase, follow-ups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journeys.commerce import CommerceEvent, decide_event, recovered
from journeys.journey_map import JourneyMap
from journeys.model import CancelFollowUp, PurchaseStated, ScheduleFollowUp, StageChanged
from tests.builders import customer_state, demo_shop, load_demo_content

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def event(kind: str, **fields: object) -> CommerceEvent:
    return CommerceEvent(kind, NOW, **fields)  # type: ignore[arg-type]


def decide(
    kind: str, stage: str | None = "consideration", purchased: bool = False, **fields: object
):  # type: ignore[no-untyped-def]
    state = customer_state(stage=stage, purchased=purchased)
    return decide_event(state, event(kind, **fields), NOW, demo_shop().journey_map)


def test_a_cart_with_items_schedules_three_reminders_after_cancelling_the_old_ones() -> None:
    decision = decide("cart_updated", cart_id="c1", item_count=2)

    cancel, *reminders = decision.commands
    assert cancel == CancelFollowUp("cart_recovery", reason="cart_updated c1")
    assert all(isinstance(r, ScheduleFollowUp) for r in reminders)
    assert [r.due_at - NOW for r in reminders] == [  # type: ignore[union-attr]
        timedelta(hours=1), timedelta(hours=24), timedelta(hours=72)
    ]  # fmt: skip
    assert len({r.key for r in reminders}) == 3  # type: ignore[union-attr]
    assert decision.stage_changed is not None and decision.stage_changed.current == "purchase"


def test_an_emptied_cart_only_cancels() -> None:
    decision = decide("cart_updated", cart_id="c1", item_count=0)
    assert decision.commands == (CancelFollowUp("cart_recovery", reason="cart_updated c1"),)


def test_an_order_is_a_purchase_and_cancels_the_cart_reminders() -> None:
    decision = decide("order_placed", order_id="o1")

    assert decision.purchased
    assert decision.stage_changed is not None and decision.stage_changed.current == "retention"
    assert decision.commands == (
        CancelFollowUp("cart_recovery", reason="order_placed o1"),
        CancelFollowUp("chat_quiet", reason="order_placed o1"),
    )


def test_a_delivered_order_schedules_the_review_request() -> None:
    decision = decide("order_delivered", stage="retention", purchased=True, order_id="o1")

    (request,) = decision.commands
    assert isinstance(request, ScheduleFollowUp)
    assert (request.kind, request.due_at) == ("review_request", NOW + timedelta(days=7))


def test_an_unknown_event_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event type 'cart_abandoned'"):
        decide("cart_abandoned")


@pytest.mark.parametrize(
    ("kind", "reminded", "expected"),
    [
        ("order_placed", NOW - timedelta(days=6), True),
        ("order_placed", NOW - timedelta(days=8), False),
        ("order_placed", None, False),
        ("cart_updated", NOW - timedelta(hours=1), False),
    ],
)
def test_an_order_is_recovered_within_the_attribution_window(
    kind: str, reminded: datetime | None, expected: bool
) -> None:
    assert recovered(event(kind), reminded) is expected


def _evidence_map() -> JourneyMap:
    data = load_demo_content("journey_map")
    data["evidence"] = {"stated": ["order_status"], "withdrawn_by": ["order_cancelled"]}
    return JourneyMap.from_mapping(data)


def test_a_cancelled_order_withdraws_a_purchase_the_customer_only_stated() -> None:
    state = customer_state(
        stage="retention", purchase_stated=True, stage_before_purchase="consideration"
    )

    decision = decide_event(state, event("order_cancelled", order_id="o1"), NOW, _evidence_map())

    assert decision.purchase_stated == PurchaseStated(False)
    assert decision.stage_changed is not None
    assert (decision.stage_changed.current, decision.stage_changed.evidence) == (
        "consideration",
        None,
    )
    assert not decision.purchased


def test_an_order_confirms_a_stated_purchase_and_keeps_the_word() -> None:
    state = customer_state(stage="retention", purchase_stated=True)

    decision = decide_event(state, event("order_placed", order_id="o1"), NOW, _evidence_map())

    assert decision.purchased and decision.purchase_stated is None
    assert decision.stage_changed == StageChanged(
        "retention", "retention", NOW, "order_placed", "confirmed"
    )


def test_a_cancelled_order_after_a_confirmed_one_takes_nothing_back() -> None:
    state = customer_state(stage="retention", purchased=True, purchase_stated=True)

    decision = decide_event(state, event("order_cancelled", order_id="o1"), NOW, _evidence_map())

    assert decision.purchase_stated is None and decision.stage_changed is None
