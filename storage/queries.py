"""The read side for listings, the dashboard and exports (SQL allowed here)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import tables as t
from storage.records import TouchpointRow


class TouchpointQueries:
    """Read-only queries over touchpoints."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def touchpoints(
        self, *, sender: str | None = None, channel: str | None = None, limit: int | None = None
    ) -> list[TouchpointRow]:
        """Touchpoints oldest first, optionally of one sender (a channel identity)."""
        tp, ident = t.Touchpoint, t.ChannelIdentity
        first_identity = (
            select(ident.external_id)
            .where(ident.customer_id == tp.customer_id, ident.channel == tp.channel)
            .order_by(ident.id)
            .limit(1)
            .scalar_subquery()
        )
        stmt = select(tp, first_identity).order_by(tp.id)
        if sender is not None:
            owners = select(ident.customer_id).where(ident.external_id == sender)
            if channel is not None:
                owners = owners.where(ident.channel == channel)
            stmt = stmt.where(tp.customer_id.in_(owners))
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = await self.session.execute(stmt)
        return [_row(tp_row, external_id or "") for tp_row, external_id in rows]


def _row(r: t.Touchpoint, sender: str) -> TouchpointRow:
    return TouchpointRow(
        id=r.id,
        sender=sender,
        channel=r.channel,
        direction=r.direction,
        kind=r.kind,
        text=r.text,
        intent=r.intent,
        confidence=r.confidence,
        entities=list(r.entities or []),
        products=list(r.products or []),
        language=r.language,
        stage_before=r.stage_before,
        stage_after=r.stage_after,
        answered_by=r.answered_by,
        latency_ms=r.latency_ms,
        created_at=r.created_at,
        customer_id=r.customer_id,
        conversation_id=r.conversation_id,
    )
