"""Rasa's REST channel: ``POST /webhooks/rest/webhook`` with ``{"sender", "message"}``.

The answer is the list of bot messages, ``[{"recipient_id", "text", "buttons"?}]``, so
existing Rasa REST clients work unchanged. An optional ``message_id`` de-duplicates retries.
Anyone who can reach the endpoint may speak as any sender (as with Rasa): set
``JOURNEYBOT_REST_TOKEN`` to require ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.channels.base import KIND_BUTTON, KIND_TEXT, InboundMessage
from bot.pipeline import InvalidMessage, Pipeline

CHANNEL = "rest"
MAX_BODY = 64 * 1024


def error(status: int, message: str) -> web.Response:
    """A JSON error answer that says what was wrong."""
    return web.json_response({"error": message}, status=status)


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object, or an HTTP 4xx naming the problem."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    raw = await request.read()
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": f"malformed JSON: {exc}"}), content_type="application/json"
        ) from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "expected a JSON object"}), content_type="application/json"
        )
    return body


def parse_rest_message(body: dict[str, Any]) -> InboundMessage:
    """Validate a Rasa REST body and map it to an ``InboundMessage``."""
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str):
        raise InvalidMessage('"sender" must be a string')
    if not isinstance(message, str):
        raise InvalidMessage('"message" must be a string')
    message_id = body.get("message_id")
    if message_id is not None and not isinstance(message_id, str | int):
        raise InvalidMessage('"message_id" must be a string or an integer')
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise InvalidMessage('"metadata" must be an object')
    language = metadata.get("language")
    return InboundMessage(
        channel=CHANNEL,
        sender_id=sender,
        text=message,
        channel_message_id=None if message_id is None else str(message_id),
        kind=KIND_BUTTON if message.startswith("/") else KIND_TEXT,
        language_hint=language if isinstance(language, str) else None,
        metadata=metadata,
    )


def authorised(request: web.Request, token: str | None) -> bool:
    """True when no token is configured or the bearer token matches."""
    if token is None:
        return True
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)


def rest_webhook(pipeline: Pipeline, token: str | None) -> Handler:
    """The aiohttp handler for ``POST /webhooks/rest/webhook``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        if not authorised(request, token):
            return error(401, "missing or wrong bearer token")
        body = await read_json_object(request)
        try:
            result = await pipeline.handle(parse_rest_message(body))
        except InvalidMessage as exc:
            return error(400, str(exc))
        return web.json_response([r.to_rasa_dict() for r in result.replies])

    return handler
