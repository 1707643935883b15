"""Plain data that leaves the storage package (ORM rows never do)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class CustomerContext:
    """A known customer reached on one channel identity, with their open conversation."""

    customer_id: int
    identity_id: int
    stage: str | None
    language: str | None
    purchased: bool
    purchase_stated: bool
    stage_before_purchase: str | None
    opted_out: bool
    consecutive_fallbacks: int
    message_count: int
    last_products: tuple[str, ...]
    selected_product: str | None
    last_faq_entry: str | None
    last_seen_at: datetime | None
    conversation_id: int | None
    conversation_status: str | None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """An outbound message row, as the delivery loop needs it."""

    id: int
    conversation_id: int
    customer_id: int
    channel: str
    recipient_id: str
    text: str
    buttons: tuple[tuple[str, str], ...]
    answered_by: str | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    attachment: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class NewOutbound:
    """An outbound message to insert."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    answered_by: str = "bot"
    attachment: dict[str, Any] | None = None
    """Structured content beside the text (``{"table": ...}``) for channels that show it."""


@dataclass(frozen=True, slots=True)
class HistoryMessage:
    """A message of a conversation as its customer saw it (``direction`` in or out)."""

    id: int
    direction: str
    text: str
    buttons: tuple[tuple[str, str], ...]
    answered_by: str | None
    attachment: dict[str, Any] | None
    channel_message_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewCommerceEvent:
    """A commerce event to store (``total`` as a decimal string)."""

    event_id: str
    type: str
    cart_id: str | None
    order_id: str | None
    total: str | None
    currency: str | None
    items: list[dict[str, Any]]
    occurred_at: datetime
    cart_url: str | None = None
    recovered: bool = False


@dataclass(frozen=True, slots=True)
class NewTouchpoint:
    """A touchpoint to insert; what is not known is None (or empty)."""

    channel: str
    direction: str
    text: str
    created_at: datetime
    kind: str = "message"
    intent: str | None = None
    confidence: float | None = None
    language: str | None = None
    stage_before: str | None = None
    stage_after: str | None = None
    answered_by: str | None = None
    latency_ms: float | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    faq_entry: str | None = None
    agent_id: int | None = None
    stage_evidence: str | None = None
    """What ``stage_after`` rests on: ``confirmed``, ``stated`` or None."""
    resolved_by: str | None = None
    """How a message the NLU did not read as ``intent`` was answered (``context``,
    ``product``, ``faq``)."""
    nlu_intent: str | None = None
    """The NLU's own top intent, whatever ``intent`` logs."""


@dataclass(frozen=True, slots=True)
class TouchpointRow:
    """A stored touchpoint with its customer's channel identity, for listings and exports."""

    id: int
    sender: str
    channel: str
    direction: str
    kind: str
    text: str
    intent: str | None
    confidence: float | None
    entities: list[dict[str, Any]]
    products: list[str]
    language: str | None
    stage_before: str | None
    stage_after: str | None
    answered_by: str | None
    latency_ms: float | None
    created_at: datetime
    customer_id: int
    conversation_id: int | None
    faq_entry: str | None = None
    stage_evidence: str | None = None
    resolved_by: str | None = None
    nlu_intent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (``created_at`` in ISO 8601)."""
        return {
            "id": self.id,
            "sender": self.sender,
            "channel": self.channel,
            "direction": self.direction,
            "kind": self.kind,
            "text": self.text,
            "intent": self.intent,
            "confidence": self.confidence,
            "entities": self.entities,
            "products": self.products,
            "language": self.language,
            "stage_before": self.stage_before,
            "stage_after": self.stage_after,
            "answered_by": self.answered_by,
            "latency_ms": self.latency_ms,
            "created_at": self.created_at.isoformat(),
            "customer_id": self.customer_id,
            "conversation_id": self.conversation_id,
            "faq_entry": self.faq_entry,
            "stage_evidence": self.stage_evidence,
            "resolved_by": self.resolved_by,
            "nlu_intent": self.nlu_intent,
        }


@dataclass(frozen=True, slots=True)
class NewInbound:
    """An inbound message to insert (``sender_id`` is the channel's id for the customer)."""

    channel: str
    sender_id: str
    channel_message_id: str | None
    kind: str
    text: str
