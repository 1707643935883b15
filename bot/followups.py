"""Sends follow-ups when they fall due: one sweep claims the due rows, settles each, commits.

For each claimed row the core decides (``journeys.followups``): a message to send goes into
the outbox as a ``system`` message with its touchpoint, a held one is pending again at the
end of the quiet hours, a skipped one records why, a cancelled one stops the rest of its
kind. Everything of one sweep is one transaction, so a crash sends nothing twice: rows are
settled in the same commit that queues their messages. APScheduler runs the sweep
(``bot.scheduler``); tests call ``sweep()`` with a fake clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from bot.handoff import request_person
from bot.outbox import Outbox
from journeys.commerce import CART_RECOVERY as CART
from journeys.followups import (
    Cancel,
    DueFollowUp,
    Hold,
    Outcome,
    Recipient,
    Send,
    Skip,
    decide_follow_up,
)
from journeys.formatting import format_price
from journeys.handoff import HANDOFF_WAITING, decide_waiting_update, stalled_cart
from journeys.model import Reply
from journeys.reviews import (
    ASK_CSAT,
    REFERRAL,
    REVIEW_REQUEST,
    SURVEY_KINDS,
    ReviewHistory,
    decide_review_follow_up,
    survey_product,
)
from journeys.shop import Shop
from storage.followups import Audience, CartSnapshot, DueRow
from storage.records import NewOutbound, NewTouchpoint
from storage.uow import SqlAlchemyUnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

BATCH = 200
PROACTIVE = "system"


class FollowUpSender:
    """Claims due follow-ups and settles them (see the module docstring)."""

    def __init__(
        self, uow: UnitOfWorkFactory, shop: Shop, outbox: Outbox, clock: Callable[[], datetime]
    ) -> None:
        self.uow, self.shop, self.outbox, self.clock = uow, shop, outbox, clock

    async def sweep(self) -> int:
        """Settle every follow-up due now; return how many messages were queued."""
        queued: list[int] = []
        while True:
            now = self.clock()
            async with self.uow() as uow:
                due = await uow.sweep.claim_due(now, BATCH)
                for row in due:
                    queued += await self._settle(uow, row, now)
                await uow.commit()
            if len(due) < BATCH:
                break
        if queued:
            await self.outbox.deliver(queued)
        return len(queued)

    async def _settle(self, uow: SqlAlchemyUnitOfWork, row: DueRow, now: datetime) -> list[int]:
        audience = await uow.sweep.audience(row, now)
        cart = await uow.sweep.cart(row.customer_id, row.subject) if row.subject else None
        if audience is None:
            await uow.sweep.settle(row.id, "cancelled", now, reason="no conversation to use")
            return []
        language = audience.language or self.shop.journey_map.default_language
        who = Recipient(
            customer_id=str(row.customer_id),
            language=language,
            opted_out=audience.opted_out,
            with_person=audience.with_person,
            proactive_last_week=audience.proactive_week,
            proactive_last_day=audience.proactive_day,
            other_flow_today=audience.other_flow_today,
            sent_about_subject=audience.sent_about_subject,
            timezone=audience.timezone,
        )
        due = _due(row, cart, language)
        outcome = await self._decide(uow, row, due, who, audience, now)
        match outcome:
            case Send(reply=reply):
                ids = await _queue(uow, row, audience, reply, language, now)
                if reply.ask == ASK_CSAT:
                    await self._open_survey(uow, row, audience, now)
                handoff = self.shop.journey_map.handoff
                stalled = stalled_cart(due.amount, due.step, handoff) if row.kind == CART else None
                if stalled is not None:
                    await request_person(uow, audience.conversation_id, stalled, now)
                await uow.sweep.settle(row.id, "sent", now)
                return ids
            case Hold(until=until):
                await uow.sweep.settle(row.id, "pending", now, reason="quiet hours", due_at=until)
            case Skip(reason=reason):
                await uow.sweep.settle(row.id, "skipped", now, reason=reason)
            case Cancel(reason=reason):
                await uow.follow_ups.cancel(row.customer_id, row.kind, reason, now)
                await uow.sweep.settle(row.id, "cancelled", now, reason=reason)
        log.info("follow-up %s (%s): %s", row.id, row.template, type(outcome).__name__.lower())
        return []

    async def _decide(
        self, uow: SqlAlchemyUnitOfWork, row: DueRow, due: DueFollowUp, who: Recipient,
        audience: Audience, now: datetime,
    ) -> Outcome:  # fmt: skip
        """The core's decision; satisfaction questions, referrals and the update to a customer
        waiting for a person have rules of their own."""
        if row.kind == HANDOFF_WAITING:
            return decide_waiting_update(due, who, audience.waiting, self.shop)
        if row.kind not in (*SURVEY_KINDS, REFERRAL):
            return decide_follow_up(due, who, now, self.shop)
        last_asked, subject_asked = await uow.surveys.history(row.customer_id, row.subject)
        history = ReviewHistory(last_asked, subject_asked, audience.last_message_at)
        return decide_review_follow_up(due, who, history, now, self.shop)

    @staticmethod
    async def _open_survey(
        uow: SqlAlchemyUnitOfWork, row: DueRow, audience: Audience, now: datetime
    ) -> None:
        """Record the question (its touchpoint, ``csat_asked``, is the message's own)."""
        products: tuple[str, ...] = ()
        if row.kind == REVIEW_REQUEST and row.subject:
            products = await uow.events.order_products(row.customer_id, row.subject)
        await uow.surveys.open(
            row.customer_id, audience.conversation_id, row.kind, row.subject,
            survey_product(products), now,
        )  # fmt: skip


def _due(row: DueRow, cart: CartSnapshot | None, language: str) -> DueFollowUp:
    if cart is None:
        return DueFollowUp(row.kind, row.template, row.due_at)
    amount = _amount(cart.total)
    return DueFollowUp(
        row.kind,
        row.template,
        row.due_at,
        items=tuple(f"{item['quantity']}× {item['name']}" for item in cart.items),
        total="" if amount is None else format_price(amount, cart.currency or "EUR", language),
        cart_url=cart.cart_url or "",
        amount=amount,
    )


def _amount(total: str | None) -> Decimal | None:
    try:
        return Decimal(total or "")
    except InvalidOperation:
        return None


async def _queue(
    uow: SqlAlchemyUnitOfWork, row: DueRow, audience: Audience, reply: Reply, language: str,
    now: datetime,
) -> list[int]:  # fmt: skip
    """The message in the outbox and its touchpoint (``answered_by`` system)."""
    text = reply.text
    buttons = tuple((b.title, b.payload) for b in reply.buttons)
    queued = await uow.messages.add_outbound(
        conversation_id=audience.conversation_id,
        customer_id=row.customer_id,
        channel=audience.channel,
        recipient_id=audience.recipient_id,
        messages=[NewOutbound(text, buttons, PROACTIVE, reply.attachment())],
        in_reply_to=None,
        status="pending",
        now=now,
    )
    await uow.touchpoints.add(
        row.customer_id,
        audience.conversation_id,
        queued[0].id,
        NewTouchpoint(
            channel=audience.channel,
            direction="out",
            kind="csat_asked" if reply.ask == ASK_CSAT else "follow_up",
            text=text,
            intent=row.template,
            language=language,
            answered_by=PROACTIVE,
            created_at=now,
        ),
    )
    return [m.id for m in queued]
