"""Keeps the daily summaries up to date with the touchpoint log.

``refresh`` reads the touchpoints after the watermark in batches, sums them
(``journeys.analytics.summarise``, sentiment included) and adds the sums in the same
transaction that moves the watermark, so a crash never counts a touchpoint twice or loses
one. It runs before every report (the report is exact up to the latest touchpoint) and every
minute in the scheduler (so that tail stays short).
"""

from __future__ import annotations

from journeys.analytics import summarise
from storage.uow import UnitOfWorkFactory

BATCH = 20_000


class Summaries:
    """The refresher of the analytics summaries."""

    def __init__(self, uow: UnitOfWorkFactory, default_language: str) -> None:
        self.uow, self.default_language = uow, default_language

    async def refresh(self, batch: int = BATCH) -> int:
        """Sum every touchpoint not summed yet; return how many customer messages it read."""
        read = 0
        while True:
            async with self.uow() as uow:
                after = await uow.summaries.claim()
                messages, last = await uow.summaries.new_messages(after, batch)
                if last == after:
                    return read
                rows = (
                    (m.day, m.channel, m.language, m.stage, m.intent, m.products, m.text,
                     m.resolved)
                    for m in messages
                )  # fmt: skip
                days, mentions = summarise(rows, self.default_language)
                await uow.summaries.add(days, mentions, last)
                await uow.commit()
            read += len(messages)
