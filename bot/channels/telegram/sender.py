"""``TelegramSender``: delivers outgoing messages through the Bot API.

It sends once and translates Telegram's errors into ours; retrying is the outbox's job:

    TelegramRetryAfter (429)        → RetryLater(retry_after)
    TelegramForbiddenError (403)    → RecipientBlocked
    any other aiogram / network error → DeliveryError
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import AiogramError, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.base import (
    MAX_TEXT_LENGTH,
    Button,
    DeliveryError,
    OutgoingMessage,
    RecipientBlocked,
    RetryLater,
    split_text,
)
from bot.channels.preformatted import telegram_html
from bot.channels.telegram.mapping import CHANNEL

log = logging.getLogger(__name__)

# Buttons whose titles are all this short are laid out two per row ...
SHORT_TITLE = 18
# ... and a score question's "1 ★" ... "5 ★" all five in one row.
TINY_TITLE = 4
# Telegram refuses a whole message whose button carries more callback data than this.
CALLBACK_DATA_BYTES = 64


class TelegramSender:
    """Sends one outgoing message as one or more Telegram messages (4096 characters each)."""

    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, message: OutgoingMessage) -> str | None:
        """Send every chunk (buttons on the last); return the last Telegram message id.

        Chunks go as HTML so that preformatted parts (comparison tables) show in ``<pre>``.
        """
        chunks = split_text(signed(message), MAX_TEXT_LENGTH)
        last_id: str | None = None
        for number, chunk in enumerate(chunks, start=1):
            markup = keyboard(message.buttons) if number == len(chunks) else None
            try:
                sent = await self.bot.send_message(
                    chat_id=message.recipient_id,
                    text=telegram_html(chunk),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
            except TelegramRetryAfter as exc:
                raise RetryLater(exc.retry_after, str(exc)) from exc
            except TelegramForbiddenError as exc:
                raise RecipientBlocked(str(exc)) from exc
            except AiogramError as exc:
                raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
            last_id = str(sent.message_id)
        return last_id


def signed(message: OutgoingMessage) -> str:
    """A person's message starts with their name, so the customer sees who is writing."""
    agent = (message.attachment or {}).get("agent")
    if message.answered_by != "agent" or not agent:
        return message.text
    return f"{agent} 👤\n{message.text}"


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """An inline keyboard: two buttons per row when every title is short (five when tiny,
    as a score's), else one.

    A button whose payload Telegram would refuse is left out (and logged) so the text still
    reaches the customer.
    """
    usable = [b for b in buttons if b.is_link or len(b.payload.encode()) <= CALLBACK_DATA_BYTES]
    if len(usable) < len(buttons):
        log.warning("left out buttons with payloads over %s bytes", CALLBACK_DATA_BYTES)
    if not usable:
        return None
    per_row = 2 if all(len(b.title) <= SHORT_TITLE for b in usable) else 1
    if all(len(b.title) <= TINY_TITLE for b in usable):
        per_row = 5
    keys = [
        InlineKeyboardButton(text=b.title, url=b.payload)
        if b.is_link
        else InlineKeyboardButton(text=b.title, callback_data=b.payload)
        for b in usable
    ]
    rows = [keys[i : i + per_row] for i in range(0, len(keys), per_row)]
    return InlineKeyboardMarkup(inline_keyboard=rows)
