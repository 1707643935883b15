"""Handing conversations to people, end to end on the web channel and through the console.

A widget customer asks for a person; the conversation waits in the console's queue; an agent
logs in, claims it, replies (the customer's socket receives it, marked as from a person),
releases it, and the bot answers again. Also: concurrent claims, roles, CSRF, escaping,
office hours, cancelling, the polite update, the touchpoints of every step.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import Services, build_services
from bot.channels.base import InboundMessage
from bot.console.desk import Taken
from bot.web.app import build_web_app
from storage import tables as t
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeNluBackend
from tests.widget_client import SHOP, Client, connect, frames_until, new_session

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday, 11:00 in Rome: office hours
PASSWORD = "correct horse battery"
KEYWORDS = {"hello": "greet", "person": "ask_human", "how much": "ask_price"}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def services(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    settings = make_settings(database_url, tmp_path, allowed_origins=SHOP)
    built = await build_services(settings, nlu=FakeNluBackend(KEYWORDS), clock=clock)
    for name, role in (("marta", "agent"), ("luca", "agent"), ("mia", "marketer")):
        await built.staff.add_user(name, role, PASSWORD)
    yield built
    await built.aclose()


async def staff_client(services: Services, name: str | None) -> Client:
    """A browser of its own (cookies), logged in as ``name`` (None: not logged in)."""
    client: Client = TestClient(TestServer(build_web_app(services)))
    await client.start_server()
    if name is not None:
        page = await client.get("/console/login")
        (token,) = CSRF.findall(await page.text())
        form = {"csrf": token, "name": name, "password": PASSWORD}
        resp = await client.post("/console/login", data=form, allow_redirects=False)
        assert resp.status == 303, await resp.text()
    return client


@pytest.fixture
async def marta(services: Services) -> AsyncIterator[Client]:
    client = await staff_client(services, "marta")
    yield client
    await client.close()


async def csrf_of(client: Client, path: str = "/console") -> str:
    page = await client.get(path)
    assert page.status == 200, await page.text()
    return CSRF.findall(await page.text())[0]


async def act(client: Client, conversation: int, action: str, **form: str) -> Any:
    token = await csrf_of(client, f"/console/c/{conversation}")
    return await client.post(
        f"/console/c/{conversation}/{action}", data={"csrf": token, **form}, allow_redirects=False
    )


async def say(services: Services, sender: str, text: str, number: int) -> Any:
    return await services.pipeline.handle(InboundMessage("web", sender, text, f"{sender}-{number}"))


async def conversation_of(services: Services, sender: str) -> int:
    async with services.uow() as uow:
        ctx = await uow.customers.context("web", sender)
    assert ctx is not None and ctx.conversation_id is not None
    return ctx.conversation_id


async def status_of(services: Services, conversation: int) -> str:
    async with services.uow.read_only() as uow:
        state = await uow.handoff.state(conversation)
    assert state is not None
    return state.status


async def test_a_customer_who_asks_for_a_person_is_served_live_and_handed_back(
    client: Client, marta: Client, services: Services
) -> None:
    session = await new_session(client)
    ws, _ = await connect(client, session["token"])
    await ws.send_json({"type": "message", "id": "c1", "text": "I want a person"})
    told = (await frames_until(ws, "message"))[-1]
    assert told["text"].startswith("I'm passing you to a person on our team.")
    assert "15 minutes" in told["text"]

    queue = await (await marta.get("/console")).text()
    assert session["session"] in queue and "waiting" in queue
    conversation = await conversation_of(services, session["session"])

    assert (await act(marta, conversation, "claim")).status == 303
    joined = (await frames_until(ws, "message"))[-1]
    assert joined["text"] == "marta from our team is here and will answer you now."

    await ws.send_json({"type": "message", "id": "c2", "text": "how much is the XPS 13?"})
    assert (
        await act(marta, conversation, "reply", text="Hi! It's €1,299, in stock.")
    ).status == 303
    frames = await frames_until(ws, "message")
    reply = frames[-1]
    assert [f["text"] for f in frames if f["type"] == "message" and f["from"] == "bot"] == []
    assert (reply["from"], reply["agent"], reply["text"]) == (
        "agent",
        "marta",
        "Hi! It's €1,299, in stock.",
    )

    page = await (await marta.get(f"/console/c/{conversation}")).text()
    assert "how much is the XPS 13?" in page  # the customer's message reached the agent

    assert (await act(marta, conversation, "release")).status == 303
    released = (await frames_until(ws, "message"))[-1]
    assert released["text"].startswith("You're back with the shop's assistant.")
    await ws.send_json({"type": "message", "id": "c3", "text": "hello"})
    assert (await frames_until(ws, "message"))[-1]["from"] == "bot"
    await ws.close()

    async with services.uow() as uow:
        points = [
            (r.intent, r.answered_by)
            for r in await uow.queries.touchpoints()
            if r.kind == "handoff"
        ]
        agent_ids = await uow.session.scalars(
            select(t.Touchpoint.agent_id).where(t.Touchpoint.answered_by == "agent")
        )
    assert points == [
        ("handoff_requested", None), ("handoff_claimed", "agent"), ("handoff_released", "agent"),
    ]  # fmt: skip
    assert set(agent_ids) == {1}


async def test_two_agents_claiming_at_once_one_wins_and_the_other_is_told_who(
    services: Services, marta: Client
) -> None:
    await say(services, "ann", "a person please", 1)
    conversation = await conversation_of(services, "ann")
    async with services.uow.read_only() as uow:
        users = {u.name: u for u in await uow.staff.users()}

    results = await asyncio.gather(
        services.desk.claim(conversation, users["marta"]),
        services.desk.claim(conversation, users["luca"]),
        return_exceptions=True,
    )

    assert sorted(type(r).__name__ for r in results) == ["NoneType", "Taken"]
    (refused,) = [r for r in results if isinstance(r, Taken)]
    winner = "marta" if results[0] is None else "luca"
    assert str(refused) == f"{winner} has this conversation"
    loser = await staff_client(services, "luca" if winner == "marta" else "marta")
    try:
        again = await act(loser, conversation, "claim")
        assert again.status == 409
        assert f"{winner} has this conversation" in await again.text()
    finally:
        await loser.close()


async def test_the_bot_stays_silent_while_waiting_and_a_customer_can_cancel(
    services: Services, clock: FakeClock
) -> None:
    await say(services, "bob", "person", 1)
    silent = await say(services, "bob", "hello?", 2)
    back = await say(services, "bob", "never mind", 3)
    answered = await say(services, "bob", "hello", 4)

    assert silent.silent and silent.replies == []
    assert back.replies[0].text == "No problem, I'm back. How can I help?"
    assert answered.replies[0].text.startswith("Hello!")
    assert await status_of(services, await conversation_of(services, "bob")) == "bot"
    clock.advance(minutes=15)
    assert await services.follow_ups.sweep() == 0  # the update to a waiting customer was cancelled


async def test_nobody_claims_for_ten_minutes_and_the_customer_gets_one_update(
    services: Services, clock: FakeClock
) -> None:
    await say(services, "cleo", "person", 1)
    clock.advance(minutes=10)

    assert await services.follow_ups.sweep() == 1
    async with services.uow() as uow:
        texts = await uow.session.scalars(
            select(t.Message.text).where(t.Message.answered_by == "system")
        )
    assert [text[:30] for text in texts] == ["Thanks for your patience – eve"]


async def test_an_agent_can_take_over_a_conversation_the_bot_is_having(
    services: Services, marta: Client
) -> None:
    await say(services, "ivy", "how much is the XPS 13?", 1)
    conversation = await conversation_of(services, "ivy")

    queue = await (await marta.get("/console")).text()
    taken = await act(marta, conversation, "claim")
    silent = await say(services, "ivy", "hello?", 2)

    assert "Talking to the bot" in queue and "ivy" in queue
    assert taken.status == 303
    assert await status_of(services, conversation) == "agent"
    assert silent.silent


async def test_out_of_office_hours_the_customer_is_offered_to_leave_a_message(
    services: Services, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)  # Saturday
    result = await say(services, "dan", "person", 1)
    assert result.replies[0].text.startswith("Our team is away right now")
    assert await status_of(services, await conversation_of(services, "dan")) == "waiting"


async def test_roles_sessions_and_csrf_are_checked_on_every_endpoint(
    services: Services, marta: Client
) -> None:
    await say(services, "eve", "person", 1)
    conversation = await conversation_of(services, "eve")
    nobody = await staff_client(services, None)
    marketer = await staff_client(services, "mia")
    try:
        assert (await nobody.get("/console", allow_redirects=False)).headers["Location"] == (
            "/console/login"
        )
        assert (await nobody.get(f"/console/c/{conversation}/live")).status == 401
        assert (await nobody.post(f"/console/c/{conversation}/claim", data={})).status == 401
        assert (await marketer.get("/console")).status == 403
        no_token = await marta.post(f"/console/c/{conversation}/claim", data={})
        wrong = await marta.post(f"/console/c/{conversation}/claim", data={"csrf": "forged"})
        assert (no_token.status, wrong.status) == (403, 403)
        assert await status_of(services, conversation) == "waiting"
        token = await csrf_of(marta)
        unknown = await marta.post("/console/c/9999/claim", data={"csrf": token})
        assert unknown.status == 404
    finally:
        await nobody.close()
        await marketer.close()


async def test_a_wrong_password_is_refused_and_repeated_attempts_are_slowed(
    services: Services,
) -> None:
    client = await staff_client(services, None)
    try:
        statuses = []
        for _ in range(6):
            page = await client.get("/console/login")
            (token,) = CSRF.findall(await page.text())
            form = {"csrf": token, "name": "marta", "password": "not the password"}
            resp = await client.post("/console/login", data=form)
            statuses.append((resp.status, "too many attempts" in (await resp.text()).lower()))
        assert statuses[:5] == [(401, False)] * 5
        assert statuses[5] == (401, True)
        assert "jb_staff" not in {c.key for c in client.session.cookie_jar}
    finally:
        await client.close()


async def test_customer_text_is_shown_as_text_never_as_html(
    services: Services, marta: Client
) -> None:
    await say(services, "<b>fay</b>", "person", 1)
    await say(services, "<b>fay</b>", "<script>alert('x')</script>", 2)
    conversation = await conversation_of(services, "<b>fay</b>")

    queue = await (await marta.get("/console")).text()
    page = await (await marta.get(f"/console/c/{conversation}")).text()

    for html in (queue, page):
        assert "<script>alert" not in html and "<b>fay</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "script-src 'self'" in (await marta.get("/console")).headers["Content-Security-Policy"]


async def test_notes_stay_internal_and_closing_asks_about_the_service(
    services: Services, marta: Client, clock: FakeClock
) -> None:
    await say(services, "gus", "person", 1)
    conversation = await conversation_of(services, "gus")
    await act(marta, conversation, "claim")
    await act(marta, conversation, "note", text="VIP: offer free shipping")
    page = await (await marta.get(f"/console/c/{conversation}")).text()

    assert (await act(marta, conversation, "close")).status == 303
    clock.advance(minutes=1)
    await services.follow_ups.sweep()

    assert "VIP: offer free shipping" in page
    async with services.uow() as uow:
        sent = list(
            await uow.session.scalars(select(t.Message.text).where(t.Message.direction == "out"))
        )
    assert not any("VIP" in text for text in sent)
    assert sent[-1].startswith("Thanks for talking to our team. How did we do")
    assert await status_of(services, conversation) == "closed"


async def test_a_stalled_high_value_cart_joins_the_queue(
    services: Services, clock: FakeClock
) -> None:
    from bot.commerce.ingest import EventIngest
    from bot.commerce.payload import EventPayload

    await say(services, "hal", "hello", 1)
    cart = {
        "id": "evt-big", "type": "cart_updated", "customer": {"channel": "web", "id": "hal"},
        "cart_id": "c-9", "cart_url": "https://shop.example.com/cart/c-9",
        "items": [{"product_id": "macbook-pro-14", "name": "MacBook Pro 14", "quantity": 1,
                   "unit_price": "1999.00"}],
        "total": "1999.00", "currency": "EUR", "occurred_at": NOW.isoformat(),
    }  # fmt: skip
    await EventIngest(services.uow, services.shop.journey_map, clock).ingest(
        EventPayload.model_validate(cart)
    )
    clock.advance(hours=1)
    await services.follow_ups.sweep()

    conversation = await conversation_of(services, "hal")
    assert await status_of(services, conversation) == "waiting"
    async with services.uow.read_only() as uow:
        (item,) = await uow.handoff.queue(("waiting",))
    assert item.reason == "high-value cart stalled (1999.00)"
    assert item.cart is not None and item.cart["total"] == "1999.00"


async def test_no_cart_reminder_reaches_a_customer_waiting_for_a_person(
    services: Services, clock: FakeClock
) -> None:
    from bot.commerce.ingest import EventIngest
    from bot.commerce.payload import EventPayload

    await say(services, "kai", "person", 1)
    cart = {
        "id": "evt-kai", "type": "cart_updated", "customer": {"channel": "web", "id": "kai"},
        "cart_id": "c-kai", "items": [{"product_id": "xps-13", "name": "Dell XPS 13",
                                       "quantity": 1, "unit_price": "1299.00"}],
        "total": "1299.00", "currency": "EUR", "occurred_at": NOW.isoformat(),
    }  # fmt: skip
    await EventIngest(services.uow, services.shop.journey_map, clock).ingest(
        EventPayload.model_validate(cart)
    )
    clock.advance(hours=1)
    await services.follow_ups.sweep()

    async with services.uow() as uow:
        statuses = dict(
            (await uow.session.execute(select(t.FollowUp.kind, t.FollowUp.status))).all()
        )
    assert statuses["cart_recovery"] == "cancelled"
