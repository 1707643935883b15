"""The read side of journey analytics: SQL over touchpoints, stage history, events, surveys.

Each method answers one question for a period ``[since, until)`` and, where it applies, one
channel; the shaping (conversion rates, medians, the journey order of stages) is
``journeys.analytics``'. Customers are counted by id; the caller pseudonymises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median
from typing import Any

from sqlalchemy import Numeric, case, func, select

from storage import tables as t
from storage.queries import TouchpointQueries
from storage.statements import table
from storage.summaries import SummaryRepository


@dataclass(frozen=True, slots=True)
class Period:
    """The time window (and channel) an analytics question is about."""

    since: datetime
    until: datetime
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Stalled:
    """A customer whose last stage is ``stage`` and who has been silent since ``last_seen``."""

    customer_id: int
    stage: str
    last_seen: datetime
    last_intents: list[str]


@dataclass(frozen=True, slots=True)
class FunnelFigures:
    """What the funnel is made of: customers who first reached each stage, for each pair of
    stages ``(count, median hours)`` of those who went on, and per stage the customers per
    evidence (``confirmed``, ``stated``, None)."""

    reached: dict[str, int]
    went_on: dict[tuple[str, str], tuple[int, float | None]]
    evidence: dict[str, dict[str | None, int]]


def days_of(period: Period) -> tuple[str, str]:
    """The first day and the day after the last day of ``period`` (UTC dates): what the
    daily summaries answer for (a period that starts or ends within a day counts that whole
    day)."""
    last = period.until - timedelta(microseconds=1)
    return period.since.date().isoformat(), (last.date() + timedelta(days=1)).isoformat()


class JourneyAnalytics(TouchpointQueries):
    """Analytics queries on the unit of work's connection."""

    async def funnel_figures(self, period: Period, stages: tuple[str, ...]) -> FunnelFigures:
        """Customers who first reached each stage in the period (and by the evidence of their
        latest change into it), and for each next stage how many of them reached it
        afterwards (before the period's end), with the median hours it took them."""
        c = table(t.CustomerStage)
        first = (c.c.first_at >= period.since, c.c.first_at < period.until)
        on_channel = (c.c.customer_id.in_(self._on_channel(period)),) if period.channel else ()
        counts = (
            select(c.c.stage, c.c.evidence, func.count())
            .where(*first, *on_channel)
            .group_by(c.c.stage, c.c.evidence)
        )
        evidence: dict[str, dict[str | None, int]] = {}
        for stage, kind, n in await self.connection.execute(counts):
            evidence.setdefault(stage, {})[kind] = int(n)
        reached = {stage: sum(by_kind.values()) for stage, by_kind in evidence.items()}
        went_on: dict[tuple[str, str], tuple[int, float | None]] = {}
        following = dict(pairwise(stages))
        if not following:
            return FunnelFigures(reached, went_on, evidence)
        b = c.alias("b")
        next_stage = case(following, value=c.c.stage)
        pairs = (
            select(c.c.stage, self._hours_between(c.c.first_at, b.c.first_at))
            .join(b, (b.c.customer_id == c.c.customer_id) & (b.c.stage == next_stage))
            .where(*first, *on_channel, b.c.first_at >= c.c.first_at, b.c.first_at < period.until)
        )
        hours: dict[str, list[float]] = {}
        for stage, value in await self.connection.execute(pairs):
            hours.setdefault(stage, []).append(float(value))
        for before, after in following.items():
            values = hours.get(before, [])
            went_on[(before, after)] = (len(values), round(median(values), 2) if values else None)
        return FunnelFigures(reached, went_on, evidence)

    def _hours_between(self, start: Any, end: Any) -> Any:
        if self.connection.dialect.name == "postgresql":
            return func.extract("epoch", end - start) / 3600.0
        return (func.julianday(end) - func.julianday(start)) * 24.0

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
        """Conversations active in the period, hand-offs requested, first agent replies and
        claims per agent."""
        tp, u, c = table(t.Touchpoint), table(t.User), table(t.Conversation)
        window = (tp.c.created_at >= period.since, tp.c.created_at < period.until)
        conversations = select(func.count()).where(
            c.c.last_message_at >= period.since, c.c.started_at < period.until
        )
        requested = select(tp.c.conversation_id, func.min(tp.c.created_at)).where(
            *window, tp.c.intent == "handoff_requested"
        ).group_by(tp.c.conversation_id)  # fmt: skip
        first_reply = (
            select(tp.c.conversation_id, func.min(tp.c.created_at))
            .where(*window, tp.c.intent == "agent_reply")
            .group_by(tp.c.conversation_id)
        )
        per_agent = (
            select(u.c.name, func.count(func.distinct(tp.c.conversation_id)))
            .join(u, u.c.id == tp.c.agent_id)
            .where(*window, tp.c.intent == "handoff_claimed")
            .group_by(u.c.name)
        )
        if period.channel:
            conversations = conversations.where(c.c.channel == period.channel)
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
        """Customer messages per intent (optionally of those in ``stage`` after the message),
        from the daily summaries."""
        rows = await self._sums(period, ("intent",), stage)
        return {intent: int(n) for intent, n, _ in rows if intent}

    async def product_counts(self, period: Period, limit: int = 10) -> dict[str, int]:
        """How often each product came up in answers to customers (the most frequent)."""
        first, end = days_of(period)
        found = await self._summaries.mention_sums(first, end, period.channel, "product", limit)
        return dict(found)

    async def unrecognised(self, period: Period, limit: int = 10) -> list[tuple[str, int]]:
        """The most frequent messages the NLU did not understand."""
        first, end = days_of(period)
        return await self._summaries.mention_sums(first, end, period.channel, "unrecognised", limit)

    async def mix(self, period: Period) -> list[tuple[str, str, str | None, int]]:
        """Customer messages per day, channel and language: ``(day, channel, language, n)``."""
        rows = await self._sums(period, ("day", "channel", "language"))
        return [(day, channel, language or None, int(n)) for day, channel, language, n, _ in rows]

    async def by_stage(self, period: Period, column: str) -> dict[str, dict[str, int]]:
        """Customer messages counted per stage (after the message) and ``column`` (``intent``
        or ``channel``)."""
        counts: dict[str, dict[str, int]] = {}
        for stage, value, n, _ in await self._sums(period, ("stage", column)):
            if stage and value:
                counts.setdefault(stage, {})[value] = int(n)
        return counts

    async def sentiment_by_stage(self, period: Period) -> dict[str, tuple[float, int]]:
        """Per stage: the summed sentiment of customer messages and how many there were."""
        rows = await self._sums(period, ("stage",))
        return {stage: (float(total or 0), int(n)) for stage, n, total in rows if stage}

    async def _sums(
        self, period: Period, group: tuple[str, ...], stage: str | None = None
    ) -> list[tuple[Any, ...]]:
        first, end = days_of(period)
        return await self._summaries.day_sums(first, end, period.channel, group, stage)

    @property
    def _summaries(self) -> SummaryRepository:
        return SummaryRepository(self.connection)

    @staticmethod
    def _on_channel(period: Period) -> Any:
        i = table(t.ChannelIdentity)
        return select(i.c.customer_id).where(i.c.channel == period.channel)
