"""``POST /api/events``: signed commerce events move the journey and schedule follow-ups."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import Services, build_services
from bot.channels.base import InboundMessage
from bot.commerce.signature import HEADER, sign
from bot.web.app import build_web_app
from storage import tables as t
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeNluBackend

Client = TestClient[web.Request, web.Application]
SECRET = "events-secret-for-tests"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CART = {
    "id": "evt-1",
    "type": "cart_updated",
    "customer": {"channel": "web", "id": "session-ann"},
    "cart_id": "cart-8812",
    "items": [
        {"product_id": "xps-13", "name": "Dell XPS 13", "quantity": 1, "unit_price": "1299.00"}
    ],
    "total": "1299.00",
    "currency": "EUR",
    "occurred_at": NOW.isoformat(),
}


@pytest.fixture
async def services(database_url: str, tmp_path: Path) -> AsyncIterator[Services]:
    settings = make_settings(database_url, tmp_path, events_secret=SECRET)
    built = await build_services(
        settings, nlu=FakeNluBackend({"hello": "greet"}), clock=FakeClock(NOW)
    )
    await built.pipeline.handle(InboundMessage("web", "session-ann", "hello", "m1"))
    yield built
    await built.aclose()


async def post(client: Client, event: Any, secret: str = SECRET) -> tuple[int, dict[str, Any]]:
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    headers = {HEADER: sign(secret, body), "Content-Type": "application/json"}
    resp = await client.post("/api/events", data=body, headers=headers)
    answer: dict[str, Any] = await resp.json()
    return resp.status, answer


async def count(services: Services, table: type[t.Base], **where: Any) -> int:
    async with services.uow() as uow:
        query = select(func.count()).select_from(table).filter_by(**where)
        return int((await uow.session.execute(query)).scalar_one())


async def follow_ups(services: Services) -> list[tuple[str, datetime, str]]:
    async with services.uow() as uow:
        rows = await uow.session.execute(
            select(t.FollowUp.kind, t.FollowUp.due_at, t.FollowUp.status).order_by(t.FollowUp.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_a_cart_moves_the_customer_to_purchase_and_schedules_the_cadence(
    client: Client, services: Services
) -> None:
    status, answer = await post(client, CART)

    assert (status, answer) == (200, {"status": "accepted", "id": "evt-1", "stage": "purchase"})
    assert await follow_ups(services) == [
        ("cart_recovery", NOW + timedelta(hours=h), "pending") for h in (1, 24, 72)
    ]
    async with services.uow() as uow:
        last = (await uow.queries.touchpoints(sender="session-ann"))[-1]
    assert (last.kind, last.intent, last.stage_after) == ("event", "cart_updated", "purchase")
    assert last.text == "cart_updated · cart cart-8812 · 1× Dell XPS 13 · 1299.00 EUR"
    assert last.products == ["xps-13"]


async def test_an_order_stops_the_reminders_and_marks_the_purchase(
    client: Client, services: Services
) -> None:
    await post(client, CART)
    order = {**CART, "id": "evt-2", "type": "order_placed", "order_id": "o-1"}
    status, answer = await post(client, order)

    assert (status, answer["stage"]) == (200, "retention")
    assert [s for _, _, s in await follow_ups(services)] == ["cancelled"] * 3
    assert await count(services, t.Customer, purchased=True) == 1


@pytest.mark.parametrize(
    ("message", "ref"),
    [
        (InboundMessage("web", "session-bea", "hi", "b1", metadata={"ref": "cart-77"}), "cart-77"),
        (InboundMessage("telegram", "42", "/start", "b2", command="start",
                        command_args="shop-customer-9"), "shop-customer-9"),
    ],
)  # fmt: skip
async def test_a_reference_brought_into_the_chat_names_the_customer_of_an_event(
    client: Client, services: Services, message: InboundMessage, ref: str
) -> None:
    await services.pipeline.handle(message)
    status, answer = await post(client, {**CART, "customer": {"ref": ref}})

    assert (status, answer["stage"]) == (200, "purchase")
    async with services.uow() as uow:
        last = (await uow.queries.touchpoints(sender=message.sender_id))[-1]
    assert (last.kind, last.channel) == ("event", message.channel)


async def test_a_reference_follows_whoever_brought_it_last(
    client: Client, services: Services
) -> None:
    for n, session in enumerate(("session-one", "session-two")):
        msg = InboundMessage("web", session, "hello", f"r{n}", metadata={"ref": "cart-shared"})
        await services.pipeline.handle(msg)
    await post(client, {**CART, "customer": {"ref": "cart-shared"}})

    async with services.uow() as uow:
        events = [r for r in await uow.queries.touchpoints() if r.kind == "event"]
    assert [r.sender for r in events] == ["session-two"]


async def test_the_same_event_twice_changes_nothing_the_second_time(
    client: Client, services: Services
) -> None:
    first = await post(client, CART)
    again = await post(client, CART)

    assert first[0] == again[0] == 200
    assert again[1] == {"status": "duplicate", "id": "evt-1"}
    assert await count(services, t.CommerceEvent) == 1
    assert await count(services, t.Touchpoint, kind="event") == 1
    assert len(await follow_ups(services)) == 3


@pytest.mark.parametrize(
    ("event", "status", "fragment"),
    [
        (b"{not json", 400, "malformed JSON"),
        ({k: v for k, v in CART.items() if k != "occurred_at"}, 422, "occurred_at: Field required"),
        ({**CART, "type": "cart_abandoned"}, 422, "unknown event type 'cart_abandoned'"),
        ({**CART, "items": [{**CART["items"][0], "quantity": 0}]}, 422, "items.0.quantity"),  # type: ignore[index]
        ({**CART, "occurred_at": "2026-03-02T10:00:00"}, 422, "timezone"),
        (
            {**CART, "customer": {"channel": "web", "id": "nobody"}},
            404,
            "no customer is known by web customer 'nobody'",
        ),
        ({**CART, "customer": {"ref": "cart-unknown"}}, 404, "ref 'cart-unknown'"),
        ({**CART, "customer": {"channel": "web"}}, 422, 'give "ref", or "channel" and "id"'),
    ],
)
async def test_a_bad_event_gets_a_clear_error_and_stores_nothing(
    client: Client, services: Services, event: Any, status: int, fragment: str
) -> None:
    got, answer = await post(client, event)

    assert got == status
    assert fragment in answer["error"]
    assert await count(services, t.CommerceEvent) == 0
    assert await follow_ups(services) == []


async def test_a_wrong_or_missing_signature_is_refused(client: Client, services: Services) -> None:
    forged, answer = await post(client, CART, secret="guessed")
    bare = await client.post("/api/events", json=CART)

    assert forged == 401 and HEADER in answer["error"]
    assert bare.status == 401
    assert await count(services, t.CommerceEvent) == 0


async def test_without_a_secret_the_endpoint_is_off(database_url: str, tmp_path: Path) -> None:
    services = await build_services(make_settings(database_url, tmp_path), nlu=FakeNluBackend({}))
    async with TestClient(TestServer(build_web_app(services))) as client:
        resp = await client.post("/api/events", json=CART)
        assert resp.status == 503
        assert "set JOURNEYBOT_EVENTS_SECRET" in (await resp.json())["error"]
    await services.aclose()
