"""The browser channel: a WebSocket per chat session, so the server can push messages.

Client → server: ``{"type": "message", "text": "...", "id": "<client message id>"}``
(``"payload"`` instead of ``"text"`` for a quick-reply button).
Server → client: ``{"type": "message", "id": <outbox id>, "text", "buttons", "from"}``,
``{"type": "error", "error": "..."}``. Replies leave through the outbox like every other
channel; a session that is offline gets them when it reconnects.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.typedefs import Handler

from bot.channels.base import (
    KIND_BUTTON,
    KIND_TEXT,
    InboundMessage,
    OutgoingMessage,
    RecipientOffline,
)
from bot.outbox import Outbox
from bot.pipeline import InvalidMessage, Pipeline

log = logging.getLogger(__name__)

CHANNEL = "web"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class WebSocketSender:
    """Pushes outgoing messages to every open tab of a chat session."""

    channel = CHANNEL

    def __init__(self) -> None:
        self.sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)

    async def send(self, message: OutgoingMessage) -> str | None:
        """Push ``message`` to the session's sockets; offline sessions raise."""
        sockets = [ws for ws in self.sockets.get(message.recipient_id, ()) if not ws.closed]
        if not sockets:
            raise RecipientOffline(f"web session {message.recipient_id} is not connected")
        payload = {
            "type": "message",
            "id": message.outbox_id,
            "text": message.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
            "from": message.answered_by,
        }
        for ws in sockets:
            await ws.send_json(payload)
        return str(message.outbox_id)


def parse_socket_message(session: str, data: Any, language: str | None) -> InboundMessage:
    """Validate one client frame and map it to an ``InboundMessage``."""
    if not isinstance(data, dict) or data.get("type", "message") != "message":
        raise InvalidMessage('expected {"type": "message", "text": "..."}')
    payload, text = data.get("payload"), data.get("text")
    body = payload if payload is not None else text
    if not isinstance(body, str):
        raise InvalidMessage('"text" must be a string')
    client_id = data.get("id")
    if client_id is not None and not isinstance(client_id, str | int):
        raise InvalidMessage('"id" must be a string or an integer')
    return InboundMessage(
        channel=CHANNEL,
        sender_id=session,
        text=body,
        channel_message_id=None if client_id is None else f"{session}:{client_id}",
        kind=KIND_BUTTON if payload is not None else KIND_TEXT,
        language_hint=language,
    )


def socket_handler(pipeline: Pipeline, outbox: Outbox, sender: WebSocketSender) -> Handler:
    """The aiohttp handler for ``GET /ws?session=<id>&lang=<en|es|it>``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        session = request.query.get("session", "")
        if not SESSION_ID.match(session):
            raise web.HTTPBadRequest(text="session must be 8-64 characters of A-Z a-z 0-9 _ -")
        language = request.query.get("lang") or None
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=64 * 1024)
        await ws.prepare(request)
        sender.sockets[session].add(ws)
        try:
            await outbox.deliver_recipient(CHANNEL, session)
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                await _on_frame(pipeline, ws, session, frame.data, language)
        finally:
            sender.sockets[session].discard(ws)
            if not sender.sockets[session]:
                del sender.sockets[session]
        return ws

    return handler


async def _on_frame(
    pipeline: Pipeline, ws: web.WebSocketResponse, session: str, raw: str, language: str | None
) -> None:
    try:
        msg = parse_socket_message(session, json.loads(raw), language)
        await pipeline.handle(msg)
    except json.JSONDecodeError as exc:
        await ws.send_json({"type": "error", "error": f"malformed JSON: {exc}"})
    except InvalidMessage as exc:
        await ws.send_json({"type": "error", "error": str(exc)})
