"""Applies one validated commerce event in one transaction.

The event is stored once (a retried event id changes nothing), logged as a touchpoint on
the customer's channel, and the core's ``decide_event`` moves the journey stage, marks a
purchase and schedules or cancels follow-ups.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.commerce.payload import EventPayload
from bot.state import known_customer_state, purchase_stated_columns, stage_evidence
from bot.transaction import apply_commands
from journeys.commerce import (
    CART_RECOVERY,
    CommerceEvent,
    EventDecision,
    decide_event,
    recovered,
)
from journeys.journey_map import JourneyMap
from storage.errors import DuplicateEvent
from storage.records import CustomerContext, NewCommerceEvent, NewTouchpoint
from storage.uow import SqlAlchemyUnitOfWork, UnitOfWorkFactory


class UnknownCustomer(LookupError):
    """The event names a chat identity journeybot has never seen."""


@dataclass(frozen=True, slots=True)
class Ingested:
    """The outcome: ``duplicate`` for an event id seen before; the stage after the event."""

    duplicate: bool
    stage: str | None = None


class EventIngest:
    """Stores and applies commerce events."""

    def __init__(
        self, uow: UnitOfWorkFactory, journey_map: JourneyMap, clock: Callable[[], datetime]
    ) -> None:
        self.uow, self.journey_map, self.clock = uow, journey_map, clock

    async def ingest(self, event: EventPayload) -> Ingested:
        """Apply ``event``; raise ``UnknownCustomer`` when its customer is not known."""
        now = self.clock()
        who = event.customer
        try:
            async with self.uow() as uow:
                identity = await self._identity(uow, event)
                ctx = None if identity is None else await uow.customers.context(*identity)
                if identity is None or ctx is None:
                    raise UnknownCustomer(f"no customer is known by {who.describe()}")
                core = _core_event(event)
                reminded = await uow.events.last_reminder_at(ctx.customer_id, CART_RECOVERY)
                stored = replace(_stored(event), recovered=recovered(core, reminded))
                await uow.events.add(ctx.customer_id, stored, now)
                decision = decide_event(known_customer_state(ctx), core, now, self.journey_map)
                stage_after = await self._apply(uow, ctx, identity[0], event, decision, now)
                await uow.commit()
        except DuplicateEvent:
            return Ingested(duplicate=True)
        return Ingested(duplicate=False, stage=stage_after)

    async def _apply(
        self,
        uow: SqlAlchemyUnitOfWork,
        ctx: CustomerContext,
        channel: str,
        event: EventPayload,
        decision: EventDecision,
        now: datetime,
    ) -> str | None:
        """Log the event, record the stage change, the purchase and the customer's word
        about it, carry out the commands; return the stage after."""
        changed = decision.stage_changed
        stage_after = changed.current if changed else ctx.stage
        said = decision.purchase_stated
        evidence = stage_evidence(self.journey_map, ctx, stage_after, decision.purchased, said)
        point = replace(
            _touchpoint(event, channel, ctx, now), stage_after=stage_after, stage_evidence=evidence
        )
        await uow.touchpoints.add(ctx.customer_id, ctx.conversation_id, None, point)
        if changed is not None:
            await uow.customers.add_stage_change(
                ctx.customer_id, changed.previous, changed.current, changed.reason, now,
                changed.evidence,
            )  # fmt: skip
        await uow.customers.update_state(
            ctx.customer_id, stage=stage_after, purchased=decision.purchased,
            **purchase_stated_columns(said),
        )  # fmt: skip
        await apply_commands(uow, decision.commands, ctx.customer_id, ctx.conversation_id, now)
        return stage_after

    @staticmethod
    async def _identity(uow: SqlAlchemyUnitOfWork, event: EventPayload) -> tuple[str, str] | None:
        who = event.customer
        if who.ref is not None:
            for ref in (who.ref, *who.alternatives):
                if (found := await uow.events.identity_of(ref)) is not None:
                    return found
            return None
        if who.channel is None or who.id is None:  # the payload's validator refuses this
            return None
        return who.channel, who.id


def _core_event(event: EventPayload) -> CommerceEvent:
    return CommerceEvent(
        type=event.type,
        occurred_at=event.occurred_at,
        cart_id=event.cart_id,
        order_id=event.order_id,
        item_count=sum(item.quantity for item in event.items),
    )


def _stored(event: EventPayload) -> NewCommerceEvent:
    return NewCommerceEvent(
        event_id=event.id,
        type=event.type,
        cart_id=event.cart_id,
        order_id=event.order_id,
        total=None if event.total is None else str(event.total),
        currency=event.currency,
        items=[item.model_dump(mode="json") for item in event.items],
        occurred_at=event.occurred_at,
        cart_url=None if event.cart_url is None else str(event.cart_url),
    )


def _touchpoint(
    event: EventPayload, channel: str, ctx: CustomerContext, now: datetime
) -> NewTouchpoint:
    """The event as the log keeps it (the caller adds the stage after and its evidence)."""
    return NewTouchpoint(
        channel=channel,
        direction="in",
        kind="event",
        text=event.summary(),
        intent=event.type,
        language=ctx.language,
        stage_before=ctx.stage,
        created_at=now,
        products=list(dict.fromkeys(item.product_id for item in event.items)),
    )
