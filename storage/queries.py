"""The read side for listings, the dashboard and exports (SQL allowed here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t
from storage.records import TouchpointRow
from storage.statements import table

_TOUCHPOINT_COLUMNS = (
    "id", "channel", "direction", "kind", "text", "intent", "confidence", "entities",
    "products", "language", "stage_before", "stage_after", "answered_by", "latency_ms",
    "created_at", "customer_id", "conversation_id", "faq_entry",
)  # fmt: skip


class TouchpointQueries:
    """Read-only queries over touchpoints."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def touchpoints(
        self, *, sender: str | None = None, channel: str | None = None, limit: int | None = None
    ) -> list[TouchpointRow]:
        """Touchpoints oldest first, optionally of one sender (a channel identity)."""
        tp, ident = table(t.Touchpoint), table(t.ChannelIdentity)
        first_identity = (
            select(ident.c.external_id)
            .where(ident.c.customer_id == tp.c.customer_id, ident.c.channel == tp.c.channel)
            .order_by(ident.c.id)
            .limit(1)
            .scalar_subquery()
        )
        stmt = select(*(tp.c[name] for name in _TOUCHPOINT_COLUMNS), first_identity)
        stmt = stmt.order_by(tp.c.id)
        if sender is not None:
            owners = select(ident.c.customer_id).where(ident.c.external_id == sender)
            if channel is not None:
                owners = owners.where(ident.c.channel == channel)
            stmt = stmt.where(tp.c.customer_id.in_(owners))
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_row(row) for row in await self.connection.execute(stmt)]


def _row(row: Sequence[Any]) -> TouchpointRow:
    values = dict(zip(_TOUCHPOINT_COLUMNS, row, strict=False))
    values["entities"] = list(values["entities"] or [])
    values["products"] = list(values["products"] or [])
    return TouchpointRow(sender=row[-1] or "", **values)
