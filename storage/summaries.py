"""Daily summaries of the touchpoint log, so analytics never scans a million rows.

``touchpoint_days`` and ``mention_days`` hold sums per day; ``summary_state`` says up to which
touchpoint id they are complete. ``claim`` locks that row for the transaction (``FOR
UPDATE`` on PostgreSQL; SQLite's single writer), so two workers refreshing at once cannot
count a touchpoint twice: the second waits and then starts where the first stopped.
Never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from storage import tables as t
from storage.repository_base import Repository
from storage.statements import table

NAME = "touchpoints"
MESSAGE_KINDS = ("message", "csat_answered", "csat_comment")
"""The touchpoints that are a customer's own words."""


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A customer message not summed yet."""

    id: int
    day: str
    channel: str
    language: str
    stage: str
    intent: str
    products: list[str]
    text: str
    resolved: bool = False
    """The bot answered it although the NLU did not read it as ``intent`` (``resolved_by``)."""


class SummaryRepository(Repository):
    """The summaries' watermark, their new input and their upserts."""

    async def claim(self) -> int:
        """The last summed touchpoint id, locked until the transaction ends."""
        s = table(t.SummaryState)
        stmt = select(s.c.last_id).where(s.c.name == NAME).with_for_update()
        return int((await self.connection.execute(stmt)).scalar_one())

    async def new_messages(self, after: int, limit: int) -> tuple[list[NewMessage], int]:
        """Up to ``limit`` touchpoints after ``after`` (customer messages among them) and the
        last id read."""
        tp = table(t.Touchpoint)
        stmt = (
            select(tp.c.id, tp.c.created_at, tp.c.channel, tp.c.language, tp.c.stage_after,
                   tp.c.intent, tp.c.products, tp.c.text, tp.c.direction, tp.c.kind,
                   tp.c.resolved_by)
            .where(tp.c.id > after)
            .order_by(tp.c.id)
            .limit(limit)
        )  # fmt: skip
        messages: list[NewMessage] = []
        last = after
        for row in await self.connection.execute(stmt):
            last = row[0]
            if row[8] != "in" or row[9] not in MESSAGE_KINDS:
                continue
            day = row[1].date().isoformat()
            messages.append(
                NewMessage(row[0], day, row[2], row[3] or "", row[4] or "", row[5] or "",
                           list(row[6] or []), row[7] or "", row[10] is not None)
            )  # fmt: skip
        return messages, last

    async def add(
        self,
        days: Iterable[tuple[str, str, str, str, str, int, float]],
        mentions: Iterable[tuple[str, str, str, str, int]],
        last_id: int,
    ) -> None:
        """Add to the sums and move the watermark to ``last_id``."""
        d, m = table(t.TouchpointDay), table(t.MentionDay)
        day_rows = [
            dict(zip(("day", "channel", "language", "stage", "intent", "messages",
                      "sentiment_sum"), row, strict=True))
            for row in days
        ]  # fmt: skip
        mention_rows = [
            dict(zip(("day", "channel", "kind", "value", "times"), row, strict=True))
            for row in mentions
        ]
        if day_rows:
            await self.connection.execute(
                self._upsert(d, ("day", "channel", "language", "stage", "intent"),
                             ("messages", "sentiment_sum")),
                day_rows,
            )  # fmt: skip
        if mention_rows:
            await self.connection.execute(
                self._upsert(m, ("day", "channel", "kind", "value"), ("times",)), mention_rows
            )
        s = table(t.SummaryState)
        await self.connection.execute(s.update().where(s.c.name == NAME).values(last_id=last_id))

    def _upsert(self, target: Any, keys: tuple[str, ...], sums: tuple[str, ...]) -> Any:
        insert_: Any = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[
            self.connection.dialect.name
        ]
        stmt = insert_(target)
        added = {name: target.c[name] + stmt.excluded[name] for name in sums}
        return stmt.on_conflict_do_update(index_elements=[target.c[k] for k in keys], set_=added)

    async def day_sums(
        self, first_day: str, end_day: str, channel: str | None, group: tuple[str, ...],
        stage: str | None = None,
    ) -> list[tuple[Any, ...]]:  # fmt: skip
        """``group`` columns with the summed messages and sentiment, days in
        ``[first_day, end_day)`` (and one channel, one stage when given)."""
        d = table(t.TouchpointDay)
        stmt = (
            select(*(d.c[g] for g in group), func.sum(d.c.messages), func.sum(d.c.sentiment_sum))
            .where(d.c.day >= first_day, d.c.day < end_day)
            .group_by(*(d.c[g] for g in group))
            .order_by(*(d.c[g] for g in group))
        )
        if channel:
            stmt = stmt.where(d.c.channel == channel)
        if stage:
            stmt = stmt.where(d.c.stage == stage)
        return [tuple(row) for row in await self.connection.execute(stmt)]

    async def mention_sums(
        self, first_day: str, end_day: str, channel: str | None, kind: str, limit: int
    ) -> list[tuple[str, int]]:
        """The most frequent mentions of ``kind`` in the days, with their counts."""
        m = table(t.MentionDay)
        total = func.sum(m.c.times)
        stmt = (
            select(m.c.value, total)
            .where(m.c.day >= first_day, m.c.day < end_day, m.c.kind == kind)
            .group_by(m.c.value)
            .order_by(total.desc(), m.c.value)
            .limit(limit)
        )
        if channel:
            stmt = stmt.where(m.c.channel == channel)
        return [(str(v), int(n)) for v, n in await self.connection.execute(stmt)]
