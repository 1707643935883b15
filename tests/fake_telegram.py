"""A loopback fake of the Telegram Bot API, so aiogram's real HTTP client runs unmodified.

It serves ``/bot<token>/<method>`` on 127.0.0.1 with Telegram's JSON envelope
(``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code": ..., "description": ...}``),
records what the bot sent, queues updates for ``getUpdates`` and plays scripted failures:

    fake = FakeTelegram()
    await fake.start()            # fake.base_url → settings.telegram.api_url
    fake.fail_next_sends(1, retry_after=3)   # next sendMessage answers 429
    fake.block_chat(42)           # sendMessage to chat 42 answers 403
    await fake.queue_update({...})  # served by getUpdates
    await fake.wait_for_sent(1)   # until one sendMessage arrived
    await fake.close()
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_telegram_html import EntityError, parse_html

BOT_ID = 777000111
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Laptop Shop", "username": "shop_bot"}
DEFAULT_TOKEN = f"{BOT_ID}:FAKE-test-token_0123456789abcdefghijkl"


@dataclass(frozen=True)
class SentMessage:
    """One ``sendMessage`` call the fake accepted: ``text`` as the customer sees it, with
    the ``(type, text)`` of its entities (``("pre", table)``) when sent as HTML."""

    chat_id: str
    text: str
    reply_markup: dict[str, Any] | None
    message_id: int
    entities: list[tuple[str, str]] = field(default_factory=list)
    thread_id: int | None = None
    """The forum topic it was posted in (a staff group's), if any."""

    def button_rows(self) -> list[list[tuple[str, str]]]:
        """The inline keyboard as rows of ``(title, callback_data)``; [] without one."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b["text"], b.get("callback_data", "")) for b in row] for row in rows]


@dataclass
class _Failure:
    status: int
    description: str
    parameters: dict[str, Any] | None = None


@dataclass
class FakeTelegram:
    """The fake Bot API server; every recorded list is in arrival order."""

    token: str = DEFAULT_TOKEN
    poll_wait: float = 0.2  # getUpdates waits at most this long, whatever the client asks
    send_delay: float = 0.0  # seconds sendMessage takes to answer after recording the message
    sent: list[SentMessage] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    answered_callbacks: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    webhook: dict[str, Any] | None = None
    base_url: str = ""
    topics: list[dict[str, Any]] = field(default_factory=list)
    """``createForumTopic`` calls: chat id, name and the topic id given."""

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1001)
        self._topic_ids = itertools.count(501)
        self._failures: list[_Failure] = []
        self._blocked: set[str] = set()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Listen on a free loopback port; return the base URL for ``api_url``."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def close(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- scripting -------------------------------------------------------------------

    async def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for ``getUpdates`` (an ``update_id`` is assigned if missing)."""
        update = {**update, "update_id": update.get("update_id") or next(self._update_ids)}
        self._updates.append(update)
        await self._notify()
        return update

    def fail_next_sends(self, count: int, *, retry_after: int = 1) -> None:
        """The next ``count`` sendMessage calls answer 429 with ``retry_after``."""
        failure = _Failure(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )
        self._failures.extend([failure] * count)

    def block_chat(self, chat_id: int | str) -> None:
        """From now on sendMessage to ``chat_id`` answers 403 (the user blocked the bot)."""
        self._blocked.add(str(chat_id))

    async def wait_for_sent(self, count: int, within: float = 5.0) -> list[SentMessage]:
        """Wait until at least ``count`` messages were sent; return them all."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(self.sent) >= count)
        return list(self.sent)

    async def wait_until_confirmed(self, within: float = 5.0) -> None:
        """Wait until a ``getUpdates`` offset has acknowledged every queued update."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: not self._updates)

    def sent_to(self, chat_id: int | str) -> list[SentMessage]:
        """The messages sent to one chat."""
        return [m for m in self.sent if m.chat_id == str(chat_id)]

    # --- the API ---------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"].lower()
        self.calls.append(method)
        handler = self._methods().get(method)
        if handler is None:
            return _error(404, "Not Found: method not found")
        params = await _params(request)
        return await handler(params)

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[web.Response]]]:
        return {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "createforumtopic": self._create_forum_topic,
            "answercallbackquery": self._answer_callback_query,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
        }

    async def _get_me(self, params: dict[str, Any]) -> web.Response:
        return _ok(BOT_USER)

    async def _send_message(self, params: dict[str, Any]) -> web.Response:
        chat_id, text = str(params.get("chat_id", "")), str(params.get("text", ""))
        entities: list[tuple[str, str]] = []
        if params.get("parse_mode") == "HTML":
            try:
                parsed = parse_html(text)
            except EntityError as exc:
                return _error(400, f"Bad Request: {exc}")
            text, entities = parsed.text, parsed.entities
        if not chat_id or not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        failure = self._failures.pop(0) if self._failures else None
        if failure is None and chat_id in self._blocked:
            failure = _Failure(403, "Forbidden: bot was blocked by the user")
        if failure is not None:
            self.refused.append({"chat_id": chat_id, "text": text, "status": failure.status})
            return _error(failure.status, failure.description, failure.parameters)
        markup = _json_field(params.get("reply_markup"))
        thread = params.get("message_thread_id")
        message = SentMessage(
            chat_id, text, markup, next(self._message_ids), entities,
            int(thread) if thread is not None else None,
        )  # fmt: skip
        self.sent.append(message)
        await self._notify()
        await asyncio.sleep(self.send_delay)
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": int(chat_id), "type": "private"},
            "from": BOT_USER,
            "text": text,
        }
        if markup:
            result["reply_markup"] = markup
        return _ok(result)

    async def _create_forum_topic(self, params: dict[str, Any]) -> web.Response:
        chat_id, name = str(params.get("chat_id", "")), str(params.get("name", ""))
        if not chat_id.startswith("-100"):
            return _error(400, "Bad Request: the chat is not a forum")
        if not 1 <= len(name) <= 128:
            return _error(400, "Bad Request: invalid forum topic name")
        topic = {"chat_id": chat_id, "name": name, "message_thread_id": next(self._topic_ids)}
        self.topics.append(topic)
        return _ok({"message_thread_id": topic["message_thread_id"], "name": name,
                    "icon_color": 7322096})  # fmt: skip

    async def _answer_callback_query(self, params: dict[str, Any]) -> web.Response:
        self.answered_callbacks.append(str(params.get("callback_query_id", "")))
        return _ok(True)

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        await self._notify()
        wait = min(float(params.get("timeout") or 0), self.poll_wait)
        if not self._updates and wait > 0:
            async with self._changed:
                try:
                    async with asyncio.timeout(wait):
                        await self._changed.wait_for(lambda: bool(self._updates))
                except TimeoutError:
                    pass
        return _ok(list(self._updates))

    async def _delete_webhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = None
        return _ok(True)

    async def _set_webhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = {
            "url": params.get("url"),
            "secret_token": params.get("secret_token"),
            "allowed_updates": _json_field(params.get("allowed_updates")),
        }
        return _ok(True)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


async def _params(request: web.Request) -> dict[str, Any]:
    """Parameters as Telegram accepts them: query string, form / multipart, or JSON."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    return params


def _json_field(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value)
    return value


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
