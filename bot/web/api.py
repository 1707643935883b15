"""Commerce webhooks: journeybot's own ``POST /api/events`` and the platforms' adapters.

Every endpoint checks the raw body's signature first, then parses and validates, then
applies the event once. Answers: 200 ``{"status": "accepted", "stage": ...}``, or
``{"status": "duplicate"}`` for an event id already received (nothing changes), or
``{"status": "ignored"}`` for a platform webhook that means nothing for the journey; 401 for
a missing or wrong signature; 400 for malformed JSON; 422 naming each invalid field; 404
for a customer journeybot does not know; 503 when the endpoint's secret is not configured.

- ``/api/events``: ``X-Journeybot-Signature: sha256=<hex>`` under JOURNEYBOT_EVENTS_SECRET;
- ``/api/events/shopify``: ``X-Shopify-Hmac-Sha256`` under JOURNEYBOT_SHOPIFY_SECRET;
- ``/api/events/woocommerce``: ``X-WC-Webhook-Signature`` under
  JOURNEYBOT_WOOCOMMERCE_SECRET.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import ValidationError

from bot.channels.web.rest import MAX_BODY, error
from bot.commerce import platforms
from bot.commerce.ingest import EventIngest, UnknownCustomer
from bot.commerce.payload import EventPayload, describe_errors
from bot.commerce.signature import HEADER, signature_valid

Verify = Callable[[str, bytes, str | None], bool]
Parse = Callable[[web.Request, Any], EventPayload]


def events_handler(ingest: EventIngest, secret: str | None) -> Handler:
    """``POST /api/events``: journeybot's own event shape."""
    return _webhook(
        ingest, secret, "JOURNEYBOT_EVENTS_SECRET", HEADER, signature_valid,
        lambda _request, data: EventPayload.model_validate(data),
    )  # fmt: skip


def platform_handler(
    ingest: EventIngest, secret: str | None, platform: platforms.Platform
) -> Handler:
    """``POST /api/events/<platform>``: the platform's webhooks, signed its way."""

    def parse(request: web.Request, data: Any) -> EventPayload:
        topic = request.headers.get(platform.topic_header, "")
        return platform.to_event(topic, request.headers.get(platform.id_header), data)

    verify = platforms.base64_signature_valid
    return _webhook(ingest, secret, platform.setting, platform.signature_header, verify, parse)


def _webhook(
    ingest: EventIngest, secret: str | None, setting: str, header: str, verify: Verify,
    parse: Parse,
) -> Handler:  # fmt: skip
    async def handler(request: web.Request) -> web.StreamResponse:
        if secret is None:
            return error(503, f"this endpoint is off: set {setting}")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return error(413, f"the body is over {MAX_BODY} bytes")
        body = await request.read()
        if not verify(secret, body, request.headers.get(header)):
            return error(401, f"missing or wrong {header} (HMAC-SHA256 of the body)")
        try:
            data = json.loads(body)
            event = parse(request, data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return error(400, f"malformed JSON: {exc}")
        except platforms.Ignored as exc:
            return web.json_response({"status": "ignored", "reason": str(exc)})
        except ValidationError as exc:
            return error(422, describe_errors(exc))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return error(422, f"not a usable event: {type(exc).__name__}: {exc}")
        return await _apply(ingest, event)

    return handler


async def _apply(ingest: EventIngest, event: EventPayload) -> web.Response:
    try:
        done = await ingest.ingest(event)
    except UnknownCustomer as exc:
        return error(404, str(exc))
    if done.duplicate:
        return web.json_response({"status": "duplicate", "id": event.id})
    return web.json_response({"status": "accepted", "id": event.id, "stage": done.stage})
