"""APScheduler drives the follow-up sweep, every ``interval`` seconds, and the refresh of the
analytics summaries, every minute.

The follow-ups themselves are database rows (``bot.followups``), so the scheduler holds no
state worth keeping: after a restart the first sweep finds every row still due. Runs of the
job never overlap (``max_instances=1``), and missed runs collapse into one (``coalesce``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.analytics.summaries import Summaries
from bot.followups import FollowUpSender

SUMMARIES_EVERY = 60.0


def start_scheduler(
    sender: FollowUpSender, interval: float, summaries: Summaries | None = None
) -> AsyncIOScheduler:
    """A running scheduler that sweeps now and then every ``interval`` seconds (and keeps
    the analytics summaries fresh when given them)."""
    # APScheduler logs every run at INFO; the sweep logs what it does itself.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        sender.sweep,
        "interval",
        seconds=interval,
        id="follow-ups",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    if summaries is not None:
        scheduler.add_job(
            summaries.refresh, "interval", seconds=SUMMARIES_EVERY, id="summaries",
            max_instances=1, coalesce=True,
        )  # fmt: skip
    scheduler.start()
    return scheduler
