"""Conversations handed to people: state moves, the console's queue and transcripts.

``move`` changes a conversation's state only if it is still in the state the caller read
(one conditional UPDATE), so two agents claiming at once cannot both win: the second sees
that nothing changed and reads who has it. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from storage import tables as t
from storage.repository_base import Repository
from storage.statements import table


@dataclass(frozen=True, slots=True)
class HandoffState:
    """Where a conversation stands, and what replying to its customer needs."""

    conversation_id: int
    customer_id: int
    status: str
    agent_id: int | None
    agent: str | None
    channel: str
    recipient_id: str
    language: str | None
    stage: str | None
    stage_evidence: str | None = None
    """What ``stage`` rests on, as recorded with the customer's latest change into it."""


@dataclass(frozen=True, slots=True)
class Line:
    """One message of a transcript, with what the touchpoint log says of it."""

    id: int
    direction: str
    text: str
    answered_by: str | None
    at: datetime
    intent: str | None = None
    confidence: float | None = None
    stage_before: str | None = None
    stage_after: str | None = None
    agent: str | None = None
    via: str | None = None
    """``telegram`` for a reply an agent wrote in the staff group."""

    @property
    def author(self) -> str:
        """``customer``, ``bot``, ``agent`` or ``system`` (a proactive message)."""
        return "customer" if self.direction == "in" else (self.answered_by or "bot")


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A conversation in the console's queue."""

    state: HandoffState
    customer: str
    waiting_since: datetime | None
    reason: str | None
    last_lines: list[Line] = field(default_factory=list)
    cart: dict[str, Any] | None = None
    orders: list[str] = field(default_factory=list)


class HandoffRepository(Repository):
    """State moves and the read side of the support console."""

    async def state(self, conversation_id: int) -> HandoffState | None:
        """The conversation's state (None: no such conversation)."""
        rows = await self._states(table(t.Conversation).c.id == conversation_id)
        return rows[0] if rows else None

    async def move(self, conversation_id: int, expected: str, status: str, **values: Any) -> bool:
        """Set ``status`` (and ``values``) if the conversation is still ``expected``."""
        c = table(t.Conversation)
        stmt = (
            update(c)
            .where(c.c.id == conversation_id, c.c.status == expected)
            .values(status=status, **values)
        )
        return (await self.connection.execute(stmt)).rowcount == 1

    async def queue(self, statuses: tuple[str, ...], limit: int | None = None) -> list[QueueItem]:
        """Conversations in ``statuses``, those waiting longest first (with ``limit``: the
        ``limit`` most recently active ones)."""
        c = table(t.Conversation)
        states = await self._states(c.c.status.in_(statuses), limit)
        items: list[QueueItem] = []
        for state in states:
            details = select(c.c.waiting_since, c.c.handoff_reason).where(
                c.c.id == state.conversation_id
            )
            since, reason = (await self.connection.execute(details)).one()
            name = await self.customer_name(state.conversation_id)
            lines = await self.transcript(state.conversation_id, last=3)
            cart = await self._cart(state.customer_id)
            orders = await self._orders(state.customer_id)
            items.append(QueueItem(state, name, since, reason, lines, cart, orders))
        items.sort(key=lambda item: (item.waiting_since is None, item.waiting_since or 0))
        return items

    async def staff_topic(self, conversation_id: int) -> tuple[int | None, int]:
        """The conversation's staff-group topic (None: none yet) and the last message
        mirrored there."""
        c = table(t.Conversation)
        stmt = select(c.c.staff_topic_id, c.c.staff_synced_id).where(c.c.id == conversation_id)
        topic, synced = (await self.connection.execute(stmt)).one()
        return topic, int(synced or 0)

    async def set_staff_topic(
        self, conversation_id: int, topic: int | None = None, synced: int | None = None
    ) -> None:
        """Record the topic and / or the last mirrored message."""
        values: dict[str, Any] = {}
        if topic is not None:
            values["staff_topic_id"] = topic
        if synced is not None:
            values["staff_synced_id"] = synced
        await self.update(t.Conversation, conversation_id, values)

    async def by_staff_topic(self, topic: int) -> int | None:
        """The conversation a staff-group topic mirrors."""
        c = table(t.Conversation)
        stmt = select(c.c.id).where(c.c.staff_topic_id == topic)
        found: int | None = (await self.connection.execute(stmt)).scalar_one_or_none()
        return found

    async def customer_name(self, conversation_id: int) -> str:
        """How the console names the conversation's customer: their name, else their id on
        the channel."""
        c, cu, i = table(t.Conversation), table(t.Customer), table(t.ChannelIdentity)
        stmt = (
            select(cu.c.display_name, i.c.external_id)
            .join(cu, cu.c.id == c.c.customer_id)
            .join(i, i.c.id == c.c.identity_id)
            .where(c.c.id == conversation_id)
        )
        name, external = (await self.connection.execute(stmt)).one()
        return str(name or external)

    async def transcript(
        self, conversation_id: int, last: int | None = None, after: int = 0
    ) -> list[Line]:
        """The conversation's messages, oldest first (only the ``last`` ones, or those with an
        id above ``after``, when given)."""
        m, tp, u = table(t.Message), table(t.Touchpoint), table(t.User)
        stmt = (
            select(m.c.id, m.c.direction, m.c.text, m.c.answered_by, m.c.created_at, tp.c.intent,
                   tp.c.confidence, tp.c.stage_before, tp.c.stage_after, u.c.name,
                   m.c.attachment)
            .outerjoin(tp, tp.c.message_id == m.c.id)
            .outerjoin(u, u.c.id == tp.c.agent_id)
            .where(m.c.conversation_id == conversation_id, m.c.id > after)
            .order_by(m.c.id.desc())
        )  # fmt: skip
        if last is not None:
            stmt = stmt.limit(last * 2)
        lines: dict[int, Line] = {}
        for row in await self.connection.execute(stmt):
            line_id, direction, text, by, at, intent, confidence, stage_before, stage_after = row[
                :9
            ]
            agent, extra = row[9], row[10]
            line = Line(
                line_id, direction, text, by, at, intent, confidence, stage_before, stage_after,
                agent, (extra or {}).get("via"),
            )  # fmt: skip
            lines.setdefault(line.id, line)
        ordered = sorted(lines.values(), key=lambda line: line.id)
        return ordered[-last:] if last is not None else ordered

    async def _states(self, where: Any, limit: int | None = None) -> list[HandoffState]:
        c, cu, i, u = (table(x) for x in (t.Conversation, t.Customer, t.ChannelIdentity, t.User))
        reached = table(t.CustomerStage)
        stmt = (
            select(c.c.id, c.c.customer_id, c.c.status, c.c.agent_id, u.c.name, c.c.channel,
                   i.c.external_id, cu.c.language, cu.c.stage, reached.c.evidence)
            .join(cu, cu.c.id == c.c.customer_id)
            .join(i, i.c.id == c.c.identity_id)
            .outerjoin(u, u.c.id == c.c.agent_id)
            .outerjoin(reached, (reached.c.customer_id == cu.c.id)
                       & (reached.c.stage == cu.c.stage))
            .where(where)
        )  # fmt: skip
        if limit is not None:
            stmt = stmt.order_by(c.c.last_message_at.desc()).limit(limit)
        rows = await self.connection.execute(stmt)
        return [HandoffState(*row[:9], stage_evidence=row[9]) for row in rows]

    async def _cart(self, customer_id: int) -> dict[str, Any] | None:
        """The customer's latest cart, unless an order came after it."""
        e = table(t.CommerceEvent)
        stmt = (
            select(e.c.type, e.c["items"], e.c.total, e.c.currency)
            .where(e.c.customer_id == customer_id,
                   e.c.type.in_(("cart_updated", "checkout_started", "order_placed")))
            .order_by(e.c.occurred_at.desc(), e.c.id.desc())
            .limit(1)
        )  # fmt: skip
        row = (await self.connection.execute(stmt)).first()
        if row is None or row[0] == "order_placed" or not row[1]:
            return None
        return {"items": list(row[1]), "total": row[2], "currency": row[3]}

    async def _orders(self, customer_id: int) -> list[str]:
        e = table(t.CommerceEvent)
        stmt = (
            select(e.c.order_id, func.max(e.c.occurred_at))
            .where(e.c.customer_id == customer_id, e.c.order_id.is_not(None))
            .group_by(e.c.order_id)
            .order_by(func.max(e.c.occurred_at).desc())
        )
        return [order for order, _ in await self.connection.execute(stmt)]
