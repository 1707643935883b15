"""Maps what storage knows of a customer to the core's ``CustomerState``, and back: the
customer columns a purchase the customer stated changes, and the evidence a stage rests on."""

from __future__ import annotations

from typing import Any

from bot.channels.base import InboundMessage
from journeys.journey_map import JourneyMap
from journeys.model import CustomerState, PurchaseStated, Survey
from storage.records import CustomerContext


def customer_state(
    ctx: CustomerContext | None, msg: InboundMessage, survey: Survey | None = None
) -> CustomerState:
    """The core's view of the customer behind ``msg`` (a blank one for a newcomer)."""
    if ctx is None:
        return CustomerState(
            customer_id=f"{msg.channel}:{msg.sender_id}", language=msg.language_hint
        )
    return known_customer_state(ctx, msg.language_hint, survey)


def known_customer_state(
    ctx: CustomerContext, language_hint: str | None = None, survey: Survey | None = None
) -> CustomerState:
    """The core's view of a stored customer (``survey``: their latest CSAT question)."""
    return CustomerState(
        customer_id=str(ctx.customer_id),
        stage=ctx.stage,
        language=ctx.language or language_hint,
        purchased=ctx.purchased,
        purchase_stated=ctx.purchase_stated,
        stage_before_purchase=ctx.stage_before_purchase,
        opted_out=ctx.opted_out,
        last_seen_at=ctx.last_seen_at,
        last_products=ctx.last_products,
        selected_product=ctx.selected_product,
        last_faq_entry=ctx.last_faq_entry,
        consecutive_fallbacks=ctx.consecutive_fallbacks,
        survey=survey,
    )


def purchase_stated_columns(said: PurchaseStated | None) -> dict[str, Any]:
    """The customer columns ``said`` sets: the word and the stage before it (none when the
    customer said nothing new about a purchase)."""
    if said is None:
        return {}
    return {"purchase_stated": said.stated, "stage_before_purchase": said.before}


def stage_evidence(
    journey_map: JourneyMap,
    ctx: CustomerContext | None,
    stage_after: str | None,
    purchased_after: bool,
    said: PurchaseStated | None,
) -> str | None:
    """What ``stage_after`` rests on once the exchange or event is applied (``said``: what
    it records of the customer's word): ``confirmed``, ``stated`` or None."""
    stated_after = said.stated if said is not None else bool(ctx and ctx.purchase_stated)
    return journey_map.stage_evidence(stage_after, purchased_after, stated_after)
