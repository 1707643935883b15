"""Shopify and WooCommerce webhooks, mapped onto journeybot's commerce events.

Shopify (``X-Shopify-Hmac-Sha256``: base64 HMAC-SHA256 of the body under the app's secret):

    checkouts/create → checkout_started   checkouts/update → cart_updated
    orders/create    → order_placed

WooCommerce (``X-WC-Webhook-Signature``: the same, under the webhook's secret):

    order.created → order_placed (or order_cancelled for a cancelled order)
    order.updated → order_delivered when completed, order_cancelled when cancelled or
                    refunded; other updates are acknowledged and ignored

The customer is found by the references the shop can have brought into the chat, tried in
order: the cart or checkout token (Shopify ``cart_token``/``token``, WooCommerce
``cart_hash``), then the platform's customer id, then the email.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.commerce.payload import EventPayload

SHOPIFY_TOPICS = {
    "checkouts/create": "checkout_started",
    "checkouts/update": "cart_updated",
    "orders/create": "order_placed",
}


class Ignored(Exception):
    """A webhook the platform sends that means nothing for the journey (acknowledge it)."""


def base64_signature(secret: str, body: bytes) -> str:
    """The platforms' header value: base64 of the HMAC-SHA256 of ``body``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def base64_signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is ``base64_signature`` of ``body`` (constant-time compare)."""
    return header is not None and hmac.compare_digest(base64_signature(secret, body), header)


def from_shopify(topic: str, webhook_id: str | None, data: dict[str, Any]) -> EventPayload:
    """A Shopify checkout or order webhook as an event; ``KeyError``/``ValueError`` if not."""
    kind = SHOPIFY_TOPICS.get(topic)
    if kind is None:
        raise Ignored(f"Shopify topic {topic!r} is not used")
    order = kind == "order_placed"
    customer = data.get("customer") or {}
    refs = [data.get("cart_token"), data.get("checkout_token" if order else "token"),
            _prefixed("shopify-customer", customer.get("id")), data.get("email")]  # fmt: skip
    when = data.get("updated_at") or data.get("created_at")
    return _event(
        event_id=webhook_id or f"shopify:{topic}:{data['id']}:{when}",
        kind=kind,
        refs=refs,
        cart_id=data.get("cart_token") or data.get("token"),
        order_id=str(data["id"]) if order else None,
        items=[
            {
                "product_id": str(line.get("product_id") or line.get("sku") or line["title"]),
                "name": line["title"],
                "quantity": line["quantity"],
                "unit_price": line["price"],
            }
            for line in data.get("line_items", [])
        ],
        total=data.get("total_price"),
        currency=data.get("currency"),
        occurred_at=when,
        cart_url=data.get("abandoned_checkout_url"),
    )


def from_woocommerce(topic: str, delivery_id: str | None, data: dict[str, Any]) -> EventPayload:
    """A WooCommerce order webhook as an event."""
    status = data.get("status")
    if topic == "order.created":
        kind = "order_cancelled" if status == "cancelled" else "order_placed"
    elif topic == "order.updated" and status == "completed":
        kind = "order_delivered"
    elif topic == "order.updated" and status in ("cancelled", "refunded"):
        kind = "order_cancelled"
    else:
        raise Ignored(f"WooCommerce {topic} with status {status!r} is not used")
    when = data.get("date_modified_gmt") if topic == "order.updated" else None
    when = when or data.get("date_created_gmt") or data.get("date_created")
    billing = data.get("billing") or {}
    refs = [data.get("cart_hash"), _prefixed("woocommerce-customer", data.get("customer_id")),
            billing.get("email")]  # fmt: skip
    return _event(
        event_id=delivery_id or f"woocommerce:{topic}:{data['id']}:{when}",
        kind=kind,
        refs=refs,
        cart_id=data.get("cart_hash") or None,
        order_id=str(data["id"]),
        items=[
            {
                "product_id": str(line.get("product_id") or line["name"]),
                "name": line["name"],
                "quantity": line["quantity"],
                "unit_price": str(line.get("price", "0")),
            }
            for line in data.get("line_items", [])
        ],
        total=data.get("total"),
        currency=data.get("currency"),
        occurred_at=_gmt(when),
        cart_url=None,
    )


def _event(*, refs: list[Any], **fields: Any) -> EventPayload:
    found = [str(r) for r in refs if r not in (None, "", 0)]
    if not found:
        raise ValueError("the webhook names no cart, customer or email to find the customer by")
    customer = {"ref": found[0], "alternatives": found[1:]}
    kind = fields.pop("kind")
    event_id = fields.pop("event_id")
    return EventPayload.model_validate(
        {"id": event_id, "type": kind, "customer": customer, **fields}
    )


def _prefixed(prefix: str, value: Any) -> str | None:
    return f"{prefix}:{value}" if value not in (None, "", 0) else None


def _gmt(value: Any) -> str | None:
    """WooCommerce's ``*_gmt`` times carry no offset: they are UTC."""
    if not isinstance(value, str):
        return None
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


@dataclass(frozen=True, slots=True)
class Platform:
    """How one platform's webhooks arrive: headers, the secret's setting, the mapping."""

    name: str
    setting: str
    signature_header: str
    topic_header: str
    id_header: str
    to_event: Callable[[str, str | None, dict[str, Any]], EventPayload]


SHOPIFY = Platform(
    "shopify", "JOURNEYBOT_SHOPIFY_SECRET", "X-Shopify-Hmac-Sha256", "X-Shopify-Topic",
    "X-Shopify-Webhook-Id", from_shopify,
)  # fmt: skip
WOOCOMMERCE = Platform(
    "woocommerce", "JOURNEYBOT_WOOCOMMERCE_SECRET", "X-WC-Webhook-Signature",
    "X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID", from_woocommerce,
)  # fmt: skip
