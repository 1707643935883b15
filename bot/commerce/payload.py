"""The JSON body of ``POST /api/events``, validated with pydantic.

    {"id": "evt-1", "type": "cart_updated",
     "customer": {"channel": "web", "id": "<widget session>"},
     "cart_id": "cart-8812", "order_id": null,
     "items": [{"product_id": "xps-13", "name": "Dell XPS 13", "quantity": 1,
                "unit_price": "1299.00"}],
     "total": "1299.00", "currency": "EUR", "occurred_at": "2026-03-02T10:00:00Z"}

``customer`` names the chat identity the event belongs to (``telegram`` user id or ``web``
widget session), or gives ``{"ref": ...}``: a reference the customer brought into the chat
(a cart token or the shop's customer id passed as the widget's ``data-ref`` or in a
Telegram ``/start`` link). Unknown fields are ignored, so a shop may send more.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
    model_validator,
)

from journeys.commerce import EVENT_TYPES


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CustomerRef(_Model):
    """Whose event it is: a chat identity (``channel`` and that channel's id for the
    customer), or ``ref``, a reference the chat customer brought (the widget's
    ``data-ref``, a Telegram ``/start`` link): a cart token, the shop's customer id."""

    channel: Literal["telegram", "web", "rest"] | None = None
    id: str | None = Field(None, min_length=1, max_length=200)
    ref: str | None = Field(None, min_length=1, max_length=200)
    alternatives: list[str] = Field(default_factory=list, max_length=10)
    """Other references to try, in order, when ``ref`` names no one (platform adapters
    know a cart token, a checkout token, a customer id and an email at once)."""

    @model_validator(mode="after")
    def _one_way(self) -> CustomerRef:
        if self.ref is None and (self.channel is None or self.id is None):
            raise ValueError('give "ref", or "channel" and "id"')
        return self

    def describe(self) -> str:
        """How the event named the customer, for error messages."""
        return f"ref {self.ref!r}" if self.ref else f"{self.channel} customer {self.id!r}"


class Item(_Model):
    """One line of a cart or order."""

    product_id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=300)
    quantity: int = Field(ge=1, le=10_000)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)


class EventPayload(_Model):
    """One commerce event."""

    id: str = Field(min_length=1, max_length=200)
    type: str
    customer: CustomerRef
    cart_id: str | None = Field(None, max_length=200)
    order_id: str | None = Field(None, max_length=200)
    items: list[Item] = Field(default_factory=list, max_length=500)
    total: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    cart_url: HttpUrl | None = None
    """The page that brings the customer back to this cart (reminders link to it)."""
    occurred_at: AwareDatetime

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in EVENT_TYPES:
            raise ValueError(f"unknown event type {value!r}; known: {', '.join(EVENT_TYPES)}")
        return value

    def summary(self) -> str:
        """One line for the touchpoint log: type, cart or order, items and total."""
        parts: list[str] = [self.type]
        if self.order_id or self.cart_id:
            parts.append(f"{'order' if self.order_id else 'cart'} {self.order_id or self.cart_id}")
        if self.items:
            parts.append(", ".join(f"{i.quantity}× {i.name}" for i in self.items))
        if self.total is not None:
            parts.append(f"{self.total} {self.currency or ''}".strip())
        return " · ".join(parts)


def describe_errors(error: ValidationError) -> str:
    """Pydantic's errors as one line naming each field: ``items.0.quantity: ...``."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
    )
