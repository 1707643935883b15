"""Maps what storage knows of a customer to the core's ``CustomerState``."""

from __future__ import annotations

from bot.channels.base import InboundMessage
from journeys.model import CustomerState, Survey
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
        opted_out=ctx.opted_out,
        last_seen_at=ctx.last_seen_at,
        last_products=ctx.last_products,
        consecutive_fallbacks=ctx.consecutive_fallbacks,
        survey=survey,
    )
