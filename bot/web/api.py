"""``POST /api/events``: commerce events from the shop's systems.

The raw body must carry ``X-Journeybot-Signature: sha256=<HMAC-SHA256 hex>`` under
``JOURNEYBOT_EVENTS_SECRET``. Answers: 200 ``{"status": "accepted", "stage": ...}``, or
``{"status": "duplicate"}`` for an event id already received (nothing changes); 401 for a
missing or wrong signature; 400 for malformed JSON; 422 naming each invalid field; 404 for
a customer journeybot does not know; 503 when no secret is configured.
"""

from __future__ import annotations

import json

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import ValidationError

from bot.channels.web.rest import MAX_BODY, error
from bot.commerce.ingest import EventIngest, UnknownCustomer
from bot.commerce.payload import EventPayload, describe_errors
from bot.commerce.signature import HEADER, signature_valid


def events_handler(ingest: EventIngest, secret: str | None) -> Handler:
    """The handler of ``POST /api/events``."""

    async def handler(request: web.Request) -> web.Response:
        if secret is None:
            return error(503, "commerce events are off: set JOURNEYBOT_EVENTS_SECRET")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return error(413, f"the body is over {MAX_BODY} bytes")
        body = await request.read()
        if not signature_valid(secret, body, request.headers.get(HEADER)):
            return error(401, f"missing or wrong {HEADER} (sha256=<HMAC-SHA256 of the body>)")
        try:
            event = EventPayload.model_validate(json.loads(body))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return error(400, f"malformed JSON: {exc}")
        except ValidationError as exc:
            return error(422, describe_errors(exc))
        try:
            done = await ingest.ingest(event)
        except UnknownCustomer as exc:
            return error(404, str(exc))
        if done.duplicate:
            return web.json_response({"status": "duplicate", "id": event.id})
        return web.json_response({"status": "accepted", "id": event.id, "stage": done.stage})

    return handler
