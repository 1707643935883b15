"""Telegram updates → ``InboundMessage``; the only place that reads aiogram's update types.

``channel_message_id`` is the update id (what Telegram re-sends on a retried webhook), the
sender is the chat id (where the replies go). Updates that are not a customer speaking —
edited messages, channel posts, membership changes, service messages — map to None and are
ignored by the handlers.
"""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message, Update, User
from aiogram.types.update import UpdateTypeLookupError

from bot.channels.base import (
    KIND_BUTTON,
    KIND_COMMAND,
    KIND_TEXT,
    KIND_UNSUPPORTED,
    InboundMessage,
)

CHANNEL = "telegram"
COMMANDS = frozenset({"start", "help", "stop"})
LANGUAGES = frozenset({"en", "es", "it"})
# Content a customer sends that we cannot read: answered with "I can only read text".
MEDIA_KINDS = frozenset(
    {
        "animation",
        "audio",
        "contact",
        "dice",
        "document",
        "game",
        "live_photo",
        "location",
        "paid_media",
        "photo",
        "poll",
        "sticker",
        "story",
        "venue",
        "video",
        "video_note",
        "voice",
    }
)


def update_kind(update: Update) -> str:
    """The name of the field an update carries (``message``, ``edited_message``, ...)."""
    try:
        return update.event_type
    except UpdateTypeLookupError:
        return "unknown"


def inbound_from_update(update: Update) -> InboundMessage | None:
    """Map a whole update; None for update kinds customers do not speak through."""
    if update.message is not None:
        return inbound_from_message(update.message, update.update_id)
    if update.callback_query is not None:
        return inbound_from_callback(update.callback_query, update.update_id)
    return None


def inbound_from_message(message: Message, update_id: int) -> InboundMessage | None:
    """Map a message: text, one of our commands, or unsupported media; None otherwise."""
    text = message.text
    if text is not None:
        kind, command, args = _parse_command(text)
        return _inbound(message, update_id, text.strip(), kind, command, args)
    content_type = message.content_type  # a str enum: its value is the field name
    content = str(getattr(content_type, "value", content_type))
    if content not in MEDIA_KINDS:
        return None
    caption = (message.caption or "").strip()
    placeholder = f"[{content}] {caption}" if caption else f"[{content}]"
    return _inbound(message, update_id, placeholder, KIND_UNSUPPORTED, None, "")


def inbound_from_callback(query: CallbackQuery, update_id: int) -> InboundMessage | None:
    """Map a button press: the button's payload becomes the text; None without data."""
    if not query.data:
        return None
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    return InboundMessage(
        channel=CHANNEL,
        sender_id=str(chat_id),
        text=query.data,
        channel_message_id=str(update_id),
        kind=KIND_BUTTON,
        display_name=_display_name(query.from_user),
        language_hint=_language(query.from_user),
        metadata={"callback_query_id": query.id},
    )


def _inbound(
    message: Message,
    update_id: int,
    text: str,
    kind: str,
    command: str | None,
    args: str,
) -> InboundMessage:
    user = message.from_user
    return InboundMessage(
        channel=CHANNEL,
        sender_id=str(message.chat.id),
        text=text,
        channel_message_id=str(update_id),
        kind=kind,
        command=command,
        command_args=args,
        display_name=_display_name(user) if user else message.chat.full_name,
        language_hint=_language(user),
        received_at=message.date,
        metadata={"message_id": message.message_id, "chat_type": message.chat.type},
    )


def _parse_command(text: str) -> tuple[str, str | None, str]:
    """``/start@shop_bot cart_1`` → (command, "start", "cart_1"); plain text otherwise."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return KIND_TEXT, None, ""
    head, _, args = stripped.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    if name not in COMMANDS:
        return KIND_TEXT, None, ""
    return KIND_COMMAND, name, args.strip()


def _display_name(user: User) -> str:
    return user.full_name or user.username or str(user.id)


def _language(user: User | None) -> str | None:
    if user is None or not user.language_code:
        return None
    code = user.language_code[:2].lower()
    return code if code in LANGUAGES else None
