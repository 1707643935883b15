"""Telegram end to end: recorded updates in through the webhook (or getUpdates), the real
pipeline on a SQLite file, and aiogram's real HTTP client talking to a loopback fake Bot API.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import Services, build_services
from bot.channels.telegram import TelegramChannel, attach_telegram
from bot.commerce.ingest import EventIngest
from bot.commerce.payload import EventPayload
from bot.settings import DatabaseSettings, NluSettings, Settings, TelegramSettings, WebSettings
from bot.web.app import build_web_app
from storage import tables as t
from storage.records import NewOutbound
from tests.fake_telegram import FakeTelegram
from tests.fakes import FakeClock, FakeNluBackend

FIXTURES = Path(__file__).parent.parent / "fixtures" / "telegram"
SECRET = "webhook-secret_4f8a2c"
PUBLIC_URL = "https://shop.example.com"
CHAT = "424242"  # the chat of every recorded update
KEYWORDS = {"how much": "ask_price", "hello": "greet", "person": "ask_human"}
PRODUCTS = {"zenbook 14": "zenbook-14"}
PRICE_BUTTONS = [
    [("Specs", "/ask_specs"), ("Availability", "/ask_stock")],
    [("Buy it", "/buy_product")],
]


def update(name: str, **changes: Any) -> dict[str, Any]:
    """A recorded update from tests/fixtures/telegram, optionally with top-level changes."""
    return {**json.loads((FIXTURES / f"{name}.json").read_text()), **changes}


def text_update(update_id: int, text: str) -> dict[str, Any]:
    """The recorded text message with another update id and text."""
    recorded = update("text_message")
    return {"update_id": update_id, "message": {**recorded["message"], "text": text}}


def settings_for(
    tmp_path: Path, fake: FakeTelegram, public_url: str | None, staff_chat: int | None = None
) -> Settings:
    return Settings(
        _env_file=None,
        database=DatabaseSettings(
            _env_file=None, url=f"sqlite+aiosqlite:///{tmp_path / 'journeybot.db'}"
        ),
        nlu=NluSettings(_env_file=None, cache_dir=tmp_path / "nlu-cache"),
        telegram=TelegramSettings(
            _env_file=None,
            token=fake.token,
            webhook_secret=SECRET,
            api_url=fake.base_url,
            staff_chat=staff_chat,
        ),
        web=WebSettings(_env_file=None, public_url=public_url),
    )


@dataclass
class Stack:
    """The running service as a test drives it."""

    client: TestClient[web.Request, web.Application]
    services: Services
    channel: TelegramChannel
    clock: FakeClock
    fake: FakeTelegram

    async def post(self, body: Any, secret: str | None = SECRET) -> int:
        """Deliver one webhook call as Telegram would; return the HTTP status."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        data = body if isinstance(body, str) else json.dumps(body)
        headers["Content-Type"] = "application/json"
        response = await self.client.post("/webhooks/telegram", data=data, headers=headers)
        return response.status

    async def count(self, table: type[t.Base], **where: Any) -> int:
        async with self.services.uow() as uow:
            query = select(func.count()).select_from(table).filter_by(**where)
            return int((await uow.session.execute(query)).scalar_one())


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.close()


async def start_stack(
    tmp_path: Path, fake: FakeTelegram, public_url: str | None, staff_chat: int | None = None
) -> Stack:
    clock = FakeClock()
    nlu = FakeNluBackend(KEYWORDS, PRODUCTS)
    settings = settings_for(tmp_path, fake, public_url, staff_chat)
    services = await build_services(settings, nlu=nlu, clock=clock)
    app = build_web_app(services)
    channel = await attach_telegram(services, app)
    assert channel is not None
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(app))
    await client.start_server()
    return Stack(client, services, channel, clock, fake)


@pytest.fixture
async def stack(tmp_path: Path, fake: FakeTelegram) -> AsyncIterator[Stack]:
    running = await start_stack(tmp_path, fake, PUBLIC_URL)
    yield running
    await running.client.close()
    await running.services.aclose()


async def test_startup_registers_the_webhook_with_its_secret(stack: Stack) -> None:
    assert stack.fake.webhook is not None
    assert stack.fake.webhook["url"] == f"{PUBLIC_URL}/webhooks/telegram"
    assert stack.fake.webhook["secret_token"] == SECRET
    assert set(stack.fake.webhook["allowed_updates"]) == {"message", "callback_query"}


async def test_a_question_is_answered_in_the_chat_with_inline_buttons(stack: Stack) -> None:
    assert await stack.post(update("text_message")) == 200
    [reply] = stack.fake.sent
    assert reply.chat_id == CHAT
    assert reply.text == "The ASUS Zenbook 14 OLED costs €999.00, VAT included."
    assert reply.button_rows() == PRICE_BUTTONS
    assert await stack.count(t.Message, direction="out", status="sent") == 1


async def test_start_with_a_deep_link_payload_is_welcomed(stack: Stack) -> None:
    assert await stack.post(update("start_with_payload")) == 200
    [reply] = stack.fake.sent_to(CHAT)
    assert reply.text.startswith("Hi, welcome to Laptop Corner!")
    assert [title for row in reply.button_rows() for title, _ in row] == [
        "Browse products",
        "Recommend one",
        "What can you do?",
    ]


async def test_a_button_press_is_acknowledged_and_answered(stack: Stack) -> None:
    await stack.post(update("text_message"))  # the customer asked about the Zenbook 14
    assert await stack.post(update("callback_query")) == 200  # then pressed "Price"
    assert stack.fake.answered_callbacks == ["4382bfdwdsb323b2d9"]
    assert [m.chat_id for m in stack.fake.sent] == [CHAT, CHAT]
    async with stack.services.uow() as uow:
        pressed = await uow.session.scalars(select(t.Message.text).filter_by(kind="button"))
        assert list(pressed) == ["/ask_price"]


@pytest.mark.parametrize("secret", [None, "", "not-the-secret"])
async def test_a_webhook_call_without_the_secret_is_refused_and_stores_nothing(
    stack: Stack, secret: str | None
) -> None:
    assert await stack.post(update("text_message"), secret=secret) == 401
    assert await stack.count(t.Message) == 0
    assert await stack.count(t.Customer) == 0
    assert stack.fake.sent == []


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '{"message": {"text": "hi"}}'])
async def test_a_malformed_update_is_refused_with_400(stack: Stack, body: str) -> None:
    assert await stack.post(body) == 400
    assert await stack.count(t.Message) == 0


async def test_the_same_update_delivered_twice_is_answered_once(stack: Stack) -> None:
    assert await stack.post(update("text_message")) == 200
    assert await stack.post(update("text_message")) == 200
    assert len(stack.fake.sent) == 1
    assert await stack.count(t.Message, direction="in") == 1


async def test_429_waits_for_retry_after_then_sends_exactly_once(stack: Stack) -> None:
    stack.fake.fail_next_sends(1, retry_after=30)
    assert await stack.post(update("text_message")) == 200
    assert stack.fake.sent == []
    assert len(stack.fake.refused) == 1

    stack.clock.advance(seconds=20)
    assert await stack.services.outbox.deliver_due() == 0
    assert stack.fake.sent == []

    stack.clock.advance(seconds=11)
    assert await stack.services.outbox.deliver_due() == 1
    assert await stack.services.outbox.deliver_due() == 0
    [reply] = stack.fake.sent
    assert reply.text.startswith("The ASUS Zenbook 14 OLED costs")


async def test_a_customer_who_blocked_the_bot_is_recorded_as_opted_out(stack: Stack) -> None:
    stack.fake.block_chat(CHAT)
    assert await stack.post(update("text_message")) == 200
    assert stack.fake.sent == []
    async with stack.services.uow() as uow:
        ctx = await uow.customers.context("telegram", CHAT)
    assert ctx is not None
    assert ctx.opted_out
    assert await stack.services.outbox.deliver_due() == 0  # and is not tried again


@pytest.mark.parametrize("name", ["sticker", "photo", "voice"])
async def test_media_gets_the_polite_text_only_reply(stack: Stack, name: str) -> None:
    assert await stack.post(update(name)) == 200
    [reply] = stack.fake.sent_to(CHAT)
    assert reply.text == "Sorry, I can only read text messages. Could you write your question?"


@pytest.mark.parametrize("name", ["edited_message", "my_chat_member"])
async def test_updates_that_are_not_a_customer_speaking_are_ignored(
    stack: Stack, name: str
) -> None:
    assert await stack.post(update(name)) == 200
    assert stack.fake.sent == []
    assert await stack.count(t.Message) == 0


async def test_a_failure_gets_a_polite_apology_without_technical_detail(stack: Stack) -> None:
    assert await stack.post(text_update(900, "   ")) == 200  # the pipeline refuses empty text
    [reply] = stack.fake.sent_to(CHAT)
    assert reply.text.startswith("Sorry, something went wrong on our side.")
    assert "Error" not in reply.text
    assert "empty" not in reply.text


async def queue_reply(stack: Stack, reply: NewOutbound) -> None:
    """A pending reply to the customer of ``update("text_message")``, after their message."""
    await stack.post(update("text_message"))
    async with stack.services.uow() as uow:
        ctx = await uow.customers.context("telegram", CHAT)
        assert ctx is not None
        assert ctx.conversation_id is not None
        await uow.messages.add_outbound(
            conversation_id=ctx.conversation_id,
            customer_id=ctx.customer_id,
            channel="telegram",
            recipient_id=CHAT,
            messages=[reply],
            in_reply_to=None,
            status="pending",
            now=stack.clock(),
        )
        await uow.commit()


async def test_a_table_arrives_preformatted_and_other_text_exactly_as_written(
    stack: Stack,
) -> None:
    table = "  | A  | B\n* price | €1 | €2"
    text = f"Side by side <A & B>:\n```\n{table}\n```\nA is cheaper (<3 kg)."
    await queue_reply(stack, NewOutbound(text))
    assert await stack.services.outbox.deliver_due() == 1

    sent = stack.fake.sent[-1]
    assert sent.text == f"Side by side <A & B>:\n{table}\nA is cheaper (<3 kg)."
    assert sent.entities == [("pre", table)]


async def test_a_link_button_opens_the_page_and_the_others_send_their_payload(
    stack: Stack,
) -> None:
    cart = "https://shop.example.com/cart/8812"
    buttons = (("Back to my cart", cart), ("Stop reminders", "/stop"))
    await queue_reply(stack, NewOutbound("Your cart is waiting.", buttons=buttons))
    assert await stack.services.outbox.deliver_due() == 1

    rows = (stack.fake.sent[-1].reply_markup or {})["inline_keyboard"]
    keys = [key for row in rows for key in row]
    assert keys == [
        {"text": "Back to my cart", "url": cart},
        {"text": "Stop reminders", "callback_data": "/stop"},
    ]


async def test_a_long_reply_is_split_into_two_messages_with_buttons_on_the_last(
    stack: Stack,
) -> None:
    long_text = "\n".join(f"Line {i:03}: " + "x" * 40 for i in range(100))  # ~5000 characters
    await queue_reply(stack, NewOutbound(long_text, buttons=(("Talk to a person", "/ask_human"),)))
    assert len(long_text) > 4096
    assert await stack.services.outbox.deliver_due() == 1
    first, second = stack.fake.sent[1:]
    assert len(first.text) <= 4096
    assert len(second.text) <= 4096
    assert f"{first.text}\n{second.text}" == long_text
    assert first.reply_markup is None
    assert second.button_rows() == [[("Talk to a person", "/ask_human")]]


async def test_the_satisfaction_question_has_a_row_of_scores_and_a_press_brings_the_link(
    stack: Stack,
) -> None:
    await stack.post(update("text_message"))
    delivered = EventPayload.model_validate(
        {"id": "evt-d1", "type": "order_delivered", "order_id": "o-9",
         "customer": {"channel": "telegram", "id": CHAT},
         "occurred_at": stack.clock().isoformat()}
    )  # fmt: skip
    await EventIngest(stack.services.uow, stack.services.shop.journey_map, stack.clock).ingest(
        delivered
    )
    stack.clock.advance(days=7)
    assert await stack.services.follow_ups.sweep() == 1

    question = stack.fake.sent[-1]
    assert question.text.startswith("Your order has arrived")
    assert question.button_rows() == [[(f"{n} ★", f'/csat{{"score": {n}}}') for n in range(1, 6)]]
    pressed = update("callback_query")
    pressed["callback_query"] = {**pressed["callback_query"], "data": '/csat{"score": 5}'}
    assert await stack.post(pressed) == 200

    thanks, invite = stack.fake.sent[-2:]
    assert thanks.text.startswith("Thank you for your rating!")
    (key,) = [k for row in (invite.reply_markup or {})["inline_keyboard"] for k in row]
    assert key["text"] == "Write a review"
    assert key["url"].startswith(f"{PUBLIC_URL}/r/")


async def test_a_person_takes_over_the_telegram_chat_and_hands_it_back(stack: Stack) -> None:
    await stack.services.staff.add_user("marta", "agent", "correct horse battery")
    async with stack.services.uow.read_only() as uow:
        (marta,) = await uow.staff.users()
    assert await stack.post(text_update(1, "I need a person")) == 200
    assert stack.fake.sent[-1].text.startswith("I'm passing you to a person on our team.")
    async with stack.services.uow() as uow:
        ctx = await uow.customers.context("telegram", CHAT)
    assert ctx is not None and ctx.conversation_id is not None

    await stack.services.desk.claim(ctx.conversation_id, marta)
    sent_before = len(stack.fake.sent)
    assert await stack.post(text_update(2, "how much is the zenbook 14?")) == 200
    assert len(stack.fake.sent) == sent_before  # the bot stays silent
    await stack.services.desk.reply(ctx.conversation_id, marta, "It's €999 <today>.")
    assert stack.fake.sent[-1].text == "marta 👤\nIt's €999 <today>."

    await stack.services.desk.release(ctx.conversation_id, marta)
    assert await stack.post(text_update(3, "hello")) == 200
    assert stack.fake.sent[-1].text.startswith("Hello!")


STAFF_CHAT = -1001234567890
MARTA_ON_TELEGRAM = 9001


def staff_update(
    update_id: int, topic: int, text: str, user: int = MARTA_ON_TELEGRAM
) -> dict[str, Any]:
    """A message an agent writes in a topic of the staff group."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 7000 + update_id, "date": 1718000100, "text": text,
            "chat": {"id": STAFF_CHAT, "type": "supergroup", "title": "Support", "is_forum": True},
            "from": {"id": user, "is_bot": False, "first_name": "Marta"},
            "message_thread_id": topic, "is_topic_message": True,
        },
    }  # fmt: skip


async def test_the_staff_group_gets_a_topic_per_handed_off_customer_and_answers_from_it(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    stack = await start_stack(tmp_path, fake, PUBLIC_URL, staff_chat=STAFF_CHAT)
    staff = stack.channel.dispatcher["staff"]
    try:
        await stack.services.staff.add_user(
            "marta", "agent", "correct horse battery", str(MARTA_ON_TELEGRAM)
        )
        await stack.post(text_update(1, "I need a person"))
        await staff.settle()
        (topic,) = fake.topics
        assert topic["chat_id"] == str(STAFF_CHAT) and topic["name"].endswith("· telegram")
        in_topic = [m.text for m in fake.sent if m.thread_id == topic["message_thread_id"]]
        assert in_topic[0] == "👤 customer: I need a person"
        assert in_topic[1].startswith("🤖 bot: I'm passing you to a person")

        thread = topic["message_thread_id"]
        assert await stack.post(staff_update(2, thread, "Hi Giulia, Marta here <3")) == 200
        to_customer = [m.text for m in fake.sent_to(CHAT)]
        assert to_customer[-2] == "marta from our team is here and will answer you now."
        assert to_customer[-1] == "marta 👤\nHi Giulia, Marta here <3"

        await stack.post(text_update(3, "thanks! is it in stock?"))
        async with stack.services.uow() as uow:
            ctx = await uow.customers.context("telegram", CHAT)
            marta = await uow.staff.user("marta")
        assert ctx is not None and ctx.conversation_id is not None and marta is not None
        await stack.services.desk.reply(ctx.conversation_id, marta, "Yes, 3 left.")  # console
        await staff.settle()
        in_topic = [m.text for m in fake.sent if m.thread_id == thread]
        assert "👤 customer: thanks! is it in stock?" in in_topic
        assert "🧑‍💼 marta: Yes, 3 left." in in_topic  # the console's reply shows in the topic
        assert not any("Marta here" in text for text in in_topic)  # the topic's is not echoed

        await stack.post(staff_update(4, thread, "can I help?", user=4242))
        assert fake.sent[-1].text.startswith("Link your Telegram account to a console user")

        await stack.post(staff_update(5, thread, "/release"))
        assert fake.sent_to(CHAT)[-1].text.startswith("You're back with the shop's assistant.")
        await stack.post(text_update(6, "hello"))
        assert fake.sent_to(CHAT)[-1].text.startswith("Hello!")
    finally:
        await stack.client.close()
        await stack.services.aclose()


async def test_polling_answers_an_update_from_get_updates(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    running = await start_stack(tmp_path, fake, public_url=None)
    fake.send_delay = 0.3  # the reply is still on its way when the service stops
    try:
        await fake.queue_update(update("text_message"))
        [reply] = await fake.wait_for_sent(1)
        assert reply.chat_id == CHAT
        assert reply.text.startswith("The ASUS Zenbook 14 OLED costs")
        assert fake.calls.index("deletewebhook") < fake.calls.index("getupdates")
        await fake.wait_until_confirmed()  # the next getUpdates acknowledged it (offset)
        await running.client.close()  # stops polling, letting the update in flight finish
        assert await running.count(t.Message, direction="out", status="sent") == 1
    finally:
        await running.client.close()
        await running.services.aclose()
    assert len(fake.sent) == 1
