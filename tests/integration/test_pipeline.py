"""The message pipeline on SQLite and PostgreSQL, with a keyword NLU and a collecting sender."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from bot.app import Services, build_services
from bot.channels.base import InboundMessage, RecipientBlocked, RetryLater
from bot.pipeline import InvalidMessage
from storage import tables as t
from tests.conftest import make_settings
from tests.fakes import CollectingSender, FakeClock, FakeNluBackend

KEYWORDS = {
    "hello": "greet",
    "how much": "ask_price",
    "buy": "buy_product",
    "human": "ask_human",
}
PRODUCTS = {"xps 13": "xps-13"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sender() -> CollectingSender:
    return CollectingSender("fake")


@pytest.fixture
async def services(
    database_url: str, tmp_path: Path, clock: FakeClock, sender: CollectingSender
) -> AsyncIterator[Services]:
    built = await build_services(
        make_settings(database_url, tmp_path), nlu=FakeNluBackend(KEYWORDS, PRODUCTS), clock=clock
    )
    built.senders.register(sender)
    yield built
    await built.aclose()


def message(text: str, msg_id: str | None = "1", sender_id: str = "ann") -> InboundMessage:
    return InboundMessage("fake", sender_id, text, channel_message_id=msg_id)


async def count(services: Services, table: type[t.Base]) -> int:
    async with services.uow() as uow:
        query = select(func.count()).select_from(table)
        return int((await uow.session.execute(query)).scalar_one())


async def touchpoints(services: Services) -> list:
    async with services.uow() as uow:
        return await uow.queries.touchpoints()


async def test_a_message_is_answered_and_logged_as_a_touchpoint(
    services: Services, sender: CollectingSender
) -> None:
    result = await services.pipeline.handle(message("how much is the XPS 13?"))
    assert not result.duplicate
    assert len(sender.sent) == len(result.replies) >= 1
    assert any("XPS 13" in text for text in sender.texts)
    [tp] = await touchpoints(services)
    assert (tp.sender, tp.channel, tp.direction) == ("ann", "fake", "in")
    assert (tp.intent, tp.confidence, tp.language) == ("ask_price", 0.9, "en")
    assert (tp.stage_before, tp.stage_after) == (None, "consideration")
    assert tp.answered_by == "bot" and tp.latency_ms is not None
    assert tp.products == ["xps-13"]
    assert tp.entities[0]["value"] == "xps-13"
    async with services.uow() as uow:
        pending = await uow.messages.pending()
    assert pending == []


async def test_a_retried_delivery_replays_the_answer_and_creates_nothing(
    services: Services, sender: CollectingSender
) -> None:
    first = await services.pipeline.handle(message("hello", msg_id="77"))
    again = await services.pipeline.handle(message("hello", msg_id="77"))
    assert again.duplicate
    assert [r.text for r in again.replies] == [r.text for r in first.replies]
    assert len(sender.sent) == len(first.replies)  # nothing sent twice
    assert await count(services, t.Touchpoint) == 1
    assert await count(services, t.Customer) == 1
    assert await count(services, t.Message) == 1 + len(first.replies)


async def test_a_failure_after_interpretation_leaves_nothing_half_written(
    services: Services, sender: CollectingSender
) -> None:
    def fail_on_touchpoint(conn, cursor, statement, params, context, executemany) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO TOUCHPOINTS"):
            raise ConnectionError("database went away")

    event.listen(services.engine.sync_engine, "before_cursor_execute", fail_on_touchpoint)
    with pytest.raises(ConnectionError):
        await services.pipeline.handle(message("how much is the XPS 13?"))
    event.remove(services.engine.sync_engine, "before_cursor_execute", fail_on_touchpoint)
    for table in (t.Customer, t.ChannelIdentity, t.Conversation, t.Message, t.Touchpoint):
        assert await count(services, table) == 0, table.__tablename__
    assert sender.sent == []


async def test_a_crash_between_commit_and_delivery_is_delivered_on_restart(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    class WorkerDied(BaseException):
        """The process is killed while sending."""

    class CrashingSender(CollectingSender):
        async def send(self, message):
            raise WorkerDied

    settings = make_settings(database_url, tmp_path)
    first = await build_services(settings, nlu=FakeNluBackend(KEYWORDS), clock=clock)
    first.senders.register(CrashingSender("fake"))
    with pytest.raises(WorkerDied):
        await first.pipeline.handle(message("hello"))
    await first.aclose()

    clock.advance(minutes=2)  # the dead worker's lease has run out
    restarted = await build_services(settings, nlu=FakeNluBackend(KEYWORDS), clock=clock)
    sender = CollectingSender("fake")
    restarted.senders.register(sender)
    assert await restarted.outbox.deliver_due() >= 1
    assert await restarted.outbox.deliver_due() == 0  # and only once
    assert len(sender.sent) >= 1
    assert await count(restarted, t.Touchpoint) == 1
    await restarted.aclose()


async def test_retry_after_is_honoured_and_the_message_is_sent_once(
    services: Services, sender: CollectingSender, clock: FakeClock
) -> None:
    sender.fail_with = [RetryLater(30)]
    await services.pipeline.handle(message("hello"))
    assert sender.sent == []
    clock.advance(seconds=10)
    assert await services.outbox.deliver_due() == 0
    clock.advance(seconds=25)
    assert await services.outbox.deliver_due() >= 1
    assert await services.outbox.deliver_due() == 0
    texts = sender.texts
    assert len(texts) == len(set(texts)) >= 1


async def test_a_blocked_recipient_is_recorded_as_opted_out(
    services: Services, sender: CollectingSender
) -> None:
    sender.fail_with = [RecipientBlocked("Forbidden: bot was blocked by the user")]
    await services.pipeline.handle(message("hello"))
    async with services.uow() as uow:
        ctx = await uow.customers.context("fake", "ann")
        statuses = (await uow.session.execute(select(t.Message.status))).scalars().all()
    assert ctx is not None and ctx.opted_out
    assert "blocked" in statuses and "pending" not in statuses


async def test_the_bot_stays_silent_while_a_person_owns_the_conversation(
    services: Services, sender: CollectingSender
) -> None:
    await services.pipeline.handle(message("hello", msg_id="1"))
    sent_before = len(sender.sent)
    async with services.uow() as uow:
        ctx = await uow.customers.context("fake", "ann")
        assert ctx is not None and ctx.conversation_id is not None
        await uow.conversations.touch(ctx.conversation_id, ctx.last_seen_at, status="agent")
        await uow.commit()
    result = await services.pipeline.handle(message("how much is the XPS 13?", msg_id="2"))
    assert result.silent and result.replies == []
    assert len(sender.sent) == sent_before
    tps = await touchpoints(services)
    assert tps[-1].text == "how much is the XPS 13?" and tps[-1].answered_by is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("   \n\t", "empty"), ("x" * 4097, "4097 characters")],
)
async def test_bad_input_is_refused_and_writes_nothing(
    services: Services, text: str, reason: str
) -> None:
    with pytest.raises(InvalidMessage, match=reason):
        await services.pipeline.handle(message(text))
    assert await count(services, t.Customer) == 0
    assert await count(services, t.Message) == 0


async def test_concurrent_first_messages_make_one_customer(services: Services) -> None:
    msgs = [message(f"hello {i}", msg_id=str(i)) for i in range(8)]
    await asyncio.gather(*(services.pipeline.handle(m) for m in msgs))
    assert await count(services, t.Customer) == 1
    assert await count(services, t.Touchpoint) == 8


async def test_messages_from_many_customers_at_once_are_all_answered_and_logged(
    services: Services, sender: CollectingSender
) -> None:
    msgs = [message(f"hello {i}", msg_id=str(i), sender_id=f"s{i % 6}") for i in range(24)]
    results = await asyncio.gather(*(services.pipeline.handle(m) for m in msgs))
    assert all(r.replies and not r.duplicate for r in results)
    assert len(sender.sent) == sum(len(r.replies) for r in results)
    assert await count(services, t.Customer) == 6
    assert await count(services, t.Touchpoint) == 24
    async with services.uow.read_only() as uow:
        assert await uow.messages.pending() == []
