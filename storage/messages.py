"""The message repository: inbound messages and the outbox of outbound ones. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from storage import statements as s
from storage import tables as t
from storage.errors import DuplicateDelivery
from storage.records import HistoryMessage, NewInbound, NewOutbound, OutboxMessage
from storage.repository_base import Repository


class MessageRepository(Repository):
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
        inbound = NewInbound(channel, sender_id, channel_message_id, kind, text)
        return (await self._add(conversation_id, customer_id, inbound, [], now))[0]

    async def add_exchange(
        self,
        *,
        conversation_id: int,
        customer_id: int,
        inbound: NewInbound,
        replies: Sequence[NewOutbound],
        reply_status: str,
        now: datetime,
    ) -> tuple[int, list[OutboxMessage]]:
        """Store an inbound message and the replies to it; return ``(inbound id, replies)``.

        One INSERT writes every row; the replies then point at the inbound row. Raises
        ``DuplicateDelivery`` like ``add_inbound``.
        """
        rows = [_outbound_row(m, inbound.sender_id, reply_status, now) for m in replies]
        ids = await self._add(conversation_id, customer_id, inbound, rows, now)
        inbound_id, reply_ids = ids[0], ids[1:]
        if reply_ids:
            links = [{"b_id": i, "in_reply_to": inbound_id} for i in reply_ids]
            await self.connection.execute(s.update_by_id(t.Message), links)
        return inbound_id, [
            _queued(i, conversation_id, customer_id, inbound.channel, row, m)
            for i, row, m in zip(reply_ids, rows, replies, strict=True)
        ]

    async def _add(
        self,
        conversation_id: int,
        customer_id: int,
        inbound: NewInbound,
        replies: list[dict[str, Any]],
        now: datetime,
    ) -> list[int]:
        first: dict[str, Any] = {
            "direction": "in",
            "recipient_id": inbound.sender_id,
            "channel_message_id": inbound.channel_message_id,
            "kind": inbound.kind,
            "text": inbound.text,
            "buttons": [],
            "attachment": None,
            "answered_by": None,
            "status": "received",
            "next_attempt_at": None,
            "sent_at": None,
        }
        common = {
            "conversation_id": conversation_id,
            "customer_id": customer_id,
            "channel": inbound.channel,
            "created_at": now,
        }
        try:
            return await self.insert_many(t.Message, [{**common, **r} for r in (first, *replies)])
        except IntegrityError as exc:
            if inbound.channel_message_id is None:
                raise
            raise DuplicateDelivery(inbound.channel, inbound.channel_message_id) from exc

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
        """Queue outbound messages with ``status`` (``pending`` for the outbox) at once."""
        if not messages:
            return []
        common = {
            "conversation_id": conversation_id,
            "customer_id": customer_id,
            "channel": channel,
            "in_reply_to": in_reply_to,
            "created_at": now,
        }
        rows = [_outbound_row(m, recipient_id, status, now) for m in messages]
        ids = await self.insert_many(t.Message, [{**common, **row} for row in rows])
        return [
            _queued(i, conversation_id, customer_id, channel, row, m)
            for i, row, m in zip(ids, rows, messages, strict=True)
        ]

    async def replies_to(self, channel: str, channel_message_id: str) -> list[OutboxMessage]:
        """The stored answer to an inbound message, for a retried delivery."""
        params = {"b_channel": channel, "b_channel_message_id": channel_message_id}
        return [_outbox(row) for row in await self.connection.execute(s.replies_to(), params)]

    async def get_outbox(self, ids: Sequence[int]) -> list[OutboxMessage]:
        """Outbound rows by id, in id order."""
        rows = await self.connection.execute(s.outbox_by_ids(), {"b_ids": list(ids)})
        return [_outbox(row) for row in rows]

    async def pending(
        self, *, recipient: tuple[str, str] | None = None, limit: int = 200
    ) -> list[OutboxMessage]:
        """Pending outbound rows, oldest first (due or not: callers keep per-recipient order)."""
        params: dict[str, Any] = {"b_limit": limit}
        if recipient is not None:
            params.update(b_channel=recipient[0], b_recipient=recipient[1])
        rows = await self.connection.execute(s.pending(recipient is not None), params)
        return [_outbox(row) for row in rows]

    async def make_due(self, channel: str, recipient_id: str, now: datetime) -> None:
        """Make a recipient's pending rows due at ``now`` (they came back online)."""
        await self.connection.execute(
            s.pending_of_recipient(),
            {"b_channel": channel, "b_recipient": recipient_id, "next_attempt_at": now},
        )

    async def block_recipient(self, channel: str, recipient_id: str, error: str) -> None:
        """Mark every pending row to a recipient who blocked the bot as ``blocked``."""
        await self.connection.execute(
            s.pending_of_recipient(),
            {
                "b_channel": channel,
                "b_recipient": recipient_id,
                "status": "blocked",
                "last_error": error,
            },
        )

    async def claim(self, message_id: int, now: datetime, lease_until: datetime) -> bool:
        """Take a pending row for delivery (lease), so two workers never send it twice."""
        result = await self.connection.execute(
            s.claim(), {"b_id": message_id, "b_now": now, "next_attempt_at": lease_until}
        )
        return bool(result.rowcount == 1)

    async def mark(self, message_id: int, **values: Any) -> None:
        """Set delivery columns of one outbound row (status, sent_at, last_error, ...)."""
        await self.update(t.Message, message_id, values)

    async def history(
        self, channel: str, customer_channel_id: str, *, after: int = 0, limit: int = 200
    ) -> list[HistoryMessage]:
        """A customer's messages on a channel with ids above ``after``, oldest first: what
        they sent, and what was delivered to them (pending replies are the outbox's)."""
        m = s.table(t.Message)
        stmt = (
            select(m.c.id, m.c.direction, m.c.text, m.c.buttons, m.c.answered_by,
                   m.c.attachment, m.c.channel_message_id, m.c.created_at)
            .where(m.c.channel == channel, m.c.recipient_id == customer_channel_id,
                   m.c.id > after, (m.c.direction == "in") | (m.c.status == "sent"))
            .order_by(m.c.id)
            .limit(limit)
        )  # fmt: skip
        return [
            HistoryMessage(
                id=row[0],
                direction=row[1],
                text=row[2],
                buttons=tuple((str(b[0]), str(b[1])) for b in row[3] or ()),
                answered_by=row[4],
                attachment=row[5],
                channel_message_id=row[6],
                created_at=row[7],
            )
            for row in await self.connection.execute(stmt)
        ]

    async def count(self, **where: Any) -> int:
        """Number of message rows matching column equality filters."""
        m = s.table(t.Message)
        conds = [m.c[k] == v for k, v in where.items()]
        stmt = select(func.count()).select_from(m).where(and_(True, *conds))
        return int((await self.connection.execute(stmt)).scalar_one())


def _outbound_row(m: NewOutbound, recipient_id: str, status: str, now: datetime) -> dict[str, Any]:
    return {
        "direction": "out",
        "recipient_id": recipient_id,
        "channel_message_id": None,
        "kind": "text",
        "text": m.text,
        "buttons": [list(b) for b in m.buttons],
        "attachment": m.attachment,
        "answered_by": m.answered_by,
        "status": status,
        "next_attempt_at": now if status == "pending" else None,
        "sent_at": now if status == "sent" else None,
    }


def _queued(
    message_id: int,
    conversation_id: int,
    customer_id: int,
    channel: str,
    row: dict[str, Any],
    m: NewOutbound,
) -> OutboxMessage:
    return OutboxMessage(
        id=message_id,
        conversation_id=conversation_id,
        customer_id=customer_id,
        channel=channel,
        recipient_id=row["recipient_id"],
        text=m.text,
        buttons=m.buttons,
        answered_by=m.answered_by,
        status=row["status"],
        attempts=0,
        next_attempt_at=row["next_attempt_at"],
        attachment=m.attachment,
    )


def _outbox(row: Sequence[Any]) -> OutboxMessage:
    (message_id, conversation_id, customer_id, channel, recipient_id, text, buttons,
     answered_by, status, attempts, next_attempt_at, attachment) = row  # fmt: skip
    return OutboxMessage(
        id=message_id,
        conversation_id=conversation_id,
        customer_id=customer_id,
        channel=channel,
        recipient_id=recipient_id,
        text=text,
        buttons=tuple((str(b[0]), str(b[1])) for b in buttons or ()),
        answered_by=answered_by,
        status=status,
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        attachment=attachment,
    )
