"""The read side of journey analytics: SQL over touchpoints, stage history, events, surveys.

Each method answers one question for a period ``[since, until)`` and, where it applies, one
channel; the shaping (conversion rates, medians, the journey order of stages) is
``journeys.analytics``'. Customers are counted by id; the caller pseudonymises them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Numeric, Text, and_, func, select

from storage import tables as t
from storage.queries import TouchpointQueries
from storage.statements import table

BATCH = 5000
"""Rows read at a time when every message of a period is needed."""


@dataclass(frozen=True, slots=True)
class Period:
    """The time window (and channel) an analytics question is about."""

    since: datetime
    until: datetime
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class StageReach:
    """A customer reaching a stage: who, which stage, when (the first time in the period)."""

    customer_id: int
    stage: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Stalled:
    """A customer whose last stage is ``stage`` and who has been silent since ``last_seen``."""

    customer_id: int
    stage: str
    last_seen: datetime
    last_intents: list[str]


class JourneyAnalytics(TouchpointQueries):
    """Analytics queries on the unit of work's connection."""

    async def stage_reaches(self, period: Period) -> list[StageReach]:
        """The first time in the period each customer entered each stage."""
        h = table(t.StageHistory)
        stmt = (
            select(h.c.customer_id, h.c.current, func.min(h.c.at))
            .where(h.c.at >= period.since, h.c.at < period.until)
            .group_by(h.c.customer_id, h.c.current)
        )
        stmt = stmt.where(h.c.customer_id.in_(self._on_channel(period))) if period.channel else stmt
        return [StageReach(*row) for row in await self.connection.execute(stmt)]

    async def stalled(self, stage: str, silent_since: datetime, limit: int = 100) -> list[Stalled]:
        """Customers whose stage is ``stage`` and who were last seen before ``silent_since``,
        longest silent first, with the intents of their last messages."""
        c, tp = table(t.Customer), table(t.Touchpoint)
        stmt = (
            select(c.c.id, c.c.stage, c.c.last_seen_at)
            .where(c.c.stage == stage, c.c.last_seen_at < silent_since)
            .order_by(c.c.last_seen_at)
            .limit(limit)
        )
        found: list[Stalled] = []
        for customer_id, current, seen in await self.connection.execute(stmt):
            last = (
                select(tp.c.intent)
                .where(tp.c.customer_id == customer_id, tp.c.direction == "in",
                       tp.c.intent.is_not(None))
                .order_by(tp.c.id.desc())
                .limit(3)
            )  # fmt: skip
            intents = [i for (i,) in await self.connection.execute(last)]
            found.append(Stalled(customer_id, current, seen, intents))
        return found

    async def pseudonyms(self, ids: list[int]) -> dict[int, str | None]:
        """The pseudonyms of these customers."""
        if not ids:
            return {}
        c = table(t.Customer)
        rows = await self.connection.execute(select(c.c.id, c.c.pseudonym).where(c.c.id.in_(ids)))
        return {int(row[0]): row[1] for row in rows}

    async def stalled_count(self, stage: str, silent_since: datetime) -> int:
        """How many customers ``stalled`` would list without a limit."""
        c = table(t.Customer)
        stmt = select(func.count()).where(c.c.stage == stage, c.c.last_seen_at < silent_since)
        return int((await self.connection.execute(stmt)).scalar_one())

    async def recovery(self, period: Period) -> dict[str, Any]:
        """Carts stalled, reminders sent, orders recovered and their revenue by currency."""
        e, f = table(t.CommerceEvent), table(t.FollowUp)
        in_period = (e.c.occurred_at >= period.since, e.c.occurred_at < period.until)
        carts = select(func.count(func.distinct(e.c.cart_id))).where(
            *in_period, e.c.type.in_(("cart_updated", "checkout_started"))
        )
        reminders = select(func.count()).where(
            f.c.kind == "cart_recovery", f.c.status == "sent",
            f.c.updated_at >= period.since, f.c.updated_at < period.until,
        )  # fmt: skip
        recovered = select(
            e.c.currency, func.count(), func.sum(func.cast(e.c.total, Numeric(14, 2)))
        )
        recovered = recovered.where(*in_period, e.c.recovered.is_(True)).group_by(e.c.currency)
        orders = select(func.count()).where(*in_period, e.c.type == "order_placed")
        revenue = {
            currency or "": (int(count), str(total or 0))
            for currency, count, total in await self.connection.execute(recovered)
        }
        return {
            "carts": int((await self.connection.execute(carts)).scalar_one()),
            "reminders": int((await self.connection.execute(reminders)).scalar_one()),
            "orders": int((await self.connection.execute(orders)).scalar_one()),
            "recovered": revenue,
        }

    async def support(self, period: Period) -> dict[str, Any]:
        """Conversations, hand-offs requested, first agent replies and claims per agent."""
        tp, u = table(t.Touchpoint), table(t.User)
        window = (tp.c.created_at >= period.since, tp.c.created_at < period.until)
        conversations = select(func.count(func.distinct(tp.c.conversation_id))).where(
            *window, tp.c.direction == "in", tp.c.kind == "message"
        )
        requested = select(tp.c.conversation_id, func.min(tp.c.created_at)).where(
            *window, tp.c.intent == "handoff_requested"
        ).group_by(tp.c.conversation_id)  # fmt: skip
        first_reply = (
            select(tp.c.conversation_id, func.min(tp.c.created_at))
            .where(*window, tp.c.answered_by == "agent", tp.c.kind == "message")
            .group_by(tp.c.conversation_id)
        )
        per_agent = (
            select(u.c.name, func.count(func.distinct(tp.c.conversation_id)))
            .join(u, u.c.id == tp.c.agent_id)
            .where(*window, tp.c.intent == "handoff_claimed")
            .group_by(u.c.name)
        )
        if period.channel:
            conversations = conversations.where(tp.c.channel == period.channel)
            requested = requested.where(tp.c.channel == period.channel)
            first_reply = first_reply.where(tp.c.channel == period.channel)
            per_agent = per_agent.where(tp.c.channel == period.channel)
        asked = dict(list(await self.connection.execute(requested)))
        replied = dict(list(await self.connection.execute(first_reply)))
        return {
            "conversations": int((await self.connection.execute(conversations)).scalar_one()),
            "handoffs": len(asked),
            "waits": [(replied[c] - at).total_seconds() for c, at in asked.items() if c in replied],
            "per_agent": dict(list(await self.connection.execute(per_agent))),
        }

    async def intent_counts(self, period: Period, stage: str | None = None) -> dict[str, int]:
        """Customer messages per intent (optionally of those in ``stage`` after the message)."""
        tp = table(t.Touchpoint)
        stmt = (
            select(tp.c.intent, func.count())
            .where(*self._messages(period), tp.c.intent.is_not(None))
            .group_by(tp.c.intent)
        )
        if stage is not None:
            stmt = stmt.where(tp.c.stage_after == stage)
        return {intent: int(n) for intent, n in await self.connection.execute(stmt)}

    async def by_stage(self, period: Period, column: str) -> dict[str, dict[str, int]]:
        """Customer messages counted per stage (after the message) and ``column`` (``intent``
        or ``channel``)."""
        tp = table(t.Touchpoint)
        stmt = (
            select(tp.c.stage_after, tp.c[column], func.count())
            .where(*self._messages(period), tp.c.stage_after.is_not(None))
            .group_by(tp.c.stage_after, tp.c[column])
        )
        counts: dict[str, dict[str, int]] = {}
        for stage, value, n in await self.connection.execute(stmt):
            if value is not None:
                counts.setdefault(stage, {})[value] = int(n)
        return counts

    async def product_counts(self, period: Period) -> dict[str, int]:
        """How often each product came up in answers to customers."""
        counts: dict[str, int] = {}
        tp = table(t.Touchpoint)
        stmt = select(tp.c.products).where(*self._messages(period))
        for (products,) in await self.connection.execute(stmt):
            for product in products or []:
                counts[product] = counts.get(product, 0) + 1
        return counts

    async def unrecognised(self, period: Period, limit: int = 10) -> list[tuple[str, int]]:
        """The most frequent messages the NLU did not understand."""
        tp = table(t.Touchpoint)
        text = func.lower(func.trim(tp.c.text))
        stmt = (
            select(text, func.count().label("n"))
            .where(*self._messages(period), tp.c.intent == "nlu_fallback")
            .group_by(text)
            .order_by(func.count().desc(), text)
            .limit(limit)
        )
        return [(str(t_), int(n)) for t_, n in await self.connection.execute(stmt)]

    async def mix(self, period: Period) -> list[tuple[str, str, str | None, int]]:
        """Customer messages per day, channel and language: ``(day, channel, language, n)``."""
        tp = table(t.Touchpoint)
        day: Any = func.substr(func.cast(tp.c.created_at, Text()), 1, 10)
        if self.connection.dialect.name == "postgresql":
            day = func.to_char(func.timezone("UTC", tp.c.created_at), "YYYY-MM-DD")
        stmt = (
            select(day, tp.c.channel, tp.c.language, func.count())
            .where(*self._messages(period))
            .group_by(day, tp.c.channel, tp.c.language)
            .order_by(day, tp.c.channel, tp.c.language)
        )
        return [(str(d), c, lang, int(n)) for d, c, lang, n in await self.connection.execute(stmt)]

    async def texts_by_stage(self, period: Period) -> AsyncIterator[tuple[str, str, str | None]]:
        """``(stage, text, language)`` of every customer message, for the emotion curve."""
        tp = table(t.Touchpoint)
        after = 0
        while True:
            stmt = (
                select(tp.c.id, tp.c.stage_after, tp.c.text, tp.c.language)
                .where(*self._messages(period), tp.c.stage_after.is_not(None), tp.c.id > after)
                .order_by(tp.c.id)
                .limit(BATCH)
            )
            rows = list(await self.connection.execute(stmt))
            for _, stage, text, language in rows:
                yield stage, text, language
            if len(rows) < BATCH:
                return
            after = rows[-1][0]

    def _messages(self, period: Period) -> tuple[Any, ...]:
        """Customer messages in the period (and channel)."""
        tp = table(t.Touchpoint)
        where = [tp.c.created_at >= period.since, tp.c.created_at < period.until,
                 tp.c.direction == "in", tp.c.kind.in_(("message", "csat_answered",
                                                         "csat_comment"))]  # fmt: skip
        if period.channel:
            where.append(tp.c.channel == period.channel)
        return (and_(*where),)

    @staticmethod
    def _on_channel(period: Period) -> Any:
        i = table(t.ChannelIdentity)
        return select(i.c.customer_id).where(i.c.channel == period.channel)
