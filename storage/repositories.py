"""Repositories: add, get and list rows of one aggregate each. They never commit.

Each takes the unit of work's session; every method returns plain data (see ``records``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import tables as t
from storage.errors import DuplicateDelivery
from storage.records import CustomerContext, NewOutbound, NewTouchpoint, OutboxMessage

OPEN_STATUSES = ("bot", "agent")


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _insert(self, table: Any, **values: Any) -> int:
        core = table.__table__
        conn = await self.session.connection()
        result = await conn.execute(insert(core).values(**values).returning(core.c.id))
        return int(result.scalar_one())


class CustomerRepository(_Repository):
    """Customers and the channel identities that reach them."""

    async def context(self, channel: str, external_id: str) -> CustomerContext | None:
        """The customer behind ``(channel, external_id)`` with their open conversation."""
        ident, cust, conv = t.ChannelIdentity, t.Customer, t.Conversation
        open_id = (
            select(func.max(conv.id))
            .where(conv.identity_id == ident.id, conv.status.in_(OPEN_STATUSES))
            .correlate(ident)
            .scalar_subquery()
        )
        stmt = (
            select(ident.id, cust, conv.id, conv.status)
            .join(cust, cust.id == ident.customer_id)
            .outerjoin(conv, conv.id == open_id)
            .where(ident.channel == channel, ident.external_id == external_id)
        )
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return None
        identity_id, c, conversation_id, conversation_status = row
        return CustomerContext(
            customer_id=c.id,
            identity_id=identity_id,
            stage=c.stage,
            language=c.language,
            purchased=c.purchased,
            opted_out=c.opted_out,
            consecutive_fallbacks=c.consecutive_fallbacks,
            message_count=c.message_count,
            last_products=tuple(c.last_products or ()),
            last_seen_at=c.last_seen_at,
            conversation_id=conversation_id,
            conversation_status=conversation_status,
        )

    async def add(
        self, channel: str, external_id: str, now: datetime, display_name: str | None = None
    ) -> tuple[int, int]:
        """Create a customer with one identity; return ``(customer_id, identity_id)``."""
        customer_id = await self._insert(
            t.Customer, display_name=display_name, created_at=now, last_products=[]
        )
        identity_id = await self._insert(
            t.ChannelIdentity,
            customer_id=customer_id,
            channel=channel,
            external_id=external_id,
            created_at=now,
        )
        return customer_id, identity_id

    async def update_state(self, customer_id: int, **values: Any) -> None:
        """Set columns of one customer (stage, language, counters, ...)."""
        await self.session.execute(
            update(t.Customer).where(t.Customer.id == customer_id).values(**values)
        )

    async def add_stage_change(
        self, customer_id: int, previous: str | None, current: str, reason: str, at: datetime
    ) -> None:
        """Append one step to the customer's stage history."""
        await self._insert(
            t.StageHistory,
            customer_id=customer_id,
            previous=previous,
            current=current,
            reason=reason,
            at=at,
        )

    async def stage_history(self, customer_id: int) -> list[tuple[str | None, str, datetime]]:
        """``(previous, current, at)`` for each stage change, oldest first."""
        h = t.StageHistory
        rows = await self.session.execute(
            select(h.previous, h.current, h.at).where(h.customer_id == customer_id).order_by(h.id)
        )
        return [(p, c, at) for p, c, at in rows]


class ConversationRepository(_Repository):
    """Conversations between a customer identity and the shop."""

    async def add(self, customer_id: int, identity_id: int, channel: str, now: datetime) -> int:
        """Open a conversation handled by the bot; return its id."""
        return await self._insert(
            t.Conversation,
            customer_id=customer_id,
            identity_id=identity_id,
            channel=channel,
            status="bot",
            started_at=now,
            last_message_at=now,
        )

    async def touch(self, conversation_id: int, now: datetime, **values: Any) -> None:
        """Record activity (and optionally set ``needs_human`` / ``status``)."""
        await self.session.execute(
            update(t.Conversation)
            .where(t.Conversation.id == conversation_id)
            .values(last_message_at=now, **values)
        )


class MessageRepository(_Repository):
    """Inbound messages and the outbox of outbound ones."""

    async def add_inbound(
        self,
        *,
        conversation_id: int,
        customer_id: int,
        channel: str,
        sender_id: str,
        channel_message_id: str | None,
        kind: str,
        text: str,
        now: datetime,
    ) -> int:
        """Store an inbound message; raise ``DuplicateDelivery`` if its id was seen before.

        After ``DuplicateDelivery`` the transaction is unusable: roll the unit of work back.
        """
        try:
            return await self._insert(
                t.Message,
                conversation_id=conversation_id,
                customer_id=customer_id,
                direction="in",
                channel=channel,
                recipient_id=sender_id,
                channel_message_id=channel_message_id,
                kind=kind,
                text=text,
                buttons=[],
                status="received",
                created_at=now,
            )
        except IntegrityError as exc:
            if channel_message_id is None:
                raise
            raise DuplicateDelivery(channel, channel_message_id) from exc

    async def add_outbound(
        self,
        *,
        conversation_id: int,
        customer_id: int,
        channel: str,
        recipient_id: str,
        messages: Sequence[NewOutbound],
        in_reply_to: int | None,
        status: str,
        now: datetime,
    ) -> list[OutboxMessage]:
        """Queue outbound messages with ``status`` (``pending`` for the outbox)."""
        rows = []
        for m in messages:
            buttons = [list(b) for b in m.buttons]
            next_attempt_at = now if status == "pending" else None
            message_id = await self._insert(
                t.Message,
                conversation_id=conversation_id,
                customer_id=customer_id,
                direction="out",
                channel=channel,
                recipient_id=recipient_id,
                in_reply_to=in_reply_to,
                text=m.text,
                buttons=buttons,
                answered_by=m.answered_by,
                status=status,
                next_attempt_at=next_attempt_at,
                sent_at=now if status == "sent" else None,
                created_at=now,
            )
            rows.append(
                OutboxMessage(
                    id=message_id,
                    conversation_id=conversation_id,
                    customer_id=customer_id,
                    channel=channel,
                    recipient_id=recipient_id,
                    text=m.text,
                    buttons=m.buttons,
                    answered_by=m.answered_by,
                    status=status,
                    attempts=0,
                    next_attempt_at=next_attempt_at,
                )
            )
        return rows

    async def replies_to(self, channel: str, channel_message_id: str) -> list[OutboxMessage]:
        """The stored answer to an inbound message, for a retried delivery."""
        m = t.Message
        inbound = select(m.id).where(
            m.channel == channel, m.channel_message_id == channel_message_id
        )
        stmt = select(m).where(m.in_reply_to.in_(inbound.scalar_subquery())).order_by(m.id)
        return [_outbox(row) for row in (await self.session.scalars(stmt))]

    async def get_outbox(self, ids: Sequence[int]) -> list[OutboxMessage]:
        """Outbound rows by id, in id order."""
        stmt = select(t.Message).where(t.Message.id.in_(ids)).order_by(t.Message.id)
        return [_outbox(row) for row in (await self.session.scalars(stmt))]

    async def pending(
        self, *, recipient: tuple[str, str] | None = None, limit: int = 200
    ) -> list[OutboxMessage]:
        """Pending outbound rows, oldest first (due or not: callers keep per-recipient order)."""
        m = t.Message
        stmt = select(m).where(m.status == "pending").order_by(m.id).limit(limit)
        if recipient is not None:
            stmt = stmt.where(m.channel == recipient[0], m.recipient_id == recipient[1])
        return [_outbox(row) for row in (await self.session.scalars(stmt))]

    async def make_due(self, channel: str, recipient_id: str, now: datetime) -> None:
        """Make a recipient's pending rows due at ``now`` (they came back online)."""
        m = t.Message
        await self.session.execute(
            update(m)
            .where(m.channel == channel, m.recipient_id == recipient_id, m.status == "pending")
            .values(next_attempt_at=now)
        )

    async def block_recipient(self, channel: str, recipient_id: str, error: str) -> None:
        """Mark every pending row to a recipient who blocked the bot as ``blocked``."""
        m = t.Message
        await self.session.execute(
            update(m)
            .where(m.channel == channel, m.recipient_id == recipient_id, m.status == "pending")
            .values(status="blocked", last_error=error)
        )

    async def claim(self, message_id: int, now: datetime, lease_until: datetime) -> bool:
        """Take a pending row for delivery (lease), so two workers never send it twice."""
        m = t.Message
        result = await self.session.execute(
            update(m)
            .where(m.id == message_id, m.status == "pending", m.next_attempt_at <= now)
            .values(next_attempt_at=lease_until, attempts=m.attempts + 1)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def mark(self, message_id: int, **values: Any) -> None:
        """Set delivery columns of one outbound row (status, sent_at, last_error, ...)."""
        await self.session.execute(
            update(t.Message).where(t.Message.id == message_id).values(**values)
        )

    async def count(self, **where: Any) -> int:
        """Number of message rows matching column equality filters."""
        m = t.Message
        conds = [getattr(m, k) == v for k, v in where.items()]
        return int(
            (
                await self.session.execute(select(func.count()).where(and_(*conds, True)))
            ).scalar_one()
        )


class TouchpointRepository(_Repository):
    """The touchpoint log."""

    async def add(
        self,
        customer_id: int,
        conversation_id: int | None,
        message_id: int | None,
        tp: NewTouchpoint,
    ) -> int:
        """Log one touchpoint."""
        return await self._insert(
            t.Touchpoint,
            customer_id=customer_id,
            conversation_id=conversation_id,
            message_id=message_id,
            channel=tp.channel,
            direction=tp.direction,
            kind=tp.kind,
            text=tp.text,
            intent=tp.intent,
            confidence=tp.confidence,
            entities=tp.entities,
            products=tp.products,
            language=tp.language,
            stage_before=tp.stage_before,
            stage_after=tp.stage_after,
            answered_by=tp.answered_by,
            latency_ms=tp.latency_ms,
            created_at=tp.created_at,
        )


class FollowUpRepository(_Repository):
    """Follow-ups to send later."""

    async def schedule(
        self,
        customer_id: int,
        conversation_id: int | None,
        kind: str,
        key: str,
        due_at: datetime,
        template: str,
        now: datetime,
    ) -> None:
        """Queue a follow-up unless one with the same key exists for the customer."""
        f = t.FollowUp
        exists = await self.session.execute(
            select(f.id).where(f.customer_id == customer_id, f.key == key)
        )
        if exists.first() is None:
            await self._insert(
                f,
                customer_id=customer_id,
                conversation_id=conversation_id,
                kind=kind,
                key=key,
                template=template,
                due_at=due_at,
                status="pending",
                created_at=now,
                updated_at=now,
            )

    async def cancel(self, customer_id: int, kind: str | None, reason: str, now: datetime) -> None:
        """Cancel the customer's pending follow-ups of ``kind`` (all kinds when None)."""
        f = t.FollowUp
        conds = [f.customer_id == customer_id, f.status == "pending"]
        if kind is not None:
            conds.append(f.kind == kind)
        await self.session.execute(
            update(f).where(*conds).values(status="cancelled", reason=reason, updated_at=now)
        )


def _outbox(row: t.Message) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        conversation_id=row.conversation_id,
        customer_id=row.customer_id,
        channel=row.channel,
        recipient_id=row.recipient_id,
        text=row.text,
        buttons=tuple((str(b[0]), str(b[1])) for b in row.buttons or ()),
        answered_by=row.answered_by,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
    )
