"""Runs the service: HTTP app, outbox sweeper, follow-up scheduler and, with a token, the
Telegram channel."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.analytics.summaries import Summaries
from bot.app import Services, build_services
from bot.scheduler import start_scheduler
from bot.settings import Settings
from bot.web.app import build_web_app

log = logging.getLogger(__name__)


async def start(services: Services, stop: asyncio.Event) -> web.Application:
    """Build the web app and start the background parts (outbox, Telegram)."""
    app = build_web_app(services)
    services.background.append(
        asyncio.create_task(services.outbox.run(services.settings.outbox_interval, stop))
    )
    summaries = Summaries(services.uow, services.shop.journey_map.default_language)
    scheduler = start_scheduler(
        services.follow_ups, services.settings.follow_up_interval, summaries
    )
    stop_task = asyncio.create_task(_shutdown_on(stop, scheduler))
    services.background.append(stop_task)
    if services.settings.telegram.token is not None:
        from bot.channels.telegram import attach_telegram

        await attach_telegram(services, app)
    return app


async def _shutdown_on(stop: asyncio.Event, scheduler: AsyncIOScheduler) -> None:
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)


async def serve(settings: Settings, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM."""
    web_settings = settings.web.model_copy(update={"host": host, "port": port})
    services = await build_services(settings.model_copy(update={"web": web_settings}))
    stop = asyncio.Event()
    app = await start(services, stop)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("journeybot is listening on http://%s:%s", host, port)
    print(f"journeybot is running on http://{host}:{port}  (Ctrl+C to stop)", flush=True)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await services.aclose()
