"""Shopify and WooCommerce webhooks, with payloads shaped like the platforms' documented
examples (tests/fixtures/commerce/), signed as each platform signs them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import Services, build_services
from bot.channels.base import InboundMessage
from bot.commerce.platforms import SHOPIFY, WOOCOMMERCE, Platform, base64_signature
from storage import tables as t
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeNluBackend

Client = TestClient[web.Request, web.Application]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "commerce"
SHOPIFY_SECRET = "shopify-app-secret"
WOO_SECRET = "woo-webhook-secret"
CART_TOKEN = "eeafa272cebfd4b22385bc4b645e762c"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
async def services(database_url: str, tmp_path: Path) -> AsyncIterator[Services]:
    settings = make_settings(
        database_url, tmp_path, shopify_secret=SHOPIFY_SECRET, woocommerce_secret=WOO_SECRET
    )
    clock = FakeClock(datetime(2022, 1, 1, 0, 0, tzinfo=UTC))
    built = await build_services(settings, nlu=FakeNluBackend({"hello": "greet"}), clock=clock)
    # The shop's pages pass the cart token (Shopify) or the customer's email (WooCommerce)
    # to the widget as data-ref.
    for session, ref in (("session-ann", CART_TOKEN), ("session-bob", "john.doe@example.com")):
        msg = InboundMessage("web", session, "hello", f"{session}-1", metadata={"ref": ref})
        await built.pipeline.handle(msg)
    yield built
    await built.aclose()


async def deliver(
    client: Client, platform: Platform, topic: str, data: Any, delivery: str, secret: str
) -> tuple[int, Any]:
    """Post ``data`` as ``platform`` would: its signature, topic and delivery id headers."""
    body = json.dumps(data).encode()
    headers = {
        platform.signature_header: base64_signature(secret, body),
        platform.topic_header: topic,
        platform.id_header: delivery,
        "Content-Type": "application/json",
    }
    resp = await client.post(f"/api/events/{platform.name}", data=body, headers=headers)
    return resp.status, await resp.json()


async def shopify(
    client: Client, topic: str, data: Any, *, secret: str = SHOPIFY_SECRET,
    webhook_id: str = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
) -> tuple[int, Any]:  # fmt: skip
    return await deliver(client, SHOPIFY, topic, data, webhook_id, secret)


async def woocommerce(
    client: Client, topic: str, data: Any, delivery: str = "d-1"
) -> tuple[int, Any]:
    return await deliver(client, WOOCOMMERCE, topic, data, delivery, WOO_SECRET)


async def events(services: Services) -> list[tuple[str, str | None, str | None, Any]]:
    async with services.uow() as uow:
        rows = [r for r in await uow.queries.touchpoints() if r.kind == "event"]
    return [(r.intent or "", r.sender, r.stage_after, r.text) for r in rows]


async def test_a_shopify_checkout_then_its_order(client: Client, services: Services) -> None:
    started = await shopify(client, "checkouts/create", fixture("shopify_checkout"))
    ordered = await shopify(client, "orders/create", fixture("shopify_order"), webhook_id="o-1")

    assert started == (200, {"status": "accepted", "id": started[1]["id"], "stage": "purchase"})
    assert ordered[1]["stage"] == "retention"
    [checkout, order] = await events(services)
    assert checkout[:3] == ("checkout_started", "session-ann", "purchase")
    assert checkout[3] == (
        f"checkout_started · cart {CART_TOKEN} · 1× IPod Nano - 8GB, 1× IPod Nano - 8GB"
        " · 398.00 USD"
    )
    assert order[:3] == ("order_placed", "session-ann", "retention")
    async with services.uow() as uow:
        statuses = await uow.session.execute(select(t.FollowUp.status))
        assert sorted(s for (s,) in statuses) == ["cancelled"] * 3  # the order stopped them


async def test_a_retried_shopify_delivery_is_a_duplicate(client: Client) -> None:
    first = await shopify(client, "checkouts/update", fixture("shopify_checkout"))
    again = await shopify(client, "checkouts/update", fixture("shopify_checkout"))
    assert first[1]["status"] == "accepted"
    assert again == (200, {"status": "duplicate", "id": first[1]["id"]})


async def test_a_shopify_topic_journeybot_does_not_use_is_acknowledged(client: Client) -> None:
    status, answer = await shopify(client, "products/update", {"id": 1})
    assert (status, answer["status"]) == (200, "ignored")


async def test_a_shopify_webhook_signed_with_another_secret_is_refused(
    client: Client, services: Services
) -> None:
    status, answer = await shopify(client, "orders/create", fixture("shopify_order"),
                                   secret="not-the-app-secret")  # fmt: skip
    assert status == 401 and "X-Shopify-Hmac-Sha256" in answer["error"]
    assert await events(services) == []


async def test_a_woocommerce_order_then_its_completion(client: Client, services: Services) -> None:
    order = fixture("woocommerce_order")
    created = await woocommerce(client, "order.created", order)
    completed = await woocommerce(
        client, "order.updated", {**order, "status": "completed"}, delivery="d-2"
    )
    on_hold = await woocommerce(client, "order.updated", {**order, "status": "on-hold"}, "d-3")

    assert created[1]["stage"] == "retention"
    assert completed[1]["status"] == "accepted"
    assert on_hold[1]["status"] == "ignored"
    [placed, delivered] = await events(services)
    assert placed[:2] == ("order_placed", "session-bob")
    assert placed[3] == "order_placed · order 727 · 2× Woo Single #1, " \
        "1× Ship Your Idea – Color: Black, Size: M Test · 29.35 EUR"  # fmt: skip
    assert delivered[0] == "order_delivered"


async def test_a_woocommerce_order_of_a_stranger_is_a_404(client: Client) -> None:
    order = {**fixture("woocommerce_order"), "billing": {"email": "someone@else.example"}}
    status, answer = await woocommerce(client, "order.created", order)
    assert status == 404 and "someone@else.example" in answer["error"]
