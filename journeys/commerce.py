"""What a commerce event from the shop (a cart, a checkout, an order) means for a customer.

``decide_event`` is pure: from the customer's state and one event it gives the stage change
(the journey map says which stage each event signals), whether it is a purchase, the
follow-ups to schedule or cancel, and what it does to a purchase the customer only stated
(an event of the map's ``evidence.withdrawn_by``, such as ``order_cancelled``, takes it
back; an ``order_placed`` confirms it, see ``journeys.stages``). A cart with items, or a
started checkout, schedules the map's ``cart_recovery`` cadence for that cart (one key per
cart, event time and step, so a retried event never schedules a step twice); a new cart
update starts it again from the first step; an order or an emptied cart cancels what is
pending; a delivered order schedules the ``review_request`` cadence (the CSAT question, see
``journeys.reviews``); a submitted review is recorded and schedules the referral message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from journeys.journey_map import JourneyMap
from journeys.model import (
    CancelFollowUp,
    Command,
    CustomerState,
    PurchaseStated,
    ReviewReported,
    ScheduleFollowUp,
    StageChanged,
)
from journeys.reviews import REVIEW_REQUEST, referral_commands
from journeys.stages import StageTracker
from journeys.stalls import CHAT_QUIET

EVENT_TYPES = (
    "cart_updated",
    "checkout_started",
    "order_placed",
    "order_delivered",
    "order_cancelled",
    "review_submitted",
)
CART_RECOVERY = "cart_recovery"
ATTRIBUTION_WINDOW = timedelta(days=7)
"""An order this soon after a cart reminder counts as recovered by it."""


@dataclass(frozen=True, slots=True)
class CommerceEvent:
    """One event as the core needs it (validated by the caller)."""

    type: str
    occurred_at: datetime
    cart_id: str | None = None
    order_id: str | None = None
    item_count: int = 0


@dataclass(frozen=True, slots=True)
class EventDecision:
    """The stage change, purchase flag and follow-up commands of one event;
    ``purchase_stated`` records the customer's word about a purchase that the event
    withdraws (or, for an event the map lists as stated evidence, gives)."""

    stage_changed: StageChanged | None
    purchased: bool
    commands: tuple[Command, ...] = ()
    purchase_stated: PurchaseStated | None = None


def decide_event(
    state: CustomerState, event: CommerceEvent, now: datetime, journey_map: JourneyMap
) -> EventDecision:
    """What ``event`` changes for the customer in ``state``."""
    if event.type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event.type!r}; known: {', '.join(EVENT_TYPES)}")
    tracker = StageTracker(journey_map)
    changed = tracker.on_signal(state, event.type, now)
    purchase = journey_map.is_purchase_signal(event.type)
    return EventDecision(
        changed,
        state.purchased or purchase,
        _commands(event, journey_map),
        tracker.purchase_stated(state, event.type),
    )


def recovered(
    event: CommerceEvent, last_reminder_at: datetime | None, window: timedelta = ATTRIBUTION_WINDOW
) -> bool:
    """True for an order placed within ``window`` after the customer's last cart reminder."""
    if event.type != "order_placed" or last_reminder_at is None:
        return False
    return last_reminder_at <= event.occurred_at <= last_reminder_at + window


def _commands(event: CommerceEvent, journey_map: JourneyMap) -> tuple[Command, ...]:
    if event.type in ("cart_updated", "checkout_started"):
        cancel = CancelFollowUp(CART_RECOVERY, reason=f"{event.type} {event.cart_id}")
        if event.item_count == 0 or event.cart_id is None:
            return (cancel,)
        return (cancel, *_cadence(CART_RECOVERY, event.cart_id, event, journey_map))
    if event.type == "order_placed":
        reason = f"order_placed {event.order_id}"
        return (CancelFollowUp(CART_RECOVERY, reason), CancelFollowUp(CHAT_QUIET, reason))
    if event.type == "order_delivered" and event.order_id is not None:
        return _cadence(REVIEW_REQUEST, event.order_id, event, journey_map)
    if event.type == "review_submitted":
        return (ReviewReported("event"), *referral_commands(event.occurred_at, journey_map))
    return ()


def _cadence(
    kind: str, subject: str, event: CommerceEvent, journey_map: JourneyMap
) -> tuple[ScheduleFollowUp, ...]:
    """The steps of ``kind`` about ``subject`` (a cart or order id), from the event's time."""
    cadence = journey_map.follow_up(kind)
    if cadence is None:
        return ()
    stamp = event.occurred_at.isoformat()
    return tuple(
        ScheduleFollowUp(
            kind,
            event.occurred_at + delay,
            key=f"{kind}:{subject}:{stamp}:{step}",
            template=f"{kind}_{step}",
            subject=subject,
        )
        for step, delay in enumerate(cadence.delays, start=1)
    )
