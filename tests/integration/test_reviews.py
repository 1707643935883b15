"""Satisfaction and reviews end to end on a fake clock, on SQLite and PostgreSQL.

The shop reports a delivered order through ``POST /api/events``; a week later the sweep asks
the CSAT question on the customer's widget; the answer leads to the review link, whose click
``/r/<token>`` counts; a low score offers a person. Also: every cap, both policies, the
support and praise triggers, advocacy, and what each step leaves in the touchpoint log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Services, build_services
from bot.channels.base import InboundMessage
from bot.commerce.signature import HEADER, sign
from bot.console.desk import DeskError
from bot.reviews import warn_about_policy
from storage import tables as t
from tests.builders import demo_shop
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeNluBackend
from tests.widget_client import SHOP, Client, ask, connect, frames_until, new_session

SECRET = "events-secret-for-tests"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 11:00 in Rome, the demo shop's time zone
TRUSTPILOT = "https://www.trustpilot.com/evaluate/shop.example.com"
KEYWORDS = {
    "hello": "greet",
    "love": "praise",
    "charger": "complain",
    "left you a review": "leave_review",
    "thanks": "thanks",
    "person": "ask_human",
    "stop": "stop",
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def services(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    settings = make_settings(
        database_url, tmp_path, events_secret=SECRET, allowed_origins=SHOP,
        public_url="https://bot.example",
    )  # fmt: skip
    built = await build_services(settings, nlu=FakeNluBackend(KEYWORDS), clock=clock)
    yield built
    await built.aclose()


async def say(services: Services, sender: str, text: str, number: int) -> list[str]:
    """``text`` from web customer ``sender``; the texts of the replies."""
    result = await services.pipeline.handle(
        InboundMessage("web", sender, text, f"{sender}-{number}")
    )
    return [r.text for r in result.replies]


async def post_event(
    client: Client, event_type: str, sender: str, at: datetime, **fields: Any
) -> None:
    event = {
        "id": f"{event_type}-{sender}-{at.isoformat()}-{fields.get('order_id', '')}",
        "type": event_type,
        "customer": {"channel": "web", "id": sender},
        "occurred_at": at.isoformat(),
        **fields,
    }
    body = json.dumps(event).encode()
    headers = {HEADER: sign(SECRET, body), "Content-Type": "application/json"}
    resp = await client.post("/api/events", data=body, headers=headers)
    assert resp.status == 200, await resp.text()


ORDER = {"order_id": "o-1", "items": [{"product_id": "macbook-air-13", "name": "MacBook Air",
                                       "quantity": 1, "unit_price": "1199.00"}]}  # fmt: skip


async def deliver(client: Client, sender: str, at: datetime, order_id: str = "o-1") -> None:
    """The shop reports an order placed and delivered at ``at``."""
    order = {**ORDER, "order_id": order_id}
    await post_event(client, "order_placed", sender, at, **order)
    await post_event(client, "order_delivered", sender, at, **order)


async def sweep_at(services: Services, clock: FakeClock, at: datetime) -> int:
    clock.now = at
    return await services.follow_ups.sweep()


async def proactive(services: Services) -> list[str]:
    async with services.uow() as uow:
        rows = await uow.session.execute(
            select(t.Message.text).where(t.Message.answered_by == "system").order_by(t.Message.id)
        )
        return [text for (text,) in rows]


async def surveys(services: Services) -> list[dict[str, Any]]:
    async with services.uow() as uow:
        rows = await uow.session.execute(select(t.Survey.__table__).order_by(t.Survey.id))
        return [dict(row._mapping) for row in rows]


async def kinds(services: Services) -> list[str]:
    async with services.uow() as uow:
        return [r.kind for r in await uow.queries.touchpoints() if r.kind != "message"]


async def skipped(services: Services) -> list[tuple[str, str | None]]:
    async with services.uow() as uow:
        rows = await uow.session.execute(
            select(t.FollowUp.status, t.FollowUp.reason)
            .where(t.FollowUp.kind == "review_request")
            .order_by(t.FollowUp.id)
        )
        return [(status, reason) for status, reason in rows]


async def test_a_delivered_order_leads_to_the_question_and_a_five_to_a_counted_review_link(
    client: Client, services: Services, clock: FakeClock
) -> None:
    session = await new_session(client)
    ws, _ = await connect(client, session["token"])
    await ask(ws, "hello", "c1")
    await deliver(client, session["session"], NOW)

    assert await sweep_at(services, clock, NOW + timedelta(days=6, hours=23)) == 0
    assert await sweep_at(services, clock, NOW + timedelta(days=7)) == 1
    question = (await frames_until(ws, "message"))[-1]
    assert question["text"].startswith("Your order has arrived – how happy are you with it")
    assert question["ask"] == "csat"
    assert [b["payload"] for b in question["buttons"]][-1] == '/csat{"score": 5}'

    await ws.send_json({"type": "message", "id": "c2", "text": "★★★★★",
                        "payload": '/csat{"score": 5}'})  # fmt: skip
    thanks = (await frames_until(ws, "message"))[-1]
    invite = (await frames_until(ws, "message"))[-1]
    await ws.close()
    assert thanks["text"].startswith("Thank you for your rating!")
    link = invite["buttons"][0]["payload"]
    assert link.startswith("https://bot.example/r/") and invite["text"].endswith(link)

    path = link.removeprefix("https://bot.example")
    followed = await client.get(path, allow_redirects=False)
    again = await client.get(path, allow_redirects=False)
    assert (followed.status, followed.headers["Location"]) == (302, TRUSTPILOT)
    assert again.status == 302

    (survey,) = await surveys(services)
    assert (survey["trigger"], survey["subject"], survey["score"], survey["invited"]) == (
        "review_request", "o-1", 5, True,
    )  # fmt: skip
    assert survey["invite_reason"] == "invite_all: every customer who answers is invited"
    assert survey["clicks"] == 2
    assert await kinds(services) == [
        "event", "event", "csat_asked", "csat_answered", "review_invited", "review_clicked",
    ]  # fmt: skip
    async with services.uow.read_only() as uow:
        summary = await uow.surveys.summary(NOW, NOW + timedelta(days=30))
    assert (summary.asked, summary.answered, summary.invited, summary.clicked) == (1, 1, 1, 1)
    assert summary.scores == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1}
    assert summary.csat == 1.0


async def asked(client: Client, services: Services, clock: FakeClock, sender: str) -> None:
    """``sender`` said hello, got an order delivered, and a week later was asked."""
    clock.now = NOW
    await say(services, sender, "hello", 0)
    await deliver(client, sender, NOW)
    await sweep_at(services, clock, NOW + timedelta(days=7))


async def invited(client: Client, services: Services, clock: FakeClock, sender: str) -> str:
    """``sender`` was asked, answered 4 and was invited: the token of their review link."""
    await asked(client, services, clock, sender)
    await say(services, sender, "4", 1)
    token: str = (await surveys(services))[0]["token"]
    return token


async def test_answering_two_offers_a_person_and_stores_what_went_wrong(
    client: Client, services: Services, clock: FakeClock
) -> None:
    await asked(client, services, clock, "bob")

    sorry, invite = await say(services, "bob", "2", 1)
    noted, handed = await say(services, "bob", "the charger was missing", 2)

    assert sorry.startswith("I'm sorry it wasn't better. What went wrong?")
    assert invite.startswith("If you have a minute, a short review helps")  # no review gating
    assert noted.startswith("Thank you for explaining, and sorry again.")
    assert handed.startswith("I'm passing you to a person")
    (survey,) = await surveys(services)
    assert (survey["score"], survey["comment"], survey["invited"]) == (
        2, "the charger was missing", True,
    )  # fmt: skip
    async with services.uow() as uow:
        (status, reason) = (
            await uow.session.execute(select(t.Conversation.status, t.Conversation.handoff_reason))
        ).one()
    assert (status, reason) == ("waiting", "low CSAT score (2)")
    assert "csat_comment" in await kinds(services)


@pytest.mark.parametrize(
    ("typed", "score", "first"),
    [("muy bien", 4, "¡Gracias por tu valoración!"),
     ("ottimo", 5, "Grazie per la tua valutazione!"),
     ("terrible", 1, "I'm sorry it wasn't better.")],
)  # fmt: skip
async def test_a_typed_answer_counts_in_three_languages(
    client: Client, services: Services, clock: FakeClock, typed: str, score: int, first: str
) -> None:
    await asked(client, services, clock, "cleo")
    language = {"muy bien": "es", "ottimo": "it"}.get(typed, "en")
    async with services.uow() as uow:
        await uow.session.execute(t.Customer.__table__.update().values(language=language))
        await uow.commit()

    replies = await say(services, "cleo", typed, 1)

    assert replies[0].startswith(first)
    assert (await surveys(services))[0]["score"] == score


async def test_unknown_and_expired_links_get_a_404_page_not_an_error(
    client: Client, services: Services, clock: FakeClock
) -> None:
    token = await invited(client, services, clock, "dan")

    unknown = await client.get("/r/not-a-real-token-at-all", allow_redirects=False)
    odd = await client.get("/r/%3Cscript%3E", allow_redirects=False)
    clock.advance(days=31)
    expired = await client.get(f"/r/{token}", allow_redirects=False)

    for resp in (unknown, odd, expired):
        assert resp.status == 404
        assert resp.content_type == "text/html"
        assert "This link is no longer valid" in await resp.text()
    assert (await surveys(services))[0]["clicks"] == 0


async def test_a_link_preview_is_redirected_without_counting_a_click(
    client: Client, services: Services, clock: FakeClock
) -> None:
    token = await invited(client, services, clock, "eve")

    preview = await client.get(
        f"/r/{token}",
        allow_redirects=False,
        headers={"User-Agent": "TelegramBot (like TwitterBot)"},
    )

    assert preview.status == 302
    assert (await surveys(services))[0]["clicks"] == 0
    assert "review_clicked" not in await kinds(services)


async def test_never_twice_for_one_order_and_once_a_month_per_customer(
    client: Client, services: Services, clock: FakeClock
) -> None:
    await asked(client, services, clock, "fay")
    clock.now = NOW + timedelta(days=7, hours=1)
    await post_event(client, "order_delivered", "fay", clock.now, **ORDER)  # delivered again
    await deliver(client, "fay", clock.now, order_id="o-2")  # a second order, days later
    await sweep_at(services, clock, NOW + timedelta(days=14, hours=2))
    await deliver(client, "fay", NOW + timedelta(days=31), order_id="o-3")
    await sweep_at(services, clock, NOW + timedelta(days=38))

    assert await skipped(services) == [
        ("sent", None),
        ("skipped", "already asked about this order or conversation"),
        ("skipped", "one satisfaction question per 30 days"),
        ("sent", None),
    ]
    assert [s["subject"] for s in await surveys(services)] == ["o-1", "o-3"]


async def test_opted_out_customers_are_not_asked_and_quiet_hours_wait(
    client: Client, services: Services, clock: FakeClock
) -> None:
    await say(services, "gus", "hello", 0)
    await say(services, "gus", "/stop", 1)
    await deliver(client, "gus", NOW)
    await say(services, "hal", "hello", 0)
    evening = NOW.replace(hour=20, minute=30)  # 21:30 in Rome
    await deliver(client, "hal", evening)

    await sweep_at(services, clock, evening + timedelta(days=7))
    asked_at_night = await proactive(services)
    await sweep_at(services, clock, (evening + timedelta(days=8)).replace(hour=8))

    assert asked_at_night == []
    assert [s for s, _ in await skipped(services)] == ["cancelled", "sent"]
    assert len(await proactive(services)) == 1


async def test_a_conversation_silent_for_two_months_is_not_asked(
    client: Client, services: Services, clock: FakeClock
) -> None:
    await say(services, "ivy", "hello", 0)
    await deliver(client, "ivy", NOW + timedelta(days=55))
    await sweep_at(services, clock, NOW + timedelta(days=62))

    assert await skipped(services) == [("skipped", "conversation silent for over 60 days")]


async def test_closing_a_support_conversation_asks_about_the_service(
    services: Services, clock: FakeClock
) -> None:
    await say(services, "jon", "hello", 0)
    async with services.uow() as uow:
        (conversation,) = (await uow.session.execute(select(t.Conversation.id))).one()

    await services.desk.close(conversation, None)
    with pytest.raises(DeskError, match="cannot close a conversation that is closed"):
        await services.desk.close(conversation, None)
    await sweep_at(services, clock, NOW + timedelta(minutes=1))

    assert (await proactive(services))[0].startswith(
        "Thanks for talking to our team. How did we do"
    )
    assert [(s["trigger"], s["subject"]) for s in await surveys(services)] == [
        ("support_csat", f"conversation:{conversation}")
    ]


async def test_praise_after_an_order_is_asked_and_a_review_leads_to_one_referral(
    client: Client, services: Services, clock: FakeClock
) -> None:
    await say(services, "kim", "hello", 0)
    await post_event(client, "order_placed", "kim", NOW, **ORDER)
    question = await say(services, "kim", "I love my new laptop", 1)
    await say(services, "kim", "5", 2)
    said = await say(services, "kim", "I just left you a review", 3)
    await post_event(client, "review_submitted", "kim", NOW + timedelta(minutes=1))
    await sweep_at(services, clock, NOW + timedelta(minutes=5))
    await sweep_at(services, clock, NOW + timedelta(days=1))

    assert question[0].startswith("That's wonderful to hear, thank you! How would you rate us")
    assert said[0].startswith("Thank you so much for your review")
    (referral,) = await proactive(services)
    assert "https://shop.example.com/invite/" in referral
    (survey,) = await surveys(services)
    assert (survey["trigger"], survey["review_source"]) == ("praise", "customer")
    async with services.uow() as uow:
        (stage,) = (await uow.session.execute(select(t.Customer.stage))).one()
    assert stage == "advocacy"


async def test_satisfied_only_is_logged_at_start(caplog: pytest.LogCaptureFixture) -> None:
    shop = demo_shop()
    gated = replace(shop.journey_map.reviews, policy="satisfied_only")
    with caplog.at_level(logging.WARNING):
        warn_about_policy(shop)
        warn_about_policy(replace(shop, journey_map=replace(shop.journey_map, reviews=gated)))

    (warning,) = caplog.records
    assert "review gating" in warning.getMessage()
