"""aiogram routers: map each update and hand it to the pipeline; nothing else happens here.

The dispatcher's workflow data carries ``pipeline`` (anything with ``async handle(msg)``);
the pipeline stores the message and delivers the replies through the outbox itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import Bot, Router
from aiogram.exceptions import AiogramError
from aiogram.types import CallbackQuery, ErrorEvent, Message, TelegramObject, Update

from bot.channels.base import InboundMessage
from bot.channels.telegram.mapping import (
    inbound_from_callback,
    inbound_from_message,
    update_kind,
)
from bot.channels.telegram.staff_desk import StaffDesk

log = logging.getLogger(__name__)

APOLOGIES = {
    "en": "Sorry, something went wrong on our side. Please try again in a moment.",
    "es": "Lo siento, algo ha fallado por nuestra parte. Inténtalo de nuevo en un momento.",
    "it": "Scusa, qualcosa è andato storto da parte nostra. Riprova tra un momento.",
}


class InboundHandler(Protocol):
    """What the handlers need from the pipeline."""

    async def handle(self, msg: InboundMessage) -> object:
        """Process one inbound message (store, decide, deliver the replies)."""
        ...


def build_routers() -> list[Router]:
    """Fresh routers for one dispatcher: customer messages, button presses, errors."""
    messages = Router(name="telegram-messages")
    messages.message.register(on_message)
    buttons = Router(name="telegram-buttons")
    buttons.callback_query.register(on_button)
    errors = Router(name="telegram-errors")
    errors.errors.register(on_error)
    return [messages, buttons, errors]


async def on_message(
    message: Message, event_update: Update, pipeline: InboundHandler, staff: StaffDesk | None
) -> None:
    """A customer wrote (text, command or media): hand it to the pipeline. In the staff
    group, an agent wrote: hand it to the staff desk."""
    if staff is not None and message.chat.id == staff.chat_id:
        await staff.on_message(message)
        return
    inbound = inbound_from_message(message, event_update.update_id)
    if inbound is None:
        log.info("ignored Telegram service message %s", event_update.update_id)
        return
    await pipeline.handle(inbound)


async def on_button(query: CallbackQuery, event_update: Update, pipeline: InboundHandler) -> None:
    """A customer pressed an inline button: stop its spinner, then handle the payload."""
    try:
        await query.answer()
    except AiogramError as exc:
        log.warning("could not answer callback query %s: %s", query.id, exc)
    inbound = inbound_from_callback(query, event_update.update_id)
    if inbound is not None:
        await pipeline.handle(inbound)


async def on_error(event: ErrorEvent, bot: Bot) -> bool:
    """Log the failure and apologise to the customer, without any technical detail."""
    update = event.update
    log.error("failed to handle Telegram update %s", update.update_id, exc_info=event.exception)
    chat_id, language = _chat_and_language(update)
    if chat_id is not None:
        try:
            await bot.send_message(chat_id=chat_id, text=APOLOGIES.get(language, APOLOGIES["en"]))
        except AiogramError as exc:
            log.warning("could not apologise in chat %s: %s", chat_id, exc)
    return True


async def skip_foreign_updates(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """Outer update middleware: only messages and button presses reach the handlers."""
    if isinstance(event, Update) and event.message is None and event.callback_query is None:
        log.info("ignored Telegram update %s of kind %s", event.update_id, update_kind(event))
        return None
    return await handler(event, data)


def _chat_and_language(update: Update) -> tuple[int | None, str]:
    if update.message is not None:
        user, chat_id = update.message.from_user, update.message.chat.id
    elif update.callback_query is not None:
        user = update.callback_query.from_user
        msg = update.callback_query.message
        chat_id = msg.chat.id if msg is not None else user.id
    else:
        return None, "en"
    code = (user.language_code or "en")[:2].lower() if user is not None else "en"
    return chat_id, code
