"""APScheduler drives the follow-up sweep: one job, every ``interval`` seconds.

The follow-ups themselves are database rows (``bot.followups``), so the scheduler holds no
state worth keeping: after a restart the first sweep finds every row still due. Runs of the
job never overlap (``max_instances=1``), and missed runs collapse into one (``coalesce``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.followups import FollowUpSender


def start_scheduler(sender: FollowUpSender, interval: float) -> AsyncIOScheduler:
    """A running scheduler that sweeps now and then every ``interval`` seconds."""
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
    scheduler.start()
    return scheduler
