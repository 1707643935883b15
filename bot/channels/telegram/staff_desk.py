"""The Telegram staff desk: a forum supergroup where each handed-off conversation is a topic.

With ``JOURNEYBOT_TELEGRAM_STAFF_CHAT`` set (the bot an admin of that group, allowed to
manage topics), a conversation that goes to a person gets a topic named after the customer;
every message of the conversation — the customer's, the bot's, and the replies agents write
in the console — is mirrored there. An agent linked to a console account
(``journeybot users add NAME --role agent --telegram-id ID``) answers by writing in the
topic: the message goes to the customer through their own channel, exactly as a reply from
the console (claiming the conversation first if nobody has it). ``/release`` and ``/close``
in a topic do what the console's buttons do. The console and the topic stay in step
because both are driven by the same store: the desk mirrors whatever changed.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.types import Message

from bot.console.desk import DeskError, SupportDesk
from bot.keyed_lock import KeyedLock
from journeys.handoff import WITH_PERSON
from storage.handoff import Line
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

VIA = "telegram"
"""What a reply written in a topic is marked with, so it is not mirrored back."""
FIRST_LINES = 10
"""How much of the conversation a new topic starts with."""
UNLINKED = (
    "Link your Telegram account to a console user to answer here: "
    "journeybot users add NAME --role agent --telegram-id {id}"
)
_ICONS = {"customer": "👤", "bot": "🤖", "system": "🤖", "agent": "🧑‍💼"}


class StaffDesk:
    """Mirrors conversations into topics and turns agents' topic messages into replies."""

    def __init__(self, bot: Bot, chat_id: int, uow: UnitOfWorkFactory, desk: SupportDesk) -> None:
        self.bot, self.chat_id, self.uow, self.desk = bot, chat_id, uow, desk
        self._locks = KeyedLock()
        self._tasks: set[asyncio.Task[None]] = set()

    def changed(self, conversation_id: int) -> None:
        """A conversation changed: mirror it in the background (one at a time per topic)."""
        task = asyncio.get_running_loop().create_task(self.sync(conversation_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait until everything changed so far is mirrored (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def sync(self, conversation_id: int) -> None:
        """Post what the topic has not shown yet; open the topic when the conversation first
        goes to a person."""
        async with self._locks.hold(("staff", conversation_id)):
            try:
                await self._sync(conversation_id)
            except AiogramError as exc:
                log.warning("staff desk: conversation %s not mirrored: %s", conversation_id, exc)

    async def _sync(self, conversation_id: int) -> None:
        async with self.uow.read_only() as uow:
            state = await uow.handoff.state(conversation_id)
            if state is None:
                return
            topic, synced = await uow.handoff.staff_topic(conversation_id)
            if topic is None and state.status not in WITH_PERSON:
                return
            if topic is None:
                customer = await uow.handoff.customer_name(conversation_id)
                new = await uow.handoff.transcript(conversation_id, last=FIRST_LINES)
            else:
                new = await uow.handoff.transcript(conversation_id, after=synced)
        if topic is None:
            name = f"{customer} · {state.channel}"[:128]
            created = await self.bot.create_forum_topic(chat_id=self.chat_id, name=name)
            topic = created.message_thread_id
        for line in new:
            if line.via != VIA:
                await self.bot.send_message(
                    chat_id=self.chat_id, message_thread_id=topic, text=_shown(line)
                )
        last = new[-1].id if new else synced
        async with self.uow() as uow:
            await uow.handoff.set_staff_topic(conversation_id, topic=topic, synced=last)
            await uow.commit()

    async def on_message(self, message: Message) -> None:
        """An agent wrote in the staff group: a reply, ``/release`` or ``/close``."""
        topic, author = message.message_thread_id, message.from_user
        if topic is None or author is None or author.is_bot or not message.text:
            return
        async with self.uow.read_only() as uow:
            conversation = await uow.handoff.by_staff_topic(topic)
            user = await uow.staff.user_by_telegram(str(author.id))
        if conversation is None:
            return
        if user is None:
            await self._say(topic, UNLINKED.format(id=author.id))
            return
        text = message.text.strip()
        try:
            if text.startswith("/release"):
                await self.desk.release(conversation, user)
            elif text.startswith("/close"):
                await self.desk.close(conversation, user)
            else:
                await self.desk.claim(conversation, user)
                await self.desk.reply(conversation, user, text, via=VIA)
        except DeskError as refused:
            await self._say(topic, str(refused))

    async def _say(self, topic: int, text: str) -> None:
        try:
            await self.bot.send_message(chat_id=self.chat_id, message_thread_id=topic, text=text)
        except AiogramError as exc:
            log.warning("staff desk: could not answer in topic %s: %s", topic, exc)


def _shown(line: Line) -> str:
    """How a message of the conversation reads in the topic."""
    who = line.agent if line.author == "agent" and line.agent else line.author
    return f"{_ICONS.get(line.author, '•')} {who}: {line.text}"[:4096]
