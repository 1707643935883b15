"""The widget's server side: sessions, origins, the socket protocol, limits, the script."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import WSMsgType
from sqlalchemy import select

from bot.app import Services, build_services
from bot.channels.base import InboundMessage
from storage import tables as t
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeNluBackend
from tests.widget_client import SHOP, Client, ask, connect, frames_until, new_session

KEYWORDS = {
    "hello": "greet",
    "how much": "ask_price",
    "compare": "compare_products",
    "light laptop": "describe_need",
}
PRODUCTS = {"xps 13": "xps-13", "macbook air": "macbook-air-13"}


@pytest.fixture
async def services(database_url: str, tmp_path: Path) -> AsyncIterator[Services]:
    settings = make_settings(
        database_url, tmp_path, allowed_origins=SHOP, widget_rate=60, widget_burst=3
    )
    built = await build_services(
        settings, nlu=FakeNluBackend(KEYWORDS, PRODUCTS), clock=FakeClock()
    )
    yield built
    await built.aclose()


async def test_a_token_keeps_its_session_and_a_forged_one_gets_a_new_one(client: Client) -> None:
    first = await new_session(client, ref="cart-1")
    again = await new_session(client, first["token"])
    forged = await new_session(client, first["token"][:-2] + "xx")

    assert again["session"] == first["session"]
    assert forged["session"] != first["session"]


@pytest.mark.parametrize(("sent", "stored"), [("America/New_York", "America/New_York"),
                                              ("Mars/Olympus", None)])  # fmt: skip
async def test_the_browsers_time_zone_is_kept_for_the_customer(
    client: Client, services: Services, sent: str, stored: str | None
) -> None:
    session = await new_session(client, tz=sent)
    ws, _ = await connect(client, session["token"])
    await ask(ws, "hello", "c1")
    await ws.close()

    async with services.uow() as uow:
        zones = await uow.session.execute(select(t.Customer.timezone))
        assert [z for (z,) in zones] == [stored]


async def test_a_site_that_is_not_allowed_gets_no_session_and_no_socket(client: Client) -> None:
    other = {"Origin": "https://evil.example"}
    refused = await client.post("/widget/session", json={}, headers=other)
    preflight = await client.options("/widget/session", headers=other)
    token = (await new_session(client))["token"]
    socket = await client.get(f"/ws?token={token}", headers=other)

    assert refused.status == 403
    assert "may not use the chat widget" in (await refused.json())["error"]
    assert preflight.status == 403
    assert socket.status == 403


async def test_the_preflight_allows_the_shop_to_post_json(client: Client) -> None:
    resp = await client.options("/widget/session", headers={"Origin": SHOP})
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Content-Type" in resp.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [(b"{nope", "malformed JSON"), (b'{"token": 5}', '"token"'), (b'{"ref": []}', '"ref"')],
)
async def test_a_bad_session_request_says_what_is_wrong(
    client: Client, body: bytes, fragment: str
) -> None:
    resp = await client.post(
        "/widget/session", data=body, headers={"Origin": SHOP, "Content-Type": "application/json"}
    )
    assert resp.status == 400
    assert fragment in (await resp.json())["error"]


async def test_a_forged_token_closes_the_socket_with_4401(client: Client) -> None:
    ws = await client.ws_connect("/ws?token=not-a-token", origin=SHOP)
    closing = await ws.receive(timeout=5)
    assert closing.type == WSMsgType.CLOSE
    assert ws.close_code == 4401


async def test_a_question_gets_typing_then_the_answer(client: Client) -> None:
    token = (await new_session(client))["token"]
    ws, replay = await connect(client, token)
    await ws.send_json({"type": "message", "id": "c1", "text": "how much is the XPS 13"})
    frames = await frames_until(ws, "message")

    assert replay == [{"type": "ready", "last_id": 0}]
    assert frames[0] == {"type": "typing", "on": True}
    answer = frames[-1]
    assert answer["from"] == "bot" and "XPS 13" in answer["text"]
    assert answer["at"].endswith("+00:00") and isinstance(answer["id"], int)
    assert (await ws.receive_json(timeout=5)) == {"type": "typing", "on": False}
    await ws.close()


async def test_reconnecting_replays_only_what_came_after_the_last_id(client: Client) -> None:
    token = (await new_session(client))["token"]
    ws, _ = await connect(client, token)
    first = await ask(ws, "hello", "c1")
    await ws.close()

    ws, everything = await connect(client, token)
    ws2, after_first = await connect(client, token, after=first["id"])

    messages = [f for f in everything if f["type"] == "message"]
    assert [(m["from"], m["client_id"]) for m in messages] == [("customer", "c1"), ("bot", None)]
    assert messages[0]["text"] == "hello"
    assert messages[1] == {**first, "at": messages[1]["at"]}
    assert everything[-1] == {"type": "ready", "last_id": first["id"]}
    assert after_first == [{"type": "ready", "last_id": first["id"]}]
    await ws.close()
    await ws2.close()


async def test_a_tab_that_closes_while_the_bot_answers_gets_the_answer_next_time(
    client: Client, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    token = (await new_session(client))["token"]
    ws, _ = await connect(client, token)
    await ws.send_json({"type": "message", "id": "c1", "text": "hello"})
    await ws.close()
    for _ in range(50):
        async with services.uow() as uow:
            if await uow.messages.count(direction="out") == 1:
                break
        await asyncio.sleep(0.05)

    ws, replay = await connect(client, token)
    frames = replay + ([await ws.receive_json(timeout=5)] if len(replay) < 3 else [])

    assert [f["from"] for f in frames if f["type"] == "message"] == ["customer", "bot"]
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
    await ws.close()


async def test_what_was_queued_while_offline_arrives_on_connect(
    client: Client, services: Services
) -> None:
    session = await new_session(client)
    await services.pipeline.handle(InboundMessage("web", session["session"], "hello", "x1"))

    ws, replay = await connect(client, session["token"])
    pushed = await ws.receive_json(timeout=5)

    assert [f["from"] for f in replay if f["type"] == "message"] == ["customer"]
    assert pushed["type"] == "message" and pushed["from"] == "bot" and pushed["text"]
    async with services.uow() as uow:
        assert await uow.messages.pending() == []
    await ws.close()


async def test_a_comparison_arrives_as_a_table_without_its_text_copy(client: Client) -> None:
    token = (await new_session(client))["token"]
    ws, _ = await connect(client, token)
    answer = await ask(ws, "compare the XPS 13 and the MacBook Air", "c1")

    assert answer["table"]["columns"] == ["Dell XPS 13", "MacBook Air 13 M3"]
    price = next(r for r in answer["table"]["rows"] if r["label"] == "Price")
    assert price == {"label": "Price", "cells": ["€1,299.00", "€1,249.00"], "differs": True}
    assert "```" not in answer["text"] and "| " not in answer["text"]
    await ws.close()


async def test_a_recommendation_arrives_with_product_cards(client: Client) -> None:
    token = (await new_session(client))["token"]
    ws, _ = await connect(client, token)
    answer = await ask(ws, "I need a light laptop for travel", "c1")

    first = answer["cards"][0]
    assert first["name"] in answer["text"] and first["price"] in answer["text"]
    assert set(first) == {"name", "price", "stock", "description", "url"}
    assert first["stock"] in {"in", "low"} and first["description"]
    await ws.close()


async def test_limits_answer_with_a_clear_error_and_store_nothing(
    client: Client, services: Services
) -> None:
    token = (await new_session(client))["token"]
    ws, _ = await connect(client, token)
    await ws.send_json({"type": "message", "id": "long", "text": "a" * 2001})
    too_long = await ws.receive_json(timeout=5)
    await ws.send_str("{oops")
    malformed = await ws.receive_json(timeout=5)
    for n in range(3):  # the burst
        await ask(ws, "hello", f"c{n}")
    await ws.send_json({"type": "message", "id": "c3", "text": "hello"})
    limited = await frames_until(ws, "error")

    assert (too_long["code"], too_long["client_id"], too_long["error"]) == (
        "too_long",
        "long",
        "message is 2001 characters; the limit is 2000",
    )
    assert malformed["code"] == "invalid" and "malformed JSON" in malformed["error"]
    assert limited[-1]["code"] == "rate_limited" and limited[-1]["retry_after"] == 1
    assert limited[-1]["client_id"] == "c3"
    async with services.uow() as uow:
        assert await uow.messages.count(direction="in") == 3
    await ws.close()


async def test_the_script_is_served_compressed_and_cached(client: Client) -> None:
    resp = await client.get(
        "/widget.js", headers={"Accept-Encoding": "gzip"}, auto_decompress=False
    )
    body = await resp.read()
    again = await client.get("/widget.js", headers={"If-None-Match": resp.headers["ETag"]})

    assert resp.status == 200 and resp.headers["Content-Encoding"] == "gzip"
    assert resp.content_type == "application/javascript"
    assert "max-age=3600" in resp.headers["Cache-Control"]
    assert b"attachShadow" in gzip.decompress(body)
    assert again.status == 304
