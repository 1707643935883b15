"""Purchase evidence through the real pipeline, commerce events and analytics, on SQLite and
PostgreSQL: what the customer says (stated) and what the shop's orders say (confirmed) are
stored on every touchpoint, stage change and in the funnel.

The demo shop's journey map lists ``order_status`` as stated evidence and ``not_purchased``
and ``order_cancelled`` as taking it back; the keyword NLU below stands in for the real one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.analytics.access import AnalyticsAccess
from bot.analytics.report import journey_report
from bot.analytics.terminal import sections
from bot.app import Services, build_services
from bot.channels.base import InboundMessage
from bot.commands import export_touchpoints
from bot.commerce.ingest import EventIngest
from bot.commerce.payload import EventPayload
from storage import tables as t
from storage.analytics import Period
from storage.records import TouchpointRow
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeNluBackend
from tests.widget_client import Client

KEYWORDS = {
    "hello": "greet",
    "how much": "ask_price",
    "where is my order": "order_status",
    "haven't ordered": "not_purchased",
}
PRODUCTS = {"xps 13": "xps-13"}
XPS = {"product_id": "xps-13", "name": "Dell XPS 13", "quantity": 1, "unit_price": "1299.00"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def services(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    settings = make_settings(database_url, tmp_path)
    built = await build_services(settings, nlu=FakeNluBackend(KEYWORDS, PRODUCTS), clock=clock)
    yield built
    await built.aclose()


async def say(services: Services, sender: str, *texts: str) -> None:
    for text in texts:
        number = len(await touchpoints(services))
        await services.pipeline.handle(InboundMessage("web", sender, text, f"{sender}-{number}"))


async def event(services: Services, sender: str, kind: str, **fields: Any) -> None:
    payload = {
        "id": f"{sender}-{kind}",
        "type": kind,
        "customer": {"channel": "web", "id": sender},
        "occurred_at": services.clock().isoformat(),
        **fields,
    }
    ingest = EventIngest(services.uow, services.shop.journey_map, services.clock)
    await ingest.ingest(EventPayload.model_validate(payload))


async def touchpoints(services: Services, sender: str | None = None) -> list[TouchpointRow]:
    async with services.uow.read_only() as uow:
        return await uow.queries.touchpoints(sender=sender)


async def rows(services: Services, *columns: Any) -> list[tuple[Any, ...]]:
    """The values of ``columns``, ordered by the first."""
    async with services.uow.read_only() as uow:
        found = await uow.connection.execute(select(*columns).order_by(columns[0]))
        return [tuple(r) for r in found]


async def customer(services: Services, sender: str) -> tuple[Any, ...]:
    async with services.uow.read_only() as uow:
        ctx = await uow.customers.context("web", sender)
    assert ctx is not None
    return ctx.stage, ctx.purchased, ctx.purchase_stated, ctx.stage_before_purchase


def history(services: Services) -> Any:
    h = t.StageHistory
    return rows(services, h.id, h.previous, h.current, h.reason, h.evidence)


async def test_a_purchase_stated_in_chat_rests_on_the_customers_word(services: Services) -> None:
    await say(services, "ann", "hello", "where is my order?")

    hello, asked = await touchpoints(services, "ann")
    assert (hello.stage_after, hello.stage_evidence) == ("awareness", None)
    assert (asked.intent, asked.stage_before, asked.stage_after) == (
        "order_status", "awareness", "retention",
    )  # fmt: skip
    assert asked.stage_evidence == "stated"
    assert asked.to_dict()["stage_evidence"] == "stated"
    assert (await history(services))[-1][1:] == ("awareness", "retention", "order_status", "stated")
    assert await customer(services, "ann") == ("retention", False, True, "awareness")
    reached = await rows(services, t.CustomerStage.stage, t.CustomerStage.evidence)
    assert reached == [("awareness", None), ("retention", "stated")]


async def test_an_order_afterwards_confirms_what_the_customer_stated(
    services: Services, clock: FakeClock
) -> None:
    await say(services, "ann", "hello", "where is my order?")
    stated_at = clock()
    clock.advance(hours=2)

    await event(services, "ann", "order_placed", order_id="o-1", items=[XPS])
    await say(services, "ann", "where is my order now?")

    *_, order, again = await touchpoints(services, "ann")
    assert (order.kind, order.stage_before, order.stage_after) == (
        "event",
        "retention",
        "retention",
    )
    assert order.stage_evidence == again.stage_evidence == "confirmed"
    assert (await history(services))[-1][1:] == (
        "retention", "retention", "order_placed", "confirmed",
    )  # fmt: skip
    assert await customer(services, "ann") == ("retention", True, True, "awareness")
    c = t.CustomerStage
    reached = await rows(services, c.stage, c.first_at, c.evidence)
    assert reached[-1] == ("retention", stated_at, "confirmed")  # the first time is kept


async def test_saying_nothing_was_ordered_takes_the_word_back(services: Services) -> None:
    await say(services, "ann", "hello", "how much is the XPS 13?", "where is my order?")

    await say(services, "ann", "sorry, I haven't ordered anything yet")

    last = (await touchpoints(services, "ann"))[-1]
    assert (last.intent, last.stage_after, last.stage_evidence) == (
        "not_purchased", "consideration", None,
    )  # fmt: skip
    assert (await history(services))[-1][1:] == (
        "retention", "consideration", "not_purchased", None,
    )  # fmt: skip
    assert await customer(services, "ann") == ("consideration", False, False, None)


async def test_a_cancelled_order_withdraws_a_purchase_only_stated(services: Services) -> None:
    await say(services, "ann", "hello", "where is my order?")

    await event(services, "ann", "order_cancelled", order_id="o-9")

    last = (await touchpoints(services, "ann"))[-1]
    assert (last.kind, last.stage_after, last.stage_evidence) == ("event", "awareness", None)
    assert await customer(services, "ann") == ("awareness", False, False, None)


async def test_a_person_taking_over_logs_the_evidence_of_the_stage(services: Services) -> None:
    await say(services, "ann", "hello", "where is my order?")
    async with services.uow.read_only() as uow:
        ctx = await uow.customers.context("web", "ann")
    assert ctx is not None and ctx.conversation_id is not None
    await services.staff.add_user("marta", "agent", "correct horse battery")
    async with services.uow.read_only() as uow:
        (marta,) = await uow.staff.users()

    await services.desk.claim(ctx.conversation_id, marta)
    await say(services, "ann", "are you there?")  # stored while the person has it

    logged = await touchpoints(services, "ann")
    (claimed,) = [r for r in logged if r.intent == "handoff_claimed"]
    assert (claimed.kind, claimed.stage_evidence) == ("handoff", "stated")
    silent = logged[-1]
    assert (silent.text, silent.answered_by, silent.stage_evidence) == (
        "are you there?", None, "stated",
    )  # fmt: skip


async def test_not_understood_leaves_out_what_the_bot_resolved(
    services: Services, clock: FakeClock
) -> None:
    await say(services, "cleo", "blorp zzz", "blorp the xps 13")

    unclear, resolved = await touchpoints(services, "cleo")
    assert (unclear.intent, unclear.resolved_by) == ("nlu_fallback", None)
    assert (resolved.nlu_intent, resolved.resolved_by) == ("nlu_fallback", "product")
    assert resolved.intent not in (None, "nlu_fallback")
    figures = await report(services, clock)
    assert figures["content"]["unrecognised"] == [("blorp zzz", 1)]
    assert figures["content"]["fallback_rate"] == 0.5


async def test_the_funnel_shows_each_stage_by_evidence(
    services: Services, clock: FakeClock
) -> None:
    await say(services, "ann", "hello", "where is my order?")
    await say(services, "bob", "hello")
    await event(services, "bob", "order_placed", order_id="o-2", items=[XPS])

    figures = await report(services, clock)

    funnel = {step["stage"]: step for step in figures["funnel"]}
    assert funnel["retention"]["customers"] == 2
    assert funnel["retention"]["by_evidence"] == {"confirmed": 1, "stated": 1, "none": 0}
    assert funnel["awareness"]["by_evidence"] == {"confirmed": 0, "stated": 0, "none": 2}
    assert {"conversion", "median_hours"} <= set(funnel["retention"])  # every key kept
    title, names, table = sections(figures)[0]
    assert (title, names[-3:]) == ("Funnel", ["confirmed", "stated", "no evidence"])
    assert table[3][:2] == ["retention", "2"] and table[3][-3:] == ["1", "1", "0"]


async def test_the_exports_carry_evidence_and_resolution(
    services: Services, client: Client, tmp_path: Path
) -> None:
    await say(services, "ann", "hello", "where is my order?", "blorp the xps 13")
    token = await AnalyticsAccess(services.uow, services.staff, services.clock).add_token(
        "exports", "marketer"
    )
    bearer = {"Authorization": f"Bearer {token}"}

    as_csv = await (await client.get("/api/touchpoints?format=csv", headers=bearer)).text()
    as_jsonl = await (await client.get("/api/touchpoints?format=jsonl", headers=bearer)).text()
    page = await (await client.get("/api/touchpoints", headers=bearer)).json()
    await export_touchpoints(services.settings, "parquet", str(tmp_path / "tp.parquet"), None, True)

    for found in (
        list(csv.DictReader(io.StringIO(as_csv))),
        [json.loads(line) for line in as_jsonl.splitlines()],
        page["items"],
        _parquet(tmp_path / "tp.parquet"),
    ):
        # the product question starts a new cycle in consideration: no evidence needed
        assert [r["stage_evidence"] or None for r in found] == [None, "stated", None]
        assert [r["resolved_by"] or None for r in found] == [None, None, "product"]
        assert found[2]["nlu_intent"] == "nlu_fallback"


async def report(services: Services, clock: FakeClock) -> dict[str, Any]:
    now = clock()
    period = Period(datetime(2026, 3, 1, tzinfo=now.tzinfo), now.replace(hour=23))
    return await journey_report(services.uow, services.shop.journey_map, period, now)


def _parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    found: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return found
