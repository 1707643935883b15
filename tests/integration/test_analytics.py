"""Journey analytics on a hand-built shop whose figures are known in advance, and the API.

Four customers on a fake clock, through the real pipeline, commerce events and console:
- ann: hello → asks a price → cart → order (recovered after a reminder) → delivered → 5;
- bob: hello → asks a price → silent for ten days (drops off in consideration);
- cleo: hello → says something not understood → asks for a person; marta answers 5 minutes
  later;
- dan: a cart, a reminder, an order a day later (recovered), delivered → scores 2.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import Services, build_services
from bot.channels.base import InboundMessage
from bot.commerce.ingest import EventIngest
from bot.commerce.payload import EventPayload
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeNluBackend
from tests.widget_client import Client

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Rome
KEYWORDS = {"hello": "greet", "how much": "ask_price", "person": "ask_human"}
PRODUCTS = {"xps 13": "xps-13"}
PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def services(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    settings = make_settings(database_url, tmp_path)
    built = await build_services(settings, nlu=FakeNluBackend(KEYWORDS, PRODUCTS), clock=clock)
    await built.staff.add_user("marta", "agent", PASSWORD)
    await _history(built, clock)
    yield built
    await built.aclose()


async def _history(services: Services, clock: FakeClock) -> None:
    async def say(sender: str, text: str) -> None:
        n = len(said)
        said.append(text)
        await services.pipeline.handle(InboundMessage("web", sender, text, f"m{n}"))

    async def event(sender: str, kind: str, **fields: Any) -> None:
        payload = {"id": f"e{len(said)}-{kind}-{sender}", "type": kind,
                   "customer": {"channel": "web", "id": sender},
                   "occurred_at": clock().isoformat(), **fields}  # fmt: skip
        said.append(kind)
        await EventIngest(services.uow, services.shop.journey_map, clock).ingest(
            EventPayload.model_validate(payload)
        )

    said: list[str] = []
    xps = {"product_id": "xps-13", "name": "Dell XPS 13", "quantity": 1, "unit_price": "1299.00"}
    cart = {"cart_id": "c-ann", "items": [xps], "total": "1299.00", "currency": "EUR"}
    for sender in ("ann", "bob", "cleo"):
        await say(sender, "hello")
    clock.advance(hours=1)
    await say("ann", "how much is the XPS 13?")
    await say("bob", "how much is the XPS 13?")
    await say("cleo", "blorp zzz")
    await say("cleo", "a person please")
    await event("ann", "cart_updated", **cart)
    await say("dan", "hello")
    await event("dan", "cart_updated", **{**cart, "cart_id": "c-dan"})
    clock.advance(minutes=5)
    async with services.uow.read_only() as uow:
        (marta,) = await uow.staff.users()
        conversation = (await uow.customers.context("web", "cleo")).conversation_id  # type: ignore[union-attr]
    await services.desk.claim(conversation, marta)
    await services.desk.reply(conversation, marta, "Hi Cleo, how can I help?")
    clock.advance(hours=1)
    await services.follow_ups.sweep()  # the first cart reminders to ann and dan
    clock.advance(hours=3)
    await event("ann", "order_placed", order_id="o-ann", **cart)
    clock.advance(hours=20)
    await event("dan", "order_placed", order_id="o-dan", **{**cart, "cart_id": "c-dan"})
    await event("ann", "order_delivered", order_id="o-ann")
    await event("dan", "order_delivered", order_id="o-dan")
    clock.advance(days=7, minutes=1)
    await services.follow_ups.sweep()  # the satisfaction questions
    await say("ann", "5")
    await say("dan", "2")
    clock.advance(days=2)


async def report(client: Client, token: str, **query: str) -> dict[str, Any]:
    resp = await client.get("/api/analytics", params=query, headers=_bearer(token))
    assert resp.status == 200, await resp.text()
    answer: dict[str, Any] = await resp.json()
    return answer


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def token(services: Services) -> str:
    from bot.analytics.access import AnalyticsAccess

    return await AnalyticsAccess(services.uow, services.staff, services.clock).add_token(
        "dashboard", "marketer"
    )


async def test_the_funnel_counts_customers_per_stage_with_conversion_and_time(
    client: Client, token: str
) -> None:
    funnel = (await report(client, token))["funnel"]

    assert [(s["stage"], s["customers"]) for s in funnel] == [
        ("awareness", 4), ("consideration", 2), ("purchase", 2), ("retention", 2),
        ("advocacy", 0),
    ]  # fmt: skip
    conversions = [s["conversion"] for s in funnel]
    assert conversions[:4] == [None, 0.5, 0.5, 1.0]
    assert funnel[1]["median_hours"] == 1.0  # hello at 9:00, the price question at 10:00
    evidence = {s["stage"]: s["by_evidence"] for s in funnel}
    assert evidence["awareness"] == {"confirmed": 0, "stated": 0, "none": 4}
    assert evidence["retention"] == {"confirmed": 2, "stated": 0, "none": 0}  # two orders
    assert evidence["advocacy"] == {"confirmed": 0, "stated": 0, "none": 0}


async def test_drop_off_lists_who_went_silent_where(client: Client, token: str) -> None:
    drop = {d["stage"]: d for d in (await report(client, token))["drop_off"]["stages"]}

    assert drop["consideration"]["customers"] == 1
    (bob,) = drop["consideration"]["who"]
    assert bob["last_intents"] == ["ask_price", "greet"]
    assert len(bob["customer"]) == 16 and bob["customer"] != "bob"  # a pseudonym


async def test_recovery_satisfaction_and_support_figures(client: Client, token: str) -> None:
    figures = await report(client, token)

    assert figures["recovery"] == {
        "carts_stalled": 2, "reminders_sent": 2, "orders": 2, "orders_recovered": 2,
        "recovery_rate": 1.0, "recovered_revenue": {"EUR": "2598.00"},
    }  # fmt: skip
    csat = figures["satisfaction"]
    assert (csat["answered"], csat["csat"], csat["invited"]) == (2, 0.5, 2)
    assert csat["scores"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    support = figures["support"]
    assert support["handoffs"] == 1
    assert support["median_first_reply_seconds"] == 300.0
    assert support["conversations_per_agent"] == {"marta": 1}
    assert support["escalation_rate"] == 0.25


async def test_content_mix_and_emotion(client: Client, token: str) -> None:
    figures = await report(client, token)

    content = figures["content"]
    assert ["ask_price", 2] in content["top_questions"]
    assert content["unrecognised"] == [["blorp zzz", 1]]
    assert content["top_products"][0] == ["xps-13", 2]
    days = {(m["day"], m["channel"]) for m in figures["mix"]}
    assert ("2026-03-02", "web") in days
    assert [e["stage"] for e in figures["emotion"]][:2] == ["awareness", "consideration"]


async def test_a_channel_and_a_period_narrow_the_report(client: Client, token: str) -> None:
    telegram = await report(client, token, channel="telegram")
    early = await report(client, token, since="2026-03-02T09:00:00", until="2026-03-02T09:30:00")

    assert [s["customers"] for s in telegram["funnel"]] == [0, 0, 0, 0, 0]
    assert [s["customers"] for s in early["funnel"]][:2] == [3, 0]


async def test_touchpoints_page_by_cursor_and_filter(client: Client, token: str) -> None:
    first = await (await client.get("/api/touchpoints?limit=5", headers=_bearer(token))).json()
    second = await (
        await client.get(f"/api/touchpoints?limit=5&after={first['next']}", headers=_bearer(token))
    ).json()
    prices = await (
        await client.get("/api/touchpoints?intent=ask_price", headers=_bearer(token))
    ).json()

    ids = [r["id"] for r in first["items"] + second["items"]]
    assert ids == sorted(set(ids)) and len(ids) == 10
    assert {r["intent"] for r in prices["items"]} == {"ask_price"}
    assert len(prices["items"]) == 2 and prices["next"] is None
    customer = prices["items"][0]["customer"]
    mine = await (
        await client.get(f"/api/touchpoints?customer={customer}", headers=_bearer(token))
    ).json()
    assert {r["customer"] for r in mine["items"]} == {customer}


async def test_exports_stream_csv_and_json_lines_without_identities(
    client: Client, token: str
) -> None:
    as_csv = await client.get("/api/touchpoints?format=csv&text=0", headers=_bearer(token))
    as_jsonl = await client.get("/api/touchpoints?format=jsonl", headers=_bearer(token))

    rows = list(csv.DictReader(io.StringIO(await as_csv.text())))
    lines = [json.loads(line) for line in (await as_jsonl.text()).splitlines()]
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert len(rows) == len(lines) > 20
    assert "text" not in rows[0] and "text" in lines[0]
    body = await as_jsonl.text()
    assert not any(f'"{name}"' in body for name in ("ann", "bob", "cleo", "dan"))


@pytest.mark.parametrize(
    ("query", "problem"),
    [("since=yesterday", "since must be an ISO date"), ("limit=5000", "limit must be between"),
     ("after=x", "after must be a whole number"), ("format=xml", "format must be json")],
)  # fmt: skip
async def test_bad_parameters_are_refused_naming_them(
    client: Client, token: str, query: str, problem: str
) -> None:
    resp = await client.get(f"/api/touchpoints?{query}", headers=_bearer(token))
    assert resp.status == 400
    assert problem in (await resp.json())["error"]


async def test_only_marketers_and_admins_read_analytics(client: Client, services: Services) -> None:
    from bot.analytics.access import AnalyticsAccess

    access = AnalyticsAccess(services.uow, services.staff, services.clock)
    agent = await access.add_token("desk", "agent")

    nothing = await client.get("/api/analytics")
    forged = await client.get("/api/analytics", headers=_bearer("not-a-token"))
    as_agent = await client.get("/api/touchpoints", headers=_bearer(agent))

    assert (nothing.status, forged.status, as_agent.status) == (401, 401, 403)
    assert "agent role cannot read analytics" in (await as_agent.json())["error"]


async def logged_in(services: Services, name: str, role: str) -> Client:
    """A browser logged in at /console/login as a new ``role`` user."""
    import re

    from aiohttp.test_utils import TestClient, TestServer

    from bot.web.app import build_web_app

    await services.staff.add_user(name, role, PASSWORD)
    browser: Client = TestClient(TestServer(build_web_app(services)))
    await browser.start_server()
    page = await browser.get("/console/login")
    (csrf,) = re.findall(r'name="csrf" value="([^"]+)"', await page.text())
    form = {"csrf": csrf, "name": name, "password": PASSWORD}
    landed = await browser.post("/console/login", data=form, allow_redirects=False)
    assert landed.headers["Location"] == ("/dashboard" if role == "marketer" else "/console")
    return browser


async def test_a_marketer_sees_every_chart_with_its_numbers(services: Services) -> None:
    browser = await logged_in(services, "mia", "marketer")
    try:
        html = await (await browser.get("/dashboard?since=2026-03-01&until=2026-03-31")).text()
        by_channel = await browser.get("/dashboard?channel=telegram&since=2026-03-01")
    finally:
        await browser.close()

    for chart in (
        "funnel",
        "funnel-evidence",
        "conversion",
        "drop-off",
        "recovery",
        "csat",
        "reviews",
        "mix",
        "emotion",
    ):
        assert f'id="{chart}"' in html
    assert html.count("<svg") == 9 and html.count("<summary>Numbers</summary>") == 9
    assert "<th>retention · confirmed</th><td>2</td>" in html
    assert "CSAT: answers per score (CSAT 50 %)" in html
    assert "blorp zzz" in html  # what the bot should learn next
    assert 'href="/api/touchpoints?format=csv&amp;since=2026-03-01' in html
    assert by_channel.status == 200


async def test_the_journey_map_is_made_from_the_conversations(services: Services) -> None:
    browser = await logged_in(services, "mia", "marketer")
    try:
        page = await (await browser.get("/dashboard/journey-map?since=2026-03-01")).text()
        data = await (await browser.get("/dashboard/journey-map.json?since=2026-03-01")).json()
    finally:
        await browser.close()

    stages = {s["stage"]: s for s in data["stages"]}
    assert list(stages) == ["awareness", "consideration", "purchase", "retention", "advocacy"]
    assert stages["consideration"]["asking"] == [["ask_price", 2]]
    assert ["nlu_fallback", 1] in stages["awareness"]["pains"]
    assert stages["consideration"]["dropped"] == 1
    assert stages["awareness"]["channels"] == [["web", 6]]  # 4 hellos, cleo's 2 messages
    assert "What they ask" in page and "ask_price (2)" in page


async def test_the_dashboard_is_for_marketers_and_admins_only(
    services: Services, client: Client
) -> None:
    agent = await logged_in(services, "ugo", "agent")
    try:
        refused = await agent.get("/dashboard")
    finally:
        await agent.close()
    nobody = await client.get("/dashboard/journey-map", allow_redirects=False)

    assert refused.status == 403
    assert (nobody.status, nobody.headers["Location"]) == (303, "/console/login")


async def test_the_summaries_count_every_message_once_as_the_log_grows(
    services: Services, client: Client, token: str, clock: FakeClock
) -> None:
    from bot.analytics.summaries import Summaries

    before = (await report(client, token))["content"]["top_intents"]
    clock.advance(minutes=1)
    for n in range(3):
        await services.pipeline.handle(InboundMessage("web", "bob", "how much?", f"more-{n}"))
    refreshers = [Summaries(services.uow, "en") for _ in range(3)]
    import asyncio

    read = await asyncio.gather(*(r.refresh() for r in refreshers))
    after = (await report(client, token))["content"]["top_intents"]

    assert sum(read) == 3  # three refreshers at once: each message summed by exactly one
    assert dict(after)["ask_price"] == dict(before)["ask_price"] + 3
