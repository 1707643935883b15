"""The HTTP service: Rasa REST shapes, bearer token, WebSocket push, health, chat page."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import Services, build_services
from bot.web.app import (
    DEMO_PAGE,
    PAGE_LANGUAGE,
    SERVICES,
    TEMPLATES,
    build_web_app,
    render_demo_page,
)
from journeys.facts import ShopFacts
from storage import tables as t
from tests.conftest import make_settings
from tests.fact_statements import disagreements, literal_copies
from tests.fakes import FakeClock, FakeNluBackend

KEYWORDS = {"hello": "greet", "how much": "ask_price", "human": "ask_human"}
PRODUCTS = {"xps 13": "xps-13"}
WEBHOOK = "/webhooks/rest/webhook"


async def _client(services: Services) -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(build_web_app(services)))
    await client.start_server()
    yield client
    await client.close()
    await services.aclose()


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[TestClient]:
    services = await build_services(
        make_settings(database_url, tmp_path),
        nlu=FakeNluBackend(KEYWORDS, PRODUCTS),
        clock=FakeClock(),
    )
    async for c in _client(services):
        yield c


async def _rows(client: TestClient, table: type[t.Base]) -> int:
    services = client.server.app[SERVICES]
    async with services.uow() as uow:
        return int(
            (await uow.session.execute(select(func.count()).select_from(table))).scalar_one()
        )


async def test_rest_answers_in_rasa_shape_with_buttons(client: TestClient) -> None:
    resp = await client.post(WEBHOOK, json={"sender": "ann", "message": "how much is the XPS 13"})
    assert resp.status == 200
    body = await resp.json()
    assert isinstance(body, list) and body
    assert all(set(m) <= {"recipient_id", "text", "buttons"} for m in body)
    assert all(m["recipient_id"] == "ann" for m in body)
    assert any("XPS 13" in m["text"] for m in body)
    buttons = [b for m in body for b in m.get("buttons", [])]
    assert buttons and all(set(b) == {"title", "payload"} for b in buttons)
    assert all(b["payload"].startswith("/") for b in buttons)


async def test_rest_button_payload_is_understood_as_its_intent(client: TestClient) -> None:
    resp = await client.post(WEBHOOK, json={"sender": "ann", "message": "/ask_human"})
    assert resp.status == 200
    services = client.server.app[SERVICES]
    async with services.uow() as uow:
        [tp, _handoff_requested] = await uow.queries.touchpoints()
    assert (tp.intent, tp.confidence) == ("ask_human", 1.0)


async def test_rest_retry_with_message_id_replays(client: TestClient) -> None:
    payload = {"sender": "ann", "message": "hello", "message_id": "m-1"}
    first = await (await client.post(WEBHOOK, json=payload)).json()
    second = await (await client.post(WEBHOOK, json=payload)).json()
    assert first == second
    assert await _rows(client, t.Touchpoint) == 1


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b"{not json", 400, "malformed JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (json.dumps({"message": "hi"}).encode(), 400, '"sender"'),
        (json.dumps({"sender": "ann", "message": 5}).encode(), 400, '"message" must be a string'),
        (json.dumps({"sender": "ann", "message": "  "}).encode(), 400, "empty"),
        (json.dumps({"sender": "ann", "message": "a" * 5000}).encode(), 400, "limit is 4096"),
        (json.dumps({"sender": "", "message": "hi"}).encode(), 400, "sender"),
    ],
)
async def test_rest_bad_input_gets_a_clear_error_and_writes_nothing(
    client: TestClient, body: bytes, status: int, fragment: str
) -> None:
    resp = await client.post(WEBHOOK, data=body, headers={"Content-Type": "application/json"})
    assert resp.status == status
    assert fragment in (await resp.json())["error"]
    assert await _rows(client, t.Message) == 0
    assert await _rows(client, t.Customer) == 0


async def test_rest_token_is_required_when_configured(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, rest_token="s3cret-token")
    services = await build_services(settings, nlu=FakeNluBackend(KEYWORDS), clock=FakeClock())
    async for client in _client(services):
        body = {"sender": "ann", "message": "hello"}
        assert (await client.post(WEBHOOK, json=body)).status == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (await client.post(WEBHOOK, json=body, headers=wrong)).status == 401
        assert await _rows(client, t.Message) == 0
        right = {"Authorization": "Bearer s3cret-token"}
        assert (await client.post(WEBHOOK, json=body, headers=right)).status == 200


async def test_health_and_chat_page(client: TestClient) -> None:
    health = await client.get("/health")
    assert health.status == 200 and (await health.json())["database"] == "ok"
    page = await client.get("/")
    assert page.status == 200 and 'src="/widget.js"' in await page.text()


async def test_the_demo_page_states_the_shops_facts(client: TestClient) -> None:
    facts = client.server.app[SERVICES].shop.facts
    said = facts.values(PAGE_LANGUAGE)

    page = await (await client.get("/")).text()

    over, days = said["free_shipping_over"], said["return_days"]
    assert f"with free shipping over {over} and {days}-day returns." in page
    assert disagreements(page, PAGE_LANGUAGE, facts) == []
    written = (TEMPLATES / DEMO_PAGE).read_text(encoding="utf-8")
    assert literal_copies(written, PAGE_LANGUAGE, facts) == []


async def test_the_demo_page_follows_a_changed_threshold(client: TestClient) -> None:
    facts = client.server.app[SERVICES].shop.facts
    amounts = {**facts.parts.amounts, "shipping.free_over": Decimal("75")}

    page = render_demo_page(replace(facts, parts=replace(facts.parts, amounts=amounts)))

    assert "free shipping over €75 and" in page


async def test_a_shop_without_the_facts_of_the_page_still_serves_the_rest(
    database_url: str, tmp_path: Path
) -> None:
    services = await build_services(
        make_settings(database_url, tmp_path), nlu=FakeNluBackend(KEYWORDS), clock=FakeClock()
    )
    services.shop = replace(services.shop, facts=ShopFacts())
    async for client in _client(services):
        page = await client.get("/")
        assert page.status == 500
        assert "free_shipping_over" in (await page.json())["error"]
        assert (await client.get("/health")).status == 200
