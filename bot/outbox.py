"""Delivery of outbound messages that were committed as pending rows (the outbox).

A row is claimed with a short lease before sending, so two workers never send it twice and
a worker that dies mid-send leaves it to be retried once the lease runs out. Rows of one
recipient go out in order: when one must wait (Telegram 429 ``retry_after``) the later ones
wait behind it. ``RecipientBlocked`` (Telegram 403) stops delivery to that customer and
records them as opted out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.channels.base import (
    Button,
    DeliveryError,
    OutgoingMessage,
    RecipientBlocked,
    RecipientOffline,
    RetryLater,
    SenderRegistry,
)
from storage.records import OutboxMessage
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
OFFLINE_WAIT = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed ones: 2, 4, 8 ... s, at most 10 min."""
    return timedelta(seconds=min(2**attempts, 600))


class Outbox:
    """Sends pending outbound rows through the sender registered for their channel."""

    def __init__(
        self, uow: UnitOfWorkFactory, senders: SenderRegistry, clock: Callable[[], datetime]
    ) -> None:
        self.uow = uow
        self.senders = senders
        self.clock = clock

    async def deliver(self, ids: Sequence[int]) -> None:
        """Deliver these rows now, in order (called right after the commit that made them)."""
        async with self.uow.read_only() as uow:
            rows = await uow.messages.get_outbox(ids)
        await self._deliver_rows(rows)

    async def deliver_recipient(self, channel: str, recipient_id: str) -> int:
        """Deliver everything pending for one recipient now (e.g. a web session reconnected)."""
        async with self.uow() as uow:
            await uow.messages.make_due(channel, recipient_id, self.clock())
            rows = await uow.messages.pending(recipient=(channel, recipient_id))
            await uow.commit()
        return await self._deliver_rows(rows)

    async def deliver_due(self, limit: int = 200) -> int:
        """Deliver every pending row that is due; return how many were sent."""
        async with self.uow.read_only() as uow:
            rows = await uow.messages.pending(limit=limit)
        return await self._deliver_rows(rows)

    async def run(self, interval: float, stop: asyncio.Event) -> None:
        """Sweep for due rows every ``interval`` seconds until ``stop`` is set."""
        while not stop.is_set():
            try:
                await self.deliver_due()
            except Exception:
                log.exception("outbox sweep failed; trying again in %s s", interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    async def _deliver_rows(self, rows: Sequence[OutboxMessage]) -> int:
        sent = 0
        held: set[tuple[str, str]] = set()
        for row in rows:
            recipient = (row.channel, row.recipient_id)
            if recipient in held or row.status != "pending":
                continue
            if not await self._deliver_one(row):
                held.add(recipient)  # keep this recipient's later rows in order
            else:
                sent += 1
        return sent

    async def _deliver_one(self, row: OutboxMessage) -> bool:
        sender = self.senders.get(row.channel)
        now = self.clock()
        if sender is None:
            log.debug("no sender for channel %s; message %s stays pending", row.channel, row.id)
            return False
        if row.next_attempt_at is not None and row.next_attempt_at > now:
            return False
        async with self.uow() as uow:
            claimed = await uow.messages.claim(row.id, now, now + LEASE)
            await uow.commit()
        if not claimed:
            return False
        try:
            delivered_id = await sender.send(outgoing(row))
        except RetryLater as exc:
            await self._reschedule(row, timedelta(seconds=exc.retry_after), str(exc))
            return False
        except RecipientOffline as exc:
            await self._reschedule(row, OFFLINE_WAIT, str(exc), attempts=row.attempts)
            return False
        except RecipientBlocked as exc:
            await self._blocked(row, str(exc))
            return False
        except (DeliveryError, OSError, TimeoutError) as exc:
            await self._failed(row, exc)
            return False
        async with self.uow() as uow:
            await uow.messages.mark(
                row.id, status="sent", sent_at=self.clock(), delivered_id=delivered_id
            )
            await uow.commit()
        return True

    async def _reschedule(
        self, row: OutboxMessage, wait: timedelta, error: str, attempts: int | None = None
    ) -> None:
        log.info("message %s: %s", row.id, error)
        values = {} if attempts is None else {"attempts": attempts}
        async with self.uow() as uow:
            await uow.messages.mark(
                row.id, next_attempt_at=self.clock() + wait, last_error=error, **values
            )
            await uow.commit()

    async def _failed(self, row: OutboxMessage, exc: BaseException) -> None:
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            log.error("message %s failed %s times, giving up: %s", row.id, attempts, exc)
            async with self.uow() as uow:
                await uow.messages.mark(row.id, status="failed", last_error=str(exc))
                await uow.commit()
            return
        log.warning("message %s: delivery failed (%s); retrying", row.id, exc)
        await self._reschedule(row, backoff(attempts), str(exc) or type(exc).__name__)

    async def _blocked(self, row: OutboxMessage, error: str) -> None:
        log.info("customer %s blocked the bot on %s", row.customer_id, row.channel)
        async with self.uow() as uow:
            await uow.messages.block_recipient(row.channel, row.recipient_id, error)
            await uow.customers.update_state(row.customer_id, opted_out=True)
            await uow.commit()


def outgoing(row: OutboxMessage) -> OutgoingMessage:
    """The message a sender delivers for a stored outbound row."""
    return OutgoingMessage(
        outbox_id=row.id,
        channel=row.channel,
        recipient_id=row.recipient_id,
        text=row.text,
        buttons=tuple(Button(title, payload) for title, payload in row.buttons),
        answered_by=row.answered_by or "bot",
        attachment=row.attachment,
    )
