"""Errors of the storage package.

StorageError
├── DuplicateDelivery   the channel already delivered this message id (a retry)
├── DuplicateEvent      the shop already sent this event id (a retry)
└── NotFound            an id that does not exist
"""

from __future__ import annotations


class StorageError(Exception):
    """Base of every storage error."""


class DuplicateDelivery(StorageError):
    """An inbound message with the same (channel, channel message id) is already stored."""

    def __init__(self, channel: str, channel_message_id: str) -> None:
        super().__init__(f"{channel} message {channel_message_id!r} was already received")
        self.channel = channel
        self.channel_message_id = channel_message_id


class DuplicateEvent(StorageError):
    """A commerce event with the same id is already stored."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"event {event_id!r} was already received")
        self.event_id = event_id


class NotFound(StorageError):
    """The requested row does not exist."""
