"""The cart-recovery cadence end to end on a fake clock: event → reminders → stop rules.

A web customer says hello; the shop reports a cart; the clock moves; each sweep sends what
is due through the outbox (the widget is offline here, so messages wait as pending rows).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Services, build_services
from bot.channels.base import InboundMessage
from bot.commerce.ingest import EventIngest
from bot.commerce.payload import EventPayload
from bot.scheduler import start_scheduler
from storage import tables as t
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeNluBackend

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 11:00 in Rome, the demo shop's time zone
SESSION = "session-ann"
KEYWORDS = {"hello": "greet", "stop": "stop", "buy": "buy_product", "think": "hesitation"}


def cart_event(event_id: str = "evt-1", at: datetime = NOW, **changes: Any) -> EventPayload:
    return EventPayload.model_validate(
        {
            "id": event_id,
            "type": "cart_updated",
            "customer": {"channel": "web", "id": SESSION},
            "cart_id": "cart-8812",
            "cart_url": "https://shop.example.com/cart/8812",
            "items": [{"product_id": "xps-13", "name": "Dell XPS 13", "quantity": 1,
                       "unit_price": "1299.00"}],
            "total": "1299.00",
            "currency": "EUR",
            "occurred_at": at.isoformat(),
            **changes,
        }
    )  # fmt: skip


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def services(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    settings = make_settings(database_url, tmp_path)
    built = await build_services(settings, nlu=FakeNluBackend(KEYWORDS), clock=clock)
    await built.pipeline.handle(InboundMessage("web", SESSION, "hello", "m1"))
    yield built
    await built.aclose()


async def report(services: Services, event: EventPayload) -> None:
    await EventIngest(services.uow, services.shop.journey_map, services.clock).ingest(event)


async def reminders(services: Services) -> list[tuple[str, datetime]]:
    """The proactive messages queued so far: text and time."""
    async with services.uow() as uow:
        rows = await uow.session.execute(
            select(t.Message.text, t.Message.created_at)
            .where(t.Message.answered_by == "system")
            .order_by(t.Message.id)
        )
        return [(text, at) for text, at in rows]


async def statuses(services: Services) -> list[str]:
    async with services.uow() as uow:
        rows = await uow.session.execute(select(t.FollowUp.status).order_by(t.FollowUp.id))
        return [status for (status,) in rows]


async def sweep_at(services: Services, clock: FakeClock, at: datetime) -> int:
    clock.now = at
    return await services.follow_ups.sweep()


async def test_the_whole_cadence_at_one_hour_one_day_and_three_days(
    services: Services, clock: FakeClock
) -> None:
    await report(services, cart_event())

    sent = [
        await sweep_at(services, clock, NOW + timedelta(minutes=59)),
        await sweep_at(services, clock, NOW + timedelta(hours=1)),
        await sweep_at(services, clock, NOW + timedelta(hours=1, minutes=5)),
        await sweep_at(services, clock, NOW + timedelta(hours=24)),
        await sweep_at(services, clock, NOW + timedelta(hours=72)),
        await sweep_at(services, clock, NOW + timedelta(days=30)),
    ]

    assert sent == [0, 1, 0, 1, 1, 0]
    texts = [text for text, _ in await reminders(services)]
    assert texts[0] == (
        "You left something in your cart:\n1× Dell XPS 13\nTotal: €1,299.00. "
        "It's saved for you here: https://shop.example.com/cart/8812"
    )
    assert texts[1].startswith("Still thinking about it?")
    assert texts[2].startswith("Last reminder from us: your cart (€1,299.00)")
    assert ["COMEBACK5" in text for text in texts] == [False, False, True]  # the shop's coupon
    assert await statuses(services) == ["sent", "sent", "sent"]
    async with services.uow() as uow:
        logged = [r for r in await uow.queries.touchpoints() if r.kind == "follow_up"]
    assert [(r.intent, r.answered_by) for r in logged] == [
        (f"cart_recovery_{n}", "system") for n in (1, 2, 3)
    ]


async def test_an_order_after_the_first_reminder_stops_the_rest(
    services: Services, clock: FakeClock
) -> None:
    await report(services, cart_event())
    await sweep_at(services, clock, NOW + timedelta(hours=1))
    order = cart_event("evt-2", NOW + timedelta(hours=2), type="order_placed", order_id="o-1")
    clock.now = NOW + timedelta(hours=2)
    await report(services, order)

    assert await sweep_at(services, clock, NOW + timedelta(days=5)) == 0
    assert await statuses(services) == ["sent", "cancelled", "cancelled"]


async def test_an_order_within_a_week_of_a_reminder_counts_as_recovered_revenue(
    services: Services, clock: FakeClock
) -> None:
    await report(services, cart_event())
    await sweep_at(services, clock, NOW + timedelta(hours=1))
    clock.now = NOW + timedelta(days=3)
    await report(services, cart_event("evt-2", clock.now, type="order_placed", order_id="o-1"))
    clock.now = NOW + timedelta(days=20)
    await report(services, cart_event("evt-3", clock.now, type="order_placed", order_id="o-2"))

    async with services.uow() as uow:
        assert await uow.events.recovered_revenue() == [("1299.00", "EUR")]  # not o-2


async def test_an_opt_out_in_chat_stops_the_cadence(services: Services, clock: FakeClock) -> None:
    await report(services, cart_event())
    await services.pipeline.handle(InboundMessage("web", SESSION, "stop", "m2"))

    assert await sweep_at(services, clock, NOW + timedelta(days=5)) == 0
    assert await statuses(services) == ["cancelled"] * 3


async def test_a_person_taking_over_is_checked_at_send_time(
    services: Services, clock: FakeClock
) -> None:
    await report(services, cart_event())
    async with services.uow() as uow:
        ctx = await uow.customers.context("web", SESSION)
        assert ctx is not None and ctx.conversation_id is not None
        await uow.conversations.touch(ctx.conversation_id, NOW, status="agent")
        await uow.commit()

    assert await sweep_at(services, clock, NOW + timedelta(hours=1)) == 0
    assert await statuses(services) == ["cancelled"] * 3


async def test_a_reminder_due_at_night_waits_for_the_morning(
    services: Services, clock: FakeClock
) -> None:
    evening = datetime(2026, 3, 2, 20, 30, tzinfo=UTC)  # 21:30 in Rome: quiet from 21:00
    clock.now = evening
    await report(services, cart_event(at=evening))

    held = await sweep_at(services, clock, evening + timedelta(hours=1))
    still_night = await sweep_at(services, clock, datetime(2026, 3, 3, 7, 59, tzinfo=UTC))
    morning = await sweep_at(services, clock, datetime(2026, 3, 3, 8, 0, tzinfo=UTC))

    assert (held, still_night, morning) == (0, 0, 1)
    [(_, at)] = await reminders(services)
    assert at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 09:00 in Rome


async def settled(services: Services) -> list[tuple[str, str | None]]:
    async with services.uow() as uow:
        rows = await uow.session.execute(
            select(t.FollowUp.status, t.FollowUp.reason).order_by(t.FollowUp.id)
        )
        return [(status, reason) for status, reason in rows]


async def carts_at(services: Services, clock: FakeClock, *hours: int) -> None:
    """A new cart at each of ``hours`` after NOW, each followed by a sweep an hour later."""
    for n, offset in enumerate(hours):
        at = NOW + timedelta(hours=offset)
        clock.now = at
        await report(services, cart_event(f"evt-{n}", at, cart_id=f"cart-{n}"))
        await sweep_at(services, clock, at + timedelta(hours=1))


async def skipped(services: Services) -> list[str | None]:
    return [reason for status, reason in await settled(services) if status == "skipped"]


async def test_a_second_cart_within_a_day_starts_no_second_flow(
    services: Services, clock: FakeClock
) -> None:
    await carts_at(services, clock, 0, 2)

    assert len(await reminders(services)) == 1
    assert await skipped(services) == ["one cart_recovery flow per customer per 24 hours"]


async def test_a_cart_updated_again_gets_no_more_than_three_reminders_in_all(
    services: Services, clock: FakeClock
) -> None:
    await report(services, cart_event())
    for hours in (1, 24, 72):
        await sweep_at(services, clock, NOW + timedelta(hours=hours))
    again = NOW + timedelta(days=8)
    clock.now = again
    await report(services, cart_event("evt-2", again))  # the same cart, updated
    await sweep_at(services, clock, again + timedelta(hours=1))

    assert len(await reminders(services)) == 3
    assert await skipped(services) == ["already 3 cart_recovery messages about this"]


async def test_past_the_weekly_cap_a_reminder_is_skipped_and_recorded(
    services: Services, clock: FakeClock
) -> None:
    await carts_at(services, clock, 0, 25, 50, 75)  # one new cart a day

    assert [at - NOW for _, at in await reminders(services)] == [
        timedelta(hours=h) for h in (1, 26, 51)
    ]
    assert await skipped(services) == ["cap of 3 proactive messages in 7 days reached"]


async def test_past_the_daily_cap_a_reminder_is_skipped_and_recorded(
    services: Services, clock: FakeClock
) -> None:
    await carts_at(services, clock, 0)  # a cart reminder at 1 h
    clock.now = NOW + timedelta(hours=1, minutes=30)
    await services.pipeline.handle(InboundMessage("web", SESSION, "I want to buy it", "m2"))
    await sweep_at(services, clock, NOW + timedelta(hours=3, minutes=30))  # quiet: the second
    await services.pipeline.handle(InboundMessage("web", SESSION, "let me think", "m3"))
    await sweep_at(services, clock, NOW + timedelta(hours=6))  # quiet again: a third today

    assert len(await reminders(services)) == 2
    assert await skipped(services) == ["cap of 2 proactive messages in 24 hours reached"]


async def test_a_buyer_who_goes_quiet_hears_from_us_two_hours_after_their_last_message(
    services: Services, clock: FakeClock
) -> None:
    await services.pipeline.handle(InboundMessage("web", SESSION, "I want to buy it", "m2"))
    clock.now = NOW + timedelta(hours=1)
    await services.pipeline.handle(InboundMessage("web", SESSION, "let me think", "m3"))

    early = await sweep_at(services, clock, NOW + timedelta(hours=2, minutes=30))
    later = await sweep_at(services, clock, NOW + timedelta(hours=3))

    assert (early, later) == (0, 1)
    [(text, _)] = await reminders(services)
    assert text.startswith("Still thinking it over?")  # it answers the doubt


async def test_apscheduler_runs_the_sweep_by_itself(services: Services, clock: FakeClock) -> None:
    await report(services, cart_event())
    clock.now = NOW + timedelta(hours=1)
    scheduler = start_scheduler(services.follow_ups, interval=0.05)
    try:
        for _ in range(100):
            if await reminders(services):
                break
            await asyncio.sleep(0.05)
    finally:
        scheduler.shutdown(wait=False)
    assert len(await reminders(services)) == 1


async def test_after_a_restart_every_pending_reminder_still_fires_once(
    services: Services, clock: FakeClock, database_url: str, tmp_path: Path
) -> None:
    await report(services, cart_event())
    await services.aclose()  # the service stops before the first reminder is due

    clock.now = NOW + timedelta(hours=1)
    restarted = await build_services(
        make_settings(database_url, tmp_path), nlu=FakeNluBackend(KEYWORDS), clock=clock
    )
    try:
        first, again = await restarted.follow_ups.sweep(), await restarted.follow_ups.sweep()
        assert (first, again) == (1, 0)
        assert len(await reminders(restarted)) == 1
    finally:
        await restarted.aclose()


async def test_two_workers_sweeping_at_once_send_each_reminder_once(
    services: Services, clock: FakeClock, database_url: str, tmp_path: Path
) -> None:
    sessions = [f"session-{n:02}" for n in range(20)]
    for n, session in enumerate(sessions):
        await services.pipeline.handle(InboundMessage("web", session, "hello", f"h{n}"))
        customer = {"channel": "web", "id": session}
        await report(services, cart_event(f"evt-{n}", customer=customer, cart_id=f"cart-{n}"))
    other = await build_services(
        make_settings(database_url, tmp_path), nlu=FakeNluBackend(KEYWORDS), clock=clock
    )
    clock.now = NOW + timedelta(hours=1)
    try:
        counts = await asyncio.gather(services.follow_ups.sweep(), other.follow_ups.sweep())
    finally:
        await other.aclose()

    assert sum(counts) == 20
    async with services.uow() as uow:
        rows = await uow.session.execute(
            select(t.Message.recipient_id).where(t.Message.answered_by == "system")
        )
        recipients = sorted(r for (r,) in rows)
    assert recipients == sessions  # each customer's first reminder, exactly once
