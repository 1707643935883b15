"""``TelegramChannel``: the bot, its dispatcher, and the two ways updates arrive.

Long polling (no public URL) runs as a background task; webhook mode adds an aiohttp route
that checks Telegram's secret token header and processes the update before answering 200,
so a retried update is de-duplicated by the pipeline rather than racing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import TelegramObject, Update
from aiohttp import web
from pydantic import ValidationError

from bot.channels.telegram.handlers import InboundHandler, build_routers, skip_foreign_updates
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.staff_desk import StaffDesk
from bot.console.desk import SupportDesk
from bot.settings import Settings
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STOP_GRACE = 5.0  # seconds to let updates in flight finish on stop()


class TelegramChannel:
    """The Telegram bot: a sender for the outbox and an inbound path into the pipeline."""

    def __init__(
        self, settings: Settings, pipeline: InboundHandler, *, polling_timeout: int = 10
    ) -> None:
        tg = settings.telegram
        if tg.token is None:
            raise ValueError("JOURNEYBOT_TELEGRAM_TOKEN is not set; Telegram is off")
        session = (
            AiohttpSession(api=TelegramAPIServer.from_base(tg.api_url)) if tg.api_url else None
        )
        self.bot = Bot(token=tg.token.get_secret_value(), session=session)
        self._in_flight: set[asyncio.Task[Any]] = set()
        self.dispatcher = Dispatcher(pipeline=pipeline, staff=None)
        self.dispatcher.update.outer_middleware(self._track)
        self.dispatcher.update.outer_middleware(skip_foreign_updates)
        self.dispatcher.include_routers(*build_routers())
        self.sender = TelegramSender(self.bot)
        self.polling_timeout = polling_timeout
        self._secret = tg.webhook_secret.get_secret_value() if tg.webhook_secret else None
        self._webhook_url = (
            settings.web.public_url.rstrip("/") + WEBHOOK_PATH if settings.web.public_url else None
        )
        self._polling: asyncio.Task[None] | None = None

    def open_staff_desk(self, chat_id: int, uow: UnitOfWorkFactory, desk: SupportDesk) -> StaffDesk:
        """Serve the staff group ``chat_id``: its topics mirror handed-off conversations."""
        staff = StaffDesk(self.bot, chat_id, uow, desk)
        self.dispatcher["staff"] = staff
        return staff

    @property
    def uses_webhook(self) -> bool:
        """True when a public URL is configured (updates arrive by webhook)."""
        return self._webhook_url is not None

    async def feed(self, update: Update) -> None:
        """Process one update to the end (handlers, pipeline, delivery of the replies)."""
        await self.dispatcher.feed_update(self.bot, update)

    async def _track(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Outer update middleware: remember updates in flight so ``stop()`` can wait."""
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            return await handler(event, data)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def start_polling(self) -> None:
        """Remove any webhook and poll ``getUpdates`` in a background task."""
        if self._polling is not None:
            return
        await self.bot.delete_webhook()
        self._polling = asyncio.create_task(self._poll(), name="telegram-polling")

    async def _poll(self) -> None:
        try:
            await self.dispatcher.start_polling(
                self.bot,
                polling_timeout=self.polling_timeout,
                handle_signals=False,
                close_bot_session=False,
            )
        except Exception:
            log.exception("Telegram polling stopped")

    async def set_webhook(self) -> None:
        """Register ``{public_url}/webhooks/telegram`` with the secret token."""
        if self._webhook_url is None:
            raise RuntimeError("JOURNEYBOT_PUBLIC_URL is not set; there is no webhook to register")
        await self.bot.set_webhook(
            url=self._webhook_url,
            secret_token=self._secret,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )
        log.info("Telegram webhook set to %s", self._webhook_url)

    async def stop(self) -> None:
        """Stop polling, let updates in flight finish, close the HTTP session."""
        if self._polling is not None:
            with contextlib.suppress(RuntimeError):  # polling had not started yet
                await self.dispatcher.stop_polling()
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        pending = self._in_flight - {asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=STOP_GRACE)
        await self.bot.session.close()

    def add_webhook_route(self, app: web.Application, path: str = WEBHOOK_PATH) -> None:
        """Accept updates at ``POST path``; 401 without the right secret, 400 when malformed."""
        app.router.add_post(path, self.handle_webhook)

    async def handle_webhook(self, request: web.Request) -> web.Response:
        """aiohttp handler for one webhook delivery."""
        given = request.headers.get(SECRET_HEADER, "")
        if self._secret is None or not hmac.compare_digest(given.encode(), self._secret.encode()):
            log.warning("refused a Telegram webhook call without the right secret token")
            return web.json_response({"error": "wrong or missing secret token"}, status=401)
        try:
            update = Update.model_validate(await request.json(), context={"bot": self.bot})
        except (json.JSONDecodeError, UnicodeDecodeError, ValidationError) as exc:
            return web.json_response({"error": f"malformed update: {exc}"}, status=400)
        await self.feed(update)
        return web.json_response({"ok": True})
