"""The Telegram channel (aiogram 3). aiogram's types never leave this package.

The composition root calls ``await attach_telegram(services, app)`` once, before the web app
starts: it registers the sender for the outbox and, depending on the settings, either
adds the webhook route (and registers it with Telegram on startup) or polls in the
background; the channel is stopped on the app's cleanup.
"""

from __future__ import annotations

import logging
from typing import Protocol

from aiohttp import web

from bot.channels.base import SenderRegistry
from bot.channels.telegram.handlers import InboundHandler
from bot.channels.telegram.runner import WEBHOOK_PATH, TelegramChannel
from bot.channels.telegram.sender import TelegramSender
from bot.console.desk import SupportDesk
from bot.console.live import LiveUpdates
from bot.settings import Settings
from storage.uow import UnitOfWorkFactory

__all__ = [
    "TELEGRAM_CHANNEL",
    "WEBHOOK_PATH",
    "TelegramChannel",
    "TelegramSender",
    "attach_telegram",
]

log = logging.getLogger(__name__)

TELEGRAM_CHANNEL = web.AppKey("telegram_channel", TelegramChannel)


class TelegramServices(Protocol):
    """What the channel needs from the composition root's services."""

    @property
    def settings(self) -> Settings: ...

    @property
    def pipeline(self) -> InboundHandler: ...

    @property
    def senders(self) -> SenderRegistry: ...

    @property
    def uow(self) -> UnitOfWorkFactory: ...

    @property
    def desk(self) -> SupportDesk: ...

    @property
    def live(self) -> LiveUpdates: ...


async def attach_telegram(
    services: TelegramServices, app: web.Application
) -> TelegramChannel | None:
    """Wire Telegram into ``app``; None (and nothing changed) when no token is configured."""
    settings = services.settings
    if settings.telegram.token is None:
        log.info("JOURNEYBOT_TELEGRAM_TOKEN is not set; the Telegram channel is off")
        return None
    channel = TelegramChannel(settings, services.pipeline)
    services.senders.register(channel.sender)
    if settings.telegram.staff_chat is not None:
        staff = channel.open_staff_desk(settings.telegram.staff_chat, services.uow, services.desk)
        services.live.add_listener(staff.changed)
    app[TELEGRAM_CHANNEL] = channel
    if channel.uses_webhook:
        channel.add_webhook_route(app)
        app.on_startup.append(_set_webhook)
    else:
        app.on_startup.append(_start_polling)
    app.on_cleanup.append(_stop)
    return channel


async def _set_webhook(app: web.Application) -> None:
    await app[TELEGRAM_CHANNEL].set_webhook()


async def _start_polling(app: web.Application) -> None:
    await app[TELEGRAM_CHANNEL].start_polling()


async def _stop(app: web.Application) -> None:
    await app[TELEGRAM_CHANNEL].stop()
