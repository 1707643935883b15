"""The follow-up sweep's side of storage: claim what is due, find who and what it is about.

``claim_due`` locks the due rows it returns (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a
second worker sweeping at the same moment takes other rows or none; SQLite's single writer
lock does the same), and the caller settles each row in the same transaction. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, select, update

from storage import tables as t
from storage.repository_base import Repository
from storage.statements import table


@dataclass(frozen=True, slots=True)
class DueRow:
    """A pending follow-up whose time has come."""

    id: int
    customer_id: int
    conversation_id: int | None
    kind: str
    template: str
    subject: str | None
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Audience:
    """Where a follow-up goes and what the send-time rules need to know."""

    conversation_id: int
    channel: str
    recipient_id: str
    language: str | None
    opted_out: bool
    with_person: bool
    """A person has the conversation or it waits for one: no marketing nudges meanwhile."""
    proactive_week: int
    """Proactive (``system``) messages sent to the customer in the week before the sweep."""
    proactive_day: int
    """... and in the day before it."""
    other_flow_today: bool = False
    """A follow-up of the same kind about another subject was sent in the last 24 hours."""
    sent_about_subject: int = 0
    """Follow-ups of the same kind already sent about the same subject."""
    timezone: str | None = None
    """The customer's time zone, when known."""
    last_message_at: datetime | None = None
    """When the conversation last had a message."""
    waiting: bool = False
    """The conversation waits for a person."""


@dataclass(frozen=True, slots=True)
class CartSnapshot:
    """The cart as the shop last reported it."""

    items: list[dict[str, Any]]
    total: str | None
    currency: str | None
    cart_url: str | None


class FollowUpSweep(Repository):
    """Due follow-ups and what sending one needs."""

    async def claim_due(self, now: datetime, limit: int) -> list[DueRow]:
        """Up to ``limit`` pending follow-ups due at ``now``, oldest first, locked."""
        f = table(t.FollowUp)
        stmt = (
            select(f.c.id, f.c.customer_id, f.c.conversation_id, f.c.kind, f.c.template,
                   f.c.subject, f.c.due_at)
            .where(f.c.status == "pending", f.c.due_at <= now)
            .order_by(f.c.due_at, f.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )  # fmt: skip
        return [DueRow(*row) for row in await self.connection.execute(stmt)]

    async def audience(self, due: DueRow, now: datetime) -> Audience | None:
        """The conversation the follow-up goes to (its own, else the customer's latest)."""
        c, i, cu, m = (table(x) for x in (t.Conversation, t.ChannelIdentity, t.Customer, t.Message))

        def sent_since(since: datetime) -> Any:
            return (
                select(func.count())
                .where(m.c.customer_id == due.customer_id, m.c.direction == "out",
                       m.c.answered_by == "system", m.c.created_at >= since)
                .scalar_subquery()
            )  # fmt: skip

        week, day = sent_since(now - timedelta(days=7)), sent_since(now - timedelta(days=1))
        f = table(t.FollowUp)
        other_flow = (
            select(func.count())
            .where(f.c.customer_id == due.customer_id, f.c.kind == due.kind,
                   f.c.status == "sent", f.c.subject != due.subject,
                   f.c.updated_at >= now - timedelta(days=1))
            .scalar_subquery()
        )  # fmt: skip
        same_subject: Any = literal(0)  # a follow-up about no cart or order has no such count
        if due.subject is not None:
            same_subject = (
                select(func.count())
                .where(f.c.customer_id == due.customer_id, f.c.kind == due.kind,
                       f.c.status == "sent", f.c.subject == due.subject)
                .scalar_subquery()
            )  # fmt: skip
        stmt = (
            select(c.c.id, c.c.channel, i.c.external_id, cu.c.language, cu.c.opted_out,
                   c.c.status, week, day, other_flow, same_subject, cu.c.timezone,
                   c.c.last_message_at)
            .join(i, i.c.id == c.c.identity_id)
            .join(cu, cu.c.id == c.c.customer_id)
            .where(c.c.customer_id == due.customer_id)
            .order_by((c.c.id == due.conversation_id).desc(), c.c.last_message_at.desc())
            .limit(1)
        )  # fmt: skip
        row = (await self.connection.execute(stmt)).first()
        if row is None:
            return None
        (conversation_id, channel, recipient, language, opted_out, status, week, day, other,
         same, zone, last_message_at) = row  # fmt: skip
        return Audience(
            conversation_id, channel, recipient, language, bool(opted_out),
            status in ("waiting", "agent"),
            int(week or 0), int(day or 0), bool(other), int(same or 0), zone, last_message_at,
            status == "waiting",
        )  # fmt: skip

    async def cart(self, customer_id: int, cart_id: str) -> CartSnapshot | None:
        """The latest report of ``cart_id`` from the shop."""
        e = table(t.CommerceEvent)
        stmt = (
            select(e.c["items"], e.c.total, e.c.currency, e.c.cart_url)
            .where(e.c.customer_id == customer_id, e.c.cart_id == cart_id)
            .order_by(e.c.occurred_at.desc(), e.c.id.desc())
            .limit(1)
        )
        row = (await self.connection.execute(stmt)).first()
        return None if row is None else CartSnapshot(list(row[0] or []), row[1], row[2], row[3])

    async def settle(
        self, follow_up_id: int, status: str, now: datetime, *, reason: str | None = None,
        due_at: datetime | None = None,
    ) -> None:  # fmt: skip
        """Record what became of a claimed follow-up (``pending`` again with a new
        ``due_at`` when held)."""
        f = table(t.FollowUp)
        values: dict[str, Any] = {"status": status, "reason": reason, "updated_at": now}
        if due_at is not None:
            values["due_at"] = due_at
        await self.connection.execute(update(f).where(f.c.id == follow_up_id).values(**values))
