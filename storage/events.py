"""The commerce event log: one row per event the shop reported. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from storage import tables as t
from storage.errors import DuplicateEvent
from storage.records import NewCommerceEvent
from storage.repository_base import Repository


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
                    "items": event.items,
                    "occurred_at": event.occurred_at,
                    "received_at": now,
                },
            )
        except IntegrityError as exc:
            raise DuplicateEvent(event.event_id) from exc
