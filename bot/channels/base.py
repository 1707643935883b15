"""What every channel shares: the inbound message, the outgoing message and the sender port.

Errors a sender may raise (translated from the platform's own):

    DeliveryError
    ├── RetryLater        try again after ``retry_after`` seconds (Telegram 429)
    ├── RecipientOffline  not connected now; delivered when they come back (web sessions)
    └── RecipientBlocked  the customer blocked the bot; record them as opted out (Telegram 403)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from journeys.model import Button

__all__ = [
    "Button",
    "DeliveryError",
    "InboundMessage",
    "OutgoingMessage",
    "RecipientBlocked",
    "RecipientOffline",
    "RetryLater",
    "Sender",
    "SenderRegistry",
    "split_text",
]

MAX_TEXT_LENGTH = 4096

KIND_TEXT = "text"
KIND_BUTTON = "button"
KIND_COMMAND = "command"
KIND_UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a customer, whatever the channel.

    ``channel_message_id`` is the channel's own id for the delivery (Telegram update id,
    client message id, ...) and is what de-duplication keys on; None means the channel
    gives none and the message is never considered a retry.
    """

    channel: str
    sender_id: str
    text: str
    channel_message_id: str | None = None
    kind: str = KIND_TEXT
    command: str | None = None
    command_args: str = ""
    display_name: str | None = None
    language_hint: str | None = None
    received_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message to deliver on a channel; ``outbox_id`` is its outbox row."""

    outbox_id: int
    channel: str
    recipient_id: str
    text: str
    buttons: tuple[Button, ...] = ()
    answered_by: str = "bot"
    attachment: Mapping[str, Any] | None = None
    """Structured content beside the text (``{"table": {...}}``), for channels that draw it."""

    def to_rasa_dict(self) -> dict[str, Any]:
        """Rasa REST channel shape: ``recipient_id``, ``text`` and ``buttons`` when present."""
        out: dict[str, Any] = {"recipient_id": self.recipient_id, "text": self.text}
        if self.buttons:
            out["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        return out


class DeliveryError(Exception):
    """A message could not be delivered."""


class RetryLater(DeliveryError):
    """The platform asked us to wait ``retry_after`` seconds before sending again."""

    def __init__(self, retry_after: float, message: str = "") -> None:
        super().__init__(message or f"retry after {retry_after} s")
        self.retry_after = retry_after


class RecipientBlocked(DeliveryError):
    """The recipient blocked the bot or deleted the chat; do not send again."""


class RecipientOffline(DeliveryError):
    """The recipient is not connected (e.g. no open browser tab); deliver when they return."""


class Sender(Protocol):
    """Delivers outgoing messages on one channel."""

    channel: str

    async def send(self, message: OutgoingMessage) -> str | None:
        """Deliver ``message``; return the channel's id for it when it gives one."""
        ...


class SenderRegistry:
    """Senders keyed by channel name; outbound delivery looks the channel up here."""

    def __init__(self) -> None:
        self._senders: dict[str, Sender] = {}

    def register(self, sender: Sender) -> None:
        """Add (or replace) the sender for ``sender.channel``."""
        self._senders[sender.channel] = sender

    def get(self, channel: str) -> Sender | None:
        """The sender for ``channel``, or None when the channel has none."""
        return self._senders.get(channel)

    def __iter__(self) -> Iterator[Sender]:
        return iter(self._senders.values())


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters, preferring line breaks."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not chunks:
        chunks.append(rest)
    return chunks
