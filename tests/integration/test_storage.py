"""Storage on SQLite and PostgreSQL: the unit of work, de-duplication, follow-ups."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage import tables as t
from storage.engine import create_engine, create_session_factory
from storage.errors import DuplicateDelivery, StorageError
from storage.records import NewInbound, NewOutbound
from storage.uow import UnitOfWorkFactory

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
async def uow(database_url: str):
    engine = create_engine(database_url)
    yield UnitOfWorkFactory(create_session_factory(engine))
    await engine.dispose()


async def _count(uow: UnitOfWorkFactory, table: type[t.Base]) -> int:
    async with uow() as u:
        return int((await u.session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_nothing_is_kept_without_commit(uow: UnitOfWorkFactory) -> None:
    async with uow() as u:
        await u.customers.add("rest", "ann", NOW)
    assert await _count(uow, t.Customer) == 0


async def test_an_exception_rolls_everything_back(uow: UnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError):
        async with uow() as u:
            await u.customers.add("rest", "ann", NOW)
            raise RuntimeError("boom")
    assert await _count(uow, t.Customer) == 0
    assert await _count(uow, t.ChannelIdentity) == 0


async def test_committed_customer_is_found_by_identity_with_open_conversation(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as u:
        customer_id, identity_id = await u.customers.add("telegram", "42", NOW, "Ann")
        conversation_id = await u.conversations.add(customer_id, identity_id, "telegram", NOW)
        await u.customers.update_state(customer_id, stage="consideration", language="es")
        await u.commit()
    async with uow() as u:
        ctx = await u.customers.context("telegram", "42")
        assert await u.customers.context("rest", "42") is None
    assert ctx is not None
    assert (ctx.customer_id, ctx.conversation_id) == (customer_id, conversation_id)
    assert (ctx.stage, ctx.language, ctx.conversation_status) == ("consideration", "es", "bot")
    assert ctx.last_seen_at is None


async def test_same_channel_message_id_twice_is_a_duplicate(uow: UnitOfWorkFactory) -> None:
    async with uow() as u:
        customer_id, identity_id = await u.customers.add("telegram", "42", NOW)
        conversation_id = await u.conversations.add(customer_id, identity_id, "telegram", NOW)
        kwargs = {
            "conversation_id": conversation_id,
            "customer_id": customer_id,
            "channel": "telegram",
            "sender_id": "42",
            "channel_message_id": "1001",
            "kind": "text",
            "text": "hi",
            "now": NOW,
        }
        await u.messages.add_inbound(**kwargs)
        await u.commit()
    with pytest.raises(DuplicateDelivery, match="1001"):
        async with uow() as u:
            await u.messages.add_inbound(**kwargs)
    assert await _count(uow, t.Message) == 1


async def test_datetimes_come_back_aware_and_in_utc(uow: UnitOfWorkFactory) -> None:
    async with uow() as u:
        customer_id, _ = await u.customers.add("rest", "ann", NOW)
        later = NOW + timedelta(hours=3)
        await u.customers.update_state(customer_id, last_seen_at=later)
        await u.commit()
    async with uow() as u:
        ctx = await u.customers.context("rest", "ann")
    assert ctx is not None and ctx.last_seen_at == later
    assert ctx.last_seen_at.tzinfo is not None


async def test_follow_up_key_is_idempotent_and_cancel_hits_pending_only(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as u:
        customer_id, _ = await u.customers.add("rest", "ann", NOW)
        for _ in range(2):
            await u.follow_ups.schedule(
                customer_id, None, "cart_recovery", "cart:1:1h", NOW, "nudge", NOW
            )
        await u.follow_ups.schedule(customer_id, None, "review", "order:9", NOW, "review", NOW)
        await u.follow_ups.cancel(customer_id, "cart_recovery", "bought", NOW)
        await u.commit()
    async with uow() as u:
        rows = (await u.session.execute(select(t.FollowUp.kind, t.FollowUp.status))).all()
    assert sorted(rows) == [("cart_recovery", "cancelled"), ("review", "pending")]


async def test_an_exchange_stores_the_replies_in_order_as_the_answer(
    uow: UnitOfWorkFactory,
) -> None:
    replies = [NewOutbound("one"), NewOutbound("two", (("Buy", "/buy"),)), NewOutbound("three")]
    async with uow() as u:
        customer_id, identity_id = await u.customers.add("telegram", "42", NOW)
        conversation_id = await u.conversations.add(customer_id, identity_id, "telegram", NOW)
        inbound_id, rows = await u.messages.add_exchange(
            conversation_id=conversation_id,
            customer_id=customer_id,
            inbound=NewInbound("telegram", "42", "7", "text", "hi"),
            replies=replies,
            reply_status="pending",
            now=NOW,
        )
        await u.commit()
    assert [r.text for r in rows] == ["one", "two", "three"]
    assert inbound_id < rows[0].id < rows[1].id < rows[2].id
    async with uow.read_only() as u:
        stored = await u.messages.replies_to("telegram", "7")
        pending = await u.messages.pending()
    assert stored == rows == pending
    assert stored[1].buttons == (("Buy", "/buy"),)


async def test_a_retried_exchange_is_a_duplicate_and_stores_nothing_more(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as u:
        customer_id, identity_id = await u.customers.add("rest", "ann", NOW)
        conversation_id = await u.conversations.add(customer_id, identity_id, "rest", NOW)
        await u.commit()
    kwargs = {
        "conversation_id": conversation_id,
        "customer_id": customer_id,
        "inbound": NewInbound("rest", "ann", "m-1", "text", "hello"),
        "replies": [NewOutbound("hi!")],
        "reply_status": "sent",
        "now": NOW,
    }
    for attempt in range(2):
        async with uow() as u:
            if attempt:
                with pytest.raises(DuplicateDelivery):
                    await u.messages.add_exchange(**kwargs)
            else:
                await u.messages.add_exchange(**kwargs)
                await u.commit()
    assert await _count(uow, t.Message) == 2


async def test_a_write_that_breaks_a_constraint_fails_the_unit_and_keeps_nothing(
    uow: UnitOfWorkFactory,
) -> None:
    with pytest.raises(IntegrityError):
        async with uow() as u:
            await u.customers.add("rest", "ann", NOW)
            await u.customers.add_stage_change(999_999, None, "awareness", "no such customer", NOW)
            await u.commit()
    assert await _count(uow, t.Customer) == 0
    assert await _count(uow, t.StageHistory) == 0


async def test_a_unit_reads_its_own_writes(uow: UnitOfWorkFactory) -> None:
    async with uow() as u:
        customer_id, identity_id = await u.customers.add("rest", "ann", NOW)
        await u.conversations.add(customer_id, identity_id, "rest", NOW)
        await u.customers.update_state(customer_id, stage="purchase", message_count=3)
        await u.customers.add_stage_change(customer_id, None, "purchase", "bought", NOW)
        ctx = await u.customers.context("rest", "ann")
        history = await u.customers.stage_history(customer_id)
    assert ctx is not None and (ctx.stage, ctx.message_count) == ("purchase", 3)
    assert history == [(None, "purchase", NOW)]


async def test_a_read_only_unit_sees_committed_data_only_and_never_waits_for_a_writer(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as writer:
        await writer.customers.add("rest", "ann", NOW)
        async with uow.read_only() as reader:
            assert await reader.customers.context("rest", "ann") is None
        await writer.commit()
    async with uow.read_only() as reader:
        assert await reader.customers.context("rest", "ann") is not None
        with pytest.raises(StorageError, match="read-only"):
            await reader.commit()


async def test_concurrent_units_all_commit(uow: UnitOfWorkFactory) -> None:
    async def add(n: int) -> None:
        async with uow() as u:
            customer_id, identity_id = await u.customers.add("rest", f"c{n}", NOW)
            await u.conversations.add(customer_id, identity_id, "rest", NOW)
            await u.customers.update_state(customer_id, message_count=n)
            await u.commit()

    async def read(n: int) -> None:
        async with uow.read_only() as u:
            await u.customers.context("rest", f"c{n}")

    await asyncio.gather(*(add(n) for n in range(20)), *(read(n) for n in range(20)))
    assert await _count(uow, t.Customer) == 20
    assert await _count(uow, t.Conversation) == 20
