"""The widget's channel: a WebSocket per browser tab, so the server can push messages.

``GET /ws?token=<session token>&after=<last message id seen>&lang=<en|es|it>``. A refused
token closes the socket with code 4401 (the widget then asks for a new session). The server
first replays the conversation's messages with ids above ``after`` (the customer's too,
with the ``client_id`` they were sent with), sends ``{"type": "ready", "last_id": N}``,
delivers what was waiting in the outbox, then pushes live.

Client → server: ``{"type": "message", "id": "<client id>", "text": "..."}`` (plus
``"payload"`` for a quick-reply button). Server → client: ``message`` frames (``id``,
``from`` customer/bot/agent, ``text``, ``buttons``, ``at``, ``client_id``, ``table``,
``cards``, ``ask``), ``{"type": "typing", "on": bool}``, ``ready``, and ``{"type": "error",
"code": "rate_limited" | "too_long" | "invalid", "error": "...", "retry_after": s}``.
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.typedefs import Handler

from bot.channels.base import (
    KIND_BUTTON,
    KIND_TEXT,
    Button,
    InboundMessage,
    OutgoingMessage,
    RecipientOffline,
)
from bot.channels.preformatted import parts
from bot.channels.web.sessions import WidgetGate
from bot.outbox import Outbox
from bot.pipeline import InvalidMessage, Pipeline
from storage.records import HistoryMessage
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

CHANNEL = "web"
MAX_WIDGET_TEXT = 2000
"""Longest message the widget may send, in characters."""
TOKEN_REFUSED = 4401
"""WebSocket close code for a missing, forged or expired session token."""


def message_frame(
    message_id: int,
    sender: str,
    text: str,
    buttons: Sequence[Button],
    at: datetime,
    attachment: Mapping[str, Any] | None = None,
    client_id: str | None = None,
) -> dict[str, Any]:
    """One ``message`` frame; with a ``table`` the text leaves out its preformatted copy."""
    table = (attachment or {}).get("table")
    if table is not None:
        text = "\n".join(p.text for p in parts(text) if not p.preformatted).strip()
    return {
        "type": "message",
        "id": message_id,
        "from": sender,
        "text": text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in buttons],
        "at": at.astimezone(UTC).isoformat(),
        "client_id": client_id,
        "table": table,
        "cards": list((attachment or {}).get("cards", [])),
        "ask": (attachment or {}).get("ask"),
        "agent": (attachment or {}).get("agent"),
    }


def _author(answered_by: str | None) -> str:
    return "agent" if answered_by == "agent" else "bot"


class WebSocketSender:
    """Pushes outgoing messages to every open tab of a widget session."""

    channel = CHANNEL

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)

    async def send(self, message: OutgoingMessage) -> str | None:
        """Push ``message`` to the session's sockets; offline sessions raise."""
        frame = message_frame(
            message.outbox_id,
            _author(message.answered_by),
            message.text,
            message.buttons,
            self.clock(),
            message.attachment,
        )
        if not await self.push(message.recipient_id, frame):
            raise RecipientOffline(f"web session {message.recipient_id} is not connected")
        return str(message.outbox_id)

    async def push(self, session: str, frame: dict[str, Any]) -> bool:
        """Send ``frame`` to every open socket of ``session``; False when none took it."""
        sent = [await send(ws, frame) for ws in list(self.sockets.get(session, ()))]
        return any(sent)


async def send(ws: web.WebSocketResponse, frame: dict[str, Any]) -> bool:
    """Send ``frame``; False (not an error) when the tab has just gone away."""
    if ws.closed:
        return False
    try:
        await ws.send_json(frame)
    except ConnectionResetError:
        return False
    return True


def parse_socket_message(
    session: str, data: Any, language: str | None, ref: str | None = None,
    timezone: str | None = None,
) -> InboundMessage:  # fmt: skip
    """Validate one client frame and map it to an ``InboundMessage`` (the shop's customer
    or cart reference, if the page gave one, in ``metadata["ref"]``)."""
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
        metadata={k: v for k, v in (("ref", ref), ("timezone", timezone)) if v},
    )


def history_frame(session: str, m: HistoryMessage) -> dict[str, Any]:
    """A stored message as the ``message`` frame the widget replays."""
    buttons = [Button(title, payload) for title, payload in m.buttons]
    if m.direction == "in":
        prefix = f"{session}:"
        cid = m.channel_message_id or ""
        client_id = cid[len(prefix) :] if cid.startswith(prefix) else None
        return message_frame(m.id, "customer", m.text, [], m.created_at, client_id=client_id)
    return message_frame(m.id, _author(m.answered_by), m.text, buttons, m.created_at, m.attachment)


@dataclass(frozen=True, slots=True)
class _Opened:
    session_id: str
    language: str | None
    ref: str | None
    timezone: str | None


def _after(raw: str | None) -> int:
    try:
        return max(0, int(raw or 0))
    except ValueError:
        return 0


class SocketChannel:
    """The ``/ws`` endpoint: sessions checked by ``gate``, messages into ``pipeline``."""

    def __init__(
        self,
        pipeline: Pipeline,
        outbox: Outbox,
        sender: WebSocketSender,
        gate: WidgetGate,
        uow: UnitOfWorkFactory,
    ) -> None:
        self.pipeline, self.outbox, self.sender = pipeline, outbox, sender
        self.gate, self.uow = gate, uow

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one tab's socket until it closes."""
        if not self.gate.origin_allowed(request.headers.get("Origin"), request.host):
            raise web.HTTPForbidden(text="this site may not use the chat widget")
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=64 * 1024)
        await ws.prepare(request)
        session = self.gate.signer.check(request.query.get("token", ""))
        if session is None:
            await ws.close(code=TOKEN_REFUSED, message=b"session token refused")
            return ws
        sid, language = session.session_id, request.query.get("lang") or None
        opened = _Opened(sid, language, session.ref, session.timezone)
        self.sender.sockets[sid].add(ws)
        try:
            await self._replay(ws, sid, _after(request.query.get("after")))
            await self.outbox.deliver_recipient(CHANNEL, sid)
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    await self._on_frame(ws, opened, frame.data)
        finally:
            self.sender.sockets[sid].discard(ws)
            if not self.sender.sockets[sid]:
                del self.sender.sockets[sid]
        return ws

    async def _replay(self, ws: web.WebSocketResponse, session: str, after: int) -> None:
        last = after
        while True:
            async with self.uow.read_only() as uow:
                found = await uow.messages.history(CHANNEL, session, after=last)
            for m in found:
                await send(ws, history_frame(session, m))
            if len(found) < 200:
                break
            last = found[-1].id
        await send(ws, {"type": "ready", "last_id": found[-1].id if found else last})

    async def _on_frame(self, ws: web.WebSocketResponse, opened: _Opened, raw: str) -> None:
        """Answer one client frame; a refused one gets an error naming its ``client_id``."""
        session = opened.session_id
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            await _error(ws, None, "invalid", f"malformed JSON: {exc}")
            return
        client_id = data.get("id") if isinstance(data, dict) else None
        try:
            msg = parse_socket_message(session, data, opened.language, opened.ref, opened.timezone)
        except InvalidMessage as exc:
            await _error(ws, client_id, "invalid", str(exc))
            return
        if len(msg.text) > MAX_WIDGET_TEXT:
            limit = f"the limit is {MAX_WIDGET_TEXT}"
            await _error(
                ws, client_id, "too_long", f"message is {len(msg.text)} characters; {limit}"
            )
            return
        wait = self.gate.limiter.take(session)
        if wait > 0:
            seconds = math.ceil(wait)
            text = f"too many messages; try again in {seconds} s"
            await _error(ws, client_id, "rate_limited", text, retry_after=seconds)
            return
        await self.sender.push(session, {"type": "typing", "on": True})
        try:
            await self.pipeline.handle(msg)
        except InvalidMessage as exc:
            await _error(ws, client_id, "invalid", str(exc))
        finally:
            await self.sender.push(session, {"type": "typing", "on": False})


async def _error(
    ws: web.WebSocketResponse, client_id: Any, code: str, text: str, **extra: Any
) -> None:
    frame = {"type": "error", "code": code, "error": text, "client_id": client_id, **extra}
    await send(ws, frame)


def socket_handler(channel: SocketChannel) -> Handler:
    """The aiohttp handler of ``channel`` (for ``GET /ws``)."""
    return channel.handle
