"""The read side for listings, the dashboard and exports (SQL allowed here)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t
from storage.records import TouchpointRow
from storage.statements import table

_TOUCHPOINT_COLUMNS = (
    "id", "channel", "direction", "kind", "text", "intent", "confidence", "entities",
    "products", "language", "stage_before", "stage_after", "answered_by", "latency_ms",
    "created_at", "customer_id", "conversation_id", "faq_entry", "stage_evidence",
    "resolved_by", "nlu_intent",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TouchpointFilter:
    """Which touchpoints a listing or export wants; None means any."""

    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    stage: str | None = None
    intent: str | None = None
    customer: str | None = None
    """The customer's pseudonym."""
    answered_by: str | None = None
    language: str | None = None
    kind: str | None = None


EXPORT_COLUMNS = (
    "id", "created_at", "customer", "channel", "direction", "kind", "intent", "confidence",
    "language", "stage_before", "stage_after", "answered_by", "agent_id", "products",
    "faq_entry", "latency_ms", "text", "stage_evidence", "resolved_by", "nlu_intent",
)  # fmt: skip
"""The columns of a touchpoint export, in order (``customer`` is the pseudonym; columns
added later come last, so a reader by position keeps working)."""


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

    async def export_page(
        self, where: TouchpointFilter, after: int = 0, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` touchpoints with an id above ``after``, oldest first, as
        ``EXPORT_COLUMNS`` mappings (a keyset page: resume with the last id)."""
        stmt = _export_select(where).where(table(t.Touchpoint).c.id > after).limit(limit)
        return [
            dict(zip(EXPORT_COLUMNS, row, strict=True))
            for row in await self.connection.execute(stmt)
        ]

    async def export_stream(
        self, where: TouchpointFilter, batch: int = 5000
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every matching touchpoint, in batches, never all in memory."""
        after = 0
        while True:
            page = await self.export_page(where, after, batch)
            if not page:
                return
            yield page
            after = int(page[-1]["id"])


def _export_select(where: TouchpointFilter) -> Select[Any]:
    tp, c = table(t.Touchpoint), table(t.Customer)
    columns = [c.c.pseudonym if name == "customer" else tp.c[name] for name in EXPORT_COLUMNS]
    stmt = select(*columns).join(c, c.c.id == tp.c.customer_id).order_by(tp.c.id)
    for name, value in (
        ("channel", where.channel), ("intent", where.intent), ("answered_by", where.answered_by),
        ("language", where.language), ("kind", where.kind), ("stage_after", where.stage),
    ):  # fmt: skip
        if value is not None:
            stmt = stmt.where(tp.c[name] == value)
    if where.customer is not None:
        stmt = stmt.where(c.c.pseudonym == where.customer)
    if where.since is not None:
        stmt = stmt.where(tp.c.created_at >= where.since)
    if where.until is not None:
        stmt = stmt.where(tp.c.created_at < where.until)
    return stmt


def _row(row: Sequence[Any]) -> TouchpointRow:
    values = dict(zip(_TOUCHPOINT_COLUMNS, row, strict=False))
    values["entities"] = list(values["entities"] or [])
    values["products"] = list(values["products"] or [])
    return TouchpointRow(sender=row[-1] or "", **values)
