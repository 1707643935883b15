"""The commerce event log: one row per event the shop reported. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage import statements as s
from storage import tables as t
from storage.errors import DuplicateEvent
from storage.records import NewCommerceEvent
from storage.repository_base import Repository
from storage.statements import table


class CommerceEventRepository(Repository):
    """Commerce events, unique by the shop's event id."""

    async def add(self, customer_id: int, event: NewCommerceEvent, now: datetime) -> int:
        """Store ``event``; raise ``DuplicateEvent`` when its id was seen before.

        After ``DuplicateEvent`` the transaction is unusable: roll the unit of work back.
        """
        try:
            return await self.insert(
                t.CommerceEvent,
                {
                    "event_id": event.event_id,
                    "type": event.type,
                    "customer_id": customer_id,
                    "cart_id": event.cart_id,
                    "order_id": event.order_id,
                    "total": event.total,
                    "currency": event.currency,
                    "cart_url": event.cart_url,
                    "recovered": event.recovered,
                    "items": event.items,
                    "occurred_at": event.occurred_at,
                    "received_at": now,
                },
            )
        except IntegrityError as exc:
            raise DuplicateEvent(event.event_id) from exc

    async def link_ref(
        self, ref: str, customer_id: int, channel: str, external_id: str, now: datetime
    ) -> None:
        """Make ``ref`` name this chat customer (the latest link wins: a shared cart token
        follows whoever used it last). One statement, so it costs a message little."""
        await self.connection.execute(
            s.link_ref(self.connection.dialect.name),
            {
                "ref": ref,
                "customer_id": customer_id,
                "channel": channel,
                "external_id": external_id,
                "created_at": now,
            },
        )

    async def identity_of(self, ref: str) -> tuple[str, str] | None:
        """``(channel, external id)`` of the chat customer ``ref`` names (None: unknown)."""
        r = table(t.CustomerRef)
        stmt = select(r.c.channel, r.c.external_id).where(r.c.ref == ref)
        row = (await self.connection.execute(stmt)).first()
        return None if row is None else (row[0], row[1])

    async def last_reminder_at(self, customer_id: int, kind: str) -> datetime | None:
        """When the customer was last sent a follow-up of ``kind`` (None: never)."""
        f = table(t.FollowUp)
        stmt = select(func.max(f.c.updated_at)).where(
            f.c.customer_id == customer_id, f.c.kind == kind, f.c.status == "sent"
        )
        found: datetime | None = (await self.connection.execute(stmt)).scalar_one()
        return found

    async def order_products(self, customer_id: int, order_id: str) -> tuple[str, ...]:
        """The distinct product ids of the latest report of ``order_id``."""
        e = table(t.CommerceEvent)
        stmt = (
            select(e.c["items"])
            .where(e.c.customer_id == customer_id, e.c.order_id == order_id)
            .order_by(e.c.occurred_at.desc(), e.c.id.desc())
            .limit(1)
        )
        items = (await self.connection.execute(stmt)).scalar_one_or_none() or []
        return tuple(dict.fromkeys(str(item["product_id"]) for item in items))

    async def recovered_revenue(self) -> list[tuple[str, str]]:
        """``(total, currency)`` of every recovered order, for analytics."""
        e = table(t.CommerceEvent)
        stmt = select(e.c.total, e.c.currency).where(e.c.recovered.is_(True))
        return [(total, currency) for total, currency in await self.connection.execute(stmt)]
